package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.jobs.Databases;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The server with its job records in a real PostgreSQL ({@code spring.datasource.url}): a golden job runs there. */
class JobsPostgresIT extends ServerTestBase {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", Databases::postgresUrl);
    }

    @Test
    void aGoldenJobRunsWithItsRecordInPostgresql() {
        JsonNode job = JobsIT.goldenJob(http, "mlp_sgd", "pg-mlp-sgd");
        JdbcClient pg = JdbcClient.create(Databases.postgres());
        assertThat(pg.sql("SELECT status FROM training_jobs WHERE id = ?").param(job.get("id").stringValue())
                .query(String.class).single()).isEqualTo("SUCCEEDED");
        assertThat(pg.sql("SELECT result_version FROM training_jobs WHERE id = ?").param(job.get("id").stringValue())
                .query(Integer.class).single()).isEqualTo(2);
    }
}

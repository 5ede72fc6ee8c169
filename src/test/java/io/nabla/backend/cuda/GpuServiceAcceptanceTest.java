package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.gpu.RealGpus;
import io.nabla.inference.PlacementScenarios;
import io.nabla.jobs.JobScenarios;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's memory guarantees on the real cuda:0, with the services built by hand (no Spring: the GPU machine
 * runs this from plain {@code java -cp}): the server's GPU stack ({@link RealGpus}: discovery, caching allocator over
 * cudaMalloc, arena heap, CUDA backend) and a model registry placing models there. (a) 200 load/unload cycles return
 * the allocator's {@code allocated} to its start; (b) a load over the arena limit and one the device cannot hold are
 * refused with the 507 error and the figures, then 1,000 inference calls on a loaded model succeed; (c) a job's
 * memory comes back when it ends and when it is cancelled. The same scenarios run on fake GPUs on the CPU
 * ({@code ModelsOnDeviceTest}, {@code JobsOnDeviceTest}). Skipped without a GPU.
 */
@RequiresCuda
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GpuServiceAcceptanceTest {

    private RealGpus gpus;

    @BeforeAll
    void open() {
        gpus = RealGpus.open();
        assertThat(gpus.pool().gpus()).as("GPUs found by discovery").isNotEmpty();
    }

    @AfterAll
    void close() {
        if (gpus != null) {
            gpus.close();
        }
        CudaTestBackend.restore(); // the pool's backend replaced the shared cuda:0 backend of the other GPU tests
    }

    @Test
    void loadUnloadCyclesReturnEveryByte(@TempDir Path root) {
        PlacementScenarios.loadUnloadCycles(gpus.pool(), root, 200);
        CudaBackend cuda = (CudaBackend) io.nabla.backend.Backends.forDevice(io.nabla.backend.Device.cuda(0));
        assertThat(cuda.streamsCreated()).as("each ending model worker hands its stream to the next one")
                .isLessThanOrEqualTo(4);
    }

    @Test
    void tooLargeLoadsAreRefusedWith507AndThen1000CallsSucceed(@TempDir Path root) {
        PlacementScenarios.tooLargeLoadsAreRefusedAndInferenceGoesOn(gpus.pool(), root, 1000);
    }

    @Test
    void aJobsMemoryIsReturnedWhenItEndsAndWhenItIsCancelled() {
        JobScenarios.jobMemoryIsReturned(gpus.pool(), false);
        JobScenarios.jobMemoryIsReturned(gpus.pool(), true);
    }
}

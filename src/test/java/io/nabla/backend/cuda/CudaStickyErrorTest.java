package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A kernel that writes through a bad device address: the error is sticky (the context is lost), the check that sees
 * it throws a {@link CudaException} marked sticky and naming cudaErrorIllegalAddress, and the listeners that the GPU
 * pool registers (to mark the device unhealthy, failing liveness) hear of it. It leaves the process's CUDA context
 * unusable, so it is not one of {@link GpuSuite}'s default classes: gpu-run.sh runs it alone, in a JVM of its own.
 */
@RequiresCuda
class CudaStickyErrorTest {

    @Test
    void anIllegalAddressIsStickyAndReachesTheListeners() {
        List<CudaException> heard = new CopyOnWriteArrayList<>();
        CudaRuntime.onStickyError(heard::add);
        CudaContext ctx = new CudaContext(0);
        Kernel boom = new Kernel("nabla_write_through", "extern \"C\" __global__ void nabla_write_through(i64 n, "
                + "i64* p) {\n  GRID_LOOP(i, n) { p[i] = 1; }\n}\n");
        ctx.run(boom, 1, new Launch().i64(1).ptr(16)); // address 16: never mapped
        assertThatThrownBy(ctx.streams::synchronize).isInstanceOf(CudaException.class)
                .hasMessageContaining("cudaErrorIllegalAddress").hasMessageContaining("the device context is lost")
                .satisfies(e -> assertThat(((CudaException) e).isSticky()).isTrue());
        assertThat(heard).isNotEmpty();
        assertThat(heard.get(0).getMessage()).contains("cudaErrorIllegalAddress");
    }
}

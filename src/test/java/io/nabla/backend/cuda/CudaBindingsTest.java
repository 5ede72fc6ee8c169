package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.LinalgOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.backend.Memory;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Calls every CUDA, NVRTC and cuBLAS binding the backend uses at least once (DESIGN.md: a binding missing from the
 * machine's CUDA 13.0 libraries kills the JVM, so the suite must reach each one): context and attributes, raw
 * memory and memory info, streams, pinned staging and both copy directions, memset, NVRTC compile (and its log on a
 * compile error), module load, function lookup and launch, cuBLAS create/stream/math mode, GemmEx and
 * GemmStridedBatchedEx, status names, and the teardown calls (stream destroy, host free, module unload, cuBLAS
 * destroy).
 */
@RequiresCuda
class CudaBindingsTest {

    @Test
    void everyBindingRunsOnce() {
        try (CudaBackend b = CudaBackend.direct(0); TensorScope scope = TensorScope.open()) {
            io.nabla.backend.Backends.register(b);
            try {
                Tensor host = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, DType.FP32, 2, 3);
                Tensor dev = host.toDevice(b.device());                       // cudaHostAlloc, memcpy H2D
                Tensor zeros = Tensor.zeros(DType.FP32, b.device(), 2, 3);    // cudaMemsetAsync
                assertThat(zeros.toDoubleArray()).containsOnly(0.0);          // memcpy D2H
                Tensor t = ShapeOps.transpose(dev, 0, 1).dataCopy();          // NVRTC + module + launch
                assertThat(t.toDoubleArray()).containsExactly(1, 4, 2, 5, 3, 6);
                Tensor p = LinalgOps.matmul(dev, ShapeOps.transpose(dev, 0, 1)); // cublasGemmEx
                assertThat(p.toDoubleArray()).containsExactly(14, 32, 32, 77);
                Tensor batch = ShapeOps.reshape(Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, DType.FP32, 8)
                        .toDevice(b.device()), 2, 2, 2);
                Tensor bp = LinalgOps.bmm(batch, batch);                      // cublasGemmStridedBatchedEx
                assertThat(bp.toDoubleArray()).containsExactly(7, 10, 15, 22, 67, 78, 91, 106);
                double norm = b.optimizer().sumAbsPow(DType.FP32, dev.memory(), dev.layout(), 2);
                assertThat(norm).isEqualTo(91.0);
                CudaRawMemory raw = new CudaRawMemory(0);
                assertThat(raw.totalBytes()).isGreaterThan(raw.freeBytes());  // cudaMemGetInfo
                long a = raw.malloc(1 << 20);
                raw.free(a);
                assertThat(b.compiledKernels()).isPositive();
            } finally {
                io.nabla.backend.Backends.unregister(b.device());
                CudaTestBackend.restore();
            }
        }
    }

    @Test
    void errorsAreTypedAndNamed() {
        assertThatThrownBy(() -> CudaRuntime.check(org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation, "test"))
                .isInstanceOf(CudaException.class).hasMessageContaining("cudaErrorMemoryAllocation")
                .satisfies(e -> assertThat(((CudaException) e).isSticky()).isFalse());
        assertThat(CudaRuntime.isSticky(org.bytedeco.cuda.global.cudart.cudaErrorIllegalAddress)).isTrue();
        assertThatThrownBy(() -> CublasHandles.check(org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_NOT_INITIALIZED,
                "test")).isInstanceOf(CudaException.class).hasMessageContaining("CUBLAS_STATUS_NOT_INITIALIZED");
        try (CudaBackend b = CudaBackend.direct(0)) {
            KernelCache cache = new KernelCache(0, 9, 0);
            assertThatThrownBy(() -> cache.get("broken", () -> new Kernel("broken",
                    "extern \"C\" __global__ void broken() { undefined_name; }")))
                    .isInstanceOf(CudaException.class).hasMessageContaining("undefined_name");
            cache.close();
            try (Memory m = b.allocator().allocate(64, true)) {
                assertThatThrownBy(m::hostBuffer).isInstanceOf(IllegalStateException.class);
            }
            assertThat(b.allocator().liveBlocks()).isZero();
        }
    }
}

package io.nabla.backend.cuda;

import io.nabla.backend.Allocator;
import io.nabla.backend.Backend;
import io.nabla.backend.ConvKernels;
import io.nabla.backend.Device;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.IndexKernels;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.LossKernels;
import io.nabla.backend.NormKernels;
import io.nabla.backend.OptimizerKernels;
import io.nabla.backend.ReduceKernels;
import io.nabla.gpu.DeviceHeap;

/**
 * The backend of one CUDA device ({@code cuda:N}): memory from a {@link DeviceHeap} (the GPU pool's caching
 * allocator in the server, a {@link DirectDeviceHeap} in tests), kernels on the calling thread's stream in the
 * device's primary context, matrix products on cuBLAS and the other kernels as CUDA C compiled at run time with
 * NVRTC; every kernel family of the SPI is built (see the README's GPU section). Closing frees streams, staging buffers, cuBLAS handles and modules; tensor memory belongs
 * to its owners and must be closed before.
 */
public final class CudaBackend implements Backend, AutoCloseable {

    private final CudaContext ctx;
    private final CudaAllocator allocator;
    private final CudaElementwiseKernels elementwise;
    private final ReduceKernels reduce;
    private final LinalgKernels linalg;
    private final NormKernels norm;
    private final OptimizerKernels optimizer;
    private final LossKernels loss;
    private final ConvKernels conv;
    private final IndexKernels index;

    /**
     * Opens device {@code index} (its primary context) with memory from {@code heap}.
     *
     * @throws IllegalStateException when CUDA is unavailable or the device does not exist
     */
    public CudaBackend(int index, DeviceHeap heap, MatmulPrecision precision) {
        if (!CudaRuntime.available()) {
            throw new IllegalStateException("cannot open cuda:" + index + ": CUDA " + CudaRuntime.status());
        }
        if (index >= CudaRuntime.deviceCount()) {
            throw new IllegalArgumentException("cuda:" + index + " does not exist: " + CudaRuntime.deviceCount()
                    + " device(s) found");
        }
        this.ctx = new CudaContext(index);
        this.allocator = new CudaAllocator(ctx.device, heap, ctx.streams);
        Transfers transfers = new Transfers(ctx, allocator);
        this.elementwise = new CudaElementwiseKernels(ctx, transfers);
        transfers.bind(elementwise);
        this.reduce = new CudaReduceKernels(ctx);
        this.linalg = new CudaLinalgKernels(ctx, precision);
        this.norm = new CudaNormKernels(ctx);
        this.optimizer = new CudaOptimizerKernels(ctx, allocator);
        this.index = new CudaIndexKernels(ctx, allocator, elementwise);
        this.loss = new CudaLossKernels(ctx, allocator);
        this.conv = new CudaConvKernels(ctx, allocator);
    }

    /** A backend for {@code cuda:index} on plain {@code cudaMalloc}/{@code cudaFree}, FP32 products. */
    public static CudaBackend direct(int index) {
        return new CudaBackend(index, new DirectDeviceHeap(new CudaRawMemory(index), "cuda:" + index),
                MatmulPrecision.fromSystemProperty());
    }

    /** Waits for everything the calling thread queued on this device. */
    public void synchronize() {
        ctx.streams.synchronize();
    }

    @Override
    public void releaseThread() {
        ctx.streams.releaseThread();
    }

    /** Streams this backend has created: one per thread using the device at the same time (released ones reused). */
    public int streamsCreated() {
        return ctx.streams.created();
    }

    /** Kernel launches and cuBLAS calls made so far by every CUDA backend of this JVM (for benchmarks). */
    public static long launches() {
        return Launch.COUNT.sum();
    }

    /** Number of kernels compiled so far (each signature once). */
    public int compiledKernels() {
        return ctx.kernels.size();
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return ctx.device;
    }

    @Override
    public Allocator allocator() {
        return allocator;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return elementwise;
    }

    @Override
    public ReduceKernels reduce() {
        return reduce;
    }

    @Override
    public LinalgKernels linalg() {
        return linalg;
    }

    @Override
    public ConvKernels conv() {
        return conv;
    }

    @Override
    public NormKernels norm() {
        return norm;
    }

    @Override
    public IndexKernels index() {
        return index;
    }

    @Override
    public LossKernels loss() {
        return loss;
    }

    @Override
    public OptimizerKernels optimizer() {
        return optimizer;
    }

    @Override
    public void close() {
        ctx.close();
    }
}

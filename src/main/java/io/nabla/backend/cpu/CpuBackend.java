package io.nabla.backend.cpu;

import io.nabla.backend.Allocator;
import io.nabla.backend.Backend;
import io.nabla.backend.ConvKernels;
import io.nabla.backend.Device;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.IndexKernels;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.LossKernels;
import io.nabla.backend.NormKernels;
import io.nabla.backend.OptimizerKernels;
import io.nabla.backend.ReduceKernels;

/**
 * The fast host backend: off-heap memory read in place by OpenBLAS, specialised loops for the common dtypes
 * and layouts, and both cores for large tensors (chunked so that results do not depend on the thread count).
 */
public final class CpuBackend implements Backend {

    private final ElementwiseKernels elementwise = new CpuElementwiseKernels();
    private final ReduceKernels reduce = new CpuReduceKernels();
    private final LinalgKernels linalg = new CpuLinalgKernels();
    private final ConvKernels conv = new CpuConvKernels();
    private final NormKernels norm = new CpuNormKernels();
    private final IndexKernels index = new CpuIndexKernels();
    private final OptimizerKernels optimizer = new CpuOptimizerKernels();
    private final LossKernels loss = new CpuLossKernels();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Allocator allocator() {
        return HostAllocator.instance();
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
}

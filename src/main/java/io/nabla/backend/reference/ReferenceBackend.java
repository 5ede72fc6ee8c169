package io.nabla.backend.reference;

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
 * The oracle: plain scalar loops over strided host memory, one element at a time, computing floating types in
 * double and integers in long. Slow and obviously right; every fast kernel is tested against it.
 */
public final class ReferenceBackend implements Backend {

    private final ElementwiseKernels elementwise = new ReferenceElementwiseKernels();
    private final ReduceKernels reduce = new ReferenceReduceKernels();
    private final LinalgKernels linalg = new ReferenceLinalgKernels();
    private final ConvKernels conv = new ReferenceConvKernels();
    private final NormKernels norm = new ReferenceNormKernels();
    private final IndexKernels index = new ReferenceIndexKernels();
    private final OptimizerKernels optimizer = new ReferenceOptimizerKernels();
    private final LossKernels loss = new ReferenceLossKernels();

    @Override
    public String name() {
        return "reference";
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

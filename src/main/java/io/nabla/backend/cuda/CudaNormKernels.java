package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.NormKernels;

/**
 * The softmax family and layer normalisation as generated CUDA C (one thread per row, see {@link ReduceSource}
 * and {@link LayerNormSource}), and batch normalisation (one block per channel with a deterministic tree sum, see
 * {@link BatchNormSource}).
 */
final class CudaNormKernels implements NormKernels {

    private final CudaContext ctx;

    CudaNormKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void softmax(boolean log, int dim, Operand in, Operand out, DType dtype) {
        ctx.requireDevice(in.memory(), "softmax input");
        ctx.requireDevice(out.memory(), "softmax output");
        int[] dims = {dim};
        Layout il = in.layout();
        Layout ol = out.layout();
        long m = il.shape()[dim];
        long n = m == 0 ? 0 : il.numel() / m;
        ctx.run("softmax" + log + dtype, () -> ReduceSource.softmax(log, dtype), n,
                new Launch().i64(n).i64(m).layout(ReduceSource.kept(il, dims)).layout(ReduceSource.reduced(il, dims))
                        .ptr(in.memory()).layout(ReduceSource.kept(ol, dims)).layout(ReduceSource.reduced(ol, dims))
                        .ptr(out.memory()));
    }

    @Override
    public void softmaxBackward(boolean log, int dim, Operand out, Operand gradOut, Operand gradIn, DType dtype) {
        ctx.requireDevice(out.memory(), "softmax output");
        ctx.requireDevice(gradOut.memory(), "softmax output gradient");
        ctx.requireDevice(gradIn.memory(), "softmax input gradient");
        int[] dims = {dim};
        Layout yl = out.layout();
        Layout gl = gradOut.layout();
        Layout xl = gradIn.layout();
        long m = yl.shape()[dim];
        long n = m == 0 ? 0 : yl.numel() / m;
        ctx.run("softmaxgrad" + log + dtype, () -> ReduceSource.softmaxBackward(log, dtype), n,
                new Launch().i64(n).i64(m).layout(ReduceSource.kept(yl, dims)).layout(ReduceSource.reduced(yl, dims))
                        .ptr(out.memory()).layout(ReduceSource.kept(gl, dims)).layout(ReduceSource.reduced(gl, dims))
                        .ptr(gradOut.memory()).layout(ReduceSource.kept(xl, dims))
                        .layout(ReduceSource.reduced(xl, dims)).ptr(gradIn.memory()));
    }

    /** The trailing {@code normalizedDims} dimensions of a rank-{@code rank} layout. */
    private static int[] trailing(int rank, int normalizedDims) {
        int[] dims = new int[normalizedDims];
        for (int i = 0; i < normalizedDims; i++) {
            dims[i] = rank - normalizedDims + i;
        }
        return dims;
    }

    private static int[] leading(int rank, int normalizedDims) {
        int[] dims = new int[rank - normalizedDims];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i;
        }
        return dims;
    }

    /** A weight of the normalised shape broadcast over the leading dims of {@code shape}; {@code x} when absent. */
    private static Layout affine(Operand w, Layout x) {
        if (w == null) {
            return x;
        }
        int[] shape = x.shape();
        int lead = shape.length - w.layout().rank();
        int[] strides = new int[shape.length];
        System.arraycopy(w.layout().strides(), 0, strides, lead, w.layout().rank());
        return new Layout(shape.clone(), strides, w.layout().offset());
    }

    private static Memory memoryOf(Operand o) {
        return o == null ? null : o.memory();
    }

    /** Appends the kept and reduced parts of {@code l} and its pointer. */
    private static Launch split(Launch a, Layout l, int[] dims, Memory m) {
        return a.layout(ReduceSource.kept(l, dims)).layout(ReduceSource.reduced(l, dims)).ptr(m);
    }

    @Override
    public void layerNorm(Operand in, int normalizedDims, Operand weight, Operand bias, double eps, Operand out,
                          Memory mean, Memory rstd, DType dtype, DType statsType) {
        ctx.requireDevice(in.memory(), "layer_norm input");
        ctx.requireDevice(memoryOf(weight), "layer_norm weight");
        ctx.requireDevice(memoryOf(bias), "layer_norm bias");
        ctx.requireDevice(out.memory(), "layer_norm output");
        ctx.requireDevice(mean, "layer_norm mean");
        ctx.requireDevice(rstd, "layer_norm rstd");
        Layout x = in.layout();
        int[] dims = trailing(x.rank(), normalizedDims);
        long m = 1;
        for (int d : dims) {
            m *= x.shape()[d];
        }
        long n = m == 0 ? 0 : x.numel() / m;
        Launch a = new Launch().i64(n).i64(m).f64(eps).i64(weight != null ? 1 : 0).i64(bias != null ? 1 : 0);
        split(a, x, dims, in.memory());
        split(a, affine(weight, x), dims, memoryOf(weight));
        split(a, affine(bias, x), dims, memoryOf(bias));
        split(a, out.layout(), dims, out.memory());
        ctx.run(LayerNormSource.forward(dtype, statsType), n, a.ptr(mean).ptr(rstd));
    }

    @Override
    public void layerNormBackward(Operand in, int normalizedDims, Operand weight, Memory mean, Memory rstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        ctx.requireDevice(in.memory(), "layer_norm input");
        ctx.requireDevice(memoryOf(weight), "layer_norm weight");
        ctx.requireDevice(gradOut.memory(), "layer_norm output gradient");
        ctx.requireDevice(memoryOf(gradIn), "layer_norm input gradient");
        ctx.requireDevice(memoryOf(gradWeight), "layer_norm weight gradient");
        ctx.requireDevice(memoryOf(gradBias), "layer_norm bias gradient");
        ctx.requireDevice(mean, "layer_norm mean");
        ctx.requireDevice(rstd, "layer_norm rstd");
        Layout x = in.layout();
        int[] rows = trailing(x.rank(), normalizedDims);
        long m = 1;
        for (int d : rows) {
            m *= x.shape()[d];
        }
        long n = m == 0 ? 0 : x.numel() / m;
        if (gradIn != null) {
            Launch a = new Launch().i64(n).i64(m).i64(weight != null ? 1 : 0);
            split(a, x, rows, in.memory());
            split(a, affine(weight, x), rows, memoryOf(weight));
            split(a, gradOut.layout(), rows, gradOut.memory());
            split(a, gradIn.layout(), rows, gradIn.memory());
            ctx.run(LayerNormSource.inputGrad(dtype, statsType), n, a.ptr(mean).ptr(rstd));
        }
        if (gradWeight != null || gradBias != null) {
            int[] cols = leading(x.rank(), normalizedDims);
            Launch a = new Launch().i64(m).i64(n).i64(gradWeight != null ? 1 : 0).i64(gradBias != null ? 1 : 0);
            split(a, x, cols, in.memory());
            split(a, gradOut.layout(), cols, gradOut.memory());
            a.ptr(mean).ptr(rstd);
            Layout normalized = Layout.contiguous(java.util.Arrays.copyOfRange(x.shape(), x.rank() - normalizedDims,
                    x.rank()));
            a.layout(gradWeight != null ? gradWeight.layout() : normalized).ptr(memoryOf(gradWeight));
            a.layout(gradBias != null ? gradBias.layout() : normalized).ptr(memoryOf(gradBias));
            ctx.run(LayerNormSource.affineGrad(dtype, statsType), m, a);
        }
    }

    /** Every dimension but the channels (dimension 1): what a channel's statistics reduce over. */
    private static int[] notChannels(int rank) {
        int[] dims = new int[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != 1) {
                dims[k++] = d;
            }
        }
        return dims;
    }

    /** A per-channel vector's layout, or a contiguous stand-in of {@code c} elements when absent. */
    private static Layout vector(Operand v, int c) {
        return v == null ? Layout.contiguous(new int[] {c}) : v.layout();
    }

    /** One block per channel: a launch over {@code c} blocks of {@link Launch#BLOCK} threads. */
    private static long blocks(int c) {
        return (long) c * Launch.BLOCK;
    }

    @Override
    public void batchNorm(Operand in, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                          boolean training, double momentum, double eps, Operand out, Memory saveMean,
                          Memory saveRstd, DType dtype, DType statsType) {
        ctx.requireDevice(in.memory(), "batch_norm input");
        ctx.requireDevice(memoryOf(weight), "batch_norm weight");
        ctx.requireDevice(memoryOf(bias), "batch_norm bias");
        ctx.requireDevice(memoryOf(runningMean), "batch_norm running mean");
        ctx.requireDevice(memoryOf(runningVar), "batch_norm running var");
        ctx.requireDevice(out.memory(), "batch_norm output");
        ctx.requireDevice(saveMean, "batch_norm saved mean");
        ctx.requireDevice(saveRstd, "batch_norm saved rstd");
        Layout x = in.layout();
        int c = x.shape()[1];
        long m = c == 0 ? 0 : x.numel() / c;
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: evaluation needs the running mean and variance");
        }
        int[] dims = notChannels(x.rank());
        Launch a = new Launch().i64(c).i64(m).f64(eps).f64(momentum).i64(training ? 1 : 0)
                .i64(weight != null ? 1 : 0).i64(bias != null ? 1 : 0).i64(runningMean != null ? 1 : 0)
                .i64(runningVar != null ? 1 : 0);
        split(a, x, dims, in.memory());
        a.layout(vector(weight, c)).ptr(memoryOf(weight)).layout(vector(bias, c)).ptr(memoryOf(bias));
        a.layout(vector(runningMean, c)).ptr(memoryOf(runningMean));
        a.layout(vector(runningVar, c)).ptr(memoryOf(runningVar));
        split(a, out.layout(), dims, out.memory());
        ctx.run("batchnorm_" + CudaC.tag(dtype) + "_" + CudaC.tag(statsType),
                () -> BatchNormSource.forward(dtype, statsType), blocks(c), a.ptr(saveMean).ptr(saveRstd));
    }

    @Override
    public void batchNormBackward(boolean training, Operand in, Operand weight, Memory saveMean, Memory saveRstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        ctx.requireDevice(in.memory(), "batch_norm input");
        ctx.requireDevice(memoryOf(weight), "batch_norm weight");
        ctx.requireDevice(gradOut.memory(), "batch_norm output gradient");
        ctx.requireDevice(memoryOf(gradIn), "batch_norm input gradient");
        ctx.requireDevice(memoryOf(gradWeight), "batch_norm weight gradient");
        ctx.requireDevice(memoryOf(gradBias), "batch_norm bias gradient");
        ctx.requireDevice(saveMean, "batch_norm saved mean");
        ctx.requireDevice(saveRstd, "batch_norm saved rstd");
        Layout x = in.layout();
        int c = x.shape()[1];
        long m = c == 0 ? 0 : x.numel() / c;
        int[] dims = notChannels(x.rank());
        String sig = CudaC.tag(dtype) + "_" + CudaC.tag(statsType);
        if (gradIn != null) {
            Launch a = new Launch().i64(c).i64(m).i64(training ? 0 : 1).i64(weight != null ? 1 : 0);
            split(a, x, dims, in.memory());
            a.layout(vector(weight, c)).ptr(memoryOf(weight));
            split(a, gradOut.layout(), dims, gradOut.memory());
            split(a, gradIn.layout(), dims, gradIn.memory());
            ctx.run("batchnormgrad_" + sig, () -> BatchNormSource.inputGrad(dtype, statsType), blocks(c),
                    a.ptr(saveMean).ptr(saveRstd));
        }
        if (gradWeight != null || gradBias != null) {
            Launch a = new Launch().i64(c).i64(m).i64(gradWeight != null ? 1 : 0).i64(gradBias != null ? 1 : 0);
            split(a, x, dims, in.memory());
            split(a, gradOut.layout(), dims, gradOut.memory());
            a.ptr(saveMean).ptr(saveRstd);
            a.layout(vector(gradWeight, c)).ptr(memoryOf(gradWeight)).layout(vector(gradBias, c))
                    .ptr(memoryOf(gradBias));
            ctx.run("batchnormaffine_" + sig, () -> BatchNormSource.affineGrad(dtype, statsType), blocks(c), a);
        }
    }
}

package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.NormKernels;

/**
 * The softmax family as generated CUDA C (one thread per row, see {@link ReduceSource}). Layer and batch
 * normalisation are not built yet and throw {@link UnsupportedOperationException} naming the kernel.
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

    @Override
    public void layerNorm(Operand in, int normalizedDims, Operand weight, Operand bias, double eps, Operand out,
                          Memory mean, Memory rstd, DType dtype, DType statsType) {
        throw NotOnCuda.missing("norm.layerNorm");
    }

    @Override
    public void layerNormBackward(Operand in, int normalizedDims, Operand weight, Memory mean, Memory rstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        throw NotOnCuda.missing("norm.layerNormBackward");
    }

    @Override
    public void batchNorm(Operand in, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                          boolean training, double momentum, double eps, Operand out, Memory saveMean,
                          Memory saveRstd, DType dtype, DType statsType) {
        throw NotOnCuda.missing("norm.batchNorm");
    }

    @Override
    public void batchNormBackward(boolean training, Operand in, Operand weight, Memory saveMean, Memory saveRstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        throw NotOnCuda.missing("norm.batchNormBackward");
    }
}

package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.LossKernels;
import io.nabla.backend.Memory;
import io.nabla.backend.PointwiseLoss;
import io.nabla.backend.reference.ReferenceLossKernels;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;

/**
 * Pointwise, class-index and class-probability losses as generated CUDA C (see {@link LossSource}), class losses
 * one thread per row. Class targets are checked on the device before anything is written, and a bad one is reported
 * with the reference kernel's message.
 */
final class CudaLossKernels implements LossKernels {

    private final CudaContext ctx;
    private final CudaAllocator allocator;

    CudaLossKernels(CudaContext ctx, CudaAllocator allocator) {
        this.ctx = ctx;
        this.allocator = allocator;
    }

    private static Layout layoutOr(Operand o, Layout fallback) {
        return o == null ? fallback : o.layout();
    }

    private static Memory memory(Operand o) {
        return o == null ? null : o.memory();
    }

    @Override
    public void pointwise(PointwiseLoss loss, double beta, Operand input, Operand target, Operand weight,
                          Operand posWeight, DType dtype, boolean reduce, double scale, Operand out) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(memory(weight), "loss weight");
        ctx.requireDevice(memory(posWeight), "loss pos_weight");
        ctx.requireDevice(out.memory(), "loss output");
        Layout x = input.layout();
        long n = x.numel();
        boolean w = weight != null;
        boolean pw = posWeight != null;
        Kernel k = LossSource.pointwise(loss, dtype, w, pw, reduce);
        int partials = LossSource.PARTIALS;
        try (Memory partial = reduce ? allocator.allocate(8L * partials, false) : null) {
            ctx.run(k, reduce ? partials : n, new Launch().i64(n).f64(beta).f64(scale).layout(x).ptr(input.memory())
                    .layout(target.layout()).ptr(target.memory()).layout(layoutOr(weight, x)).ptr(memory(weight))
                    .layout(layoutOr(posWeight, x)).ptr(memory(posWeight)).layout(reduce ? x : out.layout())
                    .ptr(reduce ? null : out.memory()).ptr(partial));
            if (reduce) {
                ctx.run(LossSource.finish(dtype), 1, new Launch().i64(partials).f64(scale).i64(0).ptr(partial)
                        .ptr(partial).layout(out.layout()).ptr(out.memory()));
            }
        }
    }

    @Override
    public void pointwiseBackward(PointwiseLoss loss, double beta, Operand gradOut, Operand input, Operand target,
                                  Operand weight, Operand posWeight, DType dtype, double scale, Operand gradInput,
                                  Operand gradTarget) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(gradOut.memory(), "loss gradient");
        ctx.requireDevice(memory(weight), "loss weight");
        ctx.requireDevice(memory(posWeight), "loss pos_weight");
        ctx.requireDevice(memory(gradInput), "loss input gradient");
        ctx.requireDevice(memory(gradTarget), "loss target gradient");
        Layout x = input.layout();
        boolean gi = gradInput != null;
        boolean gt = gradTarget != null;
        if (!gi && !gt) {
            return;
        }
        Kernel k = LossSource.pointwiseBackward(loss, dtype, weight != null, posWeight != null, gi, gt);
        ctx.run(k, x.numel(), new Launch().i64(x.numel()).f64(beta).f64(scale).layout(gradOut.layout())
                .ptr(gradOut.memory()).layout(x).ptr(input.memory()).layout(target.layout()).ptr(target.memory())
                .layout(layoutOr(weight, x)).ptr(memory(weight)).layout(layoutOr(posWeight, x)).ptr(memory(posWeight))
                .layout(layoutOr(gradInput, x)).ptr(memory(gradInput)).layout(layoutOr(gradTarget, x))
                .ptr(memory(gradTarget)));
    }

    /** The input seen as rows (dimension 1, the classes, removed). */
    private static Layout rows(Layout l) {
        int rank = l.rank();
        int[] shape = new int[rank - 1];
        int[] strides = new int[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != 1) {
                shape[k] = l.shape()[d];
                strides[k++] = l.strides()[d];
            }
        }
        return new Layout(shape, strides, l.offset());
    }

    /**
     * The deferred-check words for the class targets of a forward row kernel: an out-of-range target is reported at
     * this thread's next synchronisation (a loss read with item(), any copy to the host) with the reference backend's
     * message; the row kernels treat it as a NaN row meanwhile. Waiting for the answer here would stall the host on
     * every training step until the forward pass had run.
     */
    private long targetCheck() {
        return ctx.streams.deferredCheckWords(w -> {
            try {
                ReferenceLossKernels.checkClass(w[1], (int) w[2], w[3]);
                return new IllegalArgumentException("target " + w[1] + " failed the device check");
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
    }

    /** Runs the row kernel into {@code rowLoss}/{@code rowW} (and {@code out} for NONE). */
    private void rowLosses(boolean logSoftmax, Operand input, Operand target, Operand weight, DType dtype,
                           long ignoreIndex, double eps, Operand out, Memory rowLoss, Memory rowW, long check) {
        Layout rows = rows(input.layout());
        int classes = input.layout().shape()[1];
        long n = rows.numel();
        ctx.run(LossSource.classIndex(dtype), n, new Launch().i64(n).i64(classes).i64(input.layout().strides()[1])
                .i64(ignoreIndex).f64(eps).i64(logSoftmax ? 1 : 0).i64(weight != null ? 1 : 0).i64(out != null ? 1 : 0)
                .layout(rows).ptr(input.memory()).layout(target.layout()).ptr(target.memory())
                .layout(layoutOr(weight, rows)).ptr(memory(weight)).layout(out == null ? rows : out.layout())
                .ptr(out == null ? null : out.memory()).ptr(rowLoss).ptr(rowW).ptr(check));
    }

    @Override
    public void classIndex(boolean logSoftmax, Operand input, Operand target, Operand weight, DType dtype,
                           long ignoreIndex, double labelSmoothing, Reduction reduction, Operand out) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(memory(weight), "loss weight");
        ctx.requireDevice(out.memory(), "loss output");
        int classes = input.layout().shape()[1];
        long n = rows(input.layout()).numel();
        try (Memory rowLoss = allocator.allocate(8 * Math.max(n, 1), false);
             Memory rowW = allocator.allocate(8 * Math.max(n, 1), false)) {
            boolean none = reduction == Reduction.NONE;
            rowLosses(logSoftmax, input, target, weight, dtype, ignoreIndex, labelSmoothing, none ? out : null,
                    rowLoss, rowW, targetCheck());
            if (!none) {
                ctx.run(LossSource.finish(dtype), 1, new Launch().i64(n).f64(1.0)
                        .i64(reduction == Reduction.MEAN ? 1 : 0).ptr(rowLoss).ptr(rowW).layout(out.layout())
                        .ptr(out.memory()));
            }
        }
    }

    @Override
    public void classIndexBackward(boolean logSoftmax, Operand gradOut, Operand input, Operand target,
                                   Operand weight, DType dtype, long ignoreIndex, double labelSmoothing,
                                   Reduction reduction, Operand gradInput) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(gradInput.memory(), "loss input gradient");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(gradOut.memory(), "loss gradient");
        ctx.requireDevice(memory(weight), "loss weight");
        Layout rows = rows(input.layout());
        int classes = input.layout().shape()[1];
        long n = rows.numel();
        boolean mean = reduction == Reduction.MEAN;
        // the targets were checked by the forward pass (its deferred check); the kernels guard bad ones anyway
        try (Memory div = allocator.allocate(8, false)) {
            if (mean) {
                ctx.run(LossSource.meanDivisor(dtype), 1, new Launch().i64(n).i64(classes).i64(ignoreIndex)
                        .i64(weight != null ? 1 : 0).layout(target.layout()).ptr(target.memory())
                        .layout(layoutOr(weight, rows)).ptr(memory(weight)).ptr(div));
            }
            ctx.run(LossSource.classIndexBackward(dtype), n, new Launch().i64(n).i64(classes)
                    .i64(input.layout().strides()[1]).i64(ignoreIndex).f64(labelSmoothing).i64(logSoftmax ? 1 : 0)
                    .i64(weight != null ? 1 : 0).i64(gradInput.layout().strides()[1]).i64(mean ? 1 : 0).layout(rows)
                    .ptr(input.memory()).layout(target.layout()).ptr(target.memory()).layout(gradOut.layout())
                    .ptr(gradOut.memory()).layout(rows(gradInput.layout())).ptr(gradInput.memory())
                    .layout(layoutOr(weight, rows)).ptr(memory(weight)).ptr(div));
        }
    }

    @Override
    public void classProbability(Operand input, Operand target, Operand weight, DType dtype, double labelSmoothing,
                                 Reduction reduction, Operand out) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(memory(weight), "loss weight");
        ctx.requireDevice(out.memory(), "loss output");
        Layout rows = rows(input.layout());
        int classes = input.layout().shape()[1];
        long n = rows.numel();
        boolean none = reduction == Reduction.NONE;
        try (Memory rowLoss = allocator.allocate(8 * Math.max(n, 1), false);
             Memory rowW = allocator.allocate(8 * Math.max(n, 1), false)) {
            ctx.run(LossSource.classProbability(dtype), n, new Launch().i64(n).i64(classes)
                    .i64(input.layout().strides()[1]).i64(target.layout().strides()[1]).f64(labelSmoothing)
                    .i64(weight != null ? 1 : 0).i64(none ? 1 : 0).layout(rows).ptr(input.memory())
                    .layout(rows(target.layout())).ptr(target.memory()).layout(layoutOr(weight, rows))
                    .ptr(memory(weight)).layout(none ? out.layout() : rows).ptr(none ? out.memory() : null)
                    .ptr(rowLoss).ptr(rowW));
            if (!none) {
                ctx.run(LossSource.finish(dtype), 1, new Launch().i64(n).f64(1.0)
                        .i64(reduction == Reduction.MEAN ? 1 : 0).ptr(rowLoss).ptr(rowW).layout(out.layout())
                        .ptr(out.memory()));
            }
        }
    }

    @Override
    public void classProbabilityBackward(Operand gradOut, Operand input, Operand target, Operand weight,
                                         DType dtype, double labelSmoothing, Reduction reduction, Operand gradInput,
                                         Operand gradTarget) {
        ctx.requireDevice(input.memory(), "loss input");
        ctx.requireDevice(target.memory(), "loss target");
        ctx.requireDevice(gradOut.memory(), "loss gradient");
        ctx.requireDevice(memory(weight), "loss weight");
        ctx.requireDevice(memory(gradInput), "loss input gradient");
        ctx.requireDevice(memory(gradTarget), "loss target gradient");
        if (gradInput == null && gradTarget == null) {
            return;
        }
        Layout rows = rows(input.layout());
        int classes = input.layout().shape()[1];
        long n = rows.numel();
        ctx.run(LossSource.classProbabilityBackward(dtype), n, new Launch().i64(n).i64(classes)
                .i64(input.layout().strides()[1]).i64(target.layout().strides()[1])
                .i64(gradInput == null ? 0 : gradInput.layout().strides()[1])
                .i64(gradTarget == null ? 0 : gradTarget.layout().strides()[1]).f64(labelSmoothing)
                .i64(weight != null ? 1 : 0).f64(reduction == Reduction.MEAN ? n : 1)
                .i64(gradInput != null ? 1 : 0).i64(gradTarget != null ? 1 : 0).layout(rows).ptr(input.memory())
                .layout(rows(target.layout())).ptr(target.memory()).layout(gradOut.layout()).ptr(gradOut.memory())
                .layout(gradInput == null ? rows : rows(gradInput.layout())).ptr(memory(gradInput))
                .layout(gradTarget == null ? rows : rows(gradTarget.layout())).ptr(memory(gradTarget))
                .layout(layoutOr(weight, rows)).ptr(memory(weight)));
    }
}

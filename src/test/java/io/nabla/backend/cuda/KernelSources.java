package io.nabla.backend.cuda;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.PointwiseLoss;
import io.nabla.backend.ReduceOp;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every kernel the CUDA backend can generate, grouped by family: each op and dtype combination the kernels accept,
 * in the all-contiguous and the all-strided form (contiguity only changes the offset expressions).
 */
final class KernelSources {

    private KernelSources() {
    }

    static Map<String, List<Kernel>> byFamily() {
        Map<String, List<Kernel>> out = new LinkedHashMap<>();
        out.put("elementwise", elementwise());
        out.put("reduce", reduce());
        out.put("optimizer", optimizer());
        out.put("loss", loss());
        out.put("index", index());
        out.put("conv", conv());
        out.put("gemm", gemm());
        return out;
    }

    private static List<DType> floats() {
        return List.of(DType.FP16, DType.BF16, DType.FP32, DType.FP64);
    }

    static List<Kernel> elementwise() {
        List<Kernel> k = new ArrayList<>();
        for (boolean c : new boolean[] {true, false}) {
            for (DType t : DType.values()) {
                k.add(ElementwiseSource.fill(t, c));
                k.add(ElementwiseSource.where(t, c, c, c, c));
                for (DType to : DType.values()) {
                    k.add(ElementwiseSource.copy(t, to, c, c));
                }
                for (UnaryOp op : UnaryOp.values()) {
                    if (t.isFloatingPoint() || ElementwiseSource.hasIntegerForm(op)) {
                        k.add(ElementwiseSource.unary(op, t, c, c));
                    }
                    if (t.isFloatingPoint()) {
                        k.add(ElementwiseSource.unaryBackward(op, t, c, c, c));
                    }
                }
                for (BinaryOp op : BinaryOp.values()) {
                    if (op == BinaryOp.DIV && !t.isFloatingPoint()) {
                        continue;
                    }
                    k.add(ElementwiseSource.binary(op, t, op.isComparison() ? DType.BOOL : t, c, c, c));
                }
                if (t != DType.BOOL) {
                    for (TernaryOp op : TernaryOp.values()) {
                        k.add(ElementwiseSource.ternary(op, t, t, c, c, c, c));
                    }
                }
            }
        }
        return k;
    }

    static List<Kernel> reduce() {
        List<Kernel> k = new ArrayList<>();
        for (DType t : DType.values()) {
            for (ReduceOp op : ReduceOp.values()) {
                DType out = switch (op) {
                    case ARGMAX, ARGMIN -> DType.INT64;
                    case SUM, PROD -> t.isFloatingPoint() ? t : DType.INT64;
                    case AMAX, AMIN -> t;
                    default -> t.floatingOrDefault();
                };
                k.add(ReduceSource.reduce(op, t, out));
                if (t.isFloatingPoint()) {
                    k.add(ReduceSource.reduceBackward(op, t));
                }
            }
        }
        for (DType t : floats()) {
            DType stats = t == DType.FP64 ? DType.FP64 : DType.FP32;
            k.add(LayerNormSource.forward(t, stats));
            k.add(LayerNormSource.inputGrad(t, stats));
            k.add(LayerNormSource.affineGrad(t, stats));
            k.add(BatchNormSource.forward(t, stats));
            k.add(BatchNormSource.inputGrad(t, stats));
            k.add(BatchNormSource.affineGrad(t, stats));
            for (boolean log : new boolean[] {false, true}) {
                k.add(ReduceSource.softmax(log, t));
                k.add(ReduceSource.softmaxBackward(log, t));
            }
        }
        return k;
    }

    static List<Kernel> loss() {
        List<Kernel> k = new ArrayList<>();
        boolean[] tf = {false, true};
        for (DType t : floats()) {
            for (PointwiseLoss loss : PointwiseLoss.values()) {
                for (boolean w : tf) {
                    for (boolean pw : tf) {
                        k.add(LossSource.pointwise(loss, t, w, pw, false));
                        k.add(LossSource.pointwise(loss, t, w, pw, true));
                        k.add(LossSource.pointwiseBackward(loss, t, w, pw, true, true));
                        k.add(LossSource.pointwiseBackward(loss, t, w, pw, true, false));
                        k.add(LossSource.pointwiseBackward(loss, t, w, pw, false, true));
                    }
                }
            }
            k.add(LossSource.finish(t));
            k.add(LossSource.classIndex(t));
            k.add(LossSource.classIndexBackward(t));
            k.add(LossSource.meanDivisor(t));
            k.add(LossSource.classProbability(t));
            k.add(LossSource.classProbabilityBackward(t));
        }
        return k;
    }

    static List<Kernel> index() {
        List<Kernel> k = new ArrayList<>();
        for (DType it : List.of(DType.INT64, DType.INT32)) {
            k.add(IndexSource.check(it));
        }
        for (DType t : DType.values()) {
            k.add(IndexSource.maskedFill(t));
            for (DType it : List.of(DType.INT64, DType.INT32)) {
                k.add(IndexSource.gather(t, it));
                k.add(IndexSource.indexSelect(t, it));
                if (t != DType.BOOL) {
                    k.add(IndexSource.indexAdd(t, it));
                    k.add(IndexSource.scatterAdd(t, it));
                }
            }
            DType out = t.isFloatingPoint() ? t : DType.INT64;
            k.add(IndexSource.cumsum(t, out));
        }
        return k;
    }

    /** Pooling takes every dtype; im2col/col2im and the backward kernels are generated for every dtype too. */
    static List<Kernel> conv() {
        List<Kernel> k = new ArrayList<>();
        for (DType t : DType.values()) {
            k.add(ConvSource.im2col(t));
            k.add(ConvSource.col2im(t));
            k.add(ConvSource.maxPool(t));
            k.add(ConvSource.maxPoolBackward(t));
            k.add(ConvSource.avgPool(t));
            k.add(ConvSource.avgPoolBackward(t));
            k.add(ConvSource.adaptiveAvgPool(t));
            k.add(ConvSource.adaptiveAvgPoolBackward(t));
        }
        return k;
    }

    /** The generic product: every dtype gemm accepts (all but bool). */
    static List<Kernel> gemm() {
        List<Kernel> k = new ArrayList<>();
        for (DType t : DType.values()) {
            if (t != DType.BOOL) {
                k.add(GemmSource.gemm(t));
            }
        }
        return k;
    }

    static List<Kernel> optimizer() {
        List<Kernel> k = new ArrayList<>();
        for (DType t : floats()) {
            for (boolean c : new boolean[] {true, false}) {
                k.add(OptimizerSource.sgd(t, c));
                k.add(OptimizerSource.adam(t, c, false));
                k.add(OptimizerSource.adam(t, c, true));
                k.add(OptimizerSource.sumAbsPow(t, c));
                k.add(OptimizerSource.scale(t, c));
            }
        }
        return k;
    }
}

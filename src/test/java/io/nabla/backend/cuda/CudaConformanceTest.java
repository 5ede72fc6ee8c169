package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.LinalgOps;
import io.nabla.autograd.LossOps;
import io.nabla.autograd.NormOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The reference-vs-CUDA matrix: each op runs on the scalar reference backend (host tensors) and on cuda:0 with the
 * same inputs, over dtypes x layouts (contiguous, transposed, broadcast); results must agree within the dtype's
 * tolerance. Every failure names op, dtype and layout.
 */
@RequiresCuda
class CudaConformanceTest {

    private static final List<DType> FLOATS = List.of(DType.FP32, DType.FP64, DType.FP16, DType.BF16);
    private static final List<DType> ALL = List.of(DType.FP32, DType.FP64, DType.FP16, DType.BF16, DType.INT64,
            DType.INT32, DType.INT16, DType.INT8, DType.UINT8);

    /** An op of two operands (unary ops ignore the second). */
    private record Op(String name, boolean floatsOnly, Function<Tensor[], Tensor> f) {
    }

    private static List<Op> ops() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("add", false, t -> ElementwiseOps.add(t[0], t[1])));
        ops.add(new Op("sub", false, t -> ElementwiseOps.sub(t[0], t[1])));
        ops.add(new Op("mul", false, t -> ElementwiseOps.mul(t[0], t[1])));
        ops.add(new Op("div", false, t -> ElementwiseOps.div(t[0], t[1])));
        ops.add(new Op("maximum", false, t -> ElementwiseOps.maximum(t[0], t[1])));
        ops.add(new Op("lt", false, t -> ElementwiseOps.lt(t[0], t[1])));
        ops.add(new Op("where", false, t -> ElementwiseOps.where(ElementwiseOps.gt(t[0], t[1]), t[0], t[1])));
        ops.add(new Op("neg", false, t -> ElementwiseOps.neg(t[0])));
        ops.add(new Op("abs", false, t -> ElementwiseOps.abs(t[0])));
        ops.add(new Op("square", false, t -> ElementwiseOps.square(t[0])));
        ops.add(new Op("clamp", false, t -> ElementwiseOps.clamp(t[0], -1.0, 2.0)));
        ops.add(new Op("exp", true, t -> ElementwiseOps.exp(t[0])));
        ops.add(new Op("log_abs", true, t -> ElementwiseOps.log(ElementwiseOps.abs(t[0]))));
        ops.add(new Op("sin", true, t -> ElementwiseOps.sin(t[0])));
        ops.add(new Op("tanh", true, t -> ActivationOps.tanh(t[0])));
        ops.add(new Op("sigmoid", true, t -> ActivationOps.sigmoid(t[0])));
        ops.add(new Op("relu", true, t -> ActivationOps.relu(t[0])));
        ops.add(new Op("gelu", true, t -> ActivationOps.gelu(t[0])));
        ops.add(new Op("silu", true, t -> ActivationOps.silu(t[0])));
        ops.add(new Op("softplus", true, t -> ActivationOps.softplus(t[0])));
        ops.add(new Op("elu", true, t -> ActivationOps.elu(t[0])));
        ops.add(new Op("sum_dim1", false, t -> ReduceOps.sum(t[0], new int[] {1}, false)));
        ops.add(new Op("sum_all", false, t -> ReduceOps.sum(t[0])));
        ops.add(new Op("mean_dim0", true, t -> ReduceOps.mean(t[0], new int[] {0}, true)));
        ops.add(new Op("amax_dim1", false, t -> ReduceOps.amax(t[0], new int[] {1}, false)));
        ops.add(new Op("var_dim1", true, t -> ReduceOps.var(t[0], new int[] {1}, true, false)));
        ops.add(new Op("softmax", true, t -> NormOps.softmax(t[0], 1)));
        ops.add(new Op("log_softmax", true, t -> NormOps.logSoftmax(t[0], 0)));
        ops.add(new Op("layer_norm", true, t -> NormOps.layerNorm(t[0], new int[] {7}, null, null, 1e-5)));
        ops.add(new Op("matmul", true, t -> LinalgOps.matmul(t[0], ShapeOps.transpose(t[1], 0, 1))));
        ops.add(new Op("matmul_all_dtypes", false, t -> LinalgOps.matmul(ShapeOps.transpose(t[0], 0, 1), t[1])));
        ops.add(new Op("mse_loss", true, t -> LossOps.mseLoss(t[0], t[1])));
        ops.add(new Op("masked_fill", false, t -> io.nabla.autograd.IndexOps.maskedFill(t[0],
                ElementwiseOps.gt(t[0], t[1]), 3)));
        ops.add(new Op("gather", false, t -> io.nabla.autograd.IndexOps.gather(t[0], 1,
                Tensor.of(new double[] {6, 0, 3, 1, 2, 5, 4, 0, 1, 2}, DType.INT64, 5, 2).toDevice(t[0].device()))));
        ops.add(new Op("index_add", false, t -> io.nabla.autograd.IndexOps.indexAdd(t[0], 0,
                Tensor.of(new double[] {4, 0, 4}, DType.INT64, 3).toDevice(t[0].device()),
                ShapeOps.narrow(t[1], 0, 0, 3))));
        ops.add(new Op("scatter_add", false, t -> io.nabla.autograd.IndexOps.scatterAdd(t[0], 1,
                Tensor.of(new double[] {6, 0, 3, 3, 2, 5, 4, 0, 1, 1}, DType.INT64, 5, 2).toDevice(t[0].device()),
                ShapeOps.narrow(t[1], 1, 0, 2))));
        ops.add(new Op("cumsum", false, t -> io.nabla.autograd.OrderOps.cumsum(t[0], 1)));
        ops.add(new Op("flip", false, t -> io.nabla.autograd.OrderOps.flip(t[0], 0, 1)));
        ops.add(new Op("cat", false, t -> io.nabla.autograd.JoinOps.cat(List.of(t[0], t[1]), 0)));
        ops.add(new Op("index_select", false, t -> io.nabla.autograd.IndexOps.indexSelect(t[0], 0,
                Tensor.of(new double[] {4, 0, 0, 2}, DType.INT64, 4).toDevice(t[0].device()))));
        convOps(ops);
        return ops;
    }

    /** A (5, 7) operand as the image (1, 1, 5, 7): a view, so transposed and broadcast strides reach the kernels. */
    private static Tensor image(Tensor t) {
        return ShapeOps.unsqueeze(ShapeOps.unsqueeze(t, 0), 0);
    }

    /** A (5, 7) operand as (1, 5, 1, 7): five channels of one row each (a view). */
    private static Tensor channels(Tensor t) {
        return ShapeOps.unsqueeze(ShapeOps.unsqueeze(t, 0), 2);
    }

    /** The gradient of sum(f(x)^2) with respect to x (a leaf copy of {@code x}): exercises the backward kernels. */
    private static Tensor gradOf(Tensor x, Function<Tensor, Tensor> f) {
        Tensor leaf = x.dataCopy().requiresGrad(true);
        Tensor y = f.apply(leaf);
        io.nabla.autograd.Autograd.backward(ReduceOps.sum(ElementwiseOps.mul(y, y)));
        return leaf.grad();
    }

    /** Convolution, pooling and batch normalisation, forward and backward (floating dtypes only). */
    private static void convOps(List<Op> ops) {
        Function<Tensor, Tensor> maxPool = x -> ConvOps.maxPool2d(x, new int[] {3, 2}, new int[] {2, 1},
                new int[] {1, 1});
        Function<Tensor, Tensor> avgPool = x -> ConvOps.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2},
                new int[] {1, 1}, false);
        Function<Tensor, Tensor> avgPoolPad = x -> ConvOps.avgPool2d(x, new int[] {2, 3}, new int[] {1, 2},
                new int[] {1, 1}, true);
        Function<Tensor, Tensor> adaptive = x -> ConvOps.adaptiveAvgPool2d(x, new int[] {3, 4});
        Function<Tensor, Tensor> maxPoolCeil = x -> ConvOps.maxPool2d(x, new int[] {3, 2}, new int[] {2, 2},
                new int[] {1, 0}, new int[] {2, 1}, true);
        Function<Tensor, Tensor> avgPoolCeil = x -> ConvOps.avgPool2d(x, new int[] {2, 3}, new int[] {2, 2},
                new int[] {0, 1}, false, true);
        ops.add(new Op("max_pool2d", true, t -> maxPool.apply(image(t[0]))));
        ops.add(new Op("max_pool2d_indices", true, t -> ConvOps.maxPool2dWithIndices(channels(t[0]),
                new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 1})[1]));
        ops.add(new Op("max_pool2d_grad", true, t -> gradOf(image(t[0]), maxPool)));
        ops.add(new Op("avg_pool2d", true, t -> avgPool.apply(image(t[0]))));
        ops.add(new Op("avg_pool2d_grad", true, t -> gradOf(image(t[0]), avgPool)));
        ops.add(new Op("avg_pool2d_include_pad", true, t -> avgPoolPad.apply(image(t[0]))));
        ops.add(new Op("avg_pool2d_include_pad_grad", true, t -> gradOf(image(t[0]), avgPoolPad)));
        ops.add(new Op("max_pool2d_ceil_dilation", true, t -> maxPoolCeil.apply(image(t[0]))));
        ops.add(new Op("max_pool2d_ceil_dilation_grad", true, t -> gradOf(image(t[0]), maxPoolCeil)));
        ops.add(new Op("avg_pool2d_ceil", true, t -> avgPoolCeil.apply(image(t[0]))));
        ops.add(new Op("avg_pool2d_ceil_grad", true, t -> gradOf(image(t[0]), avgPoolCeil)));
        ops.add(new Op("adaptive_avg_pool2d", true, t -> adaptive.apply(image(t[0]))));
        ops.add(new Op("adaptive_avg_pool2d_grad", true, t -> gradOf(image(t[0]), adaptive)));
        Function<Tensor[], Tensor> weight = t -> image(ShapeOps.narrow(ShapeOps.narrow(t[1], 0, 0, 3), 1, 0, 3));
        ops.add(new Op("conv2d", true, t -> ConvOps.conv2d(image(t[0]), weight.apply(t), null, new int[] {1, 2},
                new int[] {1, 1}, new int[] {1, 1}, 1)));
        ops.add(new Op("conv2d_dilated_grad", true, t -> gradOf(image(t[0]), x -> ConvOps.conv2d(x,
                weight.apply(t), null, new int[] {1, 1}, new int[] {2, 1}, new int[] {2, 1}, 1))));
        Function<Tensor[], Tensor> w = t -> ShapeOps.select(t[1], 0, 0); // (7), strided when t[1] is transposed
        Function<Tensor[], Tensor> b = t -> ShapeOps.select(t[1], 0, 1);
        ops.add(new Op("batch_norm_train", true, t -> NormOps.batchNorm(t[0], null, null, w.apply(t), b.apply(t),
                true, 0.1, 1e-5)));
        ops.add(new Op("batch_norm_train_4d", true, t -> NormOps.batchNorm(channels(t[0]), null, null, null, null,
                true, 0.1, 1e-5)));
        ops.add(new Op("batch_norm_running_var", true, t -> {
            Tensor rm = ElementwiseOps.mul(ShapeOps.select(t[1], 0, 2), 1.0);
            Tensor rv = ElementwiseOps.abs(ShapeOps.select(t[1], 0, 3));
            NormOps.batchNorm(t[0], rm, rv, null, null, true, 0.1, 1e-5);
            return ElementwiseOps.add(rv, rm);
        }));
        ops.add(new Op("batch_norm_eval", true, t -> NormOps.batchNorm(t[0], ShapeOps.select(t[1], 0, 2),
                ElementwiseOps.abs(ShapeOps.select(t[1], 0, 3)), w.apply(t), b.apply(t), false, 0.1, 1e-5)));
        ops.add(new Op("batch_norm_grad_input", true, t -> gradOf(t[0], x -> NormOps.batchNorm(x, null, null,
                w.apply(t), b.apply(t), true, 0.1, 1e-5))));
        ops.add(new Op("batch_norm_eval_grad_input", true, t -> gradOf(t[0], x -> NormOps.batchNorm(x,
                ShapeOps.select(t[1], 0, 2), ElementwiseOps.abs(ShapeOps.select(t[1], 0, 3)), w.apply(t), b.apply(t),
                false, 0.1, 1e-5))));
        ops.add(new Op("batch_norm_grad_weight", true, t -> gradOf(w.apply(t), ww -> NormOps.batchNorm(t[0], null,
                null, ww, b.apply(t), true, 0.1, 1e-5))));
        ops.add(new Op("batch_norm_grad_bias", true, t -> gradOf(b.apply(t), bb -> NormOps.batchNorm(t[0], null,
                null, w.apply(t), bb, true, 0.1, 1e-5))));
    }

    /** Inputs of one layout on the host: a (5, 7) pair, contiguous, transposed views or broadcast rows. */
    private static Tensor[] inputs(String layout, DType dtype, Random rnd) {
        switch (layout) {
            case "contiguous":
                return new Tensor[] {random(rnd, dtype, 5, 7), random(rnd, dtype, 5, 7)};
            case "transposed":
                return new Tensor[] {ShapeOps.transpose(random(rnd, dtype, 7, 5), 0, 1),
                    ShapeOps.transpose(random(rnd, dtype, 7, 5), 0, 1)};
            default:
                return new Tensor[] {random(rnd, dtype, 5, 7), ShapeOps.expand(random(rnd, dtype, 1, 7), 5, 7)};
        }
    }

    private static Tensor random(Random rnd, DType dtype, int... shape) {
        int n = shape[0] * shape[1];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = dtype.isFloatingPoint() ? rnd.nextGaussian() * 2 : rnd.nextInt(19) - 9 + (dtype == DType.UINT8 ? 9 : 0);
            if (!dtype.isFloatingPoint() && v[i] == 0) {
                v[i] = 1; // keeps true division finite
            }
        }
        return Tensor.of(v, dtype, shape);
    }

    @TestFactory
    Stream<DynamicTest> referenceAndCudaAgree() {
        Device cuda = CudaTestBackend.device();
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : ops()) {
            for (DType dtype : op.floatsOnly() ? FLOATS : ALL) {
                for (String layout : List.of("contiguous", "transposed", "broadcast")) {
                    String what = op.name() + " " + dtype.torchName() + " " + layout;
                    tests.add(DynamicTest.dynamicTest(what, () -> compare(op, dtype, layout, cuda, what)));
                }
            }
        }
        return tests.stream();
    }

    private static void compare(Op op, DType dtype, String layout, Device cuda, String what) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] host = inputs(layout, dtype, new Random(what.hashCode()));
            Tensor expected;
            try (var s = Backends.use(Backends.reference())) {
                expected = op.f().apply(host);
            }
            Tensor[] dev = new Tensor[host.length];
            for (int i = 0; i < host.length; i++) {
                dev[i] = layout.equals("transposed") ? ShapeOps.transpose(
                        ShapeOps.transpose(host[i], 0, 1).dataCopy().toDevice(cuda), 0, 1)
                        : layout.equals("broadcast") && i == 1
                        ? ShapeOps.expand(ShapeOps.narrow(host[i], 0, 0, 1).dataCopy().toDevice(cuda), 5, 7)
                        : host[i].toDevice(cuda);
            }
            Tensor actual = op.f().apply(dev);
            assertThat(actual.device()).as(what).isEqualTo(cuda);
            assertThat(actual.shape()).as(what).containsExactly(expected.shape());
            assertThat(actual.dtype()).as(what).isEqualTo(expected.dtype());
            double[] e = expected.toDoubleArray();
            double[] a = actual.toDoubleArray();
            double tol = switch (expected.dtype()) {
                case FP16 -> 2e-3;
                case BF16 -> 1.6e-2;
                case FP32 -> 1e-5;
                default -> 1e-12;
            };
            for (int i = 0; i < e.length; i++) {
                boolean same = Double.compare(e[i], a[i]) == 0 || Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i]));
                if (!same) {
                    fail(what + ": element " + i + " is " + a[i] + " on cuda, " + e[i] + " on the reference");
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> trainingStepMatchesTheCpu() {
        Map<String, Function<Tensor, Tensor>> losses = new LinkedHashMap<>();
        losses.put("cross_entropy", logits -> LossOps.crossEntropy(logits, Tensor.of(new double[] {1, 0, 3, 2, 1},
                DType.INT64, 5).toDevice(logits.device())));
        losses.put("mse", logits -> LossOps.mseLoss(logits, ElementwiseOps.mul(logits, 0.5)));
        return losses.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            try (TensorScope scope = TensorScope.open()) {
                Random rnd = new Random(7);
                Tensor x = random(rnd, DType.FP32, 5, 6);
                Tensor w = random(rnd, DType.FP32, 4, 6);
                double[][] grads = new double[2][];
                double[] loss = new double[2];
                Device[] devices = {Device.CPU, CudaTestBackend.device()};
                for (int k = 0; k < 2; k++) {
                    // the host side runs on the reference backend (the GPU machine carries no OpenBLAS natives)
                    try (var ref = Backends.use(Backends.reference())) {
                        Tensor wk = w.toDevice(devices[k]).dataCopy();
                        wk.requiresGrad(true);
                        Tensor logits = ActivationOps.relu(LinalgOps.linear(x.toDevice(devices[k]), wk, null));
                        Tensor l = e.getValue().apply(logits);
                        io.nabla.autograd.Autograd.backward(l);
                        loss[k] = l.item();
                        grads[k] = wk.grad().toDoubleArray();
                    }
                }
                assertThat(loss[1]).as(e.getKey() + " loss").isCloseTo(loss[0], org.assertj.core.data.Offset.offset(1e-5));
                for (int i = 0; i < grads[0].length; i++) {
                    assertThat(grads[1][i]).as(e.getKey() + " weight grad " + i)
                            .isCloseTo(grads[0][i], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> optimizerTrajectoriesMatchTheReference() {
        Map<String, Function<List<Tensor>, io.nabla.optim.Optimizer>> optimizers = new LinkedHashMap<>();
        optimizers.put("sgd_momentum_nesterov", p -> new io.nabla.optim.Sgd(p,
                io.nabla.optim.Sgd.Options.lr(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(1e-3)));
        optimizers.put("adam_amsgrad", p -> new io.nabla.optim.Adam(p, new io.nabla.optim.Adam.Options(1e-2, 0.9,
                0.999, 1e-8, 0, true, false)));
        optimizers.put("adamw", p -> new io.nabla.optim.AdamW(p, io.nabla.optim.AdamW.defaults().withLr(1e-2)));
        return optimizers.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            double[][] finalWeights = new double[2][];
            Device[] devices = {Device.CPU, CudaTestBackend.device()};
            for (int k = 0; k < 2; k++) {
                try (TensorScope scope = TensorScope.open(); var ref = Backends.use(Backends.reference())) {
                    Random rnd = new Random(11);
                    Tensor x = random(rnd, DType.FP32, 6, 5).toDevice(devices[k]);
                    Tensor w1 = random(rnd, DType.FP32, 8, 5).toDevice(devices[k]).requiresGrad(true);
                    Tensor w2 = random(rnd, DType.FP32, 3, 8).toDevice(devices[k]).requiresGrad(true);
                    Tensor y = Tensor.of(new double[] {0, 1, 2, 1, 0, 2}, DType.INT64, 6).toDevice(devices[k]);
                    io.nabla.optim.Optimizer opt = e.getValue().apply(List.of(w1, w2));
                    for (int step = 0; step < 5; step++) {
                        opt.zeroGrad();
                        Tensor h = ActivationOps.tanh(LinalgOps.linear(x, w1, null));
                        io.nabla.autograd.Autograd.backward(LossOps.crossEntropy(LinalgOps.linear(h, w2, null), y));
                        opt.step();
                    }
                    finalWeights[k] = w2.toDoubleArray();
                }
            }
            for (int i = 0; i < finalWeights[0].length; i++) {
                assertThat(finalWeights[1][i]).as(e.getKey() + " weight " + i + " after 5 steps on cuda vs reference")
                        .isCloseTo(finalWeights[0][i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }));
    }
}

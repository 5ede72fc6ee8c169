package io.nabla.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.OptimizerKernels.AdamStep;
import io.nabla.backend.OptimizerKernels.SgdStep;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The CPU optimizer kernels against the reference ones, over kernel x dtype x layout. */
class OptimizerKernelsTest {

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.BF16};

    /** Operands: param, grad, and three state tensors; each (5, 7) or a transposed (7, 5) view. */
    private static List<Tensor> operands(DType dtype, boolean transposed, long seed) {
        Random r = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            double[] v = new double[35];
            for (int i = 0; i < v.length; i++) {
                v[i] = k >= 3 ? r.nextDouble() : r.nextGaussian();
            }
            Tensor t = Tensor.of(v, dtype, transposed ? new int[] {7, 5} : new int[] {5, 7});
            out.add(transposed ? ShapeOps.transpose(t, 0, 1) : t);
        }
        return out;
    }

    private static List<double[]> run(Backend backend, DType dtype, boolean transposed, Consumer<List<Tensor>> op) {
        try (TensorScope s = TensorScope.open(); var b = Backends.use(backend)) {
            List<Tensor> ops = operands(dtype, transposed, 42);
            op.accept(ops);
            List<double[]> out = new ArrayList<>();
            ops.forEach(t -> out.add(t.toDoubleArray()));
            return out;
        }
    }

    private static Stream<DynamicTest> matrix(String name, Consumer<List<Tensor>> op) {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dtype : DTYPES) {
            for (boolean transposed : new boolean[] {false, true}) {
                String label = name + " " + dtype.torchName() + (transposed ? " transposed" : " contiguous");
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    List<double[]> ref = run(Backends.reference(), dtype, transposed, op);
                    List<double[]> cpu = run(Backends.cpu(), dtype, transposed, op);
                    double tol = dtype == DType.FP64 ? 1e-12 : dtype == DType.FP32 ? 1e-5 : 2e-2;
                    for (int k = 0; k < ref.size(); k++) {
                        for (int i = 0; i < ref.get(k).length; i++) {
                            assertThat(cpu.get(k)[i]).as("%s operand %d [%d]", label, k, i)
                                    .isCloseTo(ref.get(k)[i], within(tol * (1 + Math.abs(ref.get(k)[i]))));
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static void sgd(List<Tensor> t, SgdStep h) {
        Tensor p = t.get(0);
        Tensor g = t.get(1);
        Tensor b = t.get(2);
        p.backend().optimizer().sgd(h, p.dtype(), p.memory(), p.layout(), g.memory(), g.layout(),
                h.momentum() == 0 ? null : b.memory(), h.momentum() == 0 ? null : b.layout());
    }

    private static void adam(List<Tensor> t, AdamStep h) {
        Tensor p = t.get(0);
        Tensor x = h.amsgrad() ? t.get(4) : null;
        p.backend().optimizer().adam(h, p.dtype(), p.memory(), p.layout(), t.get(1).memory(), t.get(1).layout(),
                t.get(2).memory(), t.get(2).layout(), t.get(3).memory(), t.get(3).layout(),
                x == null ? null : x.memory(), x == null ? null : x.layout());
    }

    @TestFactory
    Stream<DynamicTest> sgdKernels() {
        return Stream.of(
                matrix("sgd plain", t -> sgd(t, new SgdStep(0.1, 0, 0, 0, false, false, false))),
                matrix("sgd momentum first step", t -> sgd(t, new SgdStep(0.1, 0.9, 0, 0.01, false, false, true))),
                matrix("sgd momentum dampening", t -> sgd(t, new SgdStep(0.1, 0.9, 0.2, 0.01, false, false, false))),
                matrix("sgd nesterov maximize", t -> sgd(t, new SgdStep(0.05, 0.8, 0, 0, true, true, false))))
                .flatMap(s -> s);
    }

    @TestFactory
    Stream<DynamicTest> adamKernels() {
        return Stream.of(
                matrix("adam", t -> adam(t, new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.1, false, false, false, 0.1,
                        0.03))),
                matrix("adamw amsgrad", t -> adam(t, new AdamStep(1e-2, 0.8, 0.99, 1e-6, 0.05, true, true, false,
                        0.05, 0.2))),
                matrix("adam maximize", t -> adam(t, new AdamStep(3e-2, 0.5, 0.9, 1e-8, 0, false, false, true, 0.06,
                        0.3))))
                .flatMap(s -> s);
    }

    @TestFactory
    Stream<DynamicTest> reductionKernels() {
        List<Stream<DynamicTest>> all = new ArrayList<>();
        for (double p : new double[] {0, 1, 2, 3, Double.POSITIVE_INFINITY}) {
            all.add(matrix("sumAbsPow p=" + p, t -> {
                Tensor x = t.get(0);
                double v = x.backend().optimizer().sumAbsPow(x.dtype(), x.memory(), x.layout(), p);
                t.set(0, Tensor.scalar(v, DType.FP64));
            }));
        }
        all.add(matrix("scale", t -> t.get(0).backend().optimizer().scale(t.get(0).dtype(), t.get(0).memory(),
                t.get(0).layout(), 0.37)));
        return all.stream().flatMap(s -> s);
    }
}

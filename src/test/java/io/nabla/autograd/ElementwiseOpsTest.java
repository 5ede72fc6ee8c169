package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Semantics of the elementwise ops beyond the fixtures: type promotion, integers, bool, NaN, ties, bad arguments. */
class ElementwiseOpsTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor t(DType dt, double... v) {
        return Tensor.of(v, dt, v.length);
    }

    private static Tensor zeroDim(DType dt, double v) {
        return Tensor.full(v, dt);
    }

    @Test
    void resultTypesFollowTorchResultType() {
        assertThat(ElementwiseOps.add(t(DType.INT32, 1, 2), zeroDim(DType.INT64, 1)).dtype()).isEqualTo(DType.INT32);
        assertThat(ElementwiseOps.add(t(DType.INT32, 1, 2), zeroDim(DType.FP64, 1)).dtype()).isEqualTo(DType.FP64);
        assertThat(ElementwiseOps.add(t(DType.FP32, 1, 2), zeroDim(DType.FP64, 1)).dtype()).isEqualTo(DType.FP32);
        assertThat(ElementwiseOps.add(t(DType.FP32, 1, 2), t(DType.FP64, 1, 2)).dtype()).isEqualTo(DType.FP64);
        assertThat(ElementwiseOps.add(t(DType.FP16, 1, 2), zeroDim(DType.FP32, 1)).dtype()).isEqualTo(DType.FP16);
        assertThat(ElementwiseOps.add(t(DType.BF16, 1, 2), t(DType.FP16, 1, 2)).dtype()).isEqualTo(DType.FP32);
        assertThat(ElementwiseOps.add(t(DType.UINT8, 1, 2), t(DType.INT8, 1, 2)).dtype()).isEqualTo(DType.INT16);
        assertThat(ElementwiseOps.add(zeroDim(DType.INT64, 1), zeroDim(DType.FP16, 1)).dtype()).isEqualTo(DType.FP16);
    }

    @Test
    void scalarsActAsPythonNumbers() {
        Tensor ints = t(DType.INT32, 1, 2);
        assertThat(ElementwiseOps.add(ints, 2L).dtype()).isEqualTo(DType.INT32);
        assertThat(ElementwiseOps.add(ints, 2).toLongArray()).containsExactly(3, 4); // an int literal is a long
        Tensor f = ElementwiseOps.add(ints, 0.5);
        assertThat(f.dtype()).isEqualTo(DType.FP32);
        assertThat(f.toDoubleArray()).containsExactly(1.5, 2.5);
        assertThat(ElementwiseOps.add(t(DType.BOOL, 1, 0), 1L).dtype()).isEqualTo(DType.INT64);
        assertThat(ElementwiseOps.mul(t(DType.FP16, 1, 2), 3.0).dtype()).isEqualTo(DType.FP16);
        assertThat(ElementwiseOps.sub(10.0, t(DType.FP64, 1, 2)).toDoubleArray()).containsExactly(9, 8);
        assertThat(ElementwiseOps.div(1.0, t(DType.FP64, 2, 4)).toDoubleArray()).containsExactly(0.5, 0.25);
        // the float scalar is rounded to float32 before the op, as PyTorch does
        assertThat(ElementwiseOps.mul(t(DType.FP32, 3), 0.1).toDoubleArray()[0]).isEqualTo((double) (3f * 0.1f));
    }

    @Test
    void integerArithmetic() {
        Tensor big = t(DType.INT32, Integer.MAX_VALUE);
        assertThat(ElementwiseOps.add(big, 1L).toLongArray()).containsExactly(Integer.MIN_VALUE);
        Tensor div = ElementwiseOps.div(t(DType.INT64, 7, -7), t(DType.INT64, 2, 2));
        assertThat(div.dtype()).isEqualTo(DType.FP32);
        assertThat(div.toDoubleArray()).containsExactly(3.5, -3.5);
        assertThat(ElementwiseOps.pow(t(DType.INT64, 2, 3, -2), 3L).toLongArray()).containsExactly(8, 27, -8);
        assertThat(ElementwiseOps.pow(t(DType.INT64, 1, -1, -1, 2), t(DType.INT64, -3, -3, -2, -1)).toLongArray())
                .containsExactly(1, -1, 1, 0);
        assertThat(ElementwiseOps.pow(t(DType.INT32, 4), 0.5).toDoubleArray()).containsExactly(2.0);
        assertThatThrownBy(() -> ElementwiseOps.pow(t(DType.INT64, 2), -1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative integer powers");
        assertThat(ElementwiseOps.maximum(t(DType.INT64, 5, -5), t(DType.INT64, 3, 3)).toLongArray())
                .containsExactly(5, 3);
        assertThat(ElementwiseOps.clamp(t(DType.INT64, -5, 0, 9), -1, 4).toLongArray()).containsExactly(-1, 0, 4);
        assertThat(ElementwiseOps.clamp(t(DType.INT64, -5, 0, 9), -1.5, null).dtype()).isEqualTo(DType.FP32);
        assertThat(ActivationOps.relu(t(DType.INT32, -3, 4)).toLongArray()).containsExactly(0, 4);
        Tensor e = ElementwiseOps.exp(t(DType.INT64, 0, 1));
        assertThat(e.dtype()).isEqualTo(DType.FP32);
        assertThat(e.toDoubleArray()[1]).isEqualTo((double) (float) Math.E);
    }

    @Test
    void reducedFloatsRoundOnceThroughFloat() {
        Tensor h = ElementwiseOps.exp(t(DType.FP16, 1));
        assertThat(h.dtype()).isEqualTo(DType.FP16);
        assertThat(h.toDoubleArray()).containsExactly(2.71875);
        Tensor b = ElementwiseOps.add(t(DType.BF16, 1), t(DType.BF16, 0.00390625)); // 1 + 2^-8 ties to even
        assertThat(b.toDoubleArray()).containsExactly(1.0);
    }

    @Test
    void comparisonsGiveBoolAndCompareIntegersExactly() {
        Tensor a = t(DType.FP32, 1, 2, 3);
        assertThat(ElementwiseOps.lt(a, 2.0).dtype()).isEqualTo(DType.BOOL);
        assertThat(ElementwiseOps.lt(a, 2.0).toBooleanArray()).containsExactly(true, false, false);
        assertThat(ElementwiseOps.ge(a, t(DType.FP64, 3, 2, 1)).toBooleanArray()).containsExactly(false, true, true);
        assertThat(ElementwiseOps.ne(a, 2.0).toBooleanArray()).containsExactly(true, false, true);
        Tensor big = Tensor.of(new long[] {(1L << 40) + 1, 1L << 40}, 2);
        assertThat(ElementwiseOps.eq(big, (double) (1L << 40)).toBooleanArray()).containsExactly(false, true);
        assertThat(ElementwiseOps.eq(t(DType.INT64, 2), 2.5).toBooleanArray()).containsExactly(false);
        assertThat(ElementwiseOps.logicalAnd(t(DType.BOOL, 1, 1, 0), t(DType.FP32, 2, 0, 1)).toBooleanArray())
                .containsExactly(true, false, false);
        Tensor x = t(DType.FP32, 1).requiresGrad(true);
        assertThat(ElementwiseOps.gt(x, 0.0).requiresGrad()).isFalse();
    }

    @Test
    void nanPropagatesAndKinksFollowPyTorch() {
        Tensor nan = t(DType.FP32, Double.NaN);
        assertThat(ActivationOps.relu(nan).toDoubleArray()[0]).isNaN();
        assertThat(ElementwiseOps.maximum(nan, t(DType.FP32, 1)).toDoubleArray()[0]).isNaN();
        assertThat(ElementwiseOps.clamp(nan, 0.0, 1.0).toDoubleArray()[0]).isNaN();
        assertThat(ElementwiseOps.clamp(t(DType.FP32, 0.5), 2.0, 1.0).toDoubleArray()).containsExactly(1.0);

        Tensor x = t(DType.FP64, 0, 2).requiresGrad(true);
        Autograd.backward(ReduceOps.sum(ActivationOps.relu(x)));
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 1);
        Tensor y = t(DType.FP64, 0, -1).requiresGrad(true);
        Autograd.backward(ReduceOps.sum(ElementwiseOps.abs(y)));
        assertThat(y.grad().toDoubleArray()).containsExactly(0, -1);
        Tensor a = t(DType.FP64, 1, 2).requiresGrad(true);
        Tensor b = t(DType.FP64, 1, 3).requiresGrad(true);
        Autograd.backward(ReduceOps.sum(ElementwiseOps.maximum(a, b)));
        assertThat(a.grad().toDoubleArray()).containsExactly(0.5, 0);
        assertThat(b.grad().toDoubleArray()).containsExactly(0.5, 1);
        Tensor c = t(DType.FP64, -1, 1, 0.5).requiresGrad(true);
        Autograd.backward(ReduceOps.sum(ElementwiseOps.clamp(c, -1.0, 0.75)));
        assertThat(c.grad().toDoubleArray()).containsExactly(1, 0, 1);
    }

    @Test
    void gradientsTakeEachInputsDtypeAndShape() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {4, 5}, 1, 2).requiresGrad(true);
        Tensor y = ElementwiseOps.mul(a, b);
        assertThat(y.dtype()).isEqualTo(DType.FP64);
        assertThat(y.shape()).containsExactly(3, 2);
        Autograd.backward(ReduceOps.sum(y));
        assertThat(a.grad().dtype()).isEqualTo(DType.FP32);
        assertThat(a.grad().toDoubleArray()).containsExactly(9, 9, 9);
        assertThat(b.grad().dtype()).isEqualTo(DType.FP64);
        assertThat(b.grad().toDoubleArray()).containsExactly(6, 6);

        Tensor w = t(DType.FP32, 1, 2).requiresGrad(true);
        Autograd.backward(ReduceOps.sum(ElementwiseOps.mul(w, t(DType.INT64, 3, 4))));
        assertThat(w.grad().toDoubleArray()).containsExactly(3, 4);
    }

    @Test
    void emptyTensors() {
        Tensor e = ElementwiseOps.add(Tensor.zeros(DType.FP32, 0, 3), Tensor.ones(DType.FP32, 3));
        assertThat(e.shape()).containsExactly(0, 3);
        assertThat(ActivationOps.gelu(Tensor.zeros(DType.FP64, 2, 0)).shape()).containsExactly(2, 0);
    }

    @Test
    void theReferenceBackendGivesTheSameResultsThroughTheOps() {
        Tensor x = ShapeOps.transpose(Tensor.of(new float[] {-2, -1, 0, 0.5f, 1, 3}, 2, 3), 0, 1);
        Tensor b = Tensor.of(new float[] {0.25f, -4}, 2);
        double[] fast = ElementwiseOps.div(ActivationOps.gelu(x), b).toDoubleArray();
        double[] ref;
        try (var s = Backends.use(Backends.reference())) {
            ref = ElementwiseOps.div(ActivationOps.gelu(x), b).toDoubleArray();
        }
        assertThat(fast).containsExactly(ref);
    }

    @Test
    void badArgumentsNameTheValues() {
        Tensor a = Tensor.zeros(DType.FP32, 2, 3);
        Tensor b = Tensor.zeros(DType.FP32, 4);
        assertThatThrownBy(() -> ElementwiseOps.add(a, b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add").hasMessageContaining("(2, 3)").hasMessageContaining("(4)");
        assertThatThrownBy(() -> ElementwiseOps.where(Tensor.zeros(DType.BOOL, 2), a, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2)")
                .hasMessageContaining("(2, 3)");
        assertThatThrownBy(() -> ElementwiseOps.where(Tensor.zeros(DType.FP32, 2, 3), a, a))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boolean")
                .hasMessageContaining("float32");
        assertThatThrownBy(() -> ActivationOps.gelu(a, "erf")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none or tanh").hasMessageContaining("erf");
        assertThatThrownBy(() -> ElementwiseOps.clamp(a, null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min").hasMessageContaining("max");
        Tensor bools = Tensor.zeros(DType.BOOL, 2);
        assertThatThrownBy(() -> ElementwiseOps.neg(bools)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bool");
        assertThatThrownBy(() -> ElementwiseOps.sub(bools, bools)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bool");
        Tensor out = Tensor.zeros(DType.FP32, 2, 4);
        assertThatThrownBy(() -> Backends.cpu().elementwise().unary(UnaryOp.EXP, 0, 0, a.memory(), a.layout(),
                out.memory(), out.layout(), DType.FP32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> Backends.cpu().elementwise().binary(io.nabla.backend.BinaryOp.LT, a.memory(),
                a.layout(), a.memory(), a.layout(), DType.FP32, a.memory(), a.layout(), DType.FP32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bool");
        Layout bad = new Layout(new int[] {2, 3}, new int[] {3}, 0);
        assertThatThrownBy(() -> Backends.reference().elementwise().unary(UnaryOp.NEG, 0, 0, a.memory(), bad,
                a.memory(), a.layout(), DType.FP32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strides");
    }
}

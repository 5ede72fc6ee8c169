package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fast copy and fill paths give the reference loop's bytes for every dtype pair and layout. */
class CpuCopyKernelsTest {

    private static Tensor random(DType dt, Random rnd, int... shape) {
        double[] v = new double[(int) io.nabla.tensor.Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = dt.isFloatingPoint() ? rnd.nextGaussian() * 100 : rnd.nextInt(200) - 100;
        }
        return Tensor.of(v, dt, shape);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void copyMatchesReference(DType src) {
        Random rnd = new Random(src.ordinal());
        for (DType dst : DType.values()) {
            for (int[] shape : new int[][] {{7, 5}, {300, 700}}) {
                try (TensorScope s = TensorScope.open()) {
                    Tensor base = random(src, rnd, shape);
                    check(src, dst, "contiguous", base, t -> t);
                    check(src, dst, "transposed", base, t -> ShapeOps.transpose(t, 0, 1));
                    check(src, dst, "stepped", base, t -> ShapeOps.slice(t, 1, 1, shape[1], 2));
                    check(src, dst, "broadcast", base, t -> ShapeOps.expand(ShapeOps.select(t, 0, 2), 3,
                            shape[1]));
                }
            }
        }
    }

    private static void check(DType src, DType dst, String layout, Tensor base, Function<Tensor, Tensor> view) {
        Tensor v = view.apply(base);
        Tensor fast = Tensor.zeros(dst, v.shape());
        fast.copyFrom(v);
        Tensor ref = Tensor.zeros(dst, v.shape());
        try (Backends.Scope r = Backends.use(Backends.reference())) {
            ref.copyFrom(v);
        }
        assertThat(fast.toBytes()).as("copy %s -> %s, %s %s", src, dst, layout,
                io.nabla.tensor.Shape.format(v.shape())).isEqualTo(ref.toBytes());
        // copy into a strided destination too
        Tensor fastT = Tensor.zeros(dst, v.shape()[1], v.shape()[0]);
        ShapeOps.transpose(fastT, 0, 1).copyFrom(v);
        Tensor refT = Tensor.zeros(dst, v.shape()[1], v.shape()[0]);
        try (Backends.Scope r = Backends.use(Backends.reference())) {
            ShapeOps.transpose(refT, 0, 1).copyFrom(v);
        }
        assertThat(fastT.toBytes()).as("copy %s -> transposed %s, %s", src, dst, layout).isEqualTo(refT.toBytes());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fillMatchesReference(DType dt) {
        try (TensorScope s = TensorScope.open()) {
            for (int[] shape : new int[][] {{3, 4}, {512, 513}}) {
                Tensor fast = Tensor.zeros(dt, shape);
                Tensor ref = Tensor.zeros(dt, shape);
                ShapeOps.slice(fast, 1, 1, shape[1], 3).fill(-2.75);
                try (Backends.Scope r = Backends.use(Backends.reference())) {
                    ShapeOps.slice(ref, 1, 1, shape[1], 3).fill(-2.75);
                }
                assertThat(fast.toBytes()).as("fill %s %s", dt, io.nabla.tensor.Shape.format(shape))
                        .isEqualTo(ref.toBytes());
                // zero a contiguous middle block (the memset path) of a tensor that holds other values
                Tensor fz = Tensor.full(3, dt, shape);
                Tensor rz = Tensor.full(3, dt, shape);
                ShapeOps.narrow(fz, 0, 1, shape[0] - 2).fill(0);
                try (Backends.Scope r = Backends.use(Backends.reference())) {
                    ShapeOps.narrow(rz, 0, 1, shape[0] - 2).fill(0);
                }
                assertThat(fz.toBytes()).as("zero fill %s %s", dt, io.nabla.tensor.Shape.format(shape))
                        .isEqualTo(rz.toBytes());
            }
        }
    }
}

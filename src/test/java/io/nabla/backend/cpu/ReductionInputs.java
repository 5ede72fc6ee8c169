package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Random;
import java.util.function.Supplier;

/** Random inputs in several layouts, and the comparison of the cpu backend against the reference backend. */
final class ReductionInputs {

    /** How an input of a given shape sits in memory. */
    enum Kind {
        /** Dense row-major from offset 0. */
        CONTIGUOUS,
        /** The last two dims swapped in memory (a transposed view). */
        TRANSPOSED,
        /** Dim 0 broadcast with stride 0 (an expanded view). */
        BROADCAST,
        /** Dense but starting one row into its storage (a narrowed view, offset != 0). */
        OFFSET
    }

    private ReductionInputs() {
    }

    /** Gaussian values scaled by {@code scale} plus {@code shift}, of {@code dtype}, laid out as {@code kind}. */
    static Tensor random(Random rnd, DType dtype, Kind kind, double scale, double shift, int... shape) {
        int[] s = shape.clone();
        switch (kind) {
            case TRANSPOSED -> {
                int r = s.length;
                s[r - 1] = shape[r - 2];
                s[r - 2] = shape[r - 1];
            }
            case BROADCAST -> s[0] = 1;
            case OFFSET -> s[0] += 1;
            default -> { }
        }
        double[] v = new double[Math.toIntExact(Shape.numel(s))];
        for (int i = 0; i < v.length; i++) {
            double x = rnd.nextGaussian() * scale + shift;
            v[i] = dtype.isFloatingPoint() ? x : Math.rint(x);
        }
        Tensor base = Tensor.of(v, dtype, s);
        return switch (kind) {
            case TRANSPOSED -> ShapeOps.transpose(base, -1, -2);
            case BROADCAST -> ShapeOps.expand(base, shape);
            case OFFSET -> ShapeOps.narrow(base, 0, 1, shape[0]);
            default -> base;
        };
    }

    /** Runs {@code op} on the reference backend. */
    static <T> T onReference(Supplier<T> op) {
        try (var s = Backends.use(Backends.reference())) {
            return op.get();
        }
    }

    /** Asserts equal shapes, dtypes and values within {@code atol + rtol * |expected|}; integers exactly. */
    static void assertClose(String what, Tensor actual, Tensor expected, double rtol, double atol) {
        if (!java.util.Arrays.equals(actual.shape(), expected.shape()) || actual.dtype() != expected.dtype()) {
            fail(what + ": got " + actual + ", expected " + expected);
        }
        if (!expected.dtype().isFloatingPoint()) {
            long[] a = actual.toLongArray();
            long[] e = expected.toLongArray();
            for (int i = 0; i < a.length; i++) {
                if (a[i] != e[i]) {
                    fail(what + ": [" + i + "] = " + a[i] + ", expected " + e[i]);
                }
            }
            return;
        }
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            boolean same = Double.compare(a[i], e[i]) == 0 || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
            if (!same) {
                fail(String.format("%s: [%d] = %.9g, expected %.9g", what, i, a[i], e[i]));
            }
        }
    }

    /** Tolerances for comparing the fast FP32/FP64 paths with the double reference: {rtol, atol}. */
    static double[] tolerance(DType t) {
        return switch (t) {
            case FP64 -> new double[] {1e-12, 1e-12};
            case FP32 -> new double[] {2e-6, 2e-6};
            default -> new double[] {0, 0};
        };
    }
}

package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.ReduceKernels;
import io.nabla.backend.ReduceOp;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Scalar reference implementation of {@link ReduceKernels}: one group (output element) at a time, floating values
 * accumulated in double, integers in long; any strides. Variances are two-pass (mean, then squared deviations).
 */
public class ReferenceReduceKernels implements ReduceKernels {

    @Override
    public void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims,
                       Memory out, Layout outLayout, DType outType) {
        ByteBuffer src = in.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        int[] shape = inLayout.shape();
        ReductionGroups groups = new ReductionGroups(shape, ReductionGroups.mask(shape.length, dims), inLayout,
                ReductionGroups.broadcast(outLayout, shape));
        Group g = new Group(src, inType, groups);
        for (long k = 0; k < groups.count(); k++) {
            long o = groups.base()[1];
            boolean integral = !inType.isFloatingPoint();
            switch (op) {
                case SUM -> put(dst, outType, o, integral, g::sumLong, g::sum);
                case MEAN -> ElementAccess.putDouble(dst, outType, o, g.sum() / g.n);
                case PROD -> put(dst, outType, o, integral, g::prodLong, g::prod);
                case AMAX, AMIN -> put(dst, outType, o, integral, () -> g.extremeLong(op == ReduceOp.AMAX),
                        () -> g.extreme(op == ReduceOp.AMAX));
                case VAR -> ElementAccess.putDouble(dst, outType, o, g.variance(param));
                case STD -> ElementAccess.putDouble(dst, outType, o, Math.sqrt(g.variance(param)));
                case LOGSUMEXP -> ElementAccess.putDouble(dst, outType, o, g.logSumExp());
                case ARGMAX, ARGMIN -> ElementAccess.putLong(dst, outType, o, g.argExtreme(op == ReduceOp.ARGMAX));
                default -> throw new IllegalArgumentException("unknown reduction " + op);
            }
            groups.next();
        }
    }

    /** Stores the integer result for integer inputs, else the floating one; only the stored one is computed. */
    private static void put(ByteBuffer dst, DType t, long o, boolean integral, LongSupplier asLong,
                            DoubleSupplier asDouble) {
        if (integral) {
            ElementAccess.putLong(dst, t, o, asLong.getAsLong());
        } else {
            ElementAccess.putDouble(dst, t, o, asDouble.getAsDouble());
        }
    }

    @Override
    public void reduceBackward(ReduceOp op, double param, Memory in, Layout inLayout, int[] dims, Memory out,
                               Layout outLayout, Memory gradOut, Layout gradOutLayout, Memory gradIn,
                               Layout gradInLayout, DType dtype) {
        ByteBuffer src = in.hostBuffer();
        ByteBuffer y = out.hostBuffer();
        ByteBuffer gy = gradOut.hostBuffer();
        ByteBuffer gx = gradIn.hostBuffer();
        int[] shape = inLayout.shape();
        ReductionGroups groups = new ReductionGroups(shape, ReductionGroups.mask(shape.length, dims), inLayout,
                ReductionGroups.broadcast(outLayout, shape), ReductionGroups.broadcast(gradOutLayout, shape),
                gradInLayout);
        Group group = new Group(src, dtype, groups);
        for (long k = 0; k < groups.count(); k++) {
            double yv = ElementAccess.getDouble(y, dtype, groups.base()[1]);
            double g = ElementAccess.getDouble(gy, dtype, groups.base()[2]);
            backwardGroup(op, param, group, yv, g, gx, dtype);
            groups.next();
        }
    }

    private static void backwardGroup(ReduceOp op, double param, Group group, double y, double g, ByteBuffer gx,
                                      DType dtype) {
        long n = group.n;
        switch (op) {
            case SUM -> group.writeGrad(gx, x -> g);
            case MEAN -> group.writeGrad(gx, x -> g / n);
            case PROD -> prodBackward(group, y, g, gx);
            case AMAX, AMIN -> {
                long ties = group.countEqual(y);
                group.writeGrad(gx, x -> x == y ? g / ties : 0.0);
            }
            case VAR, STD -> {
                double mean = group.sum() / n;
                double denom = Math.max(0, n - param);
                double scale = op == ReduceOp.VAR ? 2 * g / denom : g / (denom * y);
                group.writeGrad(gx, x -> scale * (x - mean));
            }
            case LOGSUMEXP -> group.writeGrad(gx, x -> g * Math.exp(x - y));
            case ARGMAX, ARGMIN -> {
                long at = group.argExtreme(op == ReduceOp.ARGMAX);
                long[] i = {0};
                group.writeGrad(gx, x -> i[0]++ == at ? g : 0.0);
            }
            default -> throw new IllegalArgumentException("reduction " + op + " has no gradient");
        }
    }

    private static void prodBackward(Group group, double y, double g, ByteBuffer gx) {
        long zeros = group.countEqual(0.0);
        if (zeros == 0) {
            group.writeGrad(gx, x -> g * y / x);
        } else if (zeros == 1) {
            double others = group.prodExceptZero();
            group.writeGrad(gx, x -> x == 0.0 ? g * others : 0.0);
        } else {
            group.writeGrad(gx, x -> 0.0);
        }
    }

    /** The current group of the input (operand 0) and, for backward, the gradient written through operand 3. */
    private static final class Group {
        private final ByteBuffer src;
        private final DType type;
        private final ReductionGroups groups;
        final long n;

        Group(ByteBuffer src, DType type, ReductionGroups groups) {
            this.src = src;
            this.type = type;
            this.groups = groups;
            this.n = groups.size();
        }

        private double at(StridedCursor c) {
            return ElementAccess.getDouble(src, type, c.offset[0]);
        }

        private long atLong(StridedCursor c) {
            return ElementAccess.getLong(src, type, c.offset[0]);
        }

        double sum() {
            StridedCursor c = groups.inner();
            double acc = 0;
            for (long i = 0; i < n; i++, c.next()) {
                acc += at(c);
            }
            return acc;
        }

        long sumLong() {
            StridedCursor c = groups.inner();
            long acc = 0;
            for (long i = 0; i < n; i++, c.next()) {
                acc += atLong(c);
            }
            return acc;
        }

        double prod() {
            StridedCursor c = groups.inner();
            double acc = 1;
            for (long i = 0; i < n; i++, c.next()) {
                acc *= at(c);
            }
            return acc;
        }

        long prodLong() {
            StridedCursor c = groups.inner();
            long acc = 1;
            for (long i = 0; i < n; i++, c.next()) {
                acc *= atLong(c);
            }
            return acc;
        }

        double prodExceptZero() {
            StridedCursor c = groups.inner();
            double acc = 1;
            for (long i = 0; i < n; i++, c.next()) {
                double x = at(c);
                acc *= x == 0.0 ? 1.0 : x;
            }
            return acc;
        }

        /** Max (or min) with NaN propagation. */
        double extreme(boolean max) {
            StridedCursor c = groups.inner();
            double acc = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            for (long i = 0; i < n; i++, c.next()) {
                double x = at(c);
                acc = max ? Math.max(acc, x) : Math.min(acc, x);
            }
            return acc;
        }

        long extremeLong(boolean max) {
            StridedCursor c = groups.inner();
            long acc = max ? Long.MIN_VALUE : Long.MAX_VALUE;
            for (long i = 0; i < n; i++, c.next()) {
                long x = atLong(c);
                acc = max ? Math.max(acc, x) : Math.min(acc, x);
            }
            return acc;
        }

        /** Row-major position of the first max (or min) in the group; the first NaN wins. */
        long argExtreme(boolean max) {
            StridedCursor c = groups.inner();
            long best = 0;
            if (!type.isFloatingPoint()) {
                long v = atLong(c);
                for (long i = 1; i < n; i++) {
                    c.next();
                    long x = atLong(c);
                    if (max ? x > v : x < v) {
                        v = x;
                        best = i;
                    }
                }
                return best;
            }
            double v = at(c);
            for (long i = 1; i < n && !Double.isNaN(v); i++) {
                c.next();
                double x = at(c);
                if (Double.isNaN(x) || (max ? x > v : x < v)) {
                    v = x;
                    best = i;
                }
            }
            return best;
        }

        double variance(double correction) {
            double mean = sum() / n;
            StridedCursor c = groups.inner();
            double acc = 0;
            for (long i = 0; i < n; i++, c.next()) {
                double d = at(c) - mean;
                acc += d * d;
            }
            return acc / Math.max(0, n - correction);
        }

        /** log(sum(exp(x))) shifted by the max; an infinite max shifts by 0, as PyTorch does. */
        double logSumExp() {
            double m = extreme(true);
            if (Double.isInfinite(m)) {
                m = 0;
            }
            StridedCursor c = groups.inner();
            double acc = 0;
            for (long i = 0; i < n; i++, c.next()) {
                acc += Math.exp(at(c) - m);
            }
            return Math.log(acc) + m;
        }

        long countEqual(double v) {
            StridedCursor c = groups.inner();
            long count = 0;
            for (long i = 0; i < n; i++, c.next()) {
                count += at(c) == v ? 1 : 0;
            }
            return count;
        }

        /** Writes {@code f(x)} for each element of the group into the gradient (operand 3). */
        void writeGrad(ByteBuffer gx, java.util.function.DoubleUnaryOperator f) {
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                ElementAccess.putDouble(gx, type, c.offset[3], f.applyAsDouble(at(c)));
            }
        }
    }
}

package io.nabla.tensor;

import java.util.Arrays;

/** Shape arithmetic: element counts with overflow checks, broadcasting, dimension wrapping and formatting. */
public final class Shape {

    private Shape() {
    }

    /** Product of the sizes; fails (naming the shape) on a negative size or when the count overflows a long. */
    public static long numel(int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got " + format(shape));
            }
            try {
                n = Math.multiplyExact(n, (long) s);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("the shape " + format(shape) + " holds more elements than a long "
                        + "counts", e);
            }
        }
        return n;
    }

    /** Like {@link #numel} but for sizes that are still longs (e.g. parsed from a request), checked before use. */
    public static long numelChecked(long[] shape, long maxElements) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got " + Arrays.toString(shape));
            }
            if (s > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("size " + s + " exceeds the largest dimension "
                        + Integer.MAX_VALUE + " in " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("element count of " + Arrays.toString(shape)
                        + " overflows 64 bits");
            }
        }
        if (n > maxElements) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than the limit " + maxElements);
        }
        return n;
    }

    /** Row-major strides (in elements) of a dense tensor of this shape. */
    public static int[] contiguousStrides(int... shape) {
        int[] strides = new int[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = (int) s;
            s *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** The broadcast shape of two shapes (NumPy/PyTorch rules), or an error naming both. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + format(a) + " and " + format(b)
                        + " cannot be broadcast: dimension " + i + " has sizes " + da + " and " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Wraps a possibly negative dimension index into [0, rank), or fails naming the valid range. */
    public static int wrapDim(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IllegalArgumentException("dimension out of range (expected to be in range of [" + (-r) + ", "
                    + (r - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Formats a shape the way error messages write it: {@code (2, 3)}. */
    public static String format(int... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }
}

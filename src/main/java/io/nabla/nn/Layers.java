package io.nabla.nn;

import io.nabla.backend.Window2d;
import io.nabla.tensor.Shape;

/** Argument checks and shape arithmetic shared by the layers; -1 in a shape is a size known only at run time. */
final class Layers {

    private Layers() {
    }

    static void checkPositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got " + value);
        }
    }

    static void checkNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": expected a non-negative integer, got " + value);
        }
    }

    static void checkPositive(String name, int[] pair) {
        for (int v : pair) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + ": expected positive integers, got " + Shape.format(pair));
            }
        }
    }

    static void checkNonNegative(String name, int[] pair) {
        for (int v : pair) {
            if (v < 0) {
                throw new IllegalArgumentException(name + ": expected non-negative integers, got "
                        + Shape.format(pair));
            }
        }
    }

    /**
     * Argument {@code dim} of a layer (negative counts from the end) as an index into {@code in}, or an error naming
     * it and the input.
     */
    static int dimOf(int dim, int[] in) {
        if (in.length == 0) {
            throw new IllegalArgumentException("expected an input of at least 1 dim, got a scalar");
        }
        try {
            return Shape.wrapDim(dim, in.length);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("dim: " + dim + " is out of range for an input of shape "
                    + Shape.format(in));
        }
    }

    /** True when a (possibly unknown, -1) size can be {@code expected}. */
    static boolean fits(int size, int expected) {
        return size == -1 || size == expected;
    }

    /** Checks a (C, H, W) or (N, C, H, W) input and returns the index of its channel dimension. */
    static int channelDim2d(int[] in, String what) {
        if (in.length != 3 && in.length != 4) {
            throw new IllegalArgumentException("expected a 3D (C, H, W) or 4D (N, C, H, W) input for " + what
                    + ", got " + Shape.format(in));
        }
        return in.length - 3;
    }

    /**
     * Output size of a sliding window: floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1,
     * or -1 for an unknown size.
     */
    static int windowOutput(String dimName, int size, int kernel, int stride, int padding, int dilation) {
        return windowOutput(dimName, size, kernel, stride, padding, dilation, false);
    }

    /** As above, with pooling's {@code ceil_mode} ({@link Window2d#outSize}). */
    static int windowOutput(String dimName, int size, int kernel, int stride, int padding, int dilation,
                            boolean ceil) {
        if (size == -1) {
            return -1;
        }
        long span = (long) dilation * (kernel - 1) + 1;
        long out = Window2d.outSize(size, kernel, stride, padding, dilation, ceil);
        if (out <= 0) {
            throw new IllegalArgumentException("the " + dimName + " of " + size + " (padded by " + padding
                    + " on each side) is smaller than the kernel's extent " + span + ", so the output would be "
                    + out);
        }
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the " + dimName + " of " + size + " (padded by " + padding
                    + " on each side) gives an output " + dimName + " of " + out + ", more than the largest size of "
                    + "a dim, " + Integer.MAX_VALUE);
        }
        return (int) out;
    }

    /** An (int, int) argument given as one int or a pair. */
    static int[] pair(int v) {
        return new int[] {v, v};
    }
}

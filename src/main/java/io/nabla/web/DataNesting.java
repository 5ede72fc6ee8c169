package io.nabla.web;

import io.nabla.inference.InferenceException;
import java.util.Arrays;

/**
 * Checks how a tensor's JSON {@code data} is nested while it streams by, so that nested data means what it says.
 * The API accepts data flat or nested (section 1); nested data must have the tensor's shape exactly, as PyTorch's
 * {@code torch.tensor} and Triton read it: as many levels as the shape has dimensions, every array as long as its
 * dimension, none ragged. Counting the values alone would accept {@code [[1,2],[3,4]]} for shape {@code [1, 4]}
 * and run the model on a layout the client did not mean.
 *
 * <p>Flat data is an array of numbers only; its length is checked against the shape by the tensor's writer. When
 * the shape is not known yet (data came before {@code shape}), the nesting is learned from the data itself (the
 * first array at each level gives that level's length, the first value its depth) and checked for raggedness as it
 * streams, then compared with the shape by {@link #check}. Nothing is allocated but one counter per level.
 */
final class DataNesting {

    private final String field;
    private final long[] shape;
    private final String shapeText;
    /** Expected length per level (index = depth - 1), -1 while not learned yet. */
    private final long[] expect;
    /** Elements seen so far in the open array at each depth (index = depth). */
    private final long[] counts;
    private int rank;
    private int depth;
    private boolean decided;
    private boolean nested;

    /** {@code shape} null: not known yet, learn the nesting and {@link #check} it later. */
    DataNesting(String field, long[] shape, int maxDepth) {
        this.field = field;
        this.shape = shape;
        this.shapeText = shape == null ? null : Arrays.toString(shape);
        this.rank = shape == null ? -1 : shape.length;
        int levels = Math.max(maxDepth, shape == null ? 0 : shape.length) + 1;
        this.expect = new long[levels];
        Arrays.fill(expect, -1);
        if (shape != null) {
            System.arraycopy(shape, 0, expect, 0, shape.length);
        }
        this.counts = new long[levels + 1];
    }

    /** The top-level array opened. */
    void start() {
        depth = 1;
        counts[1] = 0;
    }

    /** An array opened inside the current one. */
    void openArray() {
        int d = depth;
        if (d == 1 && !decided) {
            decided = true;
            nested = true;
        }
        element(d);
        if (!nested) {
            throw InferenceException.invalid(elementPath(d) + " is an array, but " + field + "[0] is a number: flat"
                    + " data holds numbers only" + (shape == null ? "" : "; nested data must be nested "
                    + shape.length + " deep as shape " + shapeText + " is"));
        }
        if (rank >= 0 && d + 1 > rank) {
            throw InferenceException.invalid(elementPath(d) + " is an array, but " + (shape != null ? "shape "
                    + shapeText + " has " + rank + " dimension" + (rank == 1 ? "" : "s") + ": nested data must be"
                    + " exactly " + rank + " arrays deep, or flat" : firstPath(rank + 1) + " is a number: nested data"
                    + " must not be ragged"));
        }
        depth = d + 1;
        counts[depth] = 0;
    }

    /** A number or boolean in the current array. */
    void value() {
        int d = depth;
        if (d == 1 && !decided) {
            decided = true;
            nested = false;
        }
        element(d);
        if (!nested) {
            return;
        }
        if (rank < 0) {
            rank = d;
        } else if (d != rank) {
            throw InferenceException.invalid(elementPath(d) + " is a number, but " + (shape != null ? "shape "
                    + shapeText + " needs an array of " + expect[d] + " there: nested data must be exactly " + rank
                    + " arrays deep, or flat" : firstPath(d + 1) + " is an array: nested data must not be ragged"));
        }
    }

    /** The current array closed. */
    void closeArray() {
        int d = depth;
        if (nested) {
            long n = counts[d];
            if (expect[d - 1] < 0) {
                expect[d - 1] = n;
            } else if (n != expect[d - 1]) {
                throw lengthMismatch(d, Long.toString(n));
            }
            if (n == 0) {
                if (rank < 0) {
                    rank = d;
                } else if (d < rank) {
                    throw InferenceException.invalid(arrayPath(d) + " is empty, but " + (shape != null ? "shape "
                            + shapeText + " has " + rank + " dimensions: nested data must be exactly " + rank
                            + " arrays deep, or flat" : firstPath(d + 1) + " is an array: nested data must not be"
                            + " ragged"));
                }
            }
        }
        depth = d - 1;
    }

    /**
     * Compares nesting learned before the shape was known with the shape: nested data must have exactly the shape.
     */
    void check(long[] actualShape) {
        if (!nested) {
            return;
        }
        long[] learned = Arrays.copyOf(expect, Math.max(rank, 0));
        if (!Arrays.equals(learned, actualShape)) {
            throw InferenceException.invalid(field + " is nested as " + Arrays.toString(learned) + ", but shape is "
                    + Arrays.toString(actualShape) + ": nested data must have the shape exactly, or be flat");
        }
    }

    private void element(int d) {
        long n = ++counts[d];
        if (nested && expect[d - 1] >= 0 && n > expect[d - 1] && shape != null) {
            throw lengthMismatch(d, "more than " + expect[d - 1]);
        }
    }

    private InferenceException lengthMismatch(int d, String actual) {
        if (shape != null) {
            return InferenceException.invalid(arrayPath(d) + " has " + actual + " elements, but shape " + shapeText
                    + " needs " + expect[d - 1] + " at dimension " + (d - 1) + ": nested data must have the shape"
                    + " exactly, or be flat");
        }
        return InferenceException.invalid(arrayPath(d) + " has " + actual + " elements, but " + firstPath(d)
                + " has " + expect[d - 1] + ": nested data must not be ragged");
    }

    /** The path of the open array at depth {@code d}: {@code inputs[0].data[1][2]}. */
    private String arrayPath(int d) {
        StringBuilder b = new StringBuilder(field);
        for (int k = 1; k < d; k++) {
            b.append('[').append(counts[k] - 1).append(']');
        }
        return b.toString();
    }

    /** The path of the element just counted in the open array at depth {@code d}. */
    private String elementPath(int d) {
        return arrayPath(d) + "[" + (counts[d] - 1) + "]";
    }

    /** The path of the first array at depth {@code d}: {@code inputs[0].data[0][0]}. */
    private String firstPath(int d) {
        return field + "[0]".repeat(Math.max(0, d - 1));
    }
}

package io.nabla.backend;

/**
 * Elementwise functions of two operands of one dtype; comparisons and logical ops write BOOL. {@code DIV} is true
 * division (the tensor layer computes it in a floating dtype); {@code POW} of integers with a negative exponent gives
 * 0 unless the base is 1 or -1, as PyTorch does.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR;

    /** True for the ops that write BOOL (comparisons and logical ops). */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}

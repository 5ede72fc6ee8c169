package io.nabla.backend;

/** Elementwise functions of two operands of one dtype; comparisons write BOOL. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR;

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}

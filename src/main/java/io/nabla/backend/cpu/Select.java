package io.nabla.backend.cpu;

/**
 * Branch-free choices for the elementwise loops. A data-dependent {@code cond ? a : b} on floats compiles to a
 * branch, and on random data (relu's backward, where) a mispredicted branch per element made those loops 4-5x
 * slower; an int condition compiles to a conditional move, so the choice is made on the bits. Results are exactly
 * those of the conditional expression (the zero chosen is +0.0).
 */
final class Select {

    private Select() {
    }

    /** {@code keep ? a : +0.0}. */
    static float keepOrZero(boolean keep, float a) {
        int k = keep ? -1 : 0;
        return Float.intBitsToFloat(Float.floatToRawIntBits(a) & k);
    }

    static double keepOrZero(boolean keep, double a) {
        long k = keep ? -1L : 0L;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(a) & k);
    }

    /** {@code first ? a : b}. */
    static float pick(boolean first, float a, float b) {
        int k = first ? -1 : 0;
        return Float.intBitsToFloat((Float.floatToRawIntBits(a) & k) | (Float.floatToRawIntBits(b) & ~k));
    }

    static double pick(boolean first, double a, double b) {
        long k = first ? -1L : 0L;
        return Double.longBitsToDouble((Double.doubleToRawLongBits(a) & k) | (Double.doubleToRawLongBits(b) & ~k));
    }
}

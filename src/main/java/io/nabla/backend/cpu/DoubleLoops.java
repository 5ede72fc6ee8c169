package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.ElementwiseMath;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;

/**
 * FP64 elementwise loops: {@link FloatLoops} with float replaced by double (Java has no primitive generics), so
 * see there for how the loops are shaped and why; keep the two in step. Every op computes in double, as the
 * reference backend does. This is a kernel collection, hence its length.
 */
final class DoubleLoops {

    /** Shorter runs skip the slicing (three small allocations) and dispatch per element. */
    static final int SLICE_MIN = 32;

    private DoubleLoops() {
    }

    // ---- unary ----------------------------------------------------------------------------------------------

    static void unary(UnaryOp op, double p0, double p1, DoubleBuffer x, int ox, int sx, DoubleBuffer y, int oy, int sy,
                      int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, jx = ox, jy = oy; i < n; i++, jx += sx, jy += sy) {
                y.put(jy, (double) ElementwiseMath.unary(op, x.get(jx), p0, p1));
            }
        } else if (sx == 1 && sy == 1) {
            unaryUnit(op, p0, p1, x.slice(ox, n), y.slice(oy, n), n);
        } else {
            Scratch s = Scratch.get();
            for (int done = 0; done < n; done += Scratch.BLOCK) {
                int m = Math.min(Scratch.BLOCK, n - done);
                DoubleBuffer in = operand(x, ox + done * sx, sx, s.doubles(0), m);
                DoubleBuffer out = sy == 1 ? y.slice(oy + done, m) : s.doubles(1);
                unaryUnit(op, p0, p1, in, out, m);
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void unaryUnit(UnaryOp op, double p0, double p1, DoubleBuffer x, DoubleBuffer y, int n) {
        double lo = (double) ElementwiseMath.lowerBound(p0);
        double hi = (double) ElementwiseMath.upperBound(p1);
        double slope = (double) p0;
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) y.put(i, -x.get(i)); break;
            case ABS: for (int i = 0; i < n; i++) y.put(i, Math.abs(x.get(i))); break;
            case SQUARE: for (int i = 0; i < n; i++) { double v = x.get(i); y.put(i, v * v); } break;
            case RELU: for (int i = 0; i < n; i++) y.put(i, Math.max(x.get(i), 0f)); break;
            case LEAKY_RELU: for (int i = 0; i < n; i++) { double v = x.get(i); y.put(i, Math.max(v, 0f) + Math.min(v, 0f) * slope); } break;
            case CLAMP: for (int i = 0; i < n; i++) y.put(i, Math.min(Math.max(x.get(i), lo), hi)); break;
            case EXP: for (int i = 0; i < n; i++) y.put(i, (double) Math.exp(x.get(i))); break;
            case LOG: for (int i = 0; i < n; i++) y.put(i, (double) Math.log(x.get(i))); break;
            case SQRT: for (int i = 0; i < n; i++) y.put(i, (double) Math.sqrt(x.get(i))); break;
            case RSQRT: for (int i = 0; i < n; i++) y.put(i, (double) (1.0 / Math.sqrt(x.get(i)))); break;
            case SIN: for (int i = 0; i < n; i++) y.put(i, (double) Math.sin(x.get(i))); break;
            case COS: for (int i = 0; i < n; i++) y.put(i, (double) Math.cos(x.get(i))); break;
            case RECIPROCAL: for (int i = 0; i < n; i++) y.put(i, (double) (1.0 / x.get(i))); break;
            case TANH: for (int i = 0; i < n; i++) y.put(i, (double) Math.tanh(x.get(i))); break;
            case SIGMOID: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.sigmoid(x.get(i))); break;
            case GELU: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.gelu(x.get(i))); break;
            case GELU_TANH: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.geluTanh(x.get(i))); break;
            case SILU: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.silu(x.get(i))); break;
            case SOFTPLUS: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.softplus(x.get(i), p0, p1)); break;
            case ELU: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.elu(x.get(i), p0)); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.pow(x.get(i), p0)); break;
            default: // rare ops (sign, affine): one dispatch per element
                for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.unary(op, x.get(i), p0, p1));
        }
    }

    // ---- unary backward ---------------------------------------------------------------------------------------

    static void unaryBackward(UnaryOp op, double p0, double p1, DoubleBuffer g, int og, int sg, DoubleBuffer s, int os,
                              int ss, DoubleBuffer y, int oy, int sy, int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, jg = og, js = os, jy = oy; i < n; i++, jg += sg, js += ss, jy += sy) {
                y.put(jy, (double) ElementwiseMath.unaryGrad(op, g.get(jg), s.get(js), p0, p1));
            }
        } else if (sg == 1 && ss == 1 && sy == 1) {
            unaryBackwardUnit(op, p0, p1, g.slice(og, n), s.slice(os, n), y.slice(oy, n), n);
        } else {
            Scratch sc = Scratch.get();
            for (int done = 0; done < n; done += Scratch.BLOCK) {
                int m = Math.min(Scratch.BLOCK, n - done);
                DoubleBuffer gi = operand(g, og + done * sg, sg, sc.doubles(0), m);
                DoubleBuffer si = operand(s, os + done * ss, ss, sc.doubles(1), m);
                DoubleBuffer out = sy == 1 ? y.slice(oy + done, m) : sc.doubles(2);
                unaryBackwardUnit(op, p0, p1, gi, si, out, m);
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void unaryBackwardUnit(UnaryOp op, double p0, double p1, DoubleBuffer g, DoubleBuffer s,
                                          DoubleBuffer y, int n) {
        double lo = ElementwiseMath.lowerBound(p0);
        double hi = ElementwiseMath.upperBound(p1);
        double slope = (double) p0;
        switch (op) {
            case RELU: for (int i = 0; i < n; i++) y.put(i, Select.keepOrZero(!(s.get(i) <= 0), g.get(i))); break;
            case LEAKY_RELU: for (int i = 0; i < n; i++) { double v = g.get(i); y.put(i, Select.pick(s.get(i) > 0, v, v * slope)); } break;
            case EXP: for (int i = 0; i < n; i++) y.put(i, g.get(i) * s.get(i)); break;
            case CLAMP: for (int i = 0; i < n; i++) { double v = s.get(i); y.put(i, Select.keepOrZero(v >= lo & v <= hi, g.get(i))); } break;
            case TANH: for (int i = 0; i < n; i++) { double v = s.get(i); y.put(i, (double) (g.get(i) * (1.0 - v * v))); } break;
            case SIGMOID: for (int i = 0; i < n; i++) { double v = s.get(i); y.put(i, (double) (g.get(i) * (1.0 - v) * v)); } break;
            case GELU: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.geluGrad(g.get(i), s.get(i))); break;
            case GELU_TANH: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.geluTanhGrad(g.get(i), s.get(i))); break;
            case SILU: for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.siluGrad(g.get(i), s.get(i))); break;
            default: // the other ops: one dispatch per element
                for (int i = 0; i < n; i++) y.put(i, (double) ElementwiseMath.unaryGrad(op, g.get(i), s.get(i), p0, p1));
        }
    }

    // ---- binary ---------------------------------------------------------------------------------------------

    static void binary(BinaryOp op, DoubleBuffer a, int oa, int sa, DoubleBuffer b, int ob, int sb, DoubleBuffer y,
                       int oy, int sy, int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) {
                y.put(jy, (double) ElementwiseMath.binary(op, a.get(ja), b.get(jb)));
            }
        } else if (sy == 1 && sa == 1 && sb == 1) {
            binaryVV(op, a.slice(oa, n), b.slice(ob, n), y.slice(oy, n), n);
        } else if (sy == 1 && sa == 1 && sb == 0) {
            binaryVS(op, a.slice(oa, n), b.get(ob), y.slice(oy, n), n);
        } else if (sy == 1 && sa == 0 && sb == 1) {
            binarySV(op, a.get(oa), b.slice(ob, n), y.slice(oy, n), n);
        } else {
            Scratch s = Scratch.get();
            for (int done = 0; done < n; done += Scratch.BLOCK) {
                int m = Math.min(Scratch.BLOCK, n - done);
                DoubleBuffer out = sy == 1 ? y.slice(oy + done, m) : s.doubles(2);
                if (sa == 0) {
                    binarySV(op, a.get(oa), operand(b, ob + done * sb, sb, s.doubles(1), m), out, m);
                } else if (sb == 0) {
                    binaryVS(op, operand(a, oa + done * sa, sa, s.doubles(0), m), b.get(ob), out, m);
                } else {
                    binaryVV(op, operand(a, oa + done * sa, sa, s.doubles(0), m),
                            operand(b, ob + done * sb, sb, s.doubles(1), m), out, m);
                }
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void binaryVV(BinaryOp op, DoubleBuffer a, DoubleBuffer b, DoubleBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a.get(i) + b.get(i)); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a.get(i) - b.get(i)); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a.get(i) * b.get(i)); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a.get(i) / b.get(i)); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a.get(i), b.get(i))); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a.get(i), b.get(i))); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (double) Math.pow(a.get(i), b.get(i))); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    private static void binaryVS(BinaryOp op, DoubleBuffer a, double b, DoubleBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a.get(i) + b); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a.get(i) - b); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a.get(i) * b); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a.get(i) / b); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a.get(i), b)); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a.get(i), b)); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (double) Math.pow(a.get(i), b)); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    private static void binarySV(BinaryOp op, double a, DoubleBuffer b, DoubleBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a + b.get(i)); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a - b.get(i)); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a * b.get(i)); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a / b.get(i)); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a, b.get(i))); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a, b.get(i))); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (double) Math.pow(a, b.get(i))); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    // ---- comparisons, fused updates, where (strided loops: one op per loop, no gathering) ---------------------

    static void compare(BinaryOp op, DoubleBuffer a, int oa, int sa, DoubleBuffer b, int ob, int sb, ByteBuffer y,
                        int oy, int sy, int n) {
        switch (op) {
            case EQ: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) == b.get(jb) ? 1 : 0)); break;
            case NE: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) != b.get(jb) ? 1 : 0)); break;
            case LT: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) < b.get(jb) ? 1 : 0)); break;
            case LE: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) <= b.get(jb) ? 1 : 0)); break;
            case GT: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) > b.get(jb) ? 1 : 0)); break;
            case GE: for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) y.put(jy, (byte) (a.get(ja) >= b.get(jb) ? 1 : 0)); break;
            default: // logical ops: one dispatch per element
                for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) {
                    y.put(jy, (byte) (ElementwiseMath.compare(op, a.get(ja), b.get(jb)) ? 1 : 0));
                }
        }
    }

    /** a + value*b*c or a + value*b/c, left to right as PyTorch computes it. */
    static void ternary(TernaryOp op, double value, DoubleBuffer a, int oa, int sa, DoubleBuffer b, int ob, int sb,
                        DoubleBuffer c, int oc, int sc, DoubleBuffer y, int oy, int sy, int n) {
        double v = (double) value;
        boolean mul = op == TernaryOp.ADDCMUL;
        if (n >= SLICE_MIN && sa == 1 && sb == 1 && sy == 1 && (sc == 1 || sc == 0)) {
            DoubleBuffer x = a.slice(oa, n);
            DoubleBuffer z = b.slice(ob, n);
            DoubleBuffer w = y.slice(oy, n);
            if (sc == 0) {
                double k = c.get(oc);
                if (mul) {
                    for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) * k);
                } else {
                    for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) / k);
                }
                return;
            }
            DoubleBuffer u = c.slice(oc, n);
            if (mul) {
                for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) * u.get(i));
            } else {
                for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) / u.get(i));
            }
            return;
        }
        if (mul) {
            for (int i = 0, ja = oa, jb = ob, jc = oc, jy = oy; i < n; i++, ja += sa, jb += sb, jc += sc, jy += sy) {
                y.put(jy, a.get(ja) + v * b.get(jb) * c.get(jc));
            }
        } else {
            for (int i = 0, ja = oa, jb = ob, jc = oc, jy = oy; i < n; i++, ja += sa, jb += sb, jc += sc, jy += sy) {
                y.put(jy, a.get(ja) + v * b.get(jb) / c.get(jc));
            }
        }
    }

    static void where(ByteBuffer m, int om, int sm, DoubleBuffer a, int oa, int sa, DoubleBuffer b, int ob, int sb,
                      DoubleBuffer y, int oy, int sy, int n) {
        for (int i = 0, jm = om, ja = oa, jb = ob, jy = oy; i < n; i++, jm += sm, ja += sa, jb += sb, jy += sy) {
            y.put(jy, Select.pick(m.get(jm) != 0, a.get(ja), b.get(jb)));
        }
    }

    // ---- gathering --------------------------------------------------------------------------------------------

    /** The {@code m} elements from {@code off} by {@code stride}: a slice when contiguous, else gathered. */
    private static DoubleBuffer operand(DoubleBuffer src, int off, int stride, DoubleBuffer scratch, int m) {
        if (stride == 1) {
            return src.slice(off, m);
        }
        for (int i = 0, j = off; i < m; i++, j += stride) {
            scratch.put(i, src.get(j));
        }
        return scratch;
    }

    /** Writes a block computed in scratch back to a strided output (nothing to do for a slice of it). */
    private static void scatter(DoubleBuffer block, DoubleBuffer dst, int off, int stride, int m) {
        if (stride == 1) {
            return;
        }
        for (int i = 0, j = off; i < m; i++, j += stride) {
            dst.put(j, block.get(i));
        }
    }
}

package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.ElementwiseMath;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * FP32 elementwise loops over one run: an offset and a stride (in elements) per operand and a length.
 *
 * <p>How the loops are shaped, and why: C2 compiles a loop over {@code buffer.slice(offset, n)} indexed by the plain
 * loop counter into tight scalar code, but the same loop indexed by {@code offset + i} or {@code i * stride} runs
 * 2-5x slower. (Not vectorised: on JDK 17 C2 does not vectorise loops over direct buffers; in cache these loops take
 * 0.4-0.6 ns per element against 0.1 ns for the same loop over heap arrays. Memory-bound ops lose little by it;
 * {@link ExactExp} copies blocks into arrays because its polynomial is compute-bound.) So the math lives only in unit-stride loops over slices ({@code *Unit},
 * {@code *VV}, {@code *VS}, {@code *SV}: V a vector, S a broadcast scalar), with the op chosen by a switch outside
 * the loop, and data-dependent choices are branch-free ({@link Select}). Strided runs are gathered block by block
 * into {@link Scratch} buffers, computed there and scattered back; runs shorter than {@link #SLICE_MIN} take a
 * per-element path. Arithmetic, min/max, abs, neg, square, relu, leaky_relu and clamp are computed in float
 * (rounding exactly as a double computation rounded once would); every other op computes
 * {@code (float) f((double) x)} with the shared {@link ElementwiseMath} functions ({@code exp},
 * {@code sigmoid}, {@code silu} and {@code tanh} through {@link ExactExp}, {@code gelu} and tanh {@code gelu} through
 * {@link ExactGelu}, which give the same floats faster), so the results equal the reference backend's bit for bit.
 *
 * <p>{@code DoubleLoops} is this file with float replaced by double (Java has no primitive generics): keep the two
 * in step. This is a kernel collection, hence its length.
 */
final class FloatLoops {

    /** Shorter runs skip the slicing (three small allocations) and dispatch per element. */
    static final int SLICE_MIN = 32;

    private FloatLoops() {
    }

    // ---- unary ----------------------------------------------------------------------------------------------

    static void unary(UnaryOp op, double p0, double p1, FloatBuffer x, int ox, int sx, FloatBuffer y, int oy, int sy,
                      int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, jx = ox, jy = oy; i < n; i++, jx += sx, jy += sy) {
                y.put(jy, (float) ElementwiseMath.unary(op, x.get(jx), p0, p1));
            }
        } else if (sx == 1 && sy == 1) {
            unaryUnit(op, p0, p1, x.slice(ox, n), y.slice(oy, n), n);
        } else {
            Scratch s = Scratch.get();
            for (int done = 0; done < n; done += Scratch.BLOCK) {
                int m = Math.min(Scratch.BLOCK, n - done);
                FloatBuffer in = operand(x, ox + done * sx, sx, s.floats(0), m);
                FloatBuffer out = sy == 1 ? y.slice(oy + done, m) : s.floats(1);
                unaryUnit(op, p0, p1, in, out, m);
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void unaryUnit(UnaryOp op, double p0, double p1, FloatBuffer x, FloatBuffer y, int n) {
        float lo = (float) ElementwiseMath.lowerBound(p0);
        float hi = (float) ElementwiseMath.upperBound(p1);
        float slope = (float) p0;
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) y.put(i, -x.get(i)); break;
            case ABS: for (int i = 0; i < n; i++) y.put(i, Math.abs(x.get(i))); break;
            case SQUARE: for (int i = 0; i < n; i++) { float v = x.get(i); y.put(i, v * v); } break;
            case RELU: for (int i = 0; i < n; i++) y.put(i, Math.max(x.get(i), 0f)); break;
            case LEAKY_RELU: for (int i = 0; i < n; i++) { float v = x.get(i); y.put(i, Math.max(v, 0f) + Math.min(v, 0f) * slope); } break;
            case CLAMP: for (int i = 0; i < n; i++) y.put(i, Math.min(Math.max(x.get(i), lo), hi)); break;
            case EXP: ExactExp.exp(x, y, n); break;
            case LOG: for (int i = 0; i < n; i++) y.put(i, (float) Math.log(x.get(i))); break;
            case SQRT: for (int i = 0; i < n; i++) y.put(i, (float) Math.sqrt(x.get(i))); break;
            case RSQRT: for (int i = 0; i < n; i++) y.put(i, (float) (1.0 / Math.sqrt(x.get(i)))); break;
            case SIN: for (int i = 0; i < n; i++) y.put(i, (float) Math.sin(x.get(i))); break;
            case COS: for (int i = 0; i < n; i++) y.put(i, (float) Math.cos(x.get(i))); break;
            case RECIPROCAL: for (int i = 0; i < n; i++) y.put(i, (float) (1.0 / x.get(i))); break;
            case TANH: ExactExp.tanh(x, y, n); break;
            case SIGMOID: ExactExp.sigmoid(false, x, y, n); break;
            case GELU: ExactGelu.gelu(x, y, n); break;
            case GELU_TANH: ExactGelu.geluTanh(x, y, n); break;
            case SILU: ExactExp.sigmoid(true, x, y, n); break;
            case SOFTPLUS: for (int i = 0; i < n; i++) y.put(i, (float) ElementwiseMath.softplus(x.get(i), p0, p1)); break;
            case ELU: for (int i = 0; i < n; i++) y.put(i, (float) ElementwiseMath.elu(x.get(i), p0)); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (float) ElementwiseMath.pow(x.get(i), p0)); break;
            default: // rare ops (sign, affine): one dispatch per element
                for (int i = 0; i < n; i++) y.put(i, (float) ElementwiseMath.unary(op, x.get(i), p0, p1));
        }
    }

    // ---- unary backward ---------------------------------------------------------------------------------------

    static void unaryBackward(UnaryOp op, double p0, double p1, FloatBuffer g, int og, int sg, FloatBuffer s, int os,
                              int ss, FloatBuffer y, int oy, int sy, int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, jg = og, js = os, jy = oy; i < n; i++, jg += sg, js += ss, jy += sy) {
                y.put(jy, (float) ElementwiseMath.unaryGrad(op, g.get(jg), s.get(js), p0, p1));
            }
        } else if (sg == 1 && ss == 1 && sy == 1) {
            unaryBackwardUnit(op, p0, p1, g.slice(og, n), s.slice(os, n), y.slice(oy, n), n);
        } else {
            Scratch sc = Scratch.get();
            for (int done = 0; done < n; done += Scratch.BLOCK) {
                int m = Math.min(Scratch.BLOCK, n - done);
                FloatBuffer gi = operand(g, og + done * sg, sg, sc.floats(0), m);
                FloatBuffer si = operand(s, os + done * ss, ss, sc.floats(1), m);
                FloatBuffer out = sy == 1 ? y.slice(oy + done, m) : sc.floats(2);
                unaryBackwardUnit(op, p0, p1, gi, si, out, m);
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void unaryBackwardUnit(UnaryOp op, double p0, double p1, FloatBuffer g, FloatBuffer s,
                                          FloatBuffer y, int n) {
        double lo = ElementwiseMath.lowerBound(p0);
        double hi = ElementwiseMath.upperBound(p1);
        float slope = (float) p0;
        switch (op) {
            case RELU: for (int i = 0; i < n; i++) y.put(i, Select.keepOrZero(!(s.get(i) <= 0), g.get(i))); break;
            case LEAKY_RELU: for (int i = 0; i < n; i++) { float v = g.get(i); y.put(i, Select.pick(s.get(i) > 0, v, v * slope)); } break;
            case EXP: for (int i = 0; i < n; i++) y.put(i, g.get(i) * s.get(i)); break;
            case CLAMP: for (int i = 0; i < n; i++) { float v = s.get(i); y.put(i, Select.keepOrZero(v >= lo & v <= hi, g.get(i))); } break;
            case TANH: for (int i = 0; i < n; i++) { double v = s.get(i); y.put(i, (float) (g.get(i) * (1.0 - v * v))); } break;
            case SIGMOID: for (int i = 0; i < n; i++) { double v = s.get(i); y.put(i, (float) (g.get(i) * (1.0 - v) * v)); } break;
            case GELU: ExactGelu.geluGrad(g, s, y, n); break;
            case GELU_TANH: ExactGelu.geluTanhGrad(g, s, y, n); break;
            case SILU: ExactExp.siluGrad(g, s, y, n); break;
            default: // the other ops: one dispatch per element
                for (int i = 0; i < n; i++) y.put(i, (float) ElementwiseMath.unaryGrad(op, g.get(i), s.get(i), p0, p1));
        }
    }

    // ---- binary ---------------------------------------------------------------------------------------------

    static void binary(BinaryOp op, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb, FloatBuffer y,
                       int oy, int sy, int n) {
        if (n < SLICE_MIN) {
            for (int i = 0, ja = oa, jb = ob, jy = oy; i < n; i++, ja += sa, jb += sb, jy += sy) {
                y.put(jy, (float) ElementwiseMath.binary(op, a.get(ja), b.get(jb)));
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
                FloatBuffer out = sy == 1 ? y.slice(oy + done, m) : s.floats(2);
                if (sa == 0) {
                    binarySV(op, a.get(oa), operand(b, ob + done * sb, sb, s.floats(1), m), out, m);
                } else if (sb == 0) {
                    binaryVS(op, operand(a, oa + done * sa, sa, s.floats(0), m), b.get(ob), out, m);
                } else {
                    binaryVV(op, operand(a, oa + done * sa, sa, s.floats(0), m),
                            operand(b, ob + done * sb, sb, s.floats(1), m), out, m);
                }
                scatter(out, y, oy + done * sy, sy, m);
            }
        }
    }

    private static void binaryVV(BinaryOp op, FloatBuffer a, FloatBuffer b, FloatBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a.get(i) + b.get(i)); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a.get(i) - b.get(i)); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a.get(i) * b.get(i)); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a.get(i) / b.get(i)); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a.get(i), b.get(i))); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a.get(i), b.get(i))); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (float) Math.pow(a.get(i), b.get(i))); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    private static void binaryVS(BinaryOp op, FloatBuffer a, float b, FloatBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a.get(i) + b); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a.get(i) - b); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a.get(i) * b); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a.get(i) / b); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a.get(i), b)); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a.get(i), b)); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (float) Math.pow(a.get(i), b)); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    private static void binarySV(BinaryOp op, float a, FloatBuffer b, FloatBuffer y, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(i, a + b.get(i)); break;
            case SUB: for (int i = 0; i < n; i++) y.put(i, a - b.get(i)); break;
            case MUL: for (int i = 0; i < n; i++) y.put(i, a * b.get(i)); break;
            case DIV: for (int i = 0; i < n; i++) y.put(i, a / b.get(i)); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(i, Math.max(a, b.get(i))); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(i, Math.min(a, b.get(i))); break;
            case POW: for (int i = 0; i < n; i++) y.put(i, (float) Math.pow(a, b.get(i))); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    // ---- comparisons, fused updates, where (strided loops: one op per loop, no gathering) ---------------------

    static void compare(BinaryOp op, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb, ByteBuffer y,
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

    /** a + value*b*c or a + value*b/c, each step rounded to float as PyTorch computes FP32. */
    static void ternary(TernaryOp op, double value, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb,
                        FloatBuffer c, int oc, int sc, FloatBuffer y, int oy, int sy, int n) {
        float v = (float) value;
        boolean mul = op == TernaryOp.ADDCMUL;
        if (n >= SLICE_MIN && sa == 1 && sb == 1 && sy == 1 && (sc == 1 || sc == 0)) {
            FloatBuffer x = a.slice(oa, n);
            FloatBuffer z = b.slice(ob, n);
            FloatBuffer w = y.slice(oy, n);
            if (sc == 0) {
                float k = c.get(oc);
                if (mul) {
                    for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) * k);
                } else {
                    for (int i = 0; i < n; i++) w.put(i, x.get(i) + v * z.get(i) / k);
                }
                return;
            }
            FloatBuffer u = c.slice(oc, n);
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

    static void where(ByteBuffer m, int om, int sm, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb,
                      FloatBuffer y, int oy, int sy, int n) {
        for (int i = 0, jm = om, ja = oa, jb = ob, jy = oy; i < n; i++, jm += sm, ja += sa, jb += sb, jy += sy) {
            y.put(jy, Select.pick(m.get(jm) != 0, a.get(ja), b.get(jb)));
        }
    }

    // ---- gathering --------------------------------------------------------------------------------------------

    /** The {@code m} elements from {@code off} by {@code stride}: a slice when contiguous, else gathered. */
    private static FloatBuffer operand(FloatBuffer src, int off, int stride, FloatBuffer scratch, int m) {
        if (stride == 1) {
            return src.slice(off, m);
        }
        for (int i = 0, j = off; i < m; i++, j += stride) {
            scratch.put(i, src.get(j));
        }
        return scratch;
    }

    /** Writes a block computed in scratch back to a strided output (nothing to do for a slice of it). */
    private static void scatter(FloatBuffer block, FloatBuffer dst, int off, int stride, int m) {
        if (stride == 1) {
            return;
        }
        for (int i = 0, j = off; i < m; i++, j += stride) {
            dst.put(j, block.get(i));
        }
    }
}

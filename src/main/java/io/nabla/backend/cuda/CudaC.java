package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;

/**
 * The pieces of CUDA C every generated kernel shares: the prelude (strided layouts, FP16/BF16 conversions with
 * round-to-nearest-even, NaN-propagating max/min, PyTorch's pow special cases) and per-dtype storage types, loads
 * and stores, the offset of {@code (n, c, y, x)} in a 4-dim layout ({@code at4}) and a deterministic tree sum over a
 * block of {@link Launch#BLOCK} threads ({@code block_sum}, called by every thread of the block). Floating values
 * are computed in double and rounded once when stored, integers in 64 bits and wrapped when stored, as the reference
 * backend does. The source needs no header (NVRTC includes none): infinity and the
 * sign bit come from bit patterns, math functions are CUDA's built-in device functions. Kernels are compiled without FMA contraction, so every step rounds.
 */
final class CudaC {

    /** The highest rank a generated kernel handles (the size of the layout struct's arrays). */
    static final int MAX_RANK = 8;

    static final String PRELUDE = """
            #ifndef NABLA_PRELUDE
            #define NABLA_PRELUDE
            typedef long long i64;
            #define NABLA_INF __longlong_as_double(0x7ff0000000000000LL)
            struct L { i64 off; i64 rank; i64 size[8]; i64 stride[8]; };
            __device__ __forceinline__ i64 at(const L& l, i64 i) {
              i64 o = l.off;
              for (int d = (int) l.rank - 1; d >= 0; d--) { i64 s = l.size[d]; o += (i % s) * l.stride[d]; i /= s; }
              return o;
            }
            __device__ __forceinline__ float h2f(unsigned short h) {
              unsigned int sign = ((unsigned int) h & 0x8000u) << 16; int e = (h >> 10) & 0x1f; unsigned int m = h & 0x3ffu;
              if (e == 0x1f) return __uint_as_float(sign | 0x7f800000u | (m << 13));
              if (e == 0) { float v = (float) m * 5.9604644775390625e-8f; return sign ? -v : v; }
              return __uint_as_float(sign | ((unsigned int) (e + 112) << 23) | (m << 13));
            }
            __device__ __forceinline__ unsigned short f2h(float f) {
              unsigned int b = __float_as_uint(f); unsigned int sign = (b >> 16) & 0x8000u; unsigned int a = b & 0x7fffffffu;
              if (a >= 0x7f800000u) return (unsigned short) (sign | 0x7c00u | (a > 0x7f800000u ? (0x200u | ((a >> 13) & 0x3ffu)) : 0u));
              if (a >= 0x477ff000u) return (unsigned short) (sign | 0x7c00u);
              if (a < 0x38800000u) { float v = __uint_as_float(a); return (unsigned short) (sign | (unsigned int) rintf(v * 16777216.0f)); }
              unsigned int e = (a >> 23) - 112; unsigned int m = a & 0x7fffffu; unsigned int h = (e << 10) | (m >> 13); unsigned int r = m & 0x1fffu;
              if (r > 0x1000u || (r == 0x1000u && (h & 1u))) h++;
              return (unsigned short) (sign | h);
            }
            __device__ __forceinline__ float b2f(unsigned short b) { return __uint_as_float(((unsigned int) b) << 16); }
            __device__ __forceinline__ unsigned short f2b(float f) {
              unsigned int b = __float_as_uint(f);
              if ((b & 0x7fffffffu) > 0x7f800000u) return (unsigned short) ((b >> 16) | 0x40u);
              b += 0x7fffu + ((b >> 16) & 1u); return (unsigned short) (b >> 16);
            }
            __device__ __forceinline__ double nmax(double a, double b) { return a != a ? a : (b != b ? b : (a > b ? a : (b > a ? b : (a == 0.0 && b == 0.0 ? ((__double_as_longlong(a) < 0) ? b : a) : a)))); }
            __device__ __forceinline__ double nmin(double a, double b) { return a != a ? a : (b != b ? b : (a < b ? a : (b < a ? b : (a == 0.0 && b == 0.0 ? ((__double_as_longlong(a) < 0) ? a : b) : a)))); }
            __device__ __forceinline__ i64 imax(i64 a, i64 b) { return a > b ? a : b; }
            __device__ __forceinline__ i64 imin(i64 a, i64 b) { return a < b ? a : b; }
            __device__ __forceinline__ double dpow(double x, double e) {
              if (e == 2.0) return x * x; if (e == 3.0) return x * x * x; if (e == 0.5) return sqrt(x);
              if (e == -0.5) return 1.0 / sqrt(x); if (e == -1.0) return 1.0 / x; if (e == -2.0) return 1.0 / (x * x);
              return pow(x, e);
            }
            __device__ __forceinline__ i64 ipow(i64 b, i64 e) {
              if (e < 0) { if (b == 1) return 1; return b == -1 ? ((e & 1) == 0 ? 1 : -1) : 0; }
              i64 r = 1; while (e > 0) { if (e & 1) r *= b; b *= b; e >>= 1; } return r;
            }
            __device__ __forceinline__ i64 d2l(double v) { return v != v ? 0 : (v >= 9.2233720368547758e18 ? 9223372036854775807LL : (v <= -9.2233720368547758e18 ? (-9223372036854775807LL - 1) : (i64) v)); }
            __device__ __forceinline__ i64 at4(const L& l, i64 n, i64 c, i64 y, i64 x) {
              return l.off + n * l.stride[0] + c * l.stride[1] + y * l.stride[2] + x * l.stride[3];
            }
            __device__ __forceinline__ double block_sum(double v, double* buf) {
              int t = threadIdx.x; buf[t] = v; __syncthreads();
              for (int s = blockDim.x / 2; s > 0; s >>= 1) { if (t < s) buf[t] += buf[t + s]; __syncthreads(); }
              double r = buf[0]; __syncthreads(); return r;
            }
            #define GRID_LOOP(i, n) for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < (n); i += (i64) blockDim.x * gridDim.x)
            #endif
            """;

    private CudaC() {
    }

    /** The C type an element of {@code t} is stored as (FP16/BF16 as raw bits, BOOL as a byte). */
    static String type(DType t) {
        return switch (t) {
            case BOOL, UINT8 -> "unsigned char";
            case INT8 -> "signed char";
            case INT16 -> "short";
            case INT32 -> "int";
            case INT64 -> "i64";
            case FP16, BF16 -> "unsigned short";
            case FP32 -> "float";
            case FP64 -> "double";
        };
    }

    /** A short tag for kernel names. */
    static String tag(DType t) {
        return t.name().toLowerCase();
    }

    /** {@code e} (a stored element) as a double. */
    static String loadF(DType t, String e) {
        return switch (t) {
            case FP16 -> "(double) h2f(" + e + ")";
            case BF16 -> "(double) b2f(" + e + ")";
            case BOOL -> "((" + e + ") != 0 ? 1.0 : 0.0)";
            case FP64 -> "(" + e + ")";
            default -> "(double) (" + e + ")";
        };
    }

    /** {@code e} (a stored element) as a 64-bit integer (floating values truncated as Java's cast does). */
    static String loadI(DType t, String e) {
        if (t.isFloatingPoint()) {
            return "d2l(" + loadF(t, e) + ")";
        }
        return t == DType.BOOL ? "(i64) ((" + e + ") != 0)" : "(i64) (" + e + ")";
    }

    /** The stored form of the double {@code v}: floats rounded once (FP16/BF16 through float), integers truncated. */
    static String storeF(DType t, String v) {
        return switch (t) {
            case FP32 -> "(float) (" + v + ")";
            case FP64 -> "(" + v + ")";
            case FP16 -> "f2h((float) (" + v + "))";
            case BF16 -> "f2b((float) (" + v + "))";
            case BOOL -> "(unsigned char) ((" + v + ") != 0)";
            default -> "(" + type(t) + ") d2l(" + v + ")";
        };
    }

    /** The stored form of the 64-bit integer {@code v}: wrapped for narrow integers. */
    static String storeI(DType t, String v) {
        if (t.isFloatingPoint()) {
            return storeF(t, "(double) (" + v + ")");
        }
        return t == DType.BOOL ? "(unsigned char) ((" + v + ") != 0)" : "(" + type(t) + ") (" + v + ")";
    }

    /** "c" for a contiguous layout, "s" for a strided one: part of a kernel's signature. */
    static String contiguity(Layout l) {
        return l.isContiguous() ? "c" : "s";
    }

    /** The element offset expression of operand {@code k} at flat index {@code i}. */
    static String offset(int k, boolean contiguous) {
        return contiguous ? "(l" + k + ".off + i)" : "at(l" + k + ", i)";
    }
}

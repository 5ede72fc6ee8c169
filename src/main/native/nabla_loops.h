// FP32 elementwise loops that the JVM cannot write: AVX2 with non-temporal stores (io.nabla.backend.cpu.NativeLoops
// says why and when they are used). Compiled by JavaCPP's build goal into libjniNativeLoops.so; every function takes
// raw addresses, and the caller has checked them (bounds, overlap). Each element is computed as Java computes it:
// one IEEE operation per element for add/sub/mul/div (a + alpha * b, with alpha = 1 or -1 exact), nothing fused.
#include <immintrin.h>
#include <stdint.h>

namespace nabla {

enum Op { ADD = 0, SUB = 1, MUL = 2, DIV = 3 };

static inline float scalar(int op, float x, float z) {
    switch (op) {
        case ADD: return x + z;
        case SUB: return x - z;
        case MUL: return x * z;
        default: return x / z;
    }
}

template <int OP>
__attribute__((target("avx2"))) static inline __m256 vector(__m256 x, __m256 z) {
    if (OP == ADD) return _mm256_add_ps(x, z);
    if (OP == SUB) return _mm256_sub_ps(x, z);
    if (OP == MUL) return _mm256_mul_ps(x, z);
    return _mm256_div_ps(x, z);
}

// y[i] = a[i] op b[i] for n floats; stream: non-temporal stores (y is written without being read into the cache).
template <int OP>
__attribute__((target("avx2"))) static void binary(const float* a, const float* b, float* y, int64_t n, bool stream) {
    int64_t i = 0;
    // scalar up to y's first 32-byte boundary: streaming stores need aligned addresses
    while (i < n && (((uintptr_t) (y + i)) & 31) != 0) {
        y[i] = scalar(OP, a[i], b[i]);
        i++;
    }
    if (stream) {
        for (; i + 16 <= n; i += 16) {
            __m256 r0 = vector<OP>(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
            __m256 r1 = vector<OP>(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
            _mm256_stream_ps(y + i, r0);
            _mm256_stream_ps(y + i + 8, r1);
        }
        _mm_sfence(); // the streamed stores are visible before whatever this thread stores next
    } else {
        for (; i + 16 <= n; i += 16) {
            __m256 r0 = vector<OP>(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
            __m256 r1 = vector<OP>(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
            _mm256_store_ps(y + i, r0);
            _mm256_store_ps(y + i + 8, r1);
        }
    }
    for (; i < n; i++) {
        y[i] = scalar(OP, a[i], b[i]);
    }
}

// The sum of n floats: blocks of 128 added in float (8 lanes x 4 accumulators, chains of 4, then 3 adds), each
// block's 8 lane totals added in double; the last n % 128 in double one by one.
__attribute__((target("avx2"))) static inline void sumBlock(const float* p, __m256d* d0, __m256d* d1) {
    __m256 s0 = _mm256_loadu_ps(p), s1 = _mm256_loadu_ps(p + 8);
    __m256 s2 = _mm256_loadu_ps(p + 16), s3 = _mm256_loadu_ps(p + 24);
    for (int k = 32; k < 128; k += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p + k));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p + k + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p + k + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p + k + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    *d0 = _mm256_add_pd(*d0, _mm256_cvtps_pd(_mm256_castps256_ps128(s)));
    *d1 = _mm256_add_pd(*d1, _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1)));
}

// The end of sum: the accumulators' total, then the floats [i, n) one by one.
__attribute__((target("avx2"))) static inline double sumFinish(__m256d d0, __m256d d1, const float* a, int64_t i,
                                                              int64_t n) {
    double t[4];
    _mm256_storeu_pd(t, _mm256_add_pd(d0, d1));
    double total = (t[0] + t[1]) + (t[2] + t[3]);
    for (; i < n; i++) {
        total += a[i];
    }
    return total;
}

__attribute__((target("avx2"))) static double sum(const float* a, int64_t n) {
    __m256d d0 = _mm256_setzero_pd(), d1 = d0;
    int64_t i = 0;
    for (; i + 128 <= n; i += 128) {
        sumBlock(a + i, &d0, &d1);
    }
    return sumFinish(d0, d1, a, i, n);
}

// The sums of four runs (a[k], n[k] floats), each exactly as sum() adds it, into out[k]; their blocks are read in
// turn, four streams at once. One core reading one stream from memory keeps too few requests in flight to use its
// share of the bandwidth: in a C harness on this VM, 16M floats summed by two threads in pieces dealt four at a time
// took 1.47 ms where one piece at a time took 2.76 (PyTorch's sum, halves: 1.84).
__attribute__((target("avx2"))) static void sum4(const float* const* a, const int64_t* n, double* out) {
    __m256d d0[4], d1[4];
    int64_t common = n[0];
    for (int k = 0; k < 4; k++) {
        d0[k] = d1[k] = _mm256_setzero_pd();
        common = n[k] < common ? n[k] : common;
    }
    int64_t i = 0;
    for (; i + 128 <= common; i += 128) {
        sumBlock(a[0] + i, &d0[0], &d1[0]);
        sumBlock(a[1] + i, &d0[1], &d1[1]);
        sumBlock(a[2] + i, &d0[2], &d1[2]);
        sumBlock(a[3] + i, &d0[3], &d1[3]);
    }
    for (int k = 0; k < 4; k++) {
        int64_t j = i;
        for (; j + 128 <= n[k]; j += 128) {
            sumBlock(a[k] + j, &d0[k], &d1[k]);
        }
        out[k] = sumFinish(d0[k], d1[k], a[k], j, n[k]);
    }
}


// ---- 2x2 max pooling with column stride 2 (io.nabla.backend.cpu.CpuConvKernels.maxPool2x2F, value for value) ------
//
// Each output is the first of its four taps (top-left, top-right, bottom-left, bottom-right) that equals their max
// (-0 equals +0, so a zero's sign is its tap's), or the last NaN among them when one is NaN; its index is that tap's
// flat position y * width + x in the plane. The taps' bits are copied, never recomputed.

// The scalar loop for outputs [from, to) of one row: top and bottom rows, the row's first window index base.
static inline void maxPool2x2Tail(const float* top, const float* bottom, float* out, int64_t* idx, int from, int to,
                                  int64_t base, int64_t width) {
    for (int ox = from; ox < to; ox++) {
        float b[4] = {top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]};
        int k = -1;
        for (int t = 3; t >= 0; t--) {
            if (b[t] != b[t]) {
                k = t;
                break;
            }
        }
        if (k < 0) {
            float m = b[0];
            for (int t = 1; t < 4; t++) {
                m = b[t] > m ? b[t] : m;
            }
            for (k = 0; b[k] != m; k++) {
            }
        }
        out[ox] = b[k];
        idx[ox] = base + (k >> 1) * width + 2 * (int64_t) ox + (k & 1);
    }
}

// oh x ow outputs of one plane: window (oy, ox) has its top-left tap at img[oy * rowStep + 2 ox], its bottom row
// rowStride floats below; outputs and indices are rows of ow contiguous elements, outRow and idxRow apart; sh is
// the window's row step in input rows (for the indices), width the plane's width.
__attribute__((target("avx2"))) static void maxPool2x2(const float* img, int64_t rowStep, int64_t rowStride, int oh,
                                                       int ow, float* out, int64_t outRow, int64_t* idx,
                                                       int64_t idxRow, int sh, int64_t width) {
    const __m256i lanes = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    for (int oy = 0; oy < oh; oy++) {
        const float* top = img + oy * rowStep;
        const float* bottom = top + rowStride;
        float* o = out + oy * outRow;
        int64_t* ix = idx + oy * idxRow;
        int64_t base = (int64_t) oy * sh * width;
        int ox = 0;
        for (; ox + 8 <= ow; ox += 8) {
            __m256 t0 = _mm256_loadu_ps(top + 2 * ox);
            __m256 t1 = _mm256_loadu_ps(top + 2 * ox + 8);
            __m256 u0 = _mm256_loadu_ps(bottom + 2 * ox);
            __m256 u1 = _mm256_loadu_ps(bottom + 2 * ox + 8);
            // even and odd columns, in order: shuffle within 128-bit lanes, then put the 64-bit pairs in order
            __m256 b0 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(
                    _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
            __m256 b1 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(
                    _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1))), _MM_SHUFFLE(3, 1, 2, 0)));
            __m256 b2 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(
                    _mm256_shuffle_ps(u0, u1, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
            __m256 b3 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(
                    _mm256_shuffle_ps(u0, u1, _MM_SHUFFLE(3, 1, 3, 1))), _MM_SHUFFLE(3, 1, 2, 0)));
            // no NaN: the first tap equal to the max
            __m256 m = _mm256_max_ps(_mm256_max_ps(b0, b1), _mm256_max_ps(b2, b3));
            __m256 sel = b3;
            __m256i k = _mm256_set1_epi32(3);
            __m256 e = _mm256_cmp_ps(b2, m, _CMP_EQ_OQ);
            sel = _mm256_blendv_ps(sel, b2, e);
            k = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(k),
                                                     _mm256_castsi256_ps(_mm256_set1_epi32(2)), e));
            e = _mm256_cmp_ps(b1, m, _CMP_EQ_OQ);
            sel = _mm256_blendv_ps(sel, b1, e);
            k = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(k),
                                                     _mm256_castsi256_ps(_mm256_set1_epi32(1)), e));
            e = _mm256_cmp_ps(b0, m, _CMP_EQ_OQ);
            sel = _mm256_blendv_ps(sel, b0, e);
            k = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(k), _mm256_setzero_ps(), e));
            // a NaN: the last one
            __m256 n1 = _mm256_cmp_ps(b1, b1, _CMP_UNORD_Q);
            __m256 n2 = _mm256_cmp_ps(b2, b2, _CMP_UNORD_Q);
            __m256 n3 = _mm256_cmp_ps(b3, b3, _CMP_UNORD_Q);
            __m256 any = _mm256_or_ps(_mm256_or_ps(_mm256_cmp_ps(b0, b0, _CMP_UNORD_Q), n1), _mm256_or_ps(n2, n3));
            if (!_mm256_testz_ps(any, any)) {
                __m256 nsel = _mm256_blendv_ps(_mm256_blendv_ps(_mm256_blendv_ps(b0, b1, n1), b2, n2), b3, n3);
                __m256i nk = _mm256_castps_si256(_mm256_blendv_ps(_mm256_blendv_ps(_mm256_blendv_ps(
                        _mm256_setzero_ps(), _mm256_castsi256_ps(_mm256_set1_epi32(1)), n1),
                        _mm256_castsi256_ps(_mm256_set1_epi32(2)), n2), _mm256_castsi256_ps(_mm256_set1_epi32(3)), n3));
                sel = _mm256_blendv_ps(sel, nsel, any);
                k = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(k), _mm256_castsi256_ps(nk), any));
            }
            _mm256_storeu_ps(o + ox, sel);
            // index: base + (k >> 1) * width + 2 (ox + lane) + (k & 1)
            __m256i col = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32(2 * ox), lanes),
                                           _mm256_and_si256(k, _mm256_set1_epi32(1)));
            __m256i row = _mm256_srli_epi32(k, 1);
            for (int h = 0; h < 2; h++) {
                __m128i r4 = h == 0 ? _mm256_castsi256_si128(row) : _mm256_extracti128_si256(row, 1);
                __m128i c4 = h == 0 ? _mm256_castsi256_si128(col) : _mm256_extracti128_si256(col, 1);
                __m256i v = _mm256_add_epi64(_mm256_set1_epi64x(base),
                        _mm256_add_epi64(_mm256_mul_epu32(_mm256_cvtepu32_epi64(r4), _mm256_set1_epi64x(width)),
                                         _mm256_cvtepu32_epi64(c4)));
                _mm256_storeu_si256((__m256i*) (ix + ox + 4 * h), v);
            }
        }
        maxPool2x2Tail(top, bottom, o, ix, ox, ow, base, width);
    }
}

// ---- exp, sigmoid, silu, tanh, both gelus and their gradients (ExactExp and ExactGelu, operation for operation) ---
//
// Each result is computed with exactly the IEEE double operations of ExactExp's Java blocks (the same constants, the
// same fused multiply-adds where Java calls Math.fma and separate operations where it does not: contraction is off
// below), so where ExactExp keeps its polynomial's result, this keeps the same double and rounds it to the same float.
// Where ExactExp falls back to the reference (near a rounding midpoint, out of range, NaN, subnormal results), this
// leaves the element unwritten and records its index for the caller, which computes it in Java from the inputs
// (still intact when y is x or g); so do the last n % 4 elements. Sixteen floats go through each op at a time (four
// vectors, their steps interleaved), then four. Exact gelu and its gradient are the exception: for |x| <= 2 they take
// a shorter route to the same floats (see "gelu's centre" below), so their indices for the caller come in no
// particular order.

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

enum ExpKind {
    EXP = 0, SIGMOID = 1, SILU = 2, TANH = 3, SILU_GRAD = 4, GELU_TANH = 5, GELU_TANH_GRAD = 6, GELU = 7, GELU_GRAD = 8
};

struct ExpPoly {
    __m256d t;  // SHIFT + k
    __m256d p;  // exp(r)
};

static const double LOG2E = 1.4426950408889634;
static const double SHIFT = 0x1.8p52;
static const double LN2_LO = 1.90821492927058770002e-10;

__attribute__((target("avx2,fma"))) static inline __m256d splat(double v) {
    return _mm256_set1_pd(v);
}

// U vectors (4 U floats) go through each step of a long serial chain together: U independent chains keep the FMA
// units busy, where one vector at a time leaves them waiting on each step's latency (C2 does not do this for Java).
#define NABLA_EACH _Pragma("GCC unroll 8") for (int j = 0; j < U; j++)

// ExactExp.polynomial's steps after its first: 1/10!, ..., 1/2!, then 1 twice.
static const double EXP_STEPS[11] = {1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
                                     1.0 / 24, 1.0 / 6, 1.0 / 2, 1.0, 1.0};

// ExactExp.polynomial for U vectors: e[j].p = exp(r) and e[j].t = SHIFT + k for x[j] = k ln2 + r.
template <int U>
__attribute__((target("avx2,fma"))) static inline void polynomialU(const __m256d* x, ExpPoly* e) {
    const double ln2hi = 0x1.62e42feep-1;  // fdlibm's split: the bits 0x3fe62e42fee00000
    __m256d r[U];
    __m256d q[U];
    NABLA_EACH {
        e[j].t = _mm256_fmadd_pd(x[j], splat(LOG2E), splat(SHIFT));
        __m256d k = _mm256_sub_pd(e[j].t, splat(SHIFT));
        r[j] = _mm256_fmadd_pd(k, splat(-ln2hi), x[j]);
        r[j] = _mm256_fmadd_pd(k, splat(-LN2_LO), r[j]);
        q[j] = _mm256_fmadd_pd(splat(1.0 / 479001600), r[j], splat(1.0 / 39916800));
    }
    _Pragma("GCC unroll 11") for (int m = 0; m < 11; m++) {
        NABLA_EACH {
            q[j] = _mm256_fmadd_pd(q[j], r[j], splat(EXP_STEPS[m]));
        }
    }
    NABLA_EACH {
        e[j].p = q[j];
    }
}

// exp(r) * 2^k in double (ExactExp.scaled): k + 1023 placed in the exponent bits.
__attribute__((target("avx2,fma"))) static inline __m256d scaled(ExpPoly e) {
    __m256i k = _mm256_sub_epi64(_mm256_castpd_si256(e.t), _mm256_castpd_si256(splat(SHIFT)));
    __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(e.p, _mm256_castsi256_pd(bits));
}

// All-ones lanes where the low 29 bits of d lie within 4096 of 2^28 (ExactExp.nearMidpoint).
__attribute__((target("avx2,fma"))) static inline __m256i nearMidpoint(__m256d d) {
    __m256i low = _mm256_and_si256(_mm256_castpd_si256(d), _mm256_set1_epi64x(0x1FFFFFFF));
    __m256i diff = _mm256_sub_epi64(low, _mm256_set1_epi64x(0x10000000));
    return _mm256_and_si256(_mm256_cmpgt_epi64(diff, _mm256_set1_epi64x(-4096)),
                            _mm256_cmpgt_epi64(_mm256_set1_epi64x(4096), diff));
}

__attribute__((target("avx2,fma"))) static inline __m256d absd(__m256d v) {
    return _mm256_andnot_pd(splat(-0.0), v);
}

// All-ones lanes that ExactExp.exact accepts: x in [-87, 88], |d| >= the smallest normal float, off the midpoint.
__attribute__((target("avx2,fma"))) static inline __m256i exact(__m256d d, __m256d x) {
    __m256d ok = _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(x, splat(-87.0), _CMP_GE_OQ),
                                             _mm256_cmp_pd(x, splat(88.0), _CMP_LE_OQ)),
                               _mm256_cmp_pd(absd(d), splat(0x1p-126), _CMP_GE_OQ));
    return _mm256_andnot_si256(nearMidpoint(d), _mm256_castpd_si256(ok));
}


// ---- tanh-gelu and its gradient (io.nabla.backend.cpu.ExactGelu, operation for operation) -------------------------

// ExactGelu.trusted: a normal float result below half the float overflow, off the rounding midpoint.
__attribute__((target("avx2,fma"))) static inline __m256i trusted(__m256d d) {
    __m256d a = absd(d);
    __m256d ok = _mm256_and_pd(_mm256_cmp_pd(a, splat(0x1p-126), _CMP_GE_OQ),
                               _mm256_cmp_pd(a, splat(0x1.fffffep127 / 2.0), _CMP_LE_OQ));
    return _mm256_andnot_si256(nearMidpoint(d), _mm256_castpd_si256(ok));
}

static const double GELU_TANH_BETA = 0x1.9884533d43651p-1;   // ElementwiseMath: Math.sqrt(2 / Math.PI)
static const double GELU_TANH_KAPPA = 0x1.6e4e26d4801f7p-5;  // 0.044715

// tanh-gelu's argument of exp (ExactGelu's geluTanhBlock), or its gradient's (geluTanhGradBlock, which also keeps
// inner and x^2 for the finish). Java's Math.min and Math.max are minpd/maxpd with the constant first (NaN passes
// through).
__attribute__((target("avx2,fma"))) static inline __m256d geluTanhArgument(bool grad, __m256d x, __m256d* inner,
                                                                          __m256d* x2) {
    if (!grad) {
        *inner = _mm256_mul_pd(splat(GELU_TANH_BETA), _mm256_add_pd(x,
                _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(splat(GELU_TANH_KAPPA), x), x), x)));
        return _mm256_max_pd(splat(-87.0), _mm256_min_pd(splat(87.0), _mm256_mul_pd(splat(-2.0), *inner)));
    }
    *x2 = _mm256_mul_pd(x, x);
    *inner = _mm256_mul_pd(splat(GELU_TANH_BETA), _mm256_add_pd(x,
            _mm256_mul_pd(_mm256_mul_pd(splat(GELU_TANH_KAPPA), *x2), x)));
    return _mm256_max_pd(splat(-87.0), _mm256_mul_pd(splat(-2.0), absd(*inner)));
}

// tanh-gelu (g unused) or its gradient from exp of its argument: the results, and in *ok the lanes ExactGelu would
// keep. Where Java's max(0, -0.0) is 0.0 and maxpd's -0.0, adding 0.0 makes it 0.0 and changes nothing else.
__attribute__((target("avx2,fma"))) static inline __m256d geluTanhFinish(bool grad, __m256d x, __m256d g,
                                                                        __m256d inner, __m256d x2, ExpPoly ep,
                                                                        __m256i* ok) {
    __m256d one = splat(1.0);
    if (!grad) {
        __m256d p = _mm256_div_pd(splat(2.0), _mm256_add_pd(one, scaled(ep)));  // 1 + tanh(inner)
        __m256d d = _mm256_mul_pd(_mm256_mul_pd(splat(0.5), x), p);
        *ok = _mm256_and_si256(_mm256_castpd_si256(_mm256_cmp_pd(p, splat(0x1p-9), _CMP_GE_OQ)), trusted(d));
        return d;
    }
    __m256d e = scaled(ep);  // exp(-2 |inner|)
    __m256d inv = _mm256_div_pd(one, _mm256_add_pd(one, e));
    __m256d h = _mm256_min_pd(one, _mm256_max_pd(splat(0.0), _mm256_mul_pd(inner, splat(0x1p1000))));
    h = _mm256_add_pd(h, splat(0.0));
    __m256d onePlusT = _mm256_mul_pd(_mm256_mul_pd(splat(2.0), inv),
                                     _mm256_add_pd(h, _mm256_mul_pd(_mm256_sub_pd(one, h), e)));
    __m256d oneMinusT2 = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(splat(4.0), e), inv), inv);
    __m256d left = _mm256_mul_pd(splat(0.5), x);
    __m256d coefficient = _mm256_mul_pd(splat(GELU_TANH_BETA),
            _mm256_add_pd(one, _mm256_mul_pd(splat(3.0 * GELU_TANH_KAPPA), x2)));
    __m256d p = _mm256_add_pd(_mm256_mul_pd(splat(0.5), onePlusT),
                              _mm256_mul_pd(_mm256_mul_pd(left, oneMinusT2), coefficient));
    __m256d scale = _mm256_add_pd(splat(0.6), absd(_mm256_mul_pd(left, coefficient)));
    __m256d d = _mm256_mul_pd(g, p);
    __m256d fine = _mm256_cmp_pd(absd(p), _mm256_mul_pd(scale, splat(0x1p-6)), _CMP_GE_OQ);
    *ok = _mm256_and_si256(_mm256_castpd_si256(fine), trusted(d));
    return d;
}

// ---- gelu and its gradient (io.nabla.backend.cpu.ExactGelu's geluBlock and geluGradBlock, operation for operation) ---
//
// exp(-w^2) by ExactExp's polynomial and erfcx(min(|z|, 6)) by ExactGelu's 35-term Horner chain, z = x / sqrt 2, the
// two chains' steps interleaved.

// erfcx(3 + v) = sum GELU_E[j] v^j for |v| <= 3 (ExactGelu's E0 ... E34)
static const double GELU_E[35] = {
    0.17900115118138996, -0.054372260007173, 0.01588437115987153,
    -0.0044794310183697604, 0.0012230390523744906, -0.00032412554451572274,
    8.355413963962249e-05, -2.0989464400871262e-05, 5.146436535090698e-06,
    -1.2333678340733513e-06, 2.8926671643299784e-07, -6.646673294839119e-08,
    1.497764503490401e-08, -3.312986338662436e-09, 7.198864294832564e-10,
    -1.5372374312797454e-10, 3.230245920130771e-11, -6.70618704663126e-12,
    1.367431984512322e-12, -2.6738152739972117e-13, 5.271972522542653e-14,
    -1.1946936280783965e-14, 2.3402629095146456e-15, -1.6072188450697735e-16,
    2.541384899175605e-17, -4.145693295753667e-17, 8.055585723428144e-18,
    2.0324300117296484e-18, -3.9443772328943154e-19, -1.6745026453945213e-19,
    3.0741198786781966e-20, 5.5646841553313426e-21, -9.935884742434359e-22,
    -1.3406941570508008e-22, 2.3069334014372258e-23,
};
static const double SQRT1_2 = 0x1.6a09e667f3bcdp-1;      // ElementwiseMath.SQRT1_2 = Math.sqrt(0.5)
static const double NORMAL_PDF0 = 0x1.9884533d43651p-2;  // ElementwiseMath.NORMAL_PDF0 = 1 / Math.sqrt(2 pi)

// gelu (g unused) or its gradient for U vectors: the results in d, and in ok the lanes ExactGelu would keep.
template <int U>
__attribute__((target("avx2,fma"))) static inline void geluU(bool grad, const __m256d* x, const __m256d* g,
                                                             __m256d* d, __m256i* ok) {
    const double ln2hi = 0x1.62e42feep-1;
    __m256d t[U], r[U], p[U], v[U], h[U];
    NABLA_EACH {
        __m256d a = absd(_mm256_mul_pd(x[j], splat(SQRT1_2)));
        __m256d w = _mm256_min_pd(splat(grad ? 8.5 : 6.0), a);  // Math.min(a, expLimit)
        v[j] = _mm256_sub_pd(_mm256_min_pd(splat(6.0), a), splat(3.0));
        __m256d e = _mm256_xor_pd(_mm256_mul_pd(w, w), splat(-0.0));  // -(w * w)
        t[j] = _mm256_fmadd_pd(e, splat(LOG2E), splat(SHIFT));
        __m256d k = _mm256_sub_pd(t[j], splat(SHIFT));
        r[j] = _mm256_fmadd_pd(k, splat(-ln2hi), e);
        r[j] = _mm256_fmadd_pd(k, splat(-LN2_LO), r[j]);
        p[j] = _mm256_fmadd_pd(splat(1.0 / 479001600), r[j], splat(1.0 / 39916800));
        h[j] = _mm256_fmadd_pd(splat(GELU_E[34]), v[j], splat(GELU_E[33]));
    }
    _Pragma("GCC unroll 11") for (int m = 0; m < 11; m++) {
        NABLA_EACH {
            p[j] = _mm256_fmadd_pd(p[j], r[j], splat(EXP_STEPS[m]));
            h[j] = _mm256_fmadd_pd(h[j], v[j], splat(GELU_E[32 - m]));
        }
    }
    _Pragma("GCC unroll 22") for (int m = 21; m >= 0; m--) {
        NABLA_EACH {
            h[j] = _mm256_fmadd_pd(h[j], v[j], splat(GELU_E[m]));
        }
    }
    NABLA_EACH {
        ExpPoly ep;
        ep.t = t[j];
        ep.p = p[j];
        __m256d e = scaled(ep);
        __m256d erfc = _mm256_mul_pd(e, h[j]);
        // onePlusErf: 0 for x <= 0, 1 for x > 0 (plus 0.0 makes maxpd's -0.0 Java's 0.0)
        __m256d s = _mm256_add_pd(_mm256_min_pd(splat(1.0), _mm256_max_pd(splat(0.0),
                _mm256_mul_pd(x[j], splat(0x1p1000)))), splat(0.0));
        __m256d twice = _mm256_mul_pd(splat(2.0), s);
        __m256d c = _mm256_fmadd_pd(_mm256_sub_pd(splat(1.0), twice), erfc, twice);
        if (!grad) {
            d[j] = _mm256_mul_pd(_mm256_mul_pd(x[j], splat(0.5)), c);  // x * 0.5 * (1 + erf)
            ok[j] = _mm256_and_si256(_mm256_castpd_si256(_mm256_cmp_pd(c, splat(0x1p-9), _CMP_GE_OQ)), trusted(d[j]));
        } else {
            __m256d sum = _mm256_add_pd(_mm256_mul_pd(splat(0.5), c),
                                        _mm256_mul_pd(x[j], _mm256_mul_pd(e, splat(NORMAL_PDF0))));  // cdf + x pdf
            d[j] = _mm256_mul_pd(g[j], sum);
            __m256d fine = _mm256_and_pd(_mm256_cmp_pd(absd(x[j]), splat(12.0), _CMP_LE_OQ),
                                         _mm256_cmp_pd(absd(sum), splat(0x1p-5), _CMP_GE_OQ));
            ok[j] = _mm256_and_si256(_mm256_castpd_si256(fine), trusted(d[j]));
        }
    }
}

// The four lanes' 64-bit masks as four 32-bit ones.
__attribute__((target("avx2,fma"))) static inline __m128i narrow(__m256i m) {
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(m, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
}

// The argument of exp for one vector of op KIND (not gelu); tanh-gelu's gradient also keeps inner and x^2.
template <int KIND>
__attribute__((target("avx2,fma"))) static inline __m256d argument(__m256d x, __m256d* inner, __m256d* x2) {
    if (KIND == EXP) {
        return x;
    }
    if (KIND == TANH) {
        return _mm256_mul_pd(splat(2.0), absd(x));
    }
    if (KIND == GELU_TANH || KIND == GELU_TANH_GRAD) {
        return geluTanhArgument(KIND == GELU_TANH_GRAD, x, inner, x2);
    }
    return _mm256_xor_pd(x, splat(-0.0));  // -x, as Java negates the float
}

// The four results of one vector of op KIND from exp of its argument, and in *good the lanes to keep (all ones)
// rather than leave to the caller.
template <int KIND>
__attribute__((target("avx2,fma"))) static inline __m128 finish(__m256d x, __m256d g, __m256d inner, __m256d x2,
                                                               ExpPoly e, __m128i* good) {
    __m256i ok;
    __m256d d;
    if (KIND == EXP) {
        __m256d inRange = _mm256_and_pd(_mm256_cmp_pd(x, splat(-87.0), _CMP_GE_OQ),
                                        _mm256_cmp_pd(x, splat(88.0), _CMP_LE_OQ));
        ok = _mm256_andnot_si256(nearMidpoint(e.p), _mm256_castpd_si256(inRange));
        // (float) q * 2^k in float, k + 127 placed in a float's exponent bits
        __m256i k = _mm256_sub_epi64(_mm256_castpd_si256(e.t), _mm256_castpd_si256(splat(SHIFT)));
        __m128i kf = _mm_slli_epi32(_mm_add_epi32(narrow(k), _mm_set1_epi32(127)), 23);
        *good = narrow(ok);
        kf = _mm_and_si128(kf, *good);  // lanes left to the caller may hold any k: no stray exponent
        return _mm_mul_ps(_mm256_cvtpd_ps(e.p), _mm_castsi128_ps(kf));
    }
    if (KIND == GELU_TANH || KIND == GELU_TANH_GRAD) {
        d = geluTanhFinish(KIND == GELU_TANH_GRAD, x, g, inner, x2, e, &ok);
    } else if (KIND == TANH) {
        __m256d s = _mm256_mul_pd(x, x);
        __m256d q = _mm256_fmadd_pd(splat(6404582.0 / 10854718875.0), s, splat(-929569.0 / 638512875));
        q = _mm256_fmadd_pd(q, s, splat(21844.0 / 6081075));
        q = _mm256_fmadd_pd(q, s, splat(-1382.0 / 155925));
        q = _mm256_fmadd_pd(q, s, splat(62.0 / 2835));
        q = _mm256_fmadd_pd(q, s, splat(-17.0 / 315));
        q = _mm256_fmadd_pd(q, s, splat(2.0 / 15));
        q = _mm256_fmadd_pd(q, s, splat(-1.0 / 3));
        __m256d series = _mm256_fmadd_pd(_mm256_mul_pd(x, s), q, x);
        __m256d big = _mm256_sub_pd(splat(1.0), _mm256_div_pd(splat(2.0), _mm256_add_pd(scaled(e), splat(1.0))));
        big = _mm256_or_pd(_mm256_and_pd(x, splat(-0.0)), absd(big));  // Math.copySign(big, x)
        __m256d small = _mm256_cmp_pd(absd(x), splat(0.125), _CMP_LT_OQ);
        d = _mm256_blendv_pd(big, series, small);
        __m256d fine = _mm256_and_pd(_mm256_cmp_pd(absd(x), splat(20.0), _CMP_LE_OQ),
                                     _mm256_cmp_pd(absd(d), splat(0x1p-126), _CMP_GE_OQ));
        ok = _mm256_andnot_si256(nearMidpoint(d), _mm256_castpd_si256(fine));
    } else {
        __m256d one = splat(1.0);
        if (KIND == SIGMOID) {
            d = _mm256_div_pd(one, _mm256_add_pd(one, scaled(e)));
            ok = exact(d, x);
        } else if (KIND == SILU) {
            d = _mm256_div_pd(x, _mm256_add_pd(one, scaled(e)));
            ok = exact(d, x);
        } else {
            __m256d sig = _mm256_div_pd(one, _mm256_add_pd(one, scaled(e)));
            __m256d factor = _mm256_add_pd(one, _mm256_mul_pd(x, _mm256_sub_pd(one, sig)));
            d = _mm256_mul_pd(_mm256_mul_pd(g, sig), factor);
            __m256d bound = _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(splat(8.0), absd(x)), splat(2.0)),
                                          splat(0x1p-10));
            __m256d fine = _mm256_and_pd(_mm256_cmp_pd(absd(d), splat(0x1.fffffep127 / 2.0), _CMP_LE_OQ),
                                         _mm256_cmp_pd(absd(factor), bound, _CMP_GE_OQ));
            ok = _mm256_and_si256(exact(d, x), _mm256_castpd_si256(fine));
        }
    }
    *good = narrow(ok);
    return _mm256_cvtpd_ps(d);
}

// Stores the four results r of y[i..i+4) where good says so (y's old floats elsewhere: x or g themselves when y is
// one of them), and appends the other lanes' indices to fix.
__attribute__((target("avx2,fma"))) static inline int keep(float* y, int i, __m128 r, __m128i good, int32_t* fix,
                                                           int fixes) {
    // a blend and an ordinary store: AMD's masked store (vmaskmovps) is microcoded and made the loop 2x slower
    _mm_storeu_ps(y + i, _mm_blendv_ps(_mm_loadu_ps(y + i), r, _mm_castsi128_ps(good)));
    int bad = 15 & ~_mm_movemask_ps(_mm_castsi128_ps(good));
    while (bad) {
        int lane = __builtin_ctz(bad);
        fix[fixes++] = i + lane;
        bad &= bad - 1;
    }
    return fixes;
}

// ---- gelu's centre: |x| <= 2 without exp's or erfcx's chain --------------------------------------------------------
//
// Where z^2 = (x / sqrt 2)^2 <= 2 (95% of standard normal arguments), 1 + erf(z) is fma(z, P(z^2), 1) with P the
// degree-14 polynomial below (the Chebyshev series of erf(z) / z in z^2 on [0, 2], src/tools/erf_fit.py), summed by
// Estrin's scheme: four dependent steps where Horner has fourteen, and no exp (the gradient's pdf needs one, also
// summed by Estrin) and no erfcx, where geluU runs chains of 13 and 35 steps. P's relative error is at most 3.4
// units of 2^-53 and 1 + erf's 44 (at z = -sqrt 2, where it is 0.046); the reference's is of the same order, far
// inside the 4,096 units of the midpoint check. So the double differs from the Java block's, but where it is kept it
// rounds to the reference's float as the Java block's does: ExactExpInCTest checks every float of gelu and of its
// gradient (g = 1 and g = -0.37) against the reference (-Dnabla.exhaustive=true). The gradient's cdf + x pdf is
// trusted down to 2^-8 here (ExactGelu's 2^-5 is for its own erfcx path): the two sides' terms are within about 5
// units of 2^-53 of each other, at most 1,280 units of the sum's last place, under a third of the margin; about 1%
// of standard normal arguments go to the reference, where the Java block sends 5%. The outer 5% (and NaN) are gathered
// and go through geluU.

static const double GELU_ERF[15] = {
    1.1283791670955126, -0.37612638903183737, 0.11283791670954538, -0.02686617064504404, 0.005223977624765076,
    -0.0008548326991762023, 0.00012055332012651176, -1.4925630001395809e-05, 1.646181152262647e-06,
    -1.6362598731701629e-07, 1.478197622505348e-08, -1.214926006368896e-09, 8.861573689106724e-11,
    -5.184591721734459e-12, 1.7803454362407339e-13,
};

// exp(x) as ExactExp's polynomial (x = k ln2 + r, the same degree-12 Taylor polynomial of exp(r)) summed by Estrin's
// scheme: five dependent steps where Horner has twelve (a few units of 2^-53 like it, not the same double).
__attribute__((target("avx2,fma"))) static inline ExpPoly expEstrin(__m256d x) {
    const double ln2hi = 0x1.62e42feep-1;
    ExpPoly e;
    e.t = _mm256_fmadd_pd(x, splat(LOG2E), splat(SHIFT));
    __m256d k = _mm256_sub_pd(e.t, splat(SHIFT));
    __m256d r = _mm256_fmadd_pd(k, splat(-ln2hi), x);
    r = _mm256_fmadd_pd(k, splat(-LN2_LO), r);
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d r4 = _mm256_mul_pd(r2, r2);
    __m256d r8 = _mm256_mul_pd(r4, r4);
    __m256d p0 = _mm256_fmadd_pd(splat(1.0), r, splat(1.0));
    __m256d p1 = _mm256_fmadd_pd(splat(1.0 / 6), r, splat(1.0 / 2));
    __m256d p2 = _mm256_fmadd_pd(splat(1.0 / 120), r, splat(1.0 / 24));
    __m256d p3 = _mm256_fmadd_pd(splat(1.0 / 5040), r, splat(1.0 / 720));
    __m256d p4 = _mm256_fmadd_pd(splat(1.0 / 362880), r, splat(1.0 / 40320));
    __m256d p5 = _mm256_fmadd_pd(splat(1.0 / 39916800), r, splat(1.0 / 3628800));
    __m256d q0 = _mm256_fmadd_pd(p1, r2, p0);
    __m256d q1 = _mm256_fmadd_pd(p3, r2, p2);
    __m256d q2 = _mm256_fmadd_pd(p5, r2, p4);
    __m256d s0 = _mm256_fmadd_pd(q1, r4, q0);
    __m256d s1 = _mm256_fmadd_pd(splat(1.0 / 479001600), r4, q2);
    e.p = _mm256_fmadd_pd(s1, r8, s0);
    return e;
}

// gelu or its gradient for U vectors: the results in d and in ok the lanes to keep, as geluU; in outer the lanes whose
// z^2 is not <= 2 (NaN included), which are left for geluU.
template <int U>
__attribute__((target("avx2,fma"))) static inline void geluCentreU(bool grad, const __m256d* x, const __m256d* g,
                                                                  __m256d* d, __m256i* ok, __m256i* outer) {
    __m256d z[U], s[U], h[U];
    ExpPoly e[U];
    NABLA_EACH {
        z[j] = _mm256_mul_pd(x[j], splat(SQRT1_2));
        s[j] = _mm256_mul_pd(z[j], z[j]);
    }
    if (grad) {
        NABLA_EACH {
            __m256d minus = _mm256_xor_pd(_mm256_min_pd(splat(2.0), s[j]), splat(-0.0));  // exp(-z^2), pdf's
            e[j] = expEstrin(minus);
        }
    }
    // Estrin's scheme: pairs in s, then in s^2, s^4 and s^8 (four dependent levels where Horner has fourteen)
    NABLA_EACH {
        const double* c = GELU_ERF;
        __m256d s2 = _mm256_mul_pd(s[j], s[j]);
        __m256d s4 = _mm256_mul_pd(s2, s2);
        __m256d s8 = _mm256_mul_pd(s4, s4);
        __m256d p0 = _mm256_fmadd_pd(splat(c[1]), s[j], splat(c[0]));
        __m256d p1 = _mm256_fmadd_pd(splat(c[3]), s[j], splat(c[2]));
        __m256d p2 = _mm256_fmadd_pd(splat(c[5]), s[j], splat(c[4]));
        __m256d p3 = _mm256_fmadd_pd(splat(c[7]), s[j], splat(c[6]));
        __m256d p4 = _mm256_fmadd_pd(splat(c[9]), s[j], splat(c[8]));
        __m256d p5 = _mm256_fmadd_pd(splat(c[11]), s[j], splat(c[10]));
        __m256d p6 = _mm256_fmadd_pd(splat(c[13]), s[j], splat(c[12]));
        __m256d q0 = _mm256_fmadd_pd(p1, s2, p0);
        __m256d q1 = _mm256_fmadd_pd(p3, s2, p2);
        __m256d q2 = _mm256_fmadd_pd(p5, s2, p4);
        __m256d q3 = _mm256_fmadd_pd(splat(c[14]), s2, p6);
        __m256d r0 = _mm256_fmadd_pd(q1, s4, q0);
        __m256d r1 = _mm256_fmadd_pd(q3, s4, q2);
        h[j] = _mm256_fmadd_pd(r1, s8, r0);
    }
    NABLA_EACH {
        __m256d centre = _mm256_cmp_pd(s[j], splat(2.0), _CMP_LE_OQ);
        outer[j] = _mm256_castpd_si256(_mm256_xor_pd(centre, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))));
        __m256d c = _mm256_fmadd_pd(z[j], h[j], splat(1.0));  // 1 + erf(z)
        __m256d fine;
        if (!grad) {
            d[j] = _mm256_mul_pd(_mm256_mul_pd(x[j], splat(0.5)), c);
            fine = _mm256_cmp_pd(c, splat(0x1p-9), _CMP_GE_OQ);
        } else {
            __m256d sum = _mm256_add_pd(_mm256_mul_pd(splat(0.5), c),
                                        _mm256_mul_pd(x[j], _mm256_mul_pd(scaled(e[j]), splat(NORMAL_PDF0))));
            d[j] = _mm256_mul_pd(g[j], sum);
            fine = _mm256_cmp_pd(absd(sum), splat(0x1p-8), _CMP_GE_OQ);
        }
        ok[j] = _mm256_and_si256(_mm256_castpd_si256(_mm256_and_pd(fine, centre)), trusted(d[j]));
    }
}

// For each 4-bit lane mask, the pshufb control that moves those lanes' 32-bit values to the front.
static const uint8_t PACK[16][16] = {
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
#define NABLA_L(a) 4 * (a), 4 * (a) + 1, 4 * (a) + 2, 4 * (a) + 3
#define NABLA_Z 0x80, 0x80, 0x80, 0x80
    {NABLA_L(0), NABLA_Z, NABLA_Z, NABLA_Z},
    {NABLA_L(1), NABLA_Z, NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(1), NABLA_Z, NABLA_Z},
    {NABLA_L(2), NABLA_Z, NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(2), NABLA_Z, NABLA_Z},
    {NABLA_L(1), NABLA_L(2), NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(1), NABLA_L(2), NABLA_Z},
    {NABLA_L(3), NABLA_Z, NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(3), NABLA_Z, NABLA_Z},
    {NABLA_L(1), NABLA_L(3), NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(1), NABLA_L(3), NABLA_Z},
    {NABLA_L(2), NABLA_L(3), NABLA_Z, NABLA_Z},
    {NABLA_L(0), NABLA_L(2), NABLA_L(3), NABLA_Z},
    {NABLA_L(1), NABLA_L(2), NABLA_L(3), NABLA_Z},
    {NABLA_L(0), NABLA_L(1), NABLA_L(2), NABLA_L(3)},
#undef NABLA_L
#undef NABLA_Z
};

// Stores the lanes of r that good says (as keep), appends the outer lanes' indices to out and the others' to fix.
__attribute__((target("avx2,fma"))) static inline void keepCentre(float* y, int i, __m128 r, __m128i good,
                                                                 __m128i outer, int32_t* fix, int* fixes,
                                                                 int32_t* out, int* outs) {
    _mm_storeu_ps(y + i, _mm_blendv_ps(_mm_loadu_ps(y + i), r, _mm_castsi128_ps(good)));
    int far = _mm_movemask_ps(_mm_castsi128_ps(outer));
    int bad = 15 & ~_mm_movemask_ps(_mm_castsi128_ps(good)) & ~far;
    // the outer lanes' indices packed left without a branch (out has room for 3 more), as a loop over scattered
    // lanes mispredicted about once per outer element
    __m128i lanes = _mm_add_epi32(_mm_set1_epi32(i), _mm_setr_epi32(0, 1, 2, 3));
    _mm_storeu_si128((__m128i*) (out + *outs), _mm_shuffle_epi8(lanes, _mm_loadu_si128((const __m128i*) PACK[far])));
    *outs += __builtin_popcount(far);
    while (bad) {
        fix[(*fixes)++] = i + __builtin_ctz(bad);
        bad &= bad - 1;
    }
}

// The centre pass over floats [*at, n), 4 U at a time; *at moves past them.
template <int U>
__attribute__((target("avx2,fma"))) static void geluCentreRuns(bool grad, const float* x, const float* g, float* y,
                                                               int32_t* fix, int* fixes, int32_t* out, int* outs,
                                                               int n, int* at) {
    int i = *at;
    for (; i + 4 * U <= n; i += 4 * U) {
        __m256d xd[U], gd[U], d[U];
        __m256i ok[U], outer[U];
        NABLA_EACH {
            xd[j] = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * j));
            gd[j] = grad ? _mm256_cvtps_pd(_mm_loadu_ps(g + i + 4 * j)) : xd[j];
        }
        geluCentreU<U>(grad, xd, gd, d, ok, outer);
        NABLA_EACH {
            keepCentre(y, i + 4 * j, _mm256_cvtpd_ps(d[j]), narrow(ok[j]), narrow(outer[j]), fix, fixes, out, outs);
        }
    }
    *at = i;
}

// geluU over the elements at the count indices idx (x and g still intact there), 16 at a time; a last group of
// fewer is padded with x = 1 (its results unused). Kept results are stored, the other indices appended to fix.
__attribute__((target("avx2,fma"))) static int geluGathered(bool grad, const float* x, const float* g, float* y,
                                                           const int32_t* idx, int count, int32_t* fix, int fixes) {
    const int U = 4;
    for (int o = 0; o < count; o += 4 * U) {
        int m = count - o < 4 * U ? count - o : 4 * U;
        alignas(32) float xs[4 * U], gs[4 * U], rs[4 * U];
        alignas(32) int32_t oks[4 * U];
        for (int k = 0; k < 4 * U; k++) {
            xs[k] = k < m ? x[idx[o + k]] : 1.0f;
            gs[k] = k < m && grad ? g[idx[o + k]] : 1.0f;
        }
        __m256d xd[U], gd[U], d[U];
        __m256i ok[U];
        NABLA_EACH {
            xd[j] = _mm256_cvtps_pd(_mm_load_ps(xs + 4 * j));
            gd[j] = _mm256_cvtps_pd(_mm_load_ps(gs + 4 * j));
        }
        geluU<U>(grad, xd, gd, d, ok);
        NABLA_EACH {
            _mm_store_ps(rs + 4 * j, _mm256_cvtpd_ps(d[j]));
            _mm_store_si128((__m128i*) (oks + 4 * j), narrow(ok[j]));
        }
        for (int k = 0; k < m; k++) {
            if (oks[k]) {
                y[idx[o + k]] = rs[k];
            } else {
                fix[fixes++] = idx[o + k];
            }
        }
    }
    return fixes;
}

// gelu or its gradient over n floats: the centre pass over pieces of up to 1024 floats, 16 at a time, then 4, then
// the piece's outer elements gathered; the last n % 4 go to fix.
__attribute__((target("avx2,fma"))) static int gelu(bool grad, const float* x, const float* g, float* y,
                                                    int32_t* fix, int n) {
    const int PIECE = 1024;
    int32_t out[PIECE + 4];  // keepCentre stores 4 indices where it keeps fewer
    int fixes = 0;
    int i = 0;
    while (n - i >= 4) {
        int end = n - i > PIECE ? i + PIECE : n - (n - i) % 4;
        int outs = 0;
        if (grad) {  // two vectors at a time: four spill the gradient's registers
            geluCentreRuns<2>(grad, x, g, y, fix, &fixes, out, &outs, end, &i);
        } else {
            geluCentreRuns<4>(grad, x, g, y, fix, &fixes, out, &outs, end, &i);
        }
        geluCentreRuns<1>(grad, x, g, y, fix, &fixes, out, &outs, end, &i);
        fixes = geluGathered(grad, x, g, y, out, outs, fix, fixes);
    }
    for (; i < n; i++) {
        fix[fixes++] = i;
    }
    return fixes;
}

// Op KIND (not gelu) over n floats from *at, 4 U at a time; *at moves past them.
template <int KIND, int U>
__attribute__((target("avx2,fma"))) static int expRuns(const float* x, const float* g, float* y, int32_t* fix, int n,
                                                       int fixes, int* at) {
    int i = *at;
    for (; i + 4 * U <= n; i += 4 * U) {
        __m256d xd[U], gd[U], arg[U], inner[U], x2[U];
        ExpPoly e[U];
        NABLA_EACH {
            xd[j] = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * j));
            gd[j] = g ? _mm256_cvtps_pd(_mm_loadu_ps(g + i + 4 * j)) : xd[j];
            inner[j] = xd[j];
            x2[j] = xd[j];
            arg[j] = argument<KIND>(xd[j], &inner[j], &x2[j]);
        }
        polynomialU<U>(arg, e);
        NABLA_EACH {
            __m128i good;
            __m128 r = finish<KIND>(xd[j], gd[j], inner[j], x2[j], e[j], &good);
            fixes = keep(y, i + 4 * j, r, good, fix, fixes);
        }
    }
    *at = i;
    return fixes;
}

template <int KIND>
__attribute__((target("avx2,fma"))) static int expKind(const float* x, const float* g, float* y, int32_t* fix,
                                                       int n) {
    int i = 0;
    int fixes = expRuns<KIND, 4>(x, g, y, fix, n, 0, &i);
    fixes = expRuns<KIND, 1>(x, g, y, fix, n, fixes, &i);
    for (; i < n; i++) {
        fix[fixes++] = i;
    }
    return fixes;
}

#undef NABLA_EACH

// y[i] = op(x[i]) (g[i] and x[i] for the gradients) for i < n; the indices the caller must compute itself go to
// fix, in increasing order; returns how many.
__attribute__((target("avx2,fma"))) static int expFamily(int kind, const float* x, const float* g, float* y,
                                                          int32_t* fix, int n) {
    switch (kind) {
        case EXP: return expKind<EXP>(x, g, y, fix, n);
        case SIGMOID: return expKind<SIGMOID>(x, g, y, fix, n);
        case SILU: return expKind<SILU>(x, g, y, fix, n);
        case TANH: return expKind<TANH>(x, g, y, fix, n);
        case SILU_GRAD: return expKind<SILU_GRAD>(x, g, y, fix, n);
        case GELU_TANH: return expKind<GELU_TANH>(x, g, y, fix, n);
        case GELU_TANH_GRAD: return expKind<GELU_TANH_GRAD>(x, g, y, fix, n);
        default: return gelu(kind == GELU_GRAD, x, g, y, fix, n);
    }
}

#pragma GCC pop_options

// ---- INT8 dynamic quantization: io.nabla.backend.Int8 defines the arithmetic, these loops compute its bits ----
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

static inline float int8RowScale(float lo, float hi) {
    float s = (float) (((double) hi - (double) lo) / 255.0);
    return (s == 0.0f || __builtin_isinf(1.0f / s)) ? 0.1f : s;
}

// Rows of k floats to UINT8 values in int16 (q), with each row's scale and zero point; a row holding a NaN or an
// infinity gets scale NaN, zero point 0 and values 0. Returns the number of such rows.
__attribute__((target("avx2"))) static int quantizeRows(const float* x, int m, int k, int16_t* q, float* scale,
                                                         int32_t* zp) {
    int nonFinite = 0;
    for (int i = 0; i < m; i++) {
        const float* r = x + (int64_t) i * k;
        int16_t* out = q + (int64_t) i * k;
        __m256 vlo = _mm256_setzero_ps();
        __m256 vhi = _mm256_setzero_ps();
        __m256 bad = _mm256_setzero_ps();
        int c = 0;
        for (; c + 8 <= k; c += 8) {
            __m256 v = _mm256_loadu_ps(r + c);
            __m256 d = _mm256_sub_ps(v, v);  // NaN exactly where v is NaN or infinite
            bad = _mm256_or_ps(bad, _mm256_cmp_ps(d, d, _CMP_UNORD_Q));
            vlo = _mm256_min_ps(vlo, v);
            vhi = _mm256_max_ps(vhi, v);
        }
        bool finite = _mm256_movemask_ps(bad) == 0;
        float lo8[8], hi8[8];
        _mm256_storeu_ps(lo8, vlo);
        _mm256_storeu_ps(hi8, vhi);
        float lo = 0.0f, hi = 0.0f;
        for (int t = 0; t < 8; t++) {
            lo = lo8[t] < lo ? lo8[t] : lo;
            hi = hi8[t] > hi ? hi8[t] : hi;
        }
        for (; c < k; c++) {
            float v = r[c];
            finite = finite && __builtin_isfinite(v);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (!finite) {
            for (c = 0; c < k; c++) out[c] = 0;
            scale[i] = __builtin_nanf("");
            zp[i] = 0;
            nonFinite++;
            continue;
        }
        float s = int8RowScale(lo, hi);
        double z = __builtin_nearbyint(-(double) lo / s);
        int32_t zero = (int32_t) (z < 0 ? 0 : (z > 255 ? 255 : z));
        float inv = 1.0f / s;
        __m256 vinv = _mm256_set1_ps(inv);
        __m256i vz = _mm256_set1_epi32(zero);
        __m256i v0 = _mm256_setzero_si256();
        __m256i v255 = _mm256_set1_epi32(255);
        c = 0;
        for (; c + 8 <= k; c += 8) {
            __m256 p = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(r + c), vinv),
                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            __m256i qi = _mm256_add_epi32(_mm256_cvtps_epi32(p), vz);
            qi = _mm256_min_epi32(_mm256_max_epi32(qi, v0), v255);
            __m128i packed = _mm_packs_epi32(_mm256_castsi256_si128(qi), _mm256_extracti128_si256(qi, 1));
            _mm_storeu_si128((__m128i*) (out + c), packed);
        }
        for (; c < k; c++) {
            float p = __builtin_nearbyintf(r[c] * inv);
            int32_t v = (int32_t) p + zero;
            out[c] = (int16_t) (v < 0 ? 0 : (v > 255 ? 255 : v));
        }
        scale[i] = s;
        zp[i] = zero;
    }
    return nonFinite;
}

__attribute__((target("avx2"))) static inline int32_t hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// The dot products of R quantized rows (int16, 0..255) with C INT8 weight rows, k long: 16 products per
// instruction (vpmaddwd on widened operands, exact), the tail in scalar code.
template <int R, int C>
__attribute__((target("avx2"))) static inline void int8Block(const int16_t* q, const int8_t* w, int k,
                                                             int32_t* dots) {
    __m256i acc[R][C];
    for (int a = 0; a < R; a++)
        for (int b = 0; b < C; b++) acc[a][b] = _mm256_setzero_si256();
    int c = 0;
    for (; c + 16 <= k; c += 16) {
        __m256i wv[C];
        for (int b = 0; b < C; b++) {
            wv[b] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (w + (int64_t) b * k + c)));
        }
        for (int a = 0; a < R; a++) {
            __m256i xv = _mm256_loadu_si256((const __m256i*) (q + (int64_t) a * k + c));
            __asm__("" : "+x"(xv));  // one load per row: kept in a register, not folded into each vpmaddwd
            for (int b = 0; b < C; b++) {
                acc[a][b] = _mm256_add_epi32(acc[a][b], _mm256_madd_epi16(xv, wv[b]));
            }
        }
    }
    for (int a = 0; a < R; a++) {
        for (int b = 0; b < C; b++) {
            int32_t t = hsum(acc[a][b]);
            for (int e = c; e < k; e++) {
                t += (int32_t) q[(int64_t) a * k + e] * (int32_t) w[(int64_t) b * k + e];
            }
            dots[a * C + b] = t;
        }
    }
}

template <int R, int C>
__attribute__((target("avx2"))) static void int8Outputs(const int16_t* q, const float* sx, const int32_t* zx,
                                                        int i, int k, const int8_t* w, const float* sw,
                                                        const int32_t* wsum, const float* bias, float* y, int n,
                                                        int j) {
    int32_t dots[R * C];
    int8Block<R, C>(q + (int64_t) i * k, w + (int64_t) j * k, k, dots);
    for (int a = 0; a < R; a++) {
        for (int b = 0; b < C; b++) {
            int64_t acc = (int64_t) dots[a * C + b] - (int64_t) zx[i + a] * wsum[j + b];
            double v = (double) acc * ((double) sx[i + a] * (double) sw[j + b]);
            if (bias != nullptr) {
                v = v + (double) bias[j + b];
            }
            y[(int64_t) (i + a) * n + j + b] = (float) v;
        }
    }
}

// y[i][j] for every row i < m and the columns j0 <= j < j1. Rows in panels of about 192 KB of q (they stay in the
// L2 cache while every column of the range passes them, each weight row read once per panel from memory), within a
// panel columns in pairs (the pair of weight rows stays in L1) and rows in fours.
__attribute__((target("avx2"))) static void int8Gemm(const int16_t* q, const float* sx, const int32_t* zx, int m,
                                                     int k, const int8_t* w, const float* sw, const int32_t* wsum,
                                                     const float* bias, float* y, int n, int j0, int j1) {
    int panel = (int) (196608 / (2 * (int64_t) k)) & ~3;
    if (panel < 4) panel = 4;
    for (int i0 = 0; i0 < m; i0 += panel) {
        int i1 = m - i0 < panel ? m : i0 + panel;
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) int8Outputs<4, 2>(q, sx, zx, i, k, w, sw, wsum, bias, y, n, j);
            for (; i < i1; i++) int8Outputs<1, 2>(q, sx, zx, i, k, w, sw, wsum, bias, y, n, j);
        }
        for (; j < j1; j++) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) int8Outputs<4, 1>(q, sx, zx, i, k, w, sw, wsum, bias, y, n, j);
            for (; i < i1; i++) int8Outputs<1, 1>(q, sx, zx, i, k, w, sw, wsum, bias, y, n, j);
        }
    }
}

#pragma GCC pop_options

}  // namespace nabla

// 1 when this CPU runs the AVX2 loops, else 0 (and binaryF must not be called).
inline int hasAvx2() {
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// y = op(x) (op: 0 exp, 1 sigmoid, 2 silu, 3 tanh, 4 the silu gradient with g, 5 tanh-gelu, 6 its gradient with g,
// 7 gelu, 8 its gradient with g) over n <= 2^31 floats; fix receives
// the indices the caller computes itself (n of them at most); returns their count. Needs AVX2 and FMA (hasFma).
inline int expFamilyF(int op, long long x, long long g, long long y, long long fix, int n) {
    return nabla::expFamily(op, (const float*) (intptr_t) x, (const float*) (intptr_t) g, (float*) (intptr_t) y,
                            (int32_t*) (intptr_t) fix, n);
}

// 1 when this CPU has FMA (the exp family needs it), else 0.
inline int hasFma() {
    return __builtin_cpu_supports("fma") ? 1 : 0;
}

// 2x2 max pooling with column stride 2 over one plane of floats (see nabla::maxPool2x2; strides in floats).
inline void maxPool2x2F(long long img, long long rowStep, long long rowStride, int oh, int ow, long long out,
                        long long outRow, long long idx, long long idxRow, int sh, long long width) {
    nabla::maxPool2x2((const float*) (intptr_t) img, rowStep, rowStride, oh, ow, (float*) (intptr_t) out, outRow,
                      (int64_t*) (intptr_t) idx, idxRow, sh, width);
}

// The sum of n contiguous floats at address a.
inline double sumF(long long a, long long n) {
    return nabla::sum((const float*) (intptr_t) a, n);
}

// The sums of four runs of contiguous floats (addresses a0..a3, lengths n0..n3, each read as sumF reads it) into the
// four doubles at address out.
inline void sum4F(long long a0, long long a1, long long a2, long long a3, long long n0, long long n1, long long n2,
                  long long n3, long long out) {
    const float* a[4] = {(const float*) (intptr_t) a0, (const float*) (intptr_t) a1, (const float*) (intptr_t) a2,
                         (const float*) (intptr_t) a3};
    const int64_t n[4] = {n0, n1, n2, n3};
    nabla::sum4(a, n, (double*) (intptr_t) out);
}

// y = a op b over n contiguous floats at the given addresses; op 0..3 = add, sub, mul, div.
inline void binaryF(int op, long long a, long long b, long long y, long long n, bool stream) {
    const float* pa = (const float*) (intptr_t) a;
    const float* pb = (const float*) (intptr_t) b;
    float* py = (float*) (intptr_t) y;
    switch (op) {
        case nabla::ADD: nabla::binary<nabla::ADD>(pa, pb, py, n, stream); break;
        case nabla::SUB: nabla::binary<nabla::SUB>(pa, pb, py, n, stream); break;
        case nabla::MUL: nabla::binary<nabla::MUL>(pa, pb, py, n, stream); break;
        case nabla::DIV: nabla::binary<nabla::DIV>(pa, pb, py, n, stream); break;
    }
}

// Rows of k floats at x to UINT8 values as int16 at q, scales at scale, zero points at zp (io.nabla.backend.Int8);
// returns the number of rows holding a NaN or an infinity (scale NaN, values 0).
inline int quantizeRowsF(long long x, int m, int k, long long q, long long scale, long long zp) {
    return nabla::quantizeRows((const float*) (intptr_t) x, m, k, (int16_t*) (intptr_t) q, (float*) (intptr_t) scale,
                               (int32_t*) (intptr_t) zp);
}

// y (m x n floats) for the columns j0 <= j < j1 of the INT8 product of quantizeRowsF's rows with the weight w
// (n x k int8, row scales sw, row sums wsum); bias 0 for none.
inline void int8GemmF(long long q, long long sx, long long zx, int m, int k, long long w, long long sw,
                      long long wsum, long long bias, long long y, int n, int j0, int j1) {
    nabla::int8Gemm((const int16_t*) (intptr_t) q, (const float*) (intptr_t) sx, (const int32_t*) (intptr_t) zx, m, k,
                    (const int8_t*) (intptr_t) w, (const float*) (intptr_t) sw, (const int32_t*) (intptr_t) wsum,
                    (const float*) (intptr_t) bias, (float*) (intptr_t) y, n, j0, j1);
}

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
__attribute__((target("avx2"))) static double sum(const float* a, int64_t n) {
    __m256d d0 = _mm256_setzero_pd(), d1 = d0;
    int64_t i = 0;
    for (; i + 128 <= n; i += 128) {
        const float* p = a + i;
        __m256 s0 = _mm256_loadu_ps(p), s1 = _mm256_loadu_ps(p + 8);
        __m256 s2 = _mm256_loadu_ps(p + 16), s3 = _mm256_loadu_ps(p + 24);
        for (int k = 32; k < 128; k += 32) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p + k));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p + k + 8));
            s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p + k + 16));
            s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p + k + 24));
        }
        __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        d0 = _mm256_add_pd(d0, _mm256_cvtps_pd(_mm256_castps256_ps128(s)));
        d1 = _mm256_add_pd(d1, _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1)));
    }
    double t[4];
    _mm256_storeu_pd(t, _mm256_add_pd(d0, d1));
    double total = (t[0] + t[1]) + (t[2] + t[3]);
    for (; i < n; i++) {
        total += a[i];
    }
    return total;
}

}  // namespace nabla

// 1 when this CPU runs the AVX2 loops, else 0 (and binaryF must not be called).
inline int hasAvx2() {
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// The sum of n contiguous floats at address a.
inline double sumF(long long a, long long n) {
    return nabla::sum((const float*) (intptr_t) a, n);
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

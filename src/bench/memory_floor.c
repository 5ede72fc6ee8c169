/*
 * The memory-bandwidth floor of the issue 2 `add` and `sum` benchmarks on this machine, in C: what any
 * implementation can reach, next to which the PyTorch anchor and Nabla are judged (src/bench/memory-floor.sh).
 *
 * 16M FP32 elements, two threads (created per call, about 0.05 ms), AVX2, medians of 15 calls after 3 warm-ups:
 *   add      c = a + b into an existing c, one fused loop, ordinary stores (what torch.add(out=) does)
 *   add_nt   the same loop with non-temporal stores (vmovntps): c is written without being read first
 *   sum      the sum of a, four 8-lane accumulators per thread, one stream per thread (each thread its half)
 *   sum4     the same sum with each thread's half read as four streams at once (quarters, 32 floats of each in
 *            turn): what Nabla's sums do (nabla_loops.h sum4); one stream per core leaves bandwidth unused
 * Build: cc -O2 -mavx2 -pthread memory_floor.c -o memory_floor
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N (16L * 1024 * 1024)
#define THREADS 2
#define SAMPLES 15

static float *a, *b, *c;
double partial[THREADS]; /* printed, so the sum is not optimised away */

typedef struct { long lo, hi; int id; int op; } Range;

static void *run(void *arg) {
    Range *r = arg;
    if (r->op == 0) {
        for (long i = r->lo; i < r->hi; i += 8) {
            _mm256_store_ps(c + i, _mm256_add_ps(_mm256_load_ps(a + i), _mm256_load_ps(b + i)));
        }
    } else if (r->op == 1) {
        for (long i = r->lo; i < r->hi; i += 8) {
            _mm256_stream_ps(c + i, _mm256_add_ps(_mm256_load_ps(a + i), _mm256_load_ps(b + i)));
        }
        _mm_sfence();
    } else if (r->op == 3) {
        long q = (r->hi - r->lo) / 4;
        const float *p0 = a + r->lo, *p1 = p0 + q, *p2 = p1 + q, *p3 = p2 + q;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (long i = 0; i < q; i += 32) {
            for (int k = 0; k < 32; k += 8) {
                s0 = _mm256_add_ps(s0, _mm256_load_ps(p0 + i + k));
                s1 = _mm256_add_ps(s1, _mm256_load_ps(p1 + i + k));
                s2 = _mm256_add_ps(s2, _mm256_load_ps(p2 + i + k));
                s3 = _mm256_add_ps(s3, _mm256_load_ps(p3 + i + k));
            }
        }
        float t[8];
        _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
        double d = 0;
        for (int k = 0; k < 8; k++) d += t[k];
        partial[r->id] = d;
    } else {
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (long i = r->lo; i < r->hi; i += 32) {
            s0 = _mm256_add_ps(s0, _mm256_load_ps(a + i));
            s1 = _mm256_add_ps(s1, _mm256_load_ps(a + i + 8));
            s2 = _mm256_add_ps(s2, _mm256_load_ps(a + i + 16));
            s3 = _mm256_add_ps(s3, _mm256_load_ps(a + i + 24));
        }
        float t[8];
        _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
        double d = 0;
        for (int k = 0; k < 8; k++) d += t[k];
        partial[r->id] = d;
    }
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double once(int op) {
    pthread_t t[THREADS];
    Range r[THREADS];
    double t0 = now();
    for (int k = 0; k < THREADS; k++) {
        r[k] = (Range) {N * k / THREADS, N * (k + 1) / THREADS, k, op};
        pthread_create(&t[k], NULL, run, &r[k]);
    }
    for (int k = 0; k < THREADS; k++) pthread_join(t[k], NULL);
    return (now() - t0) * 1e3;
}

static int cmp(const void *x, const void *y) {
    double d = *(const double *) x - *(const double *) y;
    return d < 0 ? -1 : d > 0;
}

int main(void) {
    a = aligned_alloc(64, N * 4);
    b = aligned_alloc(64, N * 4);
    c = aligned_alloc(64, N * 4);
    for (long i = 0; i < N; i++) {
        a[i] = (float) (i % 1000) * 1e-3f;
        b[i] = 1.0f;
        c[i] = 0.0f;
    }
    const char *names[] = {"add", "add_nt", "sum", "sum4"};
    for (int op = 0; op < 4; op++) {
        double ms[SAMPLES];
        for (int w = 0; w < 3; w++) once(op);
        for (int s = 0; s < SAMPLES; s++) ms[s] = once(op);
        qsort(ms, SAMPLES, sizeof ms[0], cmp);
        printf("RESULT op=%s n=%ld median_ms=%.3f check=%.6g\n", names[op], N, ms[SAMPLES / 2],
               op >= 2 ? partial[0] + partial[1] : (double) c[N - 1]);
    }
    return 0;
}

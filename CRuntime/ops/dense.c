/*
 * dense: y [n, m] = act(x [n, k] * w^T + bias), one dk_sgemm (trans_b) with
 * the bias-per-column epilogue. Workspace: dk_sgemm_workspace_floats(n, m, k,
 * threads), which dk_sgemm uses with the whole pool.
 *
 * Small batches (n <= DENSE_GEMV_MAX_N) on AVX-512 / AVX2 take a GEMV path
 * instead: W is read once, row by row, four rows at a time, with SIMD dot
 * products against the n input rows (no transpose, no packing: the GEMM path
 * would transpose all of W into panels on every call, for a handful of
 * columns). Bias and activation are applied as each output is stored. The
 * work is split over output features when W is large, so results do not
 * depend on the thread count. The sums are blocked differently from the
 * GEMM's, so they may differ from it in the last bits.
 */
#include "ops_internal.h"

#include "../base/cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define DENSE_GEMV_MAX_N 4
/* Below this many weights (floats of W) the GEMV runs on the calling thread. */
#define DENSE_GEMV_PARALLEL_MIN ((size_t)1 << 16)

size_t dk_dense_workspace_floats(size_t n, size_t k, size_t m, int threads) {
    return dk_sgemm_workspace_floats(n, m, k, threads < 1 ? 1 : threads);
}

typedef struct gemv_ctx {
    size_t n, k, m;
    const float *x, *w, *bias;
    dk_activation act;
    float alpha;
    float *y;
    size_t parts;
} gemv_ctx;

static inline float act_one(dk_activation act, float alpha, float v) {
    switch (act) {
    case DK_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case DK_ACT_LEAKY_RELU: return v > 0.0f ? v : alpha * v;
    case DK_ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    default: return v;
    }
}

#if defined(__x86_64__)
#define DK_AVX512_ATTR __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define DK_AVX2_ATTR __attribute__((target("avx2,fma")))

/* Rows [j0, j1) of W against the nn (compile-time after inlining) rows of x: y[r, j] = dot + bias. */
static inline __attribute__((always_inline)) DK_AVX512_ATTR void gemv_avx512_n(const gemv_ctx *c, size_t nn,
                                                                                 size_t j0, size_t j1) {
    const size_t k = c->k, m = c->m;
    const __mmask16 tail = (__mmask16)((1u << (k & 15)) - 1u);
    const size_t kf = k & ~(size_t)15;
    size_t j = j0;
    for (; j + 4 <= j1; j += 4) {
        __m512 acc[DENSE_GEMV_MAX_N][4];
        for (size_t r = 0; r < nn; r++)
            for (size_t q = 0; q < 4; q++) acc[r][q] = _mm512_setzero_ps();
        const float *w0 = c->w + j * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
        for (size_t p = 0; p < kf; p += 16) {
            __m512 a0 = _mm512_loadu_ps(w0 + p), a1 = _mm512_loadu_ps(w1 + p);
            __m512 a2 = _mm512_loadu_ps(w2 + p), a3 = _mm512_loadu_ps(w3 + p);
            for (size_t r = 0; r < nn; r++) {
                __m512 xv = _mm512_loadu_ps(c->x + r * k + p);
                acc[r][0] = _mm512_fmadd_ps(a0, xv, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(a1, xv, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(a2, xv, acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(a3, xv, acc[r][3]);
            }
        }
        if (tail) {
            __m512 a0 = _mm512_maskz_loadu_ps(tail, w0 + kf), a1 = _mm512_maskz_loadu_ps(tail, w1 + kf);
            __m512 a2 = _mm512_maskz_loadu_ps(tail, w2 + kf), a3 = _mm512_maskz_loadu_ps(tail, w3 + kf);
            for (size_t r = 0; r < nn; r++) {
                __m512 xv = _mm512_maskz_loadu_ps(tail, c->x + r * k + kf);
                acc[r][0] = _mm512_fmadd_ps(a0, xv, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(a1, xv, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(a2, xv, acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(a3, xv, acc[r][3]);
            }
        }
        for (size_t r = 0; r < nn; r++)
            for (size_t q = 0; q < 4; q++) {
                float v = _mm512_reduce_add_ps(acc[r][q]) + (c->bias ? c->bias[j + q] : 0.0f);
                c->y[r * m + j + q] = act_one(c->act, c->alpha, v);
            }
    }
    for (; j < j1; j++) {
        const float *w0 = c->w + j * k;
        for (size_t r = 0; r < nn; r++) {
            __m512 acc = _mm512_setzero_ps();
            for (size_t p = 0; p < kf; p += 16)
                acc = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + p), _mm512_loadu_ps(c->x + r * k + p), acc);
            if (tail)
                acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w0 + kf),
                                      _mm512_maskz_loadu_ps(tail, c->x + r * k + kf), acc);
            float v = _mm512_reduce_add_ps(acc) + (c->bias ? c->bias[j] : 0.0f);
            c->y[r * m + j] = act_one(c->act, c->alpha, v);
        }
    }
}

DK_AVX512_ATTR static void gemv_avx512(const gemv_ctx *c, size_t j0, size_t j1) {
    switch (c->n) {
    case 1: gemv_avx512_n(c, 1, j0, j1); break;
    case 2: gemv_avx512_n(c, 2, j0, j1); break;
    case 3: gemv_avx512_n(c, 3, j0, j1); break;
    default: gemv_avx512_n(c, 4, j0, j1); break;
    }
}

DK_AVX2_ATTR static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __attribute__((always_inline)) DK_AVX2_ATTR void gemv_avx2_n(const gemv_ctx *c, size_t nn, size_t j0,
                                                                             size_t j1) {
    const size_t k = c->k, m = c->m;
    const size_t kf = k & ~(size_t)7;
    size_t j = j0;
    for (; j + 2 <= j1; j += 2) {
        __m256 acc[DENSE_GEMV_MAX_N][2];
        for (size_t r = 0; r < nn; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
        const float *w0 = c->w + j * k, *w1 = w0 + k;
        for (size_t p = 0; p < kf; p += 8) {
            __m256 a0 = _mm256_loadu_ps(w0 + p), a1 = _mm256_loadu_ps(w1 + p);
            for (size_t r = 0; r < nn; r++) {
                __m256 xv = _mm256_loadu_ps(c->x + r * k + p);
                acc[r][0] = _mm256_fmadd_ps(a0, xv, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(a1, xv, acc[r][1]);
            }
        }
        for (size_t r = 0; r < nn; r++)
            for (size_t q = 0; q < 2; q++) {
                float v = hsum256(acc[r][q]);
                const float *wq = w0 + q * k, *xr = c->x + r * k;
                for (size_t p = kf; p < k; p++) v += wq[p] * xr[p];
                v += c->bias ? c->bias[j + q] : 0.0f;
                c->y[r * m + j + q] = act_one(c->act, c->alpha, v);
            }
    }
    for (; j < j1; j++) {
        const float *w0 = c->w + j * k;
        for (size_t r = 0; r < nn; r++) {
            __m256 acc = _mm256_setzero_ps();
            const float *xr = c->x + r * k;
            for (size_t p = 0; p < kf; p += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + p), _mm256_loadu_ps(xr + p), acc);
            float v = hsum256(acc);
            for (size_t p = kf; p < k; p++) v += w0[p] * xr[p];
            v += c->bias ? c->bias[j] : 0.0f;
            c->y[r * m + j] = act_one(c->act, c->alpha, v);
        }
    }
}

DK_AVX2_ATTR static void gemv_avx2(const gemv_ctx *c, size_t j0, size_t j1) {
    switch (c->n) {
    case 1: gemv_avx2_n(c, 1, j0, j1); break;
    case 2: gemv_avx2_n(c, 2, j0, j1); break;
    case 3: gemv_avx2_n(c, 3, j0, j1); break;
    default: gemv_avx2_n(c, 4, j0, j1); break;
    }
}
#endif

static void gemv_part(const gemv_ctx *c, size_t j0, size_t j1) {
#if defined(__x86_64__)
    if (dk_isa_active() == DK_ISA_AVX512) gemv_avx512(c, j0, j1);
    else gemv_avx2(c, j0, j1);
#else
    (void)c, (void)j0, (void)j1;
#endif
    /* Sigmoid and tanh go through the shared vector routine, row by row. */
    if (!(c->act == DK_ACT_NONE || c->act == DK_ACT_RELU || c->act == DK_ACT_LEAKY_RELU || c->act == DK_ACT_RELU6))
        for (size_t r = 0; r < c->n; r++) dk_activation_apply(c->act, c->alpha, c->y + r * c->m + j0, j1 - j0);
}

static void gemv_task(void *context, size_t index, int thread) {
    (void)thread;
    const gemv_ctx *c = context;
    /* Parts cut at multiples of 16 outputs (whole 4-row groups, whole cache lines of y). */
    size_t units = (c->m + 15) / 16, b = units / c->parts, e = units % c->parts;
    size_t u0 = index * b + (index < e ? index : e), u1 = u0 + b + (index < e);
    size_t j0 = u0 * 16 < c->m ? u0 * 16 : c->m, j1 = u1 * 16 < c->m ? u1 * 16 : c->m;
    if (j0 < j1) gemv_part(c, j0, j1);
}

static int gemv_applies(size_t n, size_t k) {
    if (n == 0 || n > DENSE_GEMV_MAX_N || k == 0) return 0;
    dk_isa isa = dk_isa_active();
    return isa == DK_ISA_AVX512 || isa == DK_ISA_AVX2;
}

void dk_dense_forward(dk_pool *pool, size_t n, size_t k, size_t m, const float *x, const float *w,
                      const float *bias, dk_activation act, float alpha, float *y, float *workspace) {
    if (m != 0 && gemv_applies(n, k)) {
        gemv_ctx c = {n, k, m, x, w, bias, act, alpha, y, 1};
        int threads = dk_pool_threads(pool);
        if (threads > 1 && m * k >= DENSE_GEMV_PARALLEL_MIN && m >= 32) {
            c.parts = (size_t)threads;
            dk_pool_for(pool, c.parts, gemv_task, &c);
        } else {
            gemv_part(&c, 0, m);
        }
        return;
    }
    dk_epilogue ep = {bias, 1, act, alpha};
    (void)dk_sgemm(pool, 0, 1, n, m, k, 1.0f, x, k, w, k, 0.0f, y, m, &ep, workspace);
}

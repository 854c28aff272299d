/*
 * Depthwise convolution plane kernel for AVX2 + FMA, on an unpadded geometry
 * (every tap of every output inside the plane; see depthwise_conv2d.h).
 * Each output row is cut into blocks of 8 columns whose kh * kw taps are
 * accumulated in registers: stride 1 uses plain loads (four blocks at a time
 * while they last), stride 2 deinterleaves two loads, larger strides gather.
 * The row's last block uses masked loads (or a masked gather) and a masked
 * store, and stride 2's second load is masked to the 7 floats it needs, so
 * nothing outside the plane is ever read.
 */
#include "depthwise_conv2d.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define DK_AVX2 __attribute__((target("avx2,fma")))

/* All-ones in the first n of 8 lanes, 0 <= n <= 8. */
DK_AVX2 static inline __m256i first(ptrdiff_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The even elements of the first t <= 16 floats at s: s[0], s[2], ... (zero past t); only those t are read. */
DK_AVX2 static inline __m256 even_of(const float *s, ptrdiff_t t) {
    const __m256 lo = t >= 8 ? _mm256_loadu_ps(s) : _mm256_maskload_ps(s, first(t));
    const __m256 hi = t >= 16  ? _mm256_loadu_ps(s + 8)
                      : t > 8 ? _mm256_maskload_ps(s + 8, first(t - 8))
                              : _mm256_setzero_ps();
    const __m256 v = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Stride 1, 32 outputs from s (the first tap's input), four accumulators. */
DK_AVX2 static inline void s1_x32(const dk_dw_geom *g, const float *s, const float *k, __m256 vb, float *y) {
    __m256 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw) {
        for (ptrdiff_t kj = 0; kj < g->kw; kj++) {
            const float *t = s + kj * g->dw;
            const __m256 wv = _mm256_set1_ps(k[kj]);
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(t), wv, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(t + 8), wv, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(t + 16), wv, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(t + 24), wv, a3);
        }
    }
    _mm256_storeu_ps(y, a0);
    _mm256_storeu_ps(y + 8, a1);
    _mm256_storeu_ps(y + 16, a2);
    _mm256_storeu_ps(y + 24, a3);
}

/* Stride 1, 8 outputs from s. Two accumulators. */
DK_AVX2 static inline __m256 s1_x8(const dk_dw_geom *g, const float *s, const float *k, __m256 acc) {
    __m256 acc2 = _mm256_setzero_ps();
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw) {
        ptrdiff_t kj = 0;
        for (; kj + 2 <= g->kw; kj += 2) {
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(s + kj * g->dw), _mm256_set1_ps(k[kj]), acc);
            acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(s + (kj + 1) * g->dw), _mm256_set1_ps(k[kj + 1]), acc2);
        }
        if (kj < g->kw) acc = _mm256_fmadd_ps(_mm256_loadu_ps(s + kj * g->dw), _mm256_set1_ps(k[kj]), acc);
    }
    return _mm256_add_ps(acc, acc2);
}

/* Stride 1, the first r < 8 outputs from s, masked loads. */
DK_AVX2 static inline __m256 s1_tail(const dk_dw_geom *g, const float *s, const float *k, __m256 acc, __m256i m) {
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw)
        for (ptrdiff_t kj = 0; kj < g->kw; kj++)
            acc = _mm256_fmadd_ps(_mm256_maskload_ps(s + kj * g->dw, m), _mm256_set1_ps(k[kj]), acc);
    return acc;
}

/* Stride 2, 16 outputs from s: two blocks of 8, each tap's 31 floats deinterleaved. */
DK_AVX2 static inline void s2_x16(const dk_dw_geom *g, const float *s, const float *k, __m256 vb, float *y) {
    const ptrdiff_t kh = g->kh, kw = g->kw, dw = g->dw, row = g->dh * g->w;
    __m256 a0 = vb, a1 = vb;
    for (ptrdiff_t ki = 0; ki < kh; ki++, s += row, k += kw) {
        for (ptrdiff_t kj = 0; kj < kw; kj++) {
            const float *u = s + kj * dw;
            const __m256 wv = _mm256_set1_ps(k[kj]);
            a0 = _mm256_fmadd_ps(even_of(u, 16), wv, a0); /* u[15] is read by the second block anyway */
            a1 = _mm256_fmadd_ps(even_of(u + 16, 15), wv, a1);
        }
    }
    _mm256_storeu_ps(y, a0);
    _mm256_storeu_ps(y + 8, a1);
}

/* Stride 2, r <= 8 outputs from s: each tap reads 2r - 1 floats. */
DK_AVX2 static inline __m256 s2_x8(const dk_dw_geom *g, const float *s, const float *k, __m256 acc, ptrdiff_t r) {
    const ptrdiff_t kh = g->kh, kw = g->kw, dw = g->dw, row = g->dh * g->w;
    const ptrdiff_t t = 2 * r - 1;
    for (ptrdiff_t ki = 0; ki < kh; ki++, s += row, k += kw)
        for (ptrdiff_t kj = 0; kj < kw; kj++)
            acc = _mm256_fmadd_ps(even_of(s + kj * dw, t), _mm256_set1_ps(k[kj]), acc);
    return acc;
}

/* Any stride, the outputs in mask m from s, gathered at s + lane * sw. */
DK_AVX2 static inline __m256 sn_x8(const dk_dw_geom *g, const float *s, const float *k, __m256 acc, __m256i m,
                                   __m256i steps) {
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw)
        for (ptrdiff_t kj = 0; kj < g->kw; kj++)
            acc = _mm256_fmadd_ps(
                _mm256_mask_i32gather_ps(_mm256_setzero_ps(), s + kj * g->dw, steps, _mm256_castsi256_ps(m), 4),
                _mm256_set1_ps(k[kj]), acc);
    return acc;
}

DK_AVX2 static inline void store(float *y, ptrdiff_t r, __m256 v) {
    if (r == 8) _mm256_storeu_ps(y, v);
    else _mm256_maskstore_ps(y, first(r), v);
}

DK_AVX2 void dk_dw_plane_avx2(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y) {
    const ptrdiff_t wo = g->wo, sw = g->sw;
    const __m256 vb = _mm256_set1_ps(bias);
    const __m256i steps = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)sw));
    for (ptrdiff_t oh = 0; oh < g->ho; oh++) {
        const float *xr = x + oh * g->sh * g->w; /* input row of tap (0, 0) */
        float *yr = y + oh * wo;
        ptrdiff_t ow = 0;
        if (sw == 1) {
            for (; ow + 32 <= wo; ow += 32) s1_x32(g, xr + ow, k, vb, yr + ow);
            for (; ow + 8 <= wo; ow += 8) _mm256_storeu_ps(yr + ow, s1_x8(g, xr + ow, k, vb));
            if (ow < wo) {
                const __m256i m = first(wo - ow);
                _mm256_maskstore_ps(yr + ow, m, s1_tail(g, xr + ow, k, vb, m));
            }
        } else if (sw == 2) {
            for (; ow + 16 <= wo; ow += 16) s2_x16(g, xr + 2 * ow, k, vb, yr + ow);
            for (; ow < wo; ow += 8) {
                const ptrdiff_t r = wo - ow < 8 ? wo - ow : 8;
                store(yr + ow, r, s2_x8(g, xr + 2 * ow, k, vb, r));
            }
        } else {
            for (; ow < wo; ow += 8) {
                const ptrdiff_t r = wo - ow < 8 ? wo - ow : 8;
                store(yr + ow, r, sn_x8(g, xr + ow * sw, k, vb, first(r), steps));
            }
        }
    }
}
#else
typedef int dk_depthwise_avx2_unused; /* ISO C forbids an empty translation unit */
#endif

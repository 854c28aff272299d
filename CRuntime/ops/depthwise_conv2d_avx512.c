/*
 * Depthwise convolution plane kernel for AVX-512, on an unpadded geometry
 * (every tap of every output inside the plane; see depthwise_conv2d.h).
 * Each output row is cut into blocks of 16 columns whose kh * kw taps are
 * accumulated in registers: stride 1 uses plain loads (four blocks at a time
 * while they last), stride 2 deinterleaves two loads with vpermt2ps, larger
 * strides gather. The row's last block loads and stores under a lane mask,
 * so nothing outside the plane is ever read.
 */
#include "depthwise_conv2d.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define DK_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* The first n of 16 lanes, 0 <= n <= 16. */
static inline __mmask16 first(ptrdiff_t n) { return (__mmask16)((1u << n) - 1u); }

/* Stride 1, 64 outputs from s (the first tap's input), four accumulators. */
DK_AVX512 static inline void s1_x64(const dk_dw_geom *g, const float *s, const float *k, __m512 vb, float *y) {
    __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw) {
        for (ptrdiff_t kj = 0; kj < g->kw; kj++) {
            const float *t = s + kj * g->dw;
            const __m512 wv = _mm512_set1_ps(k[kj]);
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(t), wv, a0);
            a1 = _mm512_fmadd_ps(_mm512_loadu_ps(t + 16), wv, a1);
            a2 = _mm512_fmadd_ps(_mm512_loadu_ps(t + 32), wv, a2);
            a3 = _mm512_fmadd_ps(_mm512_loadu_ps(t + 48), wv, a3);
        }
    }
    _mm512_storeu_ps(y, a0);
    _mm512_storeu_ps(y + 16, a1);
    _mm512_storeu_ps(y + 32, a2);
    _mm512_storeu_ps(y + 48, a3);
}

/* Stride 1, the outputs in mask m (a prefix) of 16 from s. Two accumulators. */
DK_AVX512 static inline __m512 s1_x16(const dk_dw_geom *g, const float *s, const float *k, __m512 acc, __mmask16 m) {
    __m512 acc2 = _mm512_setzero_ps();
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw) {
        ptrdiff_t kj = 0;
        for (; kj + 2 <= g->kw; kj += 2) {
            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, s + kj * g->dw), _mm512_set1_ps(k[kj]), acc);
            acc2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, s + (kj + 1) * g->dw), _mm512_set1_ps(k[kj + 1]), acc2);
        }
        if (kj < g->kw) acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, s + kj * g->dw), _mm512_set1_ps(k[kj]), acc);
    }
    return _mm512_add_ps(acc, acc2);
}

/* Stride 2, 32 outputs from s: two blocks of 16, each tap's 31 floats deinterleaved with vpermt2ps. */
DK_AVX512 static inline void s2_x32(const dk_dw_geom *g, const float *s, const float *k, __m512 vb, __m512i even,
                                    float *y) {
    const ptrdiff_t kh = g->kh, kw = g->kw, dw = g->dw, row = g->dh * g->w;
    __m512 a0 = vb, a1 = vb;
    for (ptrdiff_t ki = 0; ki < kh; ki++, s += row, k += kw) {
        for (ptrdiff_t kj = 0; kj < kw; kj++) {
            const float *u = s + kj * dw;
            const __m512 wv = _mm512_set1_ps(k[kj]);
            const __m512 v0 = _mm512_permutex2var_ps(_mm512_loadu_ps(u), even, _mm512_loadu_ps(u + 16));
            const __m512 v1 = _mm512_permutex2var_ps(_mm512_loadu_ps(u + 32), even,
                                                     _mm512_maskz_loadu_ps((__mmask16)0x7FFF, u + 48));
            a0 = _mm512_fmadd_ps(v0, wv, a0);
            a1 = _mm512_fmadd_ps(v1, wv, a1);
        }
    }
    _mm512_storeu_ps(y, a0);
    _mm512_storeu_ps(y + 16, a1);
}

/* Stride 2, r <= 16 outputs from s: each tap reads 2r - 1 floats, split over two masked loads. */
DK_AVX512 static inline __m512 s2_x16(const dk_dw_geom *g, const float *s, const float *k, __m512 acc, ptrdiff_t r,
                                      __m512i even) {
    const ptrdiff_t kh = g->kh, kw = g->kw, dw = g->dw, row = g->dh * g->w;
    const ptrdiff_t t = 2 * r - 1;
    const __mmask16 ma = first(t < 16 ? t : 16), mb = first(t > 16 ? t - 16 : 0);
    for (ptrdiff_t ki = 0; ki < kh; ki++, s += row, k += kw) {
        for (ptrdiff_t kj = 0; kj < kw; kj++) {
            const float *u = s + kj * dw;
            const __m512 a = _mm512_maskz_loadu_ps(ma, u);
            const __m512 b = mb ? _mm512_maskz_loadu_ps(mb, u + 16) : _mm512_setzero_ps();
            acc = _mm512_fmadd_ps(_mm512_permutex2var_ps(a, even, b), _mm512_set1_ps(k[kj]), acc);
        }
    }
    return acc;
}

/* Any stride, the outputs in mask m of 16 from s, gathered at s + lane * sw. */
DK_AVX512 static inline __m512 sn_x16(const dk_dw_geom *g, const float *s, const float *k, __m512 acc, __mmask16 m,
                                      __m512i steps) {
    for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * g->w, k += g->kw)
        for (ptrdiff_t kj = 0; kj < g->kw; kj++)
            acc = _mm512_fmadd_ps(_mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, steps, s + kj * g->dw, 4),
                                  _mm512_set1_ps(k[kj]), acc);
    return acc;
}

DK_AVX512 void dk_dw_plane_avx512(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y) {
    const ptrdiff_t wo = g->wo, sw = g->sw;
    const __m512 vb = _mm512_set1_ps(bias);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i steps = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                             _mm512_set1_epi32((int)sw));
    for (ptrdiff_t oh = 0; oh < g->ho; oh++) {
        const float *xr = x + oh * g->sh * g->w; /* input row of tap (0, 0) */
        float *yr = y + oh * wo;
        ptrdiff_t ow = 0;
        if (sw == 1) {
            for (; ow + 64 <= wo; ow += 64) s1_x64(g, xr + ow, k, vb, yr + ow);
            for (; ow < wo; ow += 16) {
                const __mmask16 m = first(wo - ow < 16 ? wo - ow : 16);
                _mm512_mask_storeu_ps(yr + ow, m, s1_x16(g, xr + ow, k, vb, m));
            }
        } else if (sw == 2) {
            for (; ow + 32 <= wo; ow += 32) s2_x32(g, xr + 2 * ow, k, vb, even, yr + ow);
            for (; ow < wo; ow += 16) {
                const ptrdiff_t r = wo - ow < 16 ? wo - ow : 16;
                _mm512_mask_storeu_ps(yr + ow, first(r), s2_x16(g, xr + 2 * ow, k, vb, r, even));
            }
        } else {
            for (; ow < wo; ow += 16) {
                const __mmask16 m = first(wo - ow < 16 ? wo - ow : 16);
                _mm512_mask_storeu_ps(yr + ow, m, sn_x16(g, xr + ow * sw, k, vb, m, steps));
            }
        }
    }
}
#else
typedef int dk_depthwise_avx512_unused; /* ISO C forbids an empty translation unit */
#endif

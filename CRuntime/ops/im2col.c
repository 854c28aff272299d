/*
 * im2col (convolution lowering for dk_sgemm) and its adjoint col2im (the
 * scatter of a transposed convolution). Both work row by row: the valid
 * columns of each kernel tap are computed once, so the inner loops are plain
 * copies or adds (contiguous when the stride is 1) with no per-element bounds
 * tests.
 */
#include "ops_internal.h"

#include <string.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#define IM2COL_SSE 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define IM2COL_NEON 1
#endif

/*
 * Inline copies and fills: im2col rows are short (wo floats, often 7 to 32),
 * where a memcpy / memset call costs more than the copy itself.
 */
static inline void copy_row(float *restrict d, const float *restrict s, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(IM2COL_SSE)
    for (; i + 8 <= n; i += 8) {
        __m128 a = _mm_loadu_ps(s + i), b = _mm_loadu_ps(s + i + 4);
        _mm_storeu_ps(d + i, a);
        _mm_storeu_ps(d + i + 4, b);
    }
    if (i + 4 <= n) {
        _mm_storeu_ps(d + i, _mm_loadu_ps(s + i));
        i += 4;
    }
#elif defined(IM2COL_NEON)
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vld1q_f32(s + i));
#endif
    for (; i < n; i++) d[i] = s[i];
}

static inline void zero_row(float *d, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(IM2COL_SSE)
    const __m128 z = _mm_setzero_ps();
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(d + i, z);
#elif defined(IM2COL_NEON)
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, z);
#endif
    for (; i < n; i++) d[i] = 0.0f;
}

static void add_strided(float *restrict d, ptrdiff_t stride, const float *restrict s, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i * stride] += s[i];
    }
}

static void copy_strided(float *restrict d, const float *restrict s, ptrdiff_t stride, ptrdiff_t n) {
    if (stride == 1) {
        if (n > 64) memcpy(d, s, (size_t)n * sizeof(float));
        else copy_row(d, s, n);
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i] = s[i * stride];
    }
}

void dk_ops_im2col(const dk_conv2d_params *p, const float *x, size_t ci0, size_t ci1, size_t j0, size_t j1,
                   float *col) {
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w;
    const ptrdiff_t ho = (ptrdiff_t)p->ho, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sh = (ptrdiff_t)p->sh, sw = (ptrdiff_t)p->sw;
    const size_t kh = p->kh, kw = p->kw;
    const size_t width = j1 - j0;
    const ptrdiff_t first = (ptrdiff_t)j0 / wo, last = ((ptrdiff_t)j1 - 1) / wo; /* output rows touched */
    for (size_t ci = ci0; ci < ci1; ci++) {
        const float *xc = x + ci * (size_t)(h * w);
        for (size_t ki = 0; ki < kh; ki++) {
            /* output row oh reads input row oh * sh + hoff */
            const ptrdiff_t hoff = (ptrdiff_t)(ki * p->dh) - (ptrdiff_t)p->pt;
            ptrdiff_t oh_lo, oh_hi;
            dk_ops_valid_range(hoff, sh, h, ho, &oh_lo, &oh_hi);
            for (size_t kj = 0; kj < kw; kj++) {
                const ptrdiff_t woff = (ptrdiff_t)(kj * p->dw) - (ptrdiff_t)p->pl;
                ptrdiff_t ow_lo, ow_hi;
                dk_ops_valid_range(woff, sw, w, wo, &ow_lo, &ow_hi);
                float *dst = col + ((ci * kh + ki) * kw + kj) * width;
                for (ptrdiff_t oh = first; oh <= last; oh++) {
                    /* this output row's part of [j0, j1): columns [a, b), at dst + oh * wo + a - j0 */
                    const ptrdiff_t a = oh == first ? (ptrdiff_t)j0 - oh * wo : 0;
                    const ptrdiff_t b = oh == last ? (ptrdiff_t)j1 - oh * wo : wo;
                    const ptrdiff_t at = oh * wo - (ptrdiff_t)j0; /* dst index of column 0 (may be < 0) */
                    const ptrdiff_t lo = ow_lo > a ? ow_lo : a, hi = ow_hi < b ? ow_hi : b;
                    if (oh < oh_lo || oh >= oh_hi || lo >= hi) {
                        zero_row(dst + (at + a), b - a);
                        continue;
                    }
                    const float *row = xc + (oh * sh + hoff) * w;
                    if (lo > a) zero_row(dst + (at + a), lo - a);
                    copy_strided(dst + (at + lo), row + (lo * sw + woff), sw, hi - lo);
                    if (hi < b) zero_row(dst + (at + hi), b - hi);
                }
            }
        }
    }
}

void dk_ops_col2im_plane(const dk_conv2d_params *p, const float *col, size_t oc, float bias, float *y) {
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w;
    const ptrdiff_t ho = (ptrdiff_t)p->ho, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sh = (ptrdiff_t)p->sh, sw = (ptrdiff_t)p->sw;
    const size_t kh = p->kh, kw = p->kw;
    const size_t hw = (size_t)(h * w);
    for (ptrdiff_t i = 0; i < ho * wo; i++) y[i] = bias;
    for (size_t ki = 0; ki < kh; ki++) {
        /* input row ih lands on output row ih * sh + hoff */
        const ptrdiff_t hoff = (ptrdiff_t)(ki * p->dh) - (ptrdiff_t)p->pt;
        ptrdiff_t ih_lo, ih_hi;
        dk_ops_valid_range(hoff, sh, ho, h, &ih_lo, &ih_hi);
        for (size_t kj = 0; kj < kw; kj++) {
            const ptrdiff_t woff = (ptrdiff_t)(kj * p->dw) - (ptrdiff_t)p->pl;
            ptrdiff_t iw_lo, iw_hi;
            dk_ops_valid_range(woff, sw, wo, w, &iw_lo, &iw_hi);
            if (iw_lo >= iw_hi) continue;
            const float *src = col + ((oc * kh + ki) * kw + kj) * hw;
            for (ptrdiff_t ih = ih_lo; ih < ih_hi; ih++) {
                float *row = y + (ih * sh + hoff) * wo;
                add_strided(row + iw_lo * sw + woff, sw, src + ih * w + iw_lo, iw_hi - iw_lo);
            }
        }
    }
}

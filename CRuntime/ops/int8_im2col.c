/*
 * int8 im2col: the convolution lowering of ops/im2col.c for int8
 * activations, where the padding reads the zero point (the real value 0),
 * not 0. The window form takes a signed offset of tap (0, 0), which
 * int8_conv_transpose2d.c's phase convolutions need (their "padding" can be
 * negative). Row by row: the valid columns of each kernel tap are computed once,
 * so the inner loops are plain (strided) copies and fills. With stride 1 and
 * as many output columns as input columns (a "same" convolution), a tap's
 * whole row of the matrix is the input plane shifted by a constant: one copy,
 * then the few wrapped-around edge bytes are reset to the padding. The row
 * by row form spent most of ResNet-20's int8 time in calls copying 8-32 bytes.
 */
#include "int8_internal.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

/*
 * memset for the short runs here (padding rows and edges), where calling memset cost more than
 * the run. Not inline: its copies would cost libdlrt.so a page of its 300 KB budget.
 */
static void fill(int8_t *d, int8_t v, ptrdiff_t n) {
    if (n <= 0) return;
    if (n >= 64) {
        memset(d, v, (size_t)n);
        return;
    }
    const uint64_t pattern = (uint64_t)(uint8_t)v * UINT64_C(0x0101010101010101);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) memcpy(d + i, &pattern, 8);
    if (n - i >= 4) memcpy(d + i, &pattern, 4), i += 4;
    if (n - i >= 2) memcpy(d + i, &pattern, 2), i += 2;
    if (n - i >= 1) d[i] = v;
}

/*
 * d[i] = s[i * stride] for i < n; `avail` bytes are readable from s, so the
 * stride-2 vector loop (the even bytes of 16 or 8 byte pairs) may read a byte past
 * the last one it keeps.
 */
static void copy_strided(int8_t *restrict d, const int8_t *restrict s, ptrdiff_t stride, ptrdiff_t n, ptrdiff_t avail) {
    if (stride == 1) {
        memcpy(d, s, (size_t)n);
        return;
    }
    ptrdiff_t i = 0;
    if (stride == 2) {
#if defined(__x86_64__)
        const __m128i even = _mm_set1_epi16(0x00FF);
        for (; i + 16 <= n && 2 * i + 32 <= avail; i += 16) {
            const __m128i a = _mm_and_si128(_mm_loadu_si128((const __m128i *)(s + 2 * i)), even);
            const __m128i b = _mm_and_si128(_mm_loadu_si128((const __m128i *)(s + 2 * i + 16)), even);
            _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi16(a, b));
        }
        for (; i + 8 <= n && 2 * i + 16 <= avail; i += 8) {
            const __m128i a = _mm_and_si128(_mm_loadu_si128((const __m128i *)(s + 2 * i)), even);
            _mm_storel_epi64((__m128i *)(d + i), _mm_packus_epi16(a, a));
        }
#elif defined(__aarch64__)
        for (; i + 16 <= n && 2 * i + 32 <= avail; i += 16) vst1q_s8(d + i, vld2q_s8(s + 2 * i).val[0]);
        for (; i + 8 <= n && 2 * i + 16 <= avail; i += 8) vst1_s8(d + i, vld2_s8(s + 2 * i).val[0]);
#endif
    }
    for (; i < n; i++) d[i] = s[i * stride];
}

static ptrdiff_t max_pd(ptrdiff_t a, ptrdiff_t b) { return a > b ? a : b; }
static ptrdiff_t min_pd(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }

/* Pixels [a, b) of dst's [v0, v1) (dst holds pixels from j0) become the padding. */
static void pad_clipped(int8_t *dst, ptrdiff_t j0, ptrdiff_t a, ptrdiff_t b, ptrdiff_t v0, ptrdiff_t v1, int8_t pad) {
    a = max_pd(a, v0);
    fill(dst + (a - j0), pad, min_pd(b, v1) - a);
}

/*
 * Stride 1 and wo == w: output pixel j of a valid output row reads plane[j + off],
 * off = hoff * w + woff. Fills dst[0, j1 - j0) for pixels [j0, j1); output rows
 * [oh_lo, oh_hi) and columns [ow_lo, ow_hi) are the valid ones.
 */
static void tap_row_shifted(const int8_t *plane, ptrdiff_t plane_size, ptrdiff_t off, ptrdiff_t wo, ptrdiff_t oh_lo,
                            ptrdiff_t oh_hi, ptrdiff_t ow_lo, ptrdiff_t ow_hi, int8_t pad, ptrdiff_t j0, ptrdiff_t j1,
                            int8_t *dst) {
    const ptrdiff_t v0 = max_pd(j0, oh_lo * wo), v1 = min_pd(j1, oh_hi * wo); /* pixels of valid rows */
    if (v0 >= v1 || ow_lo >= ow_hi) {
        fill(dst, pad, j1 - j0);
        return;
    }
    fill(dst, pad, v0 - j0);
    fill(dst + (v1 - j0), pad, j1 - v1);
    /* Clipped to the plane: whatever lies outside it is an edge byte, reset below. */
    const ptrdiff_t c0 = max_pd(v0, -off), c1 = min_pd(v1, plane_size - off);
    if (c0 < c1) memcpy(dst + (c0 - j0), plane + (c0 + off), (size_t)(c1 - c0));
    if (ow_lo == 0 && ow_hi == wo) return;
    /* The first row's left edge, then one run per row: its right edge and the next row's left edge. */
    const ptrdiff_t row = (v0 / wo) * wo, gap = wo - ow_hi + ow_lo;
    pad_clipped(dst, j0, row, row + ow_lo, v0, v1, pad);
    ptrdiff_t p = row + ow_hi;
    for (; p < v0 && p < v1; p += wo) pad_clipped(dst, j0, p, p + gap, v0, v1, pad);
    if (gap == 1) { /* a 3x3 kernel's outer columns: one byte a row */
        for (; p < v1; p += wo) dst[p - j0] = pad;
    } else {
        for (; p + gap <= v1; p += wo) fill(dst + (p - j0), pad, gap);
    }
    if (p < v1) pad_clipped(dst, j0, p, p + gap, v0, v1, pad);
}

void dk_q8_im2col_window(const dk_q8_window *g, const int8_t *x, int8_t pad, size_t ci0, size_t ci1, size_t j0,
                         size_t j1, int8_t *col) {
    const ptrdiff_t h = (ptrdiff_t)g->h, w = (ptrdiff_t)g->w;
    const ptrdiff_t ho = (ptrdiff_t)g->ho, wo = (ptrdiff_t)g->wo;
    const ptrdiff_t sh = (ptrdiff_t)g->sh, sw = (ptrdiff_t)g->sw;
    const size_t kh = g->kh, kw = g->kw;
    const size_t width = j1 - j0;
    const ptrdiff_t first = (ptrdiff_t)j0 / wo, last = ((ptrdiff_t)j1 - 1) / wo; /* output rows touched */
    const int shifted = sh == 1 && sw == 1 && wo == w;
    for (size_t ci = ci0; ci < ci1; ci++) {
        const int8_t *xc = x + ci * (size_t)(h * w);
        for (size_t ki = 0; ki < kh; ki++) {
            const ptrdiff_t hoff = (ptrdiff_t)(ki * g->dh) + g->top;
            ptrdiff_t oh_lo, oh_hi;
            dk_ops_valid_range(hoff, sh, h, ho, &oh_lo, &oh_hi);
            for (size_t kj = 0; kj < kw; kj++) {
                const ptrdiff_t woff = (ptrdiff_t)(kj * g->dw) + g->left;
                ptrdiff_t ow_lo, ow_hi;
                dk_ops_valid_range(woff, sw, w, wo, &ow_lo, &ow_hi);
                int8_t *dst = col + ((ci * kh + ki) * kw + kj) * width;
                if (shifted) {
                    tap_row_shifted(xc, h * w, hoff * w + woff, wo, oh_lo, oh_hi, ow_lo, ow_hi, pad, (ptrdiff_t)j0,
                                    (ptrdiff_t)j1, dst);
                    continue;
                }
                for (ptrdiff_t oh = first; oh <= last; oh++) {
                    /* this output row's part of [j0, j1): columns [a, b), at dst + oh * wo + a - j0 */
                    const ptrdiff_t a = oh == first ? (ptrdiff_t)j0 - oh * wo : 0;
                    const ptrdiff_t b = oh == last ? (ptrdiff_t)j1 - oh * wo : wo;
                    const ptrdiff_t at = oh * wo - (ptrdiff_t)j0;
                    const ptrdiff_t lo = ow_lo > a ? ow_lo : a, hi = ow_hi < b ? ow_hi : b;
                    if (oh < oh_lo || oh >= oh_hi || lo >= hi) {
                        fill(dst + (at + a), pad, b - a);
                        continue;
                    }
                    const int8_t *src = xc + (oh * sh + hoff) * w + (lo * sw + woff);
                    fill(dst + (at + a), pad, lo - a);
                    copy_strided(dst + (at + lo), src, sw, hi - lo, xc + h * w - src);
                    fill(dst + (at + hi), pad, b - hi);
                }
            }
        }
    }
}

void dk_q8_im2col(const dk_conv2d_params *p, const int8_t *x, int8_t pad, size_t ci0, size_t ci1, size_t j0, size_t j1,
                  int8_t *col) {
    const dk_q8_window g = {p->h, p->w, p->ho, p->wo, p->sh, p->sw, p->kh, p->kw, p->dh, p->dw,
                            -(ptrdiff_t)p->pt, -(ptrdiff_t)p->pl};
    dk_q8_im2col_window(&g, x, pad, ci0, ci1, j0, j1, col);
}

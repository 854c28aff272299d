/*
 * int8 im2col: the convolution lowering of ops/im2col.c for int8
 * activations, where the padding reads the zero point (the real value 0),
 * not 0. The window form takes a signed offset of tap (0, 0), which
 * int8_conv_transpose2d.c's phase convolutions need (their "padding" can be
 * negative). Row by row: the valid columns of each kernel tap are computed once,
 * so the inner loops are plain (strided) copies and fills.
 */
#include "int8_internal.h"

#include <string.h>

static void copy_strided(int8_t *restrict d, const int8_t *restrict s, ptrdiff_t stride, ptrdiff_t n) {
    if (stride == 1) {
        memcpy(d, s, (size_t)n);
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i] = s[i * stride];
    }
}

void dk_q8_im2col_window(const dk_q8_window *g, const int8_t *x, int8_t pad, size_t ci0, size_t ci1, size_t j0,
                         size_t j1, int8_t *col) {
    const ptrdiff_t h = (ptrdiff_t)g->h, w = (ptrdiff_t)g->w;
    const ptrdiff_t ho = (ptrdiff_t)g->ho, wo = (ptrdiff_t)g->wo;
    const ptrdiff_t sh = (ptrdiff_t)g->sh, sw = (ptrdiff_t)g->sw;
    const size_t kh = g->kh, kw = g->kw;
    const size_t width = j1 - j0;
    const ptrdiff_t first = (ptrdiff_t)j0 / wo, last = ((ptrdiff_t)j1 - 1) / wo; /* output rows touched */
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
                for (ptrdiff_t oh = first; oh <= last; oh++) {
                    /* this output row's part of [j0, j1): columns [a, b), at dst + oh * wo + a - j0 */
                    const ptrdiff_t a = oh == first ? (ptrdiff_t)j0 - oh * wo : 0;
                    const ptrdiff_t b = oh == last ? (ptrdiff_t)j1 - oh * wo : wo;
                    const ptrdiff_t at = oh * wo - (ptrdiff_t)j0;
                    const ptrdiff_t lo = ow_lo > a ? ow_lo : a, hi = ow_hi < b ? ow_hi : b;
                    if (oh < oh_lo || oh >= oh_hi || lo >= hi) {
                        memset(dst + (at + a), pad, (size_t)(b - a));
                        continue;
                    }
                    const int8_t *row = xc + (oh * sh + hoff) * w;
                    if (lo > a) memset(dst + (at + a), pad, (size_t)(lo - a));
                    copy_strided(dst + (at + lo), row + (lo * sw + woff), sw, hi - lo);
                    if (hi < b) memset(dst + (at + hi), pad, (size_t)(b - hi));
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

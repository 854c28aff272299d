/*
 * Direct depthwise conv2d backward (groups == c, m = multiplier * c): no
 * im2col, no GEMM (whose shapes would be [multiplier x kh*kw] per plane).
 * One task per input channel ci, over every image: it owns dx's (image, ci)
 * planes and dw's rows of output channels ci * multiplier + j, so tasks share
 * nothing and dw needs no partial sums.
 *
 * Row by row, as the forward's portable kernel: for each output row and each
 * tap, the valid output columns are computed once; then
 *   dw[tap] += dot(dy row, x row segment)      (16 partial sums)
 *   dx row segment += w[tap] * dy row          (strided by the column stride)
 */
#include "ops_backward_internal.h"

#include <string.h>

/* sum of a[i] * b[i * stride], 16 partial sums (vectorises without reassociation) */
static float dot_strided(const float *restrict a, const float *restrict b, ptrdiff_t stride, ptrdiff_t n) {
    float acc[16] = {0};
    ptrdiff_t i = 0;
    if (stride == 1) {
        for (; i + 16 <= n; i += 16)
            for (ptrdiff_t j = 0; j < 16; j++) acc[j] += a[i + j] * b[i + j];
    } else {
        for (; i + 16 <= n; i += 16)
            for (ptrdiff_t j = 0; j < 16; j++) acc[j] += a[i + j] * b[(i + j) * stride];
    }
    float s = 0.0f;
    for (; i < n; i++) s += a[i] * b[i * stride];
    for (int j = 0; j < 16; j++) s += acc[j];
    return s;
}

/* d[i * stride] += k * s[i] */
static void axpy_scatter(float *restrict d, ptrdiff_t stride, float k, const float *restrict s, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += k * s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i * stride] += k * s[i];
    }
}

typedef struct dwb_ctx {
    const dk_conv2d_params *p;
    const float *x, *w, *dy;
    float *dx, *dw;
    int accumulate;
} dwb_ctx;

static void dwb_channel(void *context, size_t ci, int thread) {
    (void)thread;
    const dwb_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const size_t mult = p->m / p->c, taps = p->kh * p->kw, hw = p->h * p->w, plane = p->ho * p->wo;
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sw = (ptrdiff_t)p->sw, kw = (ptrdiff_t)p->kw;
    float *dwc = c->dw ? c->dw + ci * mult * taps : NULL;
    if (dwc && !c->accumulate) memset(dwc, 0, mult * taps * sizeof(float));
    for (size_t img = 0; img < p->n; img++) {
        const float *xp = dwc ? c->x + (img * p->c + ci) * hw : NULL;
        float *dxp = c->dx ? c->dx + (img * p->c + ci) * hw : NULL;
        if (dxp && !c->accumulate) memset(dxp, 0, hw * sizeof(float));
        for (size_t j = 0; j < mult; j++) {
            const size_t oc = ci * mult + j;
            const float *dyp = c->dy + (img * p->m + oc) * plane;
            const float *wk = c->w ? c->w + oc * taps : NULL;
            float *dwk = dwc ? dwc + j * taps : NULL;
            for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
                const float *dyrow = dyp + oh * wo;
                const ptrdiff_t top = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
                ptrdiff_t ki_lo, ki_hi;
                dk_ops_valid_range(top, (ptrdiff_t)p->dh, h, (ptrdiff_t)p->kh, &ki_lo, &ki_hi);
                for (ptrdiff_t ki = ki_lo; ki < ki_hi; ki++) {
                    const ptrdiff_t row = (top + ki * (ptrdiff_t)p->dh) * w;
                    for (ptrdiff_t kj = 0; kj < kw; kj++) {
                        const ptrdiff_t off = kj * (ptrdiff_t)p->dw - (ptrdiff_t)p->pl;
                        ptrdiff_t lo, hi;
                        dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
                        if (hi <= lo) continue;
                        const ptrdiff_t at = row + lo * sw + off;
                        if (dwk) dwk[ki * kw + kj] += dot_strided(dyrow + lo, xp + at, sw, hi - lo);
                        if (dxp) axpy_scatter(dxp + at, sw, wk[ki * kw + kj], dyrow + lo, hi - lo);
                    }
                }
            }
        }
    }
}

void dk_opsb_depthwise_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                const float *dy, float *dx, float *dw, int accumulate) {
    dwb_ctx c = {p, x, w, dy, dx, dw, accumulate};
    dk_pool_for(pool, p->c, dwb_channel, &c);
}

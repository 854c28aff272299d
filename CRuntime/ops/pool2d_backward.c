/*
 * max_pool2d and avg_pool2d backward, PyTorch's semantics (see ops.h), one
 * (n, c) plane per task. Both work on an output row in chunks of up to
 * POOLB_COLS columns, tap by tap as the forward does: for every input row of
 * the window and every kernel column, the valid output columns are computed
 * once, so the inner loops carry no bounds tests.
 *
 * max: the argmax is recomputed from x. Each output column keeps its running
 * maximum and its index; taps are visited in the window's row-major order and
 * a tap replaces the maximum when it is greater or NaN, which is PyTorch's
 * CPU rule (first maximum on ties, last NaN). The index starts at the
 * window's first element (for all -inf). Then dy is added at each index.
 * Indices are 32-bit (so that the selects vectorise): a plane must have fewer
 * than 2^31 elements.
 *
 * avg: g = dy / divisor (the forward's divisor, per PyTorch's avg_pool2d) is
 * added to every input element of the window (strided adds).
 */
#include "ops_backward_internal.h"

#include <string.h>

#define POOLB_COLS ((size_t)256)

typedef struct poolb_ctx {
    const dk_pool2d_params *p;
    const float *x, *dy;
    float *dx;
    int accumulate;
} poolb_ctx;

/*
 * The running maximum and argmax of n output columns against one tap: input
 * s[i * stride] sits at plane index base + i * stride. 32-bit lanes for both
 * (so the selects vectorise); the caller guarantees that plane indices fit.
 */
static void max_update(float *restrict best, int32_t *restrict arg, const float *restrict s, ptrdiff_t stride,
                       int32_t base, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) {
            const float v = s[i];
            const int take = v > best[i] || v != v;
            best[i] = take ? v : best[i];
            arg[i] = take ? base + (int32_t)i : arg[i];
        }
    } else {
        const int32_t st = (int32_t)stride;
        for (ptrdiff_t i = 0; i < n; i++) {
            const float v = s[i * stride];
            const int take = v > best[i] || v != v;
            best[i] = take ? v : best[i];
            arg[i] = take ? base + (int32_t)i * st : arg[i];
        }
    }
}

static void max_plane(void *context, size_t index, int thread) {
    (void)thread;
    const poolb_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sw = (ptrdiff_t)p->sw, pl = (ptrdiff_t)p->pl;
    const float *x = c->x + index * p->h * p->w;
    const float *dy = c->dy + index * p->ho * p->wo;
    float *dx = c->dx + index * p->h * p->w;
    if (!c->accumulate) memset(dx, 0, p->h * p->w * sizeof(float));
    float best[POOLB_COLS];
    int32_t arg[POOLB_COLS];
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        const ptrdiff_t hs = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
        const ptrdiff_t h0 = hs > 0 ? hs : 0;
        const ptrdiff_t h1 = hs + (ptrdiff_t)p->kh < h ? hs + (ptrdiff_t)p->kh : h;
        for (ptrdiff_t o0 = 0; o0 < wo; o0 += (ptrdiff_t)POOLB_COLS) {
            const ptrdiff_t o1 = o0 + (ptrdiff_t)POOLB_COLS < wo ? o0 + (ptrdiff_t)POOLB_COLS : wo;
            for (ptrdiff_t ow = o0; ow < o1; ow++) {
                const ptrdiff_t ws = ow * sw - pl;
                best[ow - o0] = -INFINITY;
                arg[ow - o0] = (int32_t)(h0 * w + (ws > 0 ? ws : 0));
            }
            for (ptrdiff_t ih = h0; ih < h1; ih++) {
                const float *xrow = x + ih * w;
                for (ptrdiff_t kj = 0; kj < (ptrdiff_t)p->kw; kj++) {
                    const ptrdiff_t off = kj - pl;
                    ptrdiff_t lo, hi;
                    dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
                    if (lo < o0) lo = o0;
                    if (hi > o1) hi = o1;
                    if (hi > lo)
                        max_update(best + (lo - o0), arg + (lo - o0), xrow + lo * sw + off, sw,
                                   (int32_t)(ih * w + lo * sw + off), hi - lo);
                }
            }
            const float *dyrow = dy + oh * wo;
            for (ptrdiff_t ow = o0; ow < o1; ow++) dx[arg[ow - o0]] += dyrow[ow];
        }
    }
}

static void avg_plane(void *context, size_t index, int thread) {
    (void)thread;
    const poolb_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t kh = (ptrdiff_t)p->kh, sw = (ptrdiff_t)p->sw, pl = (ptrdiff_t)p->pl;
    const int cip = p->count_include_pad;
    const float *dy = c->dy + index * p->ho * p->wo;
    float *dx = c->dx + index * p->h * p->w;
    if (!c->accumulate) memset(dx, 0, p->h * p->w * sizeof(float));
    float g[POOLB_COLS];
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        const ptrdiff_t hs = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
        const ptrdiff_t he = hs + kh < h + (ptrdiff_t)p->pb ? hs + kh : h + (ptrdiff_t)p->pb;
        const ptrdiff_t h0 = hs > 0 ? hs : 0;
        const ptrdiff_t h1 = he < h ? he : h;
        const ptrdiff_t hcount = cip ? he - hs : h1 - h0;
        const float *dyrow = dy + oh * wo;
        for (ptrdiff_t o0 = 0; o0 < wo; o0 += (ptrdiff_t)POOLB_COLS) {
            const ptrdiff_t o1 = o0 + (ptrdiff_t)POOLB_COLS < wo ? o0 + (ptrdiff_t)POOLB_COLS : wo;
            for (ptrdiff_t ow = o0; ow < o1; ow++) {
                const ptrdiff_t ws = ow * sw - pl;
                const ptrdiff_t we = ws + (ptrdiff_t)p->kw < w + (ptrdiff_t)p->pr ? ws + (ptrdiff_t)p->kw
                                                                                   : w + (ptrdiff_t)p->pr;
                const ptrdiff_t wcount = cip ? we - ws : (we < w ? we : w) - (ws > 0 ? ws : 0);
                g[ow - o0] = dyrow[ow] / (float)(hcount * wcount);
            }
            for (ptrdiff_t ih = h0; ih < h1; ih++) {
                float *dxrow = dx + ih * w;
                for (ptrdiff_t kj = 0; kj < (ptrdiff_t)p->kw; kj++) {
                    const ptrdiff_t off = kj - pl;
                    ptrdiff_t lo, hi;
                    dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
                    if (lo < o0) lo = o0;
                    if (hi > o1) hi = o1;
                    if (hi > lo) dk_ops_add_strided(dxrow + lo * sw + off, sw, g + (lo - o0), hi - lo);
                }
            }
        }
    }
}

void dk_max_pool2d_backward(dk_pool *pool, const dk_pool2d_params *p, const float *x, const float *dy,
                            float *dx, int accumulate) {
    poolb_ctx c = {p, x, dy, dx, accumulate};
    dk_pool_for(pool, p->n * p->c, max_plane, &c);
}

void dk_avg_pool2d_backward(dk_pool *pool, const dk_pool2d_params *p, const float *dy, float *dx,
                            int accumulate) {
    poolb_ctx c = {p, NULL, dy, dx, accumulate};
    dk_pool_for(pool, p->n * p->c, avg_plane, &c);
}

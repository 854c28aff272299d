/*
 * max_pool2d and avg_pool2d with PyTorch's semantics (asymmetric padding
 * allowed): output size from dk_pool2d_infer, windows clipped to the input
 * for max pooling, and for average pooling the divisor of PyTorch's
 * avg_pool2d: the window clipped to the padded input when count_include_pad,
 * else to the input.
 *
 * Each (n, c) plane is one task. An output row is built tap by tap: for every
 * input row in the window and every kernel column, the valid output columns
 * are computed once and combined with a plain (strided) loop, so there is no
 * per-element bounds test. Average pooling multiplies by the reciprocal of the
 * divisor, which is the same for every column but the few border ones.
 */
#include "ops_internal.h"

/*
 * PyTorch's pooling_output_shape, with separate begin and end padding:
 * (in + pads - k + (ceil ? s - 1 : 0)) / s + 1 rounded toward -inf, and in
 * ceil mode one less when the last window would start past the input and the
 * begin padding. (So ceil mode accepts a kernel larger than the padded input.)
 */
static int out_size(size_t in, size_t k, size_t s, size_t pad_begin, size_t pad_end, int ceil_mode,
                    size_t *out) {
    size_t padded;
    if (!in || !k || !s) return -1;
    if (!dk_ops_add(in, pad_begin, &padded) || !dk_ops_add(padded, pad_end, &padded)) return -1;
    if (ceil_mode && !dk_ops_add(padded, s - 1, &padded)) return -1;
    if (padded < k) return -1; /* the numerator is negative: no output */
    size_t o = (padded - k) / s + 1;
    if (ceil_mode && (o - 1) * s >= in + pad_begin) o--;
    /* every window must overlap the input (PyTorch guarantees it with pad <= k / 2) */
    if (o == 0 || pad_begin >= k || (o - 1) * s >= in + pad_begin) return -1;
    *out = o;
    return 0;
}

int dk_pool2d_infer(dk_pool2d_params *p) {
    if (p == NULL || !p->n || !p->c) return -1;
    size_t ho, wo;
    if (out_size(p->h, p->kh, p->sh, p->pt, p->pb, p->ceil_mode, &ho) != 0) return -1;
    if (out_size(p->w, p->kw, p->sw, p->pl, p->pr, p->ceil_mode, &wo) != 0) return -1;
    p->ho = ho;
    p->wo = wo;
    return 0;
}

static void max_strided(float *restrict d, const float *restrict s, ptrdiff_t stride, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) {
            float v = s[i];
            d[i] = (v > d[i] || v != v) ? v : d[i];
        }
    } else {
        for (ptrdiff_t i = 0; i < n; i++) {
            float v = s[i * stride];
            d[i] = (v > d[i] || v != v) ? v : d[i];
        }
    }
}

static void add_strided(float *restrict d, const float *restrict s, ptrdiff_t stride, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += s[i * stride];
    }
}

typedef struct pool_ctx {
    const dk_pool2d_params *p;
    const float *x;
    float *y;
} pool_ctx;

/* Combines input rows [h0, h1) of plane x into output row yrow with op over every window tap. */
static void pool_row(const dk_pool2d_params *p, const float *x, ptrdiff_t h0, ptrdiff_t h1, float *yrow,
                     void (*op)(float *restrict, const float *restrict, ptrdiff_t, ptrdiff_t)) {
    const ptrdiff_t w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo, sw = (ptrdiff_t)p->sw;
    for (ptrdiff_t ih = h0; ih < h1; ih++) {
        const float *xrow = x + ih * w;
        for (ptrdiff_t kj = 0; kj < (ptrdiff_t)p->kw; kj++) {
            const ptrdiff_t off = kj - (ptrdiff_t)p->pl;
            ptrdiff_t lo, hi;
            dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
            if (hi > lo) op(yrow + lo, xrow + lo * sw + off, sw, hi - lo);
        }
    }
}

static void max_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pool_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t h = (ptrdiff_t)p->h, wo = (ptrdiff_t)p->wo;
    const float *x = c->x + index * p->h * p->w;
    float *y = c->y + index * p->ho * p->wo;
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        const ptrdiff_t hs = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
        const ptrdiff_t h0 = hs > 0 ? hs : 0;
        const ptrdiff_t h1 = hs + (ptrdiff_t)p->kh < h ? hs + (ptrdiff_t)p->kh : h;
        float *yrow = y + oh * wo;
        for (ptrdiff_t ow = 0; ow < wo; ow++) yrow[ow] = -INFINITY;
        pool_row(p, x, h0, h1, yrow, max_strided);
    }
}

/* The divisor's width for output column ow, as PyTorch's avg_pool2d. */
static ptrdiff_t border_count(const dk_pool2d_params *p, ptrdiff_t ow) {
    const ptrdiff_t w = (ptrdiff_t)p->w, pr = (ptrdiff_t)p->pr;
    const ptrdiff_t ws = ow * (ptrdiff_t)p->sw - (ptrdiff_t)p->pl;
    const ptrdiff_t we = ws + (ptrdiff_t)p->kw < w + pr ? ws + (ptrdiff_t)p->kw : w + pr;
    if (p->count_include_pad) return we - ws;
    return (we < w ? we : w) - (ws > 0 ? ws : 0);
}

static void avg_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pool_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t kh = (ptrdiff_t)p->kh, kw = (ptrdiff_t)p->kw, sw = (ptrdiff_t)p->sw;
    const ptrdiff_t pl = (ptrdiff_t)p->pl, pr = (ptrdiff_t)p->pr;
    const int cip = p->count_include_pad;
    const float *x = c->x + index * p->h * p->w;
    float *y = c->y + index * p->ho * p->wo;
    /* columns [lo, hi) have a full-width divisor (kw); the others get their own */
    const ptrdiff_t limit = cip ? w + pr : w;
    const ptrdiff_t lo_raw = cip ? 0 : (pl + sw - 1) / sw;
    const ptrdiff_t lo = lo_raw < wo ? lo_raw : wo;
    const ptrdiff_t last = limit + pl - kw; /* the last full window starts at or before it */
    ptrdiff_t hi = last < 0 ? 0 : last / sw + 1;
    if (hi > wo) hi = wo;
    if (hi < lo) hi = lo;
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        const ptrdiff_t hs = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
        const ptrdiff_t he = hs + kh < h + (ptrdiff_t)p->pb ? hs + kh : h + (ptrdiff_t)p->pb;
        const ptrdiff_t h0 = hs > 0 ? hs : 0;
        const ptrdiff_t h1 = he < h ? he : h;
        const ptrdiff_t hcount = cip ? he - hs : h1 - h0;
        float *yrow = y + oh * wo;
        for (ptrdiff_t ow = 0; ow < wo; ow++) yrow[ow] = 0.0f;
        pool_row(p, x, h0, h1, yrow, add_strided);
        const float scale = 1.0f / (float)(hcount * kw);
        for (ptrdiff_t ow = lo; ow < hi; ow++) yrow[ow] *= scale;
        for (ptrdiff_t ow = 0; ow < lo; ow++) yrow[ow] /= (float)(hcount * border_count(p, ow));
        for (ptrdiff_t ow = hi; ow < wo; ow++) yrow[ow] /= (float)(hcount * border_count(p, ow));
    }
}

void dk_max_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const float *x, float *y) {
    pool_ctx c = {p, x, y};
    dk_pool_for(pool, p->n * p->c, max_plane, &c);
}

void dk_avg_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const float *x, float *y) {
    pool_ctx c = {p, x, y};
    dk_pool_for(pool, p->n * p->c, avg_plane, &c);
}

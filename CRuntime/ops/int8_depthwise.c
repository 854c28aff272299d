/*
 * int8 depthwise conv2d (groups == c, m = multiplier * c) as a direct
 * kernel, parallel over the n * c input planes.
 *
 * Each task first writes its plane, minus the zero point, as int16 into a
 * zero-bordered copy (so padding taps add 0 and every tap lies inside the
 * copy, followed by DK_Q8_DW_SLACK zeros for whole-vector row ends); then
 * each output channel is one dk_q8_rows.dw_plane, which accumulates all taps
 * of a block of outputs in registers and requantizes them with the channel's
 * bias and multiplier.
 *
 * Packed data (after the conv header): x_zero and out, then bias [m] int32,
 * rq [m] (dk_q8_rq), and the weights [m, kh * kw] int8, each 64-byte aligned.
 * Workspace per thread: the int16 plane copy and its slack.
 */
#include "int8_internal.h"

#include <string.h>

typedef struct dw_header {
    int32_t x_zero, reserved;
    dk_q8_out out;
    uint32_t reserved2;
    uint64_t m, taps;
} dw_header;

typedef struct dw_view {
    const dw_header *h;
    const int32_t *bias;
    const dk_q8_rq *rq;
    const int8_t *w;
} dw_view;

static size_t taps_of(const dk_conv2d_params *p) { return p->kh * p->kw; }

static size_t bias_offset(void) { return dk_q8_round64(sizeof(dw_header)); }
static size_t rq_offset(size_t m) { return bias_offset() + dk_q8_round64(m * sizeof(int32_t)); }
static size_t w_offset(size_t m) { return rq_offset(m) + dk_q8_round64(m * sizeof(dk_q8_rq)); }

size_t dk_q8_depthwise_packed_bytes(const dk_conv2d_params *p) {
    size_t wb;
    if (p->m > SIZE_MAX / 64 || !dk_ops_mul(p->m, taps_of(p), &wb) || wb > SIZE_MAX / 2) return SIZE_MAX;
    return w_offset(p->m) + dk_q8_round64(wb);
}

static dw_view view_of(const void *packed) {
    const uint8_t *base = packed;
    dw_view v;
    v.h = packed;
    v.bias = (const int32_t *)(base + bias_offset());
    v.rq = (const dk_q8_rq *)(base + rq_offset(v.h->m));
    v.w = (const int8_t *)(base + w_offset(v.h->m));
    return v;
}

int dk_q8_depthwise_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed) {
    if (q->multiplier == NULL || q->shift == NULL || dk_q8_out_check(&q->out) != 0) return -1;
    if (q->x_zero < -128 || q->x_zero > 127) return -1;
    const size_t m = p->m, taps = taps_of(p);
    uint8_t *base = packed;
    dw_header h;
    memset(&h, 0, sizeof h);
    h.x_zero = q->x_zero;
    h.out = q->out;
    h.m = m;
    h.taps = taps;
    int32_t *bias = (int32_t *)(base + bias_offset());
    dk_q8_rq *rq = (dk_q8_rq *)(base + rq_offset(m));
    int8_t *wd = (int8_t *)(base + w_offset(m));
    for (size_t oc = 0; oc < m; oc++) {
        if (dk_q8_rq_make(q->multiplier[oc], q->shift[oc], &rq[oc]) != 0) return -1;
        bias[oc] = q->bias != NULL ? q->bias[oc] : 0;
    }
    for (size_t i = 0; i < m * taps; i++) {
        if (w[i] == -128) return -1;
        wd[i] = w[i];
    }
    memcpy(base, &h, sizeof h);
    return 0;
}

/* Elements of one padded int16 plane copy, with the slack the SIMD kernels may read past it. */
static size_t plane_elements(const dk_conv2d_params *p) {
    return (p->h + p->pt + p->pb) * (p->w + p->pl + p->pr) + DK_Q8_DW_SLACK;
}

size_t dk_q8_depthwise_workspace_bytes(const dk_conv2d_params *p, int threads) {
    size_t ph, pw, cells, all;
    if (!dk_ops_add(p->h, p->pt + p->pb, &ph) || !dk_ops_add(p->w, p->pl + p->pr, &pw) || !dk_ops_mul(ph, pw, &cells) ||
        cells > SIZE_MAX / 4 - DK_Q8_DW_SLACK)
        return SIZE_MAX;
    if (!dk_ops_mul(dk_q8_round64(plane_elements(p) * sizeof(int16_t)), (size_t)(threads < 1 ? 1 : threads), &all))
        return SIZE_MAX;
    return all;
}

typedef struct dw_ctx {
    const dk_conv2d_params *p;
    dw_view v;
    const dk_q8_rows *rows;
    const int8_t *x;
    int8_t *y;
    uint8_t *workspace;
    size_t slice; /* bytes per thread */
} dw_ctx;

/* x (h x w) minus z into d ((h + pt + pb) x (w + pl + pr)) with a zero border, then the zeroed slack. */
static void pad_plane(const dk_conv2d_params *p, const int8_t *x, int32_t z, int16_t *d) {
    const size_t pw = p->w + p->pl + p->pr;
    memset(d, 0, p->pt * pw * sizeof(int16_t));
    int16_t *row = d + p->pt * pw;
    for (size_t r = 0; r < p->h; r++, row += pw) {
        memset(row, 0, p->pl * sizeof(int16_t));
        const int8_t *xr = x + r * p->w;
        int16_t *dr = row + p->pl;
        for (size_t c = 0; c < p->w; c++) dr[c] = (int16_t)(xr[c] - z);
        memset(row + p->pl + p->w, 0, p->pr * sizeof(int16_t));
    }
    memset(row, 0, (p->pb * pw + DK_Q8_DW_SLACK) * sizeof(int16_t));
}

static void dw_plane(void *context, size_t index, int thread) {
    const dw_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const size_t mult = p->m / p->c, ic = index % p->c, img = index / p->c, taps = p->kh * p->kw;
    int16_t *plane = (int16_t *)(c->workspace + (size_t)thread * c->slice);
    pad_plane(p, c->x + index * p->h * p->w, c->v.h->x_zero, plane);
    const dk_q8_dw_geom g = {p->ho, p->wo, p->kh, p->kw, p->sh, p->sw, p->dh, p->dw, p->w + p->pl + p->pr};
    for (size_t j = 0; j < mult; j++) {
        const size_t oc = ic * mult + j;
        c->rows->dw_plane(&g, plane, c->v.w + oc * taps, c->v.bias[oc], &c->v.rq[oc], &c->v.h->out,
                          c->y + (img * p->m + oc) * p->ho * p->wo);
    }
}

void dk_q8_depthwise_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed,
                             int8_t *y, void *workspace) {
    dw_ctx c;
    c.p = p;
    c.v = view_of(packed);
    c.rows = dk_q8_rows_active();
    c.x = x;
    c.y = y;
    c.workspace = workspace;
    c.slice = dk_q8_round64(plane_elements(p) * sizeof(int16_t));
    dk_pool_for(pool, p->n * p->c, dw_plane, &c);
}

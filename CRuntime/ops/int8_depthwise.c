/*
 * int8 depthwise conv2d (groups == c, m = multiplier * c) as a direct
 * kernel, parallel over the n * c input planes.
 *
 * Each task first writes its plane, minus the zero point, as int16 into a
 * zero-bordered copy (so padding taps add 0 and every tap lies inside the
 * copy, followed by DK_Q8_DW_SLACK zeros for whole-vector row ends; the
 * border and slack are zeroed once per thread, not per plane; rows->widen
 * fills the rest); then
 * each output channel is one dk_q8_rows.dw_plane, which accumulates all taps
 * of a block of outputs in registers and requantizes them with the channel's
 * bias and multiplier.
 *
 * At stride 1, output (oh, ow) reads the copy at oh * pitch + ow plus a tap
 * offset, so the whole plane is also one row of (ho - 1) * pitch + wo
 * outputs, of which the pitch - wo after each real row are discarded. Small
 * planes run that way when it takes fewer vector blocks: MobileNetV2's 7x7
 * planes fill 61 of 64 AVX-512 lanes instead of 7 of 32 per row. The one-row
 * result goes to a scratch buffer and its real rows are copied out.
 *
 * Packed data (after the conv header): x_zero and out, then bias [m] int32,
 * rq [m] (dk_q8_rq), and the weights [m, kh * kw] int8, each 64-byte aligned.
 * Workspace per thread: the int16 plane copy and its slack, then the one-row
 * scratch (padded height x pitch bytes).
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

/* Elements of the padded plane; *_elements with the slack the SIMD kernels may read past it. */
static size_t padded_cells(const dk_conv2d_params *p) { return (p->h + p->pt + p->pb) * (p->w + p->pl + p->pr); }
static size_t plane_elements(const dk_conv2d_params *p) { return padded_cells(p) + DK_Q8_DW_SLACK; }

/* Bytes of the int16 plane copy with its slack: the start of a thread's slice, where the one-row scratch follows. */
static size_t plane_bytes(const dk_conv2d_params *p) { return dk_q8_round64(plane_elements(p) * sizeof(int16_t)); }

/* Per-thread bytes: the int16 plane copy, then the one-row scratch (ho * pitch <= padded cells at stride 1). */
static size_t slice_bytes(const dk_conv2d_params *p) { return plane_bytes(p) + dk_q8_round64(padded_cells(p)); }

size_t dk_q8_depthwise_workspace_bytes(const dk_conv2d_params *p, int threads) {
    size_t ph, pw, cells, all;
    if (!dk_ops_add(p->h, p->pt + p->pb, &ph) || !dk_ops_add(p->w, p->pl + p->pr, &pw) || !dk_ops_mul(ph, pw, &cells) ||
        cells > SIZE_MAX / 8 - DK_Q8_DW_SLACK)
        return SIZE_MAX;
    if (!dk_ops_mul(slice_bytes(p), (size_t)(threads < 1 ? 1 : threads), &all)) return SIZE_MAX;
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
    int flat;     /* runs_flat */
} dw_ctx;

/* x (h x w) minus z into the interior of d ((h + pt + pb) x (w + pl + pr)); the border is already zero. */
static void fill_plane(const dk_q8_rows *rows, const dk_conv2d_params *p, const int8_t *x, int32_t z, int16_t *d) {
    const size_t pw = p->w + p->pl + p->pr;
    for (size_t r = 0; r < p->h; r++) rows->widen(x + r * p->w, p->w, z, d + (p->pt + r) * pw + p->pl);
}

static size_t blocks_of(size_t n, size_t block) { return (n + block - 1) / block; }

/* Whether the plane runs as one row (see the top): stride 1 and fewer vector blocks that way. */
static int runs_flat(const dk_conv2d_params *p, size_t block) {
    const size_t pitch = p->w + p->pl + p->pr;
    return p->sh == 1 && p->sw == 1 && p->ho > 1 &&
           blocks_of((p->ho - 1) * pitch + p->wo, block) < p->ho * blocks_of(p->wo, block);
}

static void dw_plane(void *context, size_t index, int thread) {
    const dw_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const size_t mult = p->m / p->c, ic = index % p->c, img = index / p->c, taps = p->kh * p->kw;
    const size_t pitch = p->w + p->pl + p->pr;
    uint8_t *slice = c->workspace + (size_t)thread * c->slice;
    int16_t *plane = (int16_t *)slice;
    int8_t *flat = (int8_t *)(slice + plane_bytes(p));
    fill_plane(c->rows, p, c->x + index * p->h * p->w, c->v.h->x_zero, plane);
    dk_q8_dw_geom g = {p->ho, p->wo, p->kh, p->kw, p->sh, p->sw, p->dh, p->dw, pitch};
    if (c->flat) g.ho = 1, g.wo = (p->ho - 1) * pitch + p->wo;
    for (size_t j = 0; j < mult; j++) {
        const size_t oc = ic * mult + j;
        int8_t *y = c->y + (img * p->m + oc) * p->ho * p->wo;
        c->rows->dw_plane(&g, plane, c->v.w + oc * taps, c->v.bias[oc], &c->v.rq[oc], &c->v.h->out,
                          c->flat ? flat : y);
        if (c->flat)
            for (size_t oh = 0; oh < p->ho; oh++) memcpy(y + oh * p->wo, flat + oh * pitch, p->wo);
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
    c.slice = slice_bytes(p);
    c.flat = runs_flat(p, c.rows->dw_block);
    /* Each task writes only its plane's interior: zero every thread's copy (border and slack) once. */
    for (int t = 0; t < dk_pool_threads(pool); t++)
        memset(c.workspace + (size_t)t * c.slice, 0, plane_bytes(p));
    dk_pool_for(pool, p->n * p->c, dw_plane, &c);
}

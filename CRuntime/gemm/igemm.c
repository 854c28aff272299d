/*
 * The int8 GEMM driver (API in igemm.h, kernel interface in igemm_kernels.h).
 *
 * There is no k blocking: each microkernel call runs over the whole of k and
 * requantizes its tile in registers, so no int32 partial sums are ever
 * stored. (An int8 panel of 12 rows by k = 4608, the largest conv of
 * ResNet-18, is 54 KiB: it streams from L2 well enough, and a kernel call
 * does 12 x 32 x 4608 multiply-adds for it.)
 *
 *   WEIGHTS_LEFT (conv): the weights are A, in balanced panels of <= mr rows
 *   packed once; per task, columns of x are packed nc at a time into B
 *   panels (nc chosen so that a kp x nc block stays near Q8_B_BUDGET bytes),
 *   and every A panel of the task sweeps the block.
 *
 *   WEIGHTS_RIGHT (dense): the weights are B, in panels of nr columns packed
 *   once; per task, up to Q8_A_ROWS rows of x are packed into A panels, and
 *   each weight panel is used by all of them while it is in L1.
 *
 * Threads: the output is cut into tm x tn tasks, each packing into its own
 * workspace slice. LEFT prefers cutting the columns (each task packs only
 * its own activations), RIGHT the weight panels (each weight is read by one
 * task). Integer arithmetic makes every cut give the same bits.
 *
 * The packed buffer: a 64-byte header (magic, kernel id, layout, sizes, the
 * output's zero point and clamp), then four int32 arrays of round_up(channels,
 * 16) entries (bias with the zero-point correction, multiplier, shift,
 * limit), then the weight panels.
 */
#include "igemm.h"

#include <stdlib.h>
#include <string.h>

#include "igemm_kernels.h"

#define Q8_MAGIC 0x38514B44u /* "DKQ8" */
#define Q8_HEADER 64
#define Q8_B_BUDGET ((size_t)192 * 1024)
#define Q8_A_ROWS ((size_t)240)
/* Below this many multiply-adds a call stays on the calling thread (ResNet-20's 3x3 convs at batch 1,
 * 2.4M, gain from 2 threads now that the pool spins between layers). */
#define Q8_PARALLEL_MIN ((size_t)1 << 20)

typedef struct q8_header {
    uint32_t magic, cfg, layout, reserved;
    uint64_t channels, k, chp;
    dk_q8_out out;
    uint32_t reserved2;
} q8_header;

_Static_assert(sizeof(q8_header) <= Q8_HEADER, "packed header fits its 64 bytes");

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

static int mul_ok(size_t a, size_t b, size_t *r) {
    if (b != 0 && a > SIZE_MAX / b) return 0;
    *r = a * b;
    return 1;
}

/* ---- configurations ---------------------------------------------------- */

static const dk_q8_cfg *const all_cfgs[] = {
    &dk_q8_cfg_scalar,
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    &dk_q8_cfg_avx2,
    &dk_q8_cfg_avx512_vnni,
#endif
#if defined(__aarch64__)
    &dk_q8_cfg_neon_dot,
    &dk_q8_cfg_neon,
#endif
};

const dk_q8_cfg *const *dk_q8_cfg_all(size_t *count) {
    *count = sizeof all_cfgs / sizeof all_cfgs[0];
    return all_cfgs;
}

const dk_q8_cfg *dk_q8_cfg_active(void) {
    switch (dk_isa_active()) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_ISA_AVX512: return dk_cpu_has_avx512_vnni() ? &dk_q8_cfg_avx512_vnni : &dk_q8_cfg_avx2;
    case DK_ISA_AVX2: return &dk_q8_cfg_avx2;
#endif
#if defined(__aarch64__)
    case DK_ISA_NEON: return dk_q8_neon_has_dot() ? &dk_q8_cfg_neon_dot : &dk_q8_cfg_neon;
#endif
    default: return &dk_q8_cfg_scalar;
    }
}

const dk_q8_cfg *dk_q8_cfg_by_id(uint32_t id) {
    switch (id) {
    case DK_Q8_CFG_SCALAR: return &dk_q8_cfg_scalar;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_Q8_CFG_AVX2: return dk_isa_supported(DK_ISA_AVX2) ? &dk_q8_cfg_avx2 : NULL;
    case DK_Q8_CFG_AVX512_VNNI:
        return dk_isa_supported(DK_ISA_AVX512) && dk_cpu_has_avx512_vnni() ? &dk_q8_cfg_avx512_vnni : NULL;
#endif
#if defined(__aarch64__)
    case DK_Q8_CFG_NEON_DOT: return dk_q8_neon_has_dot() ? &dk_q8_cfg_neon_dot : NULL;
    case DK_Q8_CFG_NEON: return &dk_q8_cfg_neon;
#endif
    default: return NULL;
    }
}

const dk_q8_rows *dk_q8_rows_active(void) {
    switch (dk_isa_active()) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_ISA_AVX512: return dk_cpu_has_avx512_vnni() ? &dk_q8_rows_avx512 : &dk_q8_rows_avx2;
    case DK_ISA_AVX2: return &dk_q8_rows_avx2;
#endif
#if defined(__aarch64__)
    case DK_ISA_NEON: return &dk_q8_rows_neon;
#endif
    default: return &dk_q8_rows_scalar;
    }
}

/* ---- balanced panels ----------------------------------------------------- */

/* `rows` split into div_up(rows, mr) panels whose heights differ by at most one. */
typedef struct panels {
    size_t count, base, extra;
} panels;

static panels split_panels(size_t rows, size_t mr) {
    panels p;
    p.count = div_up(rows, mr);
    p.base = rows / p.count;
    p.extra = rows % p.count;
    return p;
}
static size_t panel_height(panels p, size_t q) { return p.base + (q < p.extra); }
static size_t panel_start(panels p, size_t q) { return q * p.base + min_sz(q, p.extra); }

/* ---- packing the weights --------------------------------------------------- */

typedef struct packed_view {
    const q8_header *h;
    const dk_q8_cfg *cfg;
    const int32_t *bias, *mult, *shift;
    const uint32_t *limit;
    const uint8_t *weights;
    size_t kp;
} packed_view;

static size_t arrays_bytes(size_t chp) { return 4 * chp * sizeof(int32_t); }

size_t dk_q8_gemm_packed_bytes(size_t channels, size_t k) {
    /* the largest layout: int16 elements, k to a multiple of 4, channels to 16 */
    size_t chp = dk_q8_round_up(channels, 16), kp = dk_q8_round_up(k, 4), w, total;
    if (chp < channels || kp < k || chp > SIZE_MAX / 16) return SIZE_MAX;
    if (!mul_ok(chp, kp, &w) || !mul_ok(w, 2, &w)) return SIZE_MAX;
    total = Q8_HEADER + arrays_bytes(chp);
    if (total > SIZE_MAX - w) return SIZE_MAX;
    return total + w;
}

static int weights_ok(size_t channels, size_t k, const int8_t *w, size_t ldw, int32_t *sums) {
    for (size_t c = 0; c < channels; c++) {
        int32_t s = 0;
        for (size_t p = 0; p < k; p++) {
            int8_t v = w[c * ldw + p];
            if (v == -128) return 0;
            s = dk_q8_wrap_add(s, v);
        }
        sums[c] = s;
    }
    return 1;
}

int dk_q8_gemm_pack(dk_q8_layout layout, size_t channels, size_t k, const int8_t *w, size_t ldw,
                    const dk_q8_quant *q, void *packed) {
    if (channels == 0 || k == 0 || ldw < k || q == NULL || q->multiplier == NULL || q->shift == NULL) return -1;
    if ((layout != DK_Q8_WEIGHTS_LEFT && layout != DK_Q8_WEIGHTS_RIGHT) || dk_q8_out_check(&q->out) != 0) return -1;
    if (q->x_zero < -128 || q->x_zero > 127 || dk_q8_gemm_packed_bytes(channels, k) == SIZE_MAX) return -1;
    const dk_q8_cfg *cfg = dk_q8_cfg_active();
    const size_t chp = dk_q8_round_up(channels, 16), kp = dk_q8_round_up(k, cfg->kg);
    q8_header h;
    memset(&h, 0, sizeof h);
    h.magic = Q8_MAGIC;
    h.cfg = cfg->id;
    h.layout = (uint32_t)layout;
    h.channels = channels;
    h.k = k;
    h.chp = chp;
    h.out = q->out;
    uint8_t *base = packed;
    int32_t *bias = (int32_t *)(base + Q8_HEADER), *mult = bias + chp, *shift = mult + chp;
    uint32_t *limit = (uint32_t *)(shift + chp);
    /* The row sums first, into the bias array: they fold the zero point in. */
    if (!weights_ok(channels, k, w, ldw, bias)) return -1;
    const int32_t zoff = q->x_zero + cfg->act_offset;
    for (size_t c = 0; c < chp; c++) {
        dk_q8_rq rq = {0, 1, 1};
        if (c < channels && dk_q8_rq_make(q->multiplier[c], q->shift[c], &rq) != 0) return -1;
        int32_t b = c < channels && q->bias != NULL ? q->bias[c] : 0;
        bias[c] = c < channels ? dk_q8_wrap_add(b, dk_q8_wrap_mul(-zoff, bias[c])) : 0;
        mult[c] = rq.mult;
        shift[c] = rq.shift;
        limit[c] = rq.limit;
    }
    uint8_t *dst = base + Q8_HEADER + arrays_bytes(chp);
    const size_t es = cfg->esize;
    if (layout == DK_Q8_WEIGHTS_LEFT) {
        panels ps = split_panels(channels, cfg->mr);
        for (size_t p = 0; p < ps.count; p++) {
            size_t r = panel_start(ps, p), hgt = panel_height(ps, p);
            dk_q8_pack_panel(cfg, 0, w + r * ldw, ldw, k, hgt, hgt, 0, dst + r * kp * es);
        }
    } else {
        for (size_t j = 0; j < channels; j += cfg->nr) {
            size_t cols = min_sz(cfg->nr, channels - j);
            dk_q8_pack_panel(cfg, 0, w + j * ldw, ldw, k, cols, dk_q8_round_up(cols, cfg->vl), 0, dst + j * kp * es);
        }
    }
    memcpy(base, &h, sizeof h);
    return 0;
}

static int view_of(const void *packed, packed_view *v) {
    const q8_header *h = packed;
    if (packed == NULL || h->magic != Q8_MAGIC) return -1;
    v->h = h;
    v->cfg = dk_q8_cfg_by_id(h->cfg);
    if (v->cfg == NULL) return -1;
    const uint8_t *base = packed;
    v->bias = (const int32_t *)(base + Q8_HEADER);
    v->mult = v->bias + h->chp;
    v->shift = v->mult + h->chp;
    v->limit = (const uint32_t *)(v->shift + h->chp);
    v->weights = base + Q8_HEADER + arrays_bytes(h->chp);
    v->kp = dk_q8_round_up(h->k, v->cfg->kg);
    return 0;
}

int dk_q8_gemm_packed_shape(const void *packed, dk_q8_layout *layout, size_t *channels, size_t *k) {
    const q8_header *h = packed;
    if (h == NULL || h->magic != Q8_MAGIC) return -1;
    *layout = (dk_q8_layout)h->layout;
    *channels = h->channels;
    *k = h->k;
    return 0;
}

/* ---- workspace --------------------------------------------------------------- */

/* LEFT: columns per block of packed activations, a multiple of nr. */
static size_t block_cols(const dk_q8_cfg *g, size_t kp, size_t n) {
    size_t nc = Q8_B_BUDGET / (kp * g->esize) / g->nr * g->nr;
    if (nc < g->nr) nc = g->nr;
    return min_sz(nc, dk_q8_round_up(n, g->nr));
}

/* Bytes of one task's packed activations under cfg g. */
static size_t slice_bytes_cfg(const dk_q8_cfg *g, dk_q8_layout layout, size_t k, size_t n) {
    size_t kp = dk_q8_round_up(k, g->kg), rows = layout == DK_Q8_WEIGHTS_LEFT ? block_cols(g, kp, n)
                                                                                : min_sz(n, Q8_A_ROWS);
    size_t b;
    if (!mul_ok(kp * g->esize, dk_q8_round_up(rows, g->vl), &b)) return SIZE_MAX;
    return dk_q8_round_up(b, 64);
}

static size_t slice_bytes(dk_q8_layout layout, size_t k, size_t n) {
    size_t count, most = 0;
    const dk_q8_cfg *const *cfgs = dk_q8_cfg_all(&count);
    for (size_t i = 0; i < count; i++) {
        size_t s = slice_bytes_cfg(cfgs[i], layout, k, n);
        if (s > most) most = s;
    }
    return most;
}

size_t dk_q8_gemm_workspace_bytes(dk_q8_layout layout, size_t channels, size_t k, size_t n, int threads) {
    (void)channels;
    if (n == 0 || k == 0) return 0;
    size_t total;
    if (!mul_ok(slice_bytes(layout, k, n), (size_t)(threads < 1 ? 1 : threads), &total)) return SIZE_MAX;
    return total;
}

/* ---- the product ------------------------------------------------------------- */

typedef struct q8_ctx {
    packed_view v;
    size_t n;
    const int8_t *x;
    size_t ldx;
    int8_t *y;
    size_t ldy;
    uint8_t *workspace;
    size_t slice;
    size_t tm, tn; /* task grid: tm over weight panels (LEFT) or x rows (RIGHT), tn over the other */
} q8_ctx;

static dk_q8_tile tile_at(const packed_view *v, size_t channel, int chan_cols) {
    dk_q8_tile t;
    t.bias = v->bias + channel;
    t.mult = v->mult + channel;
    t.shift = v->shift + channel;
    t.limit = v->limit + channel;
    t.out = v->h->out;
    t.chan_cols = chan_cols;
    return t;
}

/* LEFT: weight panels [q0, q1) x activation columns [c0, c1). */
static void run_left(const q8_ctx *x, size_t q0, size_t q1, size_t c0, size_t c1, uint8_t *bpack) {
    const dk_q8_cfg *g = x->v.cfg;
    const size_t kp = x->v.kp, es = g->esize, nc = block_cols(g, kp, x->n);
    const panels ps = split_panels(x->v.h->channels, g->mr);
    for (size_t jc = c0; jc < c1; jc += nc) {
        const size_t nb = min_sz(nc, c1 - jc);
        for (size_t jr = 0; jr < nb; jr += g->nr) {
            const size_t cols = min_sz(g->nr, nb - jr);
            dk_q8_pack_panel(g, 1, x->x + jc + jr, x->ldx, x->v.h->k, cols, dk_q8_round_up(cols, g->vl),
                             g->act_offset, bpack + jr * kp * es);
        }
        for (size_t q = q0; q < q1; q++) {
            const size_t r = panel_start(ps, q), h = panel_height(ps, q);
            const dk_q8_tile t = tile_at(&x->v, r, 0);
            const uint8_t *ap = x->v.weights + r * kp * es;
            for (size_t jr = 0; jr < nb; jr += g->nr)
                g->kernel(kp / g->kg, ap, bpack + jr * kp * es, h, min_sz(g->nr, nb - jr), x->y + r * x->ldy + jc + jr,
                          x->ldy, &t);
        }
    }
}

/* RIGHT: x rows [r0, r1) x weight panels [q0, q1) (of nr channels). */
static void run_right(const q8_ctx *x, size_t r0, size_t r1, size_t q0, size_t q1, uint8_t *apack) {
    const dk_q8_cfg *g = x->v.cfg;
    const size_t kp = x->v.kp, es = g->esize, channels = x->v.h->channels;
    for (size_t ic = r0; ic < r1; ic += Q8_A_ROWS) {
        const size_t mb = min_sz(Q8_A_ROWS, r1 - ic);
        const panels ps = split_panels(mb, g->mr);
        for (size_t p = 0; p < ps.count; p++) {
            const size_t r = panel_start(ps, p), h = panel_height(ps, p);
            dk_q8_pack_panel(g, 0, x->x + (ic + r) * x->ldx, x->ldx, x->v.h->k, h, h, g->act_offset,
                             apack + r * kp * es);
        }
        for (size_t q = q0; q < q1; q++) {
            const size_t j = q * g->nr, cols = min_sz(g->nr, channels - j);
            const dk_q8_tile t = tile_at(&x->v, j, 1);
            const uint8_t *bp = x->v.weights + j * kp * es;
            for (size_t p = 0; p < ps.count; p++) {
                const size_t r = panel_start(ps, p), h = panel_height(ps, p);
                g->kernel(kp / g->kg, apack + r * kp * es, bp, h, cols, x->y + (ic + r) * x->ldy + j, x->ldy, &t);
            }
        }
    }
}

/* [lo, hi) of part i of `parts` near-equal parts of total units of `unit`. */
static void split_range(size_t total, size_t parts, size_t i, size_t unit, size_t *lo, size_t *hi) {
    size_t units = div_up(total, unit), b = units / parts, e = units % parts;
    size_t u0 = i * b + min_sz(i, e), u1 = u0 + b + (i < e);
    *lo = min_sz(u0 * unit, total);
    *hi = min_sz(u1 * unit, total);
}

static void run_task(const q8_ctx *x, size_t index, uint8_t *ws) {
    const dk_q8_cfg *g = x->v.cfg;
    const size_t im = index / x->tn, in = index % x->tn;
    size_t a0, a1, b0, b1;
    if (x->v.h->layout == DK_Q8_WEIGHTS_LEFT) {
        split_range(split_panels(x->v.h->channels, g->mr).count, x->tm, im, 1, &a0, &a1);
        split_range(x->n, x->tn, in, g->nr, &b0, &b1);
        if (a0 < a1 && b0 < b1) run_left(x, a0, a1, b0, b1, ws);
    } else {
        split_range(x->n, x->tm, im, 1, &a0, &a1);
        split_range(div_up(x->v.h->channels, g->nr), x->tn, in, 1, &b0, &b1);
        if (a0 < a1 && b0 < b1) run_right(x, a0, a1, b0, b1, ws);
    }
}

static void task_fn(void *context, size_t index, int thread) {
    const q8_ctx *x = context;
    run_task(x, index, x->workspace + (size_t)thread * x->slice);
}

/* The task grid: one task when small; else cut the preferred dimension, then the other. */
static void plan_tasks(q8_ctx *x, int threads) {
    const dk_q8_cfg *g = x->v.cfg;
    const size_t t = (size_t)threads, channels = x->v.h->channels;
    x->tm = x->tn = 1;
    if (t <= 1 || channels * x->n * x->v.kp < Q8_PARALLEL_MIN) return;
    if (x->v.h->layout == DK_Q8_WEIGHTS_LEFT) {
        size_t col_units = div_up(x->n, g->nr), panel_count = split_panels(channels, g->mr).count;
        if (col_units >= 2 * t || col_units >= panel_count) x->tn = min_sz(t, col_units);
        else x->tm = min_sz(t, panel_count);
    } else {
        size_t panel_count = div_up(channels, g->nr);
        if (panel_count >= t || panel_count >= x->n) x->tn = min_sz(t, panel_count);
        else x->tm = min_sz(t, x->n);
    }
}

int dk_q8_gemm(dk_pool *pool, const void *packed, size_t n, const int8_t *x, size_t ldx, int8_t *y, size_t ldy,
               void *workspace) {
    q8_ctx c;
    memset(&c, 0, sizeof c);
    if (view_of(packed, &c.v) != 0) return -1;
    if (n == 0) return 0;
    c.n = n;
    c.x = x;
    c.ldx = ldx;
    c.y = y;
    c.ldy = ldy;
    const dk_q8_layout layout = (dk_q8_layout)c.v.h->layout;
    c.slice = slice_bytes(layout, c.v.h->k, n);
    const int threads = dk_pool_threads(pool);
    void *owned = NULL;
    if (workspace == NULL) {
        owned = aligned_alloc(64, dk_q8_round_up(c.slice * (size_t)threads, 64));
        if (owned == NULL) return -1;
        workspace = owned;
    }
    c.workspace = workspace;
    plan_tasks(&c, threads);
    if (c.tm * c.tn == 1) run_task(&c, 0, c.workspace);
    else dk_pool_for(pool, c.tm * c.tn, task_fn, &c);
    free(owned);
    return 0;
}

/*
 * int8 conv2d: per image, group and block of output pixels, int8 im2col
 * (padding = the input zero point) and one dk_q8_gemm with the weights as
 * A (DK_Q8_WEIGHTS_LEFT), requantized straight into y. A 1x1, stride-1,
 * unpadded convolution multiplies the input itself. Depthwise convolutions
 * (groups == c) take the direct kernel in int8_depthwise.c.
 *
 * Pixels are cut into blocks so that one column buffer stays near
 * Q8_COL_BUDGET bytes; threading follows conv2d.c: enough (image, group,
 * block) tasks run in parallel, one per thread with single-threaded GEMMs;
 * otherwise one after the other, im2col split over channels and the GEMM
 * given the pool.
 *
 * The packed buffer: a 64-byte header (magic, kind, the shape it was packed
 * for), then per group a dk_q8_gemm_pack'ed W_g [mg, cg*kh*kw] with its
 * slice of the bias and multipliers, or the depthwise kernel's data.
 *
 * Workspace (bytes): col = round64(K * nc) (0 when direct),
 * gemm(t) = round64(dk_q8_gemm_workspace_bytes(LEFT, mg, K, nc, t));
 * sequential col + gemm(threads), parallel threads * (col + gemm(1)): the larger.
 */
#include "int8_internal.h"

#include <string.h>

#define Q8_CONV_MAGIC 0x43514B44u /* "DKQC" */
#define Q8_COL_BUDGET ((size_t)1 << 18)

enum { KIND_GEMM = 0, KIND_DEPTHWISE = 1 };

typedef struct conv_header {
    uint32_t magic, kind;
    int32_t x_zero, reserved;
    uint64_t c, m, groups, kh, kw;
    uint64_t group_bytes; /* stride of the per-group packed GEMMs */
} conv_header;

_Static_assert(sizeof(conv_header) <= DK_Q8_CONV_HEADER, "conv header fits its 64 bytes");

typedef struct conv_plan {
    size_t cg, mg, k, n; /* per group: input channels, output channels, GEMM k, all pixels */
    int direct;          /* 1x1, stride 1, unpadded: the input is the GEMM's B */
    size_t nc, blocks;   /* pixels per block, blocks per (image, group) */
    size_t col;          /* bytes of one column buffer, rounded to 64 */
} conv_plan;

static void make_plan(const dk_conv2d_params *p, conv_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->k = q->cg * p->kh * p->kw;
    q->n = p->ho * p->wo;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0;
    q->nc = q->n;
    if (!q->direct && q->k * q->n > Q8_COL_BUDGET) {
        size_t nc = (Q8_COL_BUDGET / q->k) & ~(size_t)15;
        if (nc < 64) nc = 64;
        if (nc < q->n) q->nc = nc;
    }
    q->blocks = (q->n + q->nc - 1) / q->nc;
    q->col = q->direct ? 0 : dk_q8_round64(q->k * q->nc);
}

static size_t group_bytes(const conv_plan *q) { return dk_q8_round64(dk_q8_gemm_packed_bytes(q->mg, q->k)); }

size_t dk_q8_conv2d_packed_bytes(const dk_conv2d_params *p) {
    if (dk_ops_depthwise_applies(p)) {
        size_t d = dk_q8_depthwise_packed_bytes(p);
        return d == SIZE_MAX ? SIZE_MAX : DK_Q8_CONV_HEADER + d;
    }
    size_t k, all;
    if (!dk_ops_mul(p->c / p->groups, p->kh * p->kw, &k)) return SIZE_MAX;
    conv_plan q;
    make_plan(p, &q);
    if (dk_q8_gemm_packed_bytes(q.mg, k) >= SIZE_MAX - 64 || !dk_ops_mul(group_bytes(&q), p->groups, &all))
        return SIZE_MAX;
    return all > SIZE_MAX - DK_Q8_CONV_HEADER ? SIZE_MAX : DK_Q8_CONV_HEADER + all;
}

int dk_q8_conv2d_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed) {
    if (p == NULL || w == NULL || q == NULL || packed == NULL || dk_q8_conv2d_packed_bytes(p) == SIZE_MAX) return -1;
    conv_header h;
    memset(&h, 0, sizeof h);
    h.magic = Q8_CONV_MAGIC;
    h.c = p->c;
    h.m = p->m;
    h.groups = p->groups;
    h.kh = p->kh;
    h.kw = p->kw;
    h.x_zero = q->x_zero;
    uint8_t *body = (uint8_t *)packed + DK_Q8_CONV_HEADER;
    if (dk_ops_depthwise_applies(p)) {
        h.kind = KIND_DEPTHWISE;
        if (dk_q8_depthwise_pack(p, w, q, body) != 0) return -1;
    } else {
        conv_plan pl;
        make_plan(p, &pl);
        h.kind = KIND_GEMM;
        h.group_bytes = group_bytes(&pl);
        for (size_t g = 0; g < p->groups; g++) {
            dk_q8_quant qg = *q;
            if (q->bias != NULL) qg.bias = q->bias + g * pl.mg;
            if (q->multiplier != NULL) qg.multiplier = q->multiplier + g * pl.mg;
            if (q->shift != NULL) qg.shift = q->shift + g * pl.mg;
            if (dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, pl.mg, pl.k, w + g * pl.mg * pl.k, pl.k, &qg,
                                body + g * h.group_bytes) != 0)
                return -1;
        }
    }
    memcpy(packed, &h, sizeof h);
    return 0;
}

static size_t gemm_bytes(const conv_plan *q, int threads) {
    return dk_q8_round64(dk_q8_gemm_workspace_bytes(DK_Q8_WEIGHTS_LEFT, q->mg, q->k, q->nc, threads));
}

size_t dk_q8_conv2d_workspace_bytes(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    if (dk_ops_depthwise_applies(p)) return dk_q8_depthwise_workspace_bytes(p, threads);
    size_t kn, par = 0;
    if (!dk_ops_mul(p->c / p->groups * p->kh * p->kw, p->ho * p->wo, &kn)) return SIZE_MAX;
    conv_plan q;
    make_plan(p, &q);
    size_t seq = q.col + gemm_bytes(&q, threads);
    if (threads > 1 && !dk_ops_mul(q.col + gemm_bytes(&q, 1), (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct conv_ctx {
    const dk_conv2d_params *p;
    const conv_plan *q;
    const int8_t *x;
    const uint8_t *groups; /* the packed GEMMs */
    size_t group_bytes;
    int8_t pad;
    int8_t *y;
    uint8_t *workspace;
    size_t slice;     /* parallel tasks: bytes per thread's slice */
    const int8_t *xg; /* sequential im2col: the current (image, group) input */
    size_t j0, j1;    /* sequential im2col: the current pixel block */
} conv_ctx;

/* Task t: image and group t / blocks, pixels [*j0, *j1); returns the group's input channels. */
static const int8_t *task_input(const conv_ctx *c, size_t t, size_t *j0, size_t *j1) {
    const dk_conv2d_params *p = c->p;
    const size_t ig = t / c->q->blocks, b = t % c->q->blocks;
    *j0 = b * c->q->nc;
    *j1 = *j0 + c->q->nc < c->q->n ? *j0 + c->q->nc : c->q->n;
    return c->x + ((ig / p->groups) * p->c + (ig % p->groups) * c->q->cg) * p->h * p->w;
}

/* y[image, group's channels, pixels j0..j1) from b ([K, j1 - j0], row stride ldb). */
static void conv_gemm(const conv_ctx *c, size_t t, dk_pool *pool, const int8_t *b, size_t ldb, size_t j0, size_t j1,
                      void *gemm_ws) {
    const dk_conv2d_params *p = c->p;
    const conv_plan *q = c->q;
    const size_t ig = t / q->blocks, img = ig / p->groups, g = ig % p->groups;
    (void)dk_q8_gemm(pool, c->groups + g * c->group_bytes, j1 - j0, b, ldb,
                     c->y + (img * p->m + g * q->mg) * q->n + j0, q->n, gemm_ws);
}

static void conv_task(void *context, size_t index, int thread) {
    const conv_ctx *c = context;
    uint8_t *ws = c->workspace + (size_t)thread * c->slice;
    size_t j0, j1;
    const int8_t *xg = task_input(c, index, &j0, &j1);
    if (c->q->direct) {
        conv_gemm(c, index, NULL, xg + j0, c->q->n, j0, j1, ws);
    } else {
        dk_q8_im2col(c->p, xg, c->pad, 0, c->q->cg, j0, j1, (int8_t *)ws);
        conv_gemm(c, index, NULL, (const int8_t *)ws, j1 - j0, j0, j1, ws + c->q->col);
    }
}

static void im2col_task(void *context, size_t index, int thread) {
    (void)thread;
    const conv_ctx *c = context;
    dk_q8_im2col(c->p, c->xg, c->pad, index, index + 1, c->j0, c->j1, (int8_t *)c->workspace);
}

/* The packed conv's header, if it is one packed for p's shape. */
static const conv_header *header_for(const dk_conv2d_params *p, const void *packed) {
    const conv_header *h = packed;
    if (h == NULL || h->magic != Q8_CONV_MAGIC || h->c != p->c || h->m != p->m || h->groups != p->groups ||
        h->kh != p->kh || h->kw != p->kw)
        return NULL;
    if ((h->kind == KIND_DEPTHWISE) != (dk_ops_depthwise_applies(p) != 0)) return NULL;
    return h;
}

int dk_q8_conv2d_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed, int8_t *y,
                         void *workspace) {
    const conv_header *h = header_for(p, packed);
    if (h == NULL) return -1;
    const uint8_t *body = (const uint8_t *)packed + DK_Q8_CONV_HEADER;
    if (h->kind == KIND_DEPTHWISE) {
        dk_q8_depthwise_forward(pool, p, x, body, y, workspace);
        return 0;
    }
    conv_plan q;
    make_plan(p, &q);
    conv_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.q = &q;
    c.x = x;
    c.groups = body;
    c.group_bytes = h->group_bytes;
    c.pad = (int8_t)h->x_zero;
    c.y = y;
    c.workspace = workspace;
    const size_t tasks = p->n * p->groups * q.blocks;
    const int threads = dk_pool_threads(pool);
    if (dk_q8_parallel_tasks(tasks, threads)) {
        c.slice = q.col + gemm_bytes(&q, 1);
        dk_pool_for(pool, tasks, conv_task, &c);
        return 0;
    }
    void *gemm_ws = workspace != NULL ? (uint8_t *)workspace + q.col : NULL;
    for (size_t t = 0; t < tasks; t++) {
        size_t j0, j1;
        const int8_t *xg = task_input(&c, t, &j0, &j1);
        if (q.direct) {
            conv_gemm(&c, t, pool, xg + j0, q.n, j0, j1, gemm_ws);
            continue;
        }
        if (threads > 1 && q.cg > 1) {
            c.xg = xg;
            c.j0 = j0;
            c.j1 = j1;
            dk_pool_for(pool, q.cg, im2col_task, &c);
        } else {
            dk_q8_im2col(p, xg, c.pad, 0, q.cg, j0, j1, (int8_t *)workspace);
        }
        conv_gemm(&c, t, pool, (const int8_t *)workspace, j1 - j0, j0, j1, gemm_ws);
    }
    return 0;
}

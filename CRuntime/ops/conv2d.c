/*
 * conv2d: per image, group and block of output pixels, im2col into a column
 * buffer and one dk_sgemm (W_g [mg, K] x col [K, pixels]) with the
 * bias-per-row + activation epilogue writing straight into y. A 1x1,
 * stride-1, unpadded convolution multiplies the input itself (no im2col).
 * Depthwise convolutions (groups == c) take the direct kernel in
 * depthwise_conv2d.c.
 *
 * The pixels (GEMM columns) are cut into blocks of nc so that one column
 * buffer stays near CONV_COL_BUDGET floats (cache-sized, and bounded
 * whatever the image size): nc = ho*wo when K * ho*wo fits, else
 * max(64, budget / K rounded down to 16).
 *
 * Threading: with at least as many (image, group, block) tasks as threads
 * (and an even split or plenty of tasks), the tasks run in parallel, each with
 * the column buffer of its thread and a single-threaded dk_sgemm (pool NULL:
 * the pool is not reentrant). Otherwise tasks run one after the other, im2col
 * split over channels and dk_sgemm given the pool.
 *
 * Workspace (floats): col = round16(K * nc) (0 for the 1x1 case, where nc = ho*wo),
 * gemm(t) = round16(dk_sgemm_workspace_floats(mg, nc, K, t)):
 *   sequential: col + gemm(threads);  parallel: threads * (col + gemm(1));
 * dk_conv2d_workspace_floats returns the larger. Depthwise: see depthwise_conv2d.c.
 *
 * Pre-packed weights (dk_conv2d_pack_weights, for constant weights: the
 * runtime packs them once per session): each group's W_g [mg, K] in
 * dk_sgemm_pack_a's layout, group g at g * mg * K, so that the GEMMs skip
 * packing A (ISA-specific, see gemm.h). Depthwise convolutions need none.
 */
#include "ops_internal.h"

static int extent(size_t k, size_t d, size_t *r) {
    /* d * (k - 1) + 1 */
    if (!dk_ops_mul(d, k - 1, r)) return 0;
    return dk_ops_add(*r, 1, r);
}

int dk_conv2d_infer(dk_conv2d_params *p) {
    if (p == NULL) return -1;
    if (!p->n || !p->c || !p->h || !p->w || !p->m || !p->kh || !p->kw || !p->sh || !p->sw || !p->dh ||
        !p->dw || !p->groups)
        return -1;
    if (p->c % p->groups != 0 || p->m % p->groups != 0) return -1;
    size_t eh, ew, ph, pw;
    if (!extent(p->kh, p->dh, &eh) || !extent(p->kw, p->dw, &ew)) return -1;
    if (!dk_ops_add(p->h, p->pt, &ph) || !dk_ops_add(ph, p->pb, &ph)) return -1;
    if (!dk_ops_add(p->w, p->pl, &pw) || !dk_ops_add(pw, p->pr, &pw)) return -1;
    if (ph < eh || pw < ew) return -1;
    p->ho = (ph - eh) / p->sh + 1;
    p->wo = (pw - ew) / p->sw + 1;
    return 0;
}

#define CONV_COL_BUDGET ((size_t)1 << 18)

typedef struct conv_plan {
    size_t cg, mg, k, n; /* per group: input channels, output channels, GEMM K and all pixels */
    int direct;          /* 1x1, stride 1, unpadded: the input is the GEMM's B */
    size_t nc, blocks;   /* pixels per block, blocks per (image, group) */
    size_t col;          /* floats of one column buffer, rounded to 16 */
} conv_plan;

static void make_plan(const dk_conv2d_params *p, conv_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->k = q->cg * p->kh * p->kw;
    q->n = p->ho * p->wo;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0;
    q->nc = q->n;
    if (!q->direct && q->k * q->n > CONV_COL_BUDGET) {
        size_t nc = (CONV_COL_BUDGET / q->k) & ~(size_t)15;
        if (nc < 64) nc = 64;
        if (nc < q->n) q->nc = nc;
    }
    q->blocks = (q->n + q->nc - 1) / q->nc;
    q->col = q->direct ? 0 : dk_ops_round16(q->k * q->nc);
}

static size_t gemm_floats(const conv_plan *q, int threads) {
    return dk_ops_round16(dk_sgemm_workspace_floats(q->mg, q->nc, q->k, threads));
}

/* Whether the tasks run in parallel rather than one after the other. */
static int parallel_tasks(size_t tasks, int threads) {
    if (threads <= 1) return 0;
    size_t t = (size_t)threads;
    return tasks >= t && (tasks % t == 0 || tasks >= 4 * t);
}

size_t dk_conv2d_workspace_floats(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    if (dk_ops_depthwise_applies(p)) return dk_ops_depthwise_workspace_floats(p, threads);
    size_t kn, par = 0;
    if (!dk_ops_mul(p->c / p->groups * p->kh * p->kw, p->ho * p->wo, &kn)) return SIZE_MAX;
    conv_plan q;
    make_plan(p, &q);
    size_t seq = q.col + gemm_floats(&q, threads);
    if (threads > 1 && !dk_ops_mul(q.col + gemm_floats(&q, 1), (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct conv_ctx {
    const dk_conv2d_params *p;
    const conv_plan *q;
    const float *x, *w, *bias;
    float *y, *workspace;
    const float *packed; /* dk_conv2d_pack_weights, or NULL */
    size_t slice;    /* parallel tasks: floats per thread's workspace slice */
    const float *xg; /* sequential im2col: the current (image, group) input */
    size_t j0, j1;   /* sequential im2col: the current pixel block */
} conv_ctx;

/* Task t: image and group t / blocks, pixels [*j0, *j1); returns the group's input channels. */
static const float *task_input(const conv_ctx *c, size_t t, size_t *j0, size_t *j1) {
    const dk_conv2d_params *p = c->p;
    const size_t ig = t / c->q->blocks, b = t % c->q->blocks;
    *j0 = b * c->q->nc;
    *j1 = *j0 + c->q->nc < c->q->n ? *j0 + c->q->nc : c->q->n;
    return c->x + ((ig / p->groups) * p->c + (ig % p->groups) * c->q->cg) * p->h * p->w;
}

/* y[image, group's channels, pixels j0..j1) = act(W_g * b + bias_g); b is [K, j1 - j0] with row stride ldb. */
static void conv_gemm(const conv_ctx *c, size_t t, dk_pool *pool, const float *b, size_t ldb, size_t j0, size_t j1,
                      float *gemm_ws) {
    const dk_conv2d_params *p = c->p;
    const conv_plan *q = c->q;
    const size_t ig = t / q->blocks, img = ig / p->groups, g = ig % p->groups;
    dk_epilogue ep = {c->bias ? c->bias + g * q->mg : NULL, 0, p->activation, p->alpha};
    if (c->packed != NULL) {
        (void)dk_sgemm_packed(pool, c->packed + g * q->mg * q->k, 0, q->mg, j1 - j0, q->k, 1.0f, b, ldb, 0.0f,
                              c->y + (img * p->m + g * q->mg) * q->n + j0, q->n, &ep, gemm_ws);
        return;
    }
    (void)dk_sgemm(pool, 0, 0, q->mg, j1 - j0, q->k, 1.0f, c->w + g * q->mg * q->k, q->k, b, ldb, 0.0f,
                   c->y + (img * p->m + g * q->mg) * q->n + j0, q->n, &ep, gemm_ws);
}

static void conv_task(void *context, size_t index, int thread) {
    const conv_ctx *c = context;
    float *col = c->workspace + (size_t)thread * c->slice;
    size_t j0, j1;
    const float *xg = task_input(c, index, &j0, &j1);
    if (c->q->direct) {
        conv_gemm(c, index, NULL, xg + j0, c->q->n, j0, j1, col);
    } else {
        dk_ops_im2col(c->p, xg, 0, c->q->cg, j0, j1, col);
        conv_gemm(c, index, NULL, col, j1 - j0, j0, j1, col + c->q->col);
    }
}

static void im2col_task(void *context, size_t index, int thread) {
    (void)thread;
    const conv_ctx *c = context;
    dk_ops_im2col(c->p, c->xg, index, index + 1, c->j0, c->j1, c->workspace);
}

size_t dk_conv2d_packed_weights_floats(const dk_conv2d_params *p) {
    if (dk_ops_depthwise_applies(p)) return 0;
    size_t k, mk;
    if (!dk_ops_mul(p->c / p->groups, p->kh * p->kw, &k) || !dk_ops_mul(p->m, k, &mk)) return SIZE_MAX;
    return mk;
}

void dk_conv2d_pack_weights(const dk_conv2d_params *p, const float *w, float *packed) {
    if (dk_ops_depthwise_applies(p)) return;
    conv_plan q;
    make_plan(p, &q);
    for (size_t g = 0; g < p->groups; g++)
        dk_sgemm_pack_a(0, q.mg, q.k, w + g * q.mg * q.k, q.k, packed + g * q.mg * q.k);
}

void dk_conv2d_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                       const float *bias, float *y, float *workspace) {
    dk_conv2d_forward_packed(pool, p, x, w, NULL, bias, y, workspace);
}

void dk_conv2d_forward_packed(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                              const float *packed_w, const float *bias, float *y, float *workspace) {
    if (dk_ops_depthwise_applies(p)) {
        dk_ops_depthwise_forward(pool, p, x, w, bias, y, workspace);
        return;
    }
    conv_plan q;
    make_plan(p, &q);
    conv_ctx c = {p, &q, x, w, bias, y, workspace, packed_w, 0, NULL, 0, 0};
    const size_t tasks = p->n * p->groups * q.blocks;
    const int threads = dk_pool_threads(pool);
    if (parallel_tasks(tasks, threads)) {
        c.slice = q.col + gemm_floats(&q, 1);
        dk_pool_for(pool, tasks, conv_task, &c);
        return;
    }
    float *gemm_ws = workspace ? workspace + q.col : NULL;
    for (size_t t = 0; t < tasks; t++) {
        size_t j0, j1;
        const float *xg = task_input(&c, t, &j0, &j1);
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
            dk_ops_im2col(p, xg, 0, q.cg, j0, j1, workspace);
        }
        conv_gemm(&c, t, pool, workspace, j1 - j0, j0, j1, gemm_ws);
    }
}

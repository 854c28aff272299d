/*
 * conv_transpose2d backward (weight [c, mg, kh, kw], W_g = [cg, rows] with
 * rows = mg * kh * kw). The forward scatters col = W_g^T * x_g with col2im,
 * so its adjoint gathers dy with im2col, seen as a convolution from the
 * [ho, wo] output plane onto the [h, w] input grid (the same taps, strides,
 * padding and dilation). Per image and group, over blocks of the input pixels
 * (nc of them, so that a column buffer stays near CONVTB_COL_BUDGET floats):
 *
 *   col  = im2col(dy_g)[:, block]              [rows, nb]
 *   dx_g[:, block] = W_g * col                 dk_sgemm, disjoint per block
 *   dW_g += x_g[:, block] * col^T              dk_sgemm (trans_b)
 *   db   = sum of dy over images and pixels
 *
 * A 1x1, stride-1, unpadded transposed convolution (no output padding) uses
 * dy_g itself as col. Threading, partial dW buffers and the workspace follow
 * conv2d_backward.c: col = round16(rows * nc) (0 for 1x1), gemm(t) =
 * round16(max(sgemm_ws(cg, nc, rows), sgemm_ws(cg, rows, nc)) for t threads):
 *   sequential: col + gemm(threads);
 *   parallel:   threads * (col + gemm(1) + round16(c * rows)).
 */
#include "ops_backward_internal.h"

#include <string.h>

#define CONVTB_COL_BUDGET ((size_t)1 << 18)

typedef struct convtb_plan {
    size_t cg, mg, rows, hw, plane; /* per group: in / out channels, col rows; input and output planes */
    int direct;
    size_t nc, blocks, col;
    size_t nw;                 /* floats of dw, rounded to 16 */
    dk_conv2d_params gather;   /* p seen as a convolution from [ho, wo] onto [h, w] (for im2col) */
} convtb_plan;

static void make_plan(const dk_conv2d_params *p, convtb_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->rows = q->mg * p->kh * p->kw;
    q->hw = p->h * p->w;
    q->plane = p->ho * p->wo;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0 && p->oph == 0 && p->opw == 0;
    q->nc = q->hw;
    if (!q->direct && q->rows * q->hw > CONVTB_COL_BUDGET) {
        size_t nc = (CONVTB_COL_BUDGET / q->rows) & ~(size_t)15;
        if (nc < 64) nc = 64;
        if (nc < q->hw) q->nc = nc;
    }
    q->blocks = (q->hw + q->nc - 1) / q->nc;
    q->col = q->direct ? 0 : dk_ops_round16(q->rows * q->nc);
    q->nw = dk_ops_round16(p->c * q->rows);
    q->gather = *p;
    q->gather.h = p->ho;
    q->gather.w = p->wo;
    q->gather.ho = p->h;
    q->gather.wo = p->w;
}

static size_t gemm_floats(const convtb_plan *q, int threads) {
    size_t a = dk_sgemm_workspace_floats(q->cg, q->nc, q->rows, threads);
    size_t b = dk_sgemm_workspace_floats(q->cg, q->rows, q->nc, threads);
    return dk_ops_round16(a > b ? a : b);
}

size_t dk_conv_transpose2d_backward_workspace_floats(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    size_t rh, cr, par = 0;
    if (!dk_ops_mul(p->m / p->groups * p->kh * p->kw, p->h * p->w, &rh) || rh > SIZE_MAX / 2 ||
        !dk_ops_mul(p->c, p->m / p->groups * p->kh * p->kw, &cr) || cr > SIZE_MAX / 2)
        return SIZE_MAX;
    convtb_plan q;
    make_plan(p, &q);
    size_t seq = q.col + gemm_floats(&q, threads);
    if (threads > 1 && !dk_ops_mul(q.col + gemm_floats(&q, 1) + q.nw, (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct convtb_ctx {
    const dk_conv2d_params *p;
    const convtb_plan *q;
    const float *x, *w, *dy;
    float *dx, *dw;
    int accumulate;
    float *workspace;
    size_t slice;
    float *parts;
    size_t tasks, chunks;
    const float *dyg; /* sequential im2col split over channels */
    float *col;
    size_t j0, j1;
} convtb_ctx;

static void im2col_task(void *context, size_t index, int thread) {
    (void)thread;
    const convtb_ctx *c = context;
    dk_ops_im2col(&c->q->gather, c->dyg, index, index + 1, c->j0, c->j1, c->col);
}

static void convtb_task(convtb_ctx *c, size_t t, dk_pool *pool, float *col, float *gemm_ws, float *dwt,
                        int dw_first) {
    const dk_conv2d_params *p = c->p;
    const convtb_plan *q = c->q;
    const size_t img = t / p->groups, g = t % p->groups;
    const float *dyg = c->dy + (img * p->m + g * q->mg) * q->plane;
    const float *xg = c->x ? c->x + (img * p->c + g * q->cg) * q->hw : NULL;
    float *dxg = c->dx ? c->dx + (img * p->c + g * q->cg) * q->hw : NULL;
    const float *wg = c->w ? c->w + g * q->cg * q->rows : NULL;
    float *dwg = dwt ? dwt + g * q->cg * q->rows : NULL;
    const int split = pool != NULL && dk_pool_threads(pool) > 1 && q->mg > 1;
    for (size_t b = 0; b < q->blocks; b++) {
        const size_t j0 = b * q->nc, j1 = j0 + q->nc < q->hw ? j0 + q->nc : q->hw, nb = j1 - j0;
        const float *B = dyg + j0;
        size_t ldb = q->hw;
        if (!q->direct) {
            if (split) {
                c->dyg = dyg;
                c->col = col;
                c->j0 = j0;
                c->j1 = j1;
                dk_pool_for(pool, q->mg, im2col_task, c);
            } else {
                dk_ops_im2col(&q->gather, dyg, 0, q->mg, j0, j1, col);
            }
            B = col;
            ldb = nb;
        }
        if (dxg)
            (void)dk_sgemm(pool, 0, 0, q->cg, nb, q->rows, 1.0f, wg, q->rows, B, ldb, c->accumulate ? 1.0f : 0.0f,
                           dxg + j0, q->hw, NULL, gemm_ws);
        if (dwg)
            (void)dk_sgemm(pool, 0, 1, q->cg, q->rows, nb, 1.0f, xg + j0, q->hw, B, ldb,
                           dw_first && b == 0 ? 0.0f : 1.0f, dwg, q->rows, NULL, gemm_ws);
    }
}

static void convtb_chunk(void *context, size_t index, int thread) {
    const convtb_ctx *shared = context;
    convtb_ctx c = *shared;
    float *col = c.workspace + (size_t)thread * c.slice;
    float *part = c.dw ? c.parts + index * c.q->nw : NULL;
    if (part) memset(part, 0, c.q->nw * sizeof(float));
    const size_t lo = index * c.tasks / c.chunks, hi = (index + 1) * c.tasks / c.chunks;
    for (size_t t = lo; t < hi; t++) convtb_task(&c, t, NULL, col, col + c.q->col, part, 0);
}

void dk_conv_transpose2d_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                  const float *dy, float *dx, float *dw, float *db, int accumulate,
                                  float *workspace) {
    if (db) dk_opsb_channel_sum(pool, p->n, p->m, p->ho * p->wo, dy, db, accumulate);
    if (!dx && !dw) return;
    convtb_plan q;
    make_plan(p, &q);
    convtb_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.q = &q;
    c.x = x;
    c.w = w;
    c.dy = dy;
    c.dx = dx;
    c.dw = dw;
    c.accumulate = accumulate;
    c.workspace = workspace;
    c.tasks = p->n * p->groups;
    const int threads = dk_pool_threads(pool);
    if (dk_opsb_parallel_tasks(c.tasks, threads)) {
        c.slice = q.col + gemm_floats(&q, 1);
        c.chunks = (size_t)threads;
        c.parts = workspace + c.chunks * c.slice;
        dk_pool_for(pool, c.chunks, convtb_chunk, &c);
        if (dw) dk_opsb_reduce_parts(pool, c.parts, c.chunks, q.nw, p->c * q.rows, dw, accumulate);
        return;
    }
    float *gemm_ws = workspace + q.col;
    for (size_t t = 0; t < c.tasks; t++)
        convtb_task(&c, t, pool, workspace, gemm_ws, dw, !accumulate && t / p->groups == 0);
}

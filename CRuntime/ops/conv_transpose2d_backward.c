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
 * dy_g itself as col. Threading and partial dW buffers are conv_backward_tasks.c's,
 * as for conv2d_backward.c; col = round16(rows * nc) (0 for 1x1), gemm(t) =
 * round16(max(sgemm_ws(cg, nc, rows), sgemm_ws(cg, rows, nc)) for t threads):
 *   sequential: col + gemm(threads);
 *   parallel:   threads * (col + gemm(1) + round16(c * rows)).
 */
#include "ops_backward_internal.h"

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

typedef struct convtb_ctx {
    const dk_conv2d_params *p;
    const convtb_plan *q;
    const float *x, *w, *dy;
    float *dx;
    int accumulate;
} convtb_ctx;

static void convtb_task(const void *context, size_t t, dk_pool *pool, float *col, float *gemm_ws, float *dwt,
                        int dw_first);

static dk_opsb_conv_tasks task_list(const dk_conv2d_params *p, const convtb_plan *q, const convtb_ctx *c,
                                    int threads) {
    dk_opsb_conv_tasks t = {convtb_task, c, p->n * p->groups, p->groups, q->col, gemm_floats(q, threads),
                            gemm_floats(q, 1), q->nw, p->c * q->rows};
    return t;
}

size_t dk_conv_transpose2d_backward_workspace_floats(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    size_t rh, cr;
    if (!dk_ops_mul(p->m / p->groups * p->kh * p->kw, p->h * p->w, &rh) || rh > SIZE_MAX / 2 ||
        !dk_ops_mul(p->c, p->m / p->groups * p->kh * p->kw, &cr) || cr > SIZE_MAX / 2)
        return SIZE_MAX;
    convtb_plan q;
    make_plan(p, &q);
    dk_opsb_conv_tasks t = task_list(p, &q, NULL, threads);
    return dk_opsb_conv_workspace_floats(&t, threads);
}

/* Task t = (image, group): dx_g and dW_g (into dwt, the whole dw or a partial) (dk_opsb_conv_tasks). */
static void convtb_task(const void *context, size_t t, dk_pool *pool, float *col, float *gemm_ws, float *dwt,
                        int dw_first) {
    const convtb_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const convtb_plan *q = c->q;
    const size_t img = t / p->groups, g = t % p->groups;
    const float *dyg = c->dy + (img * p->m + g * q->mg) * q->plane;
    const float *xg = c->x ? c->x + (img * p->c + g * q->cg) * q->hw : NULL;
    float *dxg = c->dx ? c->dx + (img * p->c + g * q->cg) * q->hw : NULL;
    const float *wg = c->w ? c->w + g * q->cg * q->rows : NULL;
    float *dwg = dwt ? dwt + g * q->cg * q->rows : NULL;
    for (size_t b = 0; b < q->blocks; b++) {
        const size_t j0 = b * q->nc, j1 = j0 + q->nc < q->hw ? j0 + q->nc : q->hw, nb = j1 - j0;
        const float *B = dyg + j0;
        size_t ldb = q->hw;
        if (!q->direct) {
            dk_opsb_split_channels(pool, dk_ops_im2col, &q->gather, dyg, q->mg, j0, j1, col);
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

void dk_conv_transpose2d_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                  const float *dy, float *dx, float *dw, float *db, int accumulate,
                                  float *workspace) {
    if (db) dk_opsb_channel_sum(pool, p->n, p->m, p->ho * p->wo, dy, db, accumulate);
    if (!dx && !dw) return;
    convtb_plan q;
    make_plan(p, &q);
    const convtb_ctx c = {p, &q, x, w, dy, dx, accumulate};
    const dk_opsb_conv_tasks t = task_list(p, &q, &c, dk_pool_threads(pool));
    dk_opsb_conv_run(pool, &t, dw, accumulate, workspace);
}

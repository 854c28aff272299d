/*
 * conv2d backward, GEMM-based. Per image and group g (W_g [mg, K], K =
 * cg * kh * kw, P = ho * wo output pixels, cut into blocks of nc as in the
 * forward so that a column buffer stays near CONVB_COL_BUDGET floats):
 *
 *   col  = im2col(x_g)[:, block]                 [K, nb]
 *   dW_g += dy_g[:, block] * col^T               dk_sgemm (trans_b)
 *   col  = W_g^T * dy_g[:, block]                dk_sgemm (trans_a), reusing col
 *   dx_g += col2im(col)                          the adjoint of dk_ops_im2col
 *   db   = sum of dy over images and pixels
 *
 * A 1x1, stride-1, unpadded convolution uses x and dx themselves as the
 * GEMMs' operands (dW_g += dy_g * x_g^T, dx_g = W_g^T * dy_g): no im2col, no
 * col2im. Depthwise convolutions (groups == c) take the direct kernel of
 * depthwise_conv2d_backward.c.
 *
 * Threading (conv_backward_tasks.c): with enough (image, group) tasks, the
 * pool runs chunks of them in parallel, each with its thread's column buffer,
 * single-threaded GEMMs and its own dW partial (dx planes are disjoint);
 * otherwise the tasks run one after the other with dk_sgemm on the pool and
 * im2col / col2im split over input channels.
 *
 * Workspace (floats): col = round16(K * nc) (0 for 1x1), gemm(t) =
 * round16(max(sgemm_ws(mg, K, nc), sgemm_ws(K, nc, mg)) for t threads):
 *   sequential: col + gemm(threads);
 *   parallel:   threads * (col + gemm(1) + round16(m * K)).
 * dk_conv2d_backward_workspace_floats returns the larger (0 for depthwise).
 */
#include "ops_backward_internal.h"

#include <string.h>

#define CONVB_COL_BUDGET ((size_t)1 << 18)

typedef struct convb_plan {
    size_t cg, mg, k, n, hw; /* per group: in / out channels, GEMM K, output pixels; input plane */
    int direct;              /* 1x1, stride 1, unpadded */
    size_t nc, blocks, col;  /* pixels per block, blocks per (image, group), col floats */
    size_t nw;               /* floats of dw, rounded to 16 */
} convb_plan;

static void make_plan(const dk_conv2d_params *p, convb_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->k = q->cg * p->kh * p->kw;
    q->n = p->ho * p->wo;
    q->hw = p->h * p->w;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0;
    q->nc = q->n;
    if (!q->direct && q->k * q->n > CONVB_COL_BUDGET) {
        size_t nc = (CONVB_COL_BUDGET / q->k) & ~(size_t)15;
        if (nc < 64) nc = 64;
        if (nc < q->n) q->nc = nc;
    }
    q->blocks = (q->n + q->nc - 1) / q->nc;
    q->col = q->direct ? 0 : dk_ops_round16(q->k * q->nc);
    q->nw = dk_ops_round16(p->m * q->k);
}

static size_t gemm_floats(const convb_plan *q, int threads) {
    size_t a = dk_sgemm_workspace_floats(q->mg, q->k, q->nc, threads);
    size_t b = dk_sgemm_workspace_floats(q->k, q->nc, q->mg, threads);
    return dk_ops_round16(a > b ? a : b);
}

typedef struct convb_ctx {
    const dk_conv2d_params *p;
    const convb_plan *q;
    const float *x, *w, *dy;
    float *dx;
    int accumulate;
} convb_ctx;

static void convb_task(const void *context, size_t t, dk_pool *pool, float *col, float *gemm_ws, float *dwt,
                       int dw_first);

static dk_opsb_conv_tasks task_list(const dk_conv2d_params *p, const convb_plan *q, const convb_ctx *c,
                                    int threads) {
    dk_opsb_conv_tasks t = {convb_task, c, p->n * p->groups, p->groups, q->col, gemm_floats(q, threads),
                            gemm_floats(q, 1), q->nw, p->m * q->k};
    return t;
}

size_t dk_conv2d_backward_workspace_floats(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    if (dk_ops_depthwise_applies(p)) return 0;
    size_t kn, mk;
    if (!dk_ops_mul(p->c / p->groups * p->kh * p->kw, p->ho * p->wo, &kn) ||
        !dk_ops_mul(p->m, p->c / p->groups * p->kh * p->kw, &mk) || mk > SIZE_MAX / 2)
        return SIZE_MAX;
    convb_plan q;
    make_plan(p, &q);
    dk_opsb_conv_tasks t = task_list(p, &q, NULL, threads);
    return dk_opsb_conv_workspace_floats(&t, threads);
}

/*
 * The adjoint of dk_ops_im2col (same arguments): adds the col rows of
 * channels [ci0, ci1) over output pixels [j0, j1) back into x ([cg, h, w]),
 * row by row with each tap's valid columns computed once.
 */
static void col2im_add(const dk_conv2d_params *p, const float *col, size_t ci0, size_t ci1, size_t j0,
                       size_t j1, float *x) {
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w;
    const ptrdiff_t ho = (ptrdiff_t)p->ho, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sh = (ptrdiff_t)p->sh, sw = (ptrdiff_t)p->sw;
    const size_t kh = p->kh, kw = p->kw;
    const size_t width = j1 - j0;
    const ptrdiff_t first = (ptrdiff_t)j0 / wo, last = ((ptrdiff_t)j1 - 1) / wo;
    for (size_t ci = ci0; ci < ci1; ci++) {
        float *xc = x + ci * (size_t)(h * w);
        for (size_t ki = 0; ki < kh; ki++) {
            const ptrdiff_t hoff = (ptrdiff_t)(ki * p->dh) - (ptrdiff_t)p->pt;
            ptrdiff_t oh_lo, oh_hi;
            dk_ops_valid_range(hoff, sh, h, ho, &oh_lo, &oh_hi);
            if (oh_lo < first) oh_lo = first;
            if (oh_hi > last + 1) oh_hi = last + 1;
            for (size_t kj = 0; kj < kw; kj++) {
                const ptrdiff_t woff = (ptrdiff_t)(kj * p->dw) - (ptrdiff_t)p->pl;
                ptrdiff_t ow_lo, ow_hi;
                dk_ops_valid_range(woff, sw, w, wo, &ow_lo, &ow_hi);
                const float *src = col + ((ci * kh + ki) * kw + kj) * width;
                for (ptrdiff_t oh = oh_lo; oh < oh_hi; oh++) {
                    const ptrdiff_t a = oh == first ? (ptrdiff_t)j0 - oh * wo : 0;
                    const ptrdiff_t b = oh == last ? (ptrdiff_t)j1 - oh * wo : wo;
                    const ptrdiff_t lo = ow_lo > a ? ow_lo : a, hi = ow_hi < b ? ow_hi : b;
                    if (lo >= hi) continue;
                    const ptrdiff_t at = oh * wo - (ptrdiff_t)j0; /* src index of column 0 */
                    float *row = xc + (oh * sh + hoff) * w;
                    dk_ops_add_strided(row + (lo * sw + woff), sw, src + (at + lo), hi - lo);
                }
            }
        }
    }
}


/* Task t = (image, group): dW_g (into dwt, the whole dw or a partial) and dx_g (dk_opsb_conv_tasks). */
static void convb_task(const void *context, size_t t, dk_pool *pool, float *col, float *gemm_ws, float *dwt,
                       int dw_first) {
    const convb_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const convb_plan *q = c->q;
    const size_t img = t / p->groups, g = t % p->groups;
    const float *xg = c->x ? c->x + (img * p->c + g * q->cg) * q->hw : NULL;
    float *dxg = c->dx ? c->dx + (img * p->c + g * q->cg) * q->hw : NULL;
    const float *dyg = c->dy + (img * p->m + g * q->mg) * q->n;
    const float *wg = c->w ? c->w + g * q->mg * q->k : NULL;
    float *dwg = dwt ? dwt + g * q->mg * q->k : NULL;
    if (q->direct) {
        if (dwg)
            (void)dk_sgemm(pool, 0, 1, q->mg, q->k, q->n, 1.0f, dyg, q->n, xg, q->n, dw_first ? 0.0f : 1.0f, dwg,
                           q->k, NULL, gemm_ws);
        if (dxg)
            (void)dk_sgemm(pool, 1, 0, q->k, q->n, q->mg, 1.0f, wg, q->k, dyg, q->n, c->accumulate ? 1.0f : 0.0f,
                           dxg, q->n, NULL, gemm_ws);
        return;
    }
    if (dxg && !c->accumulate) memset(dxg, 0, q->cg * q->hw * sizeof(float));
    for (size_t b = 0; b < q->blocks; b++) {
        const size_t j0 = b * q->nc, j1 = j0 + q->nc < q->n ? j0 + q->nc : q->n, nb = j1 - j0;
        if (dwg) {
            dk_opsb_split_channels(pool, dk_ops_im2col, p, xg, q->cg, j0, j1, col);
            (void)dk_sgemm(pool, 0, 1, q->mg, q->k, nb, 1.0f, dyg + j0, q->n, col, nb,
                           dw_first && b == 0 ? 0.0f : 1.0f, dwg, q->k, NULL, gemm_ws);
        }
        if (dxg) {
            (void)dk_sgemm(pool, 1, 0, q->k, nb, q->mg, 1.0f, wg, q->k, dyg + j0, q->n, 0.0f, col, nb, NULL,
                           gemm_ws);
            dk_opsb_split_channels(pool, col2im_add, p, col, q->cg, j0, j1, dxg);
        }
    }
}

void dk_conv2d_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                        const float *dy, float *dx, float *dw, float *db, int accumulate, float *workspace) {
    if (db) dk_opsb_channel_sum(pool, p->n, p->m, p->ho * p->wo, dy, db, accumulate);
    if (!dx && !dw) return;
    if (dk_ops_depthwise_applies(p)) {
        dk_opsb_depthwise_backward(pool, p, x, w, dy, dx, dw, accumulate);
        return;
    }
    convb_plan q;
    make_plan(p, &q);
    const convb_ctx c = {p, &q, x, w, dy, dx, accumulate};
    const dk_opsb_conv_tasks t = task_list(p, &q, &c, dk_pool_threads(pool));
    dk_opsb_conv_run(pool, &t, dw, accumulate, workspace);
}

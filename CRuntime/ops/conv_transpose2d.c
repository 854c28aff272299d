/*
 * conv_transpose2d (PyTorch semantics, weight [c, m/groups, kh, kw]): per
 * image and group, one dk_sgemm col = W_g^T x X_g (trans_a; col is
 * [mg * kh * kw, h * w]), then col2im scatters col into y, which starts at the
 * bias; the activation runs on each finished plane. A 1x1, stride-1,
 * unpadded transposed convolution is a single GEMM with the fused epilogue.
 *
 * Threading as conv2d: (image, group) tasks in parallel, each with its own
 * column buffer and a single-threaded dk_sgemm, when there are enough of them;
 * otherwise one after the other with dk_sgemm on the pool and col2im split
 * over output channels.
 *
 * Workspace (floats): with rows = mg * kh * kw, col = round16(rows * h * w)
 * (0 for the 1x1 case) and gemm(t) = round16(dk_sgemm_workspace_floats(rows
 * (mg for 1x1), h * w, c / groups, t)):
 *   sequential: col + gemm(threads);  parallel: threads * (col + gemm(1)).
 * dk_conv_transpose2d_workspace_floats returns the larger.
 *
 * Pre-packed weights (dk_conv_transpose2d_pack_weights): each group's
 * W_g^T [rows, cg] in dk_sgemm_pack_a's layout, group g at g * rows * cg.
 */
#include "ops_internal.h"

int dk_conv_transpose2d_infer(dk_conv2d_params *p) {
    if (p == NULL) return -1;
    if (!p->n || !p->c || !p->h || !p->w || !p->m || !p->kh || !p->kw || !p->sh || !p->sw || !p->dh ||
        !p->dw || !p->groups)
        return -1;
    if (p->c % p->groups != 0 || p->m % p->groups != 0) return -1;
    /* PyTorch: output padding must be smaller than either stride or dilation */
    if (p->oph >= (p->sh > p->dh ? p->sh : p->dh) || p->opw >= (p->sw > p->dw ? p->sw : p->dw)) return -1;
    size_t fh, fw, t;
    /* full = (in - 1) * s + d * (k - 1) + op + 1 */
    if (!dk_ops_mul(p->h - 1, p->sh, &fh) || !dk_ops_mul(p->dh, p->kh - 1, &t) || !dk_ops_add(fh, t, &fh) ||
        !dk_ops_add(fh, p->oph + 1, &fh))
        return -1;
    if (!dk_ops_mul(p->w - 1, p->sw, &fw) || !dk_ops_mul(p->dw, p->kw - 1, &t) || !dk_ops_add(fw, t, &fw) ||
        !dk_ops_add(fw, p->opw + 1, &fw))
        return -1;
    size_t cut_h, cut_w;
    if (!dk_ops_add(p->pt, p->pb, &cut_h) || !dk_ops_add(p->pl, p->pr, &cut_w)) return -1;
    if (fh <= cut_h || fw <= cut_w) return -1;
    p->ho = fh - cut_h;
    p->wo = fw - cut_w;
    return 0;
}

typedef struct convt_plan {
    size_t cg, mg, rows, hw; /* per group: input, output channels; col rows; input plane */
    int direct;              /* 1x1, stride 1, unpadded: GEMM straight into y */
    size_t col;              /* floats of one column buffer, rounded to 16 */
} convt_plan;

static void make_plan(const dk_conv2d_params *p, convt_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->rows = q->mg * p->kh * p->kw;
    q->hw = p->h * p->w;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0 && p->oph == 0 && p->opw == 0;
    q->col = q->direct ? 0 : dk_ops_round16(q->rows * q->hw);
}

static size_t gemm_floats(const convt_plan *q, int threads) {
    return dk_ops_round16(dk_sgemm_workspace_floats(q->direct ? q->mg : q->rows, q->hw, q->cg, threads));
}

static int parallel_tasks(size_t tasks, int threads) {
    if (threads <= 1) return 0;
    size_t t = (size_t)threads;
    return tasks >= t && (tasks % t == 0 || tasks >= 4 * t);
}

size_t dk_conv_transpose2d_workspace_floats(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    size_t rh, par = 0;
    if (!dk_ops_mul(p->m / p->groups * p->kh * p->kw, p->h * p->w, &rh) || rh > SIZE_MAX / 2)
        return SIZE_MAX;
    convt_plan q;
    make_plan(p, &q);
    size_t seq = q.col + gemm_floats(&q, threads);
    if (threads > 1 && !dk_ops_mul(q.col + gemm_floats(&q, 1), (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct convt_ctx {
    const dk_conv2d_params *p;
    const convt_plan *q;
    const float *x, *w, *bias;
    float *y, *workspace;
    const float *packed; /* dk_conv_transpose2d_pack_weights, or NULL */
    size_t slice;     /* parallel tasks: floats per thread's slice */
    size_t task;      /* sequential col2im: the current (image, group) */
    const float *col; /* sequential col2im: its columns */
} convt_ctx;

/* The GEMM of task (image, group): into col, or into y with the epilogue when direct. */
static void convt_gemm(const convt_ctx *c, size_t task, dk_pool *pool, float *col, float *gemm_ws) {
    const dk_conv2d_params *p = c->p;
    const convt_plan *q = c->q;
    const size_t img = task / p->groups, g = task % p->groups;
    const float *xg = c->x + (img * p->c + g * q->cg) * q->hw;
    const float *wg = c->w + g * q->cg * q->rows;
    if (c->packed != NULL) {
        const float *pg = c->packed + g * q->cg * q->rows;
        if (q->direct) {
            dk_epilogue ep = {c->bias ? c->bias + g * q->mg : NULL, 0, p->activation, p->alpha};
            (void)dk_sgemm_packed(pool, pg, 0, q->mg, q->hw, q->cg, 1.0f, xg, q->hw, 0.0f,
                                  c->y + (img * p->m + g * q->mg) * q->hw, q->hw, &ep, gemm_ws);
        } else {
            (void)dk_sgemm_packed(pool, pg, 0, q->rows, q->hw, q->cg, 1.0f, xg, q->hw, 0.0f, col, q->hw, NULL,
                                  gemm_ws);
        }
        return;
    }
    if (q->direct) {
        dk_epilogue ep = {c->bias ? c->bias + g * q->mg : NULL, 0, p->activation, p->alpha};
        (void)dk_sgemm(pool, 1, 0, q->mg, q->hw, q->cg, 1.0f, wg, q->mg, xg, q->hw, 0.0f,
                       c->y + (img * p->m + g * q->mg) * q->hw, q->hw, &ep, gemm_ws);
    } else {
        (void)dk_sgemm(pool, 1, 0, q->rows, q->hw, q->cg, 1.0f, wg, q->rows, xg, q->hw, 0.0f, col, q->hw, NULL,
                       gemm_ws);
    }
}

/* Output channel oc of task (image, group): bias, col2im, activation. */
static void convt_plane(const convt_ctx *c, size_t task, size_t oc, const float *col) {
    const dk_conv2d_params *p = c->p;
    const size_t img = task / p->groups, g = task % p->groups;
    const size_t ch = g * c->q->mg + oc;
    const size_t plane = p->ho * p->wo;
    float *y = c->y + (img * p->m + ch) * plane;
    dk_ops_col2im_plane(p, col, oc, c->bias ? c->bias[ch] : 0.0f, y);
    dk_ops_activation(p->activation, p->alpha, y, y, plane);
}

static void convt_task(void *context, size_t index, int thread) {
    const convt_ctx *c = context;
    float *col = c->workspace + (size_t)thread * c->slice;
    convt_gemm(c, index, NULL, col, col + c->q->col);
    if (c->q->direct) return;
    for (size_t oc = 0; oc < c->q->mg; oc++) convt_plane(c, index, oc, col);
}

static void col2im_task(void *context, size_t index, int thread) {
    (void)thread;
    const convt_ctx *c = context;
    convt_plane(c, c->task, index, c->col);
}

size_t dk_conv_transpose2d_packed_weights_floats(const dk_conv2d_params *p) {
    size_t r, rc;
    if (!dk_ops_mul(p->m / p->groups, p->kh * p->kw, &r) || !dk_ops_mul(r, p->c, &rc)) return SIZE_MAX;
    return rc;
}

void dk_conv_transpose2d_pack_weights(const dk_conv2d_params *p, const float *w, float *packed) {
    convt_plan q;
    make_plan(p, &q);
    for (size_t g = 0; g < p->groups; g++)
        dk_sgemm_pack_a(1, q.rows, q.cg, w + g * q.cg * q.rows, q.rows, packed + g * q.cg * q.rows);
}

void dk_conv_transpose2d_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                 const float *bias, float *y, float *workspace) {
    dk_conv_transpose2d_forward_packed(pool, p, x, w, NULL, bias, y, workspace);
}

void dk_conv_transpose2d_forward_packed(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                        const float *packed_w, const float *bias, float *y, float *workspace) {
    convt_plan q;
    make_plan(p, &q);
    convt_ctx c = {p, &q, x, w, bias, y, workspace, packed_w, 0, 0, NULL};
    const size_t tasks = p->n * p->groups;
    const int threads = dk_pool_threads(pool);
    if (parallel_tasks(tasks, threads)) {
        c.slice = q.col + gemm_floats(&q, 1);
        dk_pool_for(pool, tasks, convt_task, &c);
        return;
    }
    float *gemm_ws = workspace ? workspace + q.col : NULL;
    for (size_t t = 0; t < tasks; t++) {
        convt_gemm(&c, t, pool, workspace, gemm_ws);
        if (q.direct) continue;
        c.task = t;
        c.col = workspace;
        dk_pool_for(pool, q.mg, col2im_task, &c);
    }
}

/*
 * conv2d: per image and group, one dk_sgemm (W_g [mg, K] x col [K, ho*wo])
 * with the bias-per-row + activation epilogue writing straight into y. The
 * im2col matrix col is never materialised: it is an implicit B operand whose
 * panels the GEMM fills straight from the input image as it packs them
 * (dk_sgemm_implicit with dk_ops_im2col_rows), so each input value is copied
 * once, into a cache-resident panel, instead of into a column buffer that the
 * GEMM then copies again. A 1x1, stride-1, unpadded convolution multiplies the
 * input itself. Depthwise convolutions (groups == c) take the direct kernel in
 * depthwise_conv2d.c.
 *
 * Threading: with at least as many (image, group) tasks as threads (and an
 * even split or plenty of tasks), the tasks run in parallel, each with a
 * single-threaded GEMM and its own workspace slice (pool NULL: the pool is
 * not reentrant). Otherwise tasks run one after the other, each GEMM given
 * the pool.
 *
 * Workspace (floats): gemm(t) = round16(dk_sgemm_workspace_floats(mg, ho*wo, K, t)):
 *   sequential: gemm(threads);  parallel: threads * gemm(1);
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

typedef struct conv_plan {
    size_t cg, mg, k, n; /* per group: input channels, output channels, GEMM K and pixels */
    int direct;          /* 1x1, stride 1, unpadded: the input is the GEMM's B */
} conv_plan;

static void make_plan(const dk_conv2d_params *p, conv_plan *q) {
    q->cg = p->c / p->groups;
    q->mg = p->m / p->groups;
    q->k = q->cg * p->kh * p->kw;
    q->n = p->ho * p->wo;
    q->direct = p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
                p->pb == 0 && p->pr == 0;
}

static size_t gemm_floats(const conv_plan *q, int threads) {
    return dk_ops_round16(dk_sgemm_workspace_floats(q->mg, q->n, q->k, threads));
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
    size_t seq = gemm_floats(&q, threads);
    if (threads > 1 && !dk_ops_mul(gemm_floats(&q, 1), (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct conv_ctx {
    const dk_conv2d_params *p;
    const conv_plan *q;
    const float *x, *w, *bias;
    float *y, *workspace;
    const float *packed; /* dk_conv2d_pack_weights, or NULL */
    size_t slice;        /* parallel tasks: floats per thread's workspace slice */
} conv_ctx;

/* The implicit B of one (image, group): its im2col matrix. */
typedef struct im2col_source {
    const dk_conv2d_params *p;
    const float *x; /* the group's first input channel */
} im2col_source;

static void im2col_fill(const void *context, size_t p0, size_t j0, size_t j1, const dk_sgemm_panels *out) {
    const im2col_source *s = context;
    dk_ops_im2col_rows(s->p, s->x, p0, j0, j1, out);
}

/* y[image, group's channels] = act(W_g * col(x_g) + bias_g) for task t = image * groups + group. */
static void conv_task_run(const conv_ctx *c, size_t t, dk_pool *pool, float *gemm_ws) {
    const dk_conv2d_params *p = c->p;
    const conv_plan *q = c->q;
    const size_t img = t / p->groups, g = t % p->groups;
    const float *xg = c->x + (img * p->c + g * q->cg) * p->h * p->w;
    const float *wg = c->w + g * q->mg * q->k, *packed = c->packed ? c->packed + g * q->mg * q->k : NULL;
    float *yg = c->y + (img * p->m + g * q->mg) * q->n;
    dk_epilogue ep = {c->bias ? c->bias + g * q->mg : NULL, 0, p->activation, p->alpha};
    if (q->direct) {
        if (packed != NULL)
            (void)dk_sgemm_packed(pool, packed, 0, q->mg, q->n, q->k, 1.0f, xg, q->n, 0.0f, yg, q->n, &ep, gemm_ws);
        else
            (void)dk_sgemm(pool, 0, 0, q->mg, q->n, q->k, 1.0f, wg, q->k, xg, q->n, 0.0f, yg, q->n, &ep, gemm_ws);
        return;
    }
    im2col_source src = {p, xg};
    dk_sgemm_b_source b = {im2col_fill, &src};
    (void)dk_sgemm_implicit(pool, wg, q->k, packed, &b, q->mg, q->n, q->k, 1.0f, 0.0f, yg, q->n, &ep, gemm_ws);
}

static void conv_task(void *context, size_t index, int thread) {
    const conv_ctx *c = context;
    conv_task_run(c, index, NULL, c->workspace ? c->workspace + (size_t)thread * c->slice : NULL);
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
    conv_ctx c = {p, &q, x, w, bias, y, workspace, packed_w, 0};
    const size_t tasks = p->n * p->groups;
    const int threads = dk_pool_threads(pool);
    if (parallel_tasks(tasks, threads)) {
        c.slice = gemm_floats(&q, 1);
        dk_pool_for(pool, tasks, conv_task, &c);
        return;
    }
    for (size_t t = 0; t < tasks; t++) conv_task_run(&c, t, pool, workspace);
}

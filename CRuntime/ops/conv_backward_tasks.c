/*
 * The task driver of the GEMM-based convolution backwards (conv2d_backward.c,
 * conv_transpose2d_backward.c): one task per (image, group), run either in
 * parallel chunks with per-chunk weight-gradient partials or one after the
 * other with the pool; and their im2col and col2im, split over channels on
 * the pool.
 */
#include "ops_backward_internal.h"

#include <string.h>

size_t dk_opsb_conv_workspace_floats(const dk_opsb_conv_tasks *t, int threads) {
    size_t seq = t->col + t->gemm, par = 0;
    if (threads > 1 && !dk_ops_mul(t->col + t->gemm1 + t->nw, (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct chunks_ctx {
    const dk_opsb_conv_tasks *t;
    float *workspace; /* thread i's slice at workspace + i * slice */
    float *parts;     /* chunk i's dw partial at parts + i * t->nw, or NULL */
    size_t slice, chunks;
} chunks_ctx;

static void chunk_task(void *context, size_t index, int thread) {
    const chunks_ctx *c = context;
    const dk_opsb_conv_tasks *t = c->t;
    float *col = c->workspace + (size_t)thread * c->slice;
    float *part = c->parts ? c->parts + index * t->nw : NULL;
    if (part) memset(part, 0, t->nw * sizeof(float));
    const size_t lo = index * t->tasks / c->chunks, hi = (index + 1) * t->tasks / c->chunks;
    for (size_t i = lo; i < hi; i++) t->run(t->context, i, NULL, col, col + t->col, part, 0);
}

void dk_opsb_conv_run(dk_pool *pool, const dk_opsb_conv_tasks *t, float *dw, int accumulate, float *workspace) {
    const int threads = dk_pool_threads(pool);
    if (dk_opsb_parallel_tasks(t->tasks, threads)) {
        chunks_ctx c = {t, workspace, NULL, t->col + t->gemm1, (size_t)threads};
        if (dw) c.parts = workspace + c.chunks * c.slice;
        dk_pool_for(pool, c.chunks, chunk_task, &c);
        if (dw) dk_opsb_reduce_parts(pool, c.parts, c.chunks, t->nw, t->dw_count, dw, accumulate);
        return;
    }
    for (size_t i = 0; i < t->tasks; i++)
        t->run(t->context, i, pool, workspace, workspace + t->col, dw, !accumulate && i / t->groups == 0);
}

typedef struct channel_split_ctx {
    dk_opsb_channel_fn fn;
    const dk_conv2d_params *p;
    const float *in;
    size_t j0, j1;
    float *out;
} channel_split_ctx;

static void channel_task(void *context, size_t index, int thread) {
    (void)thread;
    const channel_split_ctx *c = context;
    c->fn(c->p, c->in, index, index + 1, c->j0, c->j1, c->out);
}

void dk_opsb_split_channels(dk_pool *pool, dk_opsb_channel_fn fn, const dk_conv2d_params *p, const float *in,
                            size_t channels, size_t j0, size_t j1, float *out) {
    if (pool == NULL || dk_pool_threads(pool) < 2 || channels < 2) {
        fn(p, in, 0, channels, j0, j1, out);
        return;
    }
    channel_split_ctx c = {fn, p, in, j0, j1, out};
    dk_pool_for(pool, channels, channel_task, &c);
}

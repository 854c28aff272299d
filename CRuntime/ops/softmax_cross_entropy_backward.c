/*
 * Softmax cross-entropy from logits, loss and gradient in one pass (ops.h:
 * PyTorch's CrossEntropyLoss with class indices, label_smoothing and
 * reduction 'mean', negative labels ignored). Per row, with
 * lse = max + log(sum exp(x - max)) (vmath.c's fused exp-and-sum into the
 * thread's scratch row):
 *   loss_r = (1 - eps) * (lse - x[label]) + eps / C * (C * lse - sum x)
 *   grad_r = (softmax - eps / C - (1 - eps) * onehot(label)) / rows_counted
 * Row losses (double) go to the workspace and are summed in row order, so the
 * result is deterministic. Parallel over blocks of rows.
 *
 * Workspace (floats): round16(2 * n) (the row losses as doubles), then
 * threads * round16(classes) (one scratch row per thread).
 */
#include "ops_backward_internal.h"

size_t dk_softmax_cross_entropy_workspace_floats(size_t n, size_t classes, int threads) {
    size_t rows, scratch;
    if (threads < 1) threads = 1;
    if (!dk_ops_mul(n, 2, &rows) || !dk_ops_mul(dk_ops_round16(classes), (size_t)threads, &scratch) ||
        !dk_ops_add(dk_ops_round16(rows), scratch, &rows))
        return SIZE_MAX;
    return rows;
}

typedef struct sce_ctx {
    size_t n, classes, per_task, slice;
    const float *logits;
    const int32_t *labels;
    float eps, inv_count;
    float *dlogits, *scratch;
    double *row_loss;
    int accumulate;
} sce_ctx;

static double dsum(const float *x, size_t n) {
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; j++) acc[j] += (double)x[i + j];
    double s = 0.0;
    for (; i < n; i++) s += (double)x[i];
    for (size_t j = 0; j < 8; j++) s += acc[j];
    return s;
}

static void sce_task(void *context, size_t index, int thread) {
    const sce_ctx *c = context;
    const size_t C = c->classes;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->n ? begin + c->per_task : c->n;
    float *t = c->scratch + (size_t)thread * c->slice;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->logits + r * C;
        float *d = c->dlogits ? c->dlogits + r * C : NULL;
        const int32_t label = c->labels[r];
        if (label < 0) {
            c->row_loss[r] = 0.0;
            if (d && !c->accumulate)
                for (size_t j = 0; j < C; j++) d[j] = 0.0f;
            continue;
        }
        if ((size_t)label >= C) {
            c->row_loss[r] = NAN;
            if (d)
                for (size_t j = 0; j < C; j++) d[j] = NAN;
            continue;
        }
        const float m = dk_ops_max(x, C);
        const float s = dk_ops_exp_shift_sum(x, m, t, C);
        const double lse = (double)m + log((double)s);
        const double eps = (double)c->eps;
        c->row_loss[r] = (1.0 - eps) * (lse - (double)x[label]) + eps / (double)C * ((double)C * lse - dsum(x, C));
        if (!d) continue;
        const float inv_s = 1.0f / s, off = c->eps / (float)C, scale = c->inv_count;
        for (size_t j = 0; j < C; j++) t[j] = t[j] * inv_s - off;
        t[label] -= 1.0f - c->eps;
        if (c->accumulate) {
            for (size_t j = 0; j < C; j++) d[j] += t[j] * scale;
        } else {
            for (size_t j = 0; j < C; j++) d[j] = t[j] * scale;
        }
    }
}

float dk_softmax_cross_entropy(dk_pool *pool, size_t n, size_t classes, const float *logits,
                               const int32_t *labels, float label_smoothing, float *dlogits, int accumulate,
                               float *workspace) {
    if (n == 0 || classes == 0) return NAN;
    size_t counted = 0;
    for (size_t r = 0; r < n; r++) counted += labels[r] >= 0;
    sce_ctx c = {n, classes, 1, dk_ops_round16(classes), logits, labels, label_smoothing,
                 counted ? 1.0f / (float)counted : 0.0f, dlogits, workspace + dk_ops_round16(2 * n),
                 (double *)(void *)workspace, accumulate};
    if (classes < DK_OPS_BLOCK) c.per_task = DK_OPS_BLOCK / classes;
    dk_pool_for(pool, (n + c.per_task - 1) / c.per_task, sce_task, &c);
    double total = 0.0;
    for (size_t r = 0; r < n; r++) total += c.row_loss[r];
    return (float)(total / (double)counted);
}

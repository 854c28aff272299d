/*
 * Batch norm in training mode (ops.h: dk_batch_norm_train_forward and
 * dk_batch_norm_backward) over [n, c, inner], PyTorch's CPU semantics. One
 * task per channel (it reads the channel's n segments of `inner` values):
 *
 * forward:  mean, then the sum of squared deviations (two passes, both
 *           accumulated in double over 8 partial sums); invstd =
 *           1 / sqrt(var_sum / N + eps); y = x * a + b with a = invstd * gamma,
 *           b = beta - mean * a; running stats updated with momentum, the
 *           variance unbiased (var_sum / (N - 1)).
 * backward: sum dy and sum (x - mean) * dy in double, then
 *           dx = (dy - sum / N - (x - mean) * dotp * invstd^2 / N) * invstd * gamma
 *           (PyTorch's batch_norm_backward_cpu), dgamma = dotp * invstd, dbeta = sum.
 */
#include "ops_backward_internal.h"

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

/* sum of (x - mean)^2 */
static double dsq(const float *x, double mean, size_t n) {
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; j++) {
            double d = (double)x[i + j] - mean;
            acc[j] += d * d;
        }
    double s = 0.0;
    for (; i < n; i++) {
        double d = (double)x[i] - mean;
        s += d * d;
    }
    for (size_t j = 0; j < 8; j++) s += acc[j];
    return s;
}

/* sum of (x - mean) * g */
static double ddot(const float *x, double mean, const float *g, size_t n) {
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; j++) acc[j] += ((double)x[i + j] - mean) * (double)g[i + j];
    double s = 0.0;
    for (; i < n; i++) s += ((double)x[i] - mean) * (double)g[i];
    for (size_t j = 0; j < 8; j++) s += acc[j];
    return s;
}

typedef struct bn_ctx {
    size_t n, c, inner;
    const float *x, *dy, *gamma, *beta, *save_mean_in, *save_invstd_in;
    float eps, momentum;
    float *running_mean, *running_var, *save_mean, *save_invstd, *y;
    float *dx, *dgamma, *dbeta;
    int accumulate;
} bn_ctx;

static void bn_forward_channel(void *context, size_t ch, int thread) {
    (void)thread;
    const bn_ctx *b = context;
    const size_t stride = b->c * b->inner;
    const double count = (double)(b->n * b->inner);
    double s = 0.0;
    for (size_t i = 0; i < b->n; i++) s += dsum(b->x + i * stride + ch * b->inner, b->inner);
    const double mean = s / count;
    double v = 0.0;
    for (size_t i = 0; i < b->n; i++) v += dsq(b->x + i * stride + ch * b->inner, mean, b->inner);
    const double invstd = 1.0 / sqrt(v / count + (double)b->eps);
    if (b->save_mean) b->save_mean[ch] = (float)mean;
    if (b->save_invstd) b->save_invstd[ch] = (float)invstd;
    const double mom = (double)b->momentum;
    if (b->running_mean) b->running_mean[ch] = (float)(mom * mean + (1.0 - mom) * (double)b->running_mean[ch]);
    if (b->running_var)
        b->running_var[ch] = (float)(mom * (v / (count - 1.0)) + (1.0 - mom) * (double)b->running_var[ch]);
    const double a = invstd * (b->gamma ? (double)b->gamma[ch] : 1.0);
    const float af = (float)a, bf = (float)((b->beta ? (double)b->beta[ch] : 0.0) - mean * a);
    for (size_t i = 0; i < b->n; i++) {
        const float *x = b->x + i * stride + ch * b->inner;
        float *y = b->y + i * stride + ch * b->inner;
        for (size_t j = 0; j < b->inner; j++) y[j] = x[j] * af + bf;
    }
}

void dk_batch_norm_train_forward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x,
                                 const float *gamma, const float *beta, float eps, float momentum,
                                 float *running_mean, float *running_var, float *save_mean, float *save_invstd,
                                 float *y) {
    if (c == 0) return;
    bn_ctx b = {n, c, inner, x, NULL, gamma, beta, NULL, NULL, eps, momentum, running_mean, running_var,
                save_mean, save_invstd, y, NULL, NULL, NULL, 0};
    dk_pool_for(pool, c, bn_forward_channel, &b);
}

static void bn_backward_channel(void *context, size_t ch, int thread) {
    (void)thread;
    const bn_ctx *b = context;
    const size_t stride = b->c * b->inner;
    const double count = (double)(b->n * b->inner);
    const double mean = (double)b->save_mean_in[ch], invstd = (double)b->save_invstd_in[ch];
    double sum = 0.0, dotp = 0.0;
    for (size_t i = 0; i < b->n; i++) {
        const size_t at = i * stride + ch * b->inner;
        sum += dsum(b->dy + at, b->inner);
        dotp += ddot(b->x + at, mean, b->dy + at, b->inner);
    }
    if (b->dgamma) b->dgamma[ch] = (float)(dotp * invstd + (b->accumulate ? (double)b->dgamma[ch] : 0.0));
    if (b->dbeta) b->dbeta[ch] = (float)(sum + (b->accumulate ? (double)b->dbeta[ch] : 0.0));
    if (!b->dx) return;
    const float k = (float)(dotp * invstd * invstd / count), gm = (float)(sum / count);
    const float a = (float)(invstd * (b->gamma ? (double)b->gamma[ch] : 1.0)), m = (float)mean;
    for (size_t i = 0; i < b->n; i++) {
        const size_t at = i * stride + ch * b->inner;
        const float *x = b->x + at, *dy = b->dy + at;
        float *dx = b->dx + at;
        if (b->accumulate) {
            for (size_t j = 0; j < b->inner; j++) dx[j] += (dy[j] - gm - (x[j] - m) * k) * a;
        } else {
            for (size_t j = 0; j < b->inner; j++) dx[j] = (dy[j] - gm - (x[j] - m) * k) * a;
        }
    }
}

void dk_batch_norm_backward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x, const float *dy,
                            const float *gamma, const float *save_mean, const float *save_invstd, float *dx,
                            float *dgamma, float *dbeta, int accumulate) {
    if (c == 0) return;
    bn_ctx b = {n, c, inner, x, dy, gamma, NULL, save_mean, save_invstd, 0.0f, 0.0f, NULL, NULL,
                NULL, NULL, NULL, dx, dgamma, dbeta, accumulate};
    dk_pool_for(pool, c, bn_backward_channel, &b);
}

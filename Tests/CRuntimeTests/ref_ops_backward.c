/* Naive double references for the backward kernels: see ref_ops_backward.h. Speed is irrelevant. */
#include "ref_ops_backward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void zero(double *a, size_t n) {
    if (a)
        for (size_t i = 0; i < n; i++) a[i] = 0.0;
}

/* ---- conv2d: y[n, oc, oh, ow] += x[n, g*cg + i, oh*s - pad + ki*d, ...] * w[oc, i, ki, kj] ---- */

/* Calls term(ctx, x index, w index, y index) for every term of the forward's sums. */
typedef void (*conv_term_fn)(void *ctx, size_t xi, size_t wi, size_t yi);

static void conv2d_terms(const dk_conv2d_params *p, conv_term_fn term, void *ctx) {
    const size_t cg = p->c / p->groups, mg = p->m / p->groups;
    for (size_t n = 0; n < p->n; n++)
        for (size_t oc = 0; oc < p->m; oc++) {
            const size_t g = oc / mg;
            for (size_t oh = 0; oh < p->ho; oh++)
                for (size_t ow = 0; ow < p->wo; ow++)
                    for (size_t i = 0; i < cg; i++)
                        for (size_t ki = 0; ki < p->kh; ki++)
                            for (size_t kj = 0; kj < p->kw; kj++) {
                                long long ih = (long long)(oh * p->sh + ki * p->dh) - (long long)p->pt;
                                long long iw = (long long)(ow * p->sw + kj * p->dw) - (long long)p->pl;
                                if (ih < 0 || iw < 0 || ih >= (long long)p->h || iw >= (long long)p->w) continue;
                                term(ctx, ((n * p->c + g * cg + i) * p->h + (size_t)ih) * p->w + (size_t)iw,
                                     ((oc * cg + i) * p->kh + ki) * p->kw + kj,
                                     ((n * p->m + oc) * p->ho + oh) * p->wo + ow);
                            }
        }
}

/* conv_transpose2d: y[n, g*mg + o, ih*s - pad + ki*d, ...] += x[n, ci, ih, iw] * w[ci, o, ki, kj] */
static void convt_terms(const dk_conv2d_params *p, conv_term_fn term, void *ctx) {
    const size_t cg = p->c / p->groups, mg = p->m / p->groups;
    for (size_t n = 0; n < p->n; n++)
        for (size_t ci = 0; ci < p->c; ci++) {
            const size_t g = ci / cg;
            for (size_t ih = 0; ih < p->h; ih++)
                for (size_t iw = 0; iw < p->w; iw++)
                    for (size_t o = 0; o < mg; o++)
                        for (size_t ki = 0; ki < p->kh; ki++)
                            for (size_t kj = 0; kj < p->kw; kj++) {
                                long long oh = (long long)(ih * p->sh + ki * p->dh) - (long long)p->pt;
                                long long ow = (long long)(iw * p->sw + kj * p->dw) - (long long)p->pl;
                                if (oh < 0 || ow < 0 || oh >= (long long)p->ho || ow >= (long long)p->wo) continue;
                                term(ctx, ((n * p->c + ci) * p->h + ih) * p->w + iw,
                                     ((ci * mg + o) * p->kh + ki) * p->kw + kj,
                                     ((n * p->m + g * mg + o) * p->ho + (size_t)oh) * p->wo + (size_t)ow);
                            }
        }
}

typedef struct conv_ref_ctx {
    const double *x, *w, *dy;
    double *y, *dx, *dw, *dx_mag, *dw_mag;
} conv_ref_ctx;

static void forward_term(void *ctx, size_t xi, size_t wi, size_t yi) {
    conv_ref_ctx *c = ctx;
    c->y[yi] += c->x[xi] * c->w[wi];
}

/* d(x * w)/dx = w, d(x * w)/dw = x */
static void backward_term(void *ctx, size_t xi, size_t wi, size_t yi) {
    conv_ref_ctx *c = ctx;
    if (c->dx) {
        c->dx[xi] += c->dy[yi] * c->w[wi];
        if (c->dx_mag) c->dx_mag[xi] += fabs(c->dy[yi] * c->w[wi]);
    }
    if (c->dw) {
        c->dw[wi] += c->dy[yi] * c->x[xi];
        if (c->dw_mag) c->dw_mag[wi] += fabs(c->dy[yi] * c->x[xi]);
    }
}

/* y = bias, then the terms */
static void conv_forward(const dk_conv2d_params *p, int transposed, const double *x, const double *w,
                         const double *b, double *y) {
    const size_t plane = p->ho * p->wo;
    for (size_t n = 0; n < p->n; n++)
        for (size_t oc = 0; oc < p->m; oc++)
            for (size_t i = 0; i < plane; i++) y[(n * p->m + oc) * plane + i] = b ? b[oc] : 0.0;
    conv_ref_ctx c = {x, w, NULL, y, NULL, NULL, NULL, NULL};
    if (transposed)
        convt_terms(p, forward_term, &c);
    else
        conv2d_terms(p, forward_term, &c);
}

static void conv_backward(const dk_conv2d_params *p, int transposed, const double *x, const double *w,
                          const double *dy, double *dx, double *dw, double *db, double *dx_mag, double *dw_mag,
                          double *db_mag) {
    const size_t nx = p->n * p->c * p->h * p->w;
    const size_t nw = transposed ? p->c * (p->m / p->groups) * p->kh * p->kw : p->m * (p->c / p->groups) * p->kh * p->kw;
    zero(dx, nx);
    zero(dw, nw);
    if (dx) zero(dx_mag, nx);
    if (dw) zero(dw_mag, nw);
    conv_ref_ctx c = {x, w, dy, NULL, dx, dw, dx_mag, dw_mag};
    if (transposed)
        convt_terms(p, backward_term, &c);
    else
        conv2d_terms(p, backward_term, &c);
    if (db) { /* d(bias[oc]) / db[oc] = 1 at every output pixel */
        const size_t plane = p->ho * p->wo;
        for (size_t oc = 0; oc < p->m; oc++) {
            double s = 0.0, a = 0.0;
            for (size_t n = 0; n < p->n; n++)
                for (size_t i = 0; i < plane; i++) {
                    s += dy[(n * p->m + oc) * plane + i];
                    a += fabs(dy[(n * p->m + oc) * plane + i]);
                }
            db[oc] = s;
            if (db_mag) db_mag[oc] = a;
        }
    }
}

void refb_conv2d_forward(const dk_conv2d_params *p, const double *x, const double *w, const double *b, double *y) {
    conv_forward(p, 0, x, w, b, y);
}

void refb_conv2d_backward(const dk_conv2d_params *p, const double *x, const double *w, const double *dy,
                          double *dx, double *dw, double *db, double *dx_mag, double *dw_mag, double *db_mag) {
    conv_backward(p, 0, x, w, dy, dx, dw, db, dx_mag, dw_mag, db_mag);
}

void refb_conv_transpose2d_forward(const dk_conv2d_params *p, const double *x, const double *w, const double *b,
                                   double *y) {
    conv_forward(p, 1, x, w, b, y);
}

void refb_conv_transpose2d_backward(const dk_conv2d_params *p, const double *x, const double *w,
                                    const double *dy, double *dx, double *dw, double *db, double *dx_mag,
                                    double *dw_mag, double *db_mag) {
    conv_backward(p, 1, x, w, dy, dx, dw, db, dx_mag, dw_mag, db_mag);
}

/* ---- dense ------------------------------------------------------------------- */

void refb_dense_forward(size_t n, size_t k, size_t m, const double *x, const double *w, const double *b, double *y) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double acc = b ? b[j] : 0.0;
            for (size_t p = 0; p < k; p++) acc += x[i * k + p] * w[j * k + p];
            y[i * m + j] = acc;
        }
}

void refb_dense_backward(size_t n, size_t k, size_t m, const double *x, const double *w, const double *dy,
                         double *dx, double *dw, double *db, double *dx_mag, double *dw_mag, double *db_mag) {
    zero(dx, n * k);
    zero(dw, m * k);
    zero(db, m);
    if (dx) zero(dx_mag, n * k);
    if (dw) zero(dw_mag, m * k);
    if (db) zero(db_mag, m);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            const double g = dy[i * m + j];
            for (size_t p = 0; p < k; p++) {
                if (dx) {
                    dx[i * k + p] += g * w[j * k + p];
                    if (dx_mag) dx_mag[i * k + p] += fabs(g * w[j * k + p]);
                }
                if (dw) {
                    dw[j * k + p] += g * x[i * k + p];
                    if (dw_mag) dw_mag[j * k + p] += fabs(g * x[i * k + p]);
                }
            }
            if (db) {
                db[j] += g;
                if (db_mag) db_mag[j] += fabs(g);
            }
        }
}

/* ---- pools --------------------------------------------------------------------- */

/* PyTorch's cpu_max_pool scan: window clipped to the input, index starts at its first element. */
static size_t max_index(const dk_pool2d_params *p, const double *plane, size_t oh, size_t ow, double *value) {
    long long h0 = (long long)(oh * p->sh) - (long long)p->pt, w0 = (long long)(ow * p->sw) - (long long)p->pl;
    long long h1 = h0 + (long long)p->kh, w1 = w0 + (long long)p->kw;
    if (h1 > (long long)p->h) h1 = (long long)p->h;
    if (w1 > (long long)p->w) w1 = (long long)p->w;
    if (h0 < 0) h0 = 0;
    if (w0 < 0) w0 = 0;
    size_t best = (size_t)(h0 * (long long)p->w + w0);
    double m = -INFINITY;
    for (long long ih = h0; ih < h1; ih++)
        for (long long iw = w0; iw < w1; iw++) {
            size_t at = (size_t)(ih * (long long)p->w + iw);
            double v = plane[at];
            if (v > m || isnan(v)) {
                m = v;
                best = at;
            }
        }
    *value = m;
    return best;
}

void refb_max_pool2d_forward(const dk_pool2d_params *p, const double *x, double *y) {
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++)
                (void)max_index(p, x + nc * p->h * p->w, oh, ow, &y[(nc * p->ho + oh) * p->wo + ow]);
}

void refb_max_pool2d_backward(const dk_pool2d_params *p, const double *x, const double *dy, double *dx) {
    zero(dx, p->n * p->c * p->h * p->w);
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                double v;
                size_t at = max_index(p, x + nc * p->h * p->w, oh, ow, &v);
                dx[nc * p->h * p->w + at] += dy[(nc * p->ho + oh) * p->wo + ow];
            }
}

/* PyTorch's cpu_avg_pool window and divisor: [*h0, *h1) x [*w0, *w1) and the return value. */
static double avg_window(const dk_pool2d_params *p, size_t oh, size_t ow, long long *h0, long long *h1,
                         long long *w0, long long *w1) {
    const long long H = (long long)p->h, W = (long long)p->w;
    long long ih0 = (long long)(oh * p->sh) - (long long)p->pt, iw0 = (long long)(ow * p->sw) - (long long)p->pl;
    long long ih1 = ih0 + (long long)p->kh, iw1 = iw0 + (long long)p->kw;
    if (ih1 > H + (long long)p->pb) ih1 = H + (long long)p->pb;
    if (iw1 > W + (long long)p->pr) iw1 = W + (long long)p->pr;
    long long pool_size = (ih1 - ih0) * (iw1 - iw0);
    if (ih0 < 0) ih0 = 0;
    if (iw0 < 0) iw0 = 0;
    if (ih1 > H) ih1 = H;
    if (iw1 > W) iw1 = W;
    *h0 = ih0, *h1 = ih1, *w0 = iw0, *w1 = iw1;
    return (double)(p->count_include_pad ? pool_size : (ih1 - ih0) * (iw1 - iw0));
}

void refb_avg_pool2d_forward(const dk_pool2d_params *p, const double *x, double *y) {
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                long long h0, h1, w0, w1;
                double div = avg_window(p, oh, ow, &h0, &h1, &w0, &w1), s = 0.0;
                for (long long ih = h0; ih < h1; ih++)
                    for (long long iw = w0; iw < w1; iw++) s += x[nc * p->h * p->w + (size_t)(ih * (long long)p->w + iw)];
                y[(nc * p->ho + oh) * p->wo + ow] = s / div;
            }
}

void refb_avg_pool2d_backward(const dk_pool2d_params *p, const double *dy, double *dx) {
    zero(dx, p->n * p->c * p->h * p->w);
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                long long h0, h1, w0, w1;
                double div = avg_window(p, oh, ow, &h0, &h1, &w0, &w1);
                double g = dy[(nc * p->ho + oh) * p->wo + ow] / div;
                for (long long ih = h0; ih < h1; ih++)
                    for (long long iw = w0; iw < w1; iw++) dx[nc * p->h * p->w + (size_t)(ih * (long long)p->w + iw)] += g;
            }
}

void refb_global_avg_pool_forward(size_t n, size_t c, size_t hw, const double *x, double *y) {
    for (size_t i = 0; i < n * c; i++) {
        double s = 0.0;
        for (size_t j = 0; j < hw; j++) s += x[i * hw + j];
        y[i] = s / (double)hw;
    }
}

void refb_global_avg_pool_backward(size_t n, size_t c, size_t hw, const double *dy, double *dx) {
    for (size_t i = 0; i < n * c; i++)
        for (size_t j = 0; j < hw; j++) dx[i * hw + j] = dy[i] / (double)hw;
}

/* ---- activations ------------------------------------------------------------------ */

double refb_act(dk_activation act, double alpha, double v) {
    switch (act) {
    case DK_ACT_RELU: return v < 0.0 ? 0.0 : v;
    case DK_ACT_LEAKY_RELU: return v > 0.0 ? v : alpha * v;
    case DK_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case DK_ACT_TANH: return tanh(v);
    case DK_ACT_RELU6: return v < 0.0 ? 0.0 : (v > 6.0 ? 6.0 : v);
    case DK_ACT_NONE:
    default: return v;
    }
}

double refb_act_grad(dk_activation act, double alpha, double v) {
    switch (act) {
    case DK_ACT_RELU: return v > 0.0 ? 1.0 : 0.0;
    case DK_ACT_LEAKY_RELU: return v > 0.0 ? 1.0 : alpha;
    case DK_ACT_SIGMOID: {
        double s = 1.0 / (1.0 + exp(-v));
        return s * (1.0 - s);
    }
    case DK_ACT_TANH: {
        double t = tanh(v);
        return 1.0 - t * t;
    }
    case DK_ACT_RELU6: return v > 0.0 && v < 6.0 ? 1.0 : 0.0;
    case DK_ACT_NONE:
    default: return 1.0;
    }
}

/* ---- softmax ------------------------------------------------------------------------ */

void refb_softmax_forward(size_t outer, size_t axis, size_t inner, const double *x, double *y) {
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double m = -INFINITY, s = 0.0;
            for (size_t a = 0; a < axis; a++)
                if (x[(o * axis + a) * inner + i] > m) m = x[(o * axis + a) * inner + i];
            for (size_t a = 0; a < axis; a++) s += exp(x[(o * axis + a) * inner + i] - m);
            for (size_t a = 0; a < axis; a++) y[(o * axis + a) * inner + i] = exp(x[(o * axis + a) * inner + i] - m) / s;
        }
}

/* dy_j/dx_i = y_j * (delta_ij - y_i) */
void refb_softmax_backward(size_t outer, size_t axis, size_t inner, const double *x, const double *dy, double *dx) {
    double *y = malloc(outer * axis * inner * sizeof(double) + 1);
    refb_softmax_forward(outer, axis, inner, x, y);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++)
            for (size_t a = 0; a < axis; a++) {
                const size_t ia = (o * axis + a) * inner + i;
                double s = 0.0;
                for (size_t b = 0; b < axis; b++) {
                    const size_t jb = (o * axis + b) * inner + i;
                    s += dy[jb] * y[jb] * ((a == b ? 1.0 : 0.0) - y[ia]);
                }
                dx[ia] = s;
            }
    free(y);
}

/* ---- lrn --------------------------------------------------------------------------------- */

/* B = k + alpha / size * sum of x^2 over [c - size/2, c + (size-1)/2] (zero padded) */
static double lrn_base(size_t c, size_t hw, size_t size, double alpha, double k, const double *x, size_t img,
                       size_t ch, size_t j) {
    const long long before = (long long)(size / 2);
    double s = 0.0;
    for (long long t = 0; t < (long long)size; t++) {
        long long cc = (long long)ch - before + t;
        if (cc < 0 || cc >= (long long)c) continue;
        double v = x[(img * c + (size_t)cc) * hw + j];
        s += v * v;
    }
    return k + alpha * s / (double)size;
}

void refb_lrn_forward(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
                      const double *x, double *y) {
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t j = 0; j < hw; j++)
                y[(i * c + ch) * hw + j] =
                    x[(i * c + ch) * hw + j] / pow(lrn_base(c, hw, size, alpha, k, x, i, ch, j), beta);
}

/* dy_c/dx_i = delta_ci * B_c^-beta - x_c * beta * B_c^(-beta-1) * (alpha/size) * 2 x_i, for i in c's window */
void refb_lrn_backward(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
                       const double *x, const double *dy, double *dx) {
    zero(dx, n * c * hw);
    const long long before = (long long)(size / 2);
    for (size_t img = 0; img < n; img++)
        for (size_t j = 0; j < hw; j++)
            for (size_t ch = 0; ch < c; ch++) {
                const size_t yc = (img * c + ch) * hw + j;
                const double b = lrn_base(c, hw, size, alpha, k, x, img, ch, j);
                dx[yc] += dy[yc] * pow(b, -beta);
                for (long long t = 0; t < (long long)size; t++) {
                    long long cc = (long long)ch - before + t;
                    if (cc < 0 || cc >= (long long)c) continue;
                    const size_t xi = (img * c + (size_t)cc) * hw + j;
                    dx[xi] += dy[yc] * (-x[yc] * beta * pow(b, -beta - 1.0) * alpha / (double)size * 2.0 * x[xi]);
                }
            }
}

/* ---- channel affine, batch norm ------------------------------------------------------------ */

void refb_channel_affine_forward(size_t n, size_t c, size_t inner, const double *scale, const double *shift,
                                 const double *x, double *y) {
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t j = 0; j < inner; j++) {
                size_t at = (i * c + ch) * inner + j;
                y[at] = x[at] * scale[ch] + shift[ch];
            }
}

void refb_channel_affine_backward(size_t n, size_t c, size_t inner, const double *x, const double *scale,
                                  const double *dy, double *dx, double *dscale, double *dshift) {
    zero(dscale, c);
    zero(dshift, c);
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t j = 0; j < inner; j++) {
                size_t at = (i * c + ch) * inner + j;
                if (dx) dx[at] = dy[at] * scale[ch];
                if (dscale) dscale[ch] += dy[at] * x[at];
                if (dshift) dshift[ch] += dy[at];
            }
}

static void bn_stats(size_t n, size_t c, size_t inner, const double *x, size_t ch, double *mean, double *var) {
    const double count = (double)(n * inner);
    double s = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < inner; j++) s += x[(i * c + ch) * inner + j];
    *mean = s / count;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < inner; j++) {
            double d = x[(i * c + ch) * inner + j] - *mean;
            v += d * d;
        }
    *var = v / count;
}

void refb_batch_norm_train_forward(size_t n, size_t c, size_t inner, const double *x, const double *gamma,
                                   const double *beta, double eps, double *y, double *mean, double *var) {
    for (size_t ch = 0; ch < c; ch++) {
        double mu, v;
        bn_stats(n, c, inner, x, ch, &mu, &v);
        if (mean) mean[ch] = mu;
        if (var) var[ch] = v;
        const double g = gamma ? gamma[ch] : 1.0, b = beta ? beta[ch] : 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < inner; j++) {
                size_t at = (i * c + ch) * inner + j;
                y[at] = (x[at] - mu) / sqrt(v + eps) * g + b;
            }
    }
}

void refb_batch_norm_backward(size_t n, size_t c, size_t inner, const double *x, const double *gamma, double eps,
                              const double *dy, double *dx, double *dgamma, double *dbeta) {
    const size_t count = n * inner;
    for (size_t ch = 0; ch < c; ch++) {
        double mu, v;
        bn_stats(n, c, inner, x, ch, &mu, &v);
        const double invstd = 1.0 / sqrt(v + eps), g = gamma ? gamma[ch] : 1.0;
        double sg = 0.0, sb = 0.0;
        /* the channel's elements, numbered a = i * inner + j */
        for (size_t a = 0; a < count; a++) {
            const size_t at = (a / inner * c + ch) * inner + a % inner;
            const double xa = (x[at] - mu) * invstd;
            sg += dy[at] * xa; /* dy/dgamma = xhat */
            sb += dy[at];      /* dy/dbeta = 1 */
            if (!dx) continue;
            double s = 0.0;
            for (size_t b = 0; b < count; b++) {
                const size_t bt = (b / inner * c + ch) * inner + b % inner;
                const double xb = (x[bt] - mu) * invstd;
                s += dy[bt] * g * invstd * ((a == b ? 1.0 : 0.0) - 1.0 / (double)count - xa * xb / (double)count);
            }
            dx[at] = s;
        }
        if (dgamma) dgamma[ch] = sg;
        if (dbeta) dbeta[ch] = sb;
    }
}

/* ---- concat, pad ---------------------------------------------------------------------------- */

void refb_concat_forward(size_t count, const double *const *inputs, const size_t *axis_sizes, size_t outer,
                         size_t inner, double *y) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += axis_sizes[i];
    for (size_t o = 0; o < outer; o++) {
        size_t at = 0;
        for (size_t i = 0; i < count; i++)
            for (size_t a = 0; a < axis_sizes[i]; a++, at++)
                for (size_t j = 0; j < inner; j++)
                    y[(o * total + at) * inner + j] = inputs[i][(o * axis_sizes[i] + a) * inner + j];
    }
}

void refb_concat_backward(size_t count, const double *dy, const size_t *axis_sizes, size_t outer, size_t inner,
                          double *const *dinputs) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += axis_sizes[i];
    for (size_t o = 0; o < outer; o++) {
        size_t at = 0;
        for (size_t i = 0; i < count; i++)
            for (size_t a = 0; a < axis_sizes[i]; a++, at++)
                for (size_t j = 0; j < inner; j++)
                    if (dinputs[i]) dinputs[i][(o * axis_sizes[i] + a) * inner + j] = dy[(o * total + at) * inner + j];
    }
}

/* Calls f(ctx, x index or -1, y index) for every output element. */
static void pad_map(const size_t dims[4], const size_t pads[8], void (*f)(void *, long long, size_t), void *ctx) {
    size_t od[4];
    for (int d = 0; d < 4; d++) od[d] = dims[d] + pads[d] + pads[d + 4];
    for (size_t a = 0; a < od[0]; a++)
        for (size_t b = 0; b < od[1]; b++)
            for (size_t c = 0; c < od[2]; c++)
                for (size_t d = 0; d < od[3]; d++) {
                    long long i[4] = {(long long)a - (long long)pads[0], (long long)b - (long long)pads[1],
                                      (long long)c - (long long)pads[2], (long long)d - (long long)pads[3]};
                    long long xi = 0;
                    for (int t = 0; t < 4; t++) {
                        if (i[t] < 0 || i[t] >= (long long)dims[t]) {
                            xi = -1;
                            break;
                        }
                        xi = xi * (long long)dims[t] + i[t];
                    }
                    f(ctx, xi, ((a * od[1] + b) * od[2] + c) * od[3] + d);
                }
}

typedef struct pad_ref_ctx {
    double value;
    const double *src;
    double *dst;
} pad_ref_ctx;

static void pad_fwd(void *ctx, long long xi, size_t yi) {
    pad_ref_ctx *c = ctx;
    c->dst[yi] = xi < 0 ? c->value : c->src[xi];
}

static void pad_bwd(void *ctx, long long xi, size_t yi) {
    pad_ref_ctx *c = ctx;
    if (xi >= 0) c->dst[xi] += c->src[yi]; /* y = x there: dy/dx = 1; the padding depends on no x */
}

void refb_pad_forward(const size_t dims[4], const size_t pads[8], double value, const double *x, double *y) {
    pad_ref_ctx c = {value, x, y};
    pad_map(dims, pads, pad_fwd, &c);
}

void refb_pad_backward(const size_t dims[4], const size_t pads[8], const double *dy, double *dx) {
    zero(dx, dims[0] * dims[1] * dims[2] * dims[3]);
    pad_ref_ctx c = {0.0, dy, dx};
    pad_map(dims, pads, pad_bwd, &c);
}

/* ---- softmax cross-entropy --------------------------------------------------------------------- */

double refb_softmax_cross_entropy(size_t n, size_t classes, const double *logits, const int32_t *labels,
                                  double eps, double *dlogits) {
    double nll = 0.0, smooth = 0.0;
    size_t counted = 0;
    for (size_t r = 0; r < n; r++) counted += labels[r] >= 0;
    for (size_t r = 0; r < n; r++) {
        const double *x = logits + r * classes;
        if (labels[r] < 0) {
            if (dlogits)
                for (size_t c = 0; c < classes; c++) dlogits[r * classes + c] = 0.0;
            continue;
        }
        double m = -INFINITY, s = 0.0;
        for (size_t c = 0; c < classes; c++)
            if (x[c] > m) m = x[c];
        for (size_t c = 0; c < classes; c++) s += exp(x[c] - m);
        const double lse = m + log(s);
        nll += -(x[labels[r]] - lse); /* -log_softmax[label] */
        for (size_t c = 0; c < classes; c++) smooth += -(x[c] - lse);
        if (dlogits)
            for (size_t c = 0; c < classes; c++) {
                double target = (1.0 - eps) * ((size_t)labels[r] == c ? 1.0 : 0.0) + eps / (double)classes;
                dlogits[r * classes + c] = (exp(x[c] - lse) - target) / (double)counted;
            }
    }
    return (1.0 - eps) * (nll / (double)counted) + (smooth / (double)counted) * (eps / (double)classes);
}

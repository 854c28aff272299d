/* Naive reference ops: see ref_ops.h. Deliberately simple; speed is irrelevant. */
#include "ref_ops.h"

#include <math.h>
#include <string.h>

double refop_act(dk_activation act, double alpha, double v) {
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

int refop_conv2d_shape(const dk_conv2d_params *p, size_t *ho, size_t *wo) {
    if (p->groups == 0 || p->c % p->groups || p->m % p->groups) return -1;
    if (!p->sh || !p->sw || !p->dh || !p->dw || !p->kh || !p->kw) return -1;
    long long nh = (long long)(p->h + p->pt + p->pb) - (long long)(p->dh * (p->kh - 1)) - 1;
    long long nw = (long long)(p->w + p->pl + p->pr) - (long long)(p->dw * (p->kw - 1)) - 1;
    if (nh < 0 || nw < 0) return -1;
    *ho = (size_t)(nh / (long long)p->sh) + 1;
    *wo = (size_t)(nw / (long long)p->sw) + 1;
    return 0;
}

void refop_conv2d(const dk_conv2d_params *p, const float *x, const float *w, const float *bias, double *y,
                  double *mag) {
    size_t ho, wo;
    if (refop_conv2d_shape(p, &ho, &wo) != 0) return;
    const size_t cg = p->c / p->groups, mg = p->m / p->groups;
    for (size_t n = 0; n < p->n; n++)
        for (size_t oc = 0; oc < p->m; oc++) {
            const size_t g = oc / mg;
            for (size_t oh = 0; oh < ho; oh++)
                for (size_t ow = 0; ow < wo; ow++) {
                    double acc = bias ? bias[oc] : 0.0, abs_sum = bias ? fabs(bias[oc]) : 0.0;
                    for (size_t i = 0; i < cg; i++)
                        for (size_t ki = 0; ki < p->kh; ki++)
                            for (size_t kj = 0; kj < p->kw; kj++) {
                                long long ih = (long long)(oh * p->sh + ki * p->dh) - (long long)p->pt;
                                long long iw = (long long)(ow * p->sw + kj * p->dw) - (long long)p->pl;
                                if (ih < 0 || iw < 0 || ih >= (long long)p->h || iw >= (long long)p->w) continue;
                                double t = (double)x[((n * p->c + g * cg + i) * p->h + (size_t)ih) * p->w + (size_t)iw] *
                                           (double)w[((oc * cg + i) * p->kh + ki) * p->kw + kj];
                                acc += t;
                                abs_sum += fabs(t);
                            }
                    size_t at = ((n * p->m + oc) * ho + oh) * wo + ow;
                    y[at] = refop_act(p->activation, p->alpha, acc);
                    if (mag) mag[at] = abs_sum;
                }
        }
}

int refop_conv_transpose2d_shape(const dk_conv2d_params *p, size_t *ho, size_t *wo) {
    if (p->groups == 0 || p->c % p->groups || p->m % p->groups) return -1;
    if (!p->sh || !p->sw || !p->dh || !p->dw || !p->kh || !p->kw || !p->h || !p->w) return -1;
    size_t limh = p->sh > p->dh ? p->sh : p->dh, limw = p->sw > p->dw ? p->sw : p->dw;
    if (p->oph >= limh || p->opw >= limw) return -1;
    long long hh = (long long)((p->h - 1) * p->sh) - (long long)(p->pt + p->pb) +
                   (long long)(p->dh * (p->kh - 1)) + (long long)p->oph + 1;
    long long ww = (long long)((p->w - 1) * p->sw) - (long long)(p->pl + p->pr) +
                   (long long)(p->dw * (p->kw - 1)) + (long long)p->opw + 1;
    if (hh < 1 || ww < 1) return -1;
    *ho = (size_t)hh;
    *wo = (size_t)ww;
    return 0;
}

void refop_conv_transpose2d(const dk_conv2d_params *p, const float *x, const float *w, const float *bias,
                            double *y, double *mag) {
    size_t ho, wo;
    if (refop_conv_transpose2d_shape(p, &ho, &wo) != 0) return;
    const size_t cg = p->c / p->groups, mg = p->m / p->groups;
    const size_t total = p->n * p->m * ho * wo;
    for (size_t i = 0; i < total; i++) {
        y[i] = 0.0;
        if (mag) mag[i] = 0.0;
    }
    for (size_t n = 0; n < p->n; n++)
        for (size_t ci = 0; ci < p->c; ci++) {
            const size_t g = ci / cg;
            for (size_t ih = 0; ih < p->h; ih++)
                for (size_t iw = 0; iw < p->w; iw++) {
                    double xv = x[((n * p->c + ci) * p->h + ih) * p->w + iw];
                    for (size_t o = 0; o < mg; o++)
                        for (size_t ki = 0; ki < p->kh; ki++)
                            for (size_t kj = 0; kj < p->kw; kj++) {
                                long long oh = (long long)(ih * p->sh + ki * p->dh) - (long long)p->pt;
                                long long ow = (long long)(iw * p->sw + kj * p->dw) - (long long)p->pl;
                                if (oh < 0 || ow < 0 || oh >= (long long)ho || ow >= (long long)wo) continue;
                                double t = xv * (double)w[((ci * mg + o) * p->kh + ki) * p->kw + kj];
                                size_t at = ((n * p->m + g * mg + o) * ho + (size_t)oh) * wo + (size_t)ow;
                                y[at] += t;
                                if (mag) mag[at] += fabs(t);
                            }
                }
        }
    for (size_t n = 0; n < p->n; n++)
        for (size_t oc = 0; oc < p->m; oc++)
            for (size_t i = 0; i < ho * wo; i++) {
                size_t at = (n * p->m + oc) * ho * wo + i;
                double b = bias ? bias[oc] : 0.0;
                y[at] = refop_act(p->activation, p->alpha, y[at] + b);
                if (mag) mag[at] += fabs(b);
            }
}

void refop_dense(size_t n, size_t k, size_t m, const float *x, const float *w, const float *bias,
                 dk_activation act, double alpha, double *y, double *mag) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double acc = bias ? bias[j] : 0.0, abs_sum = bias ? fabs(bias[j]) : 0.0;
            for (size_t p = 0; p < k; p++) {
                double t = (double)x[i * k + p] * (double)w[j * k + p];
                acc += t;
                abs_sum += fabs(t);
            }
            y[i * m + j] = refop_act(act, alpha, acc);
            if (mag) mag[i * m + j] = abs_sum;
        }
}

/* PyTorch: div_rtn(in + pads - (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1, then the ceil-mode fix-up. */
size_t refop_pool_out(size_t in, size_t k, size_t s, size_t pad_begin, size_t pad_end, int ceil_mode) {
    long long num = (long long)(in + pad_begin + pad_end) - (long long)(k - 1) - 1 + (ceil_mode ? (long long)s - 1 : 0);
    long long q = num / (long long)s;
    if (num % (long long)s != 0 && num < 0) q--; /* round toward -inf */
    long long out = q + 1;
    if (ceil_mode && (out - 1) * (long long)s >= (long long)(in + pad_begin)) out--;
    return out < 1 ? 0 : (size_t)out;
}

void refop_max_pool2d(const dk_pool2d_params *p, const float *x, double *y) {
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                double m = -INFINITY;
                for (size_t ki = 0; ki < p->kh; ki++)
                    for (size_t kj = 0; kj < p->kw; kj++) {
                        long long ih = (long long)(oh * p->sh + ki) - (long long)p->pt;
                        long long iw = (long long)(ow * p->sw + kj) - (long long)p->pl;
                        if (ih < 0 || iw < 0 || ih >= (long long)p->h || iw >= (long long)p->w) continue;
                        double v = x[(nc * p->h + (size_t)ih) * p->w + (size_t)iw];
                        if (v > m || isnan(v)) m = v;
                    }
                y[(nc * p->ho + oh) * p->wo + ow] = m;
            }
}

/* A transcription of PyTorch's cpu_avg_pool (aten/src/ATen/native/cpu/AvgPoolKernel.cpp). */
void refop_avg_pool2d(const dk_pool2d_params *p, const float *x, double *y) {
    const long long H = (long long)p->h, W = (long long)p->w;
    for (size_t nc = 0; nc < p->n * p->c; nc++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                long long ih0 = (long long)(oh * p->sh) - (long long)p->pt;
                long long iw0 = (long long)(ow * p->sw) - (long long)p->pl;
                long long ih1 = ih0 + (long long)p->kh, iw1 = iw0 + (long long)p->kw;
                if (ih1 > H + (long long)p->pb) ih1 = H + (long long)p->pb;
                if (iw1 > W + (long long)p->pr) iw1 = W + (long long)p->pr;
                long long pool_size = (ih1 - ih0) * (iw1 - iw0);
                if (ih0 < 0) ih0 = 0;
                if (iw0 < 0) iw0 = 0;
                if (ih1 > H) ih1 = H;
                if (iw1 > W) iw1 = W;
                double *out = &y[(nc * p->ho + oh) * p->wo + ow];
                if (ih0 >= ih1 || iw0 >= iw1) {
                    *out = 0.0;
                    continue;
                }
                double sum = 0.0;
                for (long long ih = ih0; ih < ih1; ih++)
                    for (long long iw = iw0; iw < iw1; iw++) sum += x[((long long)nc * H + ih) * W + iw];
                long long divide = p->count_include_pad ? pool_size : (ih1 - ih0) * (iw1 - iw0);
                *out = sum / (double)divide;
            }
}

void refop_global_avg_pool(size_t n, size_t c, size_t hw, const float *x, double *y) {
    for (size_t i = 0; i < n * c; i++) {
        double s = 0.0;
        for (size_t j = 0; j < hw; j++) s += x[i * hw + j];
        y[i] = s / (double)hw;
    }
}

void refop_softmax(size_t outer, size_t axis, size_t inner, const float *x, double *y) {
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double m = -INFINITY, s = 0.0;
            for (size_t a = 0; a < axis; a++) {
                double v = x[(o * axis + a) * inner + i];
                if (v > m) m = v;
            }
            for (size_t a = 0; a < axis; a++) s += exp((double)x[(o * axis + a) * inner + i] - m);
            for (size_t a = 0; a < axis; a++)
                y[(o * axis + a) * inner + i] = exp((double)x[(o * axis + a) * inner + i] - m) / s;
        }
}

void refop_channel_affine(size_t n, size_t c, size_t inner, const float *scale, const float *shift,
                          const float *x, double *y) {
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t j = 0; j < inner; j++) {
                size_t at = (i * c + ch) * inner + j;
                y[at] = (double)x[at] * scale[ch] + shift[ch];
            }
}

/* div = avg_pool over channels (window size, stride 1) of x^2 zero-padded by size/2 before and
 * (size-1)/2 after; y = x / (k + alpha * div)^beta. */
void refop_lrn(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
               const float *x, double *y) {
    const long long before = (long long)(size / 2);
    for (size_t i = 0; i < n; i++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t j = 0; j < hw; j++) {
                double s = 0.0;
                for (long long t = 0; t < (long long)size; t++) {
                    long long cc = (long long)ch - before + t; /* padded index ch + t */
                    if (cc < 0 || cc >= (long long)c) continue;
                    double v = x[(i * c + (size_t)cc) * hw + j];
                    s += v * v;
                }
                double div = pow(k + alpha * (s / (double)size), beta);
                y[(i * c + ch) * hw + j] = (double)x[(i * c + ch) * hw + j] / div;
            }
}

void refop_add(const float *a, const float *b, double *y, size_t count, dk_activation act, double alpha) {
    for (size_t i = 0; i < count; i++) y[i] = refop_act(act, alpha, (double)a[i] + (double)b[i]);
}

void refop_concat(size_t count, const float *const *inputs, const size_t *axis_sizes, size_t outer,
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

void refop_pad(const size_t dims[4], const size_t pads[8], double value, const float *x, double *y) {
    size_t od[4];
    for (int d = 0; d < 4; d++) od[d] = dims[d] + pads[d] + pads[d + 4];
    for (size_t a = 0; a < od[0]; a++)
        for (size_t b = 0; b < od[1]; b++)
            for (size_t c = 0; c < od[2]; c++)
                for (size_t d = 0; d < od[3]; d++) {
                    long long i[4] = {(long long)a - (long long)pads[0], (long long)b - (long long)pads[1],
                                      (long long)c - (long long)pads[2], (long long)d - (long long)pads[3]};
                    int inside = 1;
                    for (int t = 0; t < 4; t++)
                        if (i[t] < 0 || i[t] >= (long long)dims[t]) inside = 0;
                    double v = value;
                    if (inside)
                        v = x[((((size_t)i[0] * dims[1] + (size_t)i[1]) * dims[2] + (size_t)i[2]) * dims[3]) +
                              (size_t)i[3]];
                    y[((a * od[1] + b) * od[2] + c) * od[3] + d] = v;
                }
}

/* Row `row` of W [rows, k] times v [k], plus bias[row] when there is one. */
static double ref_affine(const float *w, size_t k, size_t row, const double *v, const float *bias) {
    double acc = bias ? bias[row] : 0.0;
    for (size_t q = 0; q < k; q++) acc += (double)w[row * k + q] * v[q];
    return acc;
}

static double ref_sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

void refop_recurrent(int gates, size_t n, size_t t, size_t in, size_t hs, const float *x, const float *w_ih,
                     const float *w_hh, const float *b_ih, const float *b_hh, const float *h0, const float *c0, double *y,
                     double *h_n, double *c_n) {
    double xv[REFOP_RECURRENT_MAX], h[REFOP_RECURRENT_MAX], c[REFOP_RECURRENT_MAX], hn[REFOP_RECURRENT_MAX];
    for (size_t b = 0; b < n; b++) {
        for (size_t j = 0; j < hs; j++) {
            h[j] = h0 ? h0[b * hs + j] : 0.0;
            c[j] = c0 ? c0[b * hs + j] : 0.0;
        }
        for (size_t s = 0; s < t; s++) {
            for (size_t q = 0; q < in; q++) xv[q] = x[(b * t + s) * in + q];
            for (size_t j = 0; j < hs; j++) {
                /* PyTorch's equations, gate k's row k * hs + j of W_ih and W_hh. */
                if (gates == 1) {
                    hn[j] = tanh(ref_affine(w_ih, in, j, xv, b_ih) + ref_affine(w_hh, hs, j, h, b_hh));
                } else if (gates == 4) {
                    double i = ref_sigmoid(ref_affine(w_ih, in, j, xv, b_ih) + ref_affine(w_hh, hs, j, h, b_hh));
                    double f = ref_sigmoid(ref_affine(w_ih, in, hs + j, xv, b_ih) + ref_affine(w_hh, hs, hs + j, h, b_hh));
                    double g = tanh(ref_affine(w_ih, in, 2 * hs + j, xv, b_ih) + ref_affine(w_hh, hs, 2 * hs + j, h, b_hh));
                    double o = ref_sigmoid(ref_affine(w_ih, in, 3 * hs + j, xv, b_ih) + ref_affine(w_hh, hs, 3 * hs + j, h, b_hh));
                    c[j] = f * c[j] + i * g; /* c[j] is read only by this j */
                    hn[j] = o * tanh(c[j]);
                } else {
                    double r = ref_sigmoid(ref_affine(w_ih, in, j, xv, b_ih) + ref_affine(w_hh, hs, j, h, b_hh));
                    double z = ref_sigmoid(ref_affine(w_ih, in, hs + j, xv, b_ih) + ref_affine(w_hh, hs, hs + j, h, b_hh));
                    double nn = tanh(ref_affine(w_ih, in, 2 * hs + j, xv, b_ih) + r * ref_affine(w_hh, hs, 2 * hs + j, h, b_hh));
                    hn[j] = (1.0 - z) * nn + z * h[j];
                }
            }
            for (size_t j = 0; j < hs; j++) {
                h[j] = hn[j];
                y[(b * t + s) * hs + j] = h[j];
            }
        }
        for (size_t j = 0; j < hs; j++) {
            if (h_n) h_n[b * hs + j] = h[j];
            if (c_n && gates == 4) c_n[b * hs + j] = c[j];
        }
    }
}

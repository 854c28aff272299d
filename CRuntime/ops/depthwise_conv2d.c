/*
 * Depthwise convolution (groups == c, m = multiplier * c) as a direct
 * kernel: no im2col, parallel over the n * c input planes (each task computes
 * the plane's `multiplier` output channels).
 *
 * With a SIMD ISA active, a padded convolution first copies the input plane,
 * zero-bordered, into the thread's workspace slice, so the SIMD kernels
 * (depthwise_conv2d_{avx2,avx512,neon}.c) see every tap inside the plane;
 * an unpadded one reads the input directly. The portable kernel here handles
 * padding itself, and also serves when no workspace was given.
 *
 * Workspace (floats): threads * round16((h + pt + pb) * (w + pl + pr)) when
 * there is padding, else 0.
 */
#include "depthwise_conv2d.h"

#include <string.h>

/* d[i] += a * s[i * stride], the portable kernel's inner loop. */
static void axpy_strided(float *restrict d, const float *restrict s, ptrdiff_t stride, float a, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += a * s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += a * s[i * stride];
    }
}

/* Row by row: each tap adds its weight times a (strided) input row segment to the output row. */
void dk_dw_plane_scalar(const dk_conv2d_params *p, const float *x, const float *k, float bias, float *y) {
    const ptrdiff_t w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo, ho = (ptrdiff_t)p->ho;
    const ptrdiff_t sw = (ptrdiff_t)p->sw, kw = (ptrdiff_t)p->kw;
    for (ptrdiff_t oh = 0; oh < ho; oh++) {
        float *yrow = y + oh * wo;
        for (ptrdiff_t ow = 0; ow < wo; ow++) yrow[ow] = bias;
        const ptrdiff_t top = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt; /* input row of tap 0 */
        ptrdiff_t ki_lo, ki_hi;
        dk_ops_valid_range(top, (ptrdiff_t)p->dh, (ptrdiff_t)p->h, (ptrdiff_t)p->kh, &ki_lo, &ki_hi);
        for (ptrdiff_t ki = ki_lo; ki < ki_hi; ki++) {
            const float *xrow = x + (top + ki * (ptrdiff_t)p->dh) * w;
            for (ptrdiff_t kj = 0; kj < kw; kj++) {
                const ptrdiff_t off = kj * (ptrdiff_t)p->dw - (ptrdiff_t)p->pl;
                ptrdiff_t lo, hi;
                dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
                if (hi > lo) axpy_strided(yrow + lo, xrow + (lo * sw + off), sw, k[ki * kw + kj], hi - lo);
            }
        }
    }
}

int dk_ops_depthwise_applies(const dk_conv2d_params *p) {
    return p->groups == p->c && p->c > 0 && p->m % p->c == 0;
}

static int padded(const dk_conv2d_params *p) { return p->pt || p->pl || p->pb || p->pr; }

/* Floats of one padded plane copy (0 without padding). */
static size_t plane_floats(const dk_conv2d_params *p) {
    size_t ph = p->h + p->pt + p->pb, pw = p->w + p->pl + p->pr, n;
    if (!padded(p)) return 0;
    if (!dk_ops_mul(ph, pw, &n) || n > SIZE_MAX / 2) return SIZE_MAX / 2;
    return dk_ops_round16(n);
}

size_t dk_ops_depthwise_workspace_floats(const dk_conv2d_params *p, int threads) {
    size_t one = plane_floats(p), all;
    if (!dk_ops_mul(one, (size_t)(threads < 1 ? 1 : threads), &all)) return SIZE_MAX;
    return all;
}

typedef struct dw_task {
    const dk_conv2d_params *p;
    const float *x, *w, *bias;
    float *y, *workspace;
    dk_dw_plane_fn simd; /* NULL: the portable kernel */
    size_t slice;
} dw_task;

/* x (h x w) into buf ((h + pt + pb) x (w + pl + pr)) with a zero border. */
static void pad_plane(const dk_conv2d_params *p, const float *x, float *buf) {
    const size_t pw = p->w + p->pl + p->pr;
    memset(buf, 0, p->pt * pw * sizeof(float));
    float *row = buf + p->pt * pw;
    for (size_t r = 0; r < p->h; r++, row += pw) {
        memset(row, 0, p->pl * sizeof(float));
        memcpy(row + p->pl, x + r * p->w, p->w * sizeof(float));
        memset(row + p->pl + p->w, 0, p->pr * sizeof(float));
    }
    memset(row, 0, p->pb * pw * sizeof(float));
}

static void dw_run(void *context, size_t index, int thread) {
    const dw_task *t = context;
    const dk_conv2d_params *p = t->p;
    const size_t mult = p->m / p->c;
    const size_t img = index / p->c, ic = index % p->c;
    const size_t out_plane = p->ho * p->wo;
    const float *x = t->x + index * p->h * p->w;
    dk_dw_geom g = {(ptrdiff_t)p->h, (ptrdiff_t)p->w, (ptrdiff_t)p->ho, (ptrdiff_t)p->wo,
                    (ptrdiff_t)p->kh, (ptrdiff_t)p->kw, (ptrdiff_t)p->sh, (ptrdiff_t)p->sw,
                    (ptrdiff_t)p->dh, (ptrdiff_t)p->dw};
    if (t->simd && padded(p)) {
        float *buf = t->workspace + (size_t)thread * t->slice;
        pad_plane(p, x, buf);
        x = buf;
        g.h = (ptrdiff_t)(p->h + p->pt + p->pb);
        g.w = (ptrdiff_t)(p->w + p->pl + p->pr);
    }
    for (size_t j = 0; j < mult; j++) {
        const size_t oc = ic * mult + j;
        float *y = t->y + (img * p->m + oc) * out_plane;
        const float *k = t->w + oc * p->kh * p->kw;
        const float b = t->bias ? t->bias[oc] : 0.0f;
        if (t->simd) t->simd(&g, x, k, b, y);
        else dk_dw_plane_scalar(p, x, k, b, y);
        dk_ops_activation(p->activation, p->alpha, y, y, out_plane);
    }
}

static dk_dw_plane_fn pick_simd(void) {
    switch (dk_isa_active()) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_ISA_AVX512: return dk_dw_plane_avx512;
    case DK_ISA_AVX2: return dk_dw_plane_avx2;
#endif
#if defined(__aarch64__)
    case DK_ISA_NEON: return dk_dw_plane_neon;
#endif
    default: return NULL;
    }
}

void dk_ops_depthwise_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                              const float *bias, float *y, float *workspace) {
    dw_task t = {p, x, w, bias, y, workspace, pick_simd(), plane_floats(p)};
    if (padded(p) && workspace == NULL) t.simd = NULL; /* no room for the padded copy */
    dk_pool_for(pool, p->n * p->c, dw_run, &t);
}

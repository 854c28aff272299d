/*
 * CRuntime/ops against the naive references of ref_ops.c, over many random
 * shapes (odd sizes, 1x1, strides 1-3, asymmetric padding, dilation 1-3,
 * groups 1 / 2 / 3 / depthwise / depthwise with a multiplier, ceil_mode and
 * count_include_pad both ways, every activation), each with no pool and with
 * a 2-thread pool, and all of it again under every ISA this CPU supports
 * (dk_isa_force), on top of the runner's DLRT_ISA.
 *
 * Tolerances (|got - want| <= bound), where mag is the sum of |terms| of the
 * output (bias included) as the reference computes it:
 *   conv2d, conv_transpose2d, dense:  1e-5 * mag + 1e-6 + 2e-6 * |want|
 *     float accumulation of K terms errs by at most K * 2^-24 * mag (< 1e-5 * mag for
 *     the random cases' K <= 100) and by ~sqrt(K) * 2^-24 * mag in practice (the
 *     K = 1600 path case), whatever the summation order (GEMM blocking, SIMD lanes);
 *     the |want| term covers the fused activation's own rounding (sigmoid, tanh).
 *   activations, add:  1e-6 * |want| + 1e-37 (sigmoid and tanh are measured at
 *     < 2e-7; the absolute term only matters for subnormal sigmoid outputs).
 *   exp, log (vmath.h):  3e-7 relative (log: absolute near 1).
 *   softmax:  1e-5 * |want| + 1e-7 (x - max is rounded once in float before exp).
 *   avg_pool2d 1e-5 * |want| + 3e-6, global_avg_pool 1e-5 * |want| + 2e-6,
 *   lrn 1e-5 * |want| + 1e-6, channel_affine 1e-6 * |want| + 2e-6
 *     (inputs are O(1), so the absolute terms are a few float ulps of the sums).
 *   max_pool2d, concat, pad:  exact.
 *   depthwise SIMD kernels vs the portable one:  1e-5 * mag + 1e-6 + 2e-6 * |want|.
 * Buffers are allocated at their exact sizes (ASan sees any overrun) and outputs
 * start as NaN, so an element that is never written fails.
 */
#include <stdint.h>

#include "base/cpu.h"
#include "base/pool.h"
#include "ops/ops.h"
#include "ops/vmath.h"
#include "ref_ops.h"
#include "test.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static dk_pool *pools[2];
static const char *isa_now = "?";

static size_t rnd(size_t lo, size_t hi) { /* uniform in [lo, hi] */
    return lo + (size_t)(test_rng_next(&rng) % (unsigned long long)(hi - lo + 1));
}

static float *falloc(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 64, (n ? n : 1) * sizeof(float)) != 0) abort();
    float *f = p;
    for (size_t i = 0; i < n; i++) f[i] = NAN;
    return f;
}

static double *dalloc(size_t n) {
    double *d = malloc((n ? n : 1) * sizeof(double));
    if (d == NULL) abort();
    return d;
}

static float *frand(size_t n, float scale) {
    float *f = falloc(n);
    for (size_t i = 0; i < n; i++) f[i] = test_rng_float(&rng) * scale;
    return f;
}

/* Counts the elements out of tolerance (printing the first few); returns the count. */
static size_t compare(const char *what, const float *got, const double *want, const double *mag, size_t n,
                      double rtol_mag, double atol, double rtol_val) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double bound = atol + rtol_val * fabs(want[i]) + (mag ? rtol_mag * mag[i] : 0.0);
        double err = fabs((double)got[i] - want[i]);
        int ok = err <= bound || (isnan(want[i]) && isnan(got[i])) ||
                 (isinf(want[i]) && (double)got[i] == want[i]);
        if (!ok) {
            if (bad < 3)
                fprintf(stderr, "    [%s] %s: element %zu got %.9g want %.9g (bound %.3g)\n", isa_now, what, i,
                        (double)got[i], want[i], bound);
            bad++;
        }
    }
    return bad;
}

static dk_activation rand_act(float *alpha) {
    *alpha = 0.01f + 0.5f * (test_rng_float(&rng) + 1.0f) * 0.5f;
    return (dk_activation)rnd(0, 5);
}

/* ---- conv2d ---------------------------------------------------------------- */

static void random_conv(dk_conv2d_params *p, int transposed) {
    memset(p, 0, sizeof *p);
    size_t mode = rnd(0, 5);
    size_t cg = rnd(1, 4), mg = rnd(1, 4), g = 1;
    switch (mode) {
    case 0: g = 1; break;
    case 1: g = 2; break;
    case 2: g = 3; break;
    case 3: g = rnd(2, 6); cg = 1; mg = 1; break; /* depthwise */
    case 4: g = rnd(2, 5); cg = 1; mg = rnd(2, 3); break; /* depthwise, multiplier */
    default: g = 1; cg = 1; break;                 /* single input channel */
    }
    p->groups = g;
    p->c = g * cg;
    p->m = g * mg;
    p->n = rnd(1, 3);
    p->h = rnd(1, 14);
    p->w = rnd(1, 14);
    p->kh = rnd(1, 5);
    p->kw = rnd(1, 5);
    p->sh = rnd(1, 3);
    p->sw = rnd(1, 3);
    p->dh = rnd(1, 3);
    p->dw = rnd(1, 3);
    p->pt = rnd(0, 3);
    p->pl = rnd(0, 3);
    p->pb = rnd(0, 3);
    p->pr = rnd(0, 3);
    if (rnd(0, 3) == 0) p->pt = p->pl = p->pb = p->pr = 0;
    if (transposed) {
        size_t lh = p->sh > p->dh ? p->sh : p->dh, lw = p->sw > p->dw ? p->sw : p->dw;
        p->oph = rnd(0, lh - 1);
        p->opw = rnd(0, lw - 1);
    }
    p->activation = rand_act(&p->alpha);
}

/* One conv2d case under pool pi; returns the failures. */
static size_t run_conv(const dk_conv2d_params *params, int pi, const char *label) {
    dk_conv2d_params p = *params;
    size_t rho = 0, rwo = 0;
    int rs = refop_conv2d_shape(&p, &rho, &rwo);
    int is = dk_conv2d_infer(&p);
    if (rs != 0 || is != 0) {
        CHECK(rs == is, "%s: infer %d, reference %d", label, is, rs);
        return rs == is ? 0 : 1;
    }
    CHECK(p.ho == rho && p.wo == rwo, "%s: infer %zux%zu, reference %zux%zu", label, p.ho, p.wo, rho, rwo);
    const size_t cg = p.c / p.groups;
    const size_t nx = p.n * p.c * p.h * p.w, nw = p.m * cg * p.kh * p.kw, ny = p.n * p.m * p.ho * p.wo;
    float *x = frand(nx, 1.0f), *w = frand(nw, 1.0f), *b = rnd(0, 3) ? frand(p.m, 1.0f) : NULL;
    float *y = falloc(ny);
    double *want = dalloc(ny), *mag = dalloc(ny);
    size_t wsn = dk_conv2d_workspace_floats(&p, dk_pool_threads(pools[pi]));
    float *ws = wsn ? falloc(wsn) : NULL;
    dk_conv2d_forward(pools[pi], &p, x, w, b, y, ws);
    {
        /* Pre-packed weights: the same result, bit for bit. */
        size_t pn = dk_conv2d_packed_weights_floats(&p);
        if (pn != 0) {
            float *packed = falloc(pn), *yp = falloc(ny);
            dk_conv2d_pack_weights(&p, w, packed);
            dk_conv2d_forward_packed(pools[pi], &p, x, w, packed, b, yp, ws);
            CHECK(memcmp(y, yp, ny * sizeof(float)) == 0, "%s: packed weights give a different result", label);
            free(packed);
            free(yp);
        }
    }
    refop_conv2d(&p, x, w, b, want, mag);
    size_t bad = compare(label, y, want, mag, ny, 1e-5, 1e-6, 2e-6);
    CHECK(bad == 0,
          "%s: %zu of %zu wrong (n%zu c%zu h%zu w%zu m%zu k%zux%zu s%zu,%zu d%zu,%zu pad %zu,%zu,%zu,%zu g%zu act%d pool%d)",
          label, bad, ny, p.n, p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.pb, p.pr,
          p.groups, (int)p.activation, pi);
    free(x);
    free(w);
    free(b);
    free(y);
    free(want);
    free(mag);
    free(ws);
    return bad;
}

static dk_conv2d_params conv_params(size_t n, size_t c, size_t h, size_t w, size_t m, size_t k, size_t s,
                                    size_t pad, size_t d, size_t groups, dk_activation act) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = n, p.c = c, p.h = h, p.w = w, p.m = m, p.kh = p.kw = k, p.sh = p.sw = s;
    p.pt = p.pl = p.pb = p.pr = pad;
    p.dh = p.dw = d, p.groups = groups, p.activation = act, p.alpha = 0.1f;
    return p;
}

TEST(conv2d_random) {
    for (int i = 0; i < 120; i++) {
        dk_conv2d_params p;
        random_conv(&p, 0);
        for (int pi = 0; pi < 2; pi++) run_conv(&p, pi, "conv2d");
    }
}

/* The paths chosen by shape: 1x1 direct GEMM, parallel (image, group) tasks,
 * sequential with the parallel im2col, depthwise with wide rows (SIMD blocks). */
TEST(conv2d_paths) {
    const dk_conv2d_params cases[] = {
        conv_params(1, 7, 5, 9, 6, 1, 1, 0, 1, 1, DK_ACT_RELU),      /* 1x1 direct */
        conv_params(2, 6, 4, 3, 4, 1, 1, 0, 2, 2, DK_ACT_NONE),      /* 1x1 direct, groups */
        conv_params(4, 3, 9, 11, 5, 3, 1, 1, 1, 1, DK_ACT_SIGMOID),  /* 4 tasks: parallel */
        conv_params(1, 8, 10, 13, 7, 3, 2, 1, 1, 1, DK_ACT_TANH),    /* 1 task: the GEMM gets the pool */
        conv_params(3, 12, 7, 8, 6, 3, 1, 2, 2, 3, DK_ACT_RELU6),    /* groups, dilation */
        conv_params(1, 1, 1, 1, 1, 1, 1, 0, 1, 1, DK_ACT_LEAKY_RELU), /* 1x1x1x1 */
        conv_params(1, 2, 1, 1, 3, 3, 1, 1, 1, 1, DK_ACT_NONE),      /* 1x1 image, 3x3 kernel */
        conv_params(2, 5, 37, 150, 5, 3, 1, 1, 1, 5, DK_ACT_RELU),   /* depthwise, wide */
        conv_params(1, 4, 21, 133, 4, 3, 2, 1, 1, 4, DK_ACT_NONE),   /* depthwise, stride 2 */
        conv_params(1, 3, 19, 97, 6, 5, 1, 2, 2, 3, DK_ACT_TANH),    /* depthwise x2, dilation 2 */
        conv_params(1, 3, 30, 70, 3, 7, 3, 3, 1, 3, DK_ACT_RELU6),   /* depthwise, stride 3 */
        conv_params(1, 2, 8, 40, 2, 3, 1, 5, 1, 2, DK_ACT_NONE),     /* depthwise, padding > kernel */
        conv_params(1, 16, 48, 47, 8, 3, 1, 1, 1, 1, DK_ACT_RELU),   /* B panels and blocks cut mid-row */
        conv_params(1, 64, 20, 20, 4, 5, 1, 2, 1, 1, DK_ACT_NONE),   /* K = 1600: k blocks start mid-channel */
        conv_params(2, 32, 9, 30, 6, 3, 2, 1, 2, 2, DK_ACT_TANH),    /* groups, stride and dilation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int pi = 0; pi < 2; pi++) run_conv(&cases[i], pi, "conv2d path");
}

TEST(conv2d_infer_refuses) {
    dk_conv2d_params p = conv_params(1, 4, 3, 3, 4, 5, 1, 0, 1, 1, DK_ACT_NONE);
    CHECK(dk_conv2d_infer(&p) == -1, "a 5x5 kernel on an unpadded 3x3 input has no output");
    p = conv_params(1, 4, 4, 4, 4, 3, 1, 0, 3, 1, DK_ACT_NONE);
    CHECK(dk_conv2d_infer(&p) == -1, "dilation 3 makes the 3x3 kernel 7 wide: no output on a 4x4 input");
    p = conv_params(1, 4, 8, 8, 6, 3, 1, 1, 1, 4, DK_ACT_NONE);
    CHECK(dk_conv2d_infer(&p) == -1, "m = 6 is not a multiple of 4 groups");
    p = conv_params(1, 4, 8, 8, 4, 3, 0, 1, 1, 1, DK_ACT_NONE);
    CHECK(dk_conv2d_infer(&p) == -1, "stride 0");
    p = conv_params(1, 4, 8, 8, 4, 3, 1, 1, 1, 1, DK_ACT_NONE);
    p.kh = SIZE_MAX / 2;
    CHECK(dk_conv2d_infer(&p) == -1, "an overflowing kernel extent");
}

/* The depthwise SIMD kernels (which read a padded copy of the plane) against
 * the portable one (which clips taps at the borders), on rows wide enough for
 * every vector block and tail. Tolerance 1e-5 * mag + 1e-6 (order of sums). */
TEST(depthwise_simd_matches_scalar) {
    const dk_isa isas[] = {DK_ISA_AVX2, DK_ISA_AVX512, DK_ISA_NEON};
    dk_isa before = dk_isa_active();
    for (int i = 0; i < 60; i++) {
        dk_conv2d_params p;
        memset(&p, 0, sizeof p);
        p.n = rnd(1, 2);
        p.c = p.groups = rnd(1, 4);
        p.m = p.c * rnd(1, 2);
        p.h = rnd(1, 12);
        p.w = rnd(1, 160);
        p.kh = rnd(1, 5);
        p.kw = rnd(1, 5);
        p.sh = rnd(1, 3);
        p.sw = rnd(1, 3);
        p.dh = rnd(1, 3);
        p.dw = rnd(1, 3);
        p.pt = rnd(0, 3), p.pl = rnd(0, 3), p.pb = rnd(0, 3), p.pr = rnd(0, 3);
        p.activation = rand_act(&p.alpha);
        if (dk_conv2d_infer(&p) != 0) continue;
        const size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.m * p.ho * p.wo;
        float *x = frand(nx, 1.0f), *w = frand(p.m * p.kh * p.kw, 1.0f), *b = frand(p.m, 1.0f);
        float *ys = falloc(ny), *yv = falloc(ny);
        double *want = dalloc(ny), *mag = dalloc(ny);
        refop_conv2d(&p, x, w, b, want, mag);
        dk_isa_force(DK_ISA_SCALAR);
        dk_conv2d_forward(NULL, &p, x, w, b, ys, NULL); /* the portable kernel needs no workspace */
        for (size_t t = 0; t < sizeof isas / sizeof isas[0]; t++) {
            if (!dk_isa_supported(isas[t])) continue;
            dk_isa_force(isas[t]);
            size_t wsn = dk_conv2d_workspace_floats(&p, dk_pool_threads(pools[i % 2]));
            float *ws = wsn ? falloc(wsn) : NULL;
            dk_conv2d_forward(pools[i % 2], &p, x, w, b, yv, ws);
            free(ws);
            size_t bad = 0;
            for (size_t j = 0; j < ny; j++)
                if (!(fabs((double)yv[j] - (double)ys[j]) <= 1e-5 * mag[j] + 1e-6 + 2e-6 * fabs(want[j]))) bad++;
            CHECK(bad == 0, "depthwise %s vs scalar: %zu of %zu differ (w%zu k%zux%zu s%zu,%zu d%zu,%zu)",
                  dk_isa_name(isas[t]), bad, ny, p.w, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw);
        }
        dk_isa_force(before);
        free(x);
        free(w);
        free(b);
        free(ys);
        free(yv);
        free(want);
        free(mag);
    }
    dk_isa_force(before);
}

/* ---- conv_transpose2d -------------------------------------------------------- */

static size_t run_convt(const dk_conv2d_params *params, int pi, const char *label) {
    dk_conv2d_params p = *params;
    size_t rho = 0, rwo = 0;
    int rs = refop_conv_transpose2d_shape(&p, &rho, &rwo);
    int is = dk_conv_transpose2d_infer(&p);
    if (rs != 0 || is != 0) {
        CHECK(rs == is, "%s: infer %d, reference %d", label, is, rs);
        return rs == is ? 0 : 1;
    }
    CHECK(p.ho == rho && p.wo == rwo, "%s: infer %zux%zu, reference %zux%zu", label, p.ho, p.wo, rho, rwo);
    const size_t mg = p.m / p.groups;
    const size_t nx = p.n * p.c * p.h * p.w, nw = p.c * mg * p.kh * p.kw, ny = p.n * p.m * p.ho * p.wo;
    float *x = frand(nx, 1.0f), *w = frand(nw, 1.0f), *b = rnd(0, 3) ? frand(p.m, 1.0f) : NULL;
    float *y = falloc(ny);
    double *want = dalloc(ny), *mag = dalloc(ny);
    size_t wsn = dk_conv_transpose2d_workspace_floats(&p, dk_pool_threads(pools[pi]));
    float *ws = wsn ? falloc(wsn) : NULL;
    dk_conv_transpose2d_forward(pools[pi], &p, x, w, b, y, ws);
    {
        /* Pre-packed weights: the same result, bit for bit. */
        size_t pn = dk_conv_transpose2d_packed_weights_floats(&p);
        if (pn != 0) {
            float *packed = falloc(pn), *yp = falloc(ny);
            dk_conv_transpose2d_pack_weights(&p, w, packed);
            dk_conv_transpose2d_forward_packed(pools[pi], &p, x, w, packed, b, yp, ws);
            CHECK(memcmp(y, yp, ny * sizeof(float)) == 0, "%s: packed weights give a different result", label);
            free(packed);
            free(yp);
        }
    }
    refop_conv_transpose2d(&p, x, w, b, want, mag);
    size_t bad = compare(label, y, want, mag, ny, 1e-5, 1e-6, 2e-6);
    CHECK(bad == 0,
          "%s: %zu of %zu wrong (n%zu c%zu h%zu w%zu m%zu k%zux%zu s%zu,%zu d%zu,%zu pad %zu,%zu,%zu,%zu op %zu,%zu g%zu act%d pool%d)",
          label, bad, ny, p.n, p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.pb, p.pr,
          p.oph, p.opw, p.groups, (int)p.activation, pi);
    free(x);
    free(w);
    free(b);
    free(y);
    free(want);
    free(mag);
    free(ws);
    return bad;
}

TEST(conv_transpose2d_random) {
    for (int i = 0; i < 120; i++) {
        dk_conv2d_params p;
        random_conv(&p, 1);
        for (int pi = 0; pi < 2; pi++) run_convt(&p, pi, "conv_transpose2d");
    }
}

TEST(conv_transpose2d_paths) {
    dk_conv2d_params cases[] = {
        conv_params(1, 6, 5, 7, 4, 1, 1, 0, 1, 1, DK_ACT_RELU),     /* 1x1 direct */
        conv_params(2, 6, 5, 7, 4, 1, 1, 0, 1, 2, DK_ACT_SIGMOID),  /* 1x1 direct, 2 parallel tasks */
        conv_params(1, 8, 6, 5, 6, 4, 2, 1, 1, 1, DK_ACT_TANH),     /* sequential, parallel col2im */
        conv_params(4, 4, 3, 4, 8, 3, 2, 0, 1, 2, DK_ACT_RELU6),    /* parallel tasks */
        conv_params(1, 3, 4, 4, 6, 3, 3, 2, 2, 3, DK_ACT_NONE),     /* depthwise-like groups, dilation */
        conv_params(1, 1, 1, 1, 1, 1, 1, 0, 1, 1, DK_ACT_NONE),     /* 1x1x1x1 */
    };
    cases[2].oph = 1;
    cases[2].opw = 0;
    cases[4].oph = 2;
    cases[4].opw = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int pi = 0; pi < 2; pi++) run_convt(&cases[i], pi, "conv_transpose2d path");
}

TEST(conv_transpose2d_infer_refuses) {
    dk_conv2d_params p = conv_params(1, 2, 4, 4, 2, 3, 2, 0, 1, 1, DK_ACT_NONE);
    p.oph = 2;
    CHECK(dk_conv_transpose2d_infer(&p) == -1, "output padding 2 >= max(stride 2, dilation 1)");
    p.oph = 1;
    CHECK(dk_conv_transpose2d_infer(&p) == 0 && p.ho == 10 && p.wo == 9, "(4-1)*2 + 2 + 1 + 1 = 10, 9 wide");
    p = conv_params(1, 2, 1, 1, 2, 1, 1, 1, 1, 1, DK_ACT_NONE);
    CHECK(dk_conv_transpose2d_infer(&p) == -1, "padding eats the whole 1x1 output");
}

/* ---- dense ------------------------------------------------------------------- */

TEST(dense_random) {
    for (int i = 0; i < 72; i++) {
        size_t n = rnd(1, 9), k = rnd(1, 80), m = rnd(1, 40);
        if (i >= 60) { /* large enough for the small-batch GEMV path to split W over threads */
            n = rnd(1, 5);
            k = rnd(200, 700);
            m = rnd(100, 300);
        }
        float alpha;
        dk_activation act = rand_act(&alpha);
        float *x = frand(n * k, 1.0f), *w = frand(m * k, 1.0f), *b = rnd(0, 3) ? frand(m, 1.0f) : NULL;
        double *want = dalloc(n * m), *mag = dalloc(n * m);
        refop_dense(n, k, m, x, w, b, act, alpha, want, mag);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(n * m);
            size_t wsn = dk_dense_workspace_floats(n, k, m, dk_pool_threads(pools[pi]));
            float *ws = wsn ? falloc(wsn) : NULL;
            dk_dense_forward(pools[pi], n, k, m, x, w, b, act, alpha, y, ws);
            size_t bad = compare("dense", y, want, mag, n * m, 1e-5, 1e-6, 2e-6);
            CHECK(bad == 0, "dense %zux%zu x %zu act %d: %zu wrong", n, k, m, (int)act, bad);
            free(y);
            free(ws);
        }
        free(x);
        free(w);
        free(b);
        free(want);
        free(mag);
    }
}

/* ---- pooling ----------------------------------------------------------------- */

static void run_pool(dk_pool2d_params p, int avg, int pi) {
    const size_t rho = refop_pool_out(p.h, p.kh, p.sh, p.pt, p.pb, p.ceil_mode);
    const size_t rwo = refop_pool_out(p.w, p.kw, p.sw, p.pl, p.pr, p.ceil_mode);
    int is = dk_pool2d_infer(&p);
    CHECK((is == 0) == (rho > 0 && rwo > 0), "pool infer %d but reference %zux%zu (h%zu w%zu k%zux%zu s%zu,%zu pad %zu,%zu,%zu,%zu ceil%d)",
          is, rho, rwo, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl, p.pb, p.pr, p.ceil_mode);
    if (is != 0 || rho == 0 || rwo == 0) return;
    CHECK(p.ho == rho && p.wo == rwo, "pool infer %zux%zu, reference %zux%zu", p.ho, p.wo, rho, rwo);
    const size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.c * p.ho * p.wo;
    float *x = frand(nx, 3.0f), *y = falloc(ny);
    double *want = dalloc(ny);
    if (avg) {
        refop_avg_pool2d(&p, x, want);
        dk_avg_pool2d_forward(pools[pi], &p, x, y);
    } else {
        refop_max_pool2d(&p, x, want);
        dk_max_pool2d_forward(pools[pi], &p, x, y);
    }
    size_t bad = compare(avg ? "avg_pool2d" : "max_pool2d", y, want, NULL, ny, 0.0, avg ? 3e-6 : 0.0,
                         avg ? 1e-5 : 0.0);
    CHECK(bad == 0, "%s: %zu of %zu wrong (h%zu w%zu k%zux%zu s%zu,%zu pad %zu,%zu,%zu,%zu ceil%d cip%d pool%d)",
          avg ? "avg_pool2d" : "max_pool2d", bad, ny, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl, p.pb, p.pr,
          p.ceil_mode, p.count_include_pad, pi);
    free(x);
    free(y);
    free(want);
}

TEST(pool2d_random) {
    for (int i = 0; i < 300; i++) {
        dk_pool2d_params p;
        memset(&p, 0, sizeof p);
        p.n = rnd(1, 2);
        p.c = rnd(1, 3);
        p.h = rnd(1, 13);
        p.w = rnd(1, 13);
        p.kh = rnd(1, 5);
        p.kw = rnd(1, 5);
        p.sh = rnd(1, 3);
        p.sw = rnd(1, 3);
        /* PyTorch's rule, pad <= kernel / 2, on each side independently */
        p.pt = rnd(0, p.kh / 2);
        p.pb = rnd(0, p.kh / 2);
        p.pl = rnd(0, p.kw / 2);
        p.pr = rnd(0, p.kw / 2);
        p.ceil_mode = (int)rnd(0, 1);
        p.count_include_pad = (int)rnd(0, 1);
        for (int pi = 0; pi < 2; pi++) {
            run_pool(p, 0, pi);
            run_pool(p, 1, pi);
        }
    }
    /* wide rows: the vectorised inner loops and their tails */
    dk_pool2d_params wide = {2, 3, 9, 101, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0};
    for (int pi = 0; pi < 2; pi++) {
        run_pool(wide, 0, pi);
        run_pool(wide, 1, pi);
        wide.ceil_mode = 0, wide.count_include_pad = 1, wide.sw = 1;
        run_pool(wide, 0, pi);
        run_pool(wide, 1, pi);
    }
}

TEST(pool2d_infer_and_nan) {
    dk_pool2d_params p = {1, 1, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0};
    CHECK(dk_pool2d_infer(&p) == 0 && p.ho == 3 && p.wo == 3, "5 -> 3 in ceil mode, got %zux%zu", p.ho, p.wo);
    p.ceil_mode = 0;
    CHECK(dk_pool2d_infer(&p) == 0 && p.ho == 2 && p.wo == 2, "5 -> 2 in floor mode");
    p.pt = 2;
    CHECK(dk_pool2d_infer(&p) == -1, "a window entirely in the top padding is refused");
    dk_pool2d_params q = {1, 1, 2, 2, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(dk_pool2d_infer(&q) == -1, "a 3x3 window on a 2x2 input");
    /* NaN propagates through max pooling, as PyTorch's */
    dk_pool2d_params r = {1, 1, 2, 4, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(dk_pool2d_infer(&r) == 0 && r.ho == 1 && r.wo == 2, "2x4 -> 1x2");
    float x[8] = {1, NAN, 3, 4, 5, 6, 7, 8}, y[2];
    dk_max_pool2d_forward(NULL, &r, x, y);
    CHECK(isnan(y[0]) && y[1] == 8.0f, "max pool: NaN window -> NaN (%g), other 8 (%g)", (double)y[0], (double)y[1]);
}

TEST(global_avg_pool_random) {
    for (int i = 0; i < 40; i++) {
        size_t n = rnd(1, 3), c = rnd(1, 9), hw = rnd(1, 300);
        if (i == 0) hw = 40000; /* one plane bigger than a block */
        float *x = frand(n * c * hw, 2.0f);
        double *want = dalloc(n * c);
        refop_global_avg_pool(n, c, hw, x, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(n * c);
            dk_global_avg_pool_forward(pools[pi], n, c, hw, x, y);
            size_t bad = compare("global_avg_pool", y, want, NULL, n * c, 0.0, 2e-6, 1e-5);
            CHECK(bad == 0, "global_avg_pool n%zu c%zu hw%zu: %zu wrong", n, c, hw, bad);
            free(y);
        }
        free(x);
        free(want);
    }
}

/* ---- elementwise --------------------------------------------------------------- */

TEST(activation_all) {
    static const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.3f, -0.3f, 0.6249f,
                                    0.6251f, -0.625f, 1.0f, 5.9f, 6.0f, 6.1f, 8.9f, 9.5f, -9.5f, 15.0f,
                                    -15.0f, 20.0f, 40.0f, -40.0f, 87.0f, -87.0f, 88.9f, -88.9f, 100.0f,
                                    -100.0f, 104.0f, -104.0f, 200.0f, -200.0f, 1e30f, -1e30f};
    const size_t ns = sizeof special / sizeof special[0];
    const size_t count = 40000 + 37; /* several blocks and a ragged tail */
    float *x = frand(count, 20.0f);
    for (size_t i = 0; i < ns; i++) x[i * 997 % count] = special[i];
    for (size_t i = 0; i < 300; i++) x[count - 1 - i] *= 0.01f; /* the small-|x| tanh branch */
    double *want = dalloc(count);
    for (int a = 0; a <= 5; a++) {
        const dk_activation act = (dk_activation)a;
        const float alpha = 0.137f;
        for (size_t i = 0; i < count; i++) want[i] = refop_act(act, alpha, x[i]);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(count);
            dk_activation_forward(pools[pi], act, alpha, x, y, count);
            size_t bad = compare("activation", y, want, NULL, count, 0.0, 1e-37, 1e-6);
            CHECK(bad == 0, "activation %d: %zu of %zu wrong (pool %d)", a, bad, count, pi);
            /* in place */
            memcpy(y, x, count * sizeof(float));
            dk_activation_forward(pools[pi], act, alpha, y, y, count);
            bad = compare("activation in place", y, want, NULL, count, 0.0, 1e-37, 1e-6);
            CHECK(bad == 0, "activation %d in place: %zu wrong", a, bad);
            free(y);
        }
    }
    free(x);
    free(want);
}

/* Reports the worst relative error of sigmoid and tanh over a dense sweep of [-30, 30]. */
TEST(activation_accuracy_sweep) {
    const size_t count = 600001;
    float *x = falloc(count), *y = falloc(count);
    for (size_t i = 0; i < count; i++) x[i] = -30.0f + 60.0f * (float)i / (float)(count - 1);
    const dk_activation acts[2] = {DK_ACT_SIGMOID, DK_ACT_TANH};
    for (int t = 0; t < 2; t++) {
        dk_activation_forward(NULL, acts[t], 0.0f, x, y, count);
        double worst = 0.0;
        for (size_t i = 0; i < count; i++) {
            double want = refop_act(acts[t], 0.0, x[i]);
            if (want == 0.0) continue;
            double rel = fabs((double)y[i] - want) / fabs(want);
            if (rel > worst) worst = rel;
        }
        CHECK(worst <= 1e-6, "%s: worst relative error %.3g", t ? "tanh" : "sigmoid", worst);
        if (getenv("DLRT_TEST_VERBOSE"))
            printf("  [%s] %s worst relative error %.3g\n", isa_now, t ? "tanh" : "sigmoid", worst);
    }
    free(x);
    free(y);
}

/* vmath.h's exp and log (under every ISA through the ops above; here the inline
 * scalar form) against libm in double: exp within 3e-7 relative down to the
 * smallest normal result, log within 3e-7 relative or 1e-7 absolute near 1. */
TEST(exp_log_accuracy) {
    double worst_exp = 0.0, worst_log = 0.0;
    for (int i = 0; i <= 400000; i++) {
        float x = -87.0f + 175.5f * (float)i / 400000.0f;
        double want = exp((double)x), got = dk_vm_exp(x);
        double rel = fabs(got - want) / want;
        if (rel > worst_exp) worst_exp = rel;
    }
    for (int i = 0; i <= 400000; i++) {
        float x = (float)pow(10.0, -37.0 + 74.0 * i / 400000.0);
        double want = log((double)x), got = dk_vm_log(x);
        double err = fabs(got - want) / (fabs(want) > 1.0 ? fabs(want) : 1.0);
        if (err > worst_log) worst_log = err;
    }
    CHECK(worst_exp <= 3e-7, "exp: worst relative error %.3g", worst_exp);
    CHECK(worst_log <= 3e-7, "log: worst error %.3g", worst_log);
    CHECK(dk_vm_exp(-200.0f) == 0.0f && dk_vm_exp(200.0f) == INFINITY && isnan(dk_vm_exp(NAN)), "exp limits");
    CHECK(dk_vm_log(0.0f) == -INFINITY && isnan(dk_vm_log(-1.0f)) && dk_vm_log(INFINITY) == INFINITY &&
              dk_vm_log(1.0f) == 0.0f, "log limits");
    if (getenv("DLRT_TEST_VERBOSE")) printf("  exp worst %.3g, log worst %.3g\n", worst_exp, worst_log);
}

TEST(softmax_random) {
    for (int i = 0; i < 60; i++) {
        size_t outer = rnd(1, 4), axis = rnd(1, 40), inner = rnd(0, 2) ? 1 : rnd(2, 40);
        if (i == 0) inner = 300, axis = 3;   /* more than one column block */
        if (i == 1) outer = 2, axis = 20000; /* long rows */
        const size_t count = outer * axis * inner;
        float scale = (i % 3 == 0) ? 50.0f : 4.0f;
        float *x = frand(count, scale);
        if (i % 5 == 0)
            for (size_t j = 0; j < count; j++) x[j] += 1000.0f; /* stability: exp(1000) overflows */
        double *want = dalloc(count);
        refop_softmax(outer, axis, inner, x, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(count);
            dk_softmax_forward(pools[pi], outer, axis, inner, x, y);
            size_t bad = compare("softmax", y, want, NULL, count, 0.0, 1e-7, 1e-5);
            CHECK(bad == 0, "softmax [%zu,%zu,%zu]: %zu wrong (pool %d)", outer, axis, inner, bad, pi);
            memcpy(y, x, count * sizeof(float));
            dk_softmax_forward(pools[pi], outer, axis, inner, y, y);
            bad = compare("softmax in place", y, want, NULL, count, 0.0, 1e-7, 1e-5);
            CHECK(bad == 0, "softmax in place [%zu,%zu,%zu]: %zu wrong", outer, axis, inner, bad);
            free(y);
        }
        free(x);
        free(want);
    }
}

TEST(channel_affine_random) {
    for (int i = 0; i < 30; i++) {
        size_t n = rnd(1, 3), c = rnd(1, 7), inner = rnd(1, 100);
        if (i == 0) inner = 20000;
        const size_t count = n * c * inner;
        float *x = frand(count, 3.0f), *s = frand(c, 2.0f), *b = frand(c, 2.0f);
        double *want = dalloc(count);
        refop_channel_affine(n, c, inner, s, b, x, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(count);
            dk_channel_affine_forward(pools[pi], n, c, inner, s, b, x, y);
            size_t bad = compare("channel_affine", y, want, NULL, count, 0.0, 2e-6, 1e-6);
            CHECK(bad == 0, "channel_affine: %zu wrong", bad);
            memcpy(y, x, count * sizeof(float));
            dk_channel_affine_forward(pools[pi], n, c, inner, s, b, y, y);
            bad = compare("channel_affine in place", y, want, NULL, count, 0.0, 2e-6, 1e-6);
            CHECK(bad == 0, "channel_affine in place: %zu wrong", bad);
            free(y);
        }
        free(x);
        free(s);
        free(b);
        free(want);
    }
}

TEST(lrn_random) {
    static const float betas[] = {0.75f, 0.5f, 1.0f, 0.3f, 2.0f};
    static const float ks[] = {1.0f, 2.0f, 0.5f};
    for (int i = 0; i < 60; i++) {
        size_t n = rnd(1, 2), c = rnd(1, 12), hw = rnd(1, 40), size = rnd(1, 7);
        if (i == 0) hw = 700; /* several column blocks */
        float alpha = i % 2 ? 1e-4f : 0.5f, beta = betas[rnd(0, 4)], k = ks[rnd(0, 2)];
        const size_t count = n * c * hw;
        float *x = frand(count, 3.0f);
        double *want = dalloc(count);
        refop_lrn(n, c, hw, size, alpha, beta, k, x, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(count);
            dk_lrn_forward(pools[pi], n, c, hw, size, alpha, beta, k, x, y);
            size_t bad = compare("lrn", y, want, NULL, count, 0.0, 1e-6, 1e-5);
            CHECK(bad == 0, "lrn c%zu hw%zu size%zu alpha%g beta%g k%g: %zu wrong", c, hw, size, (double)alpha,
                  (double)beta, (double)k, bad);
            free(y);
        }
        free(x);
        free(want);
    }
}

TEST(add_random) {
    for (int i = 0; i < 24; i++) {
        size_t count = i == 0 ? 50001 : rnd(1, 3000);
        dk_activation act = (dk_activation)(i % 6);
        float alpha = 0.2f;
        float *a = frand(count, 4.0f), *b = frand(count, 4.0f);
        double *want = dalloc(count);
        refop_add(a, b, want, count, act, alpha);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(count);
            dk_add_forward(pools[pi], a, b, y, count, act, alpha);
            size_t bad = compare("add", y, want, NULL, count, 0.0, 1e-37, 1e-6);
            CHECK(bad == 0, "add act %d: %zu wrong", (int)act, bad);
            memcpy(y, a, count * sizeof(float));
            dk_add_forward(pools[pi], y, b, y, count, act, alpha); /* y == a */
            bad = compare("add in place", y, want, NULL, count, 0.0, 1e-37, 1e-6);
            CHECK(bad == 0, "add in place act %d: %zu wrong", (int)act, bad);
            free(y);
        }
        free(a);
        free(b);
        free(want);
    }
}

TEST(concat_random) {
    for (int i = 0; i < 40; i++) {
        size_t count = rnd(1, 5), outer = rnd(1, 4), inner = rnd(1, 20), sizes[5], total = 0;
        if (i == 0) inner = 9000;
        const float *in[5];
        float *owned[5];
        for (size_t j = 0; j < count; j++) {
            sizes[j] = rnd(1, 5);
            total += sizes[j];
            owned[j] = frand(outer * sizes[j] * inner, 1.0f);
            in[j] = owned[j];
        }
        double *want = dalloc(outer * total * inner);
        refop_concat(count, in, sizes, outer, inner, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(outer * total * inner);
            dk_concat_forward(pools[pi], count, in, sizes, outer, inner, y);
            size_t bad = compare("concat", y, want, NULL, outer * total * inner, 0.0, 0.0, 0.0);
            CHECK(bad == 0, "concat: %zu wrong", bad);
            free(y);
        }
        for (size_t j = 0; j < count; j++) free(owned[j]);
        free(want);
    }
}

TEST(pad_random) {
    for (int i = 0; i < 40; i++) {
        size_t dims[4] = {rnd(1, 2), rnd(1, 3), rnd(1, 7), rnd(1, 9)}, pads[8], od = 1, id = 1;
        for (int j = 0; j < 8; j++) pads[j] = rnd(0, 3);
        if (i % 2) pads[0] = pads[1] = pads[4] = pads[5] = 0;
        for (int j = 0; j < 4; j++) {
            od *= dims[j] + pads[j] + pads[j + 4];
            id *= dims[j];
        }
        float value = test_rng_float(&rng);
        float *x = frand(id, 1.0f);
        double *want = dalloc(od);
        refop_pad(dims, pads, value, x, want);
        for (int pi = 0; pi < 2; pi++) {
            float *y = falloc(od);
            dk_pad_forward(pools[pi], dims, pads, value, x, y);
            size_t bad = compare("pad", y, want, NULL, od, 0.0, 0.0, 0.0);
            CHECK(bad == 0, "pad: %zu wrong", bad);
            free(y);
        }
        free(x);
        free(want);
    }
}

int main(void) {
    pools[0] = NULL;
    pools[1] = dk_pool_create(2);
    if (pools[1] == NULL) {
        fprintf(stderr, "cannot create a 2-thread pool\n");
        return 1;
    }
    const dk_isa isas[] = {DK_ISA_SCALAR, DK_ISA_AVX2, DK_ISA_AVX512, DK_ISA_NEON};
    const dk_isa initial = dk_isa_active();
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!dk_isa_supported(isas[i])) continue;
        if (dk_isa_force(isas[i]) != 0) continue;
        isa_now = dk_isa_name(isas[i]);
        RUN(conv2d_random);
        RUN(conv2d_paths);
        RUN(conv2d_infer_refuses);
        RUN(depthwise_simd_matches_scalar);
        RUN(conv_transpose2d_random);
        RUN(conv_transpose2d_paths);
        RUN(conv_transpose2d_infer_refuses);
        RUN(dense_random);
        RUN(pool2d_random);
        RUN(pool2d_infer_and_nan);
        RUN(global_avg_pool_random);
        RUN(activation_all);
        RUN(activation_accuracy_sweep);
        RUN(exp_log_accuracy);
        RUN(softmax_random);
        RUN(channel_affine_random);
        RUN(lrn_random);
        RUN(add_random);
        RUN(concat_random);
        RUN(pad_random);
    }
    dk_isa_force(initial);
    dk_pool_free(pools[1]);
    return test_summary("ops");
}

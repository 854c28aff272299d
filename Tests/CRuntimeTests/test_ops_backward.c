/*
 * The backward kernels of CRuntime/ops/ops.h (dk_<op>_backward, batch norm's
 * training forward, softmax cross-entropy) in three parts:
 *
 * (1) Each kernel against its naive double reference (ref_ops_backward.c)
 *     over many random shapes: odd sizes, 1x1, strides 1-3, asymmetric
 *     padding, dilation 1-3, groups 1 / 2 / 3 / depthwise / depthwise with a
 *     multiplier, output padding, ceil_mode and count_include_pad both ways,
 *     plus fixed shapes for each code path (1x1 GEMM-only, parallel tasks with
 *     partial dW, pixel blocks, parallel im2col / col2im, the direct depthwise
 *     kernel). Each case runs with no pool and with a 2-thread pool, with
 *     accumulate 0 (gradient buffers start as NaN: any element not written,
 *     or read, fails) or 1 (they start random and the reference is added), and
 *     with random gradients left NULL (the kernel is then given NULL for the
 *     inputs only they need). All of it under every ISA this CPU supports
 *     (dk_isa_force), on top of the runner's DLRT_ISA.
 * (2) Finite differences of the references themselves, in double: for each op
 *     and random small shapes, L = sum(dy .* f(inputs)) with f the reference's
 *     double forward, and dL/dv by central differences (h = 1e-5; for max pool
 *     the inputs are distinct by >= 1e-3, for the activations |x| and
 *     |x - 6| >= 1e-2, so no kink lies within h) against the reference
 *     gradient: |fd - grad| <= 1e-6 * (1 + |grad|). Each double forward is
 *     also checked against ref_ops.c's forward (on float inputs) within 1e-12
 *     relative, tying the oracle to the forward tests' oracle.
 * (3) dk_batch_norm_train_forward against its definition, running statistics
 *     (momentum, unbiased variance) included, in place and out of place.
 *
 * Tolerances (|got - want| <= bound), mag = the sum of |terms| of the element
 * (the reference's *_mag, plus |initial value| when accumulating):
 *   conv2d, conv_transpose2d, dense (dx, dw, db):  1e-5 * mag + 1e-6 + 1e-6 * |want|
 *     (float sums of up to a few thousand terms, any order: <= ~sqrt(K) * 2^-24 * mag in practice)
 *   max_pool2d: 1e-6 * |want| + 1e-6 * mag (mag: sum of |dy| routed there; overlapping windows add in float)
 *   avg_pool2d, global_avg_pool:  1e-5 * |want| + 2e-6 (inputs O(1))
 *   activations:  2e-6 * |dy| + 1e-6 * |want| (the kernel works from float y; sigmoid/tanh y err <= 2e-7)
 *   softmax:  1e-5 * mag + 1e-7, mag = y_i * (|dy_i| + sum_j |dy_j| y_j)
 *   lrn:  1e-5 * |want| + 2e-6 * mag, mag = |dy_i| B_i^-beta + the |terms| of the window sum
 *   channel_affine / batch norm:  dx 1e-5 * mag + 1e-7; dscale, dgamma, dbeta 1e-5 * mag + 1e-6
 *   add, concat, pad:  exact copies; 1e-7 * |want| when accumulating (one float add)
 *   softmax cross-entropy:  loss 1e-5 relative; dlogits 1e-5 * |want| + 1e-6 / rows
 *   batch norm forward:  y 1e-5 * (|want| + |beta| + 1), mean / invstd / running stats 1e-5 relative
 */
#include <stdint.h>

#include "base/cpu.h"
#include "base/pool.h"
#include "ops/ops.h"
#include "ref_ops.h"
#include "ref_ops_backward.h"
#include "test.h"

static unsigned long long rng = 0xD1B54A32D192ED03ull;
static dk_pool *pools[2];
static const char *isa_now = "-";

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
    for (size_t i = 0; i < n; i++) d[i] = NAN;
    return d;
}

static float *frand(size_t n, float scale) {
    float *f = falloc(n);
    for (size_t i = 0; i < n; i++) f[i] = test_rng_float(&rng) * scale;
    return f;
}

static double *drand_(size_t n, double scale) {
    double *d = dalloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (double)test_rng_float(&rng) * scale;
    return d;
}

/* A double copy of a float array (NULL stays NULL). */
static double *widen(const float *f, size_t n) {
    if (f == NULL) return NULL;
    double *d = dalloc(n);
    for (size_t i = 0; i < n; i++) d[i] = f[i];
    return d;
}

static float *narrow(const double *d, size_t n) {
    float *f = falloc(n);
    for (size_t i = 0; i < n; i++) f[i] = (float)d[i];
    return f;
}

/* Counts the elements out of tolerance (printing the first few). */
static size_t compare(const char *what, const float *got, const double *want, const double *mag, size_t n,
                      double rtol_mag, double atol, double rtol_val) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double bound = atol + rtol_val * fabs(want[i]) + (mag ? rtol_mag * mag[i] : 0.0);
        double err = fabs((double)got[i] - want[i]);
        int ok = err <= bound || (isnan(want[i]) && isnan(got[i])) || (isinf(want[i]) && (double)got[i] == want[i]);
        if (!ok) {
            if (bad < 3)
                fprintf(stderr, "    [%s] %s: element %zu got %.9g want %.9g (bound %.3g)\n", isa_now, what, i,
                        (double)got[i], want[i], bound);
            bad++;
        }
    }
    return bad;
}

/*
 * A gradient output under test: `on` says whether it is requested. With
 * accumulate it starts random (init keeps a copy), else NaN.
 */
typedef struct grad {
    int on;
    size_t n;
    float *got;
    float *init;
    double *want, *mag;
} grad;

static void grad_make(grad *g, int on, size_t n, int accumulate) {
    memset(g, 0, sizeof *g);
    g->on = on;
    g->n = n;
    if (!on) return;
    g->want = dalloc(n);
    g->mag = dalloc(n);
    for (size_t i = 0; i < n; i++) g->mag[i] = 0.0;
    if (accumulate) {
        g->got = frand(n, 1.0f);
        g->init = falloc(n);
        memcpy(g->init, g->got, n * sizeof(float));
    } else {
        g->got = falloc(n);
    }
}

/* Folds the initial values into want / mag, compares, frees; returns the failures. */
static size_t grad_check(grad *g, const char *what, double rtol_mag, double atol, double rtol_val) {
    size_t bad = 0;
    if (g->on) {
        if (g->init)
            for (size_t i = 0; i < g->n; i++) {
                g->want[i] += g->init[i];
                g->mag[i] += fabs(g->init[i]);
            }
        bad = compare(what, g->got, g->want, g->mag, g->n, rtol_mag, atol, rtol_val);
    }
    free(g->got);
    free(g->init);
    free(g->want);
    free(g->mag);
    memset(g, 0, sizeof *g);
    return bad;
}

/* ==== (1) kernels against the references ==================================== */

/* ---- conv2d and conv_transpose2d ---------------------------------------------- */

static void random_conv(dk_conv2d_params *p, int transposed) {
    memset(p, 0, sizeof *p);
    size_t mode = rnd(0, 5);
    size_t cg = rnd(1, 4), mg = rnd(1, 4), g = 1;
    switch (mode) {
    case 0: g = 1; break;
    case 1: g = 2; break;
    case 2: g = 3; break;
    case 3: g = rnd(2, 6); cg = 1; mg = 1; break;         /* depthwise */
    case 4: g = rnd(2, 5); cg = 1; mg = rnd(2, 3); break; /* depthwise, multiplier */
    default: g = 1; cg = 1; break;                        /* single input channel */
    }
    p->groups = g;
    p->c = g * cg;
    p->m = g * mg;
    p->n = rnd(1, 3);
    p->h = rnd(1, 12);
    p->w = rnd(1, 12);
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
    p->activation = (dk_activation)rnd(0, 5); /* ignored by the backward */
    p->alpha = 0.1f;
}

static dk_conv2d_params conv_params(size_t n, size_t c, size_t h, size_t w, size_t m, size_t k, size_t s,
                                    size_t pad, size_t d, size_t groups) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = n, p.c = c, p.h = h, p.w = w, p.m = m, p.kh = p.kw = k, p.sh = p.sw = s;
    p.pt = p.pl = p.pb = p.pr = pad;
    p.dh = p.dw = d, p.groups = groups;
    return p;
}

/*
 * One conv2d / conv_transpose2d backward case under pool pi, with the given
 * accumulate flag and set of requested gradients (bit 0 dx, 1 dw, 2 db).
 * Returns the failures (0 when the shape has no output).
 */
static size_t run_conv_bwd(const dk_conv2d_params *params, int transposed, int pi, int accumulate, int which,
                           const char *label) {
    dk_conv2d_params p = *params;
    if ((transposed ? dk_conv_transpose2d_infer(&p) : dk_conv2d_infer(&p)) != 0) return 0;
    const size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.m * p.ho * p.wo;
    const size_t nw = transposed ? p.c * (p.m / p.groups) * p.kh * p.kw : p.m * (p.c / p.groups) * p.kh * p.kw;
    float *x = frand(nx, 1.0f), *w = frand(nw, 1.0f), *dy = frand(ny, 1.0f);
    double *xd = widen(x, nx), *wd = widen(w, nw), *dyd = widen(dy, ny);
    grad gx, gw, gb;
    grad_make(&gx, which & 1, nx, accumulate);
    grad_make(&gw, (which >> 1) & 1, nw, accumulate);
    grad_make(&gb, (which >> 2) & 1, p.m, accumulate);
    if (transposed)
        refb_conv_transpose2d_backward(&p, xd, wd, dyd, gx.want, gw.want, gb.want, gx.mag, gw.mag, gb.mag);
    else
        refb_conv2d_backward(&p, xd, wd, dyd, gx.want, gw.want, gb.want, gx.mag, gw.mag, gb.mag);
    const int threads = dk_pool_threads(pools[pi]);
    size_t wsn = transposed ? dk_conv_transpose2d_backward_workspace_floats(&p, threads)
                            : dk_conv2d_backward_workspace_floats(&p, threads);
    float *ws = wsn ? falloc(wsn) : NULL;
    /* the inputs only a skipped gradient needs are not passed */
    const float *xin = gw.on ? x : NULL, *win = gx.on ? w : NULL;
    if (transposed)
        dk_conv_transpose2d_backward(pools[pi], &p, xin, win, dy, gx.got, gw.got, gb.got, accumulate, ws);
    else
        dk_conv2d_backward(pools[pi], &p, xin, win, dy, gx.got, gw.got, gb.got, accumulate, ws);
    char what[64];
    snprintf(what, sizeof what, "%s dx", label);
    size_t bx = grad_check(&gx, what, 1e-5, 1e-6, 1e-6);
    snprintf(what, sizeof what, "%s dw", label);
    size_t bw = grad_check(&gw, what, 1e-5, 1e-6, 1e-6);
    snprintf(what, sizeof what, "%s db", label);
    size_t bb = grad_check(&gb, what, 1e-5, 1e-6, 1e-6);
    CHECK(bx + bw + bb == 0,
          "%s: dx %zu, dw %zu, db %zu wrong (n%zu c%zu h%zu w%zu m%zu k%zux%zu s%zu,%zu d%zu,%zu pad %zu,%zu,%zu,%zu "
          "op %zu,%zu g%zu pool%d acc%d which%d)",
          label, bx, bw, bb, p.n, p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.pb, p.pr,
          p.oph, p.opw, p.groups, pi, accumulate, which);
    free(x);
    free(w);
    free(dy);
    free(xd);
    free(wd);
    free(dyd);
    free(ws);
    return bx + bw + bb;
}

static int rand_which(void) { return rnd(0, 2) ? 7 : (int)rnd(1, 7); }

TEST(conv2d_backward_random) {
    for (int i = 0; i < 80; i++) {
        dk_conv2d_params p;
        random_conv(&p, 0);
        for (int pi = 0; pi < 2; pi++) run_conv_bwd(&p, 0, pi, (int)rnd(0, 1), rand_which(), "conv2d backward");
    }
}

/* The paths chosen by shape (see conv2d_backward.c and depthwise_conv2d_backward.c). */
TEST(conv2d_backward_paths) {
    const dk_conv2d_params cases[] = {
        conv_params(1, 7, 5, 9, 6, 1, 1, 0, 1, 1),     /* 1x1: GEMMs on x and dx directly */
        conv_params(2, 6, 4, 3, 4, 1, 1, 0, 2, 2),     /* 1x1, groups: 4 tasks, parallel */
        conv_params(4, 3, 9, 11, 5, 3, 1, 1, 1, 1),    /* 4 tasks: parallel chunks, partial dW */
        conv_params(9, 2, 5, 6, 3, 3, 2, 1, 1, 1),     /* 9 tasks: uneven chunks */
        conv_params(1, 8, 10, 13, 7, 3, 2, 1, 1, 1),   /* 1 task: im2col / col2im split over channels */
        conv_params(3, 12, 7, 8, 6, 3, 1, 2, 2, 3),    /* groups, dilation */
        conv_params(1, 1, 1, 1, 1, 1, 1, 0, 1, 1),     /* 1x1x1x1 */
        conv_params(1, 2, 1, 1, 3, 3, 1, 1, 1, 1),     /* 1x1 image, 3x3 kernel */
        conv_params(1, 16, 48, 47, 8, 3, 1, 1, 1, 1),  /* 2 pixel blocks, split mid-row */
        conv_params(2, 16, 48, 47, 8, 3, 1, 1, 1, 1),  /* pixel blocks in parallel chunks */
        conv_params(1, 64, 20, 20, 4, 5, 1, 2, 1, 1),  /* K = 1600: 3 blocks of <= 160 pixels */
        conv_params(2, 5, 37, 50, 5, 3, 1, 1, 1, 5),   /* depthwise */
        conv_params(1, 4, 21, 53, 4, 3, 2, 1, 1, 4),   /* depthwise, stride 2 */
        conv_params(2, 3, 19, 37, 6, 5, 1, 2, 2, 3),   /* depthwise x2, dilation 2 */
        conv_params(1, 3, 30, 70, 3, 7, 3, 3, 1, 3),   /* depthwise, stride 3 */
        conv_params(1, 2, 8, 40, 2, 3, 1, 5, 1, 2),    /* depthwise, padding > kernel */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int pi = 0; pi < 2; pi++)
            for (int acc = 0; acc < 2; acc++) run_conv_bwd(&cases[i], 0, pi, acc, acc ? 7 : rand_which(), "conv2d backward path");
}

TEST(conv_transpose2d_backward_random) {
    for (int i = 0; i < 80; i++) {
        dk_conv2d_params p;
        random_conv(&p, 1);
        for (int pi = 0; pi < 2; pi++)
            run_conv_bwd(&p, 1, pi, (int)rnd(0, 1), rand_which(), "conv_transpose2d backward");
    }
}

TEST(conv_transpose2d_backward_paths) {
    dk_conv2d_params cases[] = {
        conv_params(1, 7, 5, 9, 6, 1, 1, 0, 1, 1),    /* 1x1: dy is the column matrix */
        conv_params(2, 6, 4, 3, 4, 1, 1, 0, 1, 2),    /* 1x1, groups, parallel */
        conv_params(4, 3, 7, 6, 5, 4, 2, 1, 1, 1),    /* DCGAN-like, parallel chunks */
        conv_params(1, 6, 5, 7, 4, 3, 2, 1, 2, 2),    /* 1 task: im2col split over channels */
        conv_params(1, 4, 40, 40, 16, 4, 2, 1, 1, 1), /* rows * hw > budget: 2 pixel blocks */
        conv_params(2, 4, 40, 40, 16, 4, 2, 1, 1, 1), /* blocks in parallel chunks */
        conv_params(3, 4, 6, 5, 4, 3, 1, 1, 1, 4),    /* depthwise transposed */
        conv_params(1, 1, 1, 1, 1, 1, 1, 0, 1, 1),    /* 1x1x1x1 */
    };
    cases[2].oph = 1;
    cases[3].opw = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int pi = 0; pi < 2; pi++)
            for (int acc = 0; acc < 2; acc++)
                run_conv_bwd(&cases[i], 1, pi, acc, acc ? 7 : rand_which(), "conv_transpose2d backward path");
}

/* ---- dense ------------------------------------------------------------------------ */

static void run_dense_bwd(size_t n, size_t k, size_t m, int pi, int accumulate, int which) {
    float *x = frand(n * k, 1.0f), *w = frand(m * k, 1.0f), *dy = frand(n * m, 1.0f);
    double *xd = widen(x, n * k), *wd = widen(w, m * k), *dyd = widen(dy, n * m);
    grad gx, gw, gb;
    grad_make(&gx, which & 1, n * k, accumulate);
    grad_make(&gw, (which >> 1) & 1, m * k, accumulate);
    grad_make(&gb, (which >> 2) & 1, m, accumulate);
    refb_dense_backward(n, k, m, xd, wd, dyd, gx.want, gw.want, gb.want, gx.mag, gw.mag, gb.mag);
    size_t wsn = dk_dense_backward_workspace_floats(n, k, m, dk_pool_threads(pools[pi]));
    float *ws = wsn ? falloc(wsn) : NULL;
    dk_dense_backward(pools[pi], n, k, m, gw.on ? x : NULL, gx.on ? w : NULL, dy, gx.got, gw.got, gb.got, accumulate,
                      ws);
    size_t bad = grad_check(&gx, "dense dx", 1e-5, 1e-6, 1e-6);
    bad += grad_check(&gw, "dense dw", 1e-5, 1e-6, 1e-6);
    bad += grad_check(&gb, "dense db", 1e-5, 1e-6, 1e-6);
    CHECK(bad == 0, "dense backward n%zu k%zu m%zu pool%d acc%d which%d: %zu wrong", n, k, m, pi, accumulate, which, bad);
    free(x);
    free(w);
    free(dy);
    free(xd);
    free(wd);
    free(dyd);
    free(ws);
}

TEST(dense_backward_random) {
    for (int i = 0; i < 50; i++) {
        size_t n = rnd(1, 12), k = rnd(1, 80), m = rnd(1, 40);
        for (int pi = 0; pi < 2; pi++) run_dense_bwd(n, k, m, pi, (int)rnd(0, 1), rand_which());
    }
    for (int pi = 0; pi < 2; pi++) {
        run_dense_bwd(64, 300, 70, pi, 0, 7); /* several GEMM blocks and threads */
        run_dense_bwd(3, 700, 300, pi, 1, 7); /* db over more than one column block */
    }
}

/* ---- pooling ------------------------------------------------------------------------- */

static int random_pool(dk_pool2d_params *p) {
    memset(p, 0, sizeof *p);
    p->n = rnd(1, 2);
    p->c = rnd(1, 3);
    p->h = rnd(1, 13);
    p->w = rnd(1, 13);
    p->kh = rnd(1, 5);
    p->kw = rnd(1, 5);
    p->sh = rnd(1, 3);
    p->sw = rnd(1, 3);
    p->pt = rnd(0, p->kh / 2);
    p->pb = rnd(0, p->kh / 2);
    p->pl = rnd(0, p->kw / 2);
    p->pr = rnd(0, p->kw / 2);
    p->ceil_mode = (int)rnd(0, 1);
    p->count_include_pad = (int)rnd(0, 1);
    return dk_pool2d_infer(p);
}

/* data: 0 uniform, 1 small integers (ties everywhere), 2 integers with NaN and -inf mixed in */
static size_t run_pool_bwd(const dk_pool2d_params *p, int avg, int pi, int accumulate, int data) {
    const size_t nx = p->n * p->c * p->h * p->w, ny = p->n * p->c * p->ho * p->wo;
    float *x = frand(nx, 3.0f), *dy = frand(ny, 1.0f);
    if (data)
        for (size_t i = 0; i < nx; i++) {
            x[i] = (float)rnd(0, 2);
            if (data == 2 && rnd(0, 6) == 0) x[i] = rnd(0, 1) ? NAN : -INFINITY;
        }
    double *xd = widen(x, nx), *dyd = widen(dy, ny);
    grad gx;
    grad_make(&gx, 1, nx, accumulate);
    if (avg) {
        refb_avg_pool2d_backward(p, dyd, gx.want);
        dk_avg_pool2d_backward(pools[pi], p, dy, gx.got, accumulate);
    } else {
        /* mag: the |dy| routed to each element */
        double *ady = dalloc(ny);
        for (size_t i = 0; i < ny; i++) ady[i] = fabs(dyd[i]);
        refb_max_pool2d_backward(p, xd, ady, gx.mag);
        refb_max_pool2d_backward(p, xd, dyd, gx.want);
        dk_max_pool2d_backward(pools[pi], p, x, dy, gx.got, accumulate);
        free(ady);
    }
    size_t bad = avg ? grad_check(&gx, "avg_pool2d backward", 0.0, 2e-6, 1e-5)
                     : grad_check(&gx, "max_pool2d backward", 1e-6, 0.0, 1e-6);
    CHECK(bad == 0, "%s backward: %zu wrong (h%zu w%zu k%zux%zu s%zu,%zu pad %zu,%zu,%zu,%zu ceil%d cip%d pool%d acc%d data%d)",
          avg ? "avg_pool2d" : "max_pool2d", bad, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->pb, p->pr,
          p->ceil_mode, p->count_include_pad, pi, accumulate, data);
    free(x);
    free(dy);
    free(xd);
    free(dyd);
    return bad;
}

TEST(pool2d_backward_random) {
    for (int i = 0; i < 200; i++) {
        dk_pool2d_params p;
        if (random_pool(&p) != 0) continue;
        for (int pi = 0; pi < 2; pi++) {
            run_pool_bwd(&p, 0, pi, (int)rnd(0, 1), (int)rnd(0, 2));
            run_pool_bwd(&p, 1, pi, (int)rnd(0, 1), 0);
        }
    }
    /* rows wider than one 256-column chunk */
    dk_pool2d_params wide = {2, 2, 5, 601, 3, 3, 1, 2, 1, 1, 1, 1, 1, 0, 0, 0};
    CHECK(dk_pool2d_infer(&wide) == 0 && wide.wo > 256, "wide pool: %zu columns", wide.wo);
    for (int pi = 0; pi < 2; pi++) {
        run_pool_bwd(&wide, 0, pi, pi, 0);
        run_pool_bwd(&wide, 1, pi, pi, 0);
    }
}

/* PyTorch's argmax rule, by hand: first max on ties, last NaN, first element of an all -inf window. */
TEST(max_pool2d_backward_argmax_rule) {
    dk_pool2d_params p = {1, 3, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(dk_pool2d_infer(&p) == 0 && p.ho == 1 && p.wo == 1, "2x2 -> 1x1");
    const float x[12] = {5, 5, 5, 5, 1, NAN, 3, NAN, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    const float dy[3] = {1, 2, 3};
    float dx[12];
    dk_max_pool2d_backward(NULL, &p, x, dy, dx, 0);
    const float want[12] = {1, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0};
    for (int i = 0; i < 12; i++) CHECK(dx[i] == want[i], "element %d: got %g want %g", i, (double)dx[i], (double)want[i]);
    /* a padded window: the scan starts at the first element inside the input */
    dk_pool2d_params q = {1, 1, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0};
    CHECK(dk_pool2d_infer(&q) == 0 && q.ho == 2 && q.wo == 2, "3x3 pad 1 stride 2 -> 2x2");
    float xi[9], dyi[4] = {1, 10, 100, 1000}, dxi[9];
    for (int i = 0; i < 9; i++) xi[i] = -INFINITY;
    dk_max_pool2d_backward(NULL, &q, xi, dyi, dxi, 0);
    /* windows start at (0,0), (0,1), (1,0), (1,1) after clipping */
    const float wi[9] = {1, 10, 0, 100, 1000, 0, 0, 0, 0};
    for (int i = 0; i < 9; i++) CHECK(dxi[i] == wi[i], "padded -inf element %d: got %g want %g", i, (double)dxi[i], (double)wi[i]);
}

TEST(global_avg_pool_backward_random) {
    for (int i = 0; i < 30; i++) {
        size_t n = rnd(1, 3), c = rnd(1, 9), hw = rnd(1, 300);
        if (i == 0) hw = 40000;
        float *dy = frand(n * c, 2.0f);
        double *dyd = widen(dy, n * c);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1);
            grad gx;
            grad_make(&gx, 1, n * c * hw, acc);
            refb_global_avg_pool_backward(n, c, hw, dyd, gx.want);
            dk_global_avg_pool_backward(pools[pi], n, c, hw, dy, gx.got, acc);
            size_t bad = grad_check(&gx, "global_avg_pool backward", 0.0, 2e-6, 1e-5);
            CHECK(bad == 0, "global_avg_pool backward n%zu c%zu hw%zu acc%d: %zu wrong", n, c, hw, acc, bad);
        }
        free(dy);
        free(dyd);
    }
}

/* ---- elementwise and normalisation -------------------------------------------------------- */

TEST(activation_backward_all) {
    for (int a = 0; a <= 5; a++) {
        const dk_activation act = (dk_activation)a;
        for (int i = 0; i < 6; i++) {
            const size_t count = i == 0 ? 40000 : rnd(1, 3000);
            const float alpha = 0.01f + 0.5f * (test_rng_float(&rng) + 1.0f) * 0.5f;
            float *x = frand(count, 8.0f), *dy = frand(count, 1.0f), *y = falloc(count);
            dk_activation_forward(NULL, act, alpha, x, y, count);
            for (int pi = 0; pi < 2; pi++) {
                const int acc = (int)rnd(0, 1), inplace = (int)rnd(0, 1);
                grad gx;
                grad_make(&gx, 1, count, acc);
                for (size_t j = 0; j < count; j++) {
                    gx.want[j] = (double)dy[j] * refb_act_grad(act, alpha, (double)x[j]);
                    gx.mag[j] = 2.0 * fabs((double)dy[j]); /* 2e-6 * |dy| via rtol_mag 1e-6 */
                }
                if (inplace && !acc) { /* dx == dy */
                    memcpy(gx.got, dy, count * sizeof(float));
                    dk_activation_backward(pools[pi], act, alpha, y, gx.got, gx.got, count, acc);
                } else {
                    dk_activation_backward(pools[pi], act, alpha, y, dy, gx.got, count, acc);
                }
                size_t bad = grad_check(&gx, "activation backward", 1e-6, 0.0, 1e-6);
                CHECK(bad == 0, "activation %d backward count %zu pool%d acc%d inplace%d: %zu wrong", a, count, pi, acc,
                      inplace, bad);
            }
            free(x);
            free(dy);
            free(y);
        }
    }
}

TEST(softmax_backward_random) {
    for (int i = 0; i < 40; i++) {
        size_t outer = rnd(1, 6), axis = rnd(1, 40), inner = rnd(0, 2) ? 1 : rnd(2, 300);
        if (i == 0) outer = 2, axis = 20000, inner = 1; /* rows longer than a block */
        const size_t count = outer * axis * inner;
        float *x = frand(count, 4.0f), *dy = frand(count, 1.0f);
        double *xd = widen(x, count), *dyd = widen(dy, count), *yd = dalloc(count);
        refb_softmax_forward(outer, axis, inner, xd, yd);
        float *y = narrow(yd, count);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1), inplace = (int)rnd(0, 1);
            grad gx;
            grad_make(&gx, 1, count, acc);
            refb_softmax_backward(outer, axis, inner, xd, dyd, gx.want);
            for (size_t o = 0; o < outer; o++)
                for (size_t j = 0; j < inner; j++) {
                    double s = 0.0;
                    for (size_t a = 0; a < axis; a++) s += fabs(dyd[(o * axis + a) * inner + j]) * yd[(o * axis + a) * inner + j];
                    for (size_t a = 0; a < axis; a++) {
                        const size_t at = (o * axis + a) * inner + j;
                        gx.mag[at] = yd[at] * (fabs(dyd[at]) + s);
                    }
                }
            if (inplace && !acc) {
                memcpy(gx.got, dy, count * sizeof(float));
                dk_softmax_backward(pools[pi], outer, axis, inner, y, gx.got, gx.got, acc);
            } else {
                dk_softmax_backward(pools[pi], outer, axis, inner, y, dy, gx.got, acc);
            }
            size_t bad = grad_check(&gx, "softmax backward", 1e-5, 1e-7, 0.0);
            CHECK(bad == 0, "softmax backward %zux%zux%zu pool%d acc%d inplace%d: %zu wrong", outer, axis, inner, pi, acc,
                  inplace, bad);
        }
        free(x);
        free(dy);
        free(y);
        free(xd);
        free(dyd);
        free(yd);
    }
}

TEST(lrn_backward_random) {
    for (int i = 0; i < 30; i++) {
        const size_t n = rnd(1, 2), c = rnd(1, 12), hw = rnd(1, 150), size = rnd(1, 7);
        const float alpha = 1e-4f + (float)rnd(0, 100) * 1e-3f, beta = 0.25f + (float)rnd(0, 3) * 0.25f;
        const float k = 0.5f + (float)rnd(0, 4) * 0.5f;
        const size_t count = n * c * hw;
        float *x = frand(count, 2.0f), *dy = frand(count, 1.0f);
        double *xd = widen(x, count), *dyd = widen(dy, count);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1);
            grad gx;
            grad_make(&gx, 1, count, acc);
            refb_lrn_backward(n, c, hw, size, alpha, beta, k, xd, dyd, gx.want);
            /* mag: |dy| B^-beta plus the |terms| of the window sum; with x, dy = O(1) and B >= k,
             * bounded by |dy| k^-beta + 2 alpha beta / size * |x| * size * max|x| k^(-beta-1) */
            for (size_t j = 0; j < count; j++)
                gx.mag[j] = fabs(dyd[j]) * pow(k, -beta) + 2.0 * alpha * beta * fabs(xd[j]) * 2.0 * pow(k, -beta - 1.0);
            size_t wsn = dk_lrn_backward_workspace_floats(c, dk_pool_threads(pools[pi]));
            float *ws = falloc(wsn);
            dk_lrn_backward(pools[pi], n, c, hw, size, alpha, beta, k, x, dy, gx.got, acc, ws);
            size_t bad = grad_check(&gx, "lrn backward", 2e-6, 0.0, 1e-5);
            CHECK(bad == 0, "lrn backward n%zu c%zu hw%zu size%zu a%g b%g k%g pool%d acc%d: %zu wrong", n, c, hw, size,
                  (double)alpha, (double)beta, (double)k, pi, acc, bad);
            free(ws);
        }
        free(x);
        free(dy);
        free(xd);
        free(dyd);
    }
}

TEST(channel_affine_backward_random) {
    for (int i = 0; i < 30; i++) {
        const size_t n = rnd(1, 3), c = rnd(1, 9), inner = rnd(1, 200);
        const size_t count = n * c * inner;
        float *x = frand(count, 2.0f), *dy = frand(count, 1.0f), *s = frand(c, 2.0f);
        double *xd = widen(x, count), *dyd = widen(dy, count), *sd = widen(s, c);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1), which = rand_which();
            grad gx, gs, gb;
            grad_make(&gx, which & 1, count, acc);
            grad_make(&gs, (which >> 1) & 1, c, acc);
            grad_make(&gb, (which >> 2) & 1, c, acc);
            refb_channel_affine_backward(n, c, inner, xd, sd, dyd, gx.want, gs.want, gb.want);
            for (size_t j = 0; j < count; j++) {
                const size_t ch = j / inner % c;
                if (gx.on) gx.mag[j] = fabs(dyd[j] * sd[ch]);
                if (gs.on) gs.mag[ch] += fabs(dyd[j] * xd[j]);
                if (gb.on) gb.mag[ch] += fabs(dyd[j]);
            }
            dk_channel_affine_backward(pools[pi], n, c, inner, gs.on ? x : NULL, s, dy, gx.got, gs.got, gb.got, acc);
            size_t bad = grad_check(&gx, "channel_affine dx", 1e-5, 1e-7, 0.0);
            bad += grad_check(&gs, "channel_affine dscale", 1e-5, 1e-6, 0.0);
            bad += grad_check(&gb, "channel_affine dshift", 1e-5, 1e-6, 0.0);
            CHECK(bad == 0, "channel_affine backward n%zu c%zu inner%zu pool%d acc%d which%d: %zu wrong", n, c, inner,
                  pi, acc, which, bad);
        }
        free(x);
        free(dy);
        free(s);
        free(xd);
        free(dyd);
        free(sd);
    }
}

/* Batch norm backward from the kernel's own saved statistics, against the reference from x. */
TEST(batch_norm_backward_random) {
    for (int i = 0; i < 30; i++) {
        const size_t n = rnd(1, 4), c = rnd(1, 6), inner = rnd(i % 3 == 0 ? 1 : 2, 60);
        const size_t count = n * c * inner;
        if (n * inner < 2) continue;
        const float eps = 1e-5f;
        float *x = frand(count, 2.0f), *dy = frand(count, 1.0f), *gamma = rnd(0, 3) ? frand(c, 2.0f) : NULL;
        for (size_t j = 0; j < count; j++) x[j] += (float)(j / inner % c); /* channel offsets */
        float *beta = frand(c, 1.0f), *y = falloc(count), *mean = falloc(c), *invstd = falloc(c);
        dk_batch_norm_train_forward(NULL, n, c, inner, x, gamma, beta, eps, 0.1f, NULL, NULL, mean, invstd, y);
        double *xd = widen(x, count), *dyd = widen(dy, count), *gd = widen(gamma, c);
        double *md = dalloc(c), *vd = dalloc(c), *yd = dalloc(count);
        refb_batch_norm_train_forward(n, c, inner, xd, gd, NULL, eps, yd, md, vd);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1), which = rand_which();
            grad gx, gg, gb;
            grad_make(&gx, which & 1, count, acc);
            grad_make(&gg, (which >> 1) & 1, c, acc);
            grad_make(&gb, (which >> 2) & 1, c, acc);
            refb_batch_norm_backward(n, c, inner, xd, gd, eps, dyd, gx.want, gg.want, gb.want);
            const double N = (double)(n * inner);
            for (size_t ch = 0; ch < c; ch++) {
                const double is = 1.0 / sqrt(vd[ch] + eps), g = gd ? fabs(gd[ch]) : 1.0;
                double a = 0.0, b = 0.0;
                for (size_t j = 0; j < count; j++)
                    if (j / inner % c == ch) {
                        a += fabs(dyd[j]) / N;
                        b += fabs(dyd[j] * (xd[j] - md[ch]) * is) / N;
                    }
                for (size_t j = 0; j < count; j++) {
                    if (j / inner % c != ch) continue;
                    const double xh = fabs((xd[j] - md[ch]) * is);
                    if (gx.on) gx.mag[j] = g * is * (fabs(dyd[j]) + a + xh * b);
                    if (gg.on) gg.mag[ch] += fabs(dyd[j]) * xh;
                    if (gb.on) gb.mag[ch] += fabs(dyd[j]);
                }
            }
            dk_batch_norm_backward(pools[pi], n, c, inner, x, dy, gamma, mean, invstd, gx.got, gg.got, gb.got, acc);
            size_t bad = grad_check(&gx, "batch_norm dx", 1e-5, 1e-7, 0.0);
            bad += grad_check(&gg, "batch_norm dgamma", 1e-5, 1e-6, 0.0);
            bad += grad_check(&gb, "batch_norm dbeta", 1e-5, 1e-6, 0.0);
            CHECK(bad == 0, "batch_norm backward n%zu c%zu inner%zu gamma%d pool%d acc%d which%d: %zu wrong", n, c, inner,
                  gamma != NULL, pi, acc, which, bad);
        }
        free(x);
        free(dy);
        free(gamma);
        free(beta);
        free(y);
        free(mean);
        free(invstd);
        free(xd);
        free(dyd);
        free(gd);
        free(md);
        free(vd);
        free(yd);
    }
}

TEST(add_concat_pad_backward_random) {
    for (int i = 0; i < 30; i++) {
        /* add */
        const size_t count = i == 0 ? 40000 : rnd(1, 5000);
        float *dy = frand(count, 1.0f);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1), which = (int)rnd(1, 3);
            grad ga, gb;
            grad_make(&ga, which & 1, count, acc);
            grad_make(&gb, (which >> 1) & 1, count, acc);
            for (size_t j = 0; j < count; j++) {
                if (ga.on) ga.want[j] = dy[j];
                if (gb.on) gb.want[j] = dy[j];
            }
            dk_add_backward(pools[pi], dy, ga.got, gb.got, count, acc);
            size_t bad = grad_check(&ga, "add da", 0.0, 0.0, 1e-7) + grad_check(&gb, "add db", 0.0, 0.0, 1e-7);
            CHECK(bad == 0, "add backward count %zu pool%d acc%d: %zu wrong", count, pi, acc, bad);
        }
        free(dy);
        /* concat */
        size_t parts = rnd(1, 4), sizes[4], outer = rnd(1, 5), inner = rnd(1, 40), total = 0;
        for (size_t j = 0; j < parts; j++) total += sizes[j] = rnd(0, 3);
        float *cdy = frand(outer * total * inner, 1.0f);
        double *cdyd = widen(cdy, outer * total * inner);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1);
            grad g[4];
            float *got[4];
            double *want[4];
            for (size_t j = 0; j < parts; j++) {
                grad_make(&g[j], rnd(0, 4) != 0, outer * sizes[j] * inner, acc);
                got[j] = g[j].got;
                want[j] = g[j].want;
            }
            refb_concat_backward(parts, cdyd, sizes, outer, inner, want);
            dk_concat_backward(pools[pi], parts, cdy, sizes, outer, inner, got, acc);
            size_t bad = 0;
            for (size_t j = 0; j < parts; j++) bad += grad_check(&g[j], "concat backward", 0.0, 0.0, 1e-7);
            CHECK(bad == 0, "concat backward %zu parts outer %zu inner %zu pool%d acc%d: %zu wrong", parts, outer, inner,
                  pi, acc, bad);
        }
        free(cdy);
        free(cdyd);
        /* pad */
        size_t dims[4], pads[8], od = 1, nx = 1;
        for (int d = 0; d < 4; d++) {
            dims[d] = rnd(1, d < 2 ? 3 : 9);
            pads[d] = rnd(0, 2);
            pads[d + 4] = rnd(0, 2);
            od *= dims[d] + pads[d] + pads[d + 4];
            nx *= dims[d];
        }
        float *pdy = frand(od, 1.0f);
        double *pdyd = widen(pdy, od);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1);
            grad gx;
            grad_make(&gx, 1, nx, acc);
            refb_pad_backward(dims, pads, pdyd, gx.want);
            dk_pad_backward(pools[pi], dims, pads, pdy, gx.got, acc);
            size_t bad = grad_check(&gx, "pad backward", 0.0, 0.0, 1e-7);
            CHECK(bad == 0, "pad backward pool%d acc%d: %zu wrong", pi, acc, bad);
        }
        free(pdy);
        free(pdyd);
    }
}

TEST(softmax_cross_entropy_random) {
    for (int i = 0; i < 40; i++) {
        const size_t n = rnd(1, 20), classes = i == 0 ? 5000 : rnd(1, 100);
        const float eps = rnd(0, 1) ? 0.0f : (float)rnd(1, 30) * 0.01f;
        float *logits = frand(n * classes, 6.0f);
        int32_t *labels = malloc(n * sizeof(int32_t));
        for (size_t r = 0; r < n; r++) labels[r] = rnd(0, 5) == 0 ? -100 : (int32_t)rnd(0, classes - 1);
        size_t counted = 0;
        for (size_t r = 0; r < n; r++) counted += labels[r] >= 0;
        double *ld = widen(logits, n * classes);
        for (int pi = 0; pi < 2; pi++) {
            const int acc = (int)rnd(0, 1), with_grad = rnd(0, 4) != 0;
            grad gl;
            grad_make(&gl, with_grad, n * classes, acc);
            double *want_grad = dalloc(n * classes);
            const double want = refb_softmax_cross_entropy(n, classes, ld, labels, eps, want_grad);
            if (gl.on) memcpy(gl.want, want_grad, n * classes * sizeof(double));
            size_t wsn = dk_softmax_cross_entropy_workspace_floats(n, classes, dk_pool_threads(pools[pi]));
            float *ws = falloc(wsn);
            const float loss =
                dk_softmax_cross_entropy(pools[pi], n, classes, logits, labels, eps, gl.got, acc, ws);
            if (counted == 0)
                CHECK(isnan(loss), "every row ignored: the loss is NaN (0/0), got %g", (double)loss);
            else
                CHECK(fabs((double)loss - want) <= 1e-5 * fabs(want) + 1e-7, "loss %.9g want %.9g (n%zu C%zu eps %g)",
                      (double)loss, want, n, classes, (double)eps);
            size_t bad = grad_check(&gl, "cross-entropy dlogits", 0.0, counted ? 1e-6 / (double)counted : 0.0, 1e-5);
            CHECK(bad == 0, "cross-entropy dlogits n%zu C%zu eps %g pool%d acc%d: %zu wrong", n, classes, (double)eps,
                  pi, acc, bad);
            free(want_grad);
            free(ws);
        }
        free(logits);
        free(labels);
        free(ld);
    }
    /* an out-of-range label makes the loss and its row NaN */
    float logits[6] = {1, 2, 3, 4, 5, 6}, d[6];
    int32_t labels[2] = {1, 3};
    float *ws = falloc(dk_softmax_cross_entropy_workspace_floats(2, 3, 1));
    float loss = dk_softmax_cross_entropy(NULL, 2, 3, logits, labels, 0.0f, d, 0, ws);
    CHECK(isnan(loss) && !isnan(d[0]) && isnan(d[3]), "label 3 of 3 classes: NaN loss (%g), NaN row", (double)loss);
    free(ws);
}

/* ==== (3) batch norm training forward against its definition ==================== */

TEST(batch_norm_train_forward_definition) {
    for (int i = 0; i < 40; i++) {
        const size_t n = rnd(1, 4), c = rnd(1, 8), inner = rnd(i % 4 == 0 ? 1 : 2, i == 0 ? 20000 : 80);
        if (n * inner < 2) continue;
        const size_t count = n * c * inner;
        const float eps = (float)rnd(1, 100) * 1e-5f, momentum = (float)rnd(1, 9) * 0.1f;
        float *x = frand(count, 2.0f);
        const float offset = (float)rnd(0, 20);
        for (size_t j = 0; j < count; j++) x[j] += offset; /* a mean far from 0 */
        float *gamma = rnd(0, 3) ? frand(c, 2.0f) : NULL, *beta = rnd(0, 3) ? frand(c, 1.0f) : NULL;
        float *rm = frand(c, 1.0f), *rv = frand(c, 1.0f);
        for (size_t ch = 0; ch < c; ch++) rv[ch] = fabsf(rv[ch]) + 0.5f;
        double *xd = widen(x, count), *gd = widen(gamma, c), *bd = widen(beta, c);
        double *yd = dalloc(count), *md = dalloc(c), *vd = dalloc(c);
        refb_batch_norm_train_forward(n, c, inner, xd, gd, bd, eps, yd, md, vd);
        for (int pi = 0; pi < 2; pi++) {
            const int inplace = (int)rnd(0, 1), stats = (int)rnd(0, 3);
            float *y = falloc(count), *mean = falloc(c), *invstd = falloc(c);
            float *rm2 = falloc(c), *rv2 = falloc(c);
            memcpy(rm2, rm, c * sizeof(float));
            memcpy(rv2, rv, c * sizeof(float));
            if (inplace) memcpy(y, x, count * sizeof(float));
            dk_batch_norm_train_forward(pools[pi], n, c, inner, inplace ? y : x, gamma, beta, eps, momentum,
                                        stats ? rm2 : NULL, stats ? rv2 : NULL, mean, invstd, y);
            size_t bad = 0;
            for (size_t j = 0; j < count; j++) {
                const size_t ch = j / inner % c;
                const double bound = 1e-5 * (fabs(yd[j]) + (bd ? fabs(bd[ch]) : 0.0) + 1.0);
                if (!(fabs((double)y[j] - yd[j]) <= bound)) {
                    if (bad < 3) fprintf(stderr, "    y[%zu] %.9g want %.9g\n", j, (double)y[j], yd[j]);
                    bad++;
                }
            }
            const double N = (double)(n * inner);
            for (size_t ch = 0; ch < c; ch++) {
                const double want_is = 1.0 / sqrt(vd[ch] + eps);
                if (!(fabs((double)mean[ch] - md[ch]) <= 1e-6 * (fabs(md[ch]) + 1.0))) bad++;
                if (!(fabs((double)invstd[ch] - want_is) <= 1e-5 * want_is)) bad++;
                if (stats) {
                    const double wm = (1.0 - momentum) * rm[ch] + (double)momentum * md[ch];
                    const double wv = (1.0 - momentum) * rv[ch] + (double)momentum * vd[ch] * N / (N - 1.0);
                    if (!(fabs((double)rm2[ch] - wm) <= 1e-5 * (fabs(wm) + 1e-3))) bad++;
                    if (!(fabs((double)rv2[ch] - wv) <= 1e-5 * fabs(wv))) bad++;
                } else {
                    if (!(rm2[ch] == rm[ch] && rv2[ch] == rv[ch])) bad++;
                }
            }
            CHECK(bad == 0, "batch_norm train forward n%zu c%zu inner%zu gamma%d beta%d stats%d inplace%d pool%d: %zu wrong",
                  n, c, inner, gamma != NULL, beta != NULL, stats, inplace, pi, bad);
            free(y);
            free(mean);
            free(invstd);
            free(rm2);
            free(rv2);
        }
        free(x);
        free(gamma);
        free(beta);
        free(rm);
        free(rv);
        free(xd);
        free(gd);
        free(bd);
        free(yd);
        free(md);
        free(vd);
    }
}

/* ==== (2) finite differences of the references ====================================== */

typedef double (*loss_fn)(void *ctx);

#define FD_H 1e-5
#define FD_TOL 1e-6

/* Central differences of loss() in each v[i] against grad[i]; returns the failures. */
static size_t fd_check(const char *what, loss_fn loss, void *ctx, double *v, size_t n, const double *grad_) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const double save = v[i];
        v[i] = save + FD_H;
        const double lp = loss(ctx);
        v[i] = save - FD_H;
        const double lm = loss(ctx);
        v[i] = save;
        const double fd = (lp - lm) / (2.0 * FD_H);
        if (!(fabs(fd - grad_[i]) <= FD_TOL * (1.0 + fabs(grad_[i])))) {
            if (bad < 3) fprintf(stderr, "    %s: element %zu finite difference %.12g, reference %.12g\n", what, i, fd, grad_[i]);
            bad++;
        }
    }
    return bad;
}

static double dot_d(const double *a, const double *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Whether a float-input forward of ref_ops.c and the double forward agree (1e-12 relative). */
static size_t same_forward(const double *a, const double *b, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= 1e-12 * (1.0 + fabs(a[i])) || (isnan(a[i]) && isnan(b[i])) || a[i] == b[i])) bad++;
    return bad;
}

/* Doubles that are exactly floats (so that ref_ops.c's float-input forwards see the same values). */
static double *drand_f(size_t n, double scale) {
    double *d = dalloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (double)(test_rng_float(&rng) * (float)scale);
    return d;
}

static float *to_f(const double *d, size_t n) {
    float *f = falloc(n);
    for (size_t i = 0; i < n; i++) f[i] = (float)d[i];
    return f;
}

typedef struct conv_fd {
    const dk_conv2d_params *p;
    int transposed;
    double *x, *w, *b, *dy, *y;
    size_t ny;
} conv_fd;

static double conv_loss(void *ctx) {
    conv_fd *c = ctx;
    if (c->transposed)
        refb_conv_transpose2d_forward(c->p, c->x, c->w, c->b, c->y);
    else
        refb_conv2d_forward(c->p, c->x, c->w, c->b, c->y);
    return dot_d(c->dy, c->y, c->ny);
}

static void fd_conv(int transposed, int cases) {
    for (int i = 0; i < cases; i++) {
        dk_conv2d_params p;
        random_conv(&p, transposed);
        p.n = rnd(1, 2);
        p.h = rnd(1, 6);
        p.w = rnd(1, 6);
        p.kh = rnd(1, 3);
        p.kw = rnd(1, 3);
        p.activation = DK_ACT_NONE;
        if ((transposed ? dk_conv_transpose2d_infer(&p) : dk_conv2d_infer(&p)) != 0) {
            i--;
            continue;
        }
        const size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.m * p.ho * p.wo;
        const size_t nw = transposed ? p.c * (p.m / p.groups) * p.kh * p.kw : p.m * (p.c / p.groups) * p.kh * p.kw;
        conv_fd c = {&p, transposed, drand_f(nx, 1.0), drand_f(nw, 1.0), drand_f(p.m, 1.0), drand_(ny, 1.0), dalloc(ny), ny};
        double *dx = dalloc(nx), *dw = dalloc(nw), *db = dalloc(p.m);
        if (transposed)
            refb_conv_transpose2d_backward(&p, c.x, c.w, c.dy, dx, dw, db, NULL, NULL, NULL);
        else
            refb_conv2d_backward(&p, c.x, c.w, c.dy, dx, dw, db, NULL, NULL, NULL);
        const char *name = transposed ? "conv_transpose2d" : "conv2d";
        size_t bad = fd_check(name, conv_loss, &c, c.x, nx, dx) + fd_check(name, conv_loss, &c, c.w, nw, dw) +
                     fd_check(name, conv_loss, &c, c.b, p.m, db);
        /* the double forward is ref_ops.c's forward */
        float *xf = to_f(c.x, nx), *wf = to_f(c.w, nw), *bf = to_f(c.b, p.m);
        double *yf = dalloc(ny);
        if (transposed)
            refop_conv_transpose2d(&p, xf, wf, bf, yf, NULL);
        else
            refop_conv2d(&p, xf, wf, bf, yf, NULL);
        (void)conv_loss(&c);
        size_t diff = same_forward(yf, c.y, ny);
        CHECK(bad == 0 && diff == 0,
              "%s finite differences: %zu wrong, forward differs in %zu (n%zu c%zu h%zu w%zu m%zu k%zux%zu s%zu,%zu d%zu,%zu "
              "pad %zu,%zu,%zu,%zu op %zu,%zu g%zu)",
              name, bad, diff, p.n, p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.pb, p.pr, p.oph,
              p.opw, p.groups);
        free(c.x);
        free(c.w);
        free(c.b);
        free(c.dy);
        free(c.y);
        free(dx);
        free(dw);
        free(db);
        free(xf);
        free(wf);
        free(bf);
        free(yf);
    }
}

TEST(fd_conv2d) { fd_conv(0, 25); }
TEST(fd_conv_transpose2d) { fd_conv(1, 25); }

typedef struct dense_fd {
    size_t n, k, m;
    double *x, *w, *b, *dy, *y;
} dense_fd;

static double dense_loss(void *ctx) {
    dense_fd *d = ctx;
    refb_dense_forward(d->n, d->k, d->m, d->x, d->w, d->b, d->y);
    return dot_d(d->dy, d->y, d->n * d->m);
}

TEST(fd_dense) {
    for (int i = 0; i < 10; i++) {
        dense_fd d = {rnd(1, 4), rnd(1, 9), rnd(1, 6), NULL, NULL, NULL, NULL, NULL};
        d.x = drand_f(d.n * d.k, 1.0), d.w = drand_f(d.m * d.k, 1.0), d.b = drand_f(d.m, 1.0);
        d.dy = drand_(d.n * d.m, 1.0), d.y = dalloc(d.n * d.m);
        double *dx = dalloc(d.n * d.k), *dw = dalloc(d.m * d.k), *db = dalloc(d.m);
        refb_dense_backward(d.n, d.k, d.m, d.x, d.w, d.dy, dx, dw, db, NULL, NULL, NULL);
        size_t bad = fd_check("dense", dense_loss, &d, d.x, d.n * d.k, dx) +
                     fd_check("dense", dense_loss, &d, d.w, d.m * d.k, dw) + fd_check("dense", dense_loss, &d, d.b, d.m, db);
        float *xf = to_f(d.x, d.n * d.k), *wf = to_f(d.w, d.m * d.k), *bf = to_f(d.b, d.m);
        double *yf = dalloc(d.n * d.m);
        refop_dense(d.n, d.k, d.m, xf, wf, bf, DK_ACT_NONE, 0.0, yf, NULL);
        (void)dense_loss(&d);
        size_t diff = same_forward(yf, d.y, d.n * d.m);
        CHECK(bad == 0 && diff == 0, "dense finite differences: %zu wrong, forward differs in %zu", bad, diff);
        free(d.x), free(d.w), free(d.b), free(d.dy), free(d.y), free(dx), free(dw), free(db);
        free(xf), free(wf), free(bf), free(yf);
    }
}

typedef struct pool_fd {
    const dk_pool2d_params *p;
    int kind; /* 0 max, 1 avg, 2 global */
    double *x, *dy, *y;
    size_t ny;
} pool_fd;

static double pool_loss(void *ctx) {
    pool_fd *c = ctx;
    if (c->kind == 0)
        refb_max_pool2d_forward(c->p, c->x, c->y);
    else if (c->kind == 1)
        refb_avg_pool2d_forward(c->p, c->x, c->y);
    else
        refb_global_avg_pool_forward(c->p->n, c->p->c, c->p->h * c->p->w, c->x, c->y);
    return dot_d(c->dy, c->y, c->ny);
}

TEST(fd_pools) {
    for (int i = 0; i < 60; i++) {
        dk_pool2d_params p;
        if (random_pool(&p) != 0) continue;
        const int kind = i % 3;
        const size_t nx = p.n * p.c * p.h * p.w, ny = kind == 2 ? p.n * p.c : p.n * p.c * p.ho * p.wo;
        pool_fd c = {&p, kind, dalloc(nx), drand_(ny, 1.0), dalloc(ny), ny};
        /* distinct values at least 1e-3 apart (a shuffled ramp), exactly floats */
        for (size_t j = 0; j < nx; j++) c.x[j] = (double)j * 0.0078125 - 1.0;
        for (size_t j = nx; j > 1; j--) {
            size_t r = rnd(0, j - 1);
            double t = c.x[j - 1];
            c.x[j - 1] = c.x[r];
            c.x[r] = t;
        }
        double *dx = dalloc(nx);
        if (kind == 0)
            refb_max_pool2d_backward(&p, c.x, c.dy, dx);
        else if (kind == 1)
            refb_avg_pool2d_backward(&p, c.dy, dx);
        else
            refb_global_avg_pool_backward(p.n, p.c, p.h * p.w, c.dy, dx);
        size_t bad = fd_check("pool", pool_loss, &c, c.x, nx, dx);
        float *xf = to_f(c.x, nx);
        double *yf = dalloc(ny);
        if (kind == 0)
            refop_max_pool2d(&p, xf, yf);
        else if (kind == 1)
            refop_avg_pool2d(&p, xf, yf);
        else
            refop_global_avg_pool(p.n, p.c, p.h * p.w, xf, yf);
        (void)pool_loss(&c);
        size_t diff = same_forward(yf, c.y, ny);
        CHECK(bad == 0 && diff == 0, "pool kind %d finite differences: %zu wrong, forward differs in %zu (h%zu w%zu k%zux%zu s%zu,%zu ceil%d cip%d)",
              kind, bad, diff, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ceil_mode, p.count_include_pad);
        free(c.x), free(c.dy), free(c.y), free(dx), free(xf), free(yf);
    }
}

typedef struct act_fd {
    dk_activation act;
    double alpha, *x, *dy;
    size_t n;
} act_fd;

static double act_loss(void *ctx) {
    act_fd *a = ctx;
    double s = 0.0;
    for (size_t i = 0; i < a->n; i++) s += a->dy[i] * refb_act(a->act, a->alpha, a->x[i]);
    return s;
}

TEST(fd_activations) {
    for (int a = 0; a <= 5; a++) {
        act_fd c = {(dk_activation)a, 0.13, drand_f(200, 8.0), drand_(200, 1.0), 200};
        for (size_t i = 0; i < c.n; i++) { /* keep away from the kinks at 0 and 6 */
            if (fabs(c.x[i]) < 1e-2) c.x[i] += 0.05;
            if (fabs(c.x[i] - 6.0) < 1e-2) c.x[i] += 0.05;
        }
        double *dx = dalloc(c.n), *yf = dalloc(c.n);
        for (size_t i = 0; i < c.n; i++) dx[i] = c.dy[i] * refb_act_grad(c.act, c.alpha, c.x[i]);
        size_t bad = fd_check("activation", act_loss, &c, c.x, c.n, dx), diff = 0;
        for (size_t i = 0; i < c.n; i++)
            if (!(fabs(refop_act(c.act, c.alpha, c.x[i]) - refb_act(c.act, c.alpha, c.x[i])) <= 1e-15)) diff++;
        CHECK(bad == 0 && diff == 0, "activation %d finite differences: %zu wrong, forward differs in %zu", a, bad, diff);
        free(c.x), free(c.dy), free(dx), free(yf);
    }
}

typedef struct norm_fd {
    int kind; /* 0 softmax, 1 lrn, 2 channel affine, 3 batch norm */
    size_t a, b, c; /* softmax: outer, axis, inner; others: n, c, inner (hw) */
    size_t size;
    double alpha, beta, k, eps;
    double *x, *p1, *p2, *dy, *y;
    size_t count;
} norm_fd;

static double norm_loss(void *ctx) {
    norm_fd *f = ctx;
    switch (f->kind) {
    case 0: refb_softmax_forward(f->a, f->b, f->c, f->x, f->y); break;
    case 1: refb_lrn_forward(f->a, f->b, f->c, f->size, f->alpha, f->beta, f->k, f->x, f->y); break;
    case 2: refb_channel_affine_forward(f->a, f->b, f->c, f->p1, f->p2, f->x, f->y); break;
    default: refb_batch_norm_train_forward(f->a, f->b, f->c, f->x, f->p1, f->p2, f->eps, f->y, NULL, NULL); break;
    }
    return dot_d(f->dy, f->y, f->count);
}

TEST(fd_normalisations) {
    for (int i = 0; i < 32; i++) {
        norm_fd f;
        memset(&f, 0, sizeof f);
        f.kind = i % 4;
        f.a = rnd(1, 3), f.b = rnd(1, 7), f.c = rnd(1, 5);
        if (f.kind == 3 && f.a * f.c < 2) f.c = 2;
        f.size = rnd(1, 5), f.alpha = 0.1 + (double)rnd(0, 9) * 0.1, f.beta = 0.75, f.k = 1.0 + (double)rnd(0, 2);
        f.eps = 1e-3;
        f.count = f.a * f.b * f.c;
        f.x = drand_f(f.count, 2.0), f.dy = drand_(f.count, 1.0), f.y = dalloc(f.count);
        f.p1 = drand_f(f.b, 2.0), f.p2 = drand_f(f.b, 1.0);
        double *dx = dalloc(f.count), *d1 = dalloc(f.b), *d2 = dalloc(f.b);
        size_t bad = 0, diff = 0;
        double *yf = dalloc(f.count);
        float *xf = to_f(f.x, f.count), *p1f = to_f(f.p1, f.b), *p2f = to_f(f.p2, f.b);
        (void)norm_loss(&f);
        switch (f.kind) {
        case 0:
            refb_softmax_backward(f.a, f.b, f.c, f.x, f.dy, dx);
            refop_softmax(f.a, f.b, f.c, xf, yf);
            break;
        case 1:
            refb_lrn_backward(f.a, f.b, f.c, f.size, f.alpha, f.beta, f.k, f.x, f.dy, dx);
            refop_lrn(f.a, f.b, f.c, f.size, f.alpha, f.beta, f.k, xf, yf);
            break;
        case 2:
            refb_channel_affine_backward(f.a, f.b, f.c, f.x, f.p1, f.dy, dx, d1, d2);
            refop_channel_affine(f.a, f.b, f.c, p1f, p2f, xf, yf);
            break;
        default:
            refb_batch_norm_backward(f.a, f.b, f.c, f.x, f.p1, f.eps, f.dy, dx, d1, d2);
            memcpy(yf, f.y, f.count * sizeof(double)); /* no float-input batch norm in ref_ops.c */
            break;
        }
        diff = same_forward(yf, f.y, f.count);
        bad += fd_check("normalisation dx", norm_loss, &f, f.x, f.count, dx);
        if (f.kind >= 2) {
            bad += fd_check("normalisation dscale/dgamma", norm_loss, &f, f.p1, f.b, d1);
            bad += fd_check("normalisation dshift/dbeta", norm_loss, &f, f.p2, f.b, d2);
        }
        CHECK(bad == 0 && diff == 0, "kind %d (%zux%zux%zu size %zu) finite differences: %zu wrong, forward differs in %zu",
              f.kind, f.a, f.b, f.c, f.size, bad, diff);
        free(f.x), free(f.dy), free(f.y), free(f.p1), free(f.p2), free(dx), free(d1), free(d2);
        free(yf), free(xf), free(p1f), free(p2f);
    }
}

typedef struct copy_fd {
    int kind; /* 0 concat, 1 pad */
    size_t count, sizes[3], outer, inner;
    double *in[3];
    size_t dims[4], pads[8];
    double *dy, *y;
    size_t ny;
} copy_fd;

static double copy_loss(void *ctx) {
    copy_fd *c = ctx;
    if (c->kind == 0)
        refb_concat_forward(c->count, (const double *const *)c->in, c->sizes, c->outer, c->inner, c->y);
    else
        refb_pad_forward(c->dims, c->pads, 0.5, c->in[0], c->y);
    return dot_d(c->dy, c->y, c->ny);
}

TEST(fd_concat_pad_add) {
    for (int i = 0; i < 10; i++) {
        copy_fd c;
        memset(&c, 0, sizeof c);
        c.kind = i % 2;
        size_t nin[3] = {0, 0, 0};
        if (c.kind == 0) {
            c.count = 3, c.outer = rnd(1, 3), c.inner = rnd(1, 4);
            for (int j = 0; j < 3; j++) c.ny += (nin[j] = c.outer * (c.sizes[j] = rnd(0, 3)) * c.inner);
        } else {
            c.count = 1;
            nin[0] = 1, c.ny = 1;
            for (int d = 0; d < 4; d++) {
                c.dims[d] = rnd(1, 3), c.pads[d] = rnd(0, 2), c.pads[d + 4] = rnd(0, 2);
                nin[0] *= c.dims[d];
                c.ny *= c.dims[d] + c.pads[d] + c.pads[d + 4];
            }
        }
        c.dy = drand_(c.ny, 1.0), c.y = dalloc(c.ny);
        double *g[3] = {NULL, NULL, NULL};
        for (size_t j = 0; j < c.count; j++) c.in[j] = drand_f(nin[j], 1.0), g[j] = dalloc(nin[j]);
        if (c.kind == 0)
            refb_concat_backward(c.count, c.dy, c.sizes, c.outer, c.inner, g);
        else
            refb_pad_backward(c.dims, c.pads, c.dy, g[0]);
        size_t bad = 0;
        for (size_t j = 0; j < c.count; j++) bad += fd_check(c.kind ? "pad" : "concat", copy_loss, &c, c.in[j], nin[j], g[j]);
        /* against ref_ops.c's forwards */
        double *yf = dalloc(c.ny);
        float *inf[3] = {NULL, NULL, NULL};
        for (size_t j = 0; j < c.count; j++) inf[j] = to_f(c.in[j], nin[j]);
        if (c.kind == 0)
            refop_concat(c.count, (const float *const *)inf, c.sizes, c.outer, c.inner, yf);
        else
            refop_pad(c.dims, c.pads, 0.5, inf[0], yf);
        (void)copy_loss(&c);
        size_t diff = same_forward(yf, c.y, c.ny);
        CHECK(bad == 0 && diff == 0, "%s finite differences: %zu wrong, forward differs in %zu", c.kind ? "pad" : "concat",
              bad, diff);
        for (size_t j = 0; j < c.count; j++) free(c.in[j]), free(g[j]), free(inf[j]);
        free(c.dy), free(c.y), free(yf);
    }
    /* add: y = a + b, so dL/da = dL/db = dy, which dk_add_backward's test compares against */
    double a[5], b[5], dy[5], ones[5];
    for (int j = 0; j < 5; j++) a[j] = test_rng_float(&rng), b[j] = test_rng_float(&rng), dy[j] = test_rng_float(&rng), ones[j] = dy[j];
    size_t bad = 0;
    for (int j = 0; j < 5; j++) {
        double l0 = 0.0, l1 = 0.0;
        for (int t = 0; t < 5; t++) {
            l0 += dy[t] * (a[t] + (t == j ? FD_H : 0.0) + b[t]);
            l1 += dy[t] * (a[t] - (t == j ? FD_H : 0.0) + b[t]);
        }
        if (!(fabs((l0 - l1) / (2 * FD_H) - ones[j]) <= FD_TOL)) bad++;
    }
    CHECK(bad == 0, "add finite differences: %zu wrong", bad);
}

typedef struct ce_fd {
    size_t n, classes;
    double *logits, eps;
    const int32_t *labels;
} ce_fd;

static double ce_loss(void *ctx) {
    ce_fd *c = ctx;
    return refb_softmax_cross_entropy(c->n, c->classes, c->logits, c->labels, c->eps, NULL);
}

TEST(fd_softmax_cross_entropy) {
    for (int i = 0; i < 12; i++) {
        ce_fd c = {rnd(1, 6), rnd(1, 9), NULL, i % 3 == 0 ? 0.0 : (double)rnd(1, 30) * 0.01, NULL};
        int32_t labels[6];
        for (size_t r = 0; r < c.n; r++) labels[r] = (r == 1 && i % 2) ? -100 : (int32_t)rnd(0, c.classes - 1);
        c.labels = labels;
        c.logits = drand_f(c.n * c.classes, 4.0);
        double *g = dalloc(c.n * c.classes);
        (void)refb_softmax_cross_entropy(c.n, c.classes, c.logits, labels, c.eps, g);
        size_t bad = fd_check("cross-entropy", ce_loss, &c, c.logits, c.n * c.classes, g);
        /* the loss against log_softmax written out directly */
        double nll = 0.0, smooth = 0.0;
        size_t counted = 0;
        for (size_t r = 0; r < c.n; r++) {
            if (labels[r] < 0) continue;
            counted++;
            double s = 0.0;
            for (size_t k = 0; k < c.classes; k++) s += exp(c.logits[r * c.classes + k]);
            for (size_t k = 0; k < c.classes; k++) {
                double logp = c.logits[r * c.classes + k] - log(s);
                if ((size_t)labels[r] == k) nll -= logp;
                smooth -= logp / (double)c.classes;
            }
        }
        double want = ((1.0 - c.eps) * nll + c.eps * smooth) / (double)counted;
        double got = ce_loss(&c);
        CHECK(bad == 0 && fabs(got - want) <= 1e-12 * (1.0 + fabs(want)),
              "cross-entropy finite differences: %zu wrong; loss %.15g, direct %.15g", bad, got, want);
        free(c.logits), free(g);
    }
}

int main(void) {
    pools[0] = NULL;
    pools[1] = dk_pool_create(2);
    if (pools[1] == NULL) {
        fprintf(stderr, "cannot create a 2-thread pool\n");
        return 1;
    }
    /* (2) the oracles, once: they do not depend on the ISA */
    RUN(fd_conv2d);
    RUN(fd_conv_transpose2d);
    RUN(fd_dense);
    RUN(fd_pools);
    RUN(fd_activations);
    RUN(fd_normalisations);
    RUN(fd_concat_pad_add);
    RUN(fd_softmax_cross_entropy);
    const dk_isa isas[] = {DK_ISA_SCALAR, DK_ISA_AVX2, DK_ISA_AVX512, DK_ISA_NEON};
    const dk_isa initial = dk_isa_active();
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!dk_isa_supported(isas[i])) continue;
        if (dk_isa_force(isas[i]) != 0) continue;
        isa_now = dk_isa_name(isas[i]);
        RUN(conv2d_backward_random);
        RUN(conv2d_backward_paths);
        RUN(conv_transpose2d_backward_random);
        RUN(conv_transpose2d_backward_paths);
        RUN(dense_backward_random);
        RUN(pool2d_backward_random);
        RUN(max_pool2d_backward_argmax_rule);
        RUN(global_avg_pool_backward_random);
        RUN(activation_backward_all);
        RUN(softmax_backward_random);
        RUN(lrn_backward_random);
        RUN(channel_affine_backward_random);
        RUN(batch_norm_train_forward_definition);
        RUN(batch_norm_backward_random);
        RUN(add_concat_pad_backward_random);
        RUN(softmax_cross_entropy_random);
    }
    dk_isa_force(initial);
    dk_pool_free(pools[1]);
    return test_summary("ops_backward");
}

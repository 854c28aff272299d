/*
 * dk_sgemm against dk_sgemm_reference: random shapes (1, primes, sizes either
 * side of every ISA's mr / nr / kc / mc / nc), all four transposes, alpha and
 * beta (beta 0 over a NaN-filled C), every epilogue, padded leading
 * dimensions, pools of 1 (NULL), 2 and 3 threads, workspace supplied and not,
 * for every ISA this machine supports (each forced in turn); and the same
 * product through dk_sgemm_pack_a + dk_sgemm_packed (A packed under each
 * ISA) and through dk_sgemm_implicit (B filled panel by panel by a callback,
 * as an implicit-GEMM convolution fills it), which must match dk_sgemm bit
 * for bit.
 *
 * Tolerance. The kernels accumulate in fp32 over k (in k blocks), the oracle
 * in double, so the classic bound for a dot product of length k applies:
 *   |err| <= gamma_k * (|alpha| * sum_p |a_ip| |b_pj|) + rounding of the
 *            alpha / beta / bias fold, gamma_k = k u / (1 - k u), u = 2^-24.
 * We allow twice that, over (|alpha| S + |beta c| + |bias|), plus 1e-6
 * absolute; the activations that follow are 1-Lipschitz (leaky relu:
 * max(1, |slope|)) and are computed by the same scalar functions, so the
 * bound carries through with a few ulps of slack for expf / tanhf.
 */
#include <stdint.h>

#include "test.h"
#include "kernels.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static size_t rnd(size_t n) { return (size_t)(test_rng_next(&rng) % n); }

/* 64-byte aligned, like the runtime's arena: B rows can then start on cache lines. */
static float *alloc_floats(size_t n) {
    float *p = aligned_alloc(64, ((n ? n : 1) * sizeof(float) + 63) / 64 * 64);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static void fill(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = test_rng_float(&rng);
}

typedef struct gemm_case {
    int ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    int bias_kind; /* 0 none, 1 per row, 2 per column */
    dk_activation act;
    float slope;
} gemm_case;

/* An implicit B that reads op(B) from a plain matrix, cell by cell, into the GEMM's panels. */
typedef struct matrix_source {
    const float *b;
    size_t ldb;
    int tb;
} matrix_source;

static void matrix_fill(const void *context, size_t p0, size_t j0, size_t j1, const dk_sgemm_panels *out) {
    const matrix_source *m = context;
    for (size_t r = 0; r < out->kc; r++)
        for (size_t c = 0; c < j1 - j0; c++) {
            size_t p = p0 + r, j = j0 + c;
            dk_sgemm_panel_row(out, c / out->nr, r)[c % out->nr] = m->tb ? m->b[j * m->ldb + p] : m->b[p * m->ldb + j];
        }
}

static dk_pool *pools[3];
static const int pool_threads[3] = {1, 2, 3};
static int isas[4], n_isas;
static long cases_run, calls_run;

/* One case: the oracle once, then dk_sgemm for every ISA x pool x workspace mode. */
static void run_case(const gemm_case *t) {
    size_t arows = t->ta ? t->k : t->m, acols = t->ta ? t->m : t->k;
    size_t brows = t->tb ? t->n : t->k, bcols = t->tb ? t->k : t->n;
    size_t asz = arows ? (arows - 1) * t->lda + acols : 0;
    size_t bsz = brows ? (brows - 1) * t->ldb + bcols : 0;
    size_t csz = t->m ? t->m * t->ldc : 0;
    float *a = alloc_floats(asz), *b = alloc_floats(bsz);
    float *absa = alloc_floats(asz), *absb = alloc_floats(bsz);
    float *c0 = alloc_floats(csz), *want = alloc_floats(csz), *mag = alloc_floats(csz);
    float *got = alloc_floats(csz), *first = alloc_floats(csz);
    size_t nbias = t->bias_kind == 2 ? t->n : t->m;
    float *bias = alloc_floats(nbias);
    fill(a, asz);
    fill(b, bsz);
    fill(bias, nbias);
    for (size_t i = 0; i < asz; i++) absa[i] = fabsf(a[i]);
    for (size_t i = 0; i < bsz; i++) absb[i] = fabsf(b[i]);
    if (t->beta == 0.0f) {
        for (size_t i = 0; i < csz; i++) c0[i] = NAN; /* beta == 0 must not read C */
    } else {
        fill(c0, csz);
    }
    /* Padding columns of C (j >= n) must come back untouched. */
    for (size_t i = 0; i < t->m; i++)
        for (size_t j = t->n; j < t->ldc; j++) c0[i * t->ldc + j] = 12345.0f;

    dk_epilogue ep = {NULL, t->bias_kind == 2, t->act, t->slope};
    if (t->bias_kind) ep.bias = bias;
    const dk_epilogue *epp = (t->bias_kind || t->act != DK_ACT_NONE || rnd(2)) ? &ep : NULL;

    memcpy(want, c0, csz * sizeof(float));
    dk_sgemm_reference(t->ta, t->tb, t->m, t->n, t->k, t->alpha, a, t->lda, b, t->ldb, t->beta, want,
                       t->ldc, epp);
    /* sum_p |a_ip| |b_pj| for the bound. */
    dk_sgemm_reference(t->ta, t->tb, t->m, t->n, t->k, 1.0f, absa, t->lda, absb, t->ldb, 0.0f, mag,
                       t->ldc, NULL);
    double gamma = 2.0 * ((double)t->k + 4.0) * 5.9604644775390625e-08;
    double lip = t->act == DK_ACT_LEAKY_RELU && fabsf(t->slope) > 1.0f ? fabsf(t->slope) : 1.0;

    for (int ii = 0; ii < n_isas; ii++) {
        dk_isa_force((dk_isa)isas[ii]);
        int have_first = 0;
        for (int pi = 0; pi < 3; pi++) {
            /* 2: pre-packed A; 3: implicit B (A pre-packed when transposed); both with a workspace */
            for (int ws_mode = 0; ws_mode < 4; ws_mode++) {
                size_t wsf = dk_sgemm_workspace_floats(t->m, t->n, t->k, pool_threads[pi]);
                float *ws = NULL;
                size_t guard = 64;
                if (ws_mode) {
                    size_t bytes = ((wsf + guard) * sizeof(float) + 63) / 64 * 64;
                    ws = aligned_alloc(64, bytes);
                    if (ws == NULL) exit(2);
                    for (size_t i = 0; i < wsf + guard; i++) ws[i] = NAN;
                }
                memcpy(got, c0, csz * sizeof(float));
                int rc;
                float *packed = NULL;
                if (ws_mode == 2 || (ws_mode == 3 && t->ta)) {
                    size_t pf = dk_sgemm_packed_a_floats(t->m, t->k);
                    packed = alloc_floats(pf + guard);
                    for (size_t i = 0; i < pf + guard; i++) packed[i] = NAN;
                    dk_sgemm_pack_a(t->ta, t->m, t->k, a, t->lda, packed);
                    int intact = 1;
                    for (size_t i = pf; i < pf + guard; i++) intact &= isnan(packed[i]) != 0;
                    CHECK(intact, "dk_sgemm_pack_a wrote past %zu floats", pf);
                }
                matrix_source ms = {b, t->ldb, t->tb};
                dk_sgemm_b_source src = {matrix_fill, &ms};
                if (ws_mode == 3) {
                    rc = dk_sgemm_implicit(pools[pi], packed ? NULL : a, t->lda, packed, &src, t->m, t->n, t->k,
                                           t->alpha, t->beta, got, t->ldc, epp, ws);
                } else if (ws_mode == 2) {
                    rc = dk_sgemm_packed(pools[pi], packed, t->tb, t->m, t->n, t->k, t->alpha, b, t->ldb, t->beta,
                                         got, t->ldc, epp, ws);
                } else {
                    rc = dk_sgemm(pools[pi], t->ta, t->tb, t->m, t->n, t->k, t->alpha, a, t->lda, b, t->ldb,
                                  t->beta, got, t->ldc, epp, ws);
                }
                free(packed);
                calls_run++;
                CHECK(rc == 0, "dk_sgemm returned %d", rc);
                if (ws_mode) {
                    int intact = 1;
                    for (size_t i = wsf; i < wsf + guard; i++) intact &= isnan(ws[i]) != 0;
                    CHECK(intact, "workspace overrun past %zu floats", wsf);
                    free(ws);
                }
                int bad = 0;
                for (size_t i = 0; i < t->m && bad < 3; i++) {
                    for (size_t j = 0; j < t->ldc && bad < 3; j++) {
                        size_t at = i * t->ldc + j;
                        if (j >= t->n) {
                            if (got[at] != 12345.0f) {
                                bad++;
                                CHECK(0, "padding C[%zu][%zu] overwritten", i, j);
                            }
                            continue;
                        }
                        double bterm = t->bias_kind ? fabs((double)bias[t->bias_kind == 2 ? j : i]) : 0.0;
                        double cterm = t->beta != 0.0f ? fabs((double)t->beta * c0[at]) : 0.0;
                        double tol = lip * gamma * (fabs((double)t->alpha) * mag[at] + cterm + bterm) +
                                     1e-6 + 4.0 * 1.1920929e-07 * fabs((double)want[at]);
                        double err = fabs((double)got[at] - (double)want[at]);
                        if (!(err <= tol)) {
                            bad++;
                            CHECK(0,
                                  "isa %s pool %d ws %d: ta %d tb %d m %zu n %zu k %zu lda %zu ldb %zu "
                                  "ldc %zu alpha %g beta %g bias %d act %d: C[%zu][%zu] = %.9g, want %.9g "
                                  "(tol %.3g)",
                                  dk_isa_name((dk_isa)isas[ii]), pool_threads[pi], ws_mode, t->ta, t->tb,
                                  t->m, t->n, t->k, t->lda, t->ldb, t->ldc, (double)t->alpha,
                                  (double)t->beta, t->bias_kind, (int)t->act, i, j, (double)got[at],
                                  (double)want[at], tol);
                        }
                    }
                }
                /* Same ISA: the result does not depend on the threads or the workspace, bit for bit. */
                if (!have_first) {
                    memcpy(first, got, csz * sizeof(float));
                    have_first = 1;
                } else {
                    int same = 1;
                    for (size_t i = 0; i < csz; i++)
                        if (memcmp(&first[i], &got[i], sizeof(float)) != 0) same = 0;
                    CHECK(same, "isa %s: pool %d ws %d differs bitwise from the serial result (m %zu n %zu k %zu)",
                          dk_isa_name((dk_isa)isas[ii]), pool_threads[pi], ws_mode, t->m, t->n, t->k);
                }
            }
        }
    }
    cases_run++;
    free(a);
    free(b);
    free(absa);
    free(absb);
    free(c0);
    free(want);
    free(mag);
    free(got);
    free(first);
    free(bias);
}

static const float alphas[] = {1.0f, -1.0f, 0.5f, 2.25f};
static const float betas[] = {0.0f, 1.0f, -0.75f, 0.5f};

static void random_case(gemm_case *t, size_t m, size_t n, size_t k) {
    t->ta = (int)rnd(2);
    t->tb = (int)rnd(2);
    t->m = m;
    t->n = n;
    t->k = k;
    size_t acols = t->ta ? m : k, bcols = t->tb ? k : n;
    t->lda = acols + (rnd(3) == 0 ? 1 + rnd(17) : 0);
    t->ldb = bcols + (rnd(3) == 0 ? 1 + rnd(17) : 0);
    t->ldc = n + (rnd(3) == 0 ? 1 + rnd(17) : 0);
    if (t->lda == 0) t->lda = 1;
    if (t->ldb == 0) t->ldb = 1;
    if (t->ldc == 0) t->ldc = 1;
    t->alpha = alphas[rnd(4)];
    t->beta = betas[rnd(4)];
    t->bias_kind = (int)rnd(3);
    t->act = (dk_activation)rnd(6);
    t->slope = rnd(2) ? 0.1f : 1.5f;
}

/* Sizes either side of the register tiles of every ISA (4, 6, 8, 12; 4, 8, 12, 16, 32). */
static const size_t small_sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 19,
                                     23, 24, 25, 29, 31, 32, 33, 37, 47, 48, 49, 61, 64, 65};

TEST(test_small_random_shapes) {
    size_t ns = sizeof small_sizes / sizeof small_sizes[0];
    for (int it = 0; it < 160; it++) {
        gemm_case t;
        random_case(&t, small_sizes[rnd(ns)], small_sizes[rnd(ns)], small_sizes[rnd(ns)]);
        run_case(&t);
    }
}

TEST(test_all_transposes_and_epilogues) {
    /* Every trans pair x bias kind x activation, on a shape with tails everywhere. */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int bk = 0; bk < 3; bk++)
                for (int act = 0; act < 6; act++) {
                    gemm_case t;
                    random_case(&t, 29, 45, 19);
                    t.ta = ta;
                    t.tb = tb;
                    t.lda = (ta ? t.m : t.k) + 3;
                    t.ldb = (tb ? t.k : t.n) + 5;
                    t.ldc = t.n + 2;
                    t.bias_kind = bk;
                    t.act = (dk_activation)act;
                    t.beta = (act & 1) ? 0.0f : 0.5f;
                    run_case(&t);
                }
}

TEST(test_block_boundaries) {
    /* k either side of kc (256, 384) and its multiples; m of mc (256, 480); n of nc (384, 512, 768). */
    static const size_t ks[] = {255, 256, 257, 383, 384, 385, 511, 513, 700, 767, 769};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        gemm_case t;
        random_case(&t, 13 + rnd(20), 37 + rnd(20), ks[i]);
        run_case(&t);
    }
    static const size_t ms[] = {255, 256, 257, 479, 480, 481, 503};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        gemm_case t;
        random_case(&t, ms[i], 1 + rnd(40), 1 + rnd(24));
        run_case(&t);
    }
    static const size_t nsz[] = {383, 384, 385, 511, 512, 513, 767, 768, 769, 1031};
    for (size_t i = 0; i < sizeof nsz / sizeof nsz[0]; i++) {
        gemm_case t;
        random_case(&t, 1 + rnd(30), nsz[i], 1 + rnd(24));
        run_case(&t);
    }
    /* All three at once. */
    gemm_case t;
    random_case(&t, 481, 385, 257);
    run_case(&t);

    /* Row-major B read in place (rows on cache lines, many A panels), and B
     * rows a power of two apart (packed instead), with tails in n. */
    static const size_t direct[][4] = {{300, 48, 300, 48}, {481, 100, 90, 112}, {200, 40, 70, 64},
                                       {150, 130, 60, 128}, {140, 70, 50, 256}, {129, 33, 40, 80}};
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
        random_case(&t, direct[i][0], direct[i][1], direct[i][2]);
        t.tb = 0;
        t.ldb = direct[i][3];
        run_case(&t);
    }
}

TEST(test_degenerate) {
    gemm_case t;
    /* k == 0: C = beta C, then the epilogue (beta 0 over NaN gives the epilogue of 0). */
    for (int i = 0; i < 24; i++) {
        random_case(&t, 1 + rnd(20), 1 + rnd(40), 0);
        t.lda = t.ldb = 1;
        run_case(&t);
    }
    /* alpha == 0: likewise. */
    for (int i = 0; i < 8; i++) {
        random_case(&t, 1 + rnd(20), 1 + rnd(40), 1 + rnd(40));
        t.alpha = 0.0f;
        run_case(&t);
    }
    /* m or n == 0: nothing happens, nothing is read. */
    for (int ii = 0; ii < n_isas; ii++) {
        dk_isa_force((dk_isa)isas[ii]);
        float cbuf[4] = {1, 2, 3, 4};
        CHECK(dk_sgemm(NULL, 0, 0, 0, 4, 3, 1.0f, NULL, 3, NULL, 4, 0.0f, cbuf, 4, NULL, NULL) == 0, "m 0");
        CHECK(dk_sgemm(pools[1], 0, 0, 4, 0, 3, 1.0f, NULL, 3, NULL, 1, 0.0f, cbuf, 1, NULL, NULL) == 0, "n 0");
        CHECK(cbuf[0] == 1 && cbuf[3] == 4, "C untouched");
    }
    CHECK(dk_sgemm_workspace_floats(0, 5, 5, 2) == 0, "no workspace for m 0");
    CHECK(dk_sgemm_workspace_floats(5, 5, 0, 2) == 0, "no workspace for k 0");
    CHECK(dk_sgemm_workspace_floats(5, 5, 5, 2) >= dk_sgemm_workspace_floats(5, 5, 5, 1), "grows");
}

TEST(test_conv_shapes) {
    /* The im2col shapes of the benchmark, shrunk along n to keep the oracle cheap. */
    static const size_t shapes[][3] = {{64, 200, 576}, {128, 100, 1152}, {256, 40, 2304}, {96, 3136 / 8, 27}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        gemm_case t;
        random_case(&t, shapes[i][0], shapes[i][1], shapes[i][2]);
        t.ta = t.tb = 0;
        t.lda = t.k;
        t.ldb = t.n;
        t.ldc = t.n;
        t.bias_kind = 1;
        t.act = DK_ACT_RELU;
        t.beta = 0.0f;
        t.alpha = 1.0f;
        run_case(&t);
    }
}

TEST(test_large_random_shapes) {
    for (int it = 0; it < 12; it++) {
        gemm_case t;
        random_case(&t, 1 + rnd(300), 1 + rnd(300), 1 + rnd(300));
        run_case(&t);
    }
}

TEST(test_allocation_free_with_workspace) {
    /* A workspace sized for one thread count serves a NULL pool too (fewer threads). */
    size_t m = 70, n = 90, k = 300;
    float *a = alloc_floats(m * k), *b = alloc_floats(k * n), *c = alloc_floats(m * n);
    float *r = alloc_floats(m * n);
    fill(a, m * k);
    fill(b, k * n);
    size_t wsf = dk_sgemm_workspace_floats(m, n, k, 2);
    float *ws = aligned_alloc(64, (wsf * sizeof(float) + 63) / 64 * 64);
    CHECK(ws != NULL, "alloc");
    for (int ii = 0; ii < n_isas; ii++) {
        dk_isa_force((dk_isa)isas[ii]);
        CHECK(dk_sgemm(NULL, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n, NULL, ws) == 0, "rc");
        CHECK(dk_sgemm(pools[1], 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, r, n, NULL, ws) == 0, "rc");
        CHECK(memcmp(c, r, m * n * sizeof(float)) == 0, "same bits with 1 and 2 threads");
    }
    free(ws);
    free(a);
    free(b);
    free(c);
    free(r);
}

int main(void) {
    for (int isa = DK_ISA_SCALAR; isa <= DK_ISA_NEON; isa++)
        if (dk_isa_supported((dk_isa)isa)) isas[n_isas++] = isa;
    dk_isa initial = dk_isa_active(); /* DLRT_ISA, from the runner */
    pools[0] = NULL;
    pools[1] = dk_pool_create(2);
    pools[2] = dk_pool_create(3);
    if (pools[1] == NULL || pools[2] == NULL) {
        fprintf(stderr, "dk_pool_create failed\n");
        return 1;
    }
    printf("isas:");
    for (int i = 0; i < n_isas; i++) printf(" %s", dk_isa_name((dk_isa)isas[i]));
    printf(" (DLRT_ISA gave %s)\n", dk_isa_name(initial));

    RUN(test_small_random_shapes);
    RUN(test_all_transposes_and_epilogues);
    RUN(test_block_boundaries);
    RUN(test_degenerate);
    RUN(test_conv_shapes);
    RUN(test_large_random_shapes);
    RUN(test_allocation_free_with_workspace);

    dk_isa_force(initial);
    dk_pool_free(pools[1]);
    dk_pool_free(pools[2]);
    printf("%ld cases, %ld dk_sgemm calls\n", cases_run, calls_run);
    return test_summary("test_gemm");
}

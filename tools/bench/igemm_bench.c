/*
 * The int8 GEMM (dk_q8_gemm) against the fp32 SGEMM (dk_sgemm_packed), side
 * by side in one process, on conv (im2col) shapes: C[M x N] = W[M x K] *
 * X[K x N], weights pre-packed for both as a session would, workspace given.
 * The int8 call includes packing its activations and the requantization to
 * int8; the fp32 one packs (or reads in place) B and stores fp32. Repetitions
 * alternate between the two (and which goes first), so that a shared,
 * loaded machine slows both alike; the medians are reported, and what
 * matters is the ratio: int8 GOP/s over fp32 GFLOP/s (2 M N K operations each).
 *
 * A second table does the same for whole convolutions (dk_q8_conv2d_forward
 * against dk_conv2d_forward_packed: im2col or the direct depthwise kernel
 * included) and dense layers (dk_q8_dense_forward against dk_dense_forward),
 * where "GOP/s" counts 2 * multiply-adds of the layer.
 *
 *   tools/bench/igemm_bench.sh [reps]     each ISA this CPU has (avx512 = VNNI when present, avx2)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"
#include "kernels.h"
#include "gemm/igemm_kernels.h"

static unsigned seed = 12345u;
static unsigned next(void) { return seed = seed * 1664525u + 1013904223u; }

typedef struct shape {
    size_t m, n, k;
    const char *what;
} shape;

/* M = output channels, N = output pixels, K = input channels * kh * kw. */
static const shape shapes[] = {
    {64, 3136, 576, "resnet18 3x3 56x56"},  {128, 784, 1152, "resnet18 3x3 28x28"},
    {256, 196, 2304, "resnet18 3x3 14x14"}, {512, 49, 4608, "resnet18 3x3 7x7"},
    {64, 12544, 147, "resnet18 7x7/2 stem"}, {16, 1024, 144, "resnet20 3x3 32x32"},
    {32, 256, 288, "resnet20 3x3 16x16"},   {64, 64, 576, "resnet20 3x3 8x8"},
};

typedef struct conv_shape {
    size_t c, h, m, k, s, groups;
    const char *what;
} conv_shape;

/* batch 1, square, padding k / 2 */
static const conv_shape convs[] = {
    {16, 32, 16, 3, 1, 1, "resnet20 3x3 s1"},      {64, 8, 64, 3, 1, 1, "resnet20 3x3 8x8"},
    {64, 56, 64, 3, 1, 1, "resnet18 3x3 s1"},      {128, 28, 128, 3, 1, 1, "resnet18 3x3 28x28"},
    {144, 56, 144, 3, 1, 144, "mbv2 dw 3x3 s1"},   {96, 112, 96, 3, 2, 96, "mbv2 dw 3x3 s2"},
    {32, 56, 192, 1, 1, 1, "mbv2 1x1 expand"},
};

static void bench_conv(const conv_shape *cs, dk_pool *pool, int reps, double *td, double *tq, double *ops) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1, p.c = cs->c, p.h = p.w = cs->h, p.m = cs->m, p.kh = p.kw = cs->k, p.sh = p.sw = cs->s;
    p.pt = p.pl = p.pb = p.pr = cs->k / 2, p.dh = p.dw = 1, p.groups = cs->groups;
    if (dk_conv2d_infer(&p) != 0) exit(1);
    const int threads = dk_pool_threads(pool);
    const size_t xs = p.c * p.h * p.w, ws = p.m * (p.c / p.groups) * p.kh * p.kw, ys = p.m * p.ho * p.wo;
    float *xf = alloc64(xs * 4), *wf = alloc64(ws * 4), *bf = alloc64(p.m * 4), *yf = alloc64(ys * 4);
    int8_t *xq = alloc64(xs), *wq = alloc64(ws), *yq = alloc64(ys);
    int32_t *bias = alloc64(p.m * 4), *mult = alloc64(p.m * 4), *shift = alloc64(p.m * 4);
    for (size_t i = 0; i < xs; i++) xq[i] = (int8_t)((int)(next() >> 8) % 256 - 128), xf[i] = xq[i] / 128.0f;
    for (size_t i = 0; i < ws; i++) wq[i] = (int8_t)((int)(next() >> 8) % 255 - 127), wf[i] = wq[i] / 127.0f;
    for (size_t i = 0; i < p.m; i++) {
        bias[i] = 0, bf[i] = 0.0f;
        dk_q8_multiplier(1.0 / 4096.0, &mult[i], &shift[i]);
    }
    dk_q8_quant q = {0, bias, mult, shift, {0, 0, 127}};
    size_t fpack_n = dk_conv2d_packed_weights_floats(&p);
    float *fpack = fpack_n ? alloc64(fpack_n * 4) : NULL;
    if (fpack) dk_conv2d_pack_weights(&p, wf, fpack);
    void *qpack = alloc64(dk_q8_conv2d_packed_bytes(&p));
    if (dk_q8_conv2d_pack(&p, wq, &q, qpack) != 0) exit(1);
    float *fws = alloc64(dk_conv2d_workspace_floats(&p, threads) * 4);
    void *qws = alloc64(dk_q8_conv2d_workspace_bytes(&p, threads));
    p.activation = DK_ACT_RELU;
    for (int r = -3; r < reps; r++) {
        for (int half = 0; half < 2; half++) {
            double t0 = now();
            if ((half ^ (r & 1)) == 0) {
                dk_conv2d_forward_packed(pool, &p, xf, wf, fpack, bf, yf, fws);
                if (r >= 0) td[r] = now() - t0;
            } else {
                dk_q8_conv2d_forward(pool, &p, xq, qpack, yq, qws);
                if (r >= 0) tq[r] = now() - t0;
            }
        }
    }
    *ops = 2.0 * (double)ys * (double)(p.c / p.groups) * (double)(p.kh * p.kw);
    free(xf), free(wf), free(bf), free(yf), free(xq), free(wq), free(yq), free(bias), free(mult), free(shift);
    free(fpack), free(qpack), free(fws), free(qws);
}

typedef struct dense_shape {
    size_t n, k, m;
    const char *what;
} dense_shape;

static const dense_shape denses[] = {
    {1, 512, 1000, "resnet18 fc b1"}, {32, 512, 1000, "resnet18 fc b32"}, {1, 400, 120, "lenet5 fc1 b1"},
};

static void bench_dense(const dense_shape *ds, dk_pool *pool, int reps, double *td, double *tq, double *ops) {
    const size_t n = ds->n, k = ds->k, m = ds->m;
    const int threads = dk_pool_threads(pool);
    float *xf = alloc64(n * k * 4), *wf = alloc64(m * k * 4), *bf = alloc64(m * 4), *yf = alloc64(n * m * 4);
    int8_t *xq = alloc64(n * k), *wq = alloc64(m * k), *yq = alloc64(n * m);
    int32_t *bias = alloc64(m * 4), *mult = alloc64(m * 4), *shift = alloc64(m * 4);
    for (size_t i = 0; i < n * k; i++) xq[i] = (int8_t)((int)(next() >> 8) % 256 - 128), xf[i] = xq[i] / 128.0f;
    for (size_t i = 0; i < m * k; i++) wq[i] = (int8_t)((int)(next() >> 8) % 255 - 127), wf[i] = wq[i] / 127.0f;
    for (size_t i = 0; i < m; i++) {
        bias[i] = 0, bf[i] = 0.0f;
        dk_q8_multiplier(1.0 / 4096.0, &mult[i], &shift[i]);
    }
    dk_q8_quant q = {0, bias, mult, shift, {0, -128, 127}};
    void *qpack = alloc64(dk_q8_dense_packed_bytes(k, m));
    if (dk_q8_dense_pack(k, m, wq, &q, qpack) != 0) exit(1);
    float *fws = alloc64(dk_dense_workspace_floats(n, k, m, threads) * 4);
    void *qws = alloc64(dk_q8_dense_workspace_bytes(n, k, m, threads));
    for (int r = -3; r < reps; r++) {
        for (int half = 0; half < 2; half++) {
            double t0 = now();
            if ((half ^ (r & 1)) == 0) {
                dk_dense_forward(pool, n, k, m, xf, wf, bf, DK_ACT_NONE, 0.0f, yf, fws);
                if (r >= 0) td[r] = now() - t0;
            } else {
                dk_q8_dense_forward(pool, n, xq, qpack, yq, qws);
                if (r >= 0) tq[r] = now() - t0;
            }
        }
    }
    *ops = 2.0 * (double)n * (double)k * (double)m;
    free(xf), free(wf), free(bf), free(yf), free(xq), free(wq), free(yq), free(bias), free(mult), free(shift);
    free(qpack), free(fws), free(qws);
}

/* One line of the second table from the medians. */
static void print_layer(dk_isa isa, const char *name, const char *what, int threads, double ops, double *td,
                        double *tq, int reps) {
    double gd = ops / median(td, reps) * 1e-9, gq = ops / median(tq, reps) * 1e-9;
    printf("%-7s %-22s %-17s %7d %12.1f %12.1f %8.2f\n", dk_isa_name(isa), name, what, threads, gd, gq, gq / gd);
    fflush(stdout);
}

static void bench_shape(const shape *s, dk_pool *pool, int reps, double *td, double *tq) {
    const size_t m = s->m, n = s->n, k = s->k;
    const int threads = dk_pool_threads(pool);
    float *a = alloc64(m * k * sizeof(float)), *b = alloc64(k * n * sizeof(float)), *c = alloc64(m * n * sizeof(float));
    int8_t *w = alloc64(m * k), *x = alloc64(k * n), *y = alloc64(m * n);
    int32_t *bias = alloc64(m * 4), *mult = alloc64(m * 4), *shift = alloc64(m * 4);
    for (size_t i = 0; i < m * k; i++) {
        w[i] = (int8_t)((int)(next() >> 8) % 255 - 127);
        a[i] = (float)w[i] / 127.0f;
    }
    for (size_t i = 0; i < k * n; i++) {
        x[i] = (int8_t)((int)(next() >> 8) % 256 - 128);
        b[i] = (float)x[i] / 128.0f;
    }
    for (size_t i = 0; i < m; i++) {
        bias[i] = (int32_t)(next() >> 20) - 2048;
        dk_q8_multiplier(1.0 / (double)(k * 64), &mult[i], &shift[i]);
    }
    dk_q8_quant q = {3, bias, mult, shift, {-10, -128, 127}};
    float *apack = alloc64(dk_sgemm_packed_a_floats(m, k) * sizeof(float));
    void *wpack = alloc64(dk_q8_gemm_packed_bytes(m, k));
    dk_sgemm_pack_a(0, m, k, a, k, apack);
    if (dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, wpack) != 0) {
        fprintf(stderr, "pack failed\n");
        exit(1);
    }
    float *fws = alloc64(dk_sgemm_workspace_floats(m, n, k, threads) * sizeof(float));
    void *qws = alloc64(dk_q8_gemm_workspace_bytes(DK_Q8_WEIGHTS_LEFT, m, k, n, threads));
    for (int wu = 0; wu < 3; wu++) { /* warm up both */
        dk_sgemm_packed(pool, apack, 0, m, n, k, 1.0f, b, n, 0.0f, c, n, NULL, fws);
        dk_q8_gemm(pool, wpack, n, x, n, y, n, qws);
    }
    for (int r = 0; r < reps; r++) {
        for (int half = 0; half < 2; half++) {
            double t0 = now();
            if ((half ^ (r & 1)) == 0) {
                dk_sgemm_packed(pool, apack, 0, m, n, k, 1.0f, b, n, 0.0f, c, n, NULL, fws);
                td[r] = now() - t0;
            } else {
                dk_q8_gemm(pool, wpack, n, x, n, y, n, qws);
                tq[r] = now() - t0;
            }
        }
    }
    free(a), free(b), free(c), free(w), free(x), free(y), free(bias), free(mult), free(shift);
    free(apack), free(wpack), free(fws), free(qws);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 31;
    if (reps < 1) reps = 1;
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    double *td = malloc((size_t)reps * sizeof(double)), *tq = malloc((size_t)reps * sizeof(double));
    if (td == NULL || tq == NULL) return 1;
    const dk_isa isas[] = {DK_ISA_AVX512, DK_ISA_AVX2, DK_ISA_NEON, DK_ISA_SCALAR};
    printf("%d interleaved repetitions, medians; GOP/s = 2 M N K / time\n", reps);
    printf("%-7s %-22s %-17s %7s %12s %12s %8s\n", "isa", "M x N x K", "layer", "threads", "fp32 GF/s", "int8 GOP/s",
           "int8/fp32");
    for (size_t ii = 0; ii < sizeof isas / sizeof isas[0]; ii++) {
        if (dk_isa_force(isas[ii]) != 0) continue;
        if (isas[ii] == DK_ISA_SCALAR && ii > 0) break; /* the scalar path is a reference, not a target */
        for (int threads = 1; threads <= 2; threads++) {
            dk_pool *pool = threads > 1 ? dk_pool_create(threads) : NULL;
            if (threads > 1 && pool == NULL) return 1;
            for (int s = 0; s < nshapes; s++) {
                bench_shape(&shapes[s], pool, reps, td, tq);
                double ops = 2.0 * (double)shapes[s].m * (double)shapes[s].n * (double)shapes[s].k;
                double gd = ops / median(td, reps) * 1e-9, gq = ops / median(tq, reps) * 1e-9;
                char name[64];
                snprintf(name, sizeof name, "%zu x %zu x %zu", shapes[s].m, shapes[s].n, shapes[s].k);
                printf("%-7s %-22s %-17s %7d %12.1f %12.1f %8.2f\n", dk_isa_name(isas[ii]), name, shapes[s].what,
                       threads, gd, gq, gq / gd);
                fflush(stdout);
            }
            dk_pool_free(pool);
        }
        for (int threads = 1; threads <= 2; threads++) {
            dk_pool *pool = threads > 1 ? dk_pool_create(threads) : NULL;
            if (threads > 1 && pool == NULL) return 1;
            for (size_t s = 0; s < sizeof convs / sizeof convs[0]; s++) {
                double ops;
                bench_conv(&convs[s], pool, reps, td, tq, &ops);
                char name[64];
                snprintf(name, sizeof name, "conv %zux%zux%zu k%zu s%zu", convs[s].c, convs[s].h, convs[s].m,
                         convs[s].k, convs[s].s);
                print_layer(isas[ii], name, convs[s].what, threads, ops, td, tq, reps);
            }
            for (size_t s = 0; s < sizeof denses / sizeof denses[0]; s++) {
                double ops;
                bench_dense(&denses[s], pool, reps, td, tq, &ops);
                char name[64];
                snprintf(name, sizeof name, "dense %zux%zux%zu", denses[s].n, denses[s].k, denses[s].m);
                print_layer(isas[ii], name, denses[s].what, threads, ops, td, tq, reps);
            }
            dk_pool_free(pool);
        }
        printf("        (int8 kernel: %s)\n", dk_q8_cfg_active()->id == DK_Q8_CFG_AVX512_VNNI ? "AVX-512 VNNI vpdpbusd"
                                          : dk_q8_cfg_active()->id == DK_Q8_CFG_AVX2  ? "AVX2 vpmaddwd"
                                          : dk_q8_cfg_active()->id == DK_Q8_CFG_NEON_DOT ? "NEON sdot"
                                                                                        : "NEON smull/sadalp or scalar");
    }
    free(td);
    free(tq);
    return 0;
}

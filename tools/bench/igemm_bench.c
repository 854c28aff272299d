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
 *   tools/bench/igemm_bench.sh [reps]     each ISA this CPU has (avx512 = VNNI when present, avx2)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "gemm/igemm_kernels.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void *alloc64(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

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
        printf("        (int8 kernel: %s)\n", dk_q8_cfg_active()->id == DK_Q8_CFG_AVX512_VNNI ? "AVX-512 VNNI vpdpbusd"
                                          : dk_q8_cfg_active()->id == DK_Q8_CFG_AVX2  ? "AVX2 vpmaddwd"
                                          : dk_q8_cfg_active()->id == DK_Q8_CFG_NEON_DOT ? "NEON sdot"
                                                                                        : "NEON smull/sadalp or scalar");
    }
    free(td);
    free(tq);
    return 0;
}

/*
 * dk_sgemm against OpenBLAS, side by side in one process, on the conv
 * (im2col) shapes: C[M x N] = A[M x K] * B[K x N], row-major, no transposes.
 * Repetitions alternate between the two libraries (and which goes first) so
 * that drift from a shared machine hits both alike; we report medians.
 *
 * OpenBLAS's idle workers spin for a while after each call, which would steal
 * the cores dk_sgemm's threads need in the interleaved runs (dlrt's pool
 * sleeps on a condition variable). So unless OPENBLAS_THREAD_TIMEOUT is set
 * already, the program re-executes itself with OPENBLAS_THREAD_TIMEOUT=4
 * (OpenBLAS reads it at load time): its workers then sleep almost at once.
 *
 *   tools/bench/sgemm_bench.sh [reps]
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_timing.h"
#include "kernels.h"

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static float *random_floats(size_t n, unsigned *seed) {
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (p == NULL) exit(1);
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        p[i] = (float)(*seed >> 8) / 16777216.0f - 0.5f;
    }
    return p;
}

int main(int argc, char **argv) {
    if (getenv("OPENBLAS_THREAD_TIMEOUT") == NULL && setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1) == 0) {
        execv("/proc/self/exe", argv);
        /* No /proc: carry on with OpenBLAS's default. */
    }
    int reps = argc > 1 ? atoi(argv[1]) : 41;
    if (reps < 1) reps = 1;
    static const size_t shapes[][3] = {{64, 3136, 576}, {128, 784, 1152}, {256, 196, 2304}};
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    printf("dlrt isa %s, OpenBLAS core %s, %d interleaved repetitions, medians, OPENBLAS_THREAD_TIMEOUT=%s\n",
           dk_isa_name(dk_isa_active()), openblas_get_corename(), reps,
           getenv("OPENBLAS_THREAD_TIMEOUT") ? getenv("OPENBLAS_THREAD_TIMEOUT") : "default");
    printf("%-22s %7s %12s %12s %8s\n", "M x N x K", "threads", "dlrt GF/s", "OpenBLAS GF/s", "ratio");
    double *td = malloc((size_t)reps * sizeof(double)), *to = malloc((size_t)reps * sizeof(double));
    if (td == NULL || to == NULL) return 1;
    for (int threads = 1; threads <= 2; threads++) {
        dk_pool *pool = threads > 1 ? dk_pool_create(threads) : NULL;
        if (threads > 1 && pool == NULL) return 1;
        openblas_set_num_threads(threads);
        for (int s = 0; s < nshapes; s++) {
            size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            unsigned seed = 12345u;
            float *a = random_floats(m * k, &seed), *b = random_floats(k * n, &seed);
            float *c1 = random_floats(m * n, &seed), *c2 = random_floats(m * n, &seed);
            size_t wsf = dk_sgemm_workspace_floats(m, n, k, threads);
            float *ws = aligned_alloc(64, (wsf * sizeof(float) + 63) / 64 * 64 + 64);
            if (ws == NULL) return 1;
            for (int w = 0; w < 3; w++) { /* warm up both */
                dk_sgemm(pool, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c1, n, NULL, ws);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k,
                            b, (int)n, 0.0f, c2, (int)n);
            }
            double worst = 0.0;
            for (size_t i = 0; i < m * n; i++) {
                double d = fabs((double)c1[i] - (double)c2[i]);
                if (d > worst) worst = d;
            }
            for (int r = 0; r < reps; r++) {
                for (int half = 0; half < 2; half++) {
                    double t0 = now();
                    if ((half ^ (r & 1)) == 0) {
                        dk_sgemm(pool, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c1, n, NULL, ws);
                        td[r] = now() - t0;
                    } else {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a,
                                    (int)k, b, (int)n, 0.0f, c2, (int)n);
                        to[r] = now() - t0;
                    }
                }
            }
            double flops = 2.0 * (double)m * (double)n * (double)k;
            double gd = flops / median(td, reps) * 1e-9, go = flops / median(to, reps) * 1e-9;
            char name[64];
            snprintf(name, sizeof name, "%zu x %zu x %zu", m, n, k);
            printf("%-22s %7d %12.1f %12.1f %8.3f   (max |diff| %.2g)\n", name, threads, gd, go, gd / go, worst);
            free(a);
            free(b);
            free(c1);
            free(c2);
            free(ws);
        }
        dk_pool_free(pool);
    }
    free(td);
    free(to);
    return 0;
}

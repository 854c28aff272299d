/*
 * The int8 conv_transpose2d (dk_q8_conv_transpose2d_forward: sub-pixel
 * phases, im2col, dk_q8_gemm, requantization to int8) against the fp32 one
 * (dk_conv_transpose2d_forward_packed: GEMM then col2im, bias, relu), side by
 * side in one process on the layers of the MNIST DCGAN generator
 * (docs/GAN.md) at batch 64, weights pre-packed for both as a session would,
 * workspace given. Repetitions alternate between the two (and which goes
 * first), so that a shared, loaded machine slows both alike; medians are
 * reported. GOP/s counts 2 * the multiply-adds of the layer
 * (n * c * m * kh * kw * h * w, the taps that land inside or outside y alike).
 *
 *   tools/bench/convt_bench.sh [reps] [threads]    each ISA this CPU has (avx512, avx2)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"
#include "kernels.h"
#include "ops/int8_ops.h"

static unsigned seed = 12345u;
static unsigned next(void) { return seed = seed * 1664525u + 1013904223u; }

typedef struct layer_shape {
    size_t n, c, h, m, k, s, pad;
    const char *what;
} layer_shape;

static const layer_shape layers[] = {
    {64, 100, 1, 128, 7, 1, 0, "dcgan up1 1->7"},
    {64, 128, 7, 64, 4, 2, 1, "dcgan up2 7->14"},
    {64, 64, 14, 1, 4, 2, 1, "dcgan up3 14->28"},
    {64, 256, 4, 128, 4, 2, 1, "dcgan-32 4->8"},
};

static void bench_layer(const layer_shape *ls, dk_pool *pool, int reps, double *td, double *tq, double *ops) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = ls->n, p.c = ls->c, p.h = p.w = ls->h, p.m = ls->m, p.kh = p.kw = ls->k, p.sh = p.sw = ls->s;
    p.pt = p.pl = p.pb = p.pr = ls->pad, p.dh = p.dw = 1, p.groups = 1;
    if (dk_conv_transpose2d_infer(&p) != 0) exit(1);
    const int threads = dk_pool_threads(pool);
    const size_t xs = p.n * p.c * p.h * p.w, ws = p.c * p.m * p.kh * p.kw, ys = p.n * p.m * p.ho * p.wo;
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
    size_t fpack_n = dk_conv_transpose2d_packed_weights_floats(&p);
    float *fpack = fpack_n ? alloc64(fpack_n * 4) : NULL;
    if (fpack) dk_conv_transpose2d_pack_weights(&p, wf, fpack);
    void *qpack = alloc64(dk_q8_conv_transpose2d_packed_bytes(&p));
    if (dk_q8_conv_transpose2d_pack(&p, wq, &q, qpack) != 0) exit(1);
    float *fws = alloc64(dk_conv_transpose2d_workspace_floats(&p, threads) * 4);
    void *qws = alloc64(dk_q8_conv_transpose2d_workspace_bytes(&p, threads));
    p.activation = DK_ACT_RELU;
    for (int r = -2; r < reps; r++) {
        for (int half = 0; half < 2; half++) {
            double t0 = now();
            if ((half ^ (r & 1)) == 0) {
                dk_conv_transpose2d_forward_packed(pool, &p, xf, wf, fpack, bf, yf, fws);
                if (r >= 0) td[r] = now() - t0;
            } else {
                if (dk_q8_conv_transpose2d_forward(pool, &p, xq, qpack, yq, qws) != 0) exit(1);
                if (r >= 0) tq[r] = now() - t0;
            }
        }
    }
    *ops = 2.0 * (double)xs * (double)p.m * (double)(p.kh * p.kw);
    free(xf), free(wf), free(bf), free(yf), free(xq), free(wq), free(yq), free(bias), free(mult), free(shift);
    free(fpack), free(qpack), free(fws), free(qws);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 11, threads = argc > 2 ? atoi(argv[2]) : 1;
    if (reps < 1) reps = 1;
    if (threads < 1) threads = 1;
    double *td = malloc((size_t)reps * sizeof(double)), *tq = malloc((size_t)reps * sizeof(double));
    if (td == NULL || tq == NULL) return 1;
    dk_pool *pool = threads > 1 ? dk_pool_create(threads) : NULL;
    if (threads > 1 && pool == NULL) return 1;
    const dk_isa isas[] = {DK_ISA_AVX512, DK_ISA_AVX2, DK_ISA_NEON};
    printf("%d interleaved repetitions, medians, %d thread(s); GOP/s = 2 n c m kh kw h w / time\n", reps, threads);
    printf("%-7s %-32s %-18s %10s %10s %10s %10s %9s\n", "isa", "layer", "what", "fp32 ms", "int8 ms", "fp32 GF/s",
           "int8 GOP/s", "int8/fp32");
    for (size_t ii = 0; ii < sizeof isas / sizeof isas[0]; ii++) {
        if (dk_isa_force(isas[ii]) != 0) continue;
        for (size_t s = 0; s < sizeof layers / sizeof layers[0]; s++) {
            const layer_shape *ls = &layers[s];
            double ops;
            bench_layer(ls, pool, reps, td, tq, &ops);
            const double md = median(td, reps), mq = median(tq, reps);
            char name[64];
            snprintf(name, sizeof name, "%zux%zux%zux%zu k%zu s%zu p%zu m%zu", ls->n, ls->c, ls->h, ls->h, ls->k, ls->s,
                     ls->pad, ls->m);
            printf("%-7s %-32s %-18s %10.2f %10.2f %10.1f %10.1f %9.2f\n", dk_isa_name(isas[ii]), name, ls->what,
                   md * 1e3, mq * 1e3, ops / md * 1e-9, ops / mq * 1e-9, md / mq);
            fflush(stdout);
        }
    }
    dk_pool_free(pool);
    free(td), free(tq);
    return 0;
}

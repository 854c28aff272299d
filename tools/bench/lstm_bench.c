/*
 * Recurrent throughput of the C runtime: a char-RNN shaped model, ids ->
 * embedding [65, 65] -> lstm (I 65, H 512) -> lstm (I 512, H 512) ->
 * reshape [N*T, 512] -> dense 65, random weights, one thread. Two ways:
 *   - generation: batch 1, T = 1, DLRT_SESSION_KEEP_STATE, one token per
 *     run (set_input + run + get_output each time);
 *   - sequences: batch 64 x T = 100 per run.
 * Prints tokens per second (median of the repetitions) and the ISA.
 *   tools/bench/lstm_bench.sh [reps]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"
#include "dlrt.h"
#include "model_builder.h"

enum { V = 65, H = 512, OP_DENSE = 3, OP_RESHAPE = 16, OP_EMBEDDING = 21, OP_LSTM = 23 };

static float *uniform(size_t count, float scale, unsigned *seed) {
    float *v = malloc(count * sizeof(float));
    for (size_t k = 0; k < count; k++) {
        *seed = *seed * 1664525u + 1013904223u;
        v[k] = scale * ((float)(*seed >> 8) / 8388608.0f - 1.0f);
    }
    return v;
}

static uint8_t *char_rnn(uint32_t n, uint32_t t, size_t *size) {
    unsigned seed = 1;
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    float k = 1.0f / 22.627417f; /* 1 / sqrt(H) */
    float *table = uniform((size_t)V * V, 1.0f, &seed);
    float *w1 = uniform((size_t)4 * H * V, k, &seed), *u1 = uniform((size_t)4 * H * H, k, &seed);
    float *w2 = uniform((size_t)4 * H * H, k, &seed), *u2 = uniform((size_t)4 * H * H, k, &seed);
    float *b[4] = {uniform(4 * H, k, &seed), uniform(4 * H, k, &seed), uniform(4 * H, k, &seed), uniform(4 * H, k, &seed)};
    float *wd = uniform((size_t)V * H, k, &seed), *bd = uniform(V, k, &seed);
    uint32_t dids[2] = {n, t}, dt[2] = {V, V}, de[3] = {n, t, V}, dflat[2] = {n * t, H}, dwd[2] = {V, H}, dbd[1] = {V},
             dy[2] = {n * t, V};
    uint32_t in[2] = {tb_input(&m, "ids", 2, dids), tb_constant(&m, "embed", 2, dt, table)};
    uint32_t e = tb_tensor(&m, "e", 3, de);
    tb_node(&m, OP_EMBEDDING, 2, in, e, 0, NULL);
    uint32_t l1 = tb_recurrent(&m, OP_LSTM, e, n, t, V, H, w1, u1, b[0], b[1], "lstm1");
    uint32_t l2 = tb_recurrent(&m, OP_LSTM, l1, n, t, H, H, w2, u2, b[2], b[3], "lstm2");
    uint32_t flat = tb_tensor(&m, "flat", 2, dflat);
    tb_attr shape = {15, 1, 2, {-1, H}, {0}};
    tb_node(&m, OP_RESHAPE, 1, &l2, flat, 1, &shape);
    uint32_t din[3] = {flat, tb_constant(&m, "head.w", 2, dwd, wd), tb_constant(&m, "head.b", 1, dbd, bd)};
    uint32_t y = tb_tensor(&m, "logits", 2, dy);
    tb_node(&m, OP_DENSE, 3, din, y, 0, NULL);
    tb_output(&m, y);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    free(table), free(w1), free(u1), free(w2), free(u2), free(wd), free(bd);
    for (int q = 0; q < 4; q++) free(b[q]);
    return file;
}

static dlrt_session *open_session(uint32_t n, uint32_t t, uint32_t flags, dlrt_model **model, uint8_t **file) {
    size_t size;
    *file = char_rnn(n, t, &size);
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = 1;
    o.flags = flags;
    dlrt_session *s = NULL;
    if (dlrt_model_load_memory(*file, size, NULL, model) != DLRT_OK || dlrt_session_create(*model, &o, &s) != DLRT_OK) {
        fprintf(stderr, "lstm_bench: %s\n", dlrt_last_error());
        exit(1);
    }
    return s;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1) reps = 1;
    double *rate = malloc((size_t)reps * sizeof(double));
    dlrt_model *model;
    uint8_t *file;

    /* Generation: each token's logits are read back and its argmax fed in, as a sampler would. */
    dlrt_session *s = open_session(1, 1, DLRT_SESSION_KEEP_STATE, &model, &file);
    const int tokens = 400;
    float id = 0, logits[V];
    for (int r = 0; r < reps; r++) {
        dlrt_session_reset_state(s);
        double t0 = now();
        for (int k = 0; k < tokens; k++) {
            if (dlrt_session_set_input(s, 0, &id, 1) != DLRT_OK || dlrt_session_run(s) != DLRT_OK ||
                dlrt_session_get_output(s, 0, logits, V) != DLRT_OK) {
                fprintf(stderr, "lstm_bench: %s\n", dlrt_last_error());
                return 1;
            }
            int best = 0;
            for (int j = 1; j < V; j++) best = logits[j] > logits[best] ? j : best;
            id = (float)best;
        }
        rate[r] = tokens / (now() - t0);
    }
    qsort(rate, (size_t)reps, sizeof *rate, cmp_double);
    printf("isa %s, 1 thread\n", dlrt_isa());
    printf("generation  batch 1, T 1 per run (KEEP_STATE): %8.0f tokens/s (median of %d x %d tokens; %.3f ms/token)\n",
           rate[reps / 2], reps, tokens, 1e3 / rate[reps / 2]);
    dlrt_session_free(s);
    dlrt_model_free(model);
    free(file);

    const uint32_t n = 64, t = 100;
    s = open_session(n, t, 0, &model, &file);
    float *ids = malloc((size_t)n * t * sizeof(float)), *out = malloc((size_t)n * t * V * sizeof(float));
    for (uint32_t k = 0; k < n * t; k++) ids[k] = (float)((k * 7u) % V);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        if (dlrt_session_set_input(s, 0, ids, (size_t)n * t) != DLRT_OK || dlrt_session_run(s) != DLRT_OK ||
            dlrt_session_get_output(s, 0, out, (size_t)n * t * V) != DLRT_OK) {
            fprintf(stderr, "lstm_bench: %s\n", dlrt_last_error());
            return 1;
        }
        rate[r] = n * t / (now() - t0);
    }
    qsort(rate, (size_t)reps, sizeof *rate, cmp_double);
    printf("sequences   batch 64 x T 100 per run:           %8.0f tokens/s (median of %d runs; %.1f ms/run)\n", rate[reps / 2],
           reps, 1e3 * n * t / rate[reps / 2]);
    dlrt_session_free(s);
    dlrt_model_free(model);
    free(file), free(ids), free(out), free(rate);
    return 0;
}

/*
 * One model shared by many threads, as include/dlrt.h allows (a model is
 * immutable; one session per thread): 8 threads, each with its own session,
 * run a conv + dense net 1,000 times each and must produce, bit for bit, what
 * one session alone produced. make test-tsan runs this program under
 * ThreadSanitizer. Also: a session's idle worker threads sleep, not spin.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "dlrt.h"
#include "model_builder.h"
#include "ref_ops.h"
#include "test.h"

/* x [N, C, H, W] -> conv3x3 pad 1 + relu [N, M, H, W] -> maxpool 2 -> flatten [N, K] -> dense [N, CLASSES] -> softmax. */
enum { N = 2, C = 3, H = 12, W = 12, M = 8, HP = H / 2, WP = W / 2, K = M * HP * WP, CLASSES = 10 };
enum { IN = N * C * H * W, OUT = N * CLASSES, INPUTS = 16, WORKERS = 8, RUNS = 1000 };

typedef struct weights {
    float conv_w[M * C * 3 * 3], conv_b[M], fc_w[CLASSES * K], fc_b[CLASSES];
} weights;

static weights net;
static float inputs[INPUTS][IN];
/* What one session alone computes for each input. */
static float expected[INPUTS][OUT];

static void fill(float *v, size_t count, float scale, unsigned long long *seed) {
    for (size_t i = 0; i < count; i++) v[i] = scale * test_rng_float(seed);
}

static dlrt_model *load_net(void) {
    unsigned long long seed = 2024;
    fill(net.conv_w, M * C * 9, 0.5f, &seed);
    fill(net.conv_b, M, 0.1f, &seed);
    fill(net.fc_w, CLASSES * K, 0.2f, &seed);
    fill(net.fc_b, CLASSES, 0.1f, &seed);
    for (int i = 0; i < INPUTS; i++) fill(inputs[i], IN, 1.0f, &seed);

    tb_model m;
    tb_init(&m);
    tb_meta_string(&m, "model.name", "concurrency");
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){N, C, H, W});
    uint32_t cw = tb_constant(&m, "conv.w", 4, (uint32_t[]){M, C, 3, 3}, net.conv_w);
    uint32_t cb = tb_constant(&m, "conv.b", 1, (uint32_t[]){M}, net.conv_b);
    uint32_t c = tb_tensor(&m, "conv", 4, (uint32_t[]){N, M, H, W});
    uint32_t p = tb_tensor(&m, "pool", 4, (uint32_t[]){N, M, HP, WP});
    uint32_t f = tb_tensor(&m, "flat", 2, (uint32_t[]){N, K});
    uint32_t fw = tb_constant(&m, "fc.w", 2, (uint32_t[]){CLASSES, K}, net.fc_w);
    uint32_t fb = tb_constant(&m, "fc.b", 1, (uint32_t[]){CLASSES}, net.fc_b);
    uint32_t d = tb_tensor(&m, "fc", 2, (uint32_t[]){N, CLASSES});
    uint32_t y = tb_tensor(&m, "prob", 2, (uint32_t[]){N, CLASSES});
    tb_attr conv_attrs[] = {{2, 1, 4, {1, 1, 1, 1}, {0}}, {5, 1, 1, {DK_ACT_RELU}, {0}}};
    tb_node(&m, 1, 3, (uint32_t[]){x, cw, cb}, c, 2, conv_attrs);
    tb_attr pool_attrs[] = {{10, 1, 2, {2, 2}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){c}, p, 1, pool_attrs);
    tb_node(&m, 17, 1, (uint32_t[]){p}, f, 0, NULL);
    tb_node(&m, 3, 3, (uint32_t[]){f, fw, fb}, d, 0, NULL);
    tb_node(&m, 11, 1, (uint32_t[]){d}, y, 0, NULL);
    tb_output(&m, y);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);

    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_COPY;
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, &o, &model) == DLRT_OK, "%s", dlrt_last_error());
    free(file);
    return model;
}

static void to_f32(const double *from, float *to, size_t count) {
    for (size_t i = 0; i < count; i++) to[i] = (float)from[i];
}

/* The net by ref_ops.h's definitions, each stage stored as f32 as the runtime stores it. */
static void reference(const float *x, double *y) {
    static double conv[N * M * H * W], pooled[N * K], logits[OUT];
    static float conv32[N * M * H * W], pooled32[N * K], logits32[OUT];
    dk_conv2d_params cp = {.n = N, .c = C, .h = H, .w = W, .m = M, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1,
                           .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1, .ho = H, .wo = W, .activation = DK_ACT_RELU};
    refop_conv2d(&cp, x, net.conv_w, net.conv_b, conv, NULL);
    to_f32(conv, conv32, N * M * H * W);
    dk_pool2d_params pp = {.n = N, .c = M, .h = H, .w = W, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .ho = HP, .wo = WP};
    refop_max_pool2d(&pp, conv32, pooled);
    to_f32(pooled, pooled32, N * K);
    refop_dense(N, K, CLASSES, pooled32, net.fc_w, net.fc_b, DK_ACT_NONE, 0.0, logits, NULL);
    to_f32(logits, logits32, OUT);
    refop_softmax(N, CLASSES, 1, logits32, y);
}

static dlrt_status run_once(dlrt_session *s, int input, float *y) {
    dlrt_status st = dlrt_session_set_input(s, 0, inputs[input], IN);
    if (st == DLRT_OK) st = dlrt_session_run(s);
    if (st == DLRT_OK) st = dlrt_session_get_output(s, 0, y, OUT);
    return st;
}

static dlrt_session *create_session(const dlrt_model *m, uint32_t threads) {
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = threads;
    dlrt_session *s = NULL;
    return dlrt_session_create(m, &o, &s) == DLRT_OK ? s : NULL;
}

TEST(one_session_matches_the_definition) {
    dlrt_model *m = load_net();
    dlrt_session *s = m ? create_session(m, 1) : NULL;
    CHECK(s != NULL, "%s", dlrt_last_error());
    for (int i = 0; s != NULL && i < INPUTS; i++) {
        double want[OUT];
        CHECK(run_once(s, i, expected[i]) == DLRT_OK, "%s", dlrt_last_error());
        reference(inputs[i], want);
        for (int k = 0; k < OUT; k++)
            CHECK(fabs(expected[i][k] - want[k]) <= 1e-6 + 1e-4 * want[k], "input %d: y[%d] %.9g, reference %.9g", i, k,
                  expected[i][k], want[k]);
    }
    dlrt_session_free(s);
    dlrt_model_free(m);
}

typedef struct worker {
    const dlrt_model *model;
    int index;
    uint32_t threads;
    int failed_runs, mismatches;
    char error[256];
} worker;

static void *worker_main(void *arg) {
    worker *w = arg;
    dlrt_session *s = create_session(w->model, w->threads);
    if (s == NULL) {
        snprintf(w->error, sizeof w->error, "%s", dlrt_last_error());
        w->failed_runs = RUNS;
        return NULL;
    }
    for (int r = 0; r < RUNS; r++) {
        int input = (w->index * 5 + r) % INPUTS;
        float y[OUT];
        if (run_once(s, input, y) != DLRT_OK) {
            if (w->failed_runs++ == 0) snprintf(w->error, sizeof w->error, "%s", dlrt_last_error());
            continue;
        }
        if (memcmp(y, expected[input], sizeof y) != 0) w->mismatches++;
    }
    dlrt_session_free(s);
    return NULL;
}

/* Half the sessions run on two threads of their own, so that pools run side by side too. */
TEST(eight_sessions_share_one_model_bit_for_bit) {
    dlrt_model *m = load_net();
    if (m == NULL) return;
    worker workers[WORKERS];
    pthread_t ids[WORKERS];
    int started[WORKERS];
    for (int t = 0; t < WORKERS; t++) {
        workers[t] = (worker){.model = m, .index = t, .threads = 1 + (uint32_t)(t % 2)};
        started[t] = pthread_create(&ids[t], NULL, worker_main, &workers[t]) == 0;
        CHECK(started[t], "thread %d was not started", t);
    }
    for (int t = 0; t < WORKERS; t++) {
        if (!started[t]) continue;
        pthread_join(ids[t], NULL);
        CHECK(workers[t].failed_runs == 0, "thread %d: %d of %d runs failed: %s", t, workers[t].failed_runs, RUNS,
              workers[t].error);
        CHECK(workers[t].mismatches == 0, "thread %d (%u threads): %d of %d runs differ from the lone session", t,
              workers[t].threads, workers[t].mismatches, RUNS);
    }
    dlrt_model_free(m);
}

static double cpu_ms(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* The process's thread count from Linux's /proc; -1 where there is none. */
static int process_threads(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return -1;
    char line[256];
    int threads = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Threads: %d", &threads) == 1) break;
    fclose(f);
    return threads;
}

/* A session of 4 threads that has run once, then left alone for a second, must cost (nearly) no CPU. */
TEST(idle_workers_sleep) {
    dlrt_model *m = load_net();
    dlrt_session *s = m ? create_session(m, 4) : NULL;
    CHECK(s != NULL, "%s", dlrt_last_error());
    if (s != NULL) {
        float y[OUT];
        CHECK(run_once(s, 0, y) == DLRT_OK && memcmp(y, expected[0], sizeof y) == 0, "run before the pause");
        int threads = process_threads();
        CHECK(threads == -1 || threads >= 4, "the session's 3 workers are not running (%d threads)", threads);
        double before = cpu_ms();
        nanosleep(&(struct timespec){.tv_sec = 1}, NULL);
        double idle = cpu_ms() - before;
        printf("idle session of 4 threads: %.1f ms of CPU in 1 s\n", idle);
        CHECK(idle < 20.0, "an idle session used %.1f ms of CPU in 1 s: its workers spin", idle);
    }
    dlrt_session_free(s);
    dlrt_model_free(m);
}

int main(void) {
    RUN(one_session_matches_the_definition);
    RUN(eight_sessions_share_one_model_bit_for_bit);
    RUN(idle_workers_sleep);
    return test_summary("concurrency");
}

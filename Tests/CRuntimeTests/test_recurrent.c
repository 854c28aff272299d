/*
 * rnn, lstm and gru nodes (format 1.2) and the recurrent state of the C ABI:
 *   - random sizes (N 1..3, T 1..7, odd I and H, each bias present or not,
 *     zero or given start state) against refop_recurrent, the equations in
 *     double: |got - want| <= 1e-5 * (1 + |want|), for y and the final state,
 *     at 1 and 3 threads (which must agree bit for bit);
 *   - DLRT_SESSION_KEEP_STATE: six runs of T = 1 equal one run of T = 6
 *     (within 1e-6), and differ without the flag; reset; get/set round trip;
 *     a failed run leaves the state alone;
 *   - every refusal: state calls (index, count, NULL, NaN, no flag) and load
 *     checks (shapes, constness, input counts, attributes).
 * tools/run-c-tests.sh runs it once per ISA.
 */
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "ref_ops.h"
#include "test.h"

enum { OP_DENSE = 3, OP_EMBEDDING = 21, OP_RNN = 22, OP_LSTM = 23, OP_GRU = 24 };
#define NO_TENSOR 0xFFFFFFFFu
#define TOL 1e-5

static int gates_of(int op) { return op == OP_LSTM ? 4 : op == OP_GRU ? 3 : 1; }
static const char *op_name(int op) { return op == OP_LSTM ? "lstm" : op == OP_GRU ? "gru" : "rnn"; }

typedef struct layer {
    int op;
    uint32_t n, t, i, h;
    float *w_ih, *w_hh, *b_ih, *b_hh; /* biases NULL when absent */
} layer;

static float *random_floats(size_t count, float scale, unsigned long long *rng) {
    float *v = malloc((count ? count : 1) * sizeof(float));
    for (size_t k = 0; k < count; k++) v[k] = scale * test_rng_float(rng);
    return v;
}

/* PyTorch's initialisation range, U(-1/sqrt(H), 1/sqrt(H)). */
static layer layer_make(int op, uint32_t n, uint32_t t, uint32_t i, uint32_t h, int bias_ih, int bias_hh, unsigned long long *rng) {
    layer L = {op, n, t, i, h, NULL, NULL, NULL, NULL};
    size_t g = (size_t)gates_of(op) * h;
    float k = 1.0f / sqrtf((float)h);
    L.w_ih = random_floats(g * i, k, rng);
    L.w_hh = random_floats(g * h, k, rng);
    if (bias_ih) L.b_ih = random_floats(g, k, rng);
    if (bias_hh) L.b_hh = random_floats(g, k, rng);
    return L;
}

static void layer_free(layer *L) {
    free(L->w_ih);
    free(L->w_hh);
    free(L->b_ih);
    free(L->b_hh);
}

/* Adds L as a node reading x; returns its output tensor "name" [n, t, h]. */
static uint32_t add_layer(tb_model *m, const layer *L, uint32_t x, uint32_t t, const char *name) {
    return tb_recurrent(m, (uint16_t)L->op, x, L->n, t, L->i, L->h, L->w_ih, L->w_hh, L->b_ih, L->b_hh, name);
}

/* x [n, t, i] -> L -> y, as a 1.2 file. */
static uint8_t *layer_file(const layer *L, uint32_t t, size_t *size) {
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dx[3] = {L->n, t, L->i};
    uint32_t x = tb_input(&m, "x", 3, dx);
    tb_output(&m, add_layer(&m, L, x, t, "y"));
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

static dlrt_model *load(const uint8_t *file, size_t size) {
    dlrt_model *model = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &model);
    CHECK(st == DLRT_OK, "load: %s: %s", dlrt_status_name(st), dlrt_last_error());
    return model;
}

static dlrt_session *session(const dlrt_model *model, uint32_t threads, uint32_t flags) {
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = threads;
    o.flags = flags;
    dlrt_session *s = NULL;
    dlrt_status st = dlrt_session_create(model, &o, &s);
    CHECK(st == DLRT_OK, "session: %s: %s", dlrt_status_name(st), dlrt_last_error());
    return s;
}

static int run(dlrt_session *s, const float *x, size_t xn, float *y, size_t yn) {
    dlrt_status st = dlrt_session_set_input(s, 0, x, xn);
    if (st == DLRT_OK) st = dlrt_session_run(s);
    if (st == DLRT_OK) st = dlrt_session_get_output(s, 0, y, yn);
    CHECK(st == DLRT_OK, "run: %s: %s", dlrt_status_name(st), dlrt_last_error());
    return st == DLRT_OK;
}

/* Counts values outside |got - want| <= TOL * (1 + |want|), reporting the first. */
static int mismatches(const char *what, const float *got, const double *want, size_t count) {
    int bad = 0;
    for (size_t k = 0; k < count; k++) {
        if (fabs((double)got[k] - want[k]) <= TOL * (1.0 + fabs(want[k]))) continue;
        if (bad++ == 0) CHECK(0, "%s[%zu]: got %.9g, want %.9g", what, k, (double)got[k], want[k]);
    }
    return bad;
}

static double max_diff(const float *a, const float *b, size_t count) {
    double d = 0;
    for (size_t k = 0; k < count; k++) d = fmax(d, fabs((double)a[k] - (double)b[k]));
    return d;
}

/* One random case at 1 and 3 threads, from zeros or (KEEP_STATE) from a random start state. */
static void check_case(const layer *L, int given_start, unsigned long long *rng, const char *label) {
    size_t size;
    uint8_t *file = layer_file(L, L->t, &size);
    dlrt_model *model = load(file, size);
    size_t xn = (size_t)L->n * L->t * L->i, yn = (size_t)L->n * L->t * L->h, sn = (size_t)L->n * L->h;
    float *x = random_floats(xn, 1.0f, rng), *h0 = random_floats(sn, 0.9f, rng), *c0 = random_floats(sn, 2.0f, rng);
    double *want = malloc(yn * sizeof(double)), *want_h = malloc(sn * sizeof(double)), *want_c = malloc(sn * sizeof(double));
    float *got[2] = {malloc(yn * sizeof(float)), malloc(yn * sizeof(float))}, *state = malloc(sn * sizeof(float));
    refop_recurrent(gates_of(L->op), L->n, L->t, L->i, L->h, x, L->w_ih, L->w_hh, L->b_ih, L->b_hh, given_start ? h0 : NULL,
                    given_start ? c0 : NULL, want, want_h, want_c);
    uint32_t threads[2] = {1, 3};
    for (int k = 0; k < 2 && model; k++) {
        dlrt_session *s = session(model, threads[k], given_start ? DLRT_SESSION_KEEP_STATE : 0);
        if (s == NULL) break;
        size_t states = L->op == OP_LSTM ? 2 : 1;
        CHECK(dlrt_session_state_count(s) == states, "%s: %zu states", label, dlrt_session_state_count(s));
        if (given_start) {
            CHECK(dlrt_session_set_state(s, 0, h0, sn) == DLRT_OK, "%s: set h: %s", label, dlrt_last_error());
            if (states == 2) CHECK(dlrt_session_set_state(s, 1, c0, sn) == DLRT_OK, "%s: set c: %s", label, dlrt_last_error());
        }
        if (run(s, x, xn, got[k], yn)) {
            char what[160];
            snprintf(what, sizeof what, "%s, %u threads, y", label, threads[k]);
            if (mismatches(what, got[k], want, yn)) fprintf(stderr, "    (%s)\n", what);
            CHECK(dlrt_session_get_state(s, 0, state, sn) == DLRT_OK, "%s: get h: %s", label, dlrt_last_error());
            snprintf(what, sizeof what, "%s, %u threads, h_n", label, threads[k]);
            mismatches(what, state, want_h, sn);
            if (states == 2) {
                CHECK(dlrt_session_get_state(s, 1, state, sn) == DLRT_OK, "%s: get c: %s", label, dlrt_last_error());
                snprintf(what, sizeof what, "%s, %u threads, c_n", label, threads[k]);
                mismatches(what, state, want_c, sn);
            }
        }
        dlrt_session_free(s);
    }
    CHECK(memcmp(got[0], got[1], yn * sizeof(float)) == 0, "%s: 1 and 3 threads differ by %g", label, max_diff(got[0], got[1], yn));
    dlrt_model_free(model);
    free(file);
    free(x), free(h0), free(c0), free(want), free(want_h), free(want_c), free(got[0]), free(got[1]), free(state);
}

TEST(random_layers_match_the_equations) {
    unsigned long long rng = 0x5EEDF00Dull;
    static const uint32_t hidden[] = {1, 2, 3, 5, 7, 8, 13, 16, 17, 33};
    for (int c = 0; c < 36; c++) {
        int op = c % 3 == 0 ? OP_RNN : c % 3 == 1 ? OP_LSTM : OP_GRU;
        uint32_t n = 1 + (uint32_t)(test_rng_next(&rng) % 3), t = 1 + (uint32_t)(test_rng_next(&rng) % 7);
        uint32_t i = 1 + (uint32_t)(test_rng_next(&rng) % 11), h = hidden[test_rng_next(&rng) % 10];
        int bias = (c / 3) % 4; /* both, none, b_ih only, b_hh only */
        layer L = layer_make(op, n, t, i, h, bias == 0 || bias == 2, bias == 0 || bias == 3, &rng);
        char label[128];
        int given = (c / 12) % 2;
        snprintf(label, sizeof label, "%s N=%u T=%u I=%u H=%u bias %d start %s", op_name(op), n, t, i, h, bias, given ? "given" : "zero");
        check_case(&L, given, &rng, label);
        layer_free(&L);
    }
}

/* x [n, t, i] column s as [n, 1, i]. */
static void step_slice(const float *x, uint32_t n, uint32_t t, uint32_t i, uint32_t s, float *out) {
    for (uint32_t b = 0; b < n; b++) memcpy(out + (size_t)b * i, x + ((size_t)b * t + s) * i, i * sizeof(float));
}

TEST(keep_state_steps_equal_one_sequence) {
    unsigned long long rng = 0xC0FFEEull;
    const int ops[3] = {OP_RNN, OP_LSTM, OP_GRU};
    for (int k = 0; k < 3; k++) {
        const uint32_t n = 2, t = 6, in = 5, h = 7;
        layer L = layer_make(ops[k], n, t, in, h, 1, 1, &rng);
        size_t size6, size1;
        uint8_t *file6 = layer_file(&L, t, &size6), *file1 = layer_file(&L, 1, &size1);
        dlrt_model *m6 = load(file6, size6), *m1 = load(file1, size1);
        float *x = random_floats((size_t)n * t * in, 1.0f, &rng), xs[2 * 5], y6[2 * 6 * 7], ys[2 * 7], yfree[2 * 7];
        dlrt_session *whole = m6 ? session(m6, 1, 0) : NULL;
        dlrt_session *kept = m1 ? session(m1, 1, DLRT_SESSION_KEEP_STATE) : NULL, *fresh = m1 ? session(m1, 1, 0) : NULL;
        if (whole && kept && fresh && run(whole, x, (size_t)n * t * in, y6, sizeof y6 / sizeof *y6)) {
            double worst = 0, free_gap = 0;
            for (uint32_t s = 0; s < t; s++) {
                step_slice(x, n, t, in, s, xs);
                if (!run(kept, xs, n * in, ys, n * h) || !run(fresh, xs, n * in, yfree, n * h)) break;
                for (uint32_t b = 0; b < n; b++)
                    for (uint32_t j = 0; j < h; j++) {
                        double want = y6[((size_t)b * t + s) * h + j];
                        worst = fmax(worst, fabs(ys[b * h + j] - want));
                        if (s > 0) free_gap = fmax(free_gap, fabs(yfree[b * h + j] - want));
                    }
            }
            CHECK(worst <= 1e-6, "%s: six T=1 runs with KEEP_STATE differ from one T=6 run by %g", op_name(ops[k]), worst);
            CHECK(free_gap > 1e-3, "%s: T=1 runs without KEEP_STATE match the sequence (gap %g): state leaked", op_name(ops[k]), free_gap);
            /* Both end in the same state. */
            float a[14], b[14];
            for (size_t st = 0; st < dlrt_session_state_count(whole); st++) {
                CHECK(dlrt_session_get_state(whole, st, a, 14) == DLRT_OK && dlrt_session_get_state(kept, st, b, 14) == DLRT_OK,
                      "get_state: %s", dlrt_last_error());
                CHECK(max_diff(a, b, 14) <= 1e-6, "%s: final state %zu differs by %g", op_name(ops[k]), st, max_diff(a, b, 14));
            }
            /* Without the flag, the state read back is the one the last run ended with: its y for h. */
            CHECK(dlrt_session_get_state(fresh, 0, a, 14) == DLRT_OK && memcmp(a, yfree, sizeof a) == 0,
                  "%s: a session without KEEP_STATE does not report its last run's final h", op_name(ops[k]));
        }
        dlrt_session_free(whole), dlrt_session_free(kept), dlrt_session_free(fresh);
        dlrt_model_free(m6), dlrt_model_free(m1);
        free(file6), free(file1), free(x);
        layer_free(&L);
    }
}

TEST(reset_and_round_trip) {
    unsigned long long rng = 0xABCDull;
    layer L = layer_make(OP_LSTM, 3, 1, 4, 5, 1, 1, &rng);
    size_t size;
    uint8_t *file = layer_file(&L, 1, &size);
    dlrt_model *model = load(file, size);
    dlrt_session *s = model ? session(model, 1, DLRT_SESSION_KEEP_STATE) : NULL;
    if (s) {
        float x[12], first[15], second[15], again[15], zeros[15] = {0}, state[15], set[15];
        for (int k = 0; k < 12; k++) x[k] = test_rng_float(&rng);
        run(s, x, 12, first, 15);
        run(s, x, 12, second, 15);
        CHECK(max_diff(first, second, 15) > 1e-4, "the second run did not start from the first's state");
        CHECK(dlrt_session_reset_state(s) == DLRT_OK, "reset: %s", dlrt_last_error());
        for (size_t k = 0; k < 2; k++) {
            CHECK(dlrt_session_get_state(s, k, state, 15) == DLRT_OK && memcmp(state, zeros, sizeof zeros) == 0,
                  "state %zu is not zero after reset", k);
        }
        run(s, x, 12, again, 15);
        CHECK(memcmp(first, again, sizeof first) == 0, "after reset the run differs from the first by %g", max_diff(first, again, 15));
        for (size_t k = 0; k < 2; k++) {
            for (int j = 0; j < 15; j++) set[j] = test_rng_float(&rng);
            CHECK(dlrt_session_set_state(s, k, set, 15) == DLRT_OK, "set: %s", dlrt_last_error());
            CHECK(dlrt_session_get_state(s, k, state, 15) == DLRT_OK && memcmp(state, set, sizeof set) == 0,
                  "state %zu does not read back what was set", k);
        }
    }
    dlrt_session_free(s);
    dlrt_model_free(model);
    free(file);
    layer_free(&L);
}

static int says(const char *needle) { return strstr(dlrt_last_error(), needle) != NULL; }

TEST(state_calls_refuse_bad_arguments) {
    unsigned long long rng = 0x1234ull;
    layer L = layer_make(OP_LSTM, 2, 3, 4, 5, 1, 0, &rng);
    size_t size;
    uint8_t *file = layer_file(&L, 3, &size);
    dlrt_model *model = load(file, size);
    dlrt_session *kept = model ? session(model, 1, DLRT_SESSION_KEEP_STATE) : NULL, *plain = model ? session(model, 1, 0) : NULL;
    if (kept && plain) {
        float v[11] = {0}, before[10], after[10];
        dlrt_tensor_info info = {.struct_size = sizeof info};
        CHECK(dlrt_session_state_count(NULL) == 0, "state_count(NULL)");
        CHECK(dlrt_session_state_info(kept, 0, &info) == DLRT_OK && strcmp(info.name, "y.h") == 0 && info.rank == 2 &&
                  info.shape[0] == 2 && info.shape[1] == 5 && info.dtype == DLRT_F32 && info.quant_axis == -1,
              "state 0 info: %s", info.name ? info.name : "(null)");
        CHECK(dlrt_session_state_info(kept, 1, &info) == DLRT_OK && strcmp(info.name, "y.c") == 0, "state 1 info");
        CHECK(dlrt_session_state_info(kept, 2, &info) == DLRT_ERR_INVALID_ARGUMENT && says("out of range"), "info index 2: %s", dlrt_last_error());
        CHECK(dlrt_session_state_info(kept, 0, NULL) == DLRT_ERR_INVALID_ARGUMENT, "info NULL");
        info.struct_size = 8;
        CHECK(dlrt_session_state_info(kept, 0, &info) == DLRT_ERR_INVALID_ARGUMENT && says("struct_size"), "small struct_size");
        CHECK(dlrt_session_state_info(NULL, 0, &info) == DLRT_ERR_INVALID_ARGUMENT, "info NULL session");
        CHECK(dlrt_session_get_state(kept, 2, v, 10) == DLRT_ERR_INVALID_ARGUMENT, "get index 2");
        CHECK(dlrt_session_get_state(kept, 0, v, 9) == DLRT_ERR_SHAPE && says("'y.h' [2, 5] holds 10 values, 9 given"), "get 9: %s",
              dlrt_last_error());
        CHECK(dlrt_session_get_state(kept, 0, NULL, 10) == DLRT_ERR_INVALID_ARGUMENT, "get NULL data");
        CHECK(dlrt_session_get_state(NULL, 0, v, 10) == DLRT_ERR_INVALID_ARGUMENT, "get NULL session");
        CHECK(dlrt_session_set_state(kept, 0, v, 11) == DLRT_ERR_SHAPE && says("11 given"), "set 11: %s", dlrt_last_error());
        CHECK(dlrt_session_set_state(kept, 1, v, 9) == DLRT_ERR_SHAPE && says("'y.c'"), "set 9: %s", dlrt_last_error());
        CHECK(dlrt_session_set_state(kept, 2, v, 10) == DLRT_ERR_INVALID_ARGUMENT, "set index 2");
        CHECK(dlrt_session_set_state(kept, 0, NULL, 10) == DLRT_ERR_INVALID_ARGUMENT, "set NULL data");
        CHECK(dlrt_session_set_state(NULL, 0, v, 10) == DLRT_ERR_INVALID_ARGUMENT, "set NULL session");
        CHECK(dlrt_session_set_state(plain, 0, v, 10) == DLRT_ERR_INVALID_ARGUMENT && says("DLRT_SESSION_KEEP_STATE"),
              "set without the flag: %s", dlrt_last_error());
        CHECK(dlrt_session_reset_state(NULL) == DLRT_ERR_INVALID_ARGUMENT, "reset NULL");
        /* Non-finite values are refused and change nothing. */
        for (int k = 0; k < 10; k++) v[k] = 0.25f * (float)k;
        CHECK(dlrt_session_set_state(kept, 0, v, 10) == DLRT_OK, "set: %s", dlrt_last_error());
        dlrt_session_get_state(kept, 0, before, 10);
        const float bad[3] = {NAN, INFINITY, -INFINITY};
        for (int k = 0; k < 3; k++) {
            float w[10];
            memcpy(w, v, sizeof w);
            w[7] = 1.0f;
            w[8] = bad[k];
            CHECK(dlrt_session_set_state(kept, 0, w, 10) == DLRT_ERR_INVALID_ARGUMENT && says("value 8 ([1, 3])") && says("finite"),
                  "set with %g: %s", (double)bad[k], dlrt_last_error());
            dlrt_session_get_state(kept, 0, after, 10);
            CHECK(memcmp(before, after, sizeof before) == 0, "a refused set changed the state");
        }
        /* State shapes follow the session's batch. */
        dlrt_session_options o;
        dlrt_session_options_defaults(&o);
        o.batch = 3;
        dlrt_session *b3 = NULL;
        CHECK(dlrt_session_create(model, &o, &b3) == DLRT_OK, "batch 3: %s", dlrt_last_error());
        if (b3) {
            CHECK(dlrt_session_state_info(b3, 1, &(dlrt_tensor_info){.struct_size = sizeof info}) == DLRT_OK, "batch 3 info");
            dlrt_tensor_info i3 = {.struct_size = sizeof i3};
            dlrt_session_state_info(b3, 1, &i3);
            CHECK(i3.shape[0] == 3 && i3.shape[1] == 5, "batch 3 state shape [%lld, %lld]", (long long)i3.shape[0], (long long)i3.shape[1]);
        }
        dlrt_session_free(b3);
        /* An unknown flag bit is still refused. */
        o.batch = 0;
        o.flags = 1u << 2;
        dlrt_session *unknown = NULL;
        CHECK(dlrt_session_create(model, &o, &unknown) == DLRT_ERR_INVALID_ARGUMENT && unknown == NULL, "flag 1<<2 accepted");
    }
    dlrt_session_free(kept), dlrt_session_free(plain);
    dlrt_model_free(model);
    free(file);
    layer_free(&L);
    /* A model without recurrent nodes has no state. */
    size_t small_size;
    uint8_t *small = tb_small_model(&small_size);
    dlrt_model *sm = load(small, small_size);
    dlrt_session *ss = sm ? session(sm, 1, DLRT_SESSION_KEEP_STATE) : NULL;
    if (ss) {
        float v[1];
        CHECK(dlrt_session_state_count(ss) == 0, "small model has state");
        CHECK(dlrt_session_get_state(ss, 0, v, 1) == DLRT_ERR_INVALID_ARGUMENT && says("0 state tensors"), "get on no state: %s",
              dlrt_last_error());
        CHECK(dlrt_session_reset_state(ss) == DLRT_OK, "reset without state");
    }
    dlrt_session_free(ss);
    dlrt_model_free(sm);
    free(small);
}

/* x -> lstm -> y, and ids -> embedding -> e, in that order: a bad id fails the run after the lstm ran. */
TEST(failed_run_keeps_state) {
    unsigned long long rng = 0x77ull;
    layer L = layer_make(OP_LSTM, 1, 2, 3, 4, 1, 1, &rng);
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dx[3] = {1, 2, 3}, dids[2] = {1, 2}, dtable[2] = {5, 2}, de[3] = {1, 2, 2};
    uint32_t x = tb_input(&m, "x", 3, dx), ids = tb_input(&m, "ids", 2, dids);
    tb_output(&m, add_layer(&m, &L, x, 2, "y"));
    float table[10];
    for (int k = 0; k < 10; k++) table[k] = (float)k;
    uint32_t in[2] = {ids, tb_constant(&m, "table", 2, dtable, table)};
    uint32_t e = tb_tensor(&m, "e", 3, de);
    tb_node(&m, OP_EMBEDDING, 2, in, e, 0, NULL);
    tb_output(&m, e);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);
    dlrt_model *model = load(file, size);
    dlrt_session *s = model ? session(model, 1, DLRT_SESSION_KEEP_STATE) : NULL;
    if (s) {
        float xv[6] = {0.1f, -0.2f, 0.3f, 0.5f, 0.7f, -0.9f}, good[2] = {1, 4}, bad[2] = {2, 5}, h1[4], c1[4], h2[4], c2[4];
        CHECK(dlrt_session_set_input(s, 0, xv, 6) == DLRT_OK && dlrt_session_set_input(s, 1, good, 2) == DLRT_OK &&
                  dlrt_session_run(s) == DLRT_OK,
              "good run: %s", dlrt_last_error());
        dlrt_session_get_state(s, 0, h1, 4);
        dlrt_session_get_state(s, 1, c1, 4);
        CHECK(dlrt_session_set_input(s, 1, bad, 2) == DLRT_OK, "set ids");
        CHECK(dlrt_session_run(s) == DLRT_ERR_INVALID_ARGUMENT && says("id 5 at position [0, 1] of 'ids'"), "bad run: %s",
              dlrt_last_error());
        dlrt_session_get_state(s, 0, h2, 4);
        dlrt_session_get_state(s, 1, c2, 4);
        CHECK(memcmp(h1, h2, sizeof h1) == 0 && memcmp(c1, c2, sizeof c1) == 0, "a failed run changed the state");
    }
    dlrt_session_free(s);
    dlrt_model_free(model);
    free(file);
    layer_free(&L);
}

/* ---- load refusals ------------------------------------------------------------ */

typedef struct variant {
    const char *what;
    uint32_t x_rank, w_ih_rows, w_ih_cols, w_hh_rows, w_hh_cols, b_ih_len, b_hh_len, y_h;
    int w_hh_input;  /* W_hh a graph input instead of a constant */
    int inputs;      /* node input count */
    int attribute;   /* give the node an `activation` attribute */
    dlrt_status status;
    const char *message;
} variant;

static void check_refusal(const variant *v) {
    /* LSTM, N 2, T 3, I 4, H 5 unless the variant says otherwise. */
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dx[3] = {2, 3, 4};
    uint32_t x = tb_input(&m, "x", v->x_rank, v->x_rank == 3 ? dx : dx + 1);
    static float zeros[4096];
    uint32_t dih[2] = {v->w_ih_rows, v->w_ih_cols}, dhh[2] = {v->w_hh_rows, v->w_hh_cols};
    uint32_t dbi[1] = {v->b_ih_len}, dbh[1] = {v->b_hh_len}, dy[3] = {2, 3, v->y_h};
    uint32_t in[5] = {x, tb_constant(&m, "w_ih", 2, dih, zeros), 0, 0, 0};
    in[2] = v->w_hh_input ? tb_input(&m, "w_hh", 2, dhh) : tb_constant(&m, "w_hh", 2, dhh, zeros);
    in[3] = tb_constant(&m, "b_ih", 1, dbi, zeros);
    in[4] = tb_constant(&m, "b_hh", 1, dbh, zeros);
    uint32_t y = v->x_rank == 3 ? tb_tensor(&m, "y", 3, dy) : tb_tensor(&m, "y", 2, dy + 1);
    tb_attr act = {5, 1, 1, {4}, {0}};
    tb_node(&m, OP_LSTM, (uint32_t)v->inputs, in, y, v->attribute ? 1 : 0, &act);
    tb_output(&m, y);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);
    dlrt_model *model = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &model);
    CHECK(st == v->status && model == (v->status == DLRT_OK ? model : NULL), "%s: %s (%s)", v->what, dlrt_status_name(st), dlrt_last_error());
    if (v->message) CHECK(says(v->message), "%s: message '%s' lacks '%s'", v->what, dlrt_last_error(), v->message);
    dlrt_model_free(model);
    free(file);
}

TEST(load_refuses_bad_recurrent_nodes) {
    const variant ok = {"valid", 3, 20, 4, 20, 5, 20, 20, 5, 0, 5, 0, DLRT_OK, NULL};
    check_refusal(&ok);
    variant v;
    v = ok, v.what = "W_hh not [4H, H]", v.w_hh_cols = 6;
    v.status = DLRT_ERR_SHAPE, v.message = "node 0 (lstm): W_hh 'w_hh' must be [4*H, H], is [20,6]";
    check_refusal(&v);
    v = ok, v.what = "W_ih rows for another H", v.w_ih_rows = 24;
    v.status = DLRT_ERR_SHAPE, v.message = "W_ih 'w_ih' must be [20, 4] (4*H with H = 5 from W_hh, and X's I), is [24,4]";
    check_refusal(&v);
    v = ok, v.what = "W_ih columns not I", v.w_ih_cols = 3;
    v.status = DLRT_ERR_SHAPE, v.message = "is [20,3]";
    check_refusal(&v);
    v = ok, v.what = "X rank 2", v.x_rank = 2;
    v.status = DLRT_ERR_SHAPE, v.message = "input X must be rank 3 [N, T, I] (batch first), is [3,4]";
    check_refusal(&v);
    v = ok, v.what = "b_ih length", v.b_ih_len = 5;
    v.status = DLRT_ERR_SHAPE, v.message = "b_ih 'b_ih' must be [20], is [5]";
    check_refusal(&v);
    v = ok, v.what = "b_hh length", v.b_hh_len = 21;
    v.status = DLRT_ERR_SHAPE, v.message = "b_hh 'b_hh' must be [20], is [21]";
    check_refusal(&v);
    v = ok, v.what = "stored output shape", v.y_h = 6;
    v.status = DLRT_ERR_SHAPE, v.message = "tensor 'y': stored shape [2,3,6] but the graph gives [2,3,5]";
    check_refusal(&v);
    v = ok, v.what = "W_hh not constant", v.w_hh_input = 1;
    v.status = DLRT_ERR_FORMAT, v.message = "input 2 ('w_hh') must be a constant";
    check_refusal(&v);
    v = ok, v.what = "two inputs", v.inputs = 2;
    v.status = DLRT_ERR_FORMAT, v.message = "takes 3..5 inputs";
    check_refusal(&v);
    v = ok, v.what = "an attribute", v.attribute = 1;
    v.status = DLRT_ERR_FORMAT, v.message = "attribute key 5 (activation) is not accepted by this op";
    check_refusal(&v);
}

int main(void) {
    RUN(random_layers_match_the_equations);
    RUN(keep_state_steps_equal_one_sequence);
    RUN(reset_and_round_trip);
    RUN(state_calls_refuse_bad_arguments);
    RUN(failed_run_keeps_state);
    RUN(load_refuses_bad_recurrent_nodes);
    return test_summary("recurrent");
}

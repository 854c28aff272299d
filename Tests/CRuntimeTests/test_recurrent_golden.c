/*
 * rnn, lstm and gru against PyTorch: Tests/Fixtures/recurrent_golden.txt
 * (tools/golden/make_recurrent_golden.py; nn.RNN / nn.LSTM / nn.GRU,
 * batch_first, one layer, with and without biases, from a given start state)
 * holds the weights, inputs and PyTorch's y and final state. Each case is
 * built into a 1.2 file, started from h0 (c0) through
 * dlrt_session_set_state, and its y and final state compared with
 * |got - want| <= 1e-5 * (1 + |want|). Runs from the repository root.
 */
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

#define FIXTURE "Tests/Fixtures/recurrent_golden.txt"
#define TOL 1e-5

enum { T_X, T_W_IH, T_W_HH, T_B_IH, T_B_HH, T_H0, T_C0, T_Y, T_H_N, T_C_N, T_COUNT };
static const char *const tensor_names[T_COUNT] = {"x", "w_ih", "w_hh", "b_ih", "b_hh", "h0", "c0", "y", "h_n", "c_n"};

typedef struct golden_case {
    char name[64], op[8];
    uint32_t n, t, i, h;
    float *v[T_COUNT];
    size_t count[T_COUNT];
} golden_case;

/* Reads one case's tensors up to "end"; 0 on a malformed file. */
static int read_tensors(FILE *f, golden_case *c) {
    char word[32];
    while (fscanf(f, "%31s", word) == 1) {
        if (strcmp(word, "end") == 0) return 1;
        int k = 0;
        while (k < T_COUNT && strcmp(word, tensor_names[k]) != 0) k++;
        size_t count;
        if (k == T_COUNT || c->v[k] != NULL || fscanf(f, "%zu", &count) != 1 || count == 0 || count > 100000) return 0;
        c->v[k] = malloc(count * sizeof(float));
        c->count[k] = count;
        for (size_t j = 0; j < count; j++)
            if (fscanf(f, "%f", &c->v[k][j]) != 1) return 0;
    }
    return 0;
}

static int mismatches(const char *what, const float *got, const float *want, size_t count) {
    int bad = 0;
    for (size_t k = 0; k < count; k++) {
        if (fabs((double)got[k] - (double)want[k]) <= TOL * (1.0 + fabs((double)want[k]))) continue;
        if (bad++ == 0) CHECK(0, "%s[%zu]: got %.9g, PyTorch %.9g", what, k, (double)got[k], (double)want[k]);
    }
    return bad;
}

static void check_case(const golden_case *c) {
    uint16_t op = strcmp(c->op, "lstm") == 0 ? 23 : strcmp(c->op, "gru") == 0 ? 24 : 22;
    size_t g = (op == 23 ? 4u : op == 24 ? 3u : 1u) * c->h, xn = (size_t)c->n * c->t * c->i, yn = (size_t)c->n * c->t * c->h,
           sn = (size_t)c->n * c->h;
    int lstm = op == 23;
    int fits = c->count[T_X] == xn && c->count[T_W_IH] == g * c->i && c->count[T_W_HH] == g * c->h && c->count[T_Y] == yn &&
               c->count[T_H0] == sn && c->count[T_H_N] == sn && (!lstm || (c->count[T_C0] == sn && c->count[T_C_N] == sn)) &&
               (c->v[T_B_IH] == NULL || c->count[T_B_IH] == g) && (c->v[T_B_HH] == NULL || c->count[T_B_HH] == g);
    CHECK(fits, "%s: tensor sizes do not fit the case", c->name);
    if (!fits) return;
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dx[3] = {c->n, c->t, c->i};
    uint32_t x = tb_input(&m, "x", 3, dx);
    tb_output(&m, tb_recurrent(&m, op, x, c->n, c->t, c->i, c->h, c->v[T_W_IH], c->v[T_W_HH], c->v[T_B_IH], c->v[T_B_HH], "y"));
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "%s: load: %s", c->name, dlrt_last_error());
    for (uint32_t threads = 1; model && threads <= 2; threads++) {
        dlrt_session_options o;
        dlrt_session_options_defaults(&o);
        o.threads = threads;
        o.flags = DLRT_SESSION_KEEP_STATE;
        dlrt_session *s = NULL;
        CHECK(dlrt_session_create(model, &o, &s) == DLRT_OK, "%s: session: %s", c->name, dlrt_last_error());
        if (s == NULL) break;
        float *y = malloc(yn * sizeof(float)), *state = malloc(sn * sizeof(float));
        dlrt_status st = dlrt_session_set_state(s, 0, c->v[T_H0], sn);
        if (st == DLRT_OK && lstm) st = dlrt_session_set_state(s, 1, c->v[T_C0], sn);
        if (st == DLRT_OK) st = dlrt_session_set_input(s, 0, c->v[T_X], xn);
        if (st == DLRT_OK) st = dlrt_session_run(s);
        if (st == DLRT_OK) st = dlrt_session_get_output(s, 0, y, yn);
        CHECK(st == DLRT_OK, "%s: %s", c->name, dlrt_last_error());
        if (st == DLRT_OK) {
            char what[96];
            snprintf(what, sizeof what, "%s (%u threads) y", c->name, threads);
            mismatches(what, y, c->v[T_Y], yn);
            snprintf(what, sizeof what, "%s (%u threads) h_n", c->name, threads);
            if (dlrt_session_get_state(s, 0, state, sn) == DLRT_OK) mismatches(what, state, c->v[T_H_N], sn);
            snprintf(what, sizeof what, "%s (%u threads) c_n", c->name, threads);
            if (lstm && dlrt_session_get_state(s, 1, state, sn) == DLRT_OK) mismatches(what, state, c->v[T_C_N], sn);
        }
        free(y);
        free(state);
        dlrt_session_free(s);
    }
    dlrt_model_free(model);
    free(file);
}

TEST(pytorch_golden) {
    FILE *f = fopen(FIXTURE, "r");
    CHECK(f != NULL, "%s not found (run from the repository root)", FIXTURE);
    if (f == NULL) return;
    int cases = 0, ops = 0;
    char line[256];
    while (fscanf(f, "%255s", line) == 1) {
        if (line[0] == '#') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n') {}
            continue;
        }
        golden_case c;
        memset(&c, 0, sizeof c);
        int ok = strcmp(line, "case") == 0 &&
                 fscanf(f, "%63s %7s %u %u %u %u", c.name, c.op, &c.n, &c.t, &c.i, &c.h) == 6 && read_tensors(f, &c);
        CHECK(ok, "%s: malformed near case %d", FIXTURE, cases);
        if (ok) {
            check_case(&c);
            ops |= strcmp(c.op, "lstm") == 0 ? 1 : strcmp(c.op, "gru") == 0 ? 2 : 4;
        }
        for (int k = 0; k < T_COUNT; k++) free(c.v[k]);
        cases++;
        if (!ok) break;
    }
    fclose(f);
    CHECK(cases >= 5 && ops == 7, "%d cases, op mask %d: expected every op", cases, ops);
}

int main(void) {
    RUN(pytorch_golden);
    return test_summary("recurrent_golden");
}

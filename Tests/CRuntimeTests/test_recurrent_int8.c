/*
 * Weight-only int8 for rnn, lstm and gru (docs/FORMAT.md, "Recurrent ops"):
 *   - W_ih and/or W_hh stored as i8, one scale per row or per tensor, give
 *     outputs and final states bit-identical to the same model storing the
 *     f32 weights s * q (computed here, from the format's formula), at 1 and
 *     3 threads, and both match refop_recurrent (double) within 1e-5;
 *   - every refusal, with its status and message: wrong quantization kind or
 *     scale count, a non-zero zero point, -128, u8 and i32 weights, a weight
 *     that is not a constant, an i8 X, an i8 bias;
 *   - the f32 copies belong to the model: the ASan build (LeakSanitizer)
 *     checks that dlrt_model_free releases them, and that a load refused at
 *     W_hh after W_ih's copy was made releases that copy.
 * tools/run-c-tests.sh runs it once per ISA.
 */
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "ref_ops.h"
#include "test.h"

enum { OP_QUANTIZE = 19, OP_RNN = 22, OP_LSTM = 23, OP_GRU = 24 };
enum { DT_F32 = 1, DT_I8 = 2, DT_U8 = 3, DT_I32 = 4 };
enum { Q_NONE = 0, Q_TENSOR = 1, Q_CHANNEL = 2 };
#define TOL 1e-5

static int gates_of(int op) { return op == OP_LSTM ? 4 : op == OP_GRU ? 3 : 1; }
static const char *op_name(int op) { return op == OP_LSTM ? "lstm" : op == OP_GRU ? "gru" : "rnn"; }

static int says(const char *part) { return strstr(dlrt_last_error(), part) != NULL; }

static float *random_floats(size_t count, float scale, unsigned long long *rng) {
    float *v = malloc(count * sizeof(float));
    for (size_t k = 0; k < count; k++) v[k] = scale * test_rng_float(rng);
    return v;
}

/* An int8 weight [rows, cols]: values in [-127, 127] (both ends present), its scales, and s * q in f32. */
typedef struct qweight {
    uint32_t rows, cols;
    int per_row;
    int8_t *q;
    float *scales, *f;
} qweight;

static qweight qweight_make(uint32_t rows, uint32_t cols, int per_row, float range, unsigned long long *rng) {
    qweight w = {rows, cols, per_row, malloc((size_t)rows * cols), malloc(rows * sizeof(float)), malloc((size_t)rows * cols * sizeof(float))};
    for (size_t k = 0; k < (size_t)rows * cols; k++) w.q[k] = (int8_t)((int)(test_rng_next(rng) % 255) - 127);
    w.q[0] = -127;
    w.q[rows * cols - 1] = 127;
    for (uint32_t r = 0; r < rows; r++) w.scales[r] = range / 127.0f * (0.5f + 0.5f * fabsf(test_rng_float(rng)));
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < cols; c++) w.f[r * cols + c] = w.scales[per_row ? r : 0] * (float)w.q[r * cols + c];
    return w;
}

static void qweight_free(qweight *w) {
    free(w->q);
    free(w->scales);
    free(w->f);
}

/* The weight as an i8 constant (per row: per-channel on axis 0; else per tensor) or as its f32 values. */
static uint32_t weight_tensor(tb_model *m, const char *name, const qweight *w, int as_i8) {
    uint32_t dims[2] = {w->rows, w->cols};
    if (!as_i8) return tb_constant(m, name, 2, dims, w->f);
    tb_tensor_spec spec = {name, DT_I8, w->per_row ? Q_CHANNEL : Q_TENSOR, 2, dims, w->per_row ? 0 : -1, w->scales, NULL, w->q};
    return tb_tensor_any(m, &spec);
}

typedef struct layer {
    int op;
    uint32_t n, t, i, h;
    qweight w_ih, w_hh;
    float *b_ih, *b_hh; /* NULL: absent */
} layer;

/* x [n, t, i] -> the layer -> y, with W_ih as i8 when `i8_mask` has bit 0, W_hh when bit 1. */
static uint8_t *layer_file(const layer *L, int i8_mask, size_t *size) {
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t g = (uint32_t)gates_of(L->op) * L->h, dx[3] = {L->n, L->t, L->i}, dy[3] = {L->n, L->t, L->h}, db[1] = {g};
    uint32_t in[5] = {tb_input(&m, "x", 3, dx), weight_tensor(&m, "w_ih", &L->w_ih, i8_mask & 1),
                      weight_tensor(&m, "w_hh", &L->w_hh, i8_mask & 2), 0xFFFFFFFFu, 0xFFFFFFFFu};
    if (L->b_ih) in[3] = tb_constant(&m, "b_ih", 1, db, L->b_ih);
    if (L->b_hh) in[4] = tb_constant(&m, "b_hh", 1, db, L->b_hh);
    uint32_t y = tb_tensor(&m, "y", 3, dy);
    tb_node(&m, (uint16_t)L->op, L->b_hh ? 5 : L->b_ih ? 4 : 3, in, y, 0, NULL);
    tb_output(&m, y);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

/* Runs the file on x at `threads`: y then the final h (and c) into out. Returns 0 on failure. */
static int run_file(const uint8_t *file, size_t size, const layer *L, const float *x, uint32_t threads, float *out) {
    dlrt_model *model = NULL;
    dlrt_session *s = NULL;
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = threads;
    size_t xn = (size_t)L->n * L->t * L->i, yn = (size_t)L->n * L->t * L->h, sn = (size_t)L->n * L->h;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &model);
    if (st == DLRT_OK) st = dlrt_session_create(model, &o, &s);
    if (st == DLRT_OK) st = dlrt_session_set_input(s, 0, x, xn);
    if (st == DLRT_OK) st = dlrt_session_run(s);
    if (st == DLRT_OK) st = dlrt_session_get_output(s, 0, out, yn);
    for (size_t k = 0; st == DLRT_OK && k < dlrt_session_state_count(s); k++) st = dlrt_session_get_state(s, k, out + yn + k * sn, sn);
    CHECK(st == DLRT_OK, "%s: %s: %s", op_name(L->op), dlrt_status_name(st), dlrt_last_error());
    dlrt_session_free(s);
    dlrt_model_free(model);
    return st == DLRT_OK;
}

static void check_identical(int op, int per_row, int i8_mask, int biases, unsigned long long *rng) {
    layer L = {op, 2, 5, 7, 9, {0}, {0}, NULL, NULL};
    uint32_t g = (uint32_t)gates_of(op) * L.h;
    float range = 1.0f / sqrtf((float)L.h);
    L.w_ih = qweight_make(g, L.i, per_row, range, rng);
    L.w_hh = qweight_make(g, L.h, per_row, range, rng);
    if (biases) L.b_ih = random_floats(g, range, rng), L.b_hh = random_floats(g, range, rng);
    size_t xn = (size_t)L.n * L.t * L.i, yn = (size_t)L.n * L.t * L.h, sn = (size_t)L.n * L.h;
    size_t states = op == OP_LSTM ? 2 : 1, total = yn + states * sn;
    float *x = random_floats(xn, 1.0f, rng);
    size_t qsize, fsize;
    uint8_t *qfile = layer_file(&L, i8_mask, &qsize), *ffile = layer_file(&L, 0, &fsize);
    CHECK(qsize < fsize, "the i8 file (%zu bytes) is not smaller than the f32 one (%zu)", qsize, fsize);
    double *want = malloc(total * sizeof(double));
    refop_recurrent(gates_of(op), L.n, L.t, L.i, L.h, x, L.w_ih.f, L.w_hh.f, L.b_ih, L.b_hh, NULL, NULL, want, want + yn,
                    states == 2 ? want + yn + sn : NULL);
    float *got_q = malloc(total * sizeof(float)), *got_f = malloc(total * sizeof(float));
    uint32_t threads[2] = {1, 3};
    for (int k = 0; k < 2; k++) {
        char label[120];
        snprintf(label, sizeof label, "%s, %s, i8 mask %d, biases %d, %u threads", op_name(op), per_row ? "per row" : "per tensor", i8_mask,
                 biases, threads[k]);
        if (!run_file(qfile, qsize, &L, x, threads[k], got_q) || !run_file(ffile, fsize, &L, x, threads[k], got_f)) continue;
        size_t differ = 0;
        for (size_t v = 0; v < total; v++) differ += memcmp(&got_q[v], &got_f[v], sizeof(float)) != 0;
        CHECK(differ == 0, "%s: %zu of %zu values differ from the f32 model's", label, differ, total);
        size_t off = 0;
        for (size_t v = 0; v < total; v++) off += !(fabs((double)got_q[v] - want[v]) <= TOL * (1.0 + fabs(want[v])));
        CHECK(off == 0, "%s: %zu values off the double reference", label, off);
    }
    free(got_q), free(got_f), free(want), free(x), free(qfile), free(ffile);
    qweight_free(&L.w_ih), qweight_free(&L.w_hh);
    free(L.b_ih), free(L.b_hh);
}

TEST(i8_weights_run_like_their_f32_values) {
    unsigned long long rng = 0x1e8d2ull;
    int ops[3] = {OP_RNN, OP_LSTM, OP_GRU};
    for (int k = 0; k < 3; k++)
        for (int per_row = 0; per_row < 2; per_row++) check_identical(ops[k], per_row, 3, 1, &rng);
    /* One of the two weights i8, and no biases. */
    check_identical(OP_LSTM, 1, 1, 1, &rng);
    check_identical(OP_LSTM, 0, 2, 1, &rng);
    check_identical(OP_GRU, 1, 3, 0, &rng);
}

/* ---- load refusals: an LSTM, N 2, T 3, I 4, H 5, W_ih i8 per row; the variant changes W_hh or the node ---- */

typedef struct variant {
    const char *what;
    uint8_t dtype, quantization; /* W_hh's */
    int32_t axis;
    int32_t zero_point;          /* W_hh's zero point at row 3, or the tensor's */
    int minus_128;               /* W_hh holds -128 at [2, 1] */
    int i8_x;                    /* X the output of a quantize node */
    int w_hh_computed;           /* W_hh the output of a quantize node, not a constant */
    int i8_bias;                 /* b_ih an i8 constant */
    dlrt_status status;
    const char *message;
} variant;

static void check_refusal(const variant *v) {
    static const float zeros[100];
    static const int32_t words[100];
    static float scales[20];
    int8_t w_ih[80], w_hh[100];
    int32_t zero_points[20] = {0};
    for (int k = 0; k < 20; k++) scales[k] = 0.01f;
    for (int k = 0; k < 80; k++) w_ih[k] = (int8_t)(k % 255 - 127);
    for (int k = 0; k < 100; k++) w_hh[k] = (int8_t)(127 - k);
    if (v->minus_128) w_hh[2 * 5 + 1] = -128;
    zero_points[v->quantization == Q_TENSOR ? 0 : 3] = v->zero_point;
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dx[3] = {2, 3, 4}, dih[2] = {20, 4}, dhh[2] = {20, 5}, db[1] = {20}, dy[3] = {2, 3, 5};
    uint32_t x = tb_input(&m, "x", 3, dx), in[5];
    if (v->i8_x) {
        uint32_t q = tb_tensor_q8(&m, "x.q", 3, dx, 0.05f, 0);
        tb_node(&m, OP_QUANTIZE, 1, &x, q, 0, NULL);
        x = q;
    }
    tb_tensor_spec ih = {"w_ih", DT_I8, Q_CHANNEL, 2, dih, 0, scales, NULL, w_ih};
    in[0] = x;
    in[1] = tb_tensor_any(&m, &ih);
    if (v->w_hh_computed) {
        uint32_t f = tb_input(&m, "w_hh.f", 2, dhh);
        in[2] = tb_tensor_q8(&m, "w_hh", 2, dhh, 0.01f, 0);
        tb_node(&m, OP_QUANTIZE, 1, &f, in[2], 0, NULL);
    } else {
        const void *data = v->dtype == DT_I32 ? (const void *)words : v->dtype == DT_F32 ? (const void *)zeros : (const void *)w_hh;
        tb_tensor_spec hh = {"w_hh", v->dtype, v->quantization, 2, dhh, v->quantization == Q_TENSOR ? -1 : v->axis, scales, zero_points, data};
        in[2] = tb_tensor_any(&m, &hh);
    }
    tb_tensor_spec bias = {"b_ih", DT_I8, Q_TENSOR, 1, db, -1, scales, NULL, w_ih};
    in[3] = v->i8_bias ? tb_tensor_any(&m, &bias) : tb_constant(&m, "b_ih", 1, db, zeros);
    in[4] = tb_constant(&m, "b_hh", 1, db, zeros);
    uint32_t y = tb_tensor(&m, "y", 3, dy);
    tb_node(&m, OP_LSTM, 5, in, y, 0, NULL);
    tb_output(&m, y);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);
    dlrt_model *model = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &model);
    CHECK(st == v->status && (st == DLRT_OK) == (model != NULL), "%s: %s (%s)", v->what, dlrt_status_name(st), dlrt_last_error());
    if (v->message) CHECK(says(v->message), "%s: message '%s' lacks '%s'", v->what, dlrt_last_error(), v->message);
    dlrt_model_free(model);
    free(file);
}

TEST(load_refuses_bad_int8_weights) {
    const variant ok = {"per row", DT_I8, Q_CHANNEL, 0, 0, 0, 0, 0, 0, DLRT_OK, NULL};
    check_refusal(&ok);
    variant v = ok;
    v.what = "per tensor", v.quantization = Q_TENSOR;
    check_refusal(&v);
    v = ok, v.what = "f32 W_hh with i8 W_ih", v.dtype = DT_F32, v.quantization = Q_NONE;
    check_refusal(&v);
    v = ok, v.what = "scales per column", v.axis = 1;
    v.status = DLRT_ERR_FORMAT;
    v.message = "node 0 (lstm): int8 W_hh 'w_hh' must have one scale per row (per-channel on axis 0, 20 scales) or one per tensor; has 5 scales on axis 1";
    check_refusal(&v);
    v = ok, v.what = "no scale", v.quantization = Q_NONE;
    v.status = DLRT_ERR_FORMAT, v.message = "int8 W_hh 'w_hh' must have one scale per row (per-channel on axis 0, 20 scales) or one per tensor; has no quantization";
    check_refusal(&v);
    v = ok, v.what = "zero point per row", v.zero_point = 1;
    v.status = DLRT_ERR_FORMAT, v.message = "node 0 (lstm): int8 W_hh 'w_hh' has zero point 1 at 3; int8 weights have zero points 0";
    check_refusal(&v);
    v = ok, v.what = "zero point per tensor", v.quantization = Q_TENSOR, v.zero_point = -2;
    v.status = DLRT_ERR_FORMAT, v.message = "int8 W_hh 'w_hh' has zero point -2 at 0";
    check_refusal(&v);
    v = ok, v.what = "-128 (after W_ih's copy was made)", v.minus_128 = 1;
    v.status = DLRT_ERR_FORMAT, v.message = "node 0 (lstm): int8 W_hh 'w_hh' holds -128 at [2, 1]; int8 weights are in [-127, 127]";
    check_refusal(&v);
    v = ok, v.what = "u8 weights", v.dtype = DT_U8;
    v.status = DLRT_ERR_UNSUPPORTED, v.message = "node 0 (lstm): W_hh 'w_hh' is u8; recurrent weights are f32 or i8 (weight-only int8)";
    check_refusal(&v);
    v = ok, v.what = "i32 weights", v.dtype = DT_I32;
    v.status = DLRT_ERR_UNSUPPORTED, v.message = "W_hh 'w_hh' is i32; recurrent weights are f32 or i8";
    check_refusal(&v);
    v = ok, v.what = "W_hh computed", v.w_hh_computed = 1;
    v.status = DLRT_ERR_FORMAT, v.message = "node 1 (lstm): input 2 ('w_hh') must be a constant";
    check_refusal(&v);
    v = ok, v.what = "i8 X", v.i8_x = 1;
    v.status = DLRT_ERR_UNSUPPORTED, v.message = "node 1 (lstm): int8 input is not supported; the exporter must keep it in f32";
    check_refusal(&v);
    v = ok, v.what = "i8 bias", v.i8_bias = 1;
    v.status = DLRT_ERR_UNSUPPORTED, v.message = "node 0 (lstm): input 3 ('b_ih') is i8 but input 0 is f32";
    check_refusal(&v);
}

int main(void) {
    RUN(i8_weights_run_like_their_f32_values);
    RUN(load_refuses_bad_int8_weights);
    return test_summary("recurrent_int8");
}

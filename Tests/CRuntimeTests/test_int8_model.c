/*
 * int8 models end to end: a .dlrt file with quantize, conv (relu, relu6,
 * depthwise, grouped, no bias), max pool, add, avg pool, concat, relu,
 * global pool, reshape, flatten, dense and dequantize, built by the test
 * encoder, run by a session and compared byte for byte (through
 * DLRT_SESSION_KEEP_TENSORS) with the same numbers pushed through the
 * int8 references of ref_int8.c, composed here from docs/FORMAT.md's rules.
 * Every ISA (run-c-tests.sh), 1 and 3 threads, the file's batch and others.
 * The int8 pad (ResNet's zero-padded shortcut) has a test of its own, and
 * so has a small DCGAN-like generator (three int8 conv_transpose2d: 1x1 to
 * 4x4, stride 2, stride 2 with output padding).
 */
#include <math.h>

#include "dlrt.h"
#include "model_builder.h"
#include "ref_int8.h"
#include "test.h"

enum { FILE_BATCH = 2, IN_C = 3, IN_H = 8, IN_W = 8, CLASSES = 5 };

/* One int8 activation: where it is in the file and what it holds. */
typedef struct act {
    const char *name;
    uint32_t id;
    float scale;
    int32_t zero;
    uint32_t c, h, w; /* h = w = 0: rank 2 [n, c] */
} act;

/* A conv or dense layer's constants. */
typedef struct layer {
    const char *name;
    size_t m, cg, kh, kw, groups, stride, pad;
    int activation; /* 0, 1 relu, 5 relu6 */
    int has_bias;
    int8_t *w;
    int32_t *bias;
    float *w_scale;
} layer;

static unsigned long long rng = 0x1234567ULL;

static int rand_between(int lo, int hi) { return lo + (int)(test_rng_next(&rng) % (unsigned long long)(hi - lo + 1)); }

/* Weights uniform in [-127, 127] (both ends present), scales chosen so the output spreads over ~40 LSB. */
static void make_layer(layer *l, float x_scale, float y_scale) {
    size_t k = l->cg * l->kh * l->kw, count = l->m * k;
    l->w = malloc(count);
    l->bias = malloc(l->m * sizeof(int32_t));
    l->w_scale = malloc(l->m * sizeof(float));
    for (size_t i = 0; i < count; i++) l->w[i] = (int8_t)rand_between(-127, 127);
    l->w[0] = 127;
    l->w[count - 1] = -127;
    for (size_t c = 0; c < l->m; c++) {
        l->w_scale[c] = (float)(y_scale / (x_scale * sqrt((double)k) * 73.0) * (1.0 + 0.1 * (double)(c % 4)));
        l->bias[c] = l->has_bias ? rand_between(-2000, 2000) : 0;
    }
}

static void free_layer(layer *l) {
    free(l->w);
    free(l->bias);
    free(l->w_scale);
}

typedef struct net {
    act x_q, c1, p1, c2, sum, dw, grouped, avg, cat, relu, gap, flat1, flat2, fc;
    layer conv1, conv2, depthwise, group_conv, dense;
    uint32_t input, output;
} net;

static act make_act(const char *name, float scale, int32_t zero, uint32_t c, uint32_t h, uint32_t w) {
    act a = {name, 0, scale, zero, c, h, w};
    return a;
}

static void make_net(net *n) {
    n->x_q = make_act("x.q", 1.0f / 64, -4, IN_C, IN_H, IN_W);
    n->c1 = make_act("conv1", 0.05f, -100, 8, 8, 8);
    n->p1 = make_act("pool1", 0.05f, -100, 8, 4, 4);
    n->c2 = make_act("conv2", 0.07f, 3, 8, 4, 4);
    n->sum = make_act("add", 0.09f, -60, 8, 4, 4);
    n->dw = make_act("depthwise", 0.06f, -128, 8, 4, 4); /* relu6 clamps at -128 + 100 */
    n->grouped = make_act("grouped", 0.08f, 0, 8, 2, 2);
    n->avg = make_act("avg", 0.03f, -10, 8, 2, 2);
    n->cat = make_act("concat", 0.05f, 2, 16, 2, 2);
    n->relu = make_act("relu", 0.04f, -128, 16, 2, 2);
    n->gap = make_act("gap", 0.02f, -20, 16, 1, 1);
    n->flat1 = make_act("reshape", 0.02f, -20, 16, 0, 0);
    n->flat2 = make_act("flatten", 0.02f, -20, 16, 0, 0);
    n->fc = make_act("fc", 0.1f, 7, CLASSES, 0, 0);
    n->conv1 = (layer){"conv1", 8, IN_C, 3, 3, 1, 1, 1, 1, 1, NULL, NULL, NULL};
    n->conv2 = (layer){"conv2", 8, 8, 3, 3, 1, 1, 1, 0, 1, NULL, NULL, NULL};
    n->depthwise = (layer){"depthwise", 8, 1, 3, 3, 8, 1, 1, 5, 1, NULL, NULL, NULL};
    n->group_conv = (layer){"grouped", 8, 4, 3, 3, 2, 2, 1, 0, 0, NULL, NULL, NULL};
    n->dense = (layer){"fc", CLASSES, 16, 1, 1, 1, 1, 0, 0, 1, NULL, NULL, NULL};
    make_layer(&n->conv1, n->x_q.scale, n->c1.scale);
    make_layer(&n->conv2, n->p1.scale, n->c2.scale);
    make_layer(&n->depthwise, n->sum.scale, n->dw.scale);
    make_layer(&n->group_conv, n->sum.scale, n->grouped.scale);
    make_layer(&n->dense, n->flat2.scale, n->fc.scale);
}

/* ---- the file ---------------------------------------------------------------------- */

static void add_act(tb_model *m, act *a) {
    uint32_t dims4[4] = {FILE_BATCH, a->c, a->h, a->w}, dims2[2] = {FILE_BATCH, a->c};
    a->id = a->h ? tb_tensor_q8(m, a->name, 4, dims4, a->scale, a->zero) : tb_tensor_q8(m, a->name, 2, dims2, a->scale, a->zero);
}

static void add_weighted_node(tb_model *m, const layer *l, const act *x, const act *y) {
    char name[64];
    float b_scale[64];
    for (size_t c = 0; c < l->m; c++) b_scale[c] = (float)((double)x->scale * (double)l->w_scale[c]);
    uint32_t dims4[4] = {(uint32_t)l->m, (uint32_t)l->cg, (uint32_t)l->kh, (uint32_t)l->kw}, dims2[2] = {(uint32_t)l->m, (uint32_t)l->cg};
    int dense = y->h == 0;
    snprintf(name, sizeof name, "%s.w", l->name);
    uint32_t w = dense ? tb_constant_q8(m, name, 2, dims2, l->w, l->w_scale) : tb_constant_q8(m, name, 4, dims4, l->w, l->w_scale);
    uint32_t inputs[3] = {x->id, w, 0};
    if (l->has_bias) {
        snprintf(name, sizeof name, "%s.b", l->name);
        inputs[2] = tb_constant_i32(m, name, (uint32_t)l->m, l->bias, b_scale);
    }
    int64_t s = (int64_t)l->stride, p = (int64_t)l->pad;
    tb_attr attrs[] = {{1, 1, 2, {s, s}, {0}}, {2, 1, 4, {p, p, p, p}, {0}}, {4, 1, 1, {(int64_t)l->groups}, {0}},
                       {5, 1, 1, {l->activation}, {0}}};
    if (dense) tb_node(m, 3, l->has_bias ? 3 : 2, inputs, y->id, 0, NULL);
    else tb_node(m, 1, l->has_bias ? 3 : 2, inputs, y->id, 4, attrs);
}

static uint8_t *build_file(net *n, size_t *size, const float *selftest_in, const float *selftest_out) {
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    n->input = tb_input(&m, "x", 4, (uint32_t[]){FILE_BATCH, IN_C, IN_H, IN_W});
    act *acts[] = {&n->x_q, &n->c1, &n->p1, &n->c2, &n->sum, &n->dw, &n->grouped, &n->avg, &n->cat, &n->relu, &n->gap,
                   &n->flat1, &n->flat2, &n->fc};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) add_act(&m, acts[i]);
    n->output = tb_tensor(&m, "logits", 2, (uint32_t[]){FILE_BATCH, CLASSES});
    tb_node(&m, 19, 1, (uint32_t[]){n->input}, n->x_q.id, 0, NULL);
    add_weighted_node(&m, &n->conv1, &n->x_q, &n->c1);
    tb_attr pool2[] = {{10, 1, 2, {2, 2}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){n->c1.id}, n->p1.id, 1, pool2);
    add_weighted_node(&m, &n->conv2, &n->p1, &n->c2);
    tb_attr relu[] = {{5, 1, 1, {1}, {0}}};
    tb_node(&m, 14, 2, (uint32_t[]){n->c2.id, n->p1.id}, n->sum.id, 1, relu);
    add_weighted_node(&m, &n->depthwise, &n->sum, &n->dw);
    add_weighted_node(&m, &n->group_conv, &n->sum, &n->grouped);
    tb_attr avg[] = {{10, 1, 2, {3, 3}, {0}}, {1, 1, 2, {2, 2}, {0}}, {2, 1, 4, {1, 1, 1, 1}, {0}}, {12, 1, 1, {0}, {0}}};
    tb_node(&m, 5, 1, (uint32_t[]){n->dw.id}, n->avg.id, 4, avg);
    tb_node(&m, 15, 2, (uint32_t[]){n->avg.id, n->grouped.id}, n->cat.id, 0, NULL);
    tb_node(&m, 7, 1, (uint32_t[]){n->cat.id}, n->relu.id, 0, NULL);
    tb_node(&m, 6, 1, (uint32_t[]){n->relu.id}, n->gap.id, 0, NULL);
    tb_attr shape[] = {{15, 1, 2, {0, -1}, {0}}};
    tb_node(&m, 16, 1, (uint32_t[]){n->gap.id}, n->flat1.id, 1, shape);
    tb_node(&m, 17, 1, (uint32_t[]){n->flat1.id}, n->flat2.id, 0, NULL);
    add_weighted_node(&m, &n->dense, &n->flat2, &n->fc);
    tb_node(&m, 20, 1, (uint32_t[]){n->fc.id}, n->output, 0, NULL);
    tb_output(&m, n->output);
    if (selftest_in != NULL)
        tb_selftest(&m, 0.0f, 0.0f, n->input, selftest_in, FILE_BATCH * IN_C * IN_H * IN_W, n->output, selftest_out,
                    FILE_BATCH * CLASSES);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

/* ---- the reference ------------------------------------------------------------------ */

static size_t act_count(const act *a, size_t batch) { return batch * a->c * (a->h ? a->h * a->w : 1); }
static dk_q8_param param(const act *a) { return (dk_q8_param){a->scale, a->zero}; }

/* The output clamp of docs/FORMAT.md: none, relu [z, 127], relu6 [z, min(127, z + round(6 / s))]. */
static dk_q8_out clamp_of(const act *y, int activation) {
    dk_q8_out o = {y->zero, -128, 127};
    if (activation == 1 || activation == 5) o.lo = y->zero;
    if (activation == 5) {
        double top = y->zero + round(6.0 / (double)y->scale);
        o.hi = top > 127 ? 127 : (int32_t)top;
    }
    return o;
}

static void ref_weighted(const layer *l, const act *x, const act *y, size_t batch, const int8_t *in, int8_t *out) {
    int32_t mult[64], shift[64];
    for (size_t c = 0; c < l->m; c++)
        CHECK(dk_q8_multiplier(((double)x->scale * (double)l->w_scale[c]) / (double)y->scale, &mult[c], &shift[c]) == 0, "multiplier");
    dk_q8_quant q = {x->zero, l->has_bias ? l->bias : NULL, mult, shift, clamp_of(y, l->activation)};
    if (y->h == 0) {
        ref_q8_gemm(DK_Q8_WEIGHTS_RIGHT, l->m, l->cg, batch, l->w, l->cg, &q, in, l->cg, out, l->m);
        return;
    }
    dk_conv2d_params p = {.n = batch, .c = x->c, .h = x->h, .w = x->w, .m = l->m, .kh = l->kh, .kw = l->kw, .sh = l->stride,
                          .sw = l->stride, .pt = l->pad, .pl = l->pad, .pb = l->pad, .pr = l->pad, .dh = 1, .dw = 1, .groups = l->groups};
    CHECK(dk_conv2d_infer(&p) == 0 && p.ho == y->h && p.wo == y->w, "%s: conv geometry", l->name);
    ref_q8_conv2d(&p, in, l->w, &q, out);
}

static dk_pool2d_params pool_params(const act *x, size_t batch, size_t k, size_t stride, size_t pad, int include_pad) {
    dk_pool2d_params p = {.n = batch, .c = x->c, .h = x->h, .w = x->w, .kh = k, .kw = k, .sh = stride, .sw = stride, .pt = pad,
                          .pl = pad, .pb = pad, .pr = pad, .count_include_pad = include_pad};
    CHECK(dk_pool2d_infer(&p) == 0, "pool geometry");
    return p;
}

/* Requantizes each input to y (the pair rule with one input) and lays them side by side on axis 1. */
static void ref_concat(const act *a, const int8_t *xa, const act *b, const int8_t *xb, const act *y, size_t batch, int8_t *out) {
    const dk_q8_out full = clamp_of(y, 0);
    const size_t plane_a = act_count(a, 1), plane_b = act_count(b, 1);
    for (size_t i = 0; i < batch; i++) {
        ref_q8_add(xa + i * plane_a, param(a), NULL, param(a), y->scale, &full, plane_a, out + i * (plane_a + plane_b), NULL);
        ref_q8_add(xb + i * plane_b, param(b), NULL, param(b), y->scale, &full, plane_b, out + i * (plane_a + plane_b) + plane_a, NULL);
    }
}

/* The reference's int8 tensors, in graph order, and the f32 output. */
typedef struct ref_run {
    int8_t *t[14];
    float logits[8 * CLASSES];
} ref_run;

static void ref_forward(const net *n, size_t batch, const float *x, ref_run *r) {
    const act *acts[] = {&n->x_q, &n->c1, &n->p1, &n->c2, &n->sum, &n->dw, &n->grouped, &n->avg, &n->cat, &n->relu, &n->gap,
                         &n->flat1, &n->flat2, &n->fc};
    for (int i = 0; i < 14; i++) r->t[i] = malloc(act_count(acts[i], batch));
    dk_q8_out full = clamp_of(&n->x_q, 0);
    ref_q8_quantize(x, n->x_q.scale, &full, act_count(&n->x_q, batch), r->t[0]);
    ref_weighted(&n->conv1, &n->x_q, &n->c1, batch, r->t[0], r->t[1]);
    dk_pool2d_params mp = pool_params(&n->c1, batch, 2, 2, 0, 1);
    full = clamp_of(&n->p1, 0);
    ref_q8_max_pool2d(&mp, r->t[1], &full, r->t[2]);
    ref_weighted(&n->conv2, &n->p1, &n->c2, batch, r->t[2], r->t[3]);
    dk_q8_out relu = clamp_of(&n->sum, 1);
    ref_q8_add(r->t[3], param(&n->c2), r->t[2], param(&n->p1), n->sum.scale, &relu, act_count(&n->sum, batch), r->t[4], NULL);
    ref_weighted(&n->depthwise, &n->sum, &n->dw, batch, r->t[4], r->t[5]);
    ref_weighted(&n->group_conv, &n->sum, &n->grouped, batch, r->t[4], r->t[6]);
    dk_pool2d_params ap = pool_params(&n->dw, batch, 3, 2, 1, 0);
    full = clamp_of(&n->avg, 0);
    ref_q8_avg_pool2d(&ap, r->t[5], n->dw.zero, n->dw.scale, n->avg.scale, &full, r->t[7], NULL);
    ref_concat(&n->avg, r->t[7], &n->grouped, r->t[6], &n->cat, batch, r->t[8]);
    relu = clamp_of(&n->relu, 1);
    ref_q8_add(r->t[8], param(&n->cat), NULL, param(&n->cat), n->relu.scale, &relu, act_count(&n->relu, batch), r->t[9], NULL);
    dk_pool2d_params gp = pool_params(&n->relu, batch, 2, 1, 0, 1); /* the global pool: one window over the 2x2 plane */
    full = clamp_of(&n->gap, 0);
    ref_q8_avg_pool2d(&gp, r->t[9], n->relu.zero, n->relu.scale, n->gap.scale, &full, r->t[10], NULL);
    memcpy(r->t[11], r->t[10], act_count(&n->gap, batch));
    memcpy(r->t[12], r->t[10], act_count(&n->gap, batch));
    ref_weighted(&n->dense, &n->flat2, &n->fc, batch, r->t[12], r->t[13]);
    for (size_t i = 0; i < batch * CLASSES; i++) r->logits[i] = (float)(r->t[13][i] - n->fc.zero) * n->fc.scale;
}

static void free_ref(ref_run *r) {
    for (int i = 0; i < 14; i++) free(r->t[i]);
}

static void make_input(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = 1.2f * test_rng_float(&rng);
    x[5] = NAN; /* quantize: the zero point */
    x[6] = INFINITY;
    x[7] = -INFINITY;
}

/* ---- tests --------------------------------------------------------------------------- */

/* Distinct values of a tensor: a reference that saturates everywhere would prove little. */
static int distinct(const int8_t *v, size_t count) {
    int seen[256] = {0}, n = 0;
    for (size_t i = 0; i < count; i++) n += !seen[v[i] + 128]++;
    return n;
}

/* A kept tensor of session s against the reference's int8 values, dequantized: the same floats, bit for bit. */
static void check_tensor(dlrt_session *s, const act *a, const int8_t *ref, size_t batch, uint32_t threads) {
    const size_t count = act_count(a, batch);
    float *got = malloc(count * sizeof(float));
    CHECK(dlrt_session_get_tensor(s, a->id, got, count) == DLRT_OK, "%s: %s", a->name, dlrt_last_error());
    size_t bad = 0, first = 0;
    for (size_t k = 0; k < count; k++) {
        float want = (float)(ref[k] - a->zero) * a->scale;
        if (memcmp(&got[k], &want, sizeof want) != 0 && bad++ == 0) first = k;
    }
    CHECK(bad == 0, "%s (batch %zu, %u threads, %s): %zu of %zu values differ from the reference, first at %zu: got %g want %g (q %d)",
          a->name, batch, threads, dlrt_isa(), bad, count, first, (double)got[first],
          (double)((float)(ref[first] - a->zero) * a->scale), ref[first]);
    if (batch == FILE_BATCH)
        CHECK(distinct(ref, count) >= (count >= 24 ? 8 : 3), "%s: the reference holds only %d distinct values", a->name,
              distinct(ref, count));
    free(got);
}

/* A session over `model` at `batch` and `threads` that keeps every tensor readable; NULL after a failed CHECK. */
static dlrt_session *kept_session(const dlrt_model *model, size_t batch, uint32_t threads) {
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = threads;
    o.batch = (int64_t)batch;
    o.flags = DLRT_SESSION_KEEP_TENSORS;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(model, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
    return s;
}

static void compare_session(const dlrt_model *model, const net *n, size_t batch, uint32_t threads, const float *x) {
    ref_run r;
    ref_forward(n, batch, x, &r);
    dlrt_session *s = kept_session(model, batch, threads);
    if (s == NULL) {
        free_ref(&r);
        return;
    }
    CHECK(dlrt_session_set_input(s, 0, x, batch * IN_C * IN_H * IN_W) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
    const act *acts[] = {&n->x_q, &n->c1, &n->p1, &n->c2, &n->sum, &n->dw, &n->grouped, &n->avg, &n->cat, &n->relu, &n->gap,
                         &n->flat1, &n->flat2, &n->fc};
    for (int i = 0; i < 14; i++) check_tensor(s, acts[i], r.t[i], batch, threads);
    float logits[3 * CLASSES];
    CHECK(dlrt_session_get_output(s, 0, logits, batch * CLASSES) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(memcmp(logits, r.logits, batch * CLASSES * sizeof(float)) == 0, "dequantized output differs (batch %zu, %u threads)", batch, threads);
    dlrt_session_free(s);
    free_ref(&r);
}

TEST(int8_model_matches_the_composed_references) {
    net n;
    make_net(&n);
    size_t size;
    uint8_t *file = build_file(&n, &size, NULL, NULL);
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "%s", dlrt_last_error());
    if (model != NULL) {
        CHECK(strcmp(dlrt_model_node_op(model, 0), "quantize") == 0 && strcmp(dlrt_model_node_op(model, 14), "dequantize") == 0, "op names");
        float x[3 * IN_C * IN_H * IN_W];
        make_input(x, sizeof x / sizeof x[0]);
        for (size_t batch = 1; batch <= 3; batch++) {
            compare_session(model, &n, batch, 1, x);
            compare_session(model, &n, batch, 3, x);
        }
    }
    dlrt_model_free(model);
    free(file);
    free_layer(&n.conv1);
    free_layer(&n.conv2);
    free_layer(&n.depthwise);
    free_layer(&n.group_conv);
    free_layer(&n.dense);
}

/* Without KEEP_TENSORS the arena is reused as for f32 models; 1-byte tensors keep 64-byte-aligned slots. */
TEST(int8_sessions_reuse_memory_and_run_the_selftest) {
    net n;
    make_net(&n);
    float x[FILE_BATCH * IN_C * IN_H * IN_W];
    make_input(x, sizeof x / sizeof x[0]);
    x[5] = 0.5f; /* the SELFTEST section holds finite values */
    x[6] = 2.0f;
    x[7] = -2.0f;
    ref_run r;
    ref_forward(&n, FILE_BATCH, x, &r);
    size_t size;
    uint8_t *file = build_file(&n, &size, x, r.logits);
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "%s", dlrt_last_error());
    if (model != NULL) {
        double worst = -1;
        CHECK(dlrt_model_selftest(model, &worst) == DLRT_OK && worst == 0.0, "selftest: %s (worst %g)", dlrt_last_error(), worst);
        dlrt_session_options o;
        dlrt_session_options_defaults(&o);
        size_t reusing = 0, keeping = 0;
        CHECK(dlrt_session_arena_size(model, &o, &reusing) == DLRT_OK, "%s", dlrt_last_error());
        o.flags = DLRT_SESSION_KEEP_TENSORS;
        CHECK(dlrt_session_arena_size(model, &o, &keeping) == DLRT_OK, "%s", dlrt_last_error());
        CHECK(reusing < keeping, "reuse %zu bytes, keeping %zu", reusing, keeping);
        CHECK(reusing % 64 == 0 && keeping % 64 == 0, "arena sizes are 64-byte multiples");
        /* Kept: the f32 input, then every i8 tensor in its own slot (reshape and flatten are views of gap). */
        size_t want = (FILE_BATCH * IN_C * IN_H * IN_W * 4 + 63) & ~(size_t)63;
        want += (FILE_BATCH * CLASSES * 4 + 63) & ~(size_t)63;
        const act *acts[] = {&n.x_q, &n.c1, &n.p1, &n.c2, &n.sum, &n.dw, &n.grouped, &n.avg, &n.cat, &n.relu, &n.gap, &n.fc};
        for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) want += (act_count(acts[i], FILE_BATCH) + 63) & ~(size_t)63;
        CHECK(keeping >= want, "kept arena %zu bytes, the tensors alone need %zu", keeping, want);
    }
    free_ref(&r);
    dlrt_model_free(model);
    free(file);
    free_layer(&n.conv1);
    free_layer(&n.conv2);
    free_layer(&n.depthwise);
    free_layer(&n.group_conv);
    free_layer(&n.dense);
}

TEST(small_int8_model_loads_and_runs) {
    size_t size;
    uint8_t *file = tb_small_int8_model(&size);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    dlrt_session *s = NULL;
    if (m != NULL) CHECK(dlrt_session_create(m, NULL, &s) == DLRT_OK, "%s", dlrt_last_error());
    if (s != NULL) {
        float x[16], y[3];
        for (int i = 0; i < 16; i++) x[i] = (float)(i - 8) * 0.1f;
        CHECK(dlrt_session_set_input(s, 0, x, 16) == DLRT_OK && dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
        CHECK(dlrt_session_get_output(s, 0, y, 3) == DLRT_OK, "%s", dlrt_last_error());
        for (int i = 0; i < 3; i++) {
            float steps = (y[i] / 0.1f) + 5.0f; /* (q - 5) * 0.1: an integer number of steps */
            CHECK(fabsf(steps - roundf(steps)) < 1e-4f, "output %d = %g is not on the int8 grid", i, (double)y[i]);
        }
    }
    dlrt_session_free(s);
    dlrt_model_free(m);
    free(file);
}

/* quantize -> pad (channels and rows, as ResNet's option-A shortcut does) -> dequantize: inside the input
 * the dequantized input, outside it the constant on the output's grid: round(v / s) + z. */
static void check_int8_pad(float value, int32_t want_level) {
    enum { N = 2, C = 3, H = 4, W = 4 };
    const float scale = 0.05f;
    const int32_t zero = -7;
    const size_t pads[8] = {0, 2, 1, 0, 0, 3, 0, 2}, oc = C + 5, oh = H + 1, ow = W + 2;
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    uint32_t in_dims[4] = {N, C, H, W}, out_dims[4] = {N, (uint32_t)oc, (uint32_t)oh, (uint32_t)ow};
    uint32_t x = tb_input(&m, "x", 4, in_dims);
    uint32_t xq = tb_tensor_q8(&m, "x.q", 4, in_dims, scale, zero), yq = tb_tensor_q8(&m, "y.q", 4, out_dims, scale, zero);
    uint32_t y = tb_tensor(&m, "y", 4, out_dims);
    tb_node(&m, 19, 1, (uint32_t[]){x}, xq, 0, NULL);
    tb_attr attrs[] = {{2, 1, 8, {0}, {0}}, {17, 2, 1, {0}, {value}}};
    for (int i = 0; i < 8; i++) attrs[0].i[i] = (int64_t)pads[i];
    tb_node(&m, 18, 1, (uint32_t[]){xq}, yq, 2, attrs);
    tb_node(&m, 20, 1, (uint32_t[]){yq}, y, 0, NULL);
    tb_output(&m, y);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    tb_free(&m);
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "%s", dlrt_last_error());
    float in[N * C * H * W], dequantized[N * C * H * W], want[N * 8 * 5 * 6], got[N * 8 * 5 * 6];
    int8_t q[N * C * H * W];
    make_input(in, N * C * H * W);
    const dk_q8_out full = {zero, -128, 127};
    ref_q8_quantize(in, scale, &full, N * C * H * W, q);
    for (size_t i = 0; i < N * C * H * W; i++) dequantized[i] = (float)(q[i] - zero) * scale;
    const size_t dims[4] = {N, C, H, W};
    dk_pad_forward(NULL, dims, pads, (float)(want_level - zero) * scale, dequantized, want);
    for (uint32_t threads = 1; model != NULL && threads <= 3; threads += 2) {
        dlrt_session *s = kept_session(model, N, threads);
        CHECK(dlrt_session_set_input(s, 0, in, N * C * H * W) == DLRT_OK && dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
        CHECK(dlrt_session_get_output(s, 0, got, N * oc * oh * ow) == DLRT_OK, "%s", dlrt_last_error());
        CHECK(memcmp(got, want, sizeof got) == 0, "int8 pad (value %g, %u threads) differs from the f32 pad of the dequantized input",
              (double)value, threads);
        CHECK(got[0] == (float)(want_level - zero) * scale, "the corner is padding: %g", (double)got[0]);
        dlrt_session_free(s);
    }
    dlrt_model_free(model);
    free(file);
}

TEST(int8_pad_fills_with_the_quantized_constant) {
    check_int8_pad(0.0f, -7); /* zero: the zero point */
    check_int8_pad(0.52f, 3); /* 0.52 / 0.05 = 10.4 -> 10, + -7 */
    check_int8_pad(-0.6f, -19); /* -12, + -7 */
}

/* ---- a DCGAN-like generator: quantize, three conv_transpose2d, dequantize ---------------- */

enum { LATENT = 16 };

typedef struct generator {
    act z_q, g1, g2, g3;
    layer up1, up2, up3; /* cg: input channels; weights [cg, m, kh, kw] */
    size_t output_padding[3];
    uint32_t input, output;
} generator;

static void make_generator(generator *g) {
    g->z_q = make_act("z.q", 1.0f / 50, 3, LATENT, 1, 1);
    g->g1 = make_act("up1", 0.06f, -128, 12, 4, 4);
    g->g2 = make_act("up2", 0.05f, -90, 6, 8, 8);
    g->g3 = make_act("up3", 0.04f, 5, 3, 16, 16);
    g->up1 = (layer){"up1", 12, LATENT, 4, 4, 1, 1, 0, 1, 1, NULL, NULL, NULL}; /* 1x1 -> 4x4, relu */
    g->up2 = (layer){"up2", 6, 12, 4, 4, 1, 2, 1, 5, 1, NULL, NULL, NULL};    /* 4x4 -> 8x8, relu6 */
    g->up3 = (layer){"up3", 3, 6, 3, 3, 1, 2, 1, 0, 0, NULL, NULL, NULL};     /* 8x8 -> 16x16 (output padding 1), no bias */
    g->output_padding[0] = g->output_padding[1] = 0;
    g->output_padding[2] = 1;
    make_layer(&g->up1, g->z_q.scale, g->g1.scale);
    make_layer(&g->up2, g->g1.scale, g->g2.scale);
    make_layer(&g->up3, g->g2.scale, g->g3.scale);
}

static void add_convt_node(tb_model *m, const layer *l, size_t output_padding, const act *x, const act *y) {
    char name[64];
    float b_scale[64];
    for (size_t c = 0; c < l->m; c++) b_scale[c] = (float)((double)x->scale * (double)l->w_scale[c]);
    const uint32_t dims[4] = {(uint32_t)l->cg, (uint32_t)l->m, (uint32_t)l->kh, (uint32_t)l->kw};
    snprintf(name, sizeof name, "%s.w", l->name);
    tb_tensor_spec ws = {name, 2, 2, 4, dims, 1, l->w_scale, NULL, l->w};
    uint32_t inputs[3] = {x->id, tb_tensor_any(m, &ws), 0};
    if (l->has_bias) {
        snprintf(name, sizeof name, "%s.b", l->name);
        inputs[2] = tb_constant_i32(m, name, (uint32_t)l->m, l->bias, b_scale);
    }
    const int64_t s = (int64_t)l->stride, p = (int64_t)l->pad, op = (int64_t)output_padding;
    tb_attr attrs[] = {{1, 1, 2, {s, s}, {0}}, {2, 1, 4, {p, p, p, p}, {0}}, {5, 1, 1, {l->activation}, {0}},
                       {16, 1, 2, {op, op}, {0}}};
    tb_node(m, 2, l->has_bias ? 3 : 2, inputs, y->id, 4, attrs);
}

static uint8_t *build_generator(generator *g, size_t *size) {
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    g->input = tb_input(&m, "z", 4, (uint32_t[]){FILE_BATCH, LATENT, 1, 1});
    act *acts[] = {&g->z_q, &g->g1, &g->g2, &g->g3};
    for (size_t i = 0; i < 4; i++) add_act(&m, acts[i]);
    g->output = tb_tensor(&m, "image", 4, (uint32_t[]){FILE_BATCH, 3, 16, 16});
    tb_node(&m, 19, 1, (uint32_t[]){g->input}, g->z_q.id, 0, NULL);
    add_convt_node(&m, &g->up1, g->output_padding[0], &g->z_q, &g->g1);
    add_convt_node(&m, &g->up2, g->output_padding[1], &g->g1, &g->g2);
    add_convt_node(&m, &g->up3, g->output_padding[2], &g->g2, &g->g3);
    tb_node(&m, 20, 1, (uint32_t[]){g->g3.id}, g->output, 0, NULL);
    tb_output(&m, g->output);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

static void ref_convt(const layer *l, size_t output_padding, const act *x, const act *y, size_t batch, const int8_t *in,
                      int8_t *out) {
    int32_t mult[64], shift[64];
    for (size_t c = 0; c < l->m; c++)
        CHECK(dk_q8_multiplier(((double)x->scale * (double)l->w_scale[c]) / (double)y->scale, &mult[c], &shift[c]) == 0, "multiplier");
    dk_q8_quant q = {x->zero, l->has_bias ? l->bias : NULL, mult, shift, clamp_of(y, l->activation)};
    dk_conv2d_params p = {.n = batch, .c = x->c, .h = x->h, .w = x->w, .m = l->m, .kh = l->kh, .kw = l->kw, .sh = l->stride,
                          .sw = l->stride, .pt = l->pad, .pl = l->pad, .pb = l->pad, .pr = l->pad, .dh = 1, .dw = 1,
                          .oph = output_padding, .opw = output_padding, .groups = 1};
    CHECK(dk_conv_transpose2d_infer(&p) == 0 && p.ho == y->h && p.wo == y->w, "%s: geometry", l->name);
    ref_q8_conv_transpose2d(&p, in, l->w, &q, out);
}

TEST(int8_generator_matches_the_composed_references) {
    generator g;
    make_generator(&g);
    size_t size;
    uint8_t *file = build_generator(&g, &size);
    dlrt_model *model = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "%s", dlrt_last_error());
    const act *acts[] = {&g.z_q, &g.g1, &g.g2, &g.g3};
    const layer *layers[] = {&g.up1, &g.up2, &g.up3};
    for (size_t batch = FILE_BATCH; model != NULL && batch <= 3; batch++) {
        float z[3 * LATENT], image[3 * 3 * 16 * 16], want[3 * 3 * 16 * 16];
        make_input(z, batch * LATENT);
        int8_t *t[4];
        for (int i = 0; i < 4; i++) t[i] = malloc(act_count(acts[i], batch));
        const dk_q8_out full = clamp_of(&g.z_q, 0);
        ref_q8_quantize(z, g.z_q.scale, &full, batch * LATENT, t[0]);
        for (int i = 0; i < 3; i++) ref_convt(layers[i], g.output_padding[i], acts[i], acts[i + 1], batch, t[i], t[i + 1]);
        const size_t count = act_count(&g.g3, batch);
        for (size_t k = 0; k < count; k++) want[k] = (float)(t[3][k] - g.g3.zero) * g.g3.scale;
        for (uint32_t threads = 1; threads <= 3; threads += 2) {
            dlrt_session *s = kept_session(model, batch, threads);
            if (s == NULL) continue;
            CHECK(dlrt_session_set_input(s, 0, z, batch * LATENT) == DLRT_OK && dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
            for (int i = 0; i < 4; i++) check_tensor(s, acts[i], t[i], batch, threads);
            CHECK(dlrt_session_get_output(s, 0, image, count) == DLRT_OK, "%s", dlrt_last_error());
            CHECK(memcmp(image, want, count * sizeof(float)) == 0, "dequantized image differs (batch %zu, %u threads)", batch, threads);
            dlrt_session_free(s);
        }
        for (int i = 0; i < 4; i++) free(t[i]);
    }
    dlrt_model_free(model);
    free(file);
    free_layer(&g.up1), free_layer(&g.up2), free_layer(&g.up3);
}

int main(void) {
    printf("int8_model: runs under %s\n", dlrt_isa()); /* tools/run-neon-tests.sh checks NEON ran */
    RUN(int8_model_matches_the_composed_references);
    RUN(int8_sessions_reuse_memory_and_run_the_selftest);
    RUN(small_int8_model_loads_and_runs);
    RUN(int8_pad_fills_with_the_quantized_constant);
    RUN(int8_generator_matches_the_composed_references);
    return test_summary("int8_model");
}


/*
 * The int8 ops (ops/int8_ops.h): conv2d (plain, grouped, depthwise with and
 * without a channel multiplier, 1x1 direct, strides, dilations, asymmetric
 * padding), conv_transpose2d (strides, asymmetric padding, output padding,
 * phases no tap reaches), dense, max / avg / global average pooling, add, requantize,
 * concat, quantize and dequantize.
 *
 * Bit-exactness: every op under every selected ISA (isa_select.h; the
 * runner forces each in turn), with pools of 1, 2 and 3 threads, must equal
 * the plain references of ref_int8.c byte for byte (so every SIMD path equals
 * the scalar one), over random shapes and values including the extremes
 * (-128 / 127 activations, +-127 weights, zero points at both ends, large
 * biases, multipliers near 1 and tiny, every clamp).
 *
 * The math: conv2d, avg pooling and add are also checked against the same op
 * on dequantized values in double: every output within 1 of the exactly
 * rounded real value (the integer multipliers carry 31 or 22 bits, so an
 * output may only differ where the real value lies within that relative
 * error of a rounding boundary).
 */
#include <stdint.h>

#include "test.h"
#include "kernels.h"
#include "isa_select.h"
#include "q8_random.h"
#include "ref_int8.h"

static unsigned long long rng = 0x13198A2E03707344ull;
static isa_set isas;
static dk_pool *pools[3];
static long op_calls, real_checked, real_off_by_one;

static size_t rnd(size_t n) { return q8_rnd(&rng, n); }
static int32_t rnd_range(int32_t lo, int32_t hi) { return q8_rnd_range(&rng, lo, hi); }


static void fill_activations(int8_t *x, size_t n, int extreme) {
    for (size_t i = 0; i < n; i++) x[i] = extreme ? (rnd(2) ? 127 : -128) : (int8_t)rnd_range(-128, 127);
}



/* A positive scale spanning a few octaves. */
static float random_scale(void) { return (float)q8_random_scaled(&rng, 20, -8, 6); }

/* A tensor's random quantization. */
static dk_q8_param random_param(void) {
    dk_q8_param p;
    p.scale = random_scale();
    p.zero = q8_random_zero(&rng);
    return p;
}

/* Runs `op` under every selected ISA and pool and compares its n bytes with want. */
typedef int (*op_fn)(void *context, dk_pool *pool, int8_t *y);

static void check_all(const char *what, op_fn op, void *context, const int8_t *want, size_t n, int8_t *got) {
    for (int ii = 0; ii < isas.count; ii++) {
        dk_isa_force(isas.list[ii]);
        for (int pi = 0; pi < 3; pi++) {
            memset(got, 0x5A, n);
            CHECK(op(context, pools[pi], got) == 0, "%s: refused", what);
            op_calls++;
            size_t bad = 0, at = 0;
            for (size_t i = 0; i < n; i++)
                if (got[i] != want[i] && bad++ == 0) at = i;
            CHECK(bad == 0, "%s [%s, %d threads]: %zu of %zu bytes differ, first at %zu: %d, want %d", what,
                  dk_isa_name(isas.list[ii]), dk_pool_threads(pools[pi]), bad, n, at, got[at], want[at]);
        }
    }
    dk_isa_force(isas.initial);
}

/* One output against its real value: within 1 of the rounded real. */
static void check_real(const char *what, int8_t got, double real, const dk_q8_out *o) {
    int8_t want = ref_q8_round_real(real, o);
    real_checked++;
    if (got != want) real_off_by_one++;
    CHECK(got - want >= -1 && got - want <= 1, "%s: %d vs the real-valued %d (%.9g)", what, got, want, real);
}

/* ---- conv2d --------------------------------------------------------------------------------- */

typedef struct conv_case {
    dk_conv2d_params p;
    int8_t *x, *w;
    int32_t *bias, *mult, *shift;
    double *w_scale;
    dk_q8_quant q;
} conv_case;

static int conv_op(void *context, dk_pool *pool, int8_t *y) {
    const conv_case *c = context;
    size_t pb = dk_q8_conv2d_packed_bytes(&c->p), wb = dk_q8_conv2d_workspace_bytes(&c->p, dk_pool_threads(pool));
    void *packed = q8_alloc(pb), *ws = q8_alloc(wb);
    int rc = dk_q8_conv2d_pack(&c->p, c->w, &c->q, packed);
    if (rc == 0) rc = dk_q8_conv2d_forward(pool, &c->p, c->x, packed, y, ws);
    free(packed);
    free(ws);
    return rc;
}

/*
 * c's inputs for p (xs activations, ws weights, m output channels): random values and
 * quantization with every extreme; returns s_x and fills *y_scale.
 */
static double fill_weighted_case(conv_case *c, size_t xs, size_t ws, size_t m, int extreme, double *y_scale_out) {
    c->x = q8_alloc(xs);
    c->w = q8_alloc(ws);
    c->bias = q8_alloc(m * 4);
    c->mult = q8_alloc(m * 4);
    c->shift = q8_alloc(m * 4);
    c->w_scale = q8_alloc(m * sizeof(double));
    fill_activations(c->x, xs, extreme);
    for (size_t i = 0; i < ws; i++) c->w[i] = extreme ? (rnd(2) ? 127 : -127) : (int8_t)rnd_range(-127, 127);
    const double x_scale = random_scale();
    const double y_scale = random_scale() * (double)(1 + rnd(64));
    for (size_t oc = 0; oc < m; oc++) {
        c->w_scale[oc] = q8_random_scaled(&rng, 16, -12, 5);
        if (rnd(8) == 0) c->w_scale[oc] = y_scale / x_scale * (0.5 + ldexp((double)rnd(1u << 16), -17)); /* M ~ 1 */
        if (rnd(16) == 0) c->w_scale[oc] = y_scale / x_scale * 0x1p-40; /* tiny */
        if (rnd(16) == 0) c->w_scale[oc] = y_scale / x_scale * ldexp(1.0, 8 + (int)rnd(20)); /* large: saturates */
        c->bias[oc] = rnd(4) == 0 ? rnd_range(-(1 << 24), 1 << 24) : rnd_range(-4000, 4000);
        CHECK(dk_q8_multiplier(x_scale * c->w_scale[oc] / y_scale, &c->mult[oc], &c->shift[oc]) == 0, "multiplier");
    }
    c->q.x_zero = q8_random_zero(&rng);
    c->q.bias = rnd(5) == 0 ? NULL : c->bias;
    c->q.multiplier = c->mult;
    c->q.shift = c->shift;
    c->q.out = q8_random_out(&rng);
    *y_scale_out = y_scale;
    return x_scale;
}

static void free_weighted_case(conv_case *c) {
    free(c->x), free(c->w), free(c->bias), free(c->mult), free(c->shift), free(c->w_scale);
}

static void run_conv(dk_conv2d_params p, int extreme) {
    if (dk_conv2d_infer(&p) != 0) return;
    conv_case c;
    c.p = p;
    const size_t xs = p.n * p.c * p.h * p.w, ws = p.m * (p.c / p.groups) * p.kh * p.kw, ys = p.n * p.m * p.ho * p.wo;
    double y_scale;
    const double x_scale = fill_weighted_case(&c, xs, ws, p.m, extreme, &y_scale);
    int8_t *want = q8_alloc(ys), *got = q8_alloc(ys);
    double *real = q8_alloc(ys * sizeof(double));
    ref_q8_conv2d(&p, c.x, c.w, &c.q, want);
    char what[200];
    snprintf(what, sizeof what,
             "conv n %zu c %zu h %zu w %zu m %zu k %zux%zu s %zux%zu d %zux%zu pad %zu,%zu,%zu,%zu groups %zu", p.n,
             p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.pb, p.pr, p.groups);
    check_all(what, conv_op, &c, want, ys, got);
    ref_q8_conv2d_real(&p, c.x, c.w, c.q.bias, c.q.x_zero, x_scale, c.w_scale, y_scale, real);
    for (size_t i = 0; i < ys; i++) check_real(what, want[i], real[i], &c.q.out);
    free_weighted_case(&c), free(want), free(got), free(real);
}

static dk_conv2d_params random_conv(void) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1 + rnd(2);
    p.kh = 1 + rnd(5);
    p.kw = 1 + rnd(5);
    p.sh = 1 + rnd(3);
    p.sw = 1 + rnd(3);
    p.dh = rnd(4) == 0 ? 2 : 1;
    p.dw = rnd(4) == 0 ? 2 : 1;
    p.pt = rnd(3), p.pl = rnd(3), p.pb = rnd(3), p.pr = rnd(3);
    if (rnd(3) == 0) { /* stride 1, as wide as the input: im2col's shifted-plane path, padding maybe uneven */
        p.sh = p.sw = 1;
        p.pl = rnd(p.dw * (p.kw - 1) + 1);
        p.pr = p.dw * (p.kw - 1) - p.pl;
    }
    p.h = p.dh * (p.kh - 1) + 1 + rnd(14);
    p.w = p.dw * (p.kw - 1) + 1 + rnd(14);
    switch (rnd(4)) {
    case 0: /* depthwise, maybe with a channel multiplier */
        p.c = 1 + rnd(12);
        p.groups = p.c;
        p.m = p.c * (1 + rnd(3));
        break;
    case 1: /* grouped */
        p.groups = 2 + rnd(3);
        p.c = p.groups * (1 + rnd(4));
        p.m = p.groups * (1 + rnd(5));
        break;
    default:
        p.c = 1 + rnd(20);
        p.groups = 1;
        p.m = 1 + rnd(40);
        break;
    }
    return p;
}

TEST(test_conv2d_random) {
    for (int i = 0; i < 150; i++) {
        const dk_conv2d_params p = random_conv();
        run_conv(p, rnd(8) == 0);
    }
}

TEST(test_conv2d_shapes_of_real_networks) {
    /* 1x1 direct, 3x3 s1/s2 of ResNet-20 and MobileNetV2 (depthwise), a 7x7/2 stem, blocks of pixels */
    static const size_t shapes[][12] = {
        /* n, c, h, w, m, k, s, pad, groups, dil */
        {1, 16, 32, 32, 16, 3, 1, 1, 1, 1},  {2, 32, 16, 16, 64, 1, 1, 0, 1, 1}, {1, 32, 17, 17, 32, 3, 2, 1, 32, 1},
        {1, 24, 28, 28, 24, 3, 1, 1, 24, 1}, {1, 3, 40, 40, 16, 7, 2, 3, 1, 1},  {1, 64, 8, 8, 128, 3, 1, 1, 1, 1},
        {1, 96, 12, 12, 96, 5, 1, 4, 96, 2}, {2, 8, 64, 64, 8, 3, 1, 1, 2, 1},
        /* im2col in blocks of pixels that start mid-row (448 of 40-pixel rows), dilated too */
        {1, 64, 40, 40, 16, 3, 1, 1, 1, 1},  {1, 64, 40, 40, 8, 3, 1, 2, 1, 2},
        /* wide depthwise rows: several SIMD blocks and a ragged end, stride 1 and 2, a channel multiplier */
        {1, 16, 9, 70, 16, 3, 1, 1, 16, 1},  {1, 8, 9, 75, 16, 3, 2, 1, 8, 1},   {1, 4, 7, 101, 4, 5, 1, 2, 4, 1},
        {1, 6, 11, 66, 6, 5, 2, 2, 6, 1},
        /* small planes that run as one row (int8_depthwise.c): MobileNetV2's 14x14 and 7x7, dilated, multiplied */
        {1, 48, 14, 14, 48, 3, 1, 1, 48, 1}, {2, 40, 7, 7, 40, 3, 1, 1, 40, 1},  {1, 6, 10, 10, 12, 3, 1, 2, 6, 2},
        {1, 5, 9, 3, 5, 3, 1, 1, 5, 1},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        dk_conv2d_params p;
        memset(&p, 0, sizeof p);
        p.n = shapes[i][0], p.c = shapes[i][1], p.h = shapes[i][2], p.w = shapes[i][3], p.m = shapes[i][4];
        p.kh = p.kw = shapes[i][5];
        p.sh = p.sw = shapes[i][6];
        p.pt = p.pl = p.pb = p.pr = shapes[i][7];
        p.groups = shapes[i][8];
        p.dh = p.dw = shapes[i][9];
        run_conv(p, 0);
        run_conv(p, 1);
    }
}

TEST(test_conv2d_refuses_bad_packing) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1, p.c = 2, p.h = 4, p.w = 4, p.m = 2, p.kh = p.kw = 3, p.sh = p.sw = 1, p.dh = p.dw = 1, p.groups = 1;
    CHECK(dk_conv2d_infer(&p) == 0, "infer");
    int8_t w[36], x[32] = {0}, y[8];
    int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {40, 40};
    for (int i = 0; i < 36; i++) w[i] = (int8_t)(i - 18);
    dk_q8_quant q = {0, NULL, mult, shift, {0, -128, 127}};
    void *packed = q8_alloc(dk_q8_conv2d_packed_bytes(&p)), *ws = q8_alloc(dk_q8_conv2d_workspace_bytes(&p, 1));
    CHECK(dk_q8_conv2d_pack(&p, w, &q, packed) == 0, "valid");
    CHECK(dk_q8_conv2d_forward(NULL, &p, x, packed, y, ws) == 0, "valid run");
    dk_conv2d_params other = p;
    other.m = 1;
    CHECK(dk_q8_conv2d_forward(NULL, &other, x, packed, y, ws) == -1, "packed for another shape refused");
    w[7] = -128;
    CHECK(dk_q8_conv2d_pack(&p, w, &q, packed) == -1, "weight -128 refused");
    w[7] = 0;
    p.groups = 2; /* depthwise */
    CHECK(dk_conv2d_infer(&p) == 0, "infer");
    w[3] = -128;
    CHECK(dk_q8_conv2d_pack(&p, w, &q, packed) == -1, "depthwise weight -128 refused");
    w[3] = 0;
    shift[1] = 99;
    CHECK(dk_q8_conv2d_pack(&p, w, &q, packed) == -1, "depthwise shift 99 refused");
    free(packed);
    free(ws);
}

/* ---- conv_transpose2d ------------------------------------------------------------------------ */

/* cases run; of those with 256 outputs or more, how many, and how many took at least 16 distinct values */
static long convt_cases, convt_large, convt_varied;

static int convt_op(void *context, dk_pool *pool, int8_t *y) {
    const conv_case *c = context;
    size_t pb = dk_q8_conv_transpose2d_packed_bytes(&c->p);
    size_t wb = dk_q8_conv_transpose2d_workspace_bytes(&c->p, dk_pool_threads(pool));
    if (pb == SIZE_MAX || wb == SIZE_MAX) return -1;
    void *packed = q8_alloc(pb), *ws = q8_alloc(wb);
    int rc = dk_q8_conv_transpose2d_pack(&c->p, c->w, &c->q, packed);
    if (rc == 0) rc = dk_q8_conv_transpose2d_forward(pool, &c->p, c->x, packed, y, ws);
    free(packed);
    free(ws);
    return rc;
}

static void run_convt(dk_conv2d_params p, int extreme) {
    if (dk_conv_transpose2d_infer(&p) != 0) return;
    conv_case c;
    c.p = p;
    const size_t xs = p.n * p.c * p.h * p.w, ws = p.c * p.m * p.kh * p.kw, ys = p.n * p.m * p.ho * p.wo;
    double y_scale;
    (void)fill_weighted_case(&c, xs, ws, p.m, extreme, &y_scale);
    int8_t *want = q8_alloc(ys), *got = q8_alloc(ys);
    ref_q8_conv_transpose2d(&p, c.x, c.w, &c.q, want);
    char what[200];
    snprintf(what, sizeof what, "conv_transpose n %zu c %zu h %zu w %zu m %zu k %zux%zu s %zux%zu pad %zu,%zu,%zu,%zu op %zu,%zu",
             p.n, p.c, p.h, p.w, p.m, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl, p.pb, p.pr, p.oph, p.opw);
    check_all(what, convt_op, &c, want, ys, got);
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < ys; i++) distinct += seen[want[i] + 128]++ == 0;
    convt_cases++;
    convt_large += ys >= 256;
    convt_varied += ys >= 256 && distinct >= 16;
    free_weighted_case(&c), free(want), free(got);
}

static dk_conv2d_params convt_params(size_t n, size_t c, size_t h, size_t w, size_t m, size_t k, size_t s, size_t pad,
                                     size_t output_padding) {
    dk_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = n, p.c = c, p.h = h, p.w = w, p.m = m;
    p.kh = p.kw = k;
    p.sh = p.sw = s;
    p.pt = p.pl = p.pb = p.pr = pad;
    p.oph = p.opw = output_padding;
    p.dh = p.dw = p.groups = 1;
    return p;
}

TEST(test_conv_transpose2d_random) {
    for (int i = 0; i < 200; i++) {
        dk_conv2d_params p = convt_params(1 + rnd(3), 1 + rnd(20), 1 + rnd(9), 1 + rnd(9), 1 + rnd(40), 1, 1, 0, 0);
        p.kh = 1 + rnd(5), p.kw = 1 + rnd(5);
        p.sh = 1 + rnd(3), p.sw = 1 + rnd(3);
        p.pt = rnd(p.kh), p.pb = rnd(p.kh), p.pl = rnd(p.kw), p.pr = rnd(p.kw); /* asymmetric */
        p.oph = rnd(p.sh), p.opw = rnd(p.sw);
        run_convt(p, rnd(8) == 0);
    }
    CHECK(convt_cases >= 150, "only %ld geometries ran", convt_cases);
}

TEST(test_conv_transpose2d_shapes_of_generators) {
    /* DCGAN-style: 1x1 latent to 7x7 (k7 s1), 4x4 s2 p1 upsampling, k3 s2 p1 op1, k5 s2 p2 op1; blocks of pixels */
    static const size_t shapes[][9] = {
        /* n, c, h, w, m, k, s, pad, output_padding */
        {3, 100, 1, 1, 64, 7, 1, 0, 0}, {2, 128, 7, 7, 64, 4, 2, 1, 0}, {1, 64, 14, 14, 1, 4, 2, 1, 0},
        {1, 32, 8, 8, 16, 3, 2, 1, 1},  {1, 24, 6, 6, 12, 5, 2, 2, 1},  {1, 96, 32, 32, 8, 4, 2, 1, 0},
        {2, 17, 5, 5, 33, 1, 1, 0, 0},  {1, 20, 4, 4, 7, 2, 3, 0, 2},  {1, 5, 9, 9, 5, 3, 1, 1, 0},
        /* a 1x1 input: unpadded it is the dense form (any stride), padded or output-padded the phases */
        {2, 9, 1, 1, 5, 3, 2, 0, 0},    {3, 19, 1, 1, 6, 4, 3, 0, 0},   {2, 9, 1, 1, 5, 3, 2, 1, 0},
        {1, 8, 1, 1, 4, 2, 2, 0, 1},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const size_t *v = shapes[i];
        run_convt(convt_params(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]), 0);
        run_convt(convt_params(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]), 1);
    }
    /* the bit-exact comparisons mean something only if the outputs vary (the random scales and clamps
     * saturate or flatten some cases on purpose: about half of the large ones, with this seed) */
    CHECK(convt_large >= 100 && convt_varied >= 60 && convt_varied * 10 >= convt_large * 4, "only %ld of %ld large cases have 16 distinct output values",
          convt_varied, convt_large);
}

TEST(test_conv_transpose2d_refuses_what_it_does_not_take) {
    dk_conv2d_params p = convt_params(1, 2, 3, 3, 2, 3, 2, 1, 0);
    CHECK(dk_conv_transpose2d_infer(&p) == 0, "infer");
    int8_t w[36], x[18] = {0}, y[50];
    int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {40, 40};
    for (int i = 0; i < 36; i++) w[i] = (int8_t)(i - 18);
    dk_q8_quant q = {0, NULL, mult, shift, {0, -128, 127}};
    void *packed = q8_alloc(dk_q8_conv_transpose2d_packed_bytes(&p));
    void *ws = q8_alloc(dk_q8_conv_transpose2d_workspace_bytes(&p, 1));
    CHECK(dk_q8_conv_transpose2d_pack(&p, w, &q, packed) == 0, "valid");
    CHECK(dk_q8_conv_transpose2d_forward(NULL, &p, x, packed, y, ws) == 0, "valid run");
    dk_conv2d_params other = p;
    other.sh = 1;
    CHECK(dk_conv_transpose2d_infer(&other) == 0, "infer");
    CHECK(dk_q8_conv_transpose2d_forward(NULL, &other, x, packed, y, ws) == -1, "packed for another stride refused");
    CHECK(dk_q8_conv2d_forward(NULL, &p, x, packed, y, ws) == -1, "a conv2d does not take it");
    other = p;
    other.h = other.w = 1, other.pt = other.pl = other.pb = other.pr = 0; /* the dense form */
    CHECK(dk_conv_transpose2d_infer(&other) == 0, "infer");
    CHECK(dk_q8_conv_transpose2d_forward(NULL, &other, x, packed, y, ws) == -1, "phases packed: the dense form refuses them");
    void *dense = q8_alloc(dk_q8_conv_transpose2d_packed_bytes(&other));
    CHECK(dk_q8_conv_transpose2d_pack(&other, w, &q, dense) == 0, "dense form");
    CHECK(dk_q8_conv_transpose2d_forward(NULL, &p, x, dense, y, ws) == -1, "dense packed: the phases refuse it");
    w[5] = -128;
    CHECK(dk_q8_conv_transpose2d_pack(&other, w, &q, dense) == -1, "dense form: weight -128 refused");
    w[5] = 0;
    free(dense);
    w[7] = -128;
    CHECK(dk_q8_conv_transpose2d_pack(&p, w, &q, packed) == -1, "weight -128 refused");
    w[7] = 0;
    other = p;
    other.groups = 2;
    CHECK(dk_q8_conv_transpose2d_packed_bytes(&other) == SIZE_MAX && dk_q8_conv_transpose2d_pack(&other, w, &q, packed) == -1 &&
              dk_q8_conv_transpose2d_forward(NULL, &other, x, packed, y, ws) == -1,
          "groups 2 refused");
    other = p;
    other.dh = 2;
    CHECK(dk_q8_conv_transpose2d_workspace_bytes(&other, 1) == SIZE_MAX && dk_q8_conv_transpose2d_pack(&other, w, &q, packed) == -1,
          "dilation 2 refused");
    free(packed);
    free(ws);
}

/* ---- dense ------------------------------------------------------------------------------------ */

typedef struct dense_case {
    size_t n, k, m;
    const int8_t *x, *w;
    dk_q8_quant q;
} dense_case;

static int dense_op(void *context, dk_pool *pool, int8_t *y) {
    const dense_case *d = context;
    void *packed = q8_alloc(dk_q8_dense_packed_bytes(d->k, d->m));
    void *ws = q8_alloc(dk_q8_dense_workspace_bytes(d->n, d->k, d->m, dk_pool_threads(pool)));
    int rc = dk_q8_dense_pack(d->k, d->m, d->w, &d->q, packed);
    if (rc == 0) rc = dk_q8_dense_forward(pool, d->n, d->x, packed, y, ws);
    free(packed);
    free(ws);
    return rc;
}

TEST(test_dense_random) {
    for (int i = 0; i < 60; i++) {
        dense_case d;
        d.n = rnd(3) == 0 ? 1 : 1 + rnd(40);
        d.k = 1 + rnd(i % 5 == 0 ? 1500 : 100);
        d.m = 1 + rnd(i % 7 == 0 ? 1100 : 70);
        int8_t *x = q8_alloc(d.n * d.k), *w = q8_alloc(d.m * d.k);
        int8_t *want = q8_alloc(d.n * d.m), *got = q8_alloc(d.n * d.m);
        int32_t *bias = q8_alloc(d.m * 4), *mult = q8_alloc(d.m * 4), *shift = q8_alloc(d.m * 4);
        const int extreme = rnd(6) == 0;
        fill_activations(x, d.n * d.k, extreme);
        for (size_t j = 0; j < d.m * d.k; j++) w[j] = extreme ? (rnd(2) ? 127 : -127) : (int8_t)rnd_range(-127, 127);
        for (size_t j = 0; j < d.m; j++) {
            bias[j] = rnd_range(-100000, 100000);
            dk_q8_multiplier(q8_random_scaled(&rng, 20, -16, 12), &mult[j], &shift[j]);
        }
        d.x = x;
        d.w = w;
        d.q.x_zero = q8_random_zero(&rng);
        d.q.bias = bias;
        d.q.multiplier = mult;
        d.q.shift = shift;
        d.q.out = q8_random_out(&rng);
        ref_q8_gemm(DK_Q8_WEIGHTS_RIGHT, d.m, d.k, d.n, w, d.k, &d.q, x, d.k, want, d.m);
        char what[96];
        snprintf(what, sizeof what, "dense n %zu k %zu m %zu", d.n, d.k, d.m);
        check_all(what, dense_op, &d, want, d.n * d.m, got);
        free(x), free(w), free(want), free(got), free(bias), free(mult), free(shift);
    }
}

/* ---- pooling ---------------------------------------------------------------------------------- */

typedef struct pool_case {
    dk_pool2d_params p;
    const int8_t *x;
    int32_t x_zero;
    float x_scale, y_scale;
    dk_q8_out out;
    int kind; /* 0 max, 1 avg, 2 global avg */
} pool_case;

static int pool_op(void *context, dk_pool *pool, int8_t *y) {
    const pool_case *c = context;
    switch (c->kind) {
    case 0: dk_q8_max_pool2d_forward(pool, &c->p, c->x, &c->out, y); return 0;
    case 1: return dk_q8_avg_pool2d_forward(pool, &c->p, c->x, c->x_zero, c->x_scale, c->y_scale, &c->out, y);
    default:
        return dk_q8_global_avg_pool_forward(pool, c->p.n, c->p.c, c->p.h * c->p.w, c->x, c->x_zero, c->x_scale,
                                             c->y_scale, &c->out, y);
    }
}

static void run_pool(pool_case *c) {
    const dk_pool2d_params *p = &c->p;
    const size_t xs = p->n * p->c * p->h * p->w, ys = p->n * p->c * p->ho * p->wo;
    int8_t *x = q8_alloc(xs), *want = q8_alloc(ys), *got = q8_alloc(ys);
    double *real = q8_alloc(ys * sizeof(double));
    fill_activations(x, xs, rnd(8) == 0);
    c->x = x;
    if (c->kind == 0) ref_q8_max_pool2d(p, x, &c->out, want);
    else ref_q8_avg_pool2d(p, x, c->x_zero, c->x_scale, c->y_scale, &c->out, want, real);
    char what[160];
    snprintf(what, sizeof what, "pool kind %d n %zu c %zu h %zu w %zu k %zux%zu s %zux%zu pad %zu,%zu,%zu,%zu ceil %d cip %d",
             c->kind, p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->pb, p->pr, p->ceil_mode,
             p->count_include_pad);
    check_all(what, pool_op, c, want, ys, got);
    if (c->kind != 0)
        for (size_t i = 0; i < ys; i++) check_real(what, want[i], real[i], &c->out);
    free(x), free(want), free(got), free(real);
}

TEST(test_pools_random) {
    for (int i = 0; i < 200; i++) {
        pool_case c;
        memset(&c, 0, sizeof c);
        dk_pool2d_params *p = &c.p;
        p->n = 1 + rnd(2), p->c = 1 + rnd(5);
        p->kh = 1 + rnd(4), p->kw = 1 + rnd(4);
        p->sh = 1 + rnd(3), p->sw = 1 + rnd(3);
        p->pt = rnd(p->kh / 2 + 1), p->pl = rnd(p->kw / 2 + 1), p->pb = rnd(p->kh / 2 + 1), p->pr = rnd(p->kw / 2 + 1);
        if (i % 4 == 0) { /* max pooling 2x2 stride 2 (its SIMD path), sometimes with bottom/right padding */
            p->kh = p->kw = p->sh = p->sw = 2;
            p->pt = p->pl = 0;
            p->pb = rnd(2), p->pr = rnd(2);
        }
        p->h = p->kh + rnd(20), p->w = p->kw + rnd(i % 10 == 0 ? 600 : i % 4 == 0 ? 80 : 20);
        p->ceil_mode = (int)rnd(2);
        p->count_include_pad = (int)rnd(2);
        if (dk_pool2d_infer(p) != 0) continue;
        c.kind = i % 4 == 0 ? 0 : (int)rnd(2);
        c.x_zero = q8_random_zero(&rng);
        c.x_scale = random_scale();
        c.y_scale = rnd(3) == 0 ? c.x_scale : random_scale();
        c.out = q8_random_out(&rng);
        run_pool(&c);
    }
}

TEST(test_global_avg_pool) {
    static const size_t hws[][2] = {{1, 1}, {7, 7}, {8, 8}, {1, 300}, {56, 56}};
    for (size_t i = 0; i < sizeof hws / sizeof hws[0]; i++) {
        pool_case c;
        memset(&c, 0, sizeof c);
        c.p.n = 2, c.p.c = 3 + rnd(20), c.p.h = hws[i][0], c.p.w = hws[i][1];
        c.p.kh = c.p.h, c.p.kw = c.p.w, c.p.sh = c.p.sw = 1, c.p.count_include_pad = 1;
        CHECK(dk_pool2d_infer(&c.p) == 0 && c.p.ho == 1 && c.p.wo == 1, "global window");
        c.kind = 2; /* the reference is avg_pool2d with the whole plane as its window */
        c.x_zero = q8_random_zero(&rng);
        c.x_scale = random_scale();
        c.y_scale = random_scale();
        c.out = q8_random_out(&rng);
        run_pool(&c);
    }
}

TEST(test_pool_refuses_bad_scales) {
    dk_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.n = p.c = 1, p.h = p.w = 4, p.kh = p.kw = 2, p.sh = p.sw = 2;
    CHECK(dk_pool2d_infer(&p) == 0, "infer");
    int8_t x[16] = {0}, y[4];
    dk_q8_out o = {0, -128, 127};
    CHECK(dk_q8_avg_pool2d_forward(NULL, &p, x, 0, 0.0f, 1.0f, &o, y) == -1, "zero scale");
    CHECK(dk_q8_avg_pool2d_forward(NULL, &p, x, 0, NAN, 1.0f, &o, y) == -1, "NaN scale");
    CHECK(dk_q8_avg_pool2d_forward(NULL, &p, x, 0, 1.0f, 1e-12f, &o, y) == -1, "ratio 2^40 has no multiplier");
    CHECK(dk_q8_global_avg_pool_forward(NULL, 1, 1, 16, x, 0, 1.0f, INFINITY, &o, y) == -1, "inf scale");
    o.lo = 5, o.hi = 4;
    CHECK(dk_q8_avg_pool2d_forward(NULL, &p, x, 0, 1.0f, 1.0f, &o, y) == -1, "lo > hi");
}

/* ---- add, requantize, concat -------------------------------------------------------------------- */

typedef struct add_case {
    const int8_t *a, *b;
    dk_q8_param pa, pb;
    float y_scale;
    dk_q8_out out;
    size_t count;
    int in_place; /* 1: y is a copy of a, computed in place */
} add_case;

static int add_op(void *context, dk_pool *pool, int8_t *y) {
    const add_case *c = context;
    const int8_t *a = c->a;
    if (c->in_place) {
        memcpy(y, c->a, c->count);
        a = y;
    }
    if (c->b == NULL) return dk_q8_requantize_forward(pool, a, c->pa, y, c->y_scale, &c->out, c->count);
    return dk_q8_add_forward(pool, a, c->pa, c->b, c->pb, y, c->y_scale, &c->out, c->count);
}

TEST(test_add_and_requantize_random) {
    for (int i = 0; i < 120; i++) {
        add_case c;
        c.count = rnd(4) == 0 ? 1 + rnd(16) : 1 + rnd(i % 10 == 0 ? 200000 : 3000);
        int8_t *a = q8_alloc(c.count), *b = q8_alloc(c.count), *want = q8_alloc(c.count);
        int8_t *got = q8_alloc(c.count);
        double *real = q8_alloc(c.count * sizeof(double));
        const int extreme = rnd(6) == 0;
        fill_activations(a, c.count, extreme);
        fill_activations(b, c.count, extreme);
        c.a = a;
        c.b = rnd(3) == 0 ? NULL : b;
        c.pa = random_param();
        c.pb = random_param();
        c.y_scale = random_scale();
        if (rnd(4) == 0) c.y_scale = c.pa.scale;
        c.out = q8_random_out(&rng);
        c.in_place = (int)rnd(2);
        ref_q8_add(a, c.pa, c.b, c.pb, c.y_scale, &c.out, c.count, want, real);
        char what[64];
        snprintf(what, sizeof what, "%s count %zu", c.b ? "add" : "requantize", c.count);
        check_all(what, add_op, &c, want, c.count, got);
        for (size_t j = 0; j < c.count; j++) check_real(what, want[j], real[j], &c.out);
        free(a), free(b), free(want), free(got), free(real);
    }
    const dk_q8_param p = {1.0f, 0}, bad = {0.0f, 0};
    const dk_q8_out o = {0, -128, 127};
    int8_t x[4] = {0}, y[4];
    CHECK(dk_q8_add_forward(NULL, x, p, x, bad, y, 1.0f, &o, 4) == -1, "zero scale refused");
    CHECK(dk_q8_add_forward(NULL, x, p, x, p, y, 1e-9f, &o, 4) == -1, "ratio >= 2^21 refused");
    CHECK(dk_q8_requantize_forward(NULL, x, (dk_q8_param){1.0f, 200}, y, 1.0f, &o, 4) == -1, "zero point 200 refused");
}

typedef struct concat_case {
    size_t count, outer, inner;
    const int8_t *inputs[6];
    dk_q8_param params[6];
    size_t axis[6];
    float y_scale;
    dk_q8_out out;
} concat_case;

static int concat_op(void *context, dk_pool *pool, int8_t *y) {
    const concat_case *c = context;
    return dk_q8_concat_forward(pool, c->count, c->inputs, c->params, c->axis, c->outer, c->inner, y, c->y_scale,
                                &c->out);
}

TEST(test_concat_random) {
    for (int i = 0; i < 60; i++) {
        concat_case c;
        c.count = 1 + rnd(6);
        c.outer = 1 + rnd(4);
        c.inner = 1 + rnd(i % 6 == 0 ? 5000 : 40);
        c.y_scale = random_scale();
        c.out = q8_random_out(&rng);
        if (rnd(2)) c.out.lo = -128, c.out.hi = 127;
        size_t total = 0;
        int8_t *bufs[6];
        for (size_t j = 0; j < c.count; j++) {
            c.axis[j] = rnd(5); /* 0 allowed */
            bufs[j] = q8_alloc(c.outer * c.axis[j] * c.inner);
            fill_activations(bufs[j], c.outer * c.axis[j] * c.inner, rnd(6) == 0);
            c.inputs[j] = bufs[j];
            /* some inputs already in the output's quantization: the copy path */
            c.params[j] = random_param();
            if (rnd(3) == 0) c.params[j] = (dk_q8_param){c.y_scale, c.out.zero};
            total += c.axis[j];
        }
        const size_t ys = c.outer * total * c.inner;
        int8_t *want = q8_alloc(ys), *got = q8_alloc(ys);
        for (size_t o = 0, at = 0; o < c.outer; o++)
            for (size_t j = 0; j < c.count; j++) {
                const size_t len = c.axis[j] * c.inner;
                ref_q8_add(c.inputs[j] + o * len, c.params[j], NULL, c.params[j], c.y_scale, &c.out, len, want + at,
                           NULL);
                at += len;
            }
        char what[64];
        snprintf(what, sizeof what, "concat of %zu, outer %zu inner %zu", c.count, c.outer, c.inner);
        if (ys > 0) check_all(what, concat_op, &c, want, ys, got);
        for (size_t j = 0; j < c.count; j++) free(bufs[j]);
        free(want), free(got);
    }
}

/* ---- quantize and dequantize ---------------------------------------------------------------------- */

typedef struct quant_case {
    const float *x;
    float scale;
    dk_q8_out out;
    size_t count;
} quant_case;

static int quantize_op(void *context, dk_pool *pool, int8_t *y) {
    const quant_case *c = context;
    dk_q8_quantize_forward(pool, c->x, c->scale, &c->out, y, c->count);
    return 0;
}

TEST(test_quantize) {
    for (int i = 0; i < 60; i++) {
        quant_case c;
        c.count = 1 + rnd(i % 8 == 0 ? 100000 : 700);
        float *x = q8_alloc(c.count * sizeof(float));
        int8_t *want = q8_alloc(c.count), *got = q8_alloc(c.count);
        c.scale = random_scale();
        c.out = q8_random_out(&rng);
        for (size_t j = 0; j < c.count; j++) {
            switch (rnd(10)) {
            case 0: x[j] = ((float)rnd_range(-300, 300) + 0.5f) * c.scale; break; /* ties, mostly exact */
            case 1: x[j] = rnd(2) ? NAN : (rnd(2) ? INFINITY : -INFINITY); break;
            case 2: x[j] = (float)rnd_range(-1, 1) * 3e38f; break;
            default: x[j] = test_rng_float(&rng) * 200.0f * c.scale; break;
            }
        }
        c.x = x;
        ref_q8_quantize(x, c.scale, &c.out, c.count, want);
        check_all("quantize", quantize_op, &c, want, c.count, got);
        free(x), free(want), free(got);
    }
    /* half-even ties, spelled out */
    const float ties[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, -127.5f};
    const int8_t expect[] = {0, 2, 2, 0, -2, -2, 126, -128};
    const dk_q8_out full = {0, -128, 127};
    for (int ii = 0; ii < isas.count; ii++) {
        dk_isa_force(isas.list[ii]);
        int8_t y[8];
        dk_q8_quantize_forward(NULL, ties, 1.0f, &full, y, 8);
        CHECK(memcmp(y, expect, 8) == 0, "[%s] ties to even", dk_isa_name(isas.list[ii]));
    }
    dk_isa_force(isas.initial);
}

TEST(test_dequantize) {
    const size_t n = 70001;
    int8_t *x = q8_alloc(n);
    float *y = q8_alloc(n * sizeof(float));
    fill_activations(x, n, 0);
    const dk_q8_param p = random_param();
    for (int ii = 0; ii < isas.count; ii++) {
        dk_isa_force(isas.list[ii]);
        dk_q8_dequantize_forward(pools[1], x, p, y, n);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) bad += y[i] != (float)((double)(x[i] - p.zero) * (double)p.scale);
        CHECK(bad == 0, "[%s] %zu values differ from (x - z) * s rounded once", dk_isa_name(isas.list[ii]), bad);
    }
    dk_isa_force(isas.initial);
    free(x), free(y);
}

/* After the cases above: the integer multipliers may move a value across a rounding boundary, rarely. */
TEST(test_real_valued_agreement) {
    CHECK(real_checked > 100000, "only %ld outputs checked", real_checked);
    CHECK(real_off_by_one * 1000 <= real_checked, "off by one too often: %ld of %ld", real_off_by_one, real_checked);
}

int main(void) {
    if (isa_select("int8_ops", &isas) != 0) return test_summary("int8_ops");
    if (test_pools_create(pools) != 0) return 1;
    RUN(test_conv2d_random);
    RUN(test_conv2d_shapes_of_real_networks);
    RUN(test_conv2d_refuses_bad_packing);
    RUN(test_conv_transpose2d_random);
    RUN(test_conv_transpose2d_shapes_of_generators);
    RUN(test_conv_transpose2d_refuses_what_it_does_not_take);
    RUN(test_dense_random);
    RUN(test_pools_random);
    RUN(test_global_avg_pool);
    RUN(test_pool_refuses_bad_scales);
    RUN(test_add_and_requantize_random);
    RUN(test_concat_random);
    RUN(test_quantize);
    RUN(test_dequantize);
    RUN(test_real_valued_agreement);
    test_pools_free(pools);
    printf("%ld op calls; real-valued check: %ld outputs, %ld off by one\n", op_calls, real_checked, real_off_by_one);
    return test_summary("int8_ops");
}

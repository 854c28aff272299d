/*
 * The int8 GEMM and the requantization rule.
 *
 * Bit-exactness: dk_q8_gemm under every selected ISA (isa_select.h: each
 * forced in turn by the runner), packed under that ISA, with pools of 1, 2
 * and 3 threads and with and without a workspace, must equal ref_q8_gemm
 * (int64 sums wrapped to int32, the rounding shift on int64 numerators)
 * byte for byte, over random shapes (tails of every tile size, k = 1, large
 * k, one column / row), both layouts, padded strides, and values including
 * extremes: activations -128 / 127, weights +-127, large and wrapping
 * biases, multipliers near 1, above 1, tiny (below 2^-32) and in between,
 * every zero point and clamp. The scalar path is one of the ISAs, so every
 * SIMD path equals it too.
 *
 * The math: on the scalar results, against the real-valued product
 * acc * M (M = s_x s_w / s_y in double, acc exact), every output is within 1
 * of clamp(zero + round_half_away(acc * M)); mismatches can only come from
 * the 31-bit multiplier (relative error <= 2^-31) moving a value across a
 * rounding boundary, so they must also be rare (< 0.1% of outputs).
 */
#include <stdint.h>

#include "test.h"
#include "kernels.h"
#include "gemm/igemm_kernels.h"
#include "isa_select.h"
#include "q8_random.h"
#include "ref_int8.h"

static unsigned long long rng = 0x243F6A8885A308D3ull;
static isa_set isas;
static dk_pool *pools[3];
static long cases_run, calls_run, oracle_checked, oracle_off_by_one;

static size_t rnd(size_t n) { return q8_rnd(&rng, n); }
static int32_t rnd_range(int32_t lo, int32_t hi) { return q8_rnd_range(&rng, lo, hi); }


typedef enum { VALUES_RANDOM, VALUES_EXTREME_HIGH, VALUES_EXTREME_LOW, VALUES_MIXED_EXTREME } value_mode;
typedef enum { MULT_TYPICAL, MULT_NEAR_ONE, MULT_LARGE, MULT_TINY, MULT_MIXED } mult_mode;

typedef struct gemm_case {
    dk_q8_layout layout;
    size_t channels, k, n, ldw, ldx, ldy;
    value_mode values;
    mult_mode mults;
    int bias_kind; /* 0 none, 1 small, 2 large (2^24), 3 near INT32 limits (wraps) */
    int32_t x_zero;
    dk_q8_out out;
} gemm_case;


static double random_multiplier(mult_mode m) {
    switch (m) {
    case MULT_NEAR_ONE: return 0.5 + ldexp((double)rnd(1u << 30), -30) * 1.5; /* [0.5, 2) */
    case MULT_LARGE: return q8_random_scaled(&rng, 20, 0, 20);                        /* [1, 2^20) */
    case MULT_TINY: return q8_random_scaled(&rng, 20, -35, 8);                        /* around 2^-32 */
    case MULT_MIXED: return random_multiplier((mult_mode)rnd(4));
    default: return q8_random_scaled(&rng, 20, -20, 14);                              /* [2^-20, 2^-6) */
    }
}

static int8_t random_activation(value_mode v) {
    switch (v) {
    case VALUES_EXTREME_HIGH: return 127;
    case VALUES_EXTREME_LOW: return -128;
    case VALUES_MIXED_EXTREME: return rnd(2) ? 127 : -128;
    default: return (int8_t)rnd_range(-128, 127);
    }
}

static int8_t random_weight(value_mode v) {
    switch (v) {
    case VALUES_EXTREME_HIGH: return 127;
    case VALUES_EXTREME_LOW: return -127;
    case VALUES_MIXED_EXTREME: return rnd(2) ? 127 : -127;
    default: return (int8_t)rnd_range(-127, 127);
    }
}

static int32_t random_bias(int kind) {
    switch (kind) {
    case 1: return rnd_range(-(1 << 16), 1 << 16);
    case 2: return rnd_range(-(1 << 24), 1 << 24);
    case 3: return rnd(2) ? INT32_MAX - rnd_range(0, 1 << 20) : INT32_MIN + rnd_range(0, 1 << 20);
    default: return 0;
    }
}


/* The real-valued check of one output: within 1 of the exact product's rounding. */
static void oracle(int64_t acc, double m, const dk_q8_out *o, int8_t got, const char *what) {
    if (acc > INT32_MAX || acc < INT32_MIN) return; /* wrapped: the math is the modular sum, checked bitwise */
    int8_t want = ref_q8_round_real((double)acc * m, o);
    int d = got - want;
    oracle_checked++;
    if (d != 0) oracle_off_by_one++;
    CHECK(d >= -1 && d <= 1, "%s: %d vs the real-valued %d (acc %lld, M %.17g)", what, got, want, (long long)acc, m);
}

static void run_case(const gemm_case *t) {
    const int left = t->layout == DK_Q8_WEIGHTS_LEFT;
    const size_t xrows = left ? t->k : t->n, yrows = left ? t->channels : t->n;
    const size_t ycols = left ? t->n : t->channels;
    const size_t xs = xrows * t->ldx, ys = yrows * t->ldy;
    int8_t *w = q8_alloc(t->channels * t->ldw), *x = q8_alloc(xs), *want = q8_alloc(ys);
    int8_t *got = q8_alloc(ys), *first = q8_alloc(ys);
    int32_t *bias = q8_alloc(t->channels * 4), *mult = q8_alloc(t->channels * 4), *shift = q8_alloc(t->channels * 4);
    double *real = q8_alloc(t->channels * sizeof(double));
    for (size_t i = 0; i < t->channels * t->ldw; i++) w[i] = random_weight(t->values);
    for (size_t i = 0; i < xs; i++) x[i] = random_activation(t->values);
    for (size_t c = 0; c < t->channels; c++) {
        bias[c] = random_bias(t->bias_kind);
        real[c] = random_multiplier(t->mults);
        CHECK(dk_q8_multiplier(real[c], &mult[c], &shift[c]) == 0, "multiplier %g", real[c]);
    }
    dk_q8_quant q = {t->x_zero, t->bias_kind ? bias : NULL, mult, shift, t->out};
    memset(want, 0x5A, ys);
    ref_q8_gemm(t->layout, t->channels, t->k, t->n, w, t->ldw, &q, x, t->ldx, want, t->ldy);

    const size_t pb = dk_q8_gemm_packed_bytes(t->channels, t->k);
    uint8_t *packed = q8_alloc(pb + 64);
    for (int ii = 0; ii < isas.count; ii++) {
        dk_isa_force(isas.list[ii]);
        memset(packed, 0xAB, pb + 64);
        CHECK(dk_q8_gemm_pack(t->layout, t->channels, t->k, w, t->ldw, &q, packed) == 0, "pack");
        int intact = 1;
        for (size_t i = pb; i < pb + 64; i++) intact &= packed[i] == 0xAB;
        CHECK(intact, "dk_q8_gemm_pack wrote past %zu bytes", pb);
        for (int pi = 0; pi < 3; pi++) {
            for (int ws_mode = 0; ws_mode < 2; ws_mode++) {
                const int threads = dk_pool_threads(pools[pi]);
                size_t wsb = dk_q8_gemm_workspace_bytes(t->layout, t->channels, t->k, t->n, threads);
                void *ws = ws_mode ? q8_alloc(wsb) : NULL;
                memset(got, 0x5A, ys);
                CHECK(dk_q8_gemm(pools[pi], packed, t->n, x, t->ldx, got, t->ldy, ws) == 0, "dk_q8_gemm");
                calls_run++;
                size_t bad = 0, at = 0;
                for (size_t i = 0; i < ys; i++)
                    if (got[i] != want[i] && bad++ == 0) at = i;
                CHECK(bad == 0,
                      "isa %s threads %d ws %d: layout %d channels %zu k %zu n %zu ldx %zu ldy %zu values %d mults %d "
                      "bias %d zx %d out (%d, %d, %d): %zu bytes differ, first at [%zu][%zu]: %d, want %d",
                      dk_isa_name(isas.list[ii]), threads, ws_mode, (int)t->layout, t->channels, t->k, t->n, t->ldx,
                      t->ldy, (int)t->values, (int)t->mults, t->bias_kind, t->x_zero, t->out.zero, t->out.lo,
                      t->out.hi, bad, at / t->ldy, at % t->ldy, got[at], want[at]);
                if (ii == 0 && pi == 0 && ws_mode == 0) memcpy(first, got, ys);
                free(ws);
            }
        }
    }
    /* The scalar results against the real-valued math. */
    for (size_t c = 0; c < t->channels; c++) {
        for (size_t j = 0; j < t->n; j++) {
            int64_t acc = t->bias_kind ? bias[c] : 0;
            for (size_t p = 0; p < t->k; p++)
                acc += (int64_t)w[c * t->ldw + p] * ((left ? x[p * t->ldx + j] : x[j * t->ldx + p]) - t->x_zero);
            oracle(acc, real[c], &t->out, left ? first[c * t->ldy + j] : first[j * t->ldy + c], "gemm");
        }
    }
    (void)ycols;
    dk_isa_force(isas.initial);
    cases_run++;
    free(w), free(x), free(want), free(got), free(first), free(bias), free(mult), free(shift), free(real), free(packed);
}

/* layout -1: either. */
static gemm_case random_case(int layout, size_t channels, size_t k, size_t n) {
    gemm_case t;
    t.layout = layout >= 0 ? (dk_q8_layout)layout : rnd(2) ? DK_Q8_WEIGHTS_RIGHT : DK_Q8_WEIGHTS_LEFT;
    t.channels = channels;
    t.k = k;
    t.n = n;
    t.ldw = k + (rnd(3) == 0 ? rnd(5) : 0);
    const size_t xcols = t.layout == DK_Q8_WEIGHTS_LEFT ? n : k, ycols = t.layout == DK_Q8_WEIGHTS_LEFT ? n : channels;
    t.ldx = xcols + (rnd(3) == 0 ? rnd(7) : 0);
    t.ldy = ycols + (rnd(3) == 0 ? rnd(7) : 0);
    t.values = rnd(6) == 0 ? (value_mode)(1 + rnd(3)) : VALUES_RANDOM;
    t.mults = rnd(3) == 0 ? (mult_mode)rnd(5) : MULT_TYPICAL;
    t.bias_kind = (int)rnd(4);
    t.x_zero = q8_random_zero(&rng);
    t.out = q8_random_out(&rng);
    return t;
}

/* Sizes either side of every configuration's tiles (mr 4, 8, 12; nr 8, 12, 16, 32) and k groups (1, 2, 4). */
static const size_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 65};

TEST(test_small_random_shapes) {
    const size_t ns = sizeof sizes / sizeof sizes[0];
    for (int i = 0; i < 300; i++) {
        const size_t m = sizes[rnd(ns)], k = sizes[rnd(ns)], n = sizes[rnd(ns)]; /* in this order */
        gemm_case t = random_case(-1, m, k, n);
        run_case(&t);
    }
}

TEST(test_k_edges) {
    static const size_t ks[] = {1, 2, 3, 4, 5, 6, 7, 129, 1023, 4608, 9217};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        for (int l = 0; l < 2; l++) {
            const size_t m = 1 + rnd(40), n = 1 + rnd(40);
            gemm_case t = random_case(l, m, ks[i], n);
            run_case(&t);
        }
    }
}

TEST(test_extreme_values) {
    /* every activation -128 or 127, every weight +-127: the largest accumulators, with the zero point at
     * each end (x - zx up to 255 in magnitude), large and wrapping biases, every multiplier kind */
    for (int v = VALUES_EXTREME_HIGH; v <= VALUES_MIXED_EXTREME; v++) {
        for (int mm = MULT_TYPICAL; mm <= MULT_TINY; mm++) {
            for (int zx = 0; zx < 2; zx++) {
                const size_t m = sizes[rnd(10)] + 20, k = 255 + rnd(600), n = sizes[rnd(10)] + 10;
                gemm_case t = random_case(-1, m, k, n);
                t.values = (value_mode)v;
                t.mults = (mult_mode)mm;
                t.x_zero = zx ? 127 : -128;
                t.bias_kind = (int)rnd(4);
                run_case(&t);
            }
        }
    }
}

TEST(test_parallel_shapes) {
    /* large enough to be split over threads (the split must not change a bit) */
    static const size_t shapes[][3] = {{64, 576, 200}, {96, 288, 301}, {37, 1152, 64}, {1000, 512, 1}, {10, 64, 3},
                                       {256, 2304, 49}, {130, 75, 500}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (int l = 0; l < 2; l++) {
            gemm_case t = random_case(l, shapes[i][0], shapes[i][1], shapes[i][2]);
            run_case(&t);
        }
    }
}

/* A packed buffer keeps its own kernel: a later dk_isa_force changes nothing. */
TEST(test_packed_buffer_survives_isa_change) {
    const size_t m = 29, k = 37, n = 41;
    int8_t w[29 * 37], x[37 * 41], y0[29 * 41], y1[29 * 41];
    int32_t mult[29], shift[29];
    for (size_t i = 0; i < m * k; i++) w[i] = random_weight(VALUES_RANDOM);
    for (size_t i = 0; i < k * n; i++) x[i] = random_activation(VALUES_RANDOM);
    for (size_t c = 0; c < m; c++) dk_q8_multiplier(random_multiplier(MULT_TYPICAL), &mult[c], &shift[c]);
    dk_q8_quant q = {3, NULL, mult, shift, {-5, -128, 127}};
    uint8_t *packed = q8_alloc(dk_q8_gemm_packed_bytes(m, k));
    for (int a = 0; a < isas.count; a++) {
        dk_isa_force(isas.list[a]);
        CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == 0, "pack");
        CHECK(dk_q8_gemm(NULL, packed, n, x, n, y0, n, NULL) == 0, "run");
        for (int b = 0; b < isas.count; b++) {
            dk_isa_force(isas.list[b]);
            CHECK(dk_q8_gemm(NULL, packed, n, x, n, y1, n, NULL) == 0, "run");
            CHECK(memcmp(y0, y1, sizeof y0) == 0, "packed under %s, run under %s", dk_isa_name(isas.list[a]),
                  dk_isa_name(isas.list[b]));
        }
    }
    dk_isa_force(isas.initial);
    free(packed);
}

TEST(test_bad_input_refused) {
    const size_t m = 4, k = 8;
    int8_t w[32];
    int32_t mult[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, shift[4] = {40, 40, 40, 40};
    for (size_t i = 0; i < m * k; i++) w[i] = (int8_t)(i % 50);
    uint8_t *packed = q8_alloc(dk_q8_gemm_packed_bytes(m, k));
    dk_q8_quant q = {0, NULL, mult, shift, {0, -128, 127}};
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == 0, "valid");
    w[5] = -128;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "weight -128 refused");
    w[5] = 1;
    shift[2] = 0;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "shift 0 refused");
    shift[2] = 63;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "shift 63 refused");
    shift[2] = 40;
    mult[1] = -1;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "negative multiplier refused");
    mult[1] = 1 << 30;
    q.x_zero = 128;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "x zero 128 refused");
    q.x_zero = 0;
    q.out.lo = 10, q.out.hi = 9;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "lo > hi refused");
    q.out.lo = -128, q.out.hi = 127, q.out.zero = -129;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, m, k, w, k, &q, packed) == -1, "out zero -129 refused");
    q.out.zero = 0;
    CHECK(dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, 0, k, w, k, &q, packed) == -1, "no channels refused");
    CHECK(dk_q8_gemm_pack((dk_q8_layout)7, m, k, w, k, &q, packed) == -1, "unknown layout refused");
    int8_t x[8 * 3] = {0}, y[4 * 3];
    memset(packed, 0, 64);
    CHECK(dk_q8_gemm(NULL, packed, 3, x, 3, y, 3, NULL) == -1, "an unpacked buffer refused");
    CHECK(dk_q8_gemm_packed_bytes(SIZE_MAX / 2, 8) == SIZE_MAX, "size overflow reported");
    free(packed);
}

/* dk_q8_multiplier against its definition, including the edges. */
TEST(test_multiplier_derivation) {
    int32_t m, s;
    CHECK(dk_q8_multiplier(1.0, &m, &s) == 0 && m == (1 << 30) && s == 30, "1.0: %d %d", m, s);
    CHECK(dk_q8_multiplier(0.75, &m, &s) == 0 && m == 3 << 29 && s == 31, "0.75: %d %d", m, s);
    CHECK(dk_q8_multiplier(1.0 - ldexp(1.0, -40), &m, &s) == 0 && m == (1 << 30) && s == 30, "rounds up to 1");
    CHECK(dk_q8_multiplier(ldexp(1.0, -33), &m, &s) == 0 && m == 0 && s == 1, "below 2^-32: zero");
    CHECK(dk_q8_multiplier(0.0, &m, &s) == 0 && m == 0 && s == 1, "zero");
    CHECK(dk_q8_multiplier(ldexp(1.0, -32), &m, &s) == 0 && m == (1 << 30) && s == 62, "2^-32: %d %d", m, s);
    CHECK(dk_q8_multiplier(ldexp(1.0, 30), &m, &s) == -1, "2^30 refused");
    CHECK(dk_q8_multiplier(ldexp(1.0, 30) - 1.0, &m, &s) == 0 && s == 1, "just under 2^30: shift %d", s);
    CHECK(dk_q8_multiplier(-1e-3, &m, &s) == -1 && dk_q8_multiplier(NAN, &m, &s) == -1 &&
              dk_q8_multiplier(INFINITY, &m, &s) == -1,
          "negative, NaN, inf refused");
    for (int i = 0; i < 20000; i++) {
        double real = q8_random_scaled(&rng, 52, -32, 61); /* [2^-32, 2^29) */
        CHECK(dk_q8_multiplier(real, &m, &s) == 0, "%g", real);
        double got = ldexp((double)m, -s);
        CHECK(m >= (1 << 30) && s >= 1 && s <= 62, "%g: m %d s %d", real, m, s);
        CHECK(fabs(got - real) <= real * ldexp(1.0, -31), "%g: %.17g", real, got);
    }
}

/* The limit is the smallest |v| whose rounded value reaches 256 (or 2^31), for random (mult, shift). */
__extension__ typedef unsigned __int128 u128;

TEST(test_limit_is_the_saturation_point) {
    for (int i = 0; i < 20000; i++) {
        int32_t mult = i % 7 == 0 ? (int32_t)rnd(1000) : (int32_t)((1u << 30) + rnd(1u << 30));
        int32_t shift = rnd_range(1, 62);
        dk_q8_rq rq;
        CHECK(dk_q8_rq_make(mult, shift, &rq) == 0, "make");
#define Q_OF(a) ((u128)(a) * (uint32_t)mult + ((u128)1 << (shift - 1))) >> shift
        u128 at = Q_OF(rq.limit), below = Q_OF(rq.limit - 1);
#undef Q_OF
        if (rq.limit < (1u << 31)) CHECK(at >= 256, "mult %d shift %d limit %u: q %llu", mult, shift, rq.limit, (unsigned long long)at);
        if (rq.limit > 1) CHECK(below < 256, "mult %d shift %d limit %u not the smallest", mult, shift, rq.limit);
        CHECK(rq.limit >= 1 && rq.limit <= (1u << 31), "range");
        /* and the scalar rule agrees with the unlimited definition on random accumulators */
        dk_q8_out o = q8_random_out(&rng);
        for (int j = 0; j < 8; j++) {
            int32_t v = j == 0 ? INT32_MIN : j == 1 ? INT32_MAX : (int32_t)(uint32_t)test_rng_next(&rng);
            if (j > 4) v >>= rnd(31);
            int8_t want = ref_q8_rshr_out((int64_t)v * mult, shift, &o);
            CHECK(dk_q8_requant(v, &rq, &o) == want, "v %d mult %d shift %d", v, mult, shift);
        }
    }
}

TEST(test_pair_multiplier_derivation) {
    dk_q8_rq2 rq;
    CHECK(dk_q8_rq2_from_real(1.0, 0.0, &rq) == 0 && rq.mult_a == (1 << 21) && rq.mult_b == 0 && rq.shift == 21,
          "1.0: %d %d %d", rq.mult_a, rq.mult_b, rq.shift);
    CHECK(dk_q8_rq2_from_real(ldexp(1.0, 21), 1.0, &rq) == -1, "2^21 refused");
    CHECK(dk_q8_rq2_from_real(ldexp(1.0, -20), 0.0, &rq) == 0 && rq.shift == 31, "small: shift capped at 31");
    CHECK(dk_q8_rq2_from_real(-1.0, 1.0, &rq) == -1 && dk_q8_rq2_from_real(1.0, NAN, &rq) == -1, "refused");
    for (int i = 0; i < 20000; i++) {
        double a = q8_random_scaled(&rng, 40, -13, 34);
        double b = rnd(5) == 0 ? 0.0 : q8_random_scaled(&rng, 40, -13, 34);
        if (dk_q8_rq2_from_real(a, b, &rq) != 0) {
            CHECK(a >= ldexp(1.0, 21) || b >= ldexp(1.0, 21), "%g %g refused", a, b);
            continue;
        }
        CHECK(rq.mult_a <= (1 << 22) && rq.mult_b <= (1 << 22) && rq.shift >= 1 && rq.shift <= 31, "ranges");
        CHECK(fabs(ldexp(rq.mult_a, -rq.shift) - a) <= ldexp(1.0, -rq.shift - 1), "a %g", a);
        CHECK(fabs(ldexp(rq.mult_b, -rq.shift) - b) <= ldexp(1.0, -rq.shift - 1), "b %g", b);
    }
}

/* After the cases above: the 31-bit multiplier may move a value across a rounding boundary, rarely. */
TEST(test_off_by_one_is_rare) {
    CHECK(oracle_checked > 100000, "only %ld outputs checked", oracle_checked);
    CHECK(oracle_off_by_one * 1000 <= oracle_checked, "off by one too often: %ld of %ld", oracle_off_by_one,
          oracle_checked);
}

int main(void) {
    if (isa_select("int8_gemm", &isas) != 0) return test_summary("int8_gemm");
    for (int i = 0; i < isas.count; i++) {
        dk_isa_force(isas.list[i]);
        const dk_q8_cfg *g = dk_q8_cfg_active();
        printf("  %s: GEMM kernel %u (mr %zu, nr %zu, %zu k per group)\n", dk_isa_name(isas.list[i]), g->id, g->mr,
               g->nr, g->kg);
    }
    dk_isa_force(isas.initial);
    if (test_pools_create(pools) != 0) return 1;
    RUN(test_multiplier_derivation);
    RUN(test_limit_is_the_saturation_point);
    RUN(test_pair_multiplier_derivation);
    RUN(test_small_random_shapes);
    RUN(test_k_edges);
    RUN(test_extreme_values);
    RUN(test_parallel_shapes);
    RUN(test_packed_buffer_survives_isa_change);
    RUN(test_bad_input_refused);
    RUN(test_off_by_one_is_rare);
    test_pools_free(pools);
    printf("%ld cases, %ld dk_q8_gemm calls; real-valued check: %ld outputs, %ld off by one\n", cases_run, calls_run,
           oracle_checked, oracle_off_by_one);
    return test_summary("int8_gemm");
}

/*
 * Every refusal of docs/FORMAT.md's "int8 in the graph" rules: each test
 * builds the smallest file that breaks one rule and checks the status and
 * that the message names the node (index and op) or tensor and the rule.
 */
#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

#define X_SCALE 0.05f

static void expect(tb_model *m, dlrt_status want, const char *needle) {
    size_t size;
    uint8_t *file = tb_build(m, &size);
    dlrt_model *model = (dlrt_model *)1;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &model);
    CHECK(st == want, "got %s (%s), want %s", dlrt_status_name(st), dlrt_last_error(), dlrt_status_name(want));
    CHECK(strstr(dlrt_last_error(), needle) != NULL, "message '%s' lacks '%s'", dlrt_last_error(), needle);
    if (st == DLRT_OK) dlrt_model_free(model);
    else CHECK(model == NULL, "the out-pointer must be NULL after a failure");
    free(file);
    tb_free(m);
}

/* x f32 [1,2,4,4] quantized by node 0 into 'x.q'. Returns x.q's id. */
static uint32_t start(tb_model *m) {
    tb_init(m);
    m->minor = 1;
    uint32_t x = tb_input(m, "x", 4, (uint32_t[]){1, 2, 4, 4});
    uint32_t q = tb_tensor_q8(m, "x.q", 4, (uint32_t[]){1, 2, 4, 4}, X_SCALE, 0);
    tb_node(m, 19, 1, (uint32_t[]){x}, q, 0, NULL);
    return q;
}

/* Dequantizes y into the f32 graph output 'out'. */
static void finish(tb_model *m, uint32_t y, uint32_t rank, const uint32_t *dims) {
    uint32_t out = tb_tensor(m, "out", rank, dims);
    tb_node(m, 20, 1, (uint32_t[]){y}, out, 0, NULL);
    tb_output(m, out);
}

static const uint32_t dims4[4] = {1, 2, 4, 4};

/* Node 1: conv2d 3x3 pad 1 over x.q with i8 weights [2,2,3,3] and an i32 bias, both per channel. */
typedef struct conv_case {
    float y_scale;
    int64_t activation;
    int8_t first_weight;
    int32_t weight_zero;       /* zero point of channel 1 */
    uint8_t weight_dtype;      /* 2 i8, 1 f32 */
    uint8_t weight_quant;      /* 2 per channel, 1 per tensor */
    uint8_t bias_dtype;        /* 4 i32, 1 f32, 0 none */
    float bias_scale_factor;   /* channel 1's bias scale relative to s_x * s_w */
    int32_t first_bias;
    uint8_t y_dtype;           /* 2 i8, 1 f32 */
} conv_case;

static conv_case good_conv(void) { return (conv_case){0.1f, 1, 5, 0, 2, 2, 4, 1.0f, 10, 2}; }

static void conv_model(tb_model *m, conv_case c) {
    uint32_t q = start(m);
    int8_t w8[36];
    float w32[36], w_scale[2] = {0.01f, 0.02f}, b_scale[2];
    int32_t bias[2] = {c.first_bias, -7}, zeros[2] = {0, c.weight_zero};
    for (int i = 0; i < 36; i++) w8[i] = (int8_t)(i * 7 % 200 - 100), w32[i] = 0.01f * (float)i;
    w8[0] = c.first_weight;
    for (int k = 0; k < 2; k++) b_scale[k] = (float)((double)X_SCALE * w_scale[k]);
    b_scale[1] *= c.bias_scale_factor;
    const uint32_t wdims[4] = {2, 2, 3, 3};
    tb_tensor_spec ws = {"w", c.weight_dtype, c.weight_dtype == 2 ? c.weight_quant : 0, 4, wdims, c.weight_quant == 2 ? 0 : -1,
                         w_scale, zeros, c.weight_dtype == 2 ? (const void *)w8 : (const void *)w32};
    uint32_t w = tb_tensor_any(m, &ws);
    uint32_t inputs[3] = {q, w, 0};
    if (c.bias_dtype == 4) inputs[2] = tb_constant_i32(m, "b", 2, bias, b_scale);
    if (c.bias_dtype == 1) inputs[2] = tb_constant(m, "b", 1, (uint32_t[]){2}, (float[]){0.5f, 0.25f});
    uint32_t y = c.y_dtype == 2 ? tb_tensor_q8(m, "y", 4, dims4, c.y_scale, -3) : tb_tensor(m, "y", 4, dims4);
    tb_attr attrs[] = {{2, 1, 4, {1, 1, 1, 1}, {0}}, {5, 1, 1, {c.activation}, {0}}};
    tb_node(m, 1, c.bias_dtype ? 3 : 2, inputs, y, 2, attrs);
    if (c.y_dtype == 2) finish(m, y, 4, dims4);
    else tb_output(m, y);
}

TEST(a_valid_int8_conv_loads) {
    tb_model m;
    conv_model(&m, good_conv());
    expect(&m, DLRT_OK, "");
    conv_case c = good_conv();
    c.bias_scale_factor = 1.000001f; /* within the 1e-5 tolerance */
    c.activation = 5;
    c.bias_dtype = 0;
    conv_model(&m, c);
    expect(&m, DLRT_OK, "");
}

TEST(graph_inputs_and_outputs_must_be_f32) {
    tb_model m;
    tb_init(&m);
    float scale = X_SCALE;
    int32_t zero = 0;
    tb_tensor_spec xs = {"x", 2, 1, 4, dims4, -1, &scale, &zero, NULL};
    uint32_t x = tb_tensor_any(&m, &xs);
    m.inputs[m.input_count++] = x;
    finish(&m, x, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "graph input 'x' (i8, rank 4) must be an f32 tensor");

    uint32_t q = start(&m);
    tb_output(&m, q);
    expect(&m, DLRT_ERR_UNSUPPORTED, "graph output 'x.q' is i8; graph outputs must be f32");
}

TEST(ops_without_int8_kernels_are_refused_by_name) {
    static const struct {
        uint16_t op;
        const char *name;
    } ops[] = {{11, "softmax"}, {9, "sigmoid"}, {10, "tanh"}, {13, "lrn"}, {8, "leaky_relu"}, {12, "batch_norm"}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        tb_model m;
        uint32_t q = start(&m);
        uint32_t y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
        uint32_t inputs[5] = {q, 0, 0, 0, 0}, count = 1, attr_count = 0;
        tb_attr attr = {0};
        float ones[36];
        for (int k = 0; k < 36; k++) ones[k] = 1.0f;
        if (ops[i].op == 12) {
            for (uint32_t k = 1; k < 5; k++) inputs[k] = tb_constant(&m, k == 1 ? "g" : k == 2 ? "b" : k == 3 ? "mu" : "var", 1, (uint32_t[]){2}, ones);
            count = 5;
        }
        if (ops[i].op == 13) attr = (tb_attr){9, 1, 1, {3}, {0}}, attr_count = 1;
        tb_node(&m, ops[i].op, count, inputs, y, attr_count, &attr);
        finish(&m, y, 4, dims4);
        char needle[160];
        snprintf(needle, sizeof needle, "node 1 (%s): int8 input is not supported; the exporter must keep it in f32", ops[i].name);
        expect(&m, DLRT_ERR_UNSUPPORTED, needle);
    }
}

/* An int8 pad fills with its constant quantized by the output: one the output cannot hold is refused. */
TEST(int8_pad_constant_must_fit_the_output_range) {
    tb_model m;
    uint32_t q = start(&m);
    uint32_t dims[4] = {1, 2, 6, 4}, y = tb_tensor_q8(&m, "y", 4, dims, X_SCALE, 0);
    tb_attr attrs[] = {{2, 1, 8, {0, 0, 1, 0, 0, 0, 1, 0}, {0}}, {17, 2, 1, {0}, {7.0f}}};
    tb_node(&m, 18, 1, (uint32_t[]){q}, y, 2, attrs);
    finish(&m, y, 4, dims);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (pad): the constant 7 is outside the output's int8 range [-6.4, 6.35]");

    q = start(&m);
    y = tb_tensor_q8(&m, "y", 4, dims, X_SCALE * 2, 0);
    attrs[1].f[0] = 0.0f;
    tb_node(&m, 18, 1, (uint32_t[]){q}, y, 2, attrs);
    finish(&m, y, 4, dims);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (pad): output 'y' must have its input's scale and zero point");
}

TEST(mixed_dtypes_in_one_node_are_refused) {
    tb_model m;
    conv_case c = good_conv();
    c.weight_dtype = 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (conv2d): weight 'w' is f32 but input 0 is i8: mixed dtypes in one node are not supported");

    c = good_conv();
    c.bias_dtype = 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (conv2d): bias 'b' is f32 but input 0 is i8");

    /* An f32 input with int8 weights. */
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    int8_t w8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t w = tb_constant_q8(&m, "w", 2, (uint32_t[]){2, 4}, w8, (float[]){0.1f, 0.1f});
    uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 2});
    tb_node(&m, 3, 2, (uint32_t[]){x, w}, y, 0, NULL);
    tb_output(&m, y);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 0 (dense): input 1 ('w') is i8 but input 0 is f32: mixed dtypes");

    /* add of an i8 and an f32 tensor. */
    uint32_t q = start(&m);
    y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
    tb_node(&m, 14, 2, (uint32_t[]){q, 0}, y, 0, NULL);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (add): input 1 ('x') is f32 but input 0 is i8");

    /* An int8 node with an f32 output. */
    c = good_conv();
    c.y_dtype = 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (conv2d): output 'y' must be i8 quantized per tensor");
}

TEST(int8_weights_and_biases_follow_the_scheme) {
    tb_model m;
    conv_case c = good_conv();
    c.weight_quant = 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): int8 weight 'w' must be quantized per channel on axis 0 with zero points 0");

    c = good_conv();
    c.weight_zero = 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): int8 weight 'w' must be quantized per channel on axis 0 with zero points 0");

    c = good_conv();
    c.first_weight = -128;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): weight 'w' holds -128 at element 0; int8 weights are in [-127, 127]");

    c = good_conv();
    c.bias_scale_factor = 1.0001f;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): bias 'b' channel 1 has scale");

    /* |bias| + 255 * 127 * 18 reaches 2^31. */
    c = good_conv();
    c.first_bias = INT32_MAX - 255 * 127 * 18 + 1;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): channel 0: |bias| + 255 * 127 * K = 2147483648 (K = 18) reaches 2^31");
    c.first_bias -= 1; /* one below: accepted */
    conv_model(&m, c);
    expect(&m, DLRT_OK, "");
}

/*
 * Node 1: conv_transpose2d 3x3 stride 2 pad 1 output_padding 1 over x.q [1,2,4,4], weights i8
 * [2, 3, 3, 3] per channel on axis 1 (the output channel of [C, M/groups, kh, kw]), bias i32 [M].
 */
typedef struct convt_case {
    int64_t groups, dilation;
    uint8_t weight_quant;     /* 2 per channel, 1 per tensor */
    int32_t weight_axis;
    float bias_scale_factor;  /* channel 1's bias scale relative to s_x * s_w */
    int32_t first_bias;
} convt_case;

static convt_case good_convt(void) { return (convt_case){1, 1, 2, 1, 1.0f, 10}; }

static void convt_model(tb_model *m, convt_case c) {
    uint32_t q = start(m);
    const uint32_t wdims[4] = {2, 3, 3, 3}, mo = 3 * (uint32_t)c.groups;
    const uint32_t ho = (uint32_t)(3 * 2 - 2 + c.dilation * 2 + 1 + 1), ydims[4] = {1, mo, ho, ho};
    int8_t w8[54];
    float w_scale[3] = {0.01f, 0.02f, 0.03f}, b_scale[6];
    int32_t bias[6] = {c.first_bias, -7, 3, 4, 5, 6};
    for (int i = 0; i < 54; i++) w8[i] = (int8_t)(i * 7 % 200 - 100);
    for (uint32_t k = 0; k < mo; k++) b_scale[k] = (float)((double)X_SCALE * w_scale[k % 3]);
    b_scale[1] *= c.bias_scale_factor;
    tb_tensor_spec ws = {"w", 2, c.weight_quant, 4, wdims, c.weight_quant == 2 ? c.weight_axis : -1, w_scale, NULL, w8};
    uint32_t inputs[3] = {q, tb_tensor_any(m, &ws), tb_constant_i32(m, "b", mo, bias, b_scale)};
    uint32_t y = tb_tensor_q8(m, "y", 4, ydims, 0.1f, -3);
    tb_attr attrs[] = {{1, 1, 2, {2, 2}, {0}},           {2, 1, 4, {1, 1, 1, 1}, {0}}, {3, 1, 2, {c.dilation, c.dilation}, {0}},
                       {4, 1, 1, {c.groups}, {0}}, {5, 1, 1, {1}, {0}},          {16, 1, 2, {1, 1}, {0}}};
    tb_node(m, 2, 3, inputs, y, 6, attrs);
    finish(m, y, 4, ydims);
}

TEST(int8_conv_transpose2d_takes_groups_1_dilation_1_and_weights_per_output_channel) {
    tb_model m;
    convt_model(&m, good_convt());
    expect(&m, DLRT_OK, "");

    convt_case c = good_convt();
    c.groups = 2;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED,
           "node 1 (conv_transpose2d): int8 takes groups 1 and dilations 1 only (has groups 2, dilations 1 x 1); the exporter must keep it in f32");

    c = good_convt();
    c.dilation = 2;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (conv_transpose2d): int8 takes groups 1 and dilations 1 only (has groups 1, dilations 2 x 2)");

    c = good_convt();
    c.weight_quant = 1;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv_transpose2d): int8 weight 'w' must be quantized per channel on axis 1 with zero points 0");

    c = good_convt();
    c.weight_axis = 0;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv_transpose2d): int8 weight 'w' must be quantized per channel on axis 1 with zero points 0");

    c = good_convt();
    c.bias_scale_factor = 1.0001f;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv_transpose2d): bias 'b' channel 1 has scale");

    /* K = C * ceil(kh / sh) * ceil(kw / sw) = 2 * 2 * 2 = 8: the most taps one output sums. */
    c = good_convt();
    c.first_bias = INT32_MAX - 255 * 127 * 8 + 1;
    convt_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv_transpose2d): channel 0: |bias| + 255 * 127 * K = 2147483648 (K = 8) reaches 2^31");
    c.first_bias -= 1; /* one below: accepted */
    convt_model(&m, c);
    expect(&m, DLRT_OK, "");
}

TEST(fused_activations_other_than_relu_and_relu6_are_refused) {
    tb_model m;
    conv_case c = good_conv();
    c.activation = 2;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (conv2d): fused activation 2 (leaky relu) is not supported for int8");

    uint32_t q = start(&m);
    uint32_t y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
    tb_attr sigmoid[] = {{5, 1, 1, {3}, {0}}};
    tb_node(&m, 14, 2, (uint32_t[]){q, q}, y, 1, sigmoid);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (add): fused activation 3 (sigmoid) is not supported for int8");
}

TEST(multipliers_out_of_range_are_refused) {
    tb_model m;
    conv_case c = good_conv();
    c.y_scale = 1e-15f;
    conv_model(&m, c);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (conv2d): channel 0: multiplier s_x * s_w / s_y");

    static const struct {
        uint16_t op;
        const char *needle;
    } pairs[] = {{14, "node 1 (add): multiplier s_a / s_y or s_b / s_y"},
                 {15, "node 1 (concat): multiplier s_i / s_y of an input"},
                 {7, "node 1 (relu): multiplier s_x / s_y"},
                 {5, "node 1 (avg_pool2d): multiplier s_x / s_y"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint32_t q = start(&m);
        uint32_t y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE / (float)(1 << 22), 0);
        tb_attr window[] = {{10, 1, 2, {1, 1}, {0}}};
        tb_node(&m, pairs[i].op, pairs[i].op == 14 ? 2 : 1, (uint32_t[]){q, q}, y, pairs[i].op == 5 ? 1 : 0, window);
        finish(&m, y, 4, dims4);
        expect(&m, pairs[i].op == 5 ? DLRT_OK : DLRT_ERR_FORMAT, pairs[i].op == 5 ? "" : pairs[i].needle);
    }
    /* avg pool's multiplier has 2^30 of room (not the pair rule's 2^21). */
    uint32_t q = start(&m);
    uint32_t y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE / (float)(1 << 30), 0);
    tb_attr window[] = {{10, 1, 2, {1, 1}, {0}}};
    tb_node(&m, 5, 1, &q, y, 1, window);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_FORMAT, "node 1 (avg_pool2d): multiplier s_x / s_y = 1.07374e+09 is not below 2^30");
}

TEST(pool_windows_beyond_the_int32_sum_are_refused) {
    tb_model m;
    tb_init(&m);
    const uint32_t big[4] = {1, 1, 2048, 4096};
    uint32_t x = tb_input(&m, "x", 4, big);
    uint32_t q = tb_tensor_q8(&m, "x.q", 4, big, X_SCALE, 0);
    tb_node(&m, 19, 1, &x, q, 0, NULL);
    uint32_t y = tb_tensor_q8(&m, "y", 4, (uint32_t[]){1, 1, 1, 1}, X_SCALE, 0);
    tb_node(&m, 6, 1, &q, y, 0, NULL);
    finish(&m, y, 4, (uint32_t[]){1, 1, 1, 1});
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (global_avg_pool): a window of 8388608 values is too large for int8");
}

TEST(ops_that_keep_the_quantization_must_keep_it) {
    static const struct {
        uint16_t op;
        const char *name;
    } ops[] = {{4, "max_pool2d"}, {17, "flatten"}, {16, "reshape"}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        for (int what = 0; what < 2; what++) {
            tb_model m;
            uint32_t q = start(&m);
            const uint32_t flat[2] = {1, 32};
            int four = ops[i].op == 4;
            uint32_t y = tb_tensor_q8(&m, "y", four ? 4 : 2, four ? dims4 : flat, what ? X_SCALE : X_SCALE * 2, what ? 1 : 0);
            tb_attr attr = ops[i].op == 4 ? (tb_attr){10, 1, 2, {1, 1}, {0}} : (tb_attr){15, 1, 2, {1, 32}, {0}};
            tb_node(&m, ops[i].op, 1, &q, y, ops[i].op == 17 ? 0 : 1, &attr);
            finish(&m, y, four ? 4 : 2, four ? dims4 : flat);
            char needle[160];
            snprintf(needle, sizeof needle, "node 1 (%s): output 'y' must have its input's scale and zero point", ops[i].name);
            expect(&m, DLRT_ERR_FORMAT, needle);
        }
    }
}

TEST(quantize_and_dequantize_take_the_right_sides) {
    tb_model m;
    uint32_t q = start(&m);
    uint32_t y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
    tb_node(&m, 19, 1, &q, y, 0, NULL);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (quantize): input 'x.q' is i8; quantize takes f32");

    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, dims4);
    y = tb_tensor(&m, "y", 4, dims4);
    tb_node(&m, 19, 1, &x, y, 0, NULL);
    tb_output(&m, y);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 0 (quantize): output 'y' must be i8 quantized per tensor");

    tb_init(&m);
    x = tb_input(&m, "x", 4, dims4);
    float scales[2] = {0.1f, 0.2f};
    tb_tensor_spec per_channel = {"x.q", 2, 2, 4, dims4, 1, scales, NULL, NULL};
    y = tb_tensor_any(&m, &per_channel);
    tb_node(&m, 19, 1, &x, y, 0, NULL);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 0 (quantize): output 'x.q' must be i8 quantized per tensor");

    tb_init(&m);
    x = tb_input(&m, "x", 4, dims4);
    y = tb_tensor(&m, "y", 4, dims4);
    tb_node(&m, 20, 1, &x, y, 0, NULL);
    tb_output(&m, y);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 0 (dequantize): input 'x' is f32; dequantize takes i8");

    q = start(&m);
    y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
    tb_node(&m, 20, 1, &q, y, 0, NULL);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_UNSUPPORTED, "node 1 (dequantize): output 'y' must be plain f32");

    /* quantize takes no attributes. */
    tb_init(&m);
    x = tb_input(&m, "x", 4, dims4);
    y = tb_tensor_q8(&m, "y", 4, dims4, X_SCALE, 0);
    tb_attr axis[] = {{13, 1, 1, {1}, {0}}};
    tb_node(&m, 19, 1, &x, y, 1, axis);
    finish(&m, y, 4, dims4);
    expect(&m, DLRT_ERR_FORMAT, "node 0 (quantize): attribute key 13 (axis) is not accepted");
}

int main(void) {
    RUN(a_valid_int8_conv_loads);
    RUN(graph_inputs_and_outputs_must_be_f32);
    RUN(ops_without_int8_kernels_are_refused_by_name);
    RUN(int8_pad_constant_must_fit_the_output_range);
    RUN(mixed_dtypes_in_one_node_are_refused);
    RUN(int8_weights_and_biases_follow_the_scheme);
    RUN(int8_conv_transpose2d_takes_groups_1_dilation_1_and_weights_per_output_channel);
    RUN(fused_activations_other_than_relu_and_relu6_are_refused);
    RUN(multipliers_out_of_range_are_refused);
    RUN(pool_windows_beyond_the_int32_sum_are_refused);
    RUN(ops_that_keep_the_quantization_must_keep_it);
    RUN(quantize_and_dequantize_take_the_right_sides);
    return test_summary("int8_refusals");
}

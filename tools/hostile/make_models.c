/*
 * Writes the hostile model corpus, Tests/Fixtures/hostile/models/: one .dlrt
 * per way a file can be wrong, and MANIFEST, one line per file:
 *   name <TAB> phase <TAB> status <TAB> text the error message must contain
 * phase "load": dlrt_model_load_file must refuse it; "selftest": it loads and
 * dlrt_model_selftest must refuse it. The expected statuses come from
 * docs/FORMAT.md (which status each kind of damage earns), not from running
 * the loader. Two valid controls (status DLRT_OK) prove the reader of the
 * corpus is not refusing everything.
 *   make hostile-models           regenerates the committed corpus
 *   make test-hostile-corpus      also checks this writer reproduces it byte for byte
 * Usage: make_models DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_writer.h"
#include "model_builder.h"


static void put_le(uint8_t *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static bytes small(void) {
    bytes b;
    b.data = tb_small_model(&b.size);
    return b;
}

static bytes small_int8(void) {
    bytes b;
    b.data = tb_small_int8_model(&b.size);
    return b;
}

static bytes built(tb_model *m) {
    bytes b;
    b.data = tb_build(m, &b.size);
    tb_free(m);
    return b;
}

/* Overwrites n bytes at `offset` inside section `kind`; `fix` recomputes every CRC afterwards. */
static bytes patched(bytes b, uint32_t kind, uint64_t offset, uint64_t value, int n, int fix) {
    uint64_t at, len;
    if (!tb_section(b.data, kind, &at, &len)) abort();
    put_le(b.data + at + offset, value, n);
    if (fix) tb_fix_crcs(b.data, b.size);
    return b;
}

/* Overwrites n header or section-table bytes at an absolute offset, then repairs the CRCs. */
static bytes header_patched(bytes b, size_t offset, uint64_t value, int n) {
    put_le(b.data + offset, value, n);
    tb_fix_crcs(b.data, b.size);
    return b;
}

/* ---- structure ------------------------------------------------------------------------- */

static bytes empty(void) { return (bytes){calloc(1, 1), 0}; }
static bytes truncated_header(void) { bytes b = small(); b.size = 40; return b; }
static bytes truncated_body(void) { bytes b = small(); b.size /= 2; return b; }
static bytes truncated_last_byte(void) { bytes b = small(); b.size -= 1; return b; }
static bytes bad_magic(void) { bytes b = small(); memcpy(b.data, "GIF89a\0\0", 8); return b; }
static bytes text_mangled_magic(void) { return header_patched(small(), 5, 0x0A, 1); } /* \r\n became \n\n */
static bytes major_version_2(void) { return header_patched(small(), 8, 2, 2); }
static bytes big_endian_tag(void) { return header_patched(small(), 12, 0x04030201u, 4); }
static bytes file_size_lies(void) {
    bytes b = small();
    return header_patched(b, 16, b.size + 64, 8);
}
static bytes section_count_zero(void) { return header_patched(small(), 32, 0, 4); }
static bytes section_count_200(void) { return header_patched(small(), 32, 200, 4); }
static bytes reserved_header_byte(void) { return header_patched(small(), 50, 1, 1); }
static bytes header_crc_wrong(void) { bytes b = small(); b.data[36] ^= 0x01; return b; }
/* Section table entry 0 is META: its offset (entry byte 8) past the end, or onto TENSORS. */
static bytes section_past_end(void) {
    bytes b = small();
    return header_patched(b, 64 + 8, (uint64_t)b.size * 2, 8);
}
static bytes section_size_wraps(void) { return header_patched(small(), 64 + 16, UINT64_MAX - 8, 8); }
static bytes sections_overlap(void) {
    bytes b = small();
    uint64_t at, len;
    tb_section(b.data, 2, &at, &len);
    return header_patched(b, 64 + 8, at, 8);
}
static bytes unknown_required_section(void) { return header_patched(small(), 64, 9, 4); }
static bytes section_twice(void) { return header_patched(small(), 64 + 32, 1, 4); } /* TENSORS relabelled META */
static bytes meta_crc_wrong(void) { return patched(small(), 1, 4, 0x58, 1, 0); }
static bytes graph_crc_wrong(void) { return patched(small(), 3, 0, 2, 4, 0); }
static bytes data_crc_wrong(void) { return patched(small(), 4, 3, 0x40, 1, 0); }

/* ---- counts and sizes ------------------------------------------------------------------ */

static bytes meta_count_huge(void) { return patched(small(), 1, 0, 0xFFFFFFFFu, 4, 1); }
/* META entry 0: u32 key length 10 "model.name", u32 type 3, u32 value length. */
static bytes meta_string_length_huge(void) { return patched(small(), 1, 4 + 4 + 10 + 4, 0x7FFFFFFFu, 4, 1); }
static bytes meta_unknown_type(void) { return patched(small(), 1, 4 + 4 + 10, 9, 4, 1); }
static bytes tensor_count_huge(void) { return patched(small(), 2, 0, 0xFFFFFFFFu, 4, 1); }
static bytes input_count_huge(void) { return patched(small(), 3, 0, 0xFFFFFFFFu, 4, 1); }
/* GRAPH: 1 input id, 1 output id, then the node count at 16. */
static bytes node_count_huge(void) { return patched(small(), 3, 16, 0x7FFFFFFFu, 4, 1); }
/* First node at 20: u16 op, u16 version, u32 inputs, u32 outputs, u32 attributes. */
static bytes node_inputs_huge(void) { return patched(small(), 3, 20 + 4, 0xFFFFFFF0u, 4, 1); }
static bytes attr_count_huge(void) { return patched(small(), 3, 20 + 12, 1000000, 4, 1); }
static bytes trailing_section_bytes(void) {
    /* GRAPH one byte longer than its parse: the byte after it is zero padding before DATA. */
    bytes b = small();
    uint64_t at, len;
    tb_section(b.data, 3, &at, &len);
    return header_patched(b, 64 + 32 * 2 + 16, len + 1, 8); /* GRAPH is section table entry 2 */
}
static bytes nonzero_padding(void) {
    /* The last byte before DATA (64-aligned) is padding after GRAPH. */
    bytes b = small();
    uint64_t at, len;
    tb_section(b.data, 4, &at, &len);
    b.data[at - 1] = 0xAA;
    tb_fix_crcs(b.data, b.size);
    return b;
}

/* ---- tensors ---------------------------------------------------------------------------- */

/* A relu from x [1, 4] to y: the smallest graph the tensor cases hang off. */
static uint32_t relu_graph(tb_model *m, uint32_t x) {
    uint32_t y = tb_tensor(m, "y", 2, (uint32_t[]){1, 4});
    tb_node(m, 7, 1, (uint32_t[]){x}, y, 0, NULL);
    tb_output(m, y);
    return y;
}

static bytes dims_huge(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, 2});
    uint32_t y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 1, 1});
    tb_node(&m, 7, 1, (uint32_t[]){x}, y, 0, NULL);
    tb_output(&m, y);
    return built(&m);
}
static bytes dim_zero(void) {
    tb_model m;
    tb_init(&m);
    relu_graph(&m, tb_input(&m, "x", 2, (uint32_t[]){1, 0}));
    return built(&m);
}
static bytes rank_9(void) {
    tb_model m;
    tb_init(&m);
    relu_graph(&m, tb_input(&m, "x", 9, (uint32_t[]){1, 1, 1, 1, 1, 1, 1, 1, 4}));
    return built(&m);
}
static bytes unknown_dtype(void) {
    tb_model m;
    tb_init(&m);
    tb_tensor_spec spec = {"x", 9, 0, 2, (uint32_t[]){1, 4}, 0, NULL, NULL, NULL};
    uint32_t x = tb_tensor_any(&m, &spec);
    m.inputs[m.input_count++] = x;
    relu_graph(&m, x);
    return built(&m);
}
/* Graph inputs are f32 (int8 models quantize inside the graph): an i32 one is a dtype the reader does not take. */
static bytes input_wrong_dtype(void) {
    tb_model m;
    tb_init(&m);
    tb_tensor_spec spec = {"x", 4, 0, 2, (uint32_t[]){1, 4}, 0, NULL, NULL, NULL};
    uint32_t x = tb_tensor_any(&m, &spec);
    m.inputs[m.input_count++] = x;
    relu_graph(&m, x);
    return built(&m);
}
static bytes constant_outside_data(void) {
    /* Dense x [1,16] -> [1,2]; its bias 'b' is the last tensor record, its data offset 16 bytes from the end. */
    float v[32] = {0};
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 16});
    uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 2});
    uint32_t w = tb_constant(&m, "w", 2, (uint32_t[]){2, 16}, v);
    uint32_t b = tb_constant(&m, "b", 1, (uint32_t[]){2}, v);
    tb_node(&m, 3, 3, (uint32_t[]){x, w, b}, y, 0, NULL);
    tb_output(&m, y);
    bytes f = built(&m);
    uint64_t at, len;
    tb_section(f.data, 2, &at, &len);
    return patched(f, 2, len - 16, 1u << 20, 8, 1);
}
static bytes scale_negative(void) {
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t q = tb_tensor_q8(&m, "x.q", 2, (uint32_t[]){1, 4}, -0.5f, 0);
    uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 4});
    tb_node(&m, 19, 1, (uint32_t[]){x}, q, 0, NULL);
    tb_node(&m, 20, 1, (uint32_t[]){q}, y, 0, NULL);
    tb_output(&m, y);
    return built(&m);
}
static bytes zero_point_out_of_range(void) {
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t q = tb_tensor_q8(&m, "x.q", 2, (uint32_t[]){1, 4}, 0.5f, 300);
    uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 4});
    tb_node(&m, 19, 1, (uint32_t[]){x}, q, 0, NULL);
    tb_node(&m, 20, 1, (uint32_t[]){q}, y, 0, NULL);
    tb_output(&m, y);
    return built(&m);
}
static bytes quant_axis_out_of_range(void) {
    /* The int8 model's first per-channel weight 'conv.w' (rank 4) claims axis 7. */
    bytes b = small_int8();
    uint64_t at, len;
    tb_section(b.data, 2, &at, &len);
    static const char name[] = "conv.w";
    for (uint64_t i = 0; i + 4 + 6 <= len; i++) {
        if (b.data[at + i] == 6 && memcmp(b.data + at + i + 4, name, 6) == 0) {
            /* u32 length, name, dtype rank quant flags, dims[4], then the axis. */
            put_le(b.data + at + i + 4 + 6 + 4 + 16, 7, 4);
            tb_fix_crcs(b.data, b.size);
            return b;
        }
    }
    abort();
}
static bytes duplicate_tensor_name(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "x", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}

/* ---- graph ------------------------------------------------------------------------------ */

static bytes cycle_in_file_order(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    uint32_t b = tb_tensor(&m, "b", 2, (uint32_t[]){1, 4});
    tb_node(&m, 14, 2, (uint32_t[]){x, b}, a, 0, NULL);
    tb_node(&m, 7, 1, (uint32_t[]){a}, b, 0, NULL);
    tb_output(&m, b);
    return built(&m);
}
static bytes reads_own_output(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 14, 2, (uint32_t[]){x, a}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}
static bytes tensor_ref_out_of_range(void) {
    tb_model m;
    tb_init(&m);
    tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){99}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}
static bytes absent_marker_on_required_input(void) {
    tb_model m;
    tb_init(&m);
    tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){0xFFFFFFFFu}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}
static bytes output_written_twice(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_node(&m, 9, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}
static bytes graph_input_produced(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, x, 0, NULL);
    tb_output(&m, x);
    return built(&m);
}
static bytes output_never_produced(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    uint32_t b = tb_tensor(&m, "b", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, b);
    return built(&m);
}
static bytes unknown_op_code(void) { return patched(small(), 3, 20, 200, 2, 1); }
static bytes op_code_zero(void) { return patched(small(), 3, 20, 0, 2, 1); }
static bytes op_version_2(void) { return patched(small(), 3, 22, 2, 2, 1); }
/* An rnn node whose input X is [1, 4] instead of [N, T, I]. */
static bytes recurrent_input_rank_2(void) {
    float w[4] = {0.5f, -0.5f, 0.25f, 0.125f};
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t y = tb_recurrent(&m, 22, x, 1, 2, 2, 1, w, w, NULL, NULL, "rnn");
    tb_output(&m, y);
    return built(&m);
}

/* ---- attributes and shapes ------------------------------------------------------------- */

static bytes attrs_model(uint16_t op, uint32_t input_count, tb_attr attr, const uint32_t *out_dims, uint32_t out_rank) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 4, 4});
    uint32_t y = tb_tensor(&m, "y", out_rank, out_dims);
    tb_node(&m, op, input_count, (uint32_t[]){x, x}, y, 1, &attr);
    tb_output(&m, y);
    return built(&m);
}
static bytes attr_not_accepted(void) {
    return attrs_model(7, 1, (tb_attr){10, 1, 2, {2, 2}, {0}}, (uint32_t[]){1, 1, 4, 4}, 4);
}
static bytes activation_out_of_range(void) {
    return attrs_model(14, 2, (tb_attr){5, 1, 1, {9}, {0}}, (uint32_t[]){1, 1, 4, 4}, 4);
}
static bytes pool_stride_zero(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 4, 4});
    uint32_t y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 2, 2});
    tb_attr attrs[] = {{10, 1, 2, {2, 2}, {0}}, {1, 1, 2, {0, 0}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){x}, y, 2, attrs);
    tb_output(&m, y);
    return built(&m);
}
static bytes pool_pads_negative(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 4, 4});
    uint32_t y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 2, 2});
    tb_attr attrs[] = {{10, 1, 2, {2, 2}, {0}}, {2, 1, 4, {-1, -1, -1, -1}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){x}, y, 2, attrs);
    tb_output(&m, y);
    return built(&m);
}
static bytes attr_count_over_64(void) {
    tb_attr a = {1, 1, 1, {1}, {0}};
    bytes b = attrs_model(4, 1, a, (uint32_t[]){1, 1, 4, 4}, 4);
    /* The one attribute's count field: graph header 20 bytes, node header 16, 1 input, 1 output, u16 key, u16 type. */
    return patched(b, 3, 20 + 16 + 8 + 4, 65, 4, 1);
}
static bytes conv_output_enormous(void) {
    float w = 1.0f;
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 1, 1});
    uint32_t cw = tb_constant(&m, "w", 4, (uint32_t[]){1, 1, 1, 1}, &w);
    uint32_t y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 1, 1});
    tb_attr pads[] = {{2, 1, 4, {1000000, 1000000, 1000000, 1000000}, {0}}};
    tb_node(&m, 1, 2, (uint32_t[]){x, cw}, y, 1, pads);
    tb_output(&m, y);
    return built(&m);
}
static bytes stored_shape_disagrees(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 5});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}
static bytes weight_not_constant(void) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t x2 = tb_input(&m, "x2", 2, (uint32_t[]){3, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 3});
    tb_node(&m, 3, 2, (uint32_t[]){x, x2}, a, 0, NULL);
    tb_output(&m, a);
    return built(&m);
}

/* ---- self-test -------------------------------------------------------------------------- */

/* relu of x [1, 4] whose recorded output is not relu(x): loads, and its self-test fails. */
static bytes relu_with_selftest(float last_output) {
    const float in[4] = {-1.0f, 0.5f, 2.0f, -3.0f};
    const float out[4] = {0.0f, 0.5f, 2.0f, last_output};
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t y = relu_graph(&m, x);
    tb_selftest(&m, 0.0f, 1e-6f, x, in, 4, y, out, 4);
    return built(&m);
}
static bytes selftest_wrong_output(void) { return relu_with_selftest(1.0f); }
static bytes selftest_control(void) { return relu_with_selftest(0.0f); }

typedef struct hostile_case {
    const char *name, *phase, *status, *needle;
    bytes (*make)(void);
} hostile_case;

static const hostile_case cases[] = {
    {"control_small", "load", "DLRT_OK", "", small},
    {"control_selftest", "selftest", "DLRT_OK", "", selftest_control},
    {"empty", "load", "DLRT_ERR_FORMAT", "shorter than the 64-byte header", empty},
    {"truncated_header", "load", "DLRT_ERR_FORMAT", "shorter than the 64-byte header", truncated_header},
    {"truncated_body", "load", "DLRT_ERR_FORMAT", "truncated or padded", truncated_body},
    {"truncated_last_byte", "load", "DLRT_ERR_FORMAT", "truncated or padded", truncated_last_byte},
    {"bad_magic", "load", "DLRT_ERR_FORMAT", "bad magic", bad_magic},
    {"text_mangled_magic", "load", "DLRT_ERR_FORMAT", "bad magic", text_mangled_magic},
    {"major_version_2", "load", "DLRT_ERR_UNSUPPORTED", "format version 2", major_version_2},
    {"big_endian_tag", "load", "DLRT_ERR_FORMAT", "endianness", big_endian_tag},
    {"file_size_lies", "load", "DLRT_ERR_FORMAT", "truncated or padded", file_size_lies},
    {"section_count_zero", "load", "DLRT_ERR_FORMAT", "section count 0 outside", section_count_zero},
    {"section_count_200", "load", "DLRT_ERR_FORMAT", "section count 200", section_count_200},
    {"reserved_header_byte", "load", "DLRT_ERR_FORMAT", "reserved byte", reserved_header_byte},
    {"header_crc_wrong", "load", "DLRT_ERR_CHECKSUM", "header: CRC-32", header_crc_wrong},
    {"section_past_end", "load", "DLRT_ERR_FORMAT", "outside the file", section_past_end},
    {"section_size_wraps", "load", "DLRT_ERR_FORMAT", "outside the file", section_size_wraps},
    {"sections_overlap", "load", "DLRT_ERR_FORMAT", "overlaps section META", sections_overlap},
    {"unknown_required_section", "load", "DLRT_ERR_UNSUPPORTED", "kind 9", unknown_required_section},
    {"section_twice", "load", "DLRT_ERR_FORMAT", "twice", section_twice},
    {"meta_crc_wrong", "load", "DLRT_ERR_CHECKSUM", "section META", meta_crc_wrong},
    {"graph_crc_wrong", "load", "DLRT_ERR_CHECKSUM", "section GRAPH", graph_crc_wrong},
    {"data_crc_wrong", "load", "DLRT_ERR_CHECKSUM", "section DATA", data_crc_wrong},
    {"meta_count_huge", "load", "DLRT_ERR_FORMAT", "META: entry count 4294967295", meta_count_huge},
    {"meta_string_length_huge", "load", "DLRT_ERR_FORMAT", "'model.name': value truncated", meta_string_length_huge},
    {"meta_unknown_type", "load", "DLRT_ERR_FORMAT", "unknown value type 9", meta_unknown_type},
    {"tensor_count_huge", "load", "DLRT_ERR_FORMAT", "tensor count", tensor_count_huge},
    {"input_count_huge", "load", "DLRT_ERR_FORMAT", "input count", input_count_huge},
    {"node_count_huge", "load", "DLRT_ERR_FORMAT", "node count", node_count_huge},
    {"node_inputs_huge", "load", "DLRT_ERR_FORMAT", "4294967280 inputs", node_inputs_huge},
    {"attr_count_huge", "load", "DLRT_ERR_FORMAT", "1000000 attributes", attr_count_huge},
    {"attr_count_over_64", "load", "DLRT_ERR_FORMAT", "65 values", attr_count_over_64},
    {"trailing_section_bytes", "load", "DLRT_ERR_FORMAT", "GRAPH: 1 trailing bytes", trailing_section_bytes},
    {"nonzero_padding", "load", "DLRT_ERR_FORMAT", "padding byte", nonzero_padding},
    {"dims_huge", "load", "DLRT_ERR_FORMAT", "2^34 bytes", dims_huge},
    {"dim_zero", "load", "DLRT_ERR_FORMAT", "outside 1..2^31-1", dim_zero},
    {"rank_9", "load", "DLRT_ERR_FORMAT", "rank 9", rank_9},
    {"unknown_dtype", "load", "DLRT_ERR_FORMAT", "unknown dtype 9", unknown_dtype},
    {"input_wrong_dtype", "load", "DLRT_ERR_UNSUPPORTED", "must be an f32 tensor", input_wrong_dtype},
    {"constant_outside_data", "load", "DLRT_ERR_FORMAT", "outside DATA", constant_outside_data},
    {"scale_negative", "load", "DLRT_ERR_FORMAT", "is not finite and positive", scale_negative},
    {"zero_point_out_of_range", "load", "DLRT_ERR_FORMAT", "zero point 300", zero_point_out_of_range},
    {"quant_axis_out_of_range", "load", "DLRT_ERR_FORMAT", "axis 7", quant_axis_out_of_range},
    {"duplicate_tensor_name", "load", "DLRT_ERR_FORMAT", "name 'x' appears twice", duplicate_tensor_name},
    {"cycle_in_file_order", "load", "DLRT_ERR_FORMAT", "not produced by an earlier node", cycle_in_file_order},
    {"reads_own_output", "load", "DLRT_ERR_FORMAT", "cycle", reads_own_output},
    {"tensor_ref_out_of_range", "load", "DLRT_ERR_FORMAT", "tensor 99", tensor_ref_out_of_range},
    {"absent_marker_on_required_input", "load", "DLRT_ERR_FORMAT", "input 0 is required", absent_marker_on_required_input},
    {"output_written_twice", "load", "DLRT_ERR_FORMAT", "already", output_written_twice},
    {"graph_input_produced", "load", "DLRT_ERR_FORMAT", "output 'x' is already", graph_input_produced},
    {"output_never_produced", "load", "DLRT_ERR_FORMAT", "not produced by any node", output_never_produced},
    {"unknown_op_code", "load", "DLRT_ERR_UNSUPPORTED", "unknown op code 200", unknown_op_code},
    {"op_code_zero", "load", "DLRT_ERR_UNSUPPORTED", "unknown op code 0", op_code_zero},
    {"op_version_2", "load", "DLRT_ERR_UNSUPPORTED", "op version 2", op_version_2},
    {"recurrent_input_rank_2", "load", "DLRT_ERR_SHAPE", "(rnn): input X must be rank 3", recurrent_input_rank_2},
    {"attr_not_accepted", "load", "DLRT_ERR_FORMAT", "attribute key 10 (kernel) is not accepted", attr_not_accepted},
    {"activation_out_of_range", "load", "DLRT_ERR_FORMAT", "activation must be 0..5", activation_out_of_range},
    {"pool_stride_zero", "load", "DLRT_ERR_FORMAT", "strides must be in 1..", pool_stride_zero},
    {"pool_pads_negative", "load", "DLRT_ERR_FORMAT", "pads must be in 0..", pool_pads_negative},
    {"conv_output_enormous", "load", "DLRT_ERR_SHAPE", "larger than 2^34", conv_output_enormous},
    {"stored_shape_disagrees", "load", "DLRT_ERR_SHAPE", "stored shape [1,5] but the graph gives [1,4]", stored_shape_disagrees},
    {"weight_not_constant", "load", "DLRT_ERR_FORMAT", "must be a constant", weight_not_constant},
    {"selftest_wrong_output", "selftest", "DLRT_ERR_SELFTEST", "", selftest_wrong_output},
};

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    FILE *manifest = corpus_open_manifest(
        argv[1], "Written by tools/hostile/make_models.c: file, phase, expected status, text the message must contain");
    if (manifest == NULL) return 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char file[256], line[1024];
        snprintf(file, sizeof file, "%s.dlrt", cases[i].name);
        snprintf(line, sizeof line, "%s\t%s\t%s\t%s\n", file, cases[i].phase, cases[i].status, cases[i].needle);
        if (corpus_write(argv[1], file, cases[i].make(), manifest, line) != 0) return 1;
    }
    return fclose(manifest) == 0 ? 0 : 1;
}

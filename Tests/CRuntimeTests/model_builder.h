/*
 * A test-only .dlrt encoder, written from docs/FORMAT.md independently of the
 * Swift writer. It builds valid models and, through its raw hooks, hostile
 * ones: the hostile-file tests need wrong counts and offsets behind correct
 * checksums, which a real writer never produces.
 */
#ifndef DLRT_MODEL_BUILDER_H
#define DLRT_MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tb_bytes {
    uint8_t *data;
    size_t size, capacity;
} tb_bytes;

void tb_put(tb_bytes *b, const void *data, size_t n);
void tb_u8(tb_bytes *b, uint8_t v);
void tb_u16(tb_bytes *b, uint16_t v);
void tb_u32(tb_bytes *b, uint32_t v);
void tb_u64(tb_bytes *b, uint64_t v);
void tb_i64(tb_bytes *b, int64_t v);
void tb_f32(tb_bytes *b, float v);
void tb_str(tb_bytes *b, const char *s);

#define TB_MAX 256

typedef struct tb_model {
    /* META: entries already encoded, with their count. */
    tb_bytes meta;
    uint32_t meta_count;
    /* TENSORS */
    tb_bytes tensors;
    uint32_t tensor_count;
    tb_bytes data;
    /* GRAPH */
    uint32_t inputs[TB_MAX], input_count, outputs[TB_MAX], output_count;
    tb_bytes nodes;
    uint32_t node_count;
    /* SELFTEST: encoded without its header when present */
    tb_bytes selftest;
    int has_selftest;
    /* The header's minor version (0 unless set: int8 files are 1.1). */
    uint16_t minor;
} tb_model;

void tb_init(tb_model *m);
void tb_free(tb_model *m);
void tb_meta_string(tb_model *m, const char *key, const char *value);
void tb_meta_i64(tb_model *m, const char *key, int64_t value);
/** A non-constant f32 tensor; returns its id. */
uint32_t tb_tensor(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims);
/** A constant f32 tensor with data (element count from dims). */
uint32_t tb_constant(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, const float *values);
uint32_t tb_input(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims);

/** Any tensor: dtype (1 f32, 2 i8, 3 u8, 4 i32), quantization (0 none, 1 per tensor, 2 per channel on `axis`),
 *  and data (NULL: not a constant; else element count * dtype size bytes, little-endian). */
typedef struct tb_tensor_spec {
    const char *name;
    uint8_t dtype, quantization;
    uint32_t rank;
    const uint32_t *dims;
    int32_t axis;
    const float *scales;       /* quantization 1: one; 2: dims[axis] */
    const int32_t *zero_points; /* NULL: all 0 */
    const void *data;
} tb_tensor_spec;
uint32_t tb_tensor_any(tb_model *m, const tb_tensor_spec *spec);
/** A non-constant i8 activation quantized per tensor. */
uint32_t tb_tensor_q8(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, float scale, int32_t zero);
/** Constant i8 weights, per channel on axis 0 with zero points 0 (scales: dims[0]). */
uint32_t tb_constant_q8(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, const int8_t *values,
                        const float *scales);
/** A constant i32 bias [count], per channel on axis 0 with zero points 0. */
uint32_t tb_constant_i32(tb_model *m, const char *name, uint32_t count, const int32_t *values, const float *scales);
void tb_output(tb_model *m, uint32_t id);

/** One attribute: i64 values (type 1) or f32 values (type 2). */
typedef struct tb_attr {
    uint16_t key, type;
    uint32_t count;
    int64_t i[8];
    float f[8];
} tb_attr;
void tb_node(tb_model *m, uint16_t op, uint32_t input_count, const uint32_t *inputs, uint32_t output,
             uint32_t attr_count, const tb_attr *attrs);
/**
 * A recurrent node (op 22 rnn, 23 lstm, 24 gru: gates G 1, 4, 3; format 1.2,
 * so set m->minor = 2) reading x [n, t, i]: constants "<name>.w_ih" [G*h, i],
 * "<name>.w_hh" [G*h, h], "<name>.b_ih" / "<name>.b_hh" [G*h] unless NULL
 * (absent optional inputs). Returns its output, "<name>" [n, t, h].
 */
uint32_t tb_recurrent(tb_model *m, uint16_t op, uint32_t x, uint32_t n, uint32_t t, uint32_t i, uint32_t h, const float *w_ih,
                      const float *w_hh, const float *b_ih, const float *b_hh, const char *name);
/** Adds a SELFTEST section with one input and one output vector. */
void tb_selftest(tb_model *m, float rtol, float atol, uint32_t input, const float *in, uint64_t in_count,
                 uint32_t output, const float *out, uint64_t out_count);

/** Serialises to a 64-byte-aligned buffer (free with free()). */
uint8_t *tb_build(const tb_model *m, size_t *size);
/** Recomputes every section CRC and the header CRC after a test edits bytes. */
void tb_fix_crcs(uint8_t *file, size_t size);
/** Finds section `kind` in a built file: its offset and size. Returns 0 when absent. */
int tb_section(const uint8_t *file, uint32_t kind, uint64_t *offset, uint64_t *size);

/** A small valid model used by many tests: conv3x3+relu, maxpool, flatten, dense, softmax. */
/* tb_small_model with tensors `extra` (ids in its tensor table) as further graph outputs. */
uint8_t *tb_small_model_with_outputs(const uint32_t *extra, uint32_t extra_count, size_t *size);
uint8_t *tb_small_model(size_t *size);
/** Its int8 counterpart (format 1.1): quantize, conv3x3+relu, maxpool, flatten, dense, dequantize. */
uint8_t *tb_small_int8_model(size_t *size);

#endif

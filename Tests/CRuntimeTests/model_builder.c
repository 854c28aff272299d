#include "model_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/crc32.h"

void tb_put(tb_bytes *b, const void *data, size_t n) {
    if (b->size + n > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 256;
        while (cap < b->size + n) cap *= 2;
        b->data = realloc(b->data, cap);
        if (b->data == NULL) abort();
        b->capacity = cap;
    }
    if (n) memcpy(b->data + b->size, data, n);
    b->size += n;
}

void tb_u8(tb_bytes *b, uint8_t v) { tb_put(b, &v, 1); }
void tb_u16(tb_bytes *b, uint16_t v) { uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; tb_put(b, p, 2); }
void tb_u32(tb_bytes *b, uint32_t v) { tb_u16(b, (uint16_t)v); tb_u16(b, (uint16_t)(v >> 16)); }
void tb_u64(tb_bytes *b, uint64_t v) { tb_u32(b, (uint32_t)v); tb_u32(b, (uint32_t)(v >> 32)); }
void tb_i64(tb_bytes *b, int64_t v) { uint64_t u; memcpy(&u, &v, 8); tb_u64(b, u); }
void tb_f32(tb_bytes *b, float v) { uint32_t u; memcpy(&u, &v, 4); tb_u32(b, u); }
void tb_str(tb_bytes *b, const char *s) { uint32_t n = (uint32_t)strlen(s); tb_u32(b, n); tb_put(b, s, n); }

void tb_init(tb_model *m) { memset(m, 0, sizeof *m); }

void tb_free(tb_model *m) {
    free(m->meta.data);
    free(m->tensors.data);
    free(m->data.data);
    free(m->nodes.data);
    free(m->selftest.data);
}

void tb_meta_string(tb_model *m, const char *key, const char *value) {
    tb_str(&m->meta, key);
    tb_u32(&m->meta, 3);
    tb_str(&m->meta, value);
    m->meta_count++;
}

void tb_meta_i64(tb_model *m, const char *key, int64_t value) {
    tb_str(&m->meta, key);
    tb_u32(&m->meta, 1);
    tb_i64(&m->meta, value);
    m->meta_count++;
}

static size_t dtype_bytes(uint8_t dtype) { return dtype == 1 || dtype == 4 ? 4 : 1; }

uint32_t tb_tensor_any(tb_model *m, const tb_tensor_spec *t) {
    tb_str(&m->tensors, t->name);
    tb_u8(&m->tensors, t->dtype);
    tb_u8(&m->tensors, (uint8_t)t->rank);
    tb_u8(&m->tensors, t->quantization);
    tb_u8(&m->tensors, t->data ? 1 : 0);
    uint64_t elements = 1;
    for (uint32_t d = 0; d < t->rank; d++) {
        tb_u32(&m->tensors, t->dims[d]);
        elements *= t->dims[d];
    }
    if (t->quantization != 0) {
        uint32_t count = t->quantization == 1 ? 1 : t->dims[t->axis];
        tb_u32(&m->tensors, (uint32_t)(t->quantization == 1 ? -1 : t->axis));
        tb_u32(&m->tensors, count);
        for (uint32_t q = 0; q < count; q++) tb_f32(&m->tensors, t->scales[q]);
        for (uint32_t q = 0; q < count; q++) tb_u32(&m->tensors, (uint32_t)(t->zero_points ? t->zero_points[q] : 0));
    }
    if (t->data) {
        const size_t size = dtype_bytes(t->dtype);
        while (m->data.size % 64) tb_u8(&m->data, 0);
        tb_u64(&m->tensors, m->data.size);
        tb_u64(&m->tensors, elements * size);
        const uint8_t *bytes = t->data;
        for (uint64_t i = 0; i < elements; i++) {
            if (size == 1) tb_u8(&m->data, bytes[i]);
            else {
                uint32_t v;
                memcpy(&v, bytes + 4 * i, 4);
                tb_u32(&m->data, v);
            }
        }
    }
    return m->tensor_count++;
}

uint32_t tb_tensor_q8(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, float scale, int32_t zero) {
    tb_tensor_spec t = {name, 2, 1, rank, dims, -1, &scale, &zero, NULL};
    return tb_tensor_any(m, &t);
}

uint32_t tb_constant_q8(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, const int8_t *values,
                        const float *scales) {
    tb_tensor_spec t = {name, 2, 2, rank, dims, 0, scales, NULL, values};
    return tb_tensor_any(m, &t);
}

uint32_t tb_constant_i32(tb_model *m, const char *name, uint32_t count, const int32_t *values, const float *scales) {
    tb_tensor_spec t = {name, 4, 2, 1, &count, 0, scales, NULL, values};
    return tb_tensor_any(m, &t);
}

static uint32_t add_tensor(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, const float *values) {
    tb_str(&m->tensors, name);
    tb_u8(&m->tensors, 1);
    tb_u8(&m->tensors, (uint8_t)rank);
    tb_u8(&m->tensors, 0);
    tb_u8(&m->tensors, values ? 1 : 0);
    uint64_t elements = 1;
    for (uint32_t d = 0; d < rank; d++) {
        tb_u32(&m->tensors, dims[d]);
        elements *= dims[d];
    }
    if (values) {
        while (m->data.size % 64) tb_u8(&m->data, 0);
        tb_u64(&m->tensors, m->data.size);
        tb_u64(&m->tensors, elements * 4);
        for (uint64_t i = 0; i < elements; i++) tb_f32(&m->data, values[i]);
    }
    return m->tensor_count++;
}

uint32_t tb_tensor(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims) { return add_tensor(m, name, rank, dims, NULL); }
uint32_t tb_constant(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims, const float *values) {
    return add_tensor(m, name, rank, dims, values);
}

uint32_t tb_input(tb_model *m, const char *name, uint32_t rank, const uint32_t *dims) {
    uint32_t id = tb_tensor(m, name, rank, dims);
    m->inputs[m->input_count++] = id;
    return id;
}

void tb_output(tb_model *m, uint32_t id) { m->outputs[m->output_count++] = id; }

void tb_node(tb_model *m, uint16_t op, uint32_t input_count, const uint32_t *inputs, uint32_t output, uint32_t attr_count,
             const tb_attr *attrs) {
    tb_u16(&m->nodes, op);
    tb_u16(&m->nodes, 1);
    tb_u32(&m->nodes, input_count);
    tb_u32(&m->nodes, 1);
    tb_u32(&m->nodes, attr_count);
    for (uint32_t i = 0; i < input_count; i++) tb_u32(&m->nodes, inputs[i]);
    tb_u32(&m->nodes, output);
    for (uint32_t a = 0; a < attr_count; a++) {
        tb_u16(&m->nodes, attrs[a].key);
        tb_u16(&m->nodes, attrs[a].type);
        tb_u32(&m->nodes, attrs[a].count);
        for (uint32_t v = 0; v < attrs[a].count; v++) {
            if (attrs[a].type == 1) tb_i64(&m->nodes, attrs[a].i[v]);
            else tb_f32(&m->nodes, attrs[a].f[v]);
        }
    }
    m->node_count++;
}

uint32_t tb_recurrent(tb_model *m, uint16_t op, uint32_t x, uint32_t n, uint32_t t, uint32_t i, uint32_t h, const float *w_ih,
                      const float *w_hh, const float *b_ih, const float *b_hh, const char *name) {
    char buf[300];
    uint32_t g = (op == 23 ? 4u : op == 24 ? 3u : 1u) * h;
    uint32_t dih[2] = {g, i}, dhh[2] = {g, h}, db[1] = {g}, dy[3] = {n, t, h};
    uint32_t in[5] = {x, 0, 0, 0xFFFFFFFFu, 0xFFFFFFFFu};
    snprintf(buf, sizeof buf, "%s.w_ih", name);
    in[1] = tb_constant(m, buf, 2, dih, w_ih);
    snprintf(buf, sizeof buf, "%s.w_hh", name);
    in[2] = tb_constant(m, buf, 2, dhh, w_hh);
    snprintf(buf, sizeof buf, "%s.b_ih", name);
    if (b_ih) in[3] = tb_constant(m, buf, 1, db, b_ih);
    snprintf(buf, sizeof buf, "%s.b_hh", name);
    if (b_hh) in[4] = tb_constant(m, buf, 1, db, b_hh);
    uint32_t y = tb_tensor(m, name, 3, dy);
    tb_node(m, op, b_hh ? 5 : b_ih ? 4 : 3, in, y, 0, NULL);
    return y;
}

void tb_selftest(tb_model *m, float rtol, float atol, uint32_t input, const float *in, uint64_t in_count, uint32_t output,
                 const float *out, uint64_t out_count) {
    tb_bytes *b = &m->selftest;
    tb_f32(b, rtol);
    tb_f32(b, atol);
    tb_u32(b, 1);
    tb_u32(b, input);
    tb_u64(b, in_count);
    for (uint64_t i = 0; i < in_count; i++) tb_f32(b, in[i]);
    tb_u32(b, 1);
    tb_u32(b, output);
    tb_u64(b, out_count);
    for (uint64_t i = 0; i < out_count; i++) tb_f32(b, out[i]);
    m->has_selftest = 1;
}

static void put_at(uint8_t *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_at(const uint8_t *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void tb_fix_crcs(uint8_t *file, size_t size) {
    uint32_t count = (uint32_t)get_at(file + 32, 4);
    if (count > 16 || 64 + (size_t)count * 32 > size) return;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = file + 64 + 32 * i;
        uint64_t off = get_at(e + 8, 8), sz = get_at(e + 16, 8);
        if (off <= size && sz <= size - off) put_at(e + 24, dk_crc32(0, file + off, (size_t)sz), 4);
    }
    put_at(file + 36, 0, 4);
    uint32_t crc = dk_crc32(dk_crc32(0, file, 64), file + 64, (size_t)count * 32);
    put_at(file + 36, crc, 4);
}

int tb_section(const uint8_t *file, uint32_t kind, uint64_t *offset, uint64_t *size) {
    uint32_t count = (uint32_t)get_at(file + 32, 4);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = file + 64 + 32 * i;
        if (get_at(e, 4) == kind) {
            *offset = get_at(e + 8, 8);
            *size = get_at(e + 16, 8);
            return 1;
        }
    }
    return 0;
}

uint8_t *tb_build(const tb_model *m, size_t *out_size) {
    tb_bytes sec[5] = {{0}};
    tb_u32(&sec[0], m->meta_count);
    tb_put(&sec[0], m->meta.data, m->meta.size);
    tb_u32(&sec[1], m->tensor_count);
    tb_put(&sec[1], m->tensors.data, m->tensors.size);
    tb_u32(&sec[2], m->input_count);
    for (uint32_t i = 0; i < m->input_count; i++) tb_u32(&sec[2], m->inputs[i]);
    tb_u32(&sec[2], m->output_count);
    for (uint32_t i = 0; i < m->output_count; i++) tb_u32(&sec[2], m->outputs[i]);
    tb_u32(&sec[2], m->node_count);
    tb_put(&sec[2], m->nodes.data, m->nodes.size);
    tb_put(&sec[3], m->selftest.data, m->selftest.size);
    tb_put(&sec[4], m->data.data, m->data.size);
    const uint32_t kinds[5] = {1, 2, 3, 5, 4};
    uint32_t count = m->has_selftest ? 5 : 4;
    tb_bytes file = {0};
    uint8_t zero[64] = {0};
    tb_put(&file, zero, 64);
    for (uint32_t i = 0; i < count; i++) tb_put(&file, zero, 32);
    uint64_t offsets[5];
    for (uint32_t k = 0, i = 0; k < 5; k++) {
        if (kinds[k] == 5 && !m->has_selftest) continue;
        if (kinds[k] == 4)
            while (file.size % 64) tb_u8(&file, 0);
        offsets[k] = file.size;
        tb_put(&file, sec[k].data, sec[k].size);
        uint8_t *e = file.data + 64 + 32 * i++;
        put_at(e, kinds[k], 4);
        put_at(e + 4, kinds[k] == 5 ? 1 : 0, 4);
        put_at(e + 8, offsets[k], 8);
        put_at(e + 16, sec[k].size, 8);
    }
    static const uint8_t magic[8] = {0x89, 'D', 'L', 'R', 'T', 0x0D, 0x0A, 0x1A};
    memcpy(file.data, magic, 8);
    put_at(file.data + 8, 1, 2);
    put_at(file.data + 10, m->minor, 2);
    put_at(file.data + 12, 0x01020304u, 4);
    put_at(file.data + 16, file.size, 8);
    put_at(file.data + 24, 64, 8);
    put_at(file.data + 32, count, 4);
    tb_fix_crcs(file.data, file.size);
    for (int k = 0; k < 5; k++) free(sec[k].data);
    uint8_t *aligned = aligned_alloc(64, (file.size + 63) & ~(size_t)63);
    if (aligned == NULL) abort();
    memcpy(aligned, file.data, file.size);
    free(file.data);
    *out_size = file.size;
    return aligned;
}

uint8_t *tb_small_model_with_outputs(const uint32_t *extra, uint32_t extra_count, size_t *size) {
    tb_model m;
    tb_init(&m);
    tb_meta_string(&m, "model.name", "small");
    float w[2 * 1 * 3 * 3], b[2] = {0.1f, -0.2f}, dw[3 * 8], db[3] = {0.0f, 0.5f, -0.5f};
    for (int i = 0; i < 18; i++) w[i] = (float)((i * 7) % 5 - 2) * 0.25f;
    for (int i = 0; i < 24; i++) dw[i] = (float)((i * 5) % 7 - 3) * 0.125f;
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 4, 4});
    uint32_t cw = tb_constant(&m, "conv.w", 4, (uint32_t[]){2, 1, 3, 3}, w);
    uint32_t cb = tb_constant(&m, "conv.b", 1, (uint32_t[]){2}, b);
    uint32_t c = tb_tensor(&m, "conv", 4, (uint32_t[]){1, 2, 4, 4});
    uint32_t p = tb_tensor(&m, "pool", 4, (uint32_t[]){1, 2, 2, 2});
    uint32_t f = tb_tensor(&m, "flat", 2, (uint32_t[]){1, 8});
    uint32_t fw = tb_constant(&m, "fc.w", 2, (uint32_t[]){3, 8}, dw);
    uint32_t fb = tb_constant(&m, "fc.b", 1, (uint32_t[]){3}, db);
    uint32_t d = tb_tensor(&m, "fc", 2, (uint32_t[]){1, 3});
    uint32_t y = tb_tensor(&m, "prob", 2, (uint32_t[]){1, 3});
    tb_attr conv_attrs[] = {{2, 1, 4, {1, 1, 1, 1}, {0}}, {5, 1, 1, {1}, {0}}};
    tb_node(&m, 1, 3, (uint32_t[]){x, cw, cb}, c, 2, conv_attrs);
    tb_attr pool_attrs[] = {{10, 1, 2, {2, 2}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){c}, p, 1, pool_attrs);
    tb_node(&m, 17, 1, (uint32_t[]){p}, f, 0, NULL);
    tb_node(&m, 3, 3, (uint32_t[]){f, fw, fb}, d, 0, NULL);
    tb_node(&m, 11, 1, (uint32_t[]){d}, y, 0, NULL);
    tb_output(&m, y);
    for (uint32_t i = 0; i < extra_count; i++) tb_output(&m, extra[i]);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

uint8_t *tb_small_model(size_t *size) { return tb_small_model_with_outputs(NULL, 0, size); }

uint8_t *tb_small_int8_model(size_t *size) {
    tb_model m;
    tb_init(&m);
    m.minor = 1;
    tb_meta_string(&m, "model.name", "small-int8");
    int8_t w[18], dw[24];
    int32_t b[2] = {40, -25}, db[3] = {0, 300, -300};
    float w_scale[2] = {0.004f, 0.006f}, d_scale[3] = {0.002f, 0.003f, 0.0025f};
    const float x_scale = 0.02f, c_scale = 0.05f, f_scale = 0.1f;
    float b_scale[2], db_scale[3];
    for (int i = 0; i < 18; i++) w[i] = (int8_t)((i * 37) % 255 - 127);
    for (int i = 0; i < 24; i++) dw[i] = (int8_t)((i * 53) % 255 - 127);
    for (int c = 0; c < 2; c++) b_scale[c] = (float)((double)x_scale * w_scale[c]);
    for (int c = 0; c < 3; c++) db_scale[c] = (float)((double)c_scale * d_scale[c]);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 4, 4});
    uint32_t q = tb_tensor_q8(&m, "x.q", 4, (uint32_t[]){1, 1, 4, 4}, x_scale, 3);
    uint32_t cw = tb_constant_q8(&m, "conv.w", 4, (uint32_t[]){2, 1, 3, 3}, w, w_scale);
    uint32_t cb = tb_constant_i32(&m, "conv.b", 2, b, b_scale);
    uint32_t c = tb_tensor_q8(&m, "conv", 4, (uint32_t[]){1, 2, 4, 4}, c_scale, -128);
    uint32_t p = tb_tensor_q8(&m, "pool", 4, (uint32_t[]){1, 2, 2, 2}, c_scale, -128);
    uint32_t f = tb_tensor_q8(&m, "flat", 2, (uint32_t[]){1, 8}, c_scale, -128);
    uint32_t fw = tb_constant_q8(&m, "fc.w", 2, (uint32_t[]){3, 8}, dw, d_scale);
    uint32_t fb = tb_constant_i32(&m, "fc.b", 3, db, db_scale);
    uint32_t d = tb_tensor_q8(&m, "fc", 2, (uint32_t[]){1, 3}, f_scale, 5);
    uint32_t y = tb_tensor(&m, "logits", 2, (uint32_t[]){1, 3});
    tb_node(&m, 19, 1, (uint32_t[]){x}, q, 0, NULL);
    tb_attr conv_attrs[] = {{2, 1, 4, {1, 1, 1, 1}, {0}}, {5, 1, 1, {1}, {0}}};
    tb_node(&m, 1, 3, (uint32_t[]){q, cw, cb}, c, 2, conv_attrs);
    tb_attr pool_attrs[] = {{10, 1, 2, {2, 2}, {0}}};
    tb_node(&m, 4, 1, (uint32_t[]){c}, p, 1, pool_attrs);
    tb_node(&m, 17, 1, (uint32_t[]){p}, f, 0, NULL);
    tb_node(&m, 3, 3, (uint32_t[]){f, fw, fb}, d, 0, NULL);
    tb_node(&m, 20, 1, (uint32_t[]){d}, y, 0, NULL);
    tb_output(&m, y);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

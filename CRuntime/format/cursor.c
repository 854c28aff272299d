#include "cursor.h"

#include <string.h>

uint32_t dk_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t dk_le64(const uint8_t *p) { return (uint64_t)dk_le32(p) | (uint64_t)dk_le32(p + 4) << 32; }

const uint8_t *dk_cursor_bytes(dk_cursor *c, size_t n) {
    if (c->failed || n > c->size - c->pos) {
        c->failed = 1;
        return NULL;
    }
    const uint8_t *p = c->data + c->pos;
    c->pos += n;
    return p;
}

uint8_t dk_read_u8(dk_cursor *c) {
    const uint8_t *p = dk_cursor_bytes(c, 1);
    return p ? p[0] : 0;
}

uint16_t dk_read_u16(dk_cursor *c) {
    const uint8_t *p = dk_cursor_bytes(c, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t dk_read_u32(dk_cursor *c) {
    const uint8_t *p = dk_cursor_bytes(c, 4);
    return p ? dk_le32(p) : 0;
}

uint64_t dk_read_u64(dk_cursor *c) {
    const uint8_t *p = dk_cursor_bytes(c, 8);
    return p ? dk_le64(p) : 0;
}

int32_t dk_read_i32(dk_cursor *c) {
    uint32_t u = dk_read_u32(c);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

int64_t dk_read_i64(dk_cursor *c) {
    uint64_t u = dk_read_u64(c);
    int64_t v;
    memcpy(&v, &u, 8);
    return v;
}

float dk_read_f32(dk_cursor *c) {
    uint32_t u = dk_read_u32(c);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

double dk_read_f64(dk_cursor *c) {
    uint64_t u = dk_read_u64(c);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

const char *dk_read_string(dk_cursor *c, uint32_t max_length, uint32_t *out_length) {
    uint32_t n = dk_read_u32(c);
    if (n > max_length) c->failed = 1;
    const uint8_t *p = dk_cursor_bytes(c, n);
    *out_length = p ? n : 0;
    return (const char *)p;
}

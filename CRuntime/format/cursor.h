/*
 * A bounds-checked little-endian reader over one section. Every read checks
 * the remaining length first; after the first failed read the cursor stays
 * failed and returns zeros, so parsers check `failed` once per record.
 */
#ifndef DK_CURSOR_H
#define DK_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

typedef struct dk_cursor {
    const uint8_t *data;
    size_t size;
    size_t pos;
    int failed;
} dk_cursor;

static inline dk_cursor dk_cursor_make(const void *data, size_t size) {
    dk_cursor c = {(const uint8_t *)data, size, 0, 0};
    return c;
}
static inline size_t dk_cursor_left(const dk_cursor *c) { return c->failed ? 0 : c->size - c->pos; }

/** Returns a pointer to the next `n` bytes and advances, or NULL (and fails) if fewer remain. */
const uint8_t *dk_cursor_bytes(dk_cursor *c, size_t n);
uint8_t dk_read_u8(dk_cursor *c);
uint16_t dk_read_u16(dk_cursor *c);
uint32_t dk_read_u32(dk_cursor *c);
uint64_t dk_read_u64(dk_cursor *c);
int32_t dk_read_i32(dk_cursor *c);
int64_t dk_read_i64(dk_cursor *c);
float dk_read_f32(dk_cursor *c);
double dk_read_f64(dk_cursor *c);
/** A string: u32 length then bytes; fails when longer than max_length. */
const char *dk_read_string(dk_cursor *c, uint32_t max_length, uint32_t *out_length);
/** Decodes a little-endian u32 / u64 at p (no bounds check: callers hold the bytes). */
uint32_t dk_le32(const uint8_t *p);
uint64_t dk_le64(const uint8_t *p);

#pragma GCC visibility pop
#endif

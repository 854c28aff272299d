/*
 * PNG decode and encode over libpng 1.6.
 *
 * Errors: libpng calls our error callback, which records the message and
 * longjmps back to the setjmp in the function that started the work; the
 * default handler (which prints and aborts/longjmps into nowhere) is never
 * installed. A CRC error in any chunk, critical or ancillary, is an error (an
 * ancillary chunk such as tRNS changes the pixels; libpng would drop it with a
 * warning). Warnings (and libpng's "benign errors", which it reports as
 * warnings when reading: an invalid tIME, an incorrect sRGB profile, trailing
 * image data) are counted and the first kept in the image's `warnings`;
 * nothing is printed. Everything allocated after setjmp lives in a
 * heap-allocated state struct whose *pointer* is fixed before setjmp, so no
 * local variable changes between setjmp and longjmp (C11 7.13.2.1p3).
 */
#include "internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    char *message;
    size_t capacity;
    cic_status status;   /* the status reported when libpng longjmps */
    uint8_t *raw;        /* libpng's output rows, one block */
    png_bytep *rows;
    uint8_t *pixels;     /* our 8-bit output */
    cic_warnings warnings;
} png_decode_state;

static void decode_error(png_structp png, png_const_charp text) {
    png_decode_state *state = (png_decode_state *)png_get_error_ptr(png);
    cic_fail(state->message, state->capacity, state->status, "%s: %s",
             state->status == CIC_ERR_CORRUPT ? "corrupt PNG" : "PNG", text);
    png_longjmp(png, 1);
}

static void record_warning(png_structp png, png_const_charp text) {
    png_decode_state *state = (png_decode_state *)png_get_error_ptr(png);
    cic_note_warning(&state->warnings, "PNG", text);
}

/* The encoder only ever gets our own valid pixels; a warning there is dropped, never printed. */
static void silent_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
    png_decode_state *state = (png_decode_state *)png_get_io_ptr(png);
    if (length > state->size - state->position) {
        png_error(png, "unexpected end of data (file truncated)");
    }
    memcpy(out, state->data + state->position, length);
    state->position += length;
}

static inline uint8_t blend8(uint32_t sample, uint32_t alpha, uint32_t background) {
    return (uint8_t)((sample * alpha + background * (255 - alpha) + 127) / 255);
}

/* 16-bit sample over a 16-bit background, then rounded to 8 bits. */
static inline uint8_t blend16(uint32_t sample, uint32_t alpha, uint32_t background8) {
    uint64_t background = (uint64_t)background8 * 257;
    uint64_t value16 = ((uint64_t)sample * alpha + background * (65535 - alpha) + 32767) / 65535;
    return (uint8_t)((value16 * 255 + 32767) / 65535);
}

static inline uint8_t reduce16(uint32_t sample) { return (uint8_t)((sample * 255 + 32767) / 65535); }

cic_status cic_png_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                          cic_image *out, char *message, size_t message_capacity) {
    if (out == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (data == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no data");
    if (cic_detect_format(data, size) != CIC_FORMAT_PNG)
        return cic_fail(message, message_capacity, CIC_ERR_FORMAT, "not a PNG file (bad signature)");
    cic_decode_options defaults;
    cic_decode_options_init(&defaults);
    const cic_decode_options *const opts = options != NULL ? options : &defaults;
    const uint64_t max_pixels = cic_max_pixels(opts);

    png_decode_state *state = calloc(1, sizeof *state);
    if (state == NULL) return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
    state->data = data;
    state->size = size;
    state->message = message;
    state->capacity = message_capacity;
    state->status = CIC_ERR_CORRUPT;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, decode_error, record_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        if (png != NULL) png_destroy_read_struct(&png, NULL, NULL);
        free(state);
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory creating the PNG reader");
    }

    cic_status result;
    if (setjmp(png_jmpbuf(png))) {
        result = state->status;
        goto cleanup;
    }
    png_set_read_fn(png, state, read_from_memory);
    /* Dimension caps inside libpng too (its own default is 1e6 x 1e6); ours is max_pixels, below. */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    /* Ancillary chunks: at most 1000 kept and 8 MB per (decompressed) chunk, so a
     * zTXt/iCCP bomb or a flood of small chunks cannot exhaust memory. */
    png_set_chunk_cache_max(png, 1000);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if (width == 0 || height == 0) png_error(png, "zero width or height");
    if ((uint64_t)width * height > max_pixels) {
        state->status = CIC_ERR_TOO_LARGE;
        cic_fail(message, message_capacity, CIC_ERR_TOO_LARGE,
                 "PNG is %ux%u = %llu pixels, over the cap of %llu pixels", (unsigned)width, (unsigned)height,
                 (unsigned long long)((uint64_t)width * height), (unsigned long long)max_pixels);
        result = CIC_ERR_TOO_LARGE;
        goto cleanup;
    }

    const int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    const int is_gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
    const int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0 || has_trns;
    /* Palette -> RGB, gray < 8 bits -> 8, tRNS -> an alpha channel. 16-bit stays 16 (big-endian). */
    png_set_expand(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    const unsigned in_channels = png_get_channels(png, info);
    const int depth = png_get_bit_depth(png, info);
    const size_t row_bytes = png_get_rowbytes(png, info);
    const unsigned expected = (is_gray ? 1u : 3u) + (has_alpha ? 1u : 0u);
    if (in_channels != expected || (depth != 8 && depth != 16) ||
        row_bytes != (size_t)width * in_channels * (size_t)(depth / 8)) {
        png_error(png, "unexpected layout after expansion");
    }
    const unsigned out_channels = (has_alpha && opts->keep_alpha) ? 4u : (is_gray ? 1u : 3u);

    state->raw = malloc(row_bytes * height);
    state->rows = malloc(sizeof(png_bytep) * height);
    state->pixels = malloc((size_t)width * height * out_channels);
    if (state->raw == NULL || state->rows == NULL || state->pixels == NULL) {
        state->status = CIC_ERR_NO_MEMORY;
        png_error(png, "out of memory for the pixels");
    }
    for (png_uint_32 y = 0; y < height; y++) state->rows[y] = state->raw + (size_t)y * row_bytes;
    png_read_image(png, state->rows);
    png_read_end(png, NULL); /* reads through IEND: checks the remaining CRCs and that nothing is cut off */

    const uint8_t *bg = opts->background_rgb;
    const uint32_t bg_gray = (299u * bg[0] + 587u * bg[1] + 114u * bg[2] + 500u) / 1000u;
    const size_t pixel_count = (size_t)width * height;
    const uint8_t *src = state->raw;
    uint8_t *dst = state->pixels;
    const unsigned color = is_gray ? 1u : 3u;
    for (size_t i = 0; i < pixel_count; i++) {
        if (depth == 8) {
            const uint8_t *p = src + i * in_channels;
            if (!has_alpha) {
                for (unsigned c = 0; c < color; c++) dst[c] = p[c];
            } else if (out_channels == 4) {
                for (unsigned c = 0; c < 3; c++) dst[c] = p[is_gray ? 0 : c];
                dst[3] = p[color];
            } else {
                uint32_t a = p[color];
                for (unsigned c = 0; c < color; c++) dst[c] = blend8(p[c], a, is_gray ? bg_gray : bg[c]);
            }
        } else {
            const uint8_t *p = src + i * in_channels * 2;
            uint32_t s[4];
            for (unsigned c = 0; c < in_channels; c++) s[c] = ((uint32_t)p[2 * c] << 8) | p[2 * c + 1];
            if (!has_alpha) {
                for (unsigned c = 0; c < color; c++) dst[c] = reduce16(s[c]);
            } else if (out_channels == 4) {
                for (unsigned c = 0; c < 3; c++) dst[c] = reduce16(s[is_gray ? 0 : c]);
                dst[3] = reduce16(s[color]);
            } else {
                for (unsigned c = 0; c < color; c++) dst[c] = blend16(s[c], s[color], is_gray ? bg_gray : bg[c]);
            }
        }
        dst += out_channels;
    }

    out->width = width;
    out->height = height;
    out->channels = out_channels;
    out->pixels = state->pixels;
    out->warnings = state->warnings;
    state->pixels = NULL;
    result = CIC_OK;

cleanup:
    png_destroy_read_struct(&png, &info, NULL);
    free(state->raw);
    free(state->rows);
    free(state->pixels);
    free(state);
    return result;
}

/* ---- encode -------------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    char *message;
    size_t message_capacity;
    cic_status status;
    png_bytep *rows;
} png_encode_state;

static void encode_error(png_structp png, png_const_charp text) {
    png_encode_state *state = (png_encode_state *)png_get_error_ptr(png);
    cic_fail(state->message, state->message_capacity, state->status, "PNG encode failed: %s", text);
    png_longjmp(png, 1);
}

static void write_to_memory(png_structp png, png_bytep bytes, png_size_t length) {
    png_encode_state *state = (png_encode_state *)png_get_io_ptr(png);
    if (length > state->capacity - state->size) {
        size_t capacity = state->capacity ? state->capacity : 4096;
        while (capacity - state->size < length) {
            if (capacity > SIZE_MAX / 2) {
                state->status = CIC_ERR_NO_MEMORY;
                png_error(png, "output too large");
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(state->data, capacity);
        if (grown == NULL) {
            state->status = CIC_ERR_NO_MEMORY;
            png_error(png, "out of memory");
        }
        state->data = grown;
        state->capacity = capacity;
    }
    memcpy(state->data + state->size, bytes, length);
    state->size += length;
}

static void flush_nothing(png_structp png) { (void)png; }

cic_status cic_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                          int compression_level, uint8_t **out, size_t *out_size,
                          char *message, size_t message_capacity) {
    if (out == NULL || out_size == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width == 0 || height == 0)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "empty image (%ux%u)", width, height);
    if (width > 0x7fffffffU || height > 0x7fffffffU)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "image too large for PNG (%ux%u)", width, height);
    int color_type;
    switch (channels) {
    case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
    case 3: color_type = PNG_COLOR_TYPE_RGB; break;
    case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    default: return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "PNG encode: %u channels (need 1, 3 or 4)", channels);
    }
    const int level = (compression_level < 0 || compression_level > 9) ? 6 : compression_level;

    png_encode_state *state = calloc(1, sizeof *state);
    if (state == NULL) return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
    state->message = message;
    state->message_capacity = message_capacity;
    state->status = CIC_ERR_ARGUMENT;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, encode_error, silent_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        if (png != NULL) png_destroy_write_struct(&png, NULL);
        free(state);
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory creating the PNG writer");
    }
    cic_status result;
    if (setjmp(png_jmpbuf(png))) {
        result = state->status;
        goto cleanup;
    }
    png_set_write_fn(png, state, write_to_memory, flush_nothing);
    png_set_compression_level(png, level);
    png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    state->rows = malloc(sizeof(png_bytep) * height);
    if (state->rows == NULL) {
        state->status = CIC_ERR_NO_MEMORY;
        png_error(png, "out of memory");
    }
    const size_t stride = (size_t)width * channels;
    for (uint32_t y = 0; y < height; y++) state->rows[y] = (png_bytep)(pixels + (size_t)y * stride);
    png_write_info(png, info);
    png_write_image(png, state->rows);
    png_write_end(png, NULL);
    *out = state->data;
    *out_size = state->size;
    state->data = NULL;
    result = CIC_OK;

cleanup:
    png_destroy_write_struct(&png, &info);
    free(state->rows);
    free(state->data);
    free(state);
    return result;
}

#include "internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cic_status cic_fail(char *message, size_t capacity, cic_status status, const char *format, ...) {
    if (message != NULL && capacity > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(message, capacity, format, args);
        va_end(args);
    }
    return status;
}

uint64_t cic_max_pixels(const cic_decode_options *options) {
    if (options == NULL || options->max_pixels == 0) return CIC_DEFAULT_MAX_PIXELS;
    return options->max_pixels;
}

void cic_note_warning(cic_warnings *warnings, const char *prefix, const char *text) {
    if (warnings->count == 0) snprintf(warnings->first, sizeof warnings->first, "%s: %s", prefix, text);
    if (warnings->count < UINT32_MAX) warnings->count++;
}

void cic_decode_options_init(cic_decode_options *options) {
    if (options == NULL) return;
    memset(options, 0, sizeof *options);
    options->max_pixels = CIC_DEFAULT_MAX_PIXELS;
    options->apply_exif_orientation = 1;
    options->background_rgb[0] = options->background_rgb[1] = options->background_rgb[2] = 255;
    options->keep_alpha = 0;
    options->min_width = 0;
    options->min_height = 0;
}

cic_format cic_detect_format(const uint8_t *data, size_t size) {
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (data == NULL) return CIC_FORMAT_UNKNOWN;
    if (size >= 8 && memcmp(data, png_magic, 8) == 0) return CIC_FORMAT_PNG;
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return CIC_FORMAT_JPEG;
    return CIC_FORMAT_UNKNOWN;
}

cic_status cic_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                      cic_image *out, char *message, size_t message_capacity) {
    if (out == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (data == NULL || size == 0) return cic_fail(message, message_capacity, CIC_ERR_FORMAT, "empty data");
    switch (cic_detect_format(data, size)) {
    case CIC_FORMAT_PNG: return cic_png_decode(data, size, options, out, message, message_capacity);
    case CIC_FORMAT_JPEG: return cic_jpeg_decode(data, size, options, out, message, message_capacity);
    default:
        return cic_fail(message, message_capacity, CIC_ERR_FORMAT,
                        "not a PNG or JPEG image (first bytes %02x %02x %02x %02x)",
                        size > 0 ? data[0] : 0, size > 1 ? data[1] : 0, size > 2 ? data[2] : 0,
                        size > 3 ? data[3] : 0);
    }
}

void cic_image_release(cic_image *image) {
    if (image == NULL) return;
    free(image->pixels);
    memset(image, 0, sizeof *image);
}

void cic_free(void *pointer) { free(pointer); }

/* ---- EXIF orientation ---------------------------------------------------- */

static uint32_t read_u16(const uint8_t *p, int little) {
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ((uint32_t)p[0] << 8) | (uint32_t)p[1];
}

static uint32_t read_u32(const uint8_t *p, int little) {
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)
                  : ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int cic_exif_orientation(const uint8_t *app1, size_t size) {
    static const uint8_t exif_header[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (app1 == NULL || size < 6 + 8 || memcmp(app1, exif_header, 6) != 0) return 0;
    const uint8_t *tiff = app1 + 6;
    size_t length = size - 6;
    int little;
    if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
    else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
    else return 0;
    if (read_u16(tiff + 2, little) != 42) return 0;
    uint32_t ifd = read_u32(tiff + 4, little);
    /* IFD0: a 2-byte count, then 12-byte entries; compare in size_t with no overflow. */
    if (ifd < 8 || (size_t)ifd > length || length - ifd < 2) return 0;
    uint32_t count = read_u16(tiff + ifd, little);
    size_t entries = (size_t)ifd + 2;
    for (uint32_t i = 0; i < count; i++) {
        size_t entry = entries + (size_t)i * 12;
        if (entry > length || length - entry < 12) return 0;
        const uint8_t *e = tiff + entry;
        if (read_u16(e, little) != 0x0112) continue;
        uint32_t type = read_u16(e + 2, little);
        uint32_t n = read_u32(e + 4, little);
        if (type != 3 || n != 1) return 0; /* orientation must be one SHORT, stored inline */
        uint32_t value = read_u16(e + 8, little);
        return (value >= 1 && value <= 8) ? (int)value : 0;
    }
    return 0;
}

cic_status cic_apply_orientation(const cic_image *in, int orientation, cic_image *out,
                                 char *message, size_t message_capacity) {
    if (in == NULL || out == NULL || in->pixels == NULL || in->channels == 0)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no image to orient");
    if (orientation < 1 || orientation > 8)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "EXIF orientation %d is not in 1...8", orientation);
    const size_t w = in->width, h = in->height, c = in->channels;
    const int swap = orientation >= 5;
    const size_t ow = swap ? h : w, oh = swap ? w : h;
    /* Output (x, y) reads source pixel origin + x * step_x + y * step_y (in pixels). */
    const ptrdiff_t W = (ptrdiff_t)w, last_x = W - 1, last_row = ((ptrdiff_t)h - 1) * W;
    ptrdiff_t origin, step_x, step_y;
    switch (orientation) {
    case 2: origin = last_x; step_x = -1; step_y = W; break;                   /* mirror left-right */
    case 3: origin = last_row + last_x; step_x = -1; step_y = -W; break;       /* rotate 180 */
    case 4: origin = last_row; step_x = 1; step_y = -W; break;                 /* mirror top-bottom */
    case 5: origin = 0; step_x = W; step_y = 1; break;                         /* transpose */
    case 6: origin = last_row; step_x = -W; step_y = 1; break;                 /* rotate 90 clockwise */
    case 7: origin = last_row + last_x; step_x = -W; step_y = -1; break;       /* transverse */
    case 8: origin = last_x; step_x = W; step_y = -1; break;                   /* rotate 90 counter-clockwise */
    default: origin = 0; step_x = 1; step_y = W; break;
    }
    uint8_t *pixels = malloc(w * h * c > 0 ? w * h * c : 1);
    if (pixels == NULL) return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory orienting %zux%zu image", w, h);
    uint8_t *dst = pixels;
    for (size_t y = 0; y < oh; y++) {
        /* An integer index, not a pointer, steps past the last pixel (pointers may not). */
        ptrdiff_t source = origin + (ptrdiff_t)y * step_y;
        for (size_t x = 0; x < ow; x++, source += step_x, dst += c) {
            const uint8_t *src = in->pixels + (size_t)source * c;
            for (size_t k = 0; k < c; k++) dst[k] = src[k];
        }
    }
    out->width = (uint32_t)ow;
    out->height = (uint32_t)oh;
    out->channels = (uint32_t)c;
    out->pixels = pixels;
    out->warnings = in->warnings;
    return CIC_OK;
}

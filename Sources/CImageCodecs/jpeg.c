/*
 * JPEG decode and encode over libjpeg(-turbo), 8-bit samples only.
 *
 * Errors: libjpeg's default error_exit calls exit(); ours formats the message
 * into the caller's buffer and longjmps back. Warnings that mean the data is
 * corrupt or cut short (libjpeg would otherwise fill the rest with gray and
 * carry on) are promoted to errors; the others are counted and the first kept
 * in the image's `warnings`, and nothing is ever printed. Buffers allocated
 * after setjmp live in a heap state struct.
 */
#include "internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr manager; /* first: libjpeg casts cinfo->err to this */
    jmp_buf jump;
    char *message;
    size_t capacity;
    cic_status status;
    const char *prefix;
    uint8_t *pixels;     /* decoded (or encoded) output */
    uint8_t *scratch;    /* CMYK scanlines */
    JSAMPROW *rows;      /* one pointer per output row, so libjpeg can write several rows a call */
    cic_warnings warnings;
    unsigned long encoded_size;
    unsigned char *encoded;
} jpeg_state;

/* The status for a libjpeg error: a valid file we do not decode is "unsupported", not "corrupt". */
static cic_status status_for_error(int msg_code, cic_status otherwise) {
    switch (msg_code) {
    case JERR_BAD_PRECISION:      /* 12- or 16-bit samples */
    case JERR_SOF_UNSUPPORTED:    /* lossless, hierarchical */
    case JERR_ARITH_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL:
        return CIC_ERR_UNSUPPORTED;
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
        return CIC_ERR_TOO_LARGE;
    default:
        return otherwise;
    }
}

static void record_and_jump(j_common_ptr cinfo) {
    jpeg_state *state = (jpeg_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    text[0] = 0;
    (*cinfo->err->format_message)(cinfo, text);
    state->status = status_for_error(state->manager.msg_code, state->status);
    if (state->manager.msg_code == JERR_BAD_PRECISION) {
        cic_fail(state->message, state->capacity, state->status,
                 "unsupported JPEG: %s (only 8-bit JPEG is supported)", text);
    } else if (state->status == CIC_ERR_UNSUPPORTED) {
        cic_fail(state->message, state->capacity, state->status, "unsupported JPEG: %s", text);
    } else if (state->status == CIC_ERR_TOO_LARGE) {
        cic_fail(state->message, state->capacity, state->status, "JPEG: %s", text);
    } else {
        cic_fail(state->message, state->capacity, state->status, "%s: %s", state->prefix, text);
    }
    longjmp(state->jump, 1);
}

static void error_exit(j_common_ptr cinfo) { record_and_jump(cinfo); }

/* msg_level < 0: a warning. Those that mean damaged data become errors. */
static void emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) return; /* trace messages */
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_TOO_MUCH_DATA:
        record_and_jump(cinfo);
        break;
    default: {
        jpeg_state *state = (jpeg_state *)cinfo->err;
        char text[JMSG_LENGTH_MAX];
        text[0] = 0;
        (*cinfo->err->format_message)(cinfo, text);
        cic_note_warning(&state->warnings, "JPEG", text);
        cinfo->err->num_warnings++;
        break;
    }
    }
}

static void output_nothing(j_common_ptr cinfo) { (void)cinfo; }

/* Points libjpeg's error handling at `state`: errors longjmp to state->jump
 * with `status` (refined by status_for_error) and "prefix: text" as the message. */
static struct jpeg_error_mgr *error_manager(jpeg_state *state, char *message, size_t capacity, cic_status status,
                                           const char *prefix) {
    state->message = message;
    state->capacity = capacity;
    state->status = status;
    state->prefix = prefix;
    struct jpeg_error_mgr *manager = jpeg_std_error(&state->manager);
    manager->error_exit = error_exit;
    manager->emit_message = emit_message;
    manager->output_message = output_nothing;
    return manager;
}

/* Progressive files can declare thousands of scans over one coefficient buffer
 * (a known CPU-exhaustion trick); real encoders write a dozen or so. */
#define CIC_MAX_JPEG_SCANS 1000

static void progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > CIC_MAX_JPEG_SCANS) {
        jpeg_state *state = (jpeg_state *)cinfo->err;
        cic_fail(state->message, state->capacity, CIC_ERR_CORRUPT,
                 "corrupt JPEG: more than %d progressive scans", CIC_MAX_JPEG_SCANS);
        state->status = CIC_ERR_CORRUPT;
        longjmp(state->jump, 1);
    }
}

static uint32_t be16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }

/*
 * Walks the marker segments up to the first SOFn and reports its sample
 * precision, so a 12-bit (or 16-bit lossless) file gets a clear refusal rather
 * than whatever libjpeg says. Returns 0 when no SOF is found before SOS/EOI or
 * the structure is malformed (libjpeg will then report the problem itself).
 */
static int sof_precision(const uint8_t *data, size_t size) {
    size_t pos = 2;
    while (pos + 4 <= size) {
        if (data[pos] != 0xFF) return 0;
        uint8_t marker = data[pos + 1];
        if (marker == 0xFF) { pos++; continue; } /* fill byte */
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
        if (marker == 0xD9 || marker == 0xDA) return 0;
        uint32_t length = be16(data + pos + 2);
        if (length < 2) return 0;
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (pos + 4 < size && length >= 3) return data[pos + 4];
            return 0;
        }
        pos += 2 + (size_t)length;
    }
    return 0;
}

/* ceil(size * eighths / 8): libjpeg's output size at scale eighths/8 (jdiv_round_up). */
static uint32_t scaled_size(uint32_t size, unsigned eighths) {
    return (uint32_t)(((uint64_t)size * eighths + 7) / 8);
}

/*
 * The scale numerator (over 8) for libjpeg's scaled IDCT: the smallest of 1, 2
 * and 4 whose output is at least min_width x min_height in display orientation
 * (width and height swap for EXIF orientations 5...8), else 8 (full size).
 * Only these have fast (SIMD) reduced IDCTs in libjpeg-turbo.
 */
static unsigned scale_eighths(uint32_t width, uint32_t height, int orientation, const cic_decode_options *opts) {
    if (opts->min_width == 0 && opts->min_height == 0) return 8;
    const uint32_t need_width = orientation >= 5 ? opts->min_height : opts->min_width;
    const uint32_t need_height = orientation >= 5 ? opts->min_width : opts->min_height;
    for (unsigned eighths = 1; eighths < 8; eighths *= 2) {
        if (scaled_size(width, eighths) >= need_width && scaled_size(height, eighths) >= need_height) return eighths;
    }
    return 8;
}

static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t count, int adobe_inverted) {
    for (size_t i = 0; i < count; i++) {
        uint32_t c = cmyk[4 * i], m = cmyk[4 * i + 1], y = cmyk[4 * i + 2], k = cmyk[4 * i + 3];
        if (!adobe_inverted) { /* plain CMYK: 0 = no ink */
            c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
        /* Now each value is (255 - ink); R = (1 - C)(1 - K). */
        rgb[3 * i] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * i + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * i + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

cic_status cic_jpeg_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                           cic_image *out, char *message, size_t message_capacity) {
    if (out == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (data == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no data");
    if (cic_detect_format(data, size) != CIC_FORMAT_JPEG)
        return cic_fail(message, message_capacity, CIC_ERR_FORMAT, "not a JPEG file (no SOI marker)");
    if ((unsigned long)size != size)
        return cic_fail(message, message_capacity, CIC_ERR_TOO_LARGE, "JPEG data too large");
    cic_decode_options defaults;
    cic_decode_options_init(&defaults);
    const cic_decode_options *const opts = options != NULL ? options : &defaults;
    const uint64_t max_pixels = cic_max_pixels(opts);

    int precision = sof_precision(data, size);
    if (precision != 0 && precision != 8)
        return cic_fail(message, message_capacity, CIC_ERR_UNSUPPORTED,
                        "unsupported JPEG: %d-bit samples (only 8-bit JPEG is supported)", precision);

    jpeg_state *state = calloc(1, sizeof *state);
    struct jpeg_decompress_struct *cinfo = calloc(1, sizeof *cinfo);
    struct jpeg_progress_mgr *monitor = calloc(1, sizeof *monitor);
    if (state == NULL || cinfo == NULL || monitor == NULL) {
        free(state); free(cinfo); free(monitor);
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
    }
    cinfo->err = error_manager(state, message, message_capacity, CIC_ERR_CORRUPT, "corrupt JPEG");

    cic_status result;
    if (setjmp(state->jump)) {
        result = state->status;
        goto cleanup;
    }
    jpeg_create_decompress(cinfo);
    monitor->progress_monitor = progress;
    cinfo->progress = monitor;
    cinfo->mem->max_memory_to_use = (long)1 << 30;
    jpeg_mem_src(cinfo, (const unsigned char *)data, (unsigned long)size);
    if (opts->apply_exif_orientation) jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(cinfo, TRUE);
    /* Read the orientation now: jpeg_finish_decompress frees the saved markers. */
    int orientation = 1;
    if (opts->apply_exif_orientation) {
        for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next) {
            if (m->marker != JPEG_APP0 + 1) continue;
            int found = cic_exif_orientation(m->data, m->data_length);
            if (found != 0) { orientation = found; break; }
        }
    }

    if (cinfo->data_precision != 8) {
        state->status = CIC_ERR_UNSUPPORTED;
        cic_fail(message, message_capacity, CIC_ERR_UNSUPPORTED,
                 "unsupported JPEG: %d-bit samples (only 8-bit JPEG is supported)", cinfo->data_precision);
        result = CIC_ERR_UNSUPPORTED;
        goto cleanup;
    }
    const uint64_t declared = (uint64_t)cinfo->image_width * cinfo->image_height;
    if (cinfo->image_width == 0 || cinfo->image_height == 0) {
        cic_fail(message, message_capacity, CIC_ERR_CORRUPT, "corrupt JPEG: zero width or height");
        result = CIC_ERR_CORRUPT;
        goto cleanup;
    }
    if (declared > max_pixels) {
        cic_fail(message, message_capacity, CIC_ERR_TOO_LARGE,
                 "JPEG is %ux%u = %llu pixels, over the cap of %llu pixels", cinfo->image_width,
                 cinfo->image_height, (unsigned long long)declared, (unsigned long long)max_pixels);
        result = CIC_ERR_TOO_LARGE;
        goto cleanup;
    }

    int cmyk = 0, adobe_inverted = 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK; /* libjpeg converts YCCK to CMYK */
        cmyk = 1;
        adobe_inverted = cinfo->saw_Adobe_marker;
        break;
    default: cinfo->out_color_space = JCS_RGB; break;
    }
    cinfo->scale_num = scale_eighths(cinfo->image_width, cinfo->image_height, orientation, opts);
    cinfo->scale_denom = 8;
    jpeg_calc_output_dimensions(cinfo);
    const uint32_t width = cinfo->output_width, height = cinfo->output_height;
    const unsigned components = (unsigned)cinfo->output_components;
    if ((uint64_t)width * height > max_pixels || (cmyk ? components != 4 : (components != 1 && components != 3))) {
        cic_fail(message, message_capacity, CIC_ERR_CORRUPT, "corrupt JPEG: unexpected output %ux%ux%u",
                 width, height, components);
        result = CIC_ERR_CORRUPT;
        goto cleanup;
    }
    const unsigned channels = cmyk ? 3 : components;
    const size_t stride = (size_t)width * channels;
    state->pixels = malloc((size_t)height * stride);
    state->rows = malloc(sizeof(JSAMPROW) * height);
    if (cmyk) state->scratch = malloc((size_t)width * 4);
    if (state->pixels == NULL || state->rows == NULL || (cmyk && state->scratch == NULL)) {
        cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory for a %ux%u JPEG", width, height);
        result = CIC_ERR_NO_MEMORY;
        goto cleanup;
    }
    for (uint32_t y = 0; y < height; y++) state->rows[y] = state->pixels + y * stride;

    jpeg_start_decompress(cinfo);
    while (cinfo->output_scanline < height) {
        const uint32_t y = cinfo->output_scanline;
        /* CMYK goes through the scratch row, one at a time; the rest straight into place. */
        JSAMPARRAY rows = cmyk ? &state->scratch : state->rows + y;
        const JDIMENSION wanted = cmyk ? 1 : height - y;
        const JDIMENSION got = jpeg_read_scanlines(cinfo, rows, wanted);
        if (got == 0) {
            cic_fail(message, message_capacity, CIC_ERR_CORRUPT, "corrupt JPEG: no data for row %u", y);
            result = CIC_ERR_CORRUPT;
            goto cleanup;
        }
        if (cmyk) cmyk_to_rgb(state->scratch, state->rows[y], width, adobe_inverted);
    }
    jpeg_finish_decompress(cinfo);

    cic_image decoded = {width, height, channels, state->pixels, state->warnings};
    if (orientation != 1) {
        result = cic_apply_orientation(&decoded, orientation, out, message, message_capacity);
        if (result != CIC_OK) goto cleanup;
    } else {
        *out = decoded;
        state->pixels = NULL;
    }
    result = CIC_OK;

cleanup:
    jpeg_destroy_decompress(cinfo);
    free(state->pixels);
    free(state->scratch);
    free(state->rows);
    free(state);
    free(cinfo);
    free(monitor);
    return result;
}

cic_status cic_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                           int quality, int progressive, int ycck, uint8_t **out, size_t *out_size,
                           char *message, size_t message_capacity) {
    if (out == NULL || out_size == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width == 0 || height == 0 || width > 65500 || height > 65500)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "JPEG encode: bad size %ux%u", width, height);
    if (channels != 1 && channels != 3 && channels != 4)
        return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "JPEG encode: %u channels (need 1, 3 or 4)", channels);
    const int jpeg_quality = (quality < 1 || quality > 100) ? 90 : quality;

    jpeg_state *state = calloc(1, sizeof *state);
    struct jpeg_compress_struct *cinfo = calloc(1, sizeof *cinfo);
    if (state == NULL || cinfo == NULL) {
        free(state); free(cinfo);
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
    }
    cinfo->err = error_manager(state, message, message_capacity, CIC_ERR_ARGUMENT, "JPEG encode failed");

    cic_status result;
    if (setjmp(state->jump)) {
        result = state->status;
        goto cleanup;
    }
    jpeg_create_compress(cinfo);
    jpeg_mem_dest(cinfo, &state->encoded, &state->encoded_size);
    cinfo->image_width = width;
    cinfo->image_height = height;
    cinfo->input_components = (int)channels;
    cinfo->in_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(cinfo);
    if (channels == 4) jpeg_set_colorspace(cinfo, ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(cinfo, jpeg_quality, TRUE);
    if (progressive) jpeg_simple_progression(cinfo);
    jpeg_start_compress(cinfo, TRUE);
    const size_t stride = (size_t)width * channels;
    while (cinfo->next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo->next_scanline * stride);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    state->pixels = malloc(state->encoded_size ? state->encoded_size : 1);
    if (state->pixels == NULL) {
        result = cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
        goto cleanup;
    }
    memcpy(state->pixels, state->encoded, state->encoded_size);
    *out = state->pixels;
    *out_size = state->encoded_size;
    state->pixels = NULL;
    result = CIC_OK;

cleanup:
    jpeg_destroy_compress(cinfo);
    free(state->encoded); /* jpeg_mem_dest's buffer is malloc'd and survives destroy */
    free(state->pixels);
    free(state);
    free(cinfo);
    return result;
}

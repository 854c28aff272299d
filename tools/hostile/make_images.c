/*
 * Writes the hostile image corpus, Tests/Fixtures/hostile/images/, and its
 * MANIFEST (one line per file: name <TAB> expected cic_status name <TAB> text
 * the error message must contain). Valid
 * images come from the codec's own encoders (cic_png_encode, cic_jpeg_encode)
 * over a drawn pattern; each hostile file is one of them damaged in one way,
 * or built by hand here (PNG chunks with correct CRCs over wrong contents, a
 * 12-bit JPEG). The expected statuses follow cimagecodecs.h's contract; the
 * controls (CIC_OK) prove the checker is not refusing everything.
 * The extension of a file is deliberately sometimes wrong: the codec judges by
 * magic bytes. Usage: make_images DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cimagecodecs.h"
#include "corpus_writer.h"


static bytes copy_of(const uint8_t *data, size_t size) {
    bytes b = {malloc(size ? size : 1), size};
    if (b.data == NULL) abort();
    if (size) memcpy(b.data, data, size);
    return b;
}

static void append(bytes *b, const void *data, size_t n) {
    b->data = realloc(b->data, b->size + n);
    if (b->data == NULL) abort();
    memcpy(b->data + b->size, data, n);
    b->size += n;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A 40 x 30 gradient with a diagonal, `channels` 1 or 3. */
static uint8_t *pattern(uint32_t channels) {
    uint8_t *p = malloc(40 * 30 * channels);
    if (p == NULL) abort();
    for (uint32_t y = 0; y < 30; y++)
        for (uint32_t x = 0; x < 40; x++)
            for (uint32_t c = 0; c < channels; c++)
                p[(y * 40 + x) * channels + c] = (uint8_t)(x == y ? 255 : x * 6 + y * 2 + c * 40);
    return p;
}

static bytes valid_png(void) {
    uint8_t *pixels = pattern(3), *out;
    size_t size;
    char message[256];
    if (cic_png_encode(pixels, 40, 30, 3, 6, &out, &size, message, sizeof message) != CIC_OK) abort();
    bytes b = copy_of(out, size);
    cic_free(out);
    free(pixels);
    return b;
}

static bytes valid_jpeg(int progressive) {
    uint8_t *pixels = pattern(3), *out;
    size_t size;
    char message[256];
    if (cic_jpeg_encode(pixels, 40, 30, 3, 85, progressive, 0, &out, &size, message, sizeof message) != CIC_OK) abort();
    bytes b = copy_of(out, size);
    cic_free(out);
    free(pixels);
    return b;
}

/* ---- PNG built chunk by chunk ------------------------------------------------------------ */

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

static void png_chunk(bytes *b, const char type[4], const uint8_t *data, uint32_t length) {
    uint8_t head[8];
    put_be32(head, length);
    memcpy(head + 4, type, 4);
    append(b, head, 8);
    if (length) append(b, data, length);
    static const uint8_t none[1] = {0};
    /* zlib's crc32 with a NULL buffer returns its initial value instead of continuing. */
    uint32_t crc = (uint32_t)crc32(crc32(0, (const Bytef *)type, 4), data != NULL ? data : none, length);
    uint8_t tail[4];
    put_be32(tail, crc);
    append(b, tail, 4);
}

/* A PNG with this IHDR and `raw` (filter bytes included) deflated into one IDAT. */
static bytes png_of(uint32_t width, uint32_t height, uint8_t depth, uint8_t color, uint8_t interlace, const uint8_t *raw,
                    size_t raw_size) {
    bytes b = copy_of(png_signature, 8);
    uint8_t ihdr[13];
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    ihdr[8] = depth;
    ihdr[9] = color;
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = interlace;
    png_chunk(&b, "IHDR", ihdr, 13);
    uLongf packed_size = compressBound((uLong)raw_size);
    uint8_t *packed = malloc(packed_size);
    if (packed == NULL || compress2(packed, &packed_size, raw, (uLong)raw_size, 9) != Z_OK) abort();
    png_chunk(&b, "IDAT", packed, (uint32_t)packed_size);
    png_chunk(&b, "IEND", NULL, 0);
    free(packed);
    return b;
}

/* 4 x 4 8-bit gray, every row filter 0. */
static const uint8_t gray4_rows[4 * 5] = {0, 10, 20, 30, 40, 0, 50, 60, 70, 80, 0, 90, 100, 110, 120, 0, 130, 140, 150, 160};

static bytes png_gray4(void) { return png_of(4, 4, 8, 0, 0, gray4_rows, sizeof gray4_rows); }

/* ---- hostile PNGs ------------------------------------------------------------------------ */

static bytes png_truncated_half(void) { bytes b = valid_png(); b.size /= 2; return b; }
static bytes png_truncated_in_iend(void) { bytes b = valid_png(); b.size -= 2; return b; }
static bytes png_signature_only(void) { return copy_of(png_signature, 8); }
static bytes png_bad_ihdr_crc(void) { bytes b = png_gray4(); b.data[29] ^= 0x01; return b; } /* 8 + 4 + 4 + 13: IHDR CRC */
static bytes png_bad_idat_crc(void) { bytes b = png_gray4(); b.data[b.size - 12 - 1] ^= 0x01; return b; } /* before IEND */
static bytes png_zero_width(void) { return png_of(0, 4, 8, 0, 0, gray4_rows, sizeof gray4_rows); }
static bytes png_bit_depth_3(void) { return png_of(4, 4, 3, 0, 0, gray4_rows, sizeof gray4_rows); }
static bytes png_color_type_9(void) { return png_of(4, 4, 8, 9, 0, gray4_rows, sizeof gray4_rows); }
static bytes png_interlace_2(void) { return png_of(4, 4, 8, 0, 2, gray4_rows, sizeof gray4_rows); }
static bytes png_palette_without_plte(void) { return png_of(4, 4, 8, 3, 0, gray4_rows, sizeof gray4_rows); }
static bytes png_idat_too_short(void) { return png_of(4, 4, 8, 0, 0, gray4_rows, 5); }
static bytes png_bad_filter_type(void) {
    uint8_t rows[sizeof gray4_rows];
    memcpy(rows, gray4_rows, sizeof rows);
    rows[5] = 7; /* row 1's filter: 0..4 exist */
    return png_of(4, 4, 8, 0, 0, rows, sizeof rows);
}
/* IDAT bytes that are not a zlib stream, behind a correct CRC. */
static bytes png_idat_not_zlib(void) {
    bytes b = copy_of(png_signature, 8);
    uint8_t ihdr[13] = {0, 0, 0, 4, 0, 0, 0, 4, 8, 0, 0, 0, 0};
    png_chunk(&b, "IHDR", ihdr, 13);
    static const uint8_t junk[16] = "not a zlib data";
    png_chunk(&b, "IDAT", junk, sizeof junk);
    png_chunk(&b, "IEND", NULL, 0);
    return b;
}
/* A chunk claiming 2^31 - 1 bytes in a 60-byte file. */
static bytes png_chunk_length_huge(void) {
    bytes b = png_gray4();
    put_be32(b.data + 33, 0x7FFFFFFFu); /* the IDAT length, right after IHDR */
    return b;
}
/* 100000 x 100000 gray (10^10 pixels) in ~70 bytes: refused before any allocation. */
static bytes png_bomb_dims(void) { return png_of(100000, 100000, 8, 0, 0, gray4_rows, 3); }
static bytes png_width_2_31(void) { return png_of(0x80000000u, 1, 8, 0, 0, gray4_rows, 5); }

/* ---- hostile JPEGs ------------------------------------------------------------------------ */

/* Offset of the first SOF0/SOF2 marker's length field. */
static size_t sof_at(const bytes *b) {
    for (size_t i = 2; i + 9 < b->size; i++)
        if (b->data[i] == 0xFF && (b->data[i + 1] == 0xC0 || b->data[i + 1] == 0xC2)) return i + 2;
    abort();
}
/* SOF: length (2), precision (1), height (2), width (2). */
static bytes jpeg_with_size(uint16_t width, uint16_t height) {
    bytes b = valid_jpeg(0);
    size_t at = sof_at(&b);
    b.data[at + 3] = (uint8_t)(height >> 8);
    b.data[at + 4] = (uint8_t)height;
    b.data[at + 5] = (uint8_t)(width >> 8);
    b.data[at + 6] = (uint8_t)width;
    return b;
}
static bytes jpeg_truncated_half(void) { bytes b = valid_jpeg(0); b.size /= 2; return b; }
static bytes jpeg_progressive_truncated(void) { bytes b = valid_jpeg(1); b.size = b.size * 3 / 4; return b; }
static bytes jpeg_soi_only(void) { return copy_of((const uint8_t[]){0xFF, 0xD8, 0xFF}, 3); }
static bytes jpeg_bomb_60000(void) { return jpeg_with_size(60000, 60000); }
static bytes jpeg_bomb_65535(void) { return jpeg_with_size(65535, 65535); }
static bytes jpeg_zero_height(void) { return jpeg_with_size(40, 0); }
static bytes jpeg_no_scan(void) {
    /* Everything up to the first SOS, then EOI. */
    bytes b = valid_jpeg(0);
    for (size_t i = 2; i + 1 < b.size; i++) {
        if (b.data[i] == 0xFF && b.data[i + 1] == 0xDA) {
            b.data[i + 1] = 0xD9;
            b.size = i + 2;
            return b;
        }
    }
    abort();
}
static bytes jpeg_sof_length_huge(void) {
    bytes b = valid_jpeg(0);
    size_t at = sof_at(&b);
    b.data[at] = 0xFF;
    b.data[at + 1] = 0xFF;
    return b;
}
static bytes jpeg_components_zero(void) {
    bytes b = valid_jpeg(0);
    b.data[sof_at(&b) + 7] = 0; /* the component count */
    return b;
}

/*
 * The smallest grayscale JPEG there is, by hand: 8 x 8, one block, every
 * coefficient zero. DC and AC tables each hold one 1-bit code ('0'): DC
 * category 0 and AC end-of-block, so the scan is the two bits 00, padded
 * with ones. `precision` 8 (SOF0, 8-bit quantizers) is a valid baseline
 * image; 12 (SOF1, 16-bit quantizers) is the same image in 12-bit samples,
 * which the codec refuses as unsupported. The 8-bit twin decoding proves the
 * 12-bit refusal is about the precision and not the hand-made stream.
 */
static bytes jpeg_handmade(int precision) {
    bytes b = copy_of((const uint8_t[]){0xFF, 0xD8}, 2);
    const int wide = precision == 12;
    uint8_t dqt[4 + 1 + 128];
    size_t dqt_length = 2 + 1 + (wide ? 128 : 64);
    dqt[0] = 0xFF, dqt[1] = 0xDB, dqt[2] = 0, dqt[3] = (uint8_t)dqt_length;
    dqt[4] = wide ? 0x10 : 0x00;
    for (int i = 0; i < (wide ? 128 : 64); i++) dqt[5 + i] = wide ? (uint8_t)(i % 2) : 1; /* all quantizers 1 */
    append(&b, dqt, 2 + dqt_length);
    const uint8_t sof[] = {0xFF, wide ? 0xC1 : 0xC0, 0, 11, (uint8_t)precision, 0, 8, 0, 8, 1, 1, 0x11, 0};
    append(&b, sof, sizeof sof);
    uint8_t dht[2 + 2 + 2 * (1 + 16 + 1)] = {0xFF, 0xC4, 0, 2 + 2 * (1 + 16 + 1)};
    for (int t = 0; t < 2; t++) {
        uint8_t *table = dht + 4 + t * 18;
        table[0] = (uint8_t)(t << 4); /* class 0 (DC) then 1 (AC), id 0 */
        table[1] = 1;                 /* one code of length 1 */
        table[17] = 0x00;             /* DC: category 0; AC: end of block */
    }
    append(&b, dht, sizeof dht);
    const uint8_t sos[] = {0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0, 0x3F, 0xFF, 0xD9};
    append(&b, sos, sizeof sos);
    return b;
}
static bytes jpeg_8bit_handmade(void) { return jpeg_handmade(8); }
static bytes jpeg_12bit(void) { return jpeg_handmade(12); }

/* ---- not an image ------------------------------------------------------------------------- */

static bytes empty(void) { return copy_of(NULL, 0); }
static bytes gif_named_png(void) { return copy_of((const uint8_t *)"GIF89a\x01\0\x01\0\0\0\0;", 14); }
static bytes text_named_jpg(void) { return copy_of((const uint8_t *)"<html>not an image</html>\n", 26); }
static bytes noise(void) {
    bytes b = copy_of(NULL, 0);
    unsigned long long s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 512; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint8_t v = (uint8_t)(s >> 32);
        if (i == 0 && (v == 0x89 || v == 0xFF)) v = 0; /* not a signature by chance */
        append(&b, &v, 1);
    }
    return b;
}
/* A truncated JPEG behind a .png name: judged by its bytes, it is a corrupt JPEG. */
static bytes jpeg_named_png_truncated(void) { return jpeg_truncated_half(); }

static bytes control_png(void) { return valid_png(); }
static bytes control_jpeg(void) { return valid_jpeg(0); }
static bytes control_progressive_jpeg(void) { return valid_jpeg(1); }
static bytes control_png_named_jpg(void) { return png_gray4(); }

typedef struct image_case {
    const char *file, *status, *needle;
    bytes (*make)(void);
} image_case;

static const image_case cases[] = {
    {"control.png", "CIC_OK", "", control_png},
    {"control.jpg", "CIC_OK", "", control_jpeg},
    {"control_progressive.jpg", "CIC_OK", "", control_progressive_jpeg},
    {"control_gray4_named.jpg", "CIC_OK", "", control_png_named_jpg},
    {"control_8bit_handmade.jpg", "CIC_OK", "", jpeg_8bit_handmade},
    {"empty.png", "CIC_ERR_FORMAT", "empty data", empty},
    {"gif_named.png", "CIC_ERR_FORMAT", "not a PNG or JPEG", gif_named_png},
    {"text_named.jpg", "CIC_ERR_FORMAT", "not a PNG or JPEG", text_named_jpg},
    {"noise.jpg", "CIC_ERR_FORMAT", "not a PNG or JPEG", noise},
    {"png_truncated_half.png", "CIC_ERR_CORRUPT", "truncated", png_truncated_half},
    {"png_truncated_in_iend.png", "CIC_ERR_CORRUPT", "truncated", png_truncated_in_iend},
    {"png_signature_only.png", "CIC_ERR_CORRUPT", "truncated", png_signature_only},
    {"png_bad_ihdr_crc.png", "CIC_ERR_CORRUPT", "IHDR: CRC error", png_bad_ihdr_crc},
    {"png_bad_idat_crc.png", "CIC_ERR_CORRUPT", "IDAT: CRC error", png_bad_idat_crc},
    {"png_zero_width.png", "CIC_ERR_CORRUPT", "Invalid IHDR", png_zero_width},
    {"png_bit_depth_3.png", "CIC_ERR_CORRUPT", "Invalid IHDR", png_bit_depth_3},
    {"png_color_type_9.png", "CIC_ERR_CORRUPT", "Invalid IHDR", png_color_type_9},
    {"png_interlace_2.png", "CIC_ERR_CORRUPT", "Invalid IHDR", png_interlace_2},
    {"png_palette_without_plte.png", "CIC_ERR_CORRUPT", "PLTE", png_palette_without_plte},
    {"png_idat_too_short.png", "CIC_ERR_CORRUPT", "Not enough image data", png_idat_too_short},
    {"png_bad_filter_type.png", "CIC_ERR_CORRUPT", "filter", png_bad_filter_type},
    {"png_idat_not_zlib.png", "CIC_ERR_CORRUPT", "IDAT", png_idat_not_zlib},
    {"png_chunk_length_huge.png", "CIC_ERR_CORRUPT", "truncated", png_chunk_length_huge},
    {"png_bomb_100000x100000.png", "CIC_ERR_TOO_LARGE", "100000x100000", png_bomb_dims},
    {"png_width_2_31.png", "CIC_ERR_CORRUPT", "out of range", png_width_2_31},
    {"jpeg_truncated_half.jpg", "CIC_ERR_CORRUPT", "Premature end", jpeg_truncated_half},
    {"jpeg_truncated_named.png", "CIC_ERR_CORRUPT", "corrupt JPEG", jpeg_named_png_truncated},
    {"jpeg_progressive_truncated.jpg", "CIC_ERR_CORRUPT", "Premature end", jpeg_progressive_truncated},
    {"jpeg_soi_only.jpg", "CIC_ERR_CORRUPT", "Premature end", jpeg_soi_only},
    {"jpeg_bomb_60000x60000.jpg", "CIC_ERR_TOO_LARGE", "60000x60000", jpeg_bomb_60000},
    {"jpeg_bomb_65535x65535.jpg", "CIC_ERR_TOO_LARGE", "dimension", jpeg_bomb_65535},
    {"jpeg_zero_height.jpg", "CIC_ERR_CORRUPT", "Empty JPEG image", jpeg_zero_height},
    {"jpeg_no_scan.jpg", "CIC_ERR_CORRUPT", "SOS", jpeg_no_scan},
    {"jpeg_sof_length_huge.jpg", "CIC_ERR_CORRUPT", "marker length", jpeg_sof_length_huge},
    {"jpeg_components_zero.jpg", "CIC_ERR_CORRUPT", "Empty JPEG image", jpeg_components_zero},
    {"jpeg_12bit.jpg", "CIC_ERR_UNSUPPORTED", "12-bit", jpeg_12bit},
};

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    FILE *manifest = corpus_open_manifest(
        argv[1], "Written by tools/hostile/make_images.c: file, expected cic_decode status, text the message must contain");
    if (manifest == NULL) return 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[1024];
        snprintf(line, sizeof line, "%s\t%s\t%s\n", cases[i].file, cases[i].status, cases[i].needle);
        if (corpus_write(argv[1], cases[i].file, cases[i].make(), manifest, line) != 0) return 1;
    }
    return fclose(manifest) == 0 ? 0 : 1;
}

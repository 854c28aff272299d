/*
 * Writes the image fuzzer's seed corpus into a directory: small PNGs of every colour type and
 * bit depth (palette and tRNS, Adam7, ancillary chunks) and JPEGs (baseline, 4:4:4, progressive,
 * gray, restart markers, arithmetic coding, CMYK and YCCK, EXIF orientation in APP1), written
 * with libpng and libjpeg directly so that the seeds do not depend on the encoders under test.
 *   make_image_seeds DIR
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#define W 13 /* odd sizes and more than 8 rows: every Adam7 pass and partial MCUs appear */
#define H 11

static const char *directory;

static FILE *open_seed(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    return f;
}

/* A deterministic pattern that reaches every value of the sample depth. */
static unsigned sample(unsigned x, unsigned y, unsigned c, int depth) {
    const unsigned v = x * 7u + y * 13u + c * 5u + x * y;
    return (depth == 16 ? v * 2053u : v) & ((1u << depth) - 1u);
}

static void put_bits(png_bytep row, unsigned index, int depth, unsigned value) {
    if (depth == 16) {
        row[2 * index] = (png_byte)(value >> 8);
        row[2 * index + 1] = (png_byte)value;
    } else if (depth == 8) {
        row[index] = (png_byte)value;
    } else {
        unsigned bit = index * (unsigned)depth;
        row[bit / 8] |= (png_byte)(value << (8 - depth - (int)(bit % 8)));
    }
}

enum { NO_TRNS = 0, WITH_TRNS = 1 };

static void write_png(const char *name, int color_type, int depth, int interlace, int trns, int ancillary) {
    FILE *f = open_seed(name);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (png == NULL || info == NULL || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng failed writing %s\n", name);
        exit(1);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, W, H, depth, color_type,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    const unsigned channels = color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_PALETTE ? 1
                              : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                              : color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color palette[256];
        png_byte alpha[256];
        const int entries = 1 << depth;
        for (int i = 0; i < entries; i++) {
            palette[i] = (png_color){(png_byte)(i * 37), (png_byte)(255 - i * 11), (png_byte)(i * 101)};
            alpha[i] = (png_byte)(255 - i * 53);
        }
        png_set_PLTE(png, info, palette, entries);
        if (trns) png_set_tRNS(png, info, alpha, entries > 4 ? 4 : entries, NULL);
    } else if (trns) {
        png_color_16 key = {0, (png_uint_16)sample(1, 0, 0, depth), (png_uint_16)sample(1, 0, 1, depth),
                            (png_uint_16)sample(1, 0, 2, depth), (png_uint_16)sample(1, 0, 0, depth)};
        png_set_tRNS(png, info, NULL, 0, &key);
    }
    if (ancillary) {
        png_text text[2] = {{.compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment", .text = "dlrt seed"},
                            {.compression = PNG_TEXT_COMPRESSION_zTXt, .key = "Software", .text = "make_image_seeds"}};
        png_set_text(png, info, text, 2);
        png_set_gAMA(png, info, 1.0 / 2.2);
        png_color_16 background = {0, 10, 20, 30, 10};
        png_set_bKGD(png, info, &background);
    }
    png_write_info(png, info);
    const size_t row_bytes = ((size_t)W * channels * (size_t)depth + 7) / 8;
    png_bytep rows[H];
    png_bytep block = calloc(H, row_bytes);
    for (unsigned y = 0; y < H; y++) {
        rows[y] = block + y * row_bytes;
        for (unsigned x = 0; x < W; x++) {
            for (unsigned c = 0; c < channels; c++) put_bits(rows[y], x * channels + c, depth, sample(x, y, c, depth));
        }
    }
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(block);
    fclose(f);
}

/* An APP1 payload "Exif\0\0" + a TIFF header + IFD0 holding one Orientation SHORT. */
static size_t exif_app1(unsigned char *out, int orientation, int little) {
    static const unsigned char big_endian[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                                               0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char little_endian[] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                                                  1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(out, little ? little_endian : big_endian, sizeof big_endian);
    out[little ? 24 : 25] = (unsigned char)orientation; /* IFD entry at 16, its value 8 bytes in */
    return sizeof big_endian;
}

typedef struct {
    int components;  /* 1 gray, 3 RGB, 4 CMYK */
    int ycck;        /* with 4 components */
    int progressive;
    int full_chroma; /* 4:4:4 instead of libjpeg's default 4:2:0 */
    int restart_rows;
    int arithmetic;
    int optimize;
    int orientation; /* 0: no APP1 */
    int little_endian_exif;
    int width, height;
} jpeg_seed;

static void write_jpeg(const char *name, jpeg_seed s) {
    FILE *f = open_seed(name);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr errors;
    cinfo.err = jpeg_std_error(&errors);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = (JDIMENSION)s.width;
    cinfo.image_height = (JDIMENSION)s.height;
    cinfo.input_components = s.components;
    cinfo.in_color_space = s.components == 1 ? JCS_GRAYSCALE : s.components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    if (s.components == 4) jpeg_set_colorspace(&cinfo, s.ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&cinfo, 80, TRUE);
    if (s.full_chroma) cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = 1;
    if (s.progressive) jpeg_simple_progression(&cinfo);
    cinfo.restart_in_rows = s.restart_rows;
    cinfo.arith_code = s.arithmetic ? TRUE : FALSE;
    cinfo.optimize_coding = s.optimize ? TRUE : FALSE;
    jpeg_start_compress(&cinfo, TRUE);
    if (s.orientation != 0) {
        unsigned char app1[64];
        size_t n = exif_app1(app1, s.orientation, s.little_endian_exif);
        jpeg_write_marker(&cinfo, JPEG_APP0 + 1, app1, (unsigned)n);
    }
    unsigned char *row = malloc((size_t)s.width * (size_t)s.components);
    while (cinfo.next_scanline < cinfo.image_height) {
        for (int x = 0; x < s.width; x++) {
            for (int c = 0; c < s.components; c++) {
                row[x * s.components + c] = (unsigned char)sample((unsigned)x, cinfo.next_scanline, (unsigned)c, 8);
            }
        }
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(row);
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_image_seeds DIR\n");
        return 2;
    }
    directory = argv[1];
    static const int gray_depths[] = {1, 2, 4, 8, 16};
    char name[64];
    for (size_t i = 0; i < sizeof gray_depths / sizeof *gray_depths; i++) {
        snprintf(name, sizeof name, "gray%d.png", gray_depths[i]);
        write_png(name, PNG_COLOR_TYPE_GRAY, gray_depths[i], 0, NO_TRNS, 0);
        snprintf(name, sizeof name, "gray%d_trns.png", gray_depths[i]);
        write_png(name, PNG_COLOR_TYPE_GRAY, gray_depths[i], 0, WITH_TRNS, 0);
    }
    for (int depth = 1; depth <= 8; depth *= 2) {
        snprintf(name, sizeof name, "palette%d.png", depth);
        write_png(name, PNG_COLOR_TYPE_PALETTE, depth, 0, NO_TRNS, 0);
        snprintf(name, sizeof name, "palette%d_trns.png", depth);
        write_png(name, PNG_COLOR_TYPE_PALETTE, depth, 0, WITH_TRNS, 0);
    }
    for (int depth = 8; depth <= 16; depth *= 2) {
        snprintf(name, sizeof name, "gray_alpha%d.png", depth);
        write_png(name, PNG_COLOR_TYPE_GRAY_ALPHA, depth, 0, NO_TRNS, 0);
        snprintf(name, sizeof name, "rgb%d.png", depth);
        write_png(name, PNG_COLOR_TYPE_RGB, depth, 0, NO_TRNS, 0);
        snprintf(name, sizeof name, "rgb%d_trns.png", depth);
        write_png(name, PNG_COLOR_TYPE_RGB, depth, 0, WITH_TRNS, 0);
        snprintf(name, sizeof name, "rgba%d.png", depth);
        write_png(name, PNG_COLOR_TYPE_RGB_ALPHA, depth, 0, NO_TRNS, 0);
    }
    write_png("gray1_adam7.png", PNG_COLOR_TYPE_GRAY, 1, 1, NO_TRNS, 0);
    write_png("gray16_adam7.png", PNG_COLOR_TYPE_GRAY, 16, 1, NO_TRNS, 0);
    write_png("palette4_trns_adam7.png", PNG_COLOR_TYPE_PALETTE, 4, 1, WITH_TRNS, 0);
    write_png("rgb8_adam7.png", PNG_COLOR_TYPE_RGB, 8, 1, NO_TRNS, 0);
    write_png("rgba16_adam7.png", PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, NO_TRNS, 0);
    write_png("gray_alpha8_adam7.png", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 1, NO_TRNS, 0);
    write_png("rgb8_text_gama_bkgd.png", PNG_COLOR_TYPE_RGB, 8, 0, NO_TRNS, 1);

    const jpeg_seed rgb = {.components = 3, .width = 19, .height = 13};
    jpeg_seed s = rgb;
    write_jpeg("baseline.jpg", s);
    s = rgb, s.full_chroma = 1, s.optimize = 1;
    write_jpeg("baseline_444_optimized.jpg", s);
    s = rgb, s.progressive = 1, s.width = 35, s.height = 21;
    write_jpeg("progressive.jpg", s);
    s = rgb, s.restart_rows = 1;
    write_jpeg("restart.jpg", s);
    s = rgb, s.arithmetic = 1;
    write_jpeg("arithmetic.jpg", s);
    s = rgb, s.arithmetic = 1, s.progressive = 1;
    write_jpeg("arithmetic_progressive.jpg", s);
    s = rgb, s.components = 1;
    write_jpeg("gray.jpg", s);
    s = rgb, s.components = 1, s.progressive = 1;
    write_jpeg("gray_progressive.jpg", s);
    s = rgb, s.components = 4;
    write_jpeg("cmyk.jpg", s);
    s = rgb, s.components = 4, s.ycck = 1;
    write_jpeg("ycck.jpg", s);
    for (int orientation = 2; orientation <= 8; orientation++) {
        s = rgb, s.orientation = orientation, s.little_endian_exif = orientation % 2;
        snprintf(name, sizeof name, "exif_orientation%d.jpg", orientation);
        write_jpeg(name, s);
    }
    s = rgb, s.components = 1, s.orientation = 6, s.progressive = 1;
    write_jpeg("gray_progressive_exif6.jpg", s);
    s = rgb, s.width = 64, s.height = 48, s.orientation = 5;
    write_jpeg("scalable_exif5.jpg", s); /* big enough for the 1/2, 1/4 and 1/8 IDCTs under minimumSize */
    return 0;
}

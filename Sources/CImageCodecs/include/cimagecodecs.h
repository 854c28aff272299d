/*
 * cimagecodecs.h: safe wrappers over the system libpng, libjpeg(-turbo) and zlib.
 *
 * Contract (for DLImage and the data loaders, not a public ABI):
 *  - Nothing here exits, aborts, prints or lets a library error handler reach the
 *    process. libjpeg's error_exit and libpng's error callback longjmp back into
 *    the call that started the work. Warnings are never printed: they are
 *    counted and the first is kept in the decoded image's `warnings` (for JPEG,
 *    the ones that mean "corrupt or truncated data" are promoted to errors).
 *  - Every function that can fail returns a cic_status and writes a one-line,
 *    NUL-terminated message into the caller's buffer (truncated to fit).
 *  - Sizes from the file are checked against caps *before* the pixel buffer is
 *    allocated, so a tiny file that declares a huge image is refused cheaply.
 *  - Buffers returned through `uint8_t **` are malloc'd; release with cic_free.
 */
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CIC_OK = 0,
    CIC_ERR_ARGUMENT = 1,     /* bad argument from the caller */
    CIC_ERR_FORMAT = 2,       /* not a PNG or JPEG (by magic bytes) */
    CIC_ERR_CORRUPT = 3,      /* truncated or malformed data */
    CIC_ERR_UNSUPPORTED = 4,  /* valid but outside what we decode (12-bit JPEG, ...) */
    CIC_ERR_TOO_LARGE = 5,    /* declared dimensions over the caller's cap */
    CIC_ERR_NO_MEMORY = 6,
} cic_status;

typedef enum { CIC_FORMAT_UNKNOWN = 0, CIC_FORMAT_PNG = 1, CIC_FORMAT_JPEG = 2 } cic_format;

/* The default cap on width * height: 2^26 pixels (e.g. 8192 x 8192). */
#define CIC_DEFAULT_MAX_PIXELS ((uint64_t)1 << 26)
/* The default cap on gunzip output: 2 GiB. */
#define CIC_DEFAULT_MAX_GUNZIP ((uint64_t)1 << 31)

typedef struct {
    /* Refuse images with width * height above this; 0 means CIC_DEFAULT_MAX_PIXELS. */
    uint64_t max_pixels;
    /* JPEG: rotate/flip per the EXIF orientation tag (APP1). Nonzero = apply. */
    int apply_exif_orientation;
    /* PNG alpha (and tRNS) is composited over this colour unless keep_alpha. */
    uint8_t background_rgb[3];
    /* Nonzero: images with alpha decode to 4 channels (RGBA; gray+alpha is expanded). */
    int keep_alpha;
    /*
     * JPEG only, a speed hint for callers that will shrink the image anyway:
     * when either is nonzero, decode with libjpeg's scaled IDCT at the smallest
     * of 1/8, 1/4, 1/2 (else full size) whose output is still at least
     * min_width x min_height, measured after EXIF orientation. PNG ignores it.
     */
    uint32_t min_width;
    uint32_t min_height;
} cic_decode_options;

/* Defaults: cap 2^26 pixels, orientation applied, white background, alpha composited, full size. */
void cic_decode_options_init(cic_decode_options *options);

#define CIC_WARNING_CAPACITY 160

/* The warnings a codec raised during a decode that succeeded (none are printed). */
typedef struct {
    uint32_t count;                   /* how many */
    char first[CIC_WARNING_CAPACITY]; /* the first one, NUL-terminated; "" when count is 0 */
} cic_warnings;

typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels; /* 1 (gray), 3 (RGB) or 4 (RGBA, only with keep_alpha) */
    uint8_t *pixels;   /* height * width * channels bytes, row-major, interleaved */
    cic_warnings warnings;
} cic_image;

cic_format cic_detect_format(const uint8_t *data, size_t size);

/* Decode a PNG or JPEG (detected by magic bytes). On failure *out is zeroed. */
cic_status cic_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                      cic_image *out, char *message, size_t message_capacity);
cic_status cic_png_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                          cic_image *out, char *message, size_t message_capacity);
cic_status cic_jpeg_decode(const uint8_t *data, size_t size, const cic_decode_options *options,
                           cic_image *out, char *message, size_t message_capacity);

/* Releases the pixels of an image (and zeroes it). */
void cic_image_release(cic_image *image);
void cic_free(void *pointer);

/* Encode 8-bit gray (1), RGB (3) or RGBA (4) pixels as PNG into a malloc'd buffer. */
cic_status cic_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                          int compression_level, uint8_t **out, size_t *out_size,
                          char *message, size_t message_capacity);

/*
 * Encode as baseline (or progressive) JPEG. channels: 1 (gray), 3 (RGB) or
 * 4 = CMYK samples written as they are, with libjpeg's Adobe marker (so a reader
 * treats them as Adobe-inverted CMYK); `ycck` then selects YCCK instead of CMYK.
 */
cic_status cic_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                           int quality, int progressive, int ycck, uint8_t **out, size_t *out_size,
                           char *message, size_t message_capacity);

/*
 * The EXIF orientation (1...8) in the payload of an APP1 segment (starting at
 * "Exif\0\0"), or 0 if absent or malformed. Every offset is bounds-checked.
 */
int cic_exif_orientation(const uint8_t *app1, size_t size);

/* Rotate/flip interleaved pixels per an EXIF orientation 1...8 into a new buffer (warnings are copied). */
cic_status cic_apply_orientation(const cic_image *in, int orientation, cic_image *out,
                                 char *message, size_t message_capacity);

/*
 * Inflate gzip (one or more members) or zlib data into a malloc'd buffer of at
 * most max_output bytes (0 = CIC_DEFAULT_MAX_GUNZIP). Truncated input is an error.
 */
cic_status cic_gunzip(const uint8_t *data, size_t size, uint64_t max_output,
                      uint8_t **out, size_t *out_size, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif

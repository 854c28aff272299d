/*
 * libFuzzer target: PNG and JPEG decode through the project's codecs (Sources/CImageCodecs),
 * with the options DLImage passes (Sources/DLImage/Image+Decode.swift), then a PNG re-encode
 * of small results that must decode back to the same pixels.
 *   make fuzz-image && build-fuzz/fuzz_image -max_total_time=60 build-fuzz/corpus-image
 */
#include <cimagecodecs.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DLImage's cap is 2^26 pixels; the same check with a smaller number keeps each input from
 * allocating up to 256 MB, which would slow the fuzzer by orders of magnitude. */
#define FUZZ_MAX_PIXELS ((uint64_t)1 << 22)
/* Only images this small are re-encoded: the round trip is a check, not the point. */
#define ROUND_TRIP_MAX_PIXELS 4096u

static uint64_t fnv1a(const uint8_t *data, size_t size) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211u;
    return h;
}

/* The options come from a hash of the input, so each input always decodes the same way
 * (a crash replays) while the corpus as a whole covers every DecodeOptions path:
 * keepAlpha, EXIF orientation on (mostly) or off, minimumSize, the background colour. */
static cic_decode_options options_for(const uint8_t *data, size_t size) {
    const uint64_t h = fnv1a(data, size);
    cic_decode_options options;
    cic_decode_options_init(&options);
    options.max_pixels = FUZZ_MAX_PIXELS;
    options.keep_alpha = (int)(h & 1);
    options.apply_exif_orientation = ((h >> 1) & 3) != 0;
    if ((h >> 3) & 1) {
        options.min_width = (uint32_t)((h >> 4) & 255);
        options.min_height = (uint32_t)((h >> 12) & 255);
    }
    options.background_rgb[0] = (uint8_t)(h >> 20);
    options.background_rgb[1] = (uint8_t)(h >> 28);
    options.background_rgb[2] = (uint8_t)(h >> 36);
    return options;
}

/* A decoded image must have the shape the header promises; every byte is read so that
 * AddressSanitizer sees a buffer shorter than width * height * channels. */
static void check_decoded(const cic_image *image, const cic_decode_options *options) {
    if (image->pixels == NULL || image->width == 0 || image->height == 0) abort();
    if ((uint64_t)image->width * image->height > options->max_pixels) abort();
    if (image->channels != 1 && image->channels != 3 && !(image->channels == 4 && options->keep_alpha)) abort();
    const size_t n = (size_t)image->width * image->height * image->channels;
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) sum ^= image->pixels[i];
    (void)sum;
}

/* PNG stores 8-bit gray, RGB and RGBA exactly: decoding our own encoding must give the pixels back. */
static void check_round_trip(const cic_image *image) {
    if ((uint64_t)image->width * image->height > ROUND_TRIP_MAX_PIXELS) return;
    uint8_t *png = NULL;
    size_t png_size = 0;
    char message[256];
    if (cic_png_encode(image->pixels, image->width, image->height, image->channels, 1, &png, &png_size, message,
                       sizeof message) != CIC_OK) {
        abort();
    }
    cic_decode_options options;
    cic_decode_options_init(&options);
    options.keep_alpha = 1;
    cic_image back;
    if (cic_decode(png, png_size, &options, &back, message, sizeof message) != CIC_OK) abort();
    const size_t n = (size_t)image->width * image->height * image->channels;
    if (back.width != image->width || back.height != image->height || back.channels != image->channels ||
        memcmp(back.pixels, image->pixels, n) != 0) {
        abort();
    }
    cic_image_release(&back);
    cic_free(png);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const cic_decode_options options = options_for(data, size);
    const cic_format format = cic_detect_format(data, size);
    cic_image image;
    char message[512];
    message[0] = '\0';
    const cic_status status = cic_decode(data, size, &options, &image, message, sizeof message);
    if (status != CIC_OK) {
        /* A refusal leaves no image behind and always explains itself. */
        if (image.pixels != NULL || image.width != 0 || message[0] == '\0') abort();
        return 0;
    }
    if (format == CIC_FORMAT_UNKNOWN) abort();
    check_decoded(&image, &options);
    check_round_trip(&image);
    cic_image_release(&image);
    return 0;
}

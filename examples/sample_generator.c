/*
 * sample_generator: draw images from a generator model (dlexport of a
 * `dltrain --model dcgan` checkpoint) through the C ABI alone, and write them
 * as one binary PGM grid (no image library needed), or a PNG with libpng.
 *
 *   cc sample_generator.c $(pkg-config --cflags --libs dlrt) -lm -o sample_generator
 *   ./sample_generator models/mnist-dcgan.dlrt out.pgm [count] [seed]
 *
 * Built with libpng, it writes PNG when the output name ends in .png:
 *
 *   cc -DWITH_LIBPNG sample_generator.c $(pkg-config --cflags --libs dlrt libpng) -lm -o sample_generator
 *   ./sample_generator models/mnist-acgan.dlrt out.png
 *
 * The latents are those of `dlsample --seed SEED` (docs/GAN.md): SplitMix64,
 * 53-bit uniforms, Box-Muller in double, both values of each pair used; the
 * grid is dlsample's default layout (ceil(sqrt(count)) columns, 2 black
 * pixels around and between tiles), and values map from output.range to
 * 0..255 rounded half away from zero, so the PGM holds the same pixels as
 * `dlsample MODEL -n COUNT --seed SEED`'s PNG (gray models). A conditional
 * generator (metadata input.latent_classes K) gets its class code as dlsample
 * writes it: the latent's last K values one-hot, class k mod K for sample k.
 */
#include <dlrt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef WITH_LIBPNG
#include <png.h>
#endif

static int fail(const char *what, dlrt_status status) {
    fprintf(stderr, "sample_generator: %s: %s: %s\n", what, dlrt_status_name(status), dlrt_last_error());
    return 1;
}

/* SplitMix64 (Steele, Lea & Flood), then standard normals by Box-Muller. */
typedef struct {
    uint64_t state;
    int has_spare;
    double spare;
} normal_rng;

static uint64_t splitmix64(normal_rng *g) {
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform53(normal_rng *g) { return (double)(splitmix64(g) >> 11) * 0x1p-53; }

static float next_normal(normal_rng *g) {
    if (g->has_spare) {
        g->has_spare = 0;
        return (float)g->spare;
    }
    double a = uniform53(g), b = uniform53(g);
    double r = sqrt(-2.0 * log(1.0 - a)), angle = 2.0 * 3.14159265358979323846 * b; /* M_PI is not C11 */
    g->spare = r * sin(angle);
    g->has_spare = 1;
    return (float)(r * cos(angle));
}

/* The grid as an 8-bit gray PNG (built with libpng, for a .png name) or a binary PGM; 0 on success.
 * A file it created and could not finish is removed; one it could not open is left alone. */
static int write_grid(const char *path, const unsigned char *pixels, size_t width, size_t height, const char **format) {
    int png = 0;
#ifdef WITH_LIBPNG
    size_t length = strlen(path);
    png = length >= 4 && strcmp(path + length - 4, ".png") == 0;
#endif
    *format = png ? "PNG" : "PGM";
    FILE *f = fopen(path, "wb");
    if (f == NULL) return -1;
    int ok;
#ifdef WITH_LIBPNG
    if (png) {
        png_image image;
        memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
        image.width = (png_uint_32)width;
        image.height = (png_uint_32)height;
        image.format = PNG_FORMAT_GRAY;
        ok = png_image_write_to_stdio(&image, f, 0, pixels, 0, NULL) != 0;
    } else
#endif
        ok = fprintf(f, "P5\n%zu %zu\n255\n", width, height) >= 0 && fwrite(pixels, 1, width * height, f) == width * height;
    if (fclose(f) == 0 && ok) return 0;
    remove(path);
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: sample_generator model.dlrt out.pgm|out.png [count (default 16)] [seed (default 0)]\n");
        return 2;
    }
    long count = argc > 3 ? strtol(argv[3], NULL, 10) : 16;
    unsigned long long seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    if (count < 1 || count > 4096) {
        fprintf(stderr, "sample_generator: count must be 1..4096, got %s\n", argv[3]);
        return 2;
    }

    dlrt_model *model;
    dlrt_status st = dlrt_model_load_file(argv[1], NULL, &model);
    if (st != DLRT_OK) return fail("load", st);

    /* A generator: output.kind = image, an output range, one latent input, a 1-channel image output. */
    const char *kind;
    size_t kind_length;
    double range[2];
    size_t range_count = 0;
    if (dlrt_model_meta_string(model, "output.kind", 0, &kind, &kind_length) != DLRT_OK || kind_length != 5 ||
        memcmp(kind, "image", 5) != 0 || dlrt_model_meta_length(model, "output.range", &range_count) != DLRT_OK ||
        range_count != 2 || dlrt_model_meta_f64(model, "output.range", 0, &range[0]) != DLRT_OK ||
        dlrt_model_meta_f64(model, "output.range", 1, &range[1]) != DLRT_OK || !(range[1] > range[0])) {
        fprintf(stderr, "sample_generator: %s is not a generator (needs output.kind = image and output.range)\n", argv[1]);
        return 1;
    }

    dlrt_session_options options;
    dlrt_session_options_defaults(&options);
    options.batch = count;
    dlrt_session *session;
    if ((st = dlrt_session_create(model, &options, &session)) != DLRT_OK) return fail("session", st);
    dlrt_tensor_info in = {.struct_size = sizeof in}, out = {.struct_size = sizeof out};
    dlrt_session_input_info(session, 0, &in);
    dlrt_session_output_info(session, 0, &out);
    if (out.rank != 4 || out.shape[1] != 1 || in.rank < 2) {
        fprintf(stderr, "sample_generator: expected a latent input and a [N, 1, H, W] output\n");
        return 1;
    }
    size_t latent = 1;
    for (uint32_t d = 1; d < in.rank; d++) latent *= (size_t)in.shape[d];
    size_t h = (size_t)out.shape[2], w = (size_t)out.shape[3], n = (size_t)count;

    float *z = malloc(n * latent * sizeof *z), *images = malloc(n * h * w * sizeof *images);
    if (z == NULL || images == NULL) return 1;
    normal_rng g = {.state = seed};
    for (size_t i = 0; i < n * latent; i++) z[i] = next_normal(&g);
    /* A conditional generator (AC-GAN): the latent ends in a one-hot code of K classes; sample k draws class k mod K. */
    int64_t classes = 0;
    if (dlrt_model_meta_i64(model, "input.latent_classes", 0, &classes) == DLRT_OK && classes > 0 &&
        (size_t)classes < latent) {
        size_t k = (size_t)classes;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++) z[i * latent + latent - k + j] = j == i % k ? 1.0f : 0.0f;
    }
    if ((st = dlrt_session_set_input(session, 0, z, n * latent)) != DLRT_OK) return fail("input", st);
    if ((st = dlrt_session_run(session)) != DLRT_OK) return fail("run", st);
    if ((st = dlrt_session_get_output(session, 0, images, n * h * w)) != DLRT_OK) return fail("output", st);

    size_t columns = 1;
    while (columns * columns < n) columns++;
    size_t rows = (n + columns - 1) / columns;
    size_t width = columns * (w + 2) + 2, height = rows * (h + 2) + 2;
    unsigned char *pixels = calloc(width * height, 1);
    if (pixels == NULL) return 1;
    float lower = (float)range[0], scale = 255.0f / ((float)range[1] - lower);
    for (size_t k = 0; k < n; k++) {
        size_t x0 = 2 + (k % columns) * (w + 2), y0 = 2 + (k / columns) * (h + 2);
        for (size_t y = 0; y < h; y++) {
            for (size_t x = 0; x < w; x++) {
                /* In float, as dlsample computes it. */
                float level = roundf((images[(k * h + y) * w + x] - lower) * scale);
                pixels[(y0 + y) * width + x0 + x] = level != level ? 0 : level < 0 ? 0 : level > 255 ? 255 : (unsigned char)level;
            }
        }
    }

    const char *format;
    if (write_grid(argv[2], pixels, width, height, &format) != 0) {
        fprintf(stderr, "sample_generator: cannot write %s\n", argv[2]);
        return 1;
    }
    printf("sample_generator: %zu samples of %zux%zu from %zu-value latents (seed %llu) -> %s (%zux%zu %s)\n", n, h,
           w, latent, seed, argv[2], width, height, format);
    free(pixels);
    free(images);
    free(z);
    dlrt_session_free(session);
    dlrt_model_free(model);
    return 0;
}

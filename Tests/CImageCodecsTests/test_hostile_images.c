/*
 * The committed hostile images (Tests/Fixtures/hostile/images, written by
 * tools/hostile/make_images.c) through cic_decode, the one entry point DLImage
 * uses: each ends with the status its MANIFEST line names, a message holding
 * the named text, and a zeroed image; the controls decode. Every file in the
 * folder needs a line. Built and run by `make test-hostile-images` (it links
 * libpng and libjpeg, which the C runtime's own suite must not).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cimagecodecs.h"
#include "hostile_manifest.h"

#define CORPUS_DIR "Tests/Fixtures/hostile/images"
#define MAX_CASES 128

/* MANIFEST fields: file, status name, text the message must contain. */
enum { FILE_NAME, STATUS, NEEDLE };

static int failures;

#define EXPECT(cond, ...)                                                               \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            failures++;                                                                 \
            fprintf(stderr, "  %s:%d: EXPECT(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
        }                                                                               \
    } while (0)

static const char *status_name(cic_status s) {
    static const char *const names[] = {"CIC_OK", "CIC_ERR_ARGUMENT", "CIC_ERR_FORMAT", "CIC_ERR_CORRUPT",
                                        "CIC_ERR_UNSUPPORTED", "CIC_ERR_TOO_LARGE", "CIC_ERR_NO_MEMORY"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* Reads a file into an exact-size buffer, so a read past its end is one a memory checker sees. */
static uint8_t *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *size = n > 0 ? (size_t)n : 0;
    uint8_t *data = malloc(*size ? *size : 1);
    if (data != NULL && fread(data, 1, *size, f) != *size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static void check(const hm_line *line) {
    const char *file = line->field[FILE_NAME], *want = line->field[STATUS], *needle = line->field[NEEDLE];
    char path[sizeof CORPUS_DIR + HM_FIELD_CAPACITY];
    snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, file);
    size_t size;
    uint8_t *data = read_all(path, &size);
    EXPECT(data != NULL, "%s: cannot read", path);
    if (data == NULL) return;
    cic_decode_options options;
    cic_decode_options_init(&options);
    cic_image image;
    memset(&image, 0xAB, sizeof image); /* a refusal must zero it */
    char message[256] = "";
    cic_status st = cic_decode(data, size, &options, &image, message, sizeof message);
    EXPECT(strcmp(status_name(st), want) == 0, "%s: got %s (%s), want %s", file, status_name(st), message, want);
    if (st == CIC_OK) {
        EXPECT(image.width > 0 && image.height > 0 && image.pixels != NULL, "%s: decoded to nothing", file);
        cic_image_release(&image);
    } else {
        EXPECT(message[0] != '\0' && strstr(message, needle) != NULL, "%s: message '%s' lacks '%s'", file, message, needle);
        EXPECT(image.pixels == NULL && image.width == 0 && image.height == 0, "%s: image not zeroed after a refusal", file);
    }
    free(data);
}

int main(void) {
    static hm_line lines[MAX_CASES];
    int count = hm_read(CORPUS_DIR, 3, lines, MAX_CASES);
    EXPECT(count >= 30, "%d cases in %s/MANIFEST, expected at least 30", count, CORPUS_DIR);
    int present = 0;
    EXPECT(hm_unlisted(CORPUS_DIR, lines, count, &present) == 0, "files in %s without a MANIFEST line", CORPUS_DIR);
    EXPECT(present == count, "%d files but %d MANIFEST lines", present, count);
    int controls = 0;
    for (int i = 0; i < count; i++) {
        check(&lines[i]);
        controls += strcmp(lines[i].field[STATUS], "CIC_OK") == 0;
    }
    EXPECT(controls > 0, "no control image");
    printf("hostile_images: %d files (%d controls): %s\n", count < 0 ? 0 : count, controls,
           failures ? "FAILED" : "all refused or decoded as the MANIFEST says");
    return failures ? 1 : 0;
}

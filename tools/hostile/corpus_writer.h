/*
 * What both hostile-corpus generators share (make_models.c, make_images.c):
 * a case's bytes, and writing each case's file plus one MANIFEST line into a
 * directory. Header-only: each generator is one program built from one file.
 */
#ifndef DLRT_HOSTILE_CORPUS_WRITER_H
#define DLRT_HOSTILE_CORPUS_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct bytes {
    uint8_t *data;
    size_t size;
} bytes;

/* Writes `b` (freed here) to DIR/FILE and appends LINE (ending in a newline) to `manifest`; 0 or -1 after perror. */
static int corpus_write(const char *dir, const char *file, bytes b, FILE *manifest, const char *line) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && (b.size == 0 || fwrite(b.data, 1, b.size, f) == b.size);
    if (f != NULL && fclose(f) != 0) ok = 0;
    free(b.data);
    if (!ok) {
        perror(path);
        return -1;
    }
    fputs(line, manifest);
    return 0;
}

/* Opens DIR/MANIFEST for writing with its header comment; NULL after perror. */
static FILE *corpus_open_manifest(const char *dir, const char *header) {
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *manifest = fopen(path, "w");
    if (manifest == NULL) {
        perror(path);
        return NULL;
    }
    fprintf(manifest, "# %s\n", header);
    return manifest;
}

#endif

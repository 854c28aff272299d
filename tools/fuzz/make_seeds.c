/* Writes the loader fuzzer's seed corpus: valid models built by the test encoder,
 * one computing in f32 and one in int8. */
#include <stdio.h>
#include <stdlib.h>

#include "../../Tests/CRuntimeTests/model_builder.h"

static int write_seed(const char *dir, const char *name, uint8_t *file, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(file, 1, size, f) == size;
    if (f != NULL && fclose(f) != 0) ok = 0;
    if (!ok) perror(path);
    free(file);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    size_t size;
    uint8_t *small = tb_small_model(&size);
    if (!write_seed(argv[1], "small.dlrt", small, size)) return 1;
    uint8_t *small_int8 = tb_small_int8_model(&size);
    return write_seed(argv[1], "small_int8.dlrt", small_int8, size) ? 0 : 1;
}

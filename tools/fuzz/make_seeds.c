/* Writes the loader fuzzer's seed corpus: valid models built by the test encoder. */
#include <stdio.h>
#include <stdlib.h>

#include "../../Tests/CRuntimeTests/model_builder.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    size_t size;
    uint8_t *file = tb_small_model(&size);
    char path[4096];
    snprintf(path, sizeof path, "%s/small.dlrt", argv[1]);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(file, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    free(file);
    return 0;
}

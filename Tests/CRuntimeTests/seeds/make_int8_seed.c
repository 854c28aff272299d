/* Writes the loader fuzzer's int8 seed (tb_small_int8_model) to the path given; tools/fuzz/make_seeds.c writes the f32 one. */
#include <stdio.h>
#include <stdlib.h>

#include "../model_builder.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_int8_seed FILE\n");
        return 2;
    }
    size_t size;
    uint8_t *file = tb_small_int8_model(&size);
    FILE *f = fopen(argv[1], "wb");
    if (f == NULL || fwrite(file, 1, size, f) != size || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    free(file);
    return 0;
}

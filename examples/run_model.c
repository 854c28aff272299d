/*
 * run_model: load a .dlrt model, describe it, run it, print its outputs.
 *
 *   cc run_model.c $(pkg-config --cflags --libs dlrt) -o run_model
 *   ./run_model model.dlrt [input.f32]
 *
 * input.f32 holds the input's float32 values, little-endian. Without it the
 * model's own self-test vector is checked and a zero input is run.
 */
#include <dlrt.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, dlrt_status status) {
    fprintf(stderr, "run_model: %s: %s: %s\n", what, dlrt_status_name(status), dlrt_last_error());
    return 1;
}

static size_t element_count(const dlrt_tensor_info *info) {
    size_t n = 1;
    for (uint32_t d = 0; d < info->rank; d++) n *= (size_t)info->shape[d];
    return n;
}

static void print_shape(const char *role, const dlrt_tensor_info *info) {
    printf("%s %s [", role, info->name);
    for (uint32_t d = 0; d < info->rank; d++) printf(d ? "x%lld" : "%lld", (long long)info->shape[d]);
    printf("]\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: run_model model.dlrt [input.f32]\n");
        return 2;
    }
    dlrt_model *model;
    dlrt_status st = dlrt_model_load_file(argv[1], NULL, &model);
    if (st != DLRT_OK) return fail("load", st);

    const char *name;
    size_t length;
    if (dlrt_model_meta_string(model, "model.name", 0, &name, &length) == DLRT_OK) printf("model %.*s\n", (int)length, name);
    printf("dlrt %s, kernels: %s, %zu nodes\n", dlrt_version_string(), dlrt_isa(), dlrt_model_node_count(model));

    double error;
    st = dlrt_model_selftest(model, &error);
    if (st == DLRT_OK) printf("selftest passed (worst error %.3f of tolerance)\n", error);
    else if (st != DLRT_ERR_NOT_FOUND) return fail("selftest", st);

    dlrt_session *session;
    if ((st = dlrt_session_create(model, NULL, &session)) != DLRT_OK) return fail("session", st);
    dlrt_tensor_info info = {.struct_size = sizeof info};
    dlrt_session_input_info(session, 0, &info);
    print_shape("input", &info);
    size_t n = element_count(&info);
    float *input = calloc(n, sizeof *input);
    if (input == NULL) return 1;
    if (argc == 3) {
        FILE *f = fopen(argv[2], "rb");
        if (f == NULL || fread(input, sizeof *input, n, f) != n) {
            fprintf(stderr, "run_model: %s: cannot read %zu float32 values\n", argv[2], n);
            return 1;
        }
        fclose(f);
    }
    if ((st = dlrt_session_set_input(session, 0, input, n)) != DLRT_OK) return fail("input", st);
    if ((st = dlrt_session_run(session)) != DLRT_OK) return fail("run", st);

    for (size_t o = 0; o < dlrt_model_output_count(model); o++) {
        dlrt_session_output_info(session, o, &info);
        print_shape("output", &info);
        size_t count = element_count(&info);
        float *output = malloc(count * sizeof *output);
        if (output == NULL) return 1;
        dlrt_session_get_output(session, o, output, count);
        for (size_t i = 0; i < count && i < 16; i++) printf("  [%zu] %.6f\n", i, output[i]);
        if (count > 16) printf("  ... %zu values\n", count);
        free(output);
    }
    free(input);
    dlrt_session_free(session);
    dlrt_model_free(model);
    return 0;
}

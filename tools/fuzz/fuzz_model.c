/*
 * libFuzzer target: the model loader plus one session run.
 *   make fuzz-model && build-fuzz/fuzz_model -max_total_time=60 build-fuzz/corpus tools/fuzz/corpus/model
 */
#include <dlrt.h>
#include <stdlib.h>
#include <string.h>

#include "../../Tests/CRuntimeTests/model_builder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_and_run(const uint8_t *data, size_t size) {
    dlrt_load_options options;
    dlrt_load_options_defaults(&options);
    options.flags = DLRT_LOAD_COPY;
    dlrt_model *model = NULL;
    if (dlrt_model_load_memory(data, size, &options, &model) != DLRT_OK) {
        if (dlrt_last_error()[0] == '\0') abort(); /* every refusal must explain itself */
        return;
    }
    size_t arena = 0;
    /* Valid but huge models are legal; the fuzzer only runs ones that fit in memory. */
    if (dlrt_session_arena_size(model, NULL, &arena) == DLRT_OK && arena <= (64u << 20)) {
        dlrt_session *session = NULL;
        if (dlrt_session_create(model, NULL, &session) == DLRT_OK) {
            for (size_t i = 0; i < dlrt_model_input_count(model); i++) {
                dlrt_tensor_info info = {.struct_size = sizeof info};
                dlrt_session_input_info(session, i, &info);
                size_t n = 1;
                for (uint32_t d = 0; d < info.rank; d++) n *= (size_t)info.shape[d];
                float *x = calloc(n, sizeof *x);
                if (x != NULL) dlrt_session_set_input(session, i, x, n);
                free(x);
            }
            dlrt_session_run(session);
            dlrt_session_free(session);
        }
    }
    dlrt_model_selftest(model, NULL);
    dlrt_model_free(model);
}

/* Each input is tried as it is, and again with its checksums repaired, so that
 * mutations reach the validation behind the CRCs instead of stopping at them. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    load_and_run(data, size);
    if (size >= 64) {
        uint8_t *fixed = malloc(size);
        if (fixed == NULL) return 0;
        memcpy(fixed, data, size);
        tb_fix_crcs(fixed, size);
        load_and_run(fixed, size);
        free(fixed);
    }
    return 0;
}

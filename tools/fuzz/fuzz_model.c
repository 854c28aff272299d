/*
 * libFuzzer target: the model loader plus one session run.
 *   make fuzz-model && build-fuzz/fuzz_model -max_total_time=60 build-fuzz/corpus tools/fuzz/corpus/model
 */
#include <dlrt.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dlrt_load_options options;
    dlrt_load_options_defaults(&options);
    options.flags = DLRT_LOAD_COPY;
    dlrt_model *model = NULL;
    if (dlrt_model_load_memory(data, size, &options, &model) != DLRT_OK) {
        if (dlrt_last_error()[0] == '\0') abort(); /* every refusal must explain itself */
        return 0;
    }
    size_t arena = 0;
    /* Valid but huge models are legal; the fuzzer only runs ones that fit in memory. */
    if (dlrt_session_arena_size(model, NULL, &arena) == DLRT_OK && arena <= (64u << 20)) {
        dlrt_session *session = NULL;
        if (dlrt_session_create(model, NULL, &session) == DLRT_OK) {
            for (size_t i = 0; i < dlrt_model_input_count(model); i++) {
                dlrt_tensor_info info = {sizeof info};
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
    return 0;
}

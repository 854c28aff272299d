/* dlrt_model_selftest: runs the input stored in the file and compares the stored output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../format/cursor.h"
#include "session.h"
#include "status.h"

static void decode_f32(const uint8_t *bytes, uint64_t count, float *out) {
    for (uint64_t i = 0; i < count; i++) {
        uint32_t u = dk_le32(bytes + 4 * i);
        memcpy(&out[i], &u, 4);
    }
}

dlrt_status dlrt_model_selftest(const dlrt_model *m, double *out_max_error) {
    dk_clear_error();
    if (m == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_selftest: model is NULL");
    if (!m->has_selftest) return dk_fail(DLRT_ERR_NOT_FOUND, "selftest: the model has no SELFTEST section");
    dlrt_session *s;
    dlrt_status st = dlrt_session_create(m, NULL, &s);
    if (st != DLRT_OK) return st;
    uint64_t largest = 0;
    for (uint32_t i = 0; i < m->selftest_output_count; i++)
        if (m->selftest_outputs[i].count > largest) largest = m->selftest_outputs[i].count;
    for (uint32_t i = 0; i < m->selftest_input_count; i++)
        if (m->selftest_inputs[i].count > largest) largest = m->selftest_inputs[i].count;
    float *scratch = malloc((size_t)largest * 2 * sizeof(float) + sizeof(float));
    if (scratch == NULL) {
        dlrt_session_free(s);
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "selftest: out of memory");
    }
    for (uint32_t i = 0; i < m->selftest_input_count && st == DLRT_OK; i++) {
        const dk_selftest_entry *e = &m->selftest_inputs[i];
        size_t index = 0;
        while (m->inputs[index] != e->tensor) index++;
        decode_f32(e->values, e->count, scratch);
        st = dlrt_session_set_input(s, index, scratch, (size_t)e->count);
    }
    if (st == DLRT_OK) st = dlrt_session_run(s);
    double worst = 0.0;
    const char *worst_name = "";
    uint64_t worst_at = 0;
    for (uint32_t i = 0; i < m->selftest_output_count && st == DLRT_OK; i++) {
        const dk_selftest_entry *e = &m->selftest_outputs[i];
        size_t index = 0;
        while (m->outputs[index] != e->tensor) index++;
        float *got = scratch, *want = scratch + e->count;
        decode_f32(e->values, e->count, want);
        st = dlrt_session_get_output(s, index, got, (size_t)e->count);
        for (uint64_t k = 0; k < e->count && st == DLRT_OK; k++) {
            double bound = m->selftest_atol + m->selftest_rtol * fabs((double)want[k]);
            double diff = fabs((double)got[k] - (double)want[k]);
            double error = bound > 0 ? diff / bound : (diff > 0 ? INFINITY : 0.0);
            if (!(error <= worst)) { /* also catches NaN */
                worst = isnan(error) ? INFINITY : error;
                worst_name = m->tensors[e->tensor].name;
                worst_at = k;
            }
        }
    }
    free(scratch);
    dlrt_session_free(s);
    if (st != DLRT_OK) return st;
    if (out_max_error != NULL) *out_max_error = worst;
    if (worst > 1.0)
        return dk_fail(DLRT_ERR_SELFTEST, "selftest: output '%s' element %llu is %.3g times over tolerance (rtol %g, atol %g)", worst_name,
                       (unsigned long long)worst_at, worst, m->selftest_rtol, m->selftest_atol);
    return DLRT_OK;
}

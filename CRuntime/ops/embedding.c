/*
 * embedding: a row gather from a constant table by f32 ids. The ids come
 * from the caller at run time, so they are checked before any row is read:
 * one bad id fails the whole call and nothing is written.
 */
#include "ops_internal.h"

#include <string.h>

size_t dk_embedding_find_invalid(const float *ids, size_t count, size_t rows) {
    for (size_t p = 0; p < count; p++) {
        float v = ids[p];
        /* NaN fails the comparison; in double, rows is exact whatever its size. */
        if (!(v >= 0.0f && (double)v < (double)rows) || v != floorf(v)) return p;
    }
    return count;
}

int dk_embedding_forward(size_t count, size_t rows, size_t dim, const float *ids, const float *table, float *y) {
    if (dk_embedding_find_invalid(ids, count, rows) != count) return -1;
    for (size_t p = 0; p < count; p++) memcpy(y + p * dim, table + (size_t)ids[p] * dim, dim * sizeof(float));
    return 0;
}

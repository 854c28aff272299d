/*
 * add backward (y = a + b): da = db = dy, a parallel copy (or add when
 * accumulating). With a fused activation, the engine first runs
 * dk_activation_backward on y, then this on its result.
 */
#include "ops_backward_internal.h"

void dk_add_backward(dk_pool *pool, const float *dy, float *da, float *db, size_t count, int accumulate) {
    if (da) dk_opsb_write_parallel(pool, da, dy, count, accumulate);
    if (db) dk_opsb_write_parallel(pool, db, dy, count, accumulate);
}

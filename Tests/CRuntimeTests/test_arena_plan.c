/* The activation planner: buffers alive at the same step never share bytes. */
#include <stdint.h>

#include "runtime/arena_plan.h"
#include "test.h"

TEST(live_buffers_never_overlap) {
    unsigned long long seed = 1234;
    for (int trial = 0; trial < 300; trial++) {
        size_t count = 1 + test_rng_next(&seed) % 60;
        int64_t steps = 1 + (int64_t)(test_rng_next(&seed) % 40);
        dk_live_range r[60];
        uint64_t off[60], peak = 0, total = 0;
        for (size_t i = 0; i < count; i++) {
            r[i].bytes = test_rng_next(&seed) % 5 == 0 ? 0 : 1 + test_rng_next(&seed) % 5000;
            r[i].first = (int64_t)(test_rng_next(&seed) % (uint64_t)(steps + 1)) - 1;
            r[i].last = r[i].first + (int64_t)(test_rng_next(&seed) % (uint64_t)(steps - r[i].first + 1));
            total += (r[i].bytes + 63) / 64 * 64;
        }
        CHECK(dk_plan_arena(r, count, steps, off, &peak) == 0, "plan");
        CHECK(peak <= total, "peak %llu above the sum %llu", (unsigned long long)peak, (unsigned long long)total);
        uint64_t worst_live = 0;
        for (int64_t s = -1; s <= steps; s++) {
            uint64_t live = 0;
            for (size_t i = 0; i < count; i++)
                if (r[i].bytes && r[i].first <= s && s <= r[i].last) live += (r[i].bytes + 63) / 64 * 64;
            if (live > worst_live) worst_live = live;
        }
        CHECK(peak >= worst_live, "peak %llu below the live bytes %llu", (unsigned long long)peak, (unsigned long long)worst_live);
        for (size_t i = 0; i < count; i++) {
            if (!r[i].bytes) continue;
            CHECK(off[i] % 64 == 0 && off[i] + r[i].bytes <= peak, "buffer %zu misplaced", i);
            for (size_t j = 0; j < i; j++) {
                if (!r[j].bytes) continue;
                int time_overlap = r[i].first <= r[j].last && r[j].first <= r[i].last;
                int space_overlap = off[i] < off[j] + r[j].bytes && off[j] < off[i] + r[i].bytes;
                CHECK(!(time_overlap && space_overlap), "trial %d: buffers %zu and %zu collide", trial, i, j);
            }
        }
    }
}

TEST(a_chain_reuses_memory) {
    /* a -> b -> c -> d, each read only by the next: two buffers' worth suffices. */
    dk_live_range r[4] = {{1000, -1, 0}, {1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
    uint64_t off[4], peak;
    CHECK(dk_plan_arena(r, 4, 3, off, &peak) == 0, "plan");
    CHECK(peak == 2 * 1024, "peak %llu, want 2048", (unsigned long long)peak);
}

int main(void) {
    RUN(live_buffers_never_overlap);
    RUN(a_chain_reuses_memory);
    return test_summary("arena_plan");
}

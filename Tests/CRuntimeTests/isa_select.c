/* The ISAs and pools the int8 tests run each case under (see isa_select.h). */
#include "isa_select.h"

#include <stdio.h>
#include <stdlib.h>

int isa_select(const char *suite, isa_set *s) {
    s->initial = dk_isa_active();
    s->count = 0;
    s->list[s->count++] = DK_ISA_SCALAR;
    const char *env = getenv("DLRT_ISA");
    int forced = env != NULL ? dk_isa_from_name(env) : -1;
    if (env != NULL && forced < 0) printf("%s: DLRT_ISA=%s is not an ISA name; testing every supported one\n", suite, env);
    if (forced >= 0 && !dk_isa_supported((dk_isa)forced)) {
        printf("%s: skipped: DLRT_ISA=%s, which this CPU (or build) cannot run\n", suite, env);
        return 1;
    }
    for (int isa = DK_ISA_AVX2; isa <= DK_ISA_NEON; isa++) {
        if (forced >= 0 && isa != forced) continue;
        if (!dk_isa_supported((dk_isa)isa)) {
            printf("%s: skipped %s (not supported by this CPU or build)\n", suite, dk_isa_name((dk_isa)isa));
            continue;
        }
        s->list[s->count++] = (dk_isa)isa;
    }
    printf("%s: comparing", suite);
    for (int i = 0; i < s->count; i++) printf(" %s", dk_isa_name(s->list[i]));
    printf(" against the reference\n");
    return 0;
}

int test_pools_create(dk_pool *pools[3]) {
    pools[0] = NULL;
    pools[1] = dk_pool_create(2);
    pools[2] = dk_pool_create(3);
    if (pools[1] != NULL && pools[2] != NULL) return 0;
    fprintf(stderr, "dk_pool_create failed\n");
    test_pools_free(pools);
    return -1;
}

void test_pools_free(dk_pool *pools[3]) {
    dk_pool_free(pools[1]);
    dk_pool_free(pools[2]);
    pools[1] = pools[2] = NULL;
}

#include "cpu.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const isa_names[] = {"scalar", "avx2", "avx512", "neon"};

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static atomic_int isa_current = DK_ISA_SCALAR;

int dk_isa_supported(dk_isa isa) {
    switch (isa) {
    case DK_ISA_SCALAR:
        return 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case DK_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
    case DK_ISA_NEON:
        return 1;
#endif
    default:
        return 0;
    }
}

static dk_isa best_isa(void) {
    if (dk_isa_supported(DK_ISA_AVX512)) return DK_ISA_AVX512;
    if (dk_isa_supported(DK_ISA_AVX2)) return DK_ISA_AVX2;
    if (dk_isa_supported(DK_ISA_NEON)) return DK_ISA_NEON;
    return DK_ISA_SCALAR;
}

/* DLRT_ISA=scalar|avx2|avx512|neon caps dispatch (tests force each path with it).
 * An unsupported or unknown name falls back to the best supported ISA. */
static void isa_init(void) {
    dk_isa isa = best_isa();
    const char *env = getenv("DLRT_ISA");
    if (env != NULL) {
        int forced = dk_isa_from_name(env);
        if (forced >= 0 && dk_isa_supported((dk_isa)forced)) isa = (dk_isa)forced;
    }
    atomic_store(&isa_current, (int)isa);
}

dk_isa dk_isa_active(void) {
    pthread_once(&isa_once, isa_init);
    return (dk_isa)atomic_load_explicit(&isa_current, memory_order_relaxed);
}

int dk_isa_force(dk_isa isa) {
    pthread_once(&isa_once, isa_init);
    if (!dk_isa_supported(isa)) return -1;
    atomic_store(&isa_current, (int)isa);
    return 0;
}

const char *dk_isa_name(dk_isa isa) {
    if ((unsigned)isa < sizeof isa_names / sizeof isa_names[0]) return isa_names[isa];
    return "unknown";
}

int dk_isa_from_name(const char *name) {
    if (name == NULL) return -1;
    for (int i = 0; i < (int)(sizeof isa_names / sizeof isa_names[0]); i++)
        if (strcmp(name, isa_names[i]) == 0) return i;
    return -1;
}

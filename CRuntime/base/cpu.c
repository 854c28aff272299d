#include "cpu.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const isa_names[] = {"scalar", "avx2", "avx512", "neon"};

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static atomic_int isa_current = DK_ISA_SCALAR;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

/*
 * CPUID and XCR0 read directly, once: __builtin_cpu_supports would link
 * libgcc's whole CPU-model table (4.5 KB of code) for the five bits needed.
 * XCR0 says whether the OS saves the YMM and ZMM state, without which the
 * instructions exist but must not be used.
 */
static pthread_once_t x86_once = PTHREAD_ONCE_INIT;
static int x86_avx2, x86_avx512, x86_vnni;

static void x86_detect(void) {
    unsigned a, b, c, d, xcr0_lo, xcr0_hi;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!fma || !osxsave || !avx || __get_cpuid_max(0, NULL) < 7) return;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6) return; /* XMM and YMM state */
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned avx512 = 1u << 16 | 1u << 17 | 1u << 30 | 1u << 31; /* F, DQ, BW, VL */
    x86_avx2 = (b >> 5) & 1;
    x86_avx512 = x86_avx2 && (b & avx512) == avx512 && (xcr0_lo & 0xe0) == 0xe0; /* opmask and ZMM state */
    x86_vnni = x86_avx512 && ((c >> 11) & 1);
}

int dk_cpu_has_avx512_vnni(void) {
    pthread_once(&x86_once, x86_detect);
    return x86_vnni;
}
#endif

int dk_isa_supported(dk_isa isa) {
    switch (isa) {
    case DK_ISA_SCALAR:
        return 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    case DK_ISA_AVX2:
        pthread_once(&x86_once, x86_detect);
        return x86_avx2;
    case DK_ISA_AVX512:
        pthread_once(&x86_once, x86_detect);
        return x86_avx512;
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

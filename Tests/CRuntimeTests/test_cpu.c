/*
 * Instruction-set detection. base/cpu.c reads CPUID and XCR0 itself; the
 * oracle is the compiler's __builtin_cpu_supports, which libgcc or
 * compiler-rt answer from their own CPU tables (the library no longer links
 * them). Both must agree on every feature that dispatch depends on, and the
 * active ISA must be the best supported one, or the one DLRT_ISA names.
 */
#include <stdlib.h>

#include "test.h"
#include "kernels.h"

TEST(test_detection_matches_the_compiler) {
    CHECK(dk_isa_supported(DK_ISA_SCALAR), "the portable C path is always supported");
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                       __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    const int vnni = avx512 && __builtin_cpu_supports("avx512vnni");
    CHECK(dk_isa_supported(DK_ISA_AVX2) == avx2, "avx2: detected %d, the compiler says %d",
          dk_isa_supported(DK_ISA_AVX2), avx2);
    CHECK(dk_isa_supported(DK_ISA_AVX512) == avx512, "avx512: detected %d, the compiler says %d",
          dk_isa_supported(DK_ISA_AVX512), avx512);
    CHECK(dk_cpu_has_avx512_vnni() == vnni, "avx512 vnni: detected %d, the compiler says %d",
          dk_cpu_has_avx512_vnni(), vnni);
    CHECK(!dk_isa_supported(DK_ISA_NEON), "no NEON on x86_64");
    printf("test_cpu: avx2 %d, avx512 %d, vnni %d\n", avx2, avx512, vnni);
#elif defined(__aarch64__)
    CHECK(dk_isa_supported(DK_ISA_NEON), "NEON is part of aarch64");
    CHECK(!dk_isa_supported(DK_ISA_AVX2) && !dk_isa_supported(DK_ISA_AVX512), "no AVX on aarch64");
#endif
}

TEST(test_active_isa_follows_the_contract) {
    dk_isa want = DK_ISA_SCALAR;
    const dk_isa order[] = {DK_ISA_AVX2, DK_ISA_AVX512, DK_ISA_NEON};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (dk_isa_supported(order[i])) want = order[i];
    /* DLRT_ISA names a supported ISA to run instead; anything else leaves the best */
    const char *env = getenv("DLRT_ISA");
    const int forced = env != NULL ? dk_isa_from_name(env) : -1;
    if (forced >= 0 && dk_isa_supported((dk_isa)forced)) want = (dk_isa)forced;
    CHECK(dk_isa_active() == want, "DLRT_ISA=%s: active %s, expected %s", env ? env : "(unset)",
          dk_isa_name(dk_isa_active()), dk_isa_name(want));
}

int main(void) {
    RUN(test_detection_matches_the_compiler);
    RUN(test_active_isa_follows_the_contract);
    return test_summary("test_cpu");
}

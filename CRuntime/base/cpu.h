/* Instruction-set detection and dispatch. */
#ifndef DK_CPU_H
#define DK_CPU_H

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dk_isa {
    DK_ISA_SCALAR = 0, /* portable C: the reference every SIMD path is tested against */
    DK_ISA_AVX2 = 1,   /* x86_64 AVX2 + FMA */
    DK_ISA_AVX512 = 2, /* x86_64 AVX-512 F/BW/DQ/VL (+ VNNI where present) */
    DK_ISA_NEON = 3    /* aarch64 Advanced SIMD */
} dk_isa;

/** The ISA kernels dispatch to now: the best supported one, unless forced. */
dk_isa dk_isa_active(void);
/** Whether this CPU (and this build) can run `isa`. */
int dk_isa_supported(dk_isa isa);
/** Forces dispatch to `isa` for the whole process (tests). Returns 0, or -1 if unsupported. */
int dk_isa_force(dk_isa isa);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/** Whether the CPU has AVX-512 VNNI (with AVX-512 usable): the int8 GEMM's fastest kernels. */
int dk_cpu_has_avx512_vnni(void);
#endif
/** "scalar", "avx2", "avx512", "neon". */
const char *dk_isa_name(dk_isa isa);
/** Parses a name as above; returns -1 when unknown. */
int dk_isa_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif

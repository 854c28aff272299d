/*
 * Vector math loops, instantiated once per ISA by vmath.c with
 *   DK_VM_ATTR     the function attributes (a target() or nothing)
 *   DK_VM_NAME(f)  the per-ISA name of f
 *   DK_VM_TAIL_IN(dst, src, m), DK_VM_TAIL_OUT(dst, src, m)
 *                  copy m < DK_VM_CHUNK floats into a chunk (zero-padded) and
 *                  back out of one
 * The loops work on fixed chunks of DK_VM_CHUNK floats computed into a local
 * array and then stored, so the compiler vectorises them without alias checks
 * (x == y is allowed) or a runtime trip count. Cheap maps finish scalar; the
 * exp-based ones send their last, partial chunk through the same function
 * again on a padded copy (DK_VM_TAIL): a scalar tail loop would be a second,
 * inlined copy of the math in each of them.
 */

/* Calls CALL (which must read `in` and write `out`, one whole chunk) on the partial chunk at `done`, if any. */
#define DK_VM_TAIL(done, CALL)                                                         \
    do {                                                                               \
        const size_t m_ = n - (done);                                                  \
        if (m_ > 0) {                                                                  \
            float in[DK_VM_CHUNK], out[DK_VM_CHUNK];                                   \
            DK_VM_TAIL_IN(in, x + (done), m_);                                         \
            CALL;                                                                      \
            DK_VM_TAIL_OUT(y + (done), out, m_);                                       \
        }                                                                              \
    } while (0)

/* y = FN(x) over the whole chunks, advancing i_. */
#define DK_VM_MAP(FN)                                                                  \
    do {                                                                               \
        for (; i_ + DK_VM_CHUNK <= n; i_ += DK_VM_CHUNK) {                             \
            float t_[DK_VM_CHUNK];                                                     \
            for (size_t j_ = 0; j_ < DK_VM_CHUNK; j_++) t_[j_] = FN(x[i_ + j_], alpha); \
            for (size_t j_ = 0; j_ < DK_VM_CHUNK; j_++) y[i_ + j_] = t_[j_];           \
        }                                                                              \
    } while (0)
/* The same, then the rest scalar. */
#define DK_VM_MAP_ALL(FN)                                                              \
    do {                                                                               \
        DK_VM_MAP(FN);                                                                 \
        for (; i_ < n; i_++) y[i_] = FN(x[i_], alpha);                                 \
    } while (0)

DK_VM_ATTR static void DK_VM_NAME(activation)(dk_activation act, float alpha, const float *x,
                                              float *y, size_t n) {
    size_t i_ = 0;
    switch (act) {
    case DK_ACT_RELU: DK_VM_MAP_ALL(dk_vm_relu); return;
    case DK_ACT_LEAKY_RELU: DK_VM_MAP_ALL(dk_vm_leaky); return;
    case DK_ACT_RELU6: DK_VM_MAP_ALL(dk_vm_relu6); return;
    case DK_ACT_SIGMOID: DK_VM_MAP(dk_vm_sigmoid_a); break;
    case DK_ACT_TANH: DK_VM_MAP(dk_vm_tanh_a); break;
    case DK_ACT_NONE:
    default:
        if (x != y)
            for (size_t i = 0; i < n; i++) y[i] = x[i];
        return;
    }
    DK_VM_TAIL(i_, DK_VM_NAME(activation)(act, alpha, in, out, DK_VM_CHUNK));
}

DK_VM_ATTR static float DK_VM_NAME(exp_shift_sum)(const float *x, float shift, float *y, size_t n) {
    float acc[DK_VM_CHUNK] = {0};
    size_t i = 0;
    for (; i + DK_VM_CHUNK <= n; i += DK_VM_CHUNK) {
        float t[DK_VM_CHUNK];
        for (size_t j = 0; j < DK_VM_CHUNK; j++) t[j] = dk_vm_exp(x[i + j] - shift);
        for (size_t j = 0; j < DK_VM_CHUNK; j++) acc[j] += t[j];
        for (size_t j = 0; j < DK_VM_CHUNK; j++) y[i + j] = t[j];
    }
    float sum = 0.0f;
    /* The tail's terms first, in order, then the lanes' (the padding's results are not summed). */
    DK_VM_TAIL(i, (void)DK_VM_NAME(exp_shift_sum)(in, shift, out, DK_VM_CHUNK); for (size_t j = 0; j < m_; j++) sum += out[j]);
    for (size_t j = 0; j < DK_VM_CHUNK; j++) sum += acc[j];
    return sum;
}

/* y = x * b^e = x * exp(e * log(b)), b > 0. */
DK_VM_ATTR static void DK_VM_NAME(mul_pow)(const float *x, const float *b, float e, float *y, size_t n) {
    size_t i = 0;
    for (; i + DK_VM_CHUNK <= n; i += DK_VM_CHUNK) {
        float t[DK_VM_CHUNK];
        for (size_t j = 0; j < DK_VM_CHUNK; j++) t[j] = x[i + j] * dk_vm_exp(e * dk_vm_log(b[i + j]));
        for (size_t j = 0; j < DK_VM_CHUNK; j++) y[i + j] = t[j];
    }
    float bin[DK_VM_CHUNK];
    if (i < n) DK_VM_TAIL_IN(bin, b + i, n - i);
    DK_VM_TAIL(i, DK_VM_NAME(mul_pow)(in, bin, e, out, DK_VM_CHUNK));
}

#undef DK_VM_MAP
#undef DK_VM_MAP_ALL
#undef DK_VM_TAIL

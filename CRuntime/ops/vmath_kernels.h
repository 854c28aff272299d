/*
 * Vector math loops, instantiated once per ISA by vmath.c with
 *   DK_VM_ATTR     the function attributes (a target() or nothing)
 *   DK_VM_NAME(f)  the per-ISA name of f
 * The loops work on fixed chunks of DK_VM_CHUNK floats computed into a local
 * array and then stored, so the compiler vectorises them without alias checks
 * (x == y is allowed) or a runtime trip count, then finish scalar.
 */

#define DK_VM_MAP(FN)                                                                  \
    do {                                                                               \
        size_t i_ = 0;                                                                 \
        for (; i_ + DK_VM_CHUNK <= n; i_ += DK_VM_CHUNK) {                             \
            float t_[DK_VM_CHUNK];                                                     \
            for (size_t j_ = 0; j_ < DK_VM_CHUNK; j_++) t_[j_] = FN(x[i_ + j_], alpha); \
            for (size_t j_ = 0; j_ < DK_VM_CHUNK; j_++) y[i_ + j_] = t_[j_];           \
        }                                                                              \
        for (; i_ < n; i_++) y[i_] = FN(x[i_], alpha);                                 \
    } while (0)

DK_VM_ATTR static void DK_VM_NAME(activation)(dk_activation act, float alpha, const float *x,
                                              float *y, size_t n) {
    switch (act) {
    case DK_ACT_RELU: DK_VM_MAP(dk_vm_relu); break;
    case DK_ACT_LEAKY_RELU: DK_VM_MAP(dk_vm_leaky); break;
    case DK_ACT_SIGMOID: DK_VM_MAP(dk_vm_sigmoid_a); break;
    case DK_ACT_TANH: DK_VM_MAP(dk_vm_tanh_a); break;
    case DK_ACT_RELU6: DK_VM_MAP(dk_vm_relu6); break;
    case DK_ACT_NONE:
    default:
        if (x != y)
            for (size_t i = 0; i < n; i++) y[i] = x[i];
        break;
    }
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
    for (; i < n; i++) {
        float e = dk_vm_exp(x[i] - shift);
        y[i] = e;
        sum += e;
    }
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
    for (; i < n; i++) y[i] = x[i] * dk_vm_exp(e * dk_vm_log(b[i]));
}

#undef DK_VM_MAP

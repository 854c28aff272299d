/* Weight-only int8 for rnn, lstm and gru (docs/FORMAT.md, "Recurrent ops"). */
#ifndef DK_RECURRENT_WEIGHTS_H
#define DK_RECURRENT_WEIGHTS_H

#include "../format/model.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/**
 * At load: node n's i8 W_ih and W_hh (kinds already checked by dtype_check.c)
 * become f32 copies in node->dequantized, `w = s[row] * q`, so the session runs
 * the f32 kernels on them. Refuses a value of -128. Copies made before a
 * failure stay in the node for dk_model_release.
 */
dlrt_status dk_dequantize_recurrent_weights(dlrt_model *m, uint32_t n);

#pragma GCC visibility pop
#endif

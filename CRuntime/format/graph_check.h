/* Structural checks of the tensor table and the graph: the parts of validation that need no shapes. */
#ifndef DK_GRAPH_CHECK_H
#define DK_GRAPH_CHECK_H

#include "cursor.h"
#include "model.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/** What the op table says about one op (docs/FORMAT.md, "Ops, version 1"). */
typedef struct dk_op_info {
    const char *name;
    uint32_t min_inputs, max_inputs;
    uint32_t optional_inputs; /* bit i: input i may be absent */
    uint32_t constant_inputs; /* bit i: input i must be a constant (bit 31: every input from 31 on) */
    uint32_t attrs;           /* bit k: attribute key k is accepted */
} dk_op_info;

const dk_op_info *dk_op_lookup(dk_op op);
/** Reads `count` attributes of node `index`, checks keys, types, counts and ranges, fills defaults. */
dlrt_status dk_decode_attrs(dk_cursor *c, uint32_t index, dk_node *node, uint32_t count);
dlrt_status dk_check_unique_names(const dlrt_model *m);
/** References, constness, dtypes, single producers and execution order. */
dlrt_status dk_check_graph(dlrt_model *m);
/** Node n's tensors fit the kernel family its input 0's dtype selects (f32 or int8). */
dlrt_status dk_check_node_dtypes(const dlrt_model *m, uint32_t n);
/** Whether a checked node runs an int8 kernel (quantize and dequantize included). */
int dk_node_is_int8(const dlrt_model *m, const dk_node *node);

#pragma GCC visibility pop
#endif

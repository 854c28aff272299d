#include <stdlib.h>
#include <string.h>

#include "../runtime/status.h"
#include "graph_check.h"

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

dlrt_status dk_check_unique_names(const dlrt_model *m) {
    char **names = malloc(sizeof *names * m->tensor_count);
    if (names == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "TENSORS: out of memory");
    for (uint32_t i = 0; i < m->tensor_count; i++) names[i] = m->tensors[i].name;
    qsort(names, m->tensor_count, sizeof *names, compare_names);
    dlrt_status st = DLRT_OK;
    for (uint32_t i = 1; i < m->tensor_count && st == DLRT_OK; i++)
        if (strcmp(names[i - 1], names[i]) == 0) st = dk_fail(DLRT_ERR_FORMAT, "TENSORS: name '%s' appears twice", names[i]);
    free(names);
    return st;
}

static int is_constant(const dk_tensor *t) { return t->data != NULL; }

dlrt_status dk_check_graph(dlrt_model *m) {
    for (uint32_t i = 0; i < m->input_count; i++) {
        const dk_tensor *t = &m->tensors[m->inputs[i]];
        if (is_constant(t)) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: graph input '%s' is a constant", t->name);
        if (t->dtype != DLRT_F32 || t->rank < 1)
            return dk_fail(t->dtype == DLRT_F32 ? DLRT_ERR_FORMAT : DLRT_ERR_UNSUPPORTED,
                           "GRAPH: graph input '%s' (%s, rank %u) must be an f32 tensor of rank >= 1; int8 models quantize inside the graph",
                           t->name, dk_dtype_name(t->dtype), t->rank);
    }
    /* A tensor is available once it is a constant, a graph input, or the output
     * of an earlier node: walking nodes in order rejects cycles and dangling refs. */
    uint8_t *available = calloc(m->tensor_count, 1);
    if (available == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "GRAPH: out of memory");
    for (uint32_t t = 0; t < m->tensor_count; t++) available[t] = (uint8_t)is_constant(&m->tensors[t]);
    for (uint32_t i = 0; i < m->input_count; i++) available[m->inputs[i]] = 1;

    dlrt_status st = DLRT_OK;
    for (uint32_t n = 0; n < m->node_count && st == DLRT_OK; n++) {
        dk_node *node = &m->nodes[n];
        const dk_op_info *info = dk_op_lookup(node->op);
        if (node->input_count < info->min_inputs || node->input_count > info->max_inputs || node->output_count != 1) {
            st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): takes %u..%u inputs and 1 output, has %u and %u", n, info->name,
                         info->min_inputs, info->max_inputs, node->input_count, node->output_count);
            break;
        }
        for (uint32_t k = 0; k < node->input_count; k++) {
            uint32_t id = node->inputs[k];
            int must_be_constant = k >= 31 ? (info->constant_inputs >> 31) & 1 : (info->constant_inputs >> k) & 1;
            if (id == DK_NO_TENSOR) {
                if (!((info->optional_inputs >> k) & 1)) {
                    st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): input %u is required", n, info->name, k);
                    break;
                }
                continue;
            }
            if (id >= m->tensor_count) {
                st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): input %u refers to tensor %u of %u", n, info->name, k, id, m->tensor_count);
                break;
            }
            const dk_tensor *t = &m->tensors[id];
            if (!available[id]) {
                st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): input '%s' is not produced by an earlier node (cycle or dangling reference)",
                             n, info->name, t->name);
                break;
            }
            if (must_be_constant != is_constant(t)) {
                st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): input %u ('%s') must %sbe a constant", n, info->name, k, t->name,
                             must_be_constant ? "" : "not ");
                break;
            }
        }
        if (st != DLRT_OK) break;
        uint32_t out = node->outputs[0];
        if (out >= m->tensor_count) {
            st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): output refers to tensor %u of %u", n, info->name, out, m->tensor_count);
            break;
        }
        dk_tensor *t = &m->tensors[out];
        if (available[out]) {
            st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): output '%s' is already a constant, graph input or another node's output",
                         n, info->name, t->name);
            break;
        }
        if ((st = dk_check_node_dtypes(m, n)) != DLRT_OK) break;
        available[out] = 1;
        t->producer = n;
    }
    for (uint32_t i = 0; i < m->output_count && st == DLRT_OK; i++) {
        const dk_tensor *t = &m->tensors[m->outputs[i]];
        if (t->producer < 0) st = dk_fail(DLRT_ERR_FORMAT, "GRAPH: graph output '%s' is not produced by any node", t->name);
        else if (t->dtype != DLRT_F32)
            st = dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: graph output '%s' is %s; graph outputs must be f32 (end an int8 model with dequantize)",
                         t->name, dk_dtype_name(t->dtype));
    }
    free(available);
    return st;
}

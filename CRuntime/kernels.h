/*
 * kernels.h: the internal kernel API, shared by the runtime and the Swift
 * training engine (imported there as `CRuntime.Kernels`). Not part of the ABI:
 * nothing here is exported from libdlrt.so, and it may change at any time.
 */
#ifndef DK_KERNELS_H
#define DK_KERNELS_H

#include "base/cpu.h"
#include "format/crc32.h" /* the file formats' checksum, shared with the Swift writers */
#include "base/pool.h"
#include "gemm/gemm.h"
#include "gemm/igemm.h" /* int8 GEMM and the requantization rule (gemm/q8_requant.h) */
#include "ops/ops.h"
#include "ops/int8_ops.h"

#endif

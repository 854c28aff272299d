#!/bin/sh
# Builds and runs the recurrent benchmark (tools/bench/lstm_bench.c: a 2-layer
# LSTM char-RNN, token-by-token generation and batch 64 x 100 sequences, one
# thread) against a release build of libdlrt.a (make's -O2), at low priority.
#   tools/bench/lstm_bench.sh [reps]        BUILD=dir to use another build folder
set -e
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
nice -n 5 make -s BUILD="$build" "$build/libdlrt.a"
${CC:-cc} -O2 -std=c11 -Wall -Wextra -Iinclude -ICRuntime -ITests/CRuntimeTests -o "$build/lstm_bench" \
    tools/bench/lstm_bench.c Tests/CRuntimeTests/model_builder.c "$build/libdlrt.a" -lm -lpthread
exec nice -n 5 "$build/lstm_bench" "$@"

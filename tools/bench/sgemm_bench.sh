#!/bin/sh
# Builds and runs the SGEMM benchmark: dlrt (build/libdlrt.a) against OpenBLAS.
#   tools/bench/sgemm_bench.sh [reps]        BUILD=dir to use another build folder
# Needs libopenblas-dev (apt-get install -y libopenblas-dev).
set -e
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
make -s BUILD="$build" "$build/libdlrt.a"
${CC:-cc} -O2 -std=c11 -Wall -Wextra -Iinclude -ICRuntime -o "$build/sgemm_bench" \
    tools/bench/sgemm_bench.c "$build/libdlrt.a" -lopenblas -lm -lpthread
exec "$build/sgemm_bench" "$@"

#!/bin/sh
# Builds and runs the int8-vs-fp32 conv_transpose2d benchmark (tools/bench/convt_bench.c)
# against a release build of libdlrt.a (make's -O2), at low priority.
#   tools/bench/convt_bench.sh [reps] [threads]        BUILD=dir to use another build folder
set -e
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
nice -n 5 make -s BUILD="$build" "$build/libdlrt.a"
${CC:-cc} -O2 -std=c11 -Wall -Wextra -Iinclude -ICRuntime -o "$build/convt_bench" \
    tools/bench/convt_bench.c "$build/libdlrt.a" -lm -lpthread
exec nice -n ${NICE:-5} "$build/convt_bench" "$@"

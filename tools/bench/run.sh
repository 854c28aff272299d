#!/bin/sh
# The whole model benchmark from a fresh clone (given tools/venv with torch, onnx, onnxruntime, numpy):
# builds the release library (make, -O2) and the dlrt-golden converter, then runs bench.py.
#   tools/bench/run.sh [bench.py options]          e.g. tools/bench/run.sh --models resnet18 --quick
#   DLRT_REV=HEAD tools/bench/run.sh               benchmark a committed revision instead of the
#                                                  working tree: library and converter are built from
#                                                  git archive REV, in build/bench/src-REV
# Results: the table on stdout, build/bench/results.json. See tools/bench/README.md.
set -e
cd "$(dirname "$0")/../.."
py=${PYTHON:-tools/venv/bin/python}
[ -x "$py" ] || { echo "run.sh: $py not found (python3 -m venv tools/venv && tools/venv/bin/pip install torch onnx onnxruntime numpy)" >&2; exit 1; }
if [ -n "$DLRT_REV" ]; then
    rev=$(git rev-parse --short "$DLRT_REV")
    src=build/bench/src-$rev
    if [ ! -f "$src/Makefile" ]; then
        mkdir -p "$src"
        git archive "$rev" | tar -x -C "$src"
    fi
    make -s -C "$src" lib >&2
    lib=$src/build/libdlrt.so.1
    export DLRT_SRC=$src DLRT_REV=$rev   # bench.py builds dlrt-golden from the same tree and records rev
else
    make -s lib >&2
    lib=build/libdlrt.so.1
fi
exec "$py" tools/bench/bench.py --lib "$lib" "$@"

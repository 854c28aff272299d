#!/bin/sh
# Regenerates the committed golden fixtures Tests/Fixtures/<name>.dlrt:
#   1. tools/golden/make_golden.py writes <name>.json + <name>.bin (PyTorch weights,
#      input and expected output) into build/golden (not committed);
#   2. the dlrt-golden converter turns each into a .dlrt with its self-test vector.
# Run from anywhere; needs the venv of tools/golden/README.md and a Swift toolchain.
#   tools/golden/make_fixtures.sh [model ...]     (default: every model)
# Environment: PYTHON (default tools/venv/bin/python), GOLDEN_DIR (default build/golden),
#              SCRATCH (SwiftPM build dir, default .build-golden), RTOL, ATOL.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python=${PYTHON:-tools/venv/bin/python}
golden=${GOLDEN_DIR:-build/golden}
scratch=${SCRATCH:-.build-golden}
rtol=${RTOL:-1e-4}
atol=${ATOL:-1e-5}

if [ ! -x "$python" ]; then
  echo "make_fixtures.sh: no $python; create it with:" >&2
  echo "  python3 -m venv tools/venv && tools/venv/bin/pip install torch onnx onnxruntime numpy" >&2
  exit 1
fi

if [ $# -gt 0 ]; then
  "$python" tools/golden/make_golden.py --out "$golden" --only "$@"
  models="$*"
else
  "$python" tools/golden/make_golden.py --out "$golden"
  models=$("$python" tools/golden/make_golden.py --list)
fi

# The manifest lists CRuntime's files when evaluated, so it is never taken from a cache;
# with build-manifest caching, a second build in the same scratch directory fails with
# "unknown build description" on this toolchain (Swift 6.3).
swiftpm="--scratch-path $scratch --manifest-cache none --disable-build-manifest-caching"
swift build $swiftpm --product dlrt-golden
converter="$(swift build $swiftpm --show-bin-path)/dlrt-golden"

mkdir -p Tests/Fixtures
for m in $models; do
  "$converter" "$golden/$m.json" "Tests/Fixtures/$m.dlrt" --rtol "$rtol" --atol "$atol"
  echo "wrote Tests/Fixtures/$m.dlrt ($(wc -c < "Tests/Fixtures/$m.dlrt") bytes)"
done

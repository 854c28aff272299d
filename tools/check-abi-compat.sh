#!/bin/sh
# Compatibility with the previous tagged release (make test-abi-compat):
#  - binary: the release's own examples/run_model.c, built against that release's
#    header and libdlrt.so.1, gives the same output when the current libdlrt.so.1
#    is loaded in its place (LD_LIBRARY_PATH), on every model given;
#  - source: the same program compiles against the current header with -Werror.
# The previous release is the newest v* tag reachable from HEAD whose version is
# not the current one; with none (no tags, or a tarball without git) the check
# says so and passes, as there is nothing to be compatible with.
#   tools/check-abi-compat.sh BUILD VERSION MODEL...
set -eu
build=$1; version=$2; shift 2
previous=""
if git rev-parse --git-dir > /dev/null 2>&1; then
  for tag in $(git tag --merged HEAD --sort=-version:refname 'v[0-9]*'); do
    [ "$tag" = "v$version" ] || { previous=$tag; break; }
  done
fi
[ -n "$previous" ] || { echo "abi-compat: no previous tagged release to check against (0 checks)"; exit 0; }

dir=$(cd "$build" && pwd)/abi-compat/$previous
rm -rf "$dir" && mkdir -p "$dir/src"
git archive "$previous" | tar -x -C "$dir/src"
make -s -C "$dir/src" BUILD="$dir/build" "$dir/build/libdlrt.so.1" > "$dir/build.log" 2>&1 \
  || { echo "abi-compat: cannot build $previous's library"; tail -20 "$dir/build.log"; exit 1; }
cc -std=c11 -Wall -Wextra -Werror -I"$dir/src/include" "$dir/src/examples/run_model.c" \
   -L"$dir/build" -ldlrt -lm -o "$dir/run_model"
cc -std=c11 -Wall -Wextra -Werror -Iinclude "$dir/src/examples/run_model.c" -fsyntax-only \
  || { echo "abi-compat: $previous's examples/run_model.c no longer compiles against include/dlrt.h"; exit 1; }

current=$(cd "$build" && pwd)
passed=0; failed=0
for model in "$@"; do
  # The "dlrt VERSION, kernels: ISA" line names the library itself; everything else must agree.
  LD_LIBRARY_PATH="$dir/build" "$dir/run_model" "$model" | grep -v '^dlrt ' > "$dir/old.out"
  if LD_LIBRARY_PATH="$current" "$dir/run_model" "$model" > "$dir/new.out.full" \
     && grep -q "^dlrt $version," "$dir/new.out.full" \
     && grep -v '^dlrt ' "$dir/new.out.full" | cmp -s - "$dir/old.out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "abi-compat: $previous's run_model on $model differs with libdlrt $version:"
    grep -v '^dlrt ' "$dir/new.out.full" | diff "$dir/old.out" - | head -20
  fi
done
echo "abi-compat (against $previous, built from its tag; source and binary): $passed passed, $failed failed"
[ "$failed" -eq 0 ]

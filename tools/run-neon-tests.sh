#!/bin/sh
# Cross-builds the C runtime and C test programs for aarch64 and runs them
# under qemu-user, once per CPU model: `max` (Armv8.2+ with the dot-product
# instructions, so the int8 GEMM takes its sdot kernel) and `cortex-a53`
# (Armv8.0: its smull/sadalp kernel), each with DLRT_ISA=scalar and neon.
# Not part of CI; needs the Debian packages gcc-aarch64-linux-gnu and qemu-user.
#   tools/run-neon-tests.sh                       the int8 tests
#   tools/run-neon-tests.sh test_gemm test_ops    other test programs (names under Tests/CRuntimeTests)
#   BUILD=dir CPUS="max cortex-a72" ...           another build folder / other CPU models
set -e
cd "$(dirname "$0")/.."
build=${BUILD:-build-neon}
cc=${CROSS_CC:-aarch64-linux-gnu-gcc}
cpus=${CPUS:-"max cortex-a53"}
tests=${*:-"test_int8_gemm test_int8"}
command -v "$cc" > /dev/null || { echo "$cc not found (apt-get install -y gcc-aarch64-linux-gnu)" >&2; exit 2; }
command -v qemu-aarch64 > /dev/null || { echo "qemu-aarch64 not found (apt-get install -y qemu-user)" >&2; exit 2; }

flags="-std=c11 -O2 -g -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -fvisibility=hidden -D_POSIX_C_SOURCE=200809L -Iinclude"
mkdir -p "$build/obj" "$build/tests"
objs=""
for src in CRuntime/*/*.c; do
  obj="$build/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find CRuntime include -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
    $cc $flags -Werror -c "$src" -o "$obj"
  fi
  objs="$objs $obj"
done
rm -f "$build/libdlrt.a"
ar rcs "$build/libdlrt.a" $objs
support=$(ls Tests/CRuntimeTests/*.c | grep -v '/test_')

passed=0; failed=0
for t in $tests; do
  $cc $flags -ICRuntime -static -o "$build/tests/$t" "Tests/CRuntimeTests/$t.c" $support "$build/libdlrt.a" -lm -lpthread
  for cpu in $cpus; do
    for isa in scalar neon; do
      log="$build/tests/$t.$cpu.$isa.log"
      if DLRT_ISA=$isa qemu-aarch64 -cpu "$cpu" "$build/tests/$t" > "$log" 2>&1; then
        passed=$((passed + 1)); echo "ok:     $t  cpu $cpu  DLRT_ISA=$isa  ($(tail -1 "$log"))"
      else
        failed=$((failed + 1)); echo "FAILED: $t  cpu $cpu  DLRT_ISA=$isa"; tail -20 "$log"
      fi
    done
  done
done
echo "neon-tests ($cpus): $passed passed, $failed failed"
[ "$failed" -eq 0 ]

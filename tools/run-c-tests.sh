#!/bin/sh
# Runs each C test program once per instruction set this machine supports
# (DLRT_ISA forces the dispatch), and prints one "N passed, N failed" total.
build=$1; shift
isas="scalar"
case "$(uname -m)" in
  x86_64)
    grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && isas="$isas avx2"
    grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && isas="$isas avx512" ;;
  aarch64) isas="$isas neon" ;;
esac
passed=0; failed=0
for t in "$@"; do
  for isa in $isas; do
    if DLRT_ISA=$isa "$t" > "$t.$isa.log" 2>&1; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); echo "FAILED: DLRT_ISA=$isa $t"; cat "$t.$isa.log"
    fi
  done
done
echo "c-tests ($isas): $passed passed, $failed failed"
[ "$failed" -eq 0 ]

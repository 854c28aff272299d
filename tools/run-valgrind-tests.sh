#!/bin/sh
# Runs test programs under valgrind's memcheck: any invalid read or write, use
# of uninitialised memory, bad free, or definitely / indirectly lost block fails
# the program (valgrind exits 1), as does the program's own failure.
# valgrind (3.19, Debian 12) decodes AVX2 but not AVX-512, so DLRT_ISA forces
# avx2 where the CPU has it (the int8 tests then compare scalar and avx2), else
# scalar; VALGRIND_ISAS="scalar avx2" runs each program once per ISA named.
#   tools/run-valgrind-tests.sh PROGRAM...
set -u
command -v valgrind > /dev/null || { echo "valgrind not found (apt-get install -y valgrind)" >&2; exit 2; }
isas=${VALGRIND_ISAS:-}
if [ -z "$isas" ]; then
  isas=scalar
  grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && isas=avx2
fi
passed=0; failed=0; start=$(date +%s)
for t in "$@"; do
  for isa in $isas; do
    log="$t.valgrind.$isa.log"
    t0=$(date +%s)
    if DLRT_ISA=$isa valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
         --track-origins=yes "$t" > "$log" 2>&1; then
      passed=$((passed + 1)); echo "ok:     $(basename "$t")  DLRT_ISA=$isa  $(($(date +%s) - t0)) s"
    else
      failed=$((failed + 1)); echo "FAILED: $(basename "$t")  DLRT_ISA=$isa (valgrind)"; tail -40 "$log"
    fi
  done
done
echo "valgrind ($isas): $passed passed, $failed failed in $(($(date +%s) - start)) s"
[ "$failed" -eq 0 ]

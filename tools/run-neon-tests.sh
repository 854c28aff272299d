#!/bin/sh
# Runs the C test programs cross-built for aarch64 (`make test-neon` builds them
# into BUILD/tests and calls this) under qemu-user, two programs at a time:
#   - every program on CPU `max` (Armv8.2+ with the dot-product instructions, so
#     the int8 GEMM takes its sdot kernel), with DLRT_ISA=scalar and neon;
#   - the int8 programs again on `cortex-a53` (Armv8.0: the smull/sadalp kernel).
# The int8 programs compare every ISA they run against the scalar reference bit
# for bit; under DLRT_ISA=neon their output must also show that NEON ran (and
# which GEMM kernel), so a silent fall-back to scalar fails here.
# Needs the Debian packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user
# (tools/install-deps.sh --test).
#   tools/run-neon-tests.sh BUILD                   that plan
#   NEON_TESTS="test_gemm test_ops" CPUS="max cortex-a72" tools/run-neon-tests.sh BUILD
#                                                   those programs on those CPUs, scalar and neon
set -u
build=$1
command -v qemu-aarch64 > /dev/null || { echo "qemu-aarch64 not found (apt-get install -y qemu-user)" >&2; exit 2; }
# The dynamic loader and libc of libc6-dev-arm64-cross.
export QEMU_LD_PREFIX=${QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}
int8="test_int8 test_int8_gemm test_int8_model"

# One run: program, CPU, ISA. Prints "ok:" or "FAILED:" and the log's tail.
if [ "${2:-}" = "--one" ]; then
  t=$3 cpu=$4 isa=$5
  log="$build/tests/$t.$cpu.$isa.log"
  start=$(date +%s)
  DLRT_ISA=$isa qemu-aarch64 -cpu "$cpu" "$build/tests/$t" > "$log" 2>&1
  rc=$?
  why=""
  if [ "$rc" -ne 0 ]; then why="exit status $rc"
  elif [ "$isa" = neon ]; then
    # What the program says it compared: isa_select's line, the GEMM kernel, the session's dispatch.
    case "$t" in
      test_int8|test_int8_gemm) grep -q "comparing scalar neon against" "$log" || why="NEON was not among the ISAs compared" ;;
      test_int8_model) grep -q "runs under neon" "$log" || why="the sessions did not run under neon" ;;
    esac
    # The GEMM kernel: DK_Q8_CFG_NEON_DOT (3, sdot) where the CPU has the dot product, else DK_Q8_CFG_NEON (4).
    case "$cpu" in
      max|cortex-a76|neoverse-n1) kernel=3 ;;
      cortex-a35|cortex-a53|cortex-a57|cortex-a72) kernel=4 ;;
      *) kernel="" ;;
    esac
    if [ -z "$why" ] && [ "$t" = test_int8_gemm ] && [ -n "$kernel" ]; then
      grep -q "neon: GEMM kernel $kernel " "$log" || why="not GEMM kernel $kernel on cpu $cpu"
    fi
  fi
  if [ -z "$why" ]; then
    echo "ok:     $t  cpu $cpu  DLRT_ISA=$isa  $(($(date +%s) - start)) s  ($(tail -1 "$log"))"
  else
    echo "FAILED: $t  cpu $cpu  DLRT_ISA=$isa: $why"; tail -20 "$log"
  fi
  exit 0
fi

if [ -n "${NEON_TESTS:-}" ]; then
  plan=$(for t in $NEON_TESTS; do for cpu in ${CPUS:-max cortex-a53}; do echo "$t $cpu scalar $t $cpu neon"; done; done)
else
  plan=$(for t in $(cd "$build/tests" && ls test_* | grep -v '\.'); do echo "$t max scalar $t max neon"; done
         for t in $int8; do echo "$t cortex-a53 scalar $t cortex-a53 neon"; done)
fi
start=$(date +%s)
echo $plan | xargs -n 3 -P "${JOBS:-2}" sh "$0" "$build" --one | tee "$build/neon-results.txt"
passed=$(grep -c '^ok:' "$build/neon-results.txt")
failed=$(grep -c '^FAILED:' "$build/neon-results.txt")
echo "neon-tests (qemu-aarch64): $passed passed, $failed failed in $(($(date +%s) - start)) s"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

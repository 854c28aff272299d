#!/bin/sh
# Profiles dlrt (or onnxruntime) on one benchmark network with perf, sampling
# only the steady-state inference loop (perf attaches after export/warm-up).
#   tools/bench/profile.sh MODEL [dlrt|ort] [BATCH] [THREADS] [SECONDS]
#   e.g. tools/bench/profile.sh mobilenetv2 dlrt 1 1 15
# Prints the hottest symbols; the perf data stays in build/bench/perf-MODEL-ENGINE-bBATCH-tTHREADS.data.
# Needs perf (apt-get install -y linux-perf); uses the cpu-clock software event, so it works in VMs
# without hardware counters. Extra bench.py options (e.g. --converter) go in BENCH_ARGS.
set -e
cd "$(dirname "$0")/../.."
model=${1:?usage: profile.sh MODEL [dlrt|ort] [BATCH] [THREADS] [SECONDS]}
engine=${2:-dlrt}
batch=${3:-1}
threads=${4:-1}
seconds=${5:-15}
py=${PYTHON:-tools/venv/bin/python}
out=build/bench
mkdir -p "$out"
data="$out/perf-$model-$engine-b$batch-t$threads.data"
ready="$out/.ready.$$"
rm -f "$ready"
# shellcheck disable=SC2086
"$py" tools/bench/bench.py --loop "$model" --engine "$engine" --batches "$batch" --threads "$threads" \
    --seconds "$((seconds + 3))" --ready-file "$ready" $BENCH_ARGS &
pid=$!
while [ ! -e "$ready" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "profile.sh: bench.py exited early" >&2; exit 1; fi
    sleep 0.2
done
perf record -q -e cpu-clock -F 1999 --call-graph "${CALLGRAPH:-fp}" -p "$pid" -o "$data" -- sleep "$seconds" 2>/dev/null
wait "$pid"
rm -f "$ready"
echo "== $model $engine batch $batch threads $threads: self time by shared object"
perf report -i "$data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8
echo "== self time by symbol"
perf report -i "$data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -${TOP:-30}

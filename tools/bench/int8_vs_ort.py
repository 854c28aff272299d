"""dlrt's int8 against onnxruntime's int8 on the model benchmark's networks, in one run.

Issue #5's goal: dlrt int8 latency / onnxruntime int8 latency <= 0.8 on the
architectures of bench.py. Both engines start from the same folded PyTorch
model (bench.py's `prepare`: the ONNX file and the .dlrt hold the same fp32
tensors) and calibrate on the same inputs (--calibration of them, N(0, 1), batch 1):

* dlrt: `dlrt-golden --quantize` runs dlexport's quantizer (Int8Exporter:
  minmax ranges, per-channel weights, the SQNR and slowdown rules) on the .dlrt;
* onnxruntime: `quantize_static` with QuantFormat.QDQ and per_channel=True,
  otherwise its defaults (int8 activations and weights, minmax), after
  `quant_pre_process`.

Then both int8 models are timed as bench.py times fp32 (interleaved rounds,
medians; one dlrt run includes set_input and get_output). Printed per
(model, batch, threads): both times, the ratio dlrt / ORT, and each int8
output's largest difference from the fp32 ORT output relative to its largest
value (the two quantize differently, so this is a sanity figure, not a gate).

    make && tools/venv/bin/python tools/bench/int8_vs_ort.py
    tools/venv/bin/python tools/bench/int8_vs_ort.py --models resnet20 --batches 1 --threads 1

Needs what bench.py needs (tools/venv with torch, onnx, onnxruntime, numpy; the
Swift toolchain for dlrt-golden). Models go to build/bench/int8/.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (prepare, the engines and the timing loop)
import dlrt_ctypes  # noqa: E402

GOAL = 0.8


class Inputs(CalibrationDataReader):
    """onnxruntime's calibration reader over the same inputs dlrt calibrates on."""

    def __init__(self, samples):
        self._feeds = iter([{"x": s[None]} for s in samples])

    def get_next(self):
        return next(self._feeds, None)


def quantize_both(name, outdir, conv, samples):
    """Returns (paths of the fp32 files, dlrt int8 path, ORT int8 path)."""
    _, _, paths = bench.prepare(name, outdir, conv)
    base = os.path.join(outdir, name)
    calibration = f"{base}.calibration.f32"
    np.ascontiguousarray(samples, dtype="<f4").tofile(calibration)
    dlrt_int8 = f"{base}.int8.dlrt"
    r = subprocess.run(conv + ["--quantize", paths["dlrt"], calibration, dlrt_int8], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"dlrt-golden --quantize failed on {name}:\n{r.stdout}{r.stderr}")
    bench.log(f"{name}: dlrt {r.stdout.strip()}")
    prepared, ort_int8 = f"{base}.pre.onnx", f"{base}.int8.onnx"
    quant_pre_process(paths["onnx"], prepared)
    quantize_static(prepared, ort_int8, Inputs(samples), quant_format=QuantFormat.QDQ, per_channel=True)
    return paths, dlrt_int8, ort_int8


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", default=os.path.join(bench.ROOT, "build", "libdlrt.so.1"))
    parser.add_argument("--converter", help="command running dlrt-golden (default: built with swift build)")
    parser.add_argument("--models", default="lenet5,resnet20,resnet18,mobilenetv2")
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--calibration", type=int, default=64, help="calibration inputs")
    parser.add_argument("--budget-scale", type=float, default=0.5)
    parser.add_argument("--hot", action="store_true", help="run each block's engine once, untimed, before timing it")
    args = parser.parse_args()
    if not os.path.exists(args.lib):
        sys.exit(f"int8_vs_ort.py: '{args.lib}' does not exist (build the library with make)")

    lib = dlrt_ctypes.Lib(args.lib)
    conv = bench.converter_command(args)
    outdir = os.path.join(bench.ROOT, "build", "bench", "int8")
    os.makedirs(outdir, exist_ok=True)
    print(f"dlrt {lib.version()} ({lib.isa()}) int8 against onnxruntime {bench.ort.__version__} int8 "
          f"(quantize_static, QDQ, per-channel), {args.calibration} calibration inputs; "
          f"{'hot: each block after an untimed run' if args.hot else 'each block starts with idle threads'}\n")
    print("| model | batch | threads | dlrt int8 ms | ORT int8 ms | dlrt / ORT | dlrt diff | ORT diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for name in args.models.split(","):
        shape = bench.models.build(name, 0)[1]
        samples = np.random.default_rng(7).standard_normal((args.calibration,) + tuple(shape[1:])).astype(np.float32)
        paths, dlrt_int8, ort_int8 = quantize_both(name, outdir, conv, samples)
        model = dlrt_ctypes.Model(lib, dlrt_int8)
        for batch in (int(b) for b in args.batches.split(",")):
            x = np.random.default_rng(1234 + batch).standard_normal((batch,) + tuple(shape[1:])).astype(np.float32)
            for threads in (int(t) for t in args.threads.split(",")):
                session = dlrt_ctypes.Session(model, threads=threads, batch=batch)
                session.bind(x)
                ort_runner = bench.OrtRunner(bench.ort_session(ort_int8, threads), x)
                reference = bench.ort_session(paths["onnx"], threads).run(None, {"x": x})[0].astype(np.float64)
                dlrt_diff = bench.rel_diff(session.run().copy(), reference)
                ort_diff = bench.rel_diff(ort_runner.run().copy(), reference)
                budget, lo, hi = bench.budget_for(name, batch, args.budget_scale)
                m = bench.measure({"dlrt": session.run, "ort": ort_runner.run}, budget, lo, hi, hot=args.hot)
                d, o = m["dlrt"]["median_ms"], m["ort"]["median_ms"]
                ratios.append(d / o)
                print(f"| {name} | {batch} | {threads} | {d:.3f} | {o:.3f} | {d / o:.2f} | {dlrt_diff:.2e} | "
                      f"{ort_diff:.2e} |", flush=True)
                session.close()
        model.close()
    geomean = float(np.exp(np.mean(np.log(ratios))))
    print(f"\ngeometric mean dlrt / ORT {geomean:.2f}, worst {max(ratios):.2f}; the goal is {GOAL} or less")


if __name__ == "__main__":
    main()

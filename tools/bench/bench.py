#!/usr/bin/env python3
"""dlrt against onnxruntime (and PyTorch eager) on LeNet-5, ResNet-20, ResNet-18, MobileNetV2.

For each network: build it in PyTorch (fixed seed, BN folded), export ONNX and
the dlrt interchange JSON/bin from the same weights, convert with
`dlrt-golden`, load build/libdlrt.so.1 through ctypes next to onnxruntime in
this process, check that the outputs agree, then time both (interleaved,
warmed up, median of many runs) at each batch size and thread count.

Usage (from the repository root; see tools/bench/README.md):
  tools/venv/bin/python tools/bench/bench.py                 # everything, ~5-10 min on 2 cores
  tools/venv/bin/python tools/bench/bench.py --models resnet18 --batches 1 --threads 1
  tools/venv/bin/python tools/bench/bench.py --quick         # short budgets, for a smoke test
  tools/venv/bin/python tools/bench/bench.py --bisect mobilenetv2   # find the first op that disagrees
  tools/venv/bin/python tools/bench/bench.py --loop resnet18 --engine dlrt --seconds 20   # for perf record
Writes build/bench/results.json and the converted models under build/bench/models/.
"""
import argparse
import datetime
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

import dlrt_ctypes  # noqa: E402
import models  # noqa: E402

TOLERANCE = 1e-3  # max |dlrt - ORT| / max |ORT|
ALL_MODELS = ["lenet5", "resnet20", "resnet18", "mobilenetv2"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- artefacts ---------------------------------------------------------------

def converter_command(args):
    """argv prefix that runs dlrt-golden MODEL.json OUT.dlrt."""
    if args.converter:
        return args.converter.split()
    env = os.environ.get("DLRT_GOLDEN")
    if env:
        return env.split()
    # run.sh with DLRT_REV points DLRT_SRC at the archived tree, so the converter is built from that revision too
    src = os.path.abspath(os.environ.get("DLRT_SRC") or ROOT)
    scratch = os.path.join(src, ".build-bench")
    base = ["swift", "build", "-c", "release", "--scratch-path", scratch]
    exe = os.path.join(scratch, "release", "dlrt-golden")
    if os.environ.get("DLRT_SRC") and os.path.exists(exe):
        return [exe]  # an archived revision does not change: its converter is built once
    log(f"building dlrt-golden in {os.path.relpath(src, ROOT) if src != ROOT else '.'} "
        "(swift build -c release --scratch-path .build-bench --product dlrt-golden)")
    r = subprocess.run(base + ["--product", "dlrt-golden"], cwd=src, stdout=sys.stderr)
    if r.returncode != 0:
        # SwiftPM 6.3.1 fails every incremental build of this package with "unknown build description"
        # (InternalError): rebuild from an empty scratch folder (it only holds this benchmark's build).
        saved = os.path.join(src, "build", "bench", "dlrt-golden.previous")
        if os.path.exists(exe):
            os.makedirs(os.path.dirname(saved), exist_ok=True)
            shutil.copy2(exe, saved)
        log("swift build failed; retrying from an empty .build-bench")
        shutil.rmtree(scratch, ignore_errors=True)
        r = subprocess.run(base + ["--product", "dlrt-golden"], cwd=src, stdout=sys.stderr)
        if r.returncode != 0:
            # The converter links CRuntime, which others may be editing; an earlier build still converts.
            if not os.path.exists(saved):
                raise SystemExit("dlrt-golden did not build (see above)")
            log(f"warning: swift build failed again; using the previous build ({os.path.relpath(saved, ROOT)})")
            return [saved]
    if not os.path.exists(exe):
        raise SystemExit(f"dlrt-golden not found at {exe}")
    return [exe]


def convert(conv, json_path, dlrt_path):
    r = subprocess.run(conv + [json_path, dlrt_path], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"dlrt-golden failed on {json_path}:\n{r.stdout}{r.stderr}")


def prepare(name, outdir, conv, seed=0):
    """Builds the folded torch model and writes .json/.bin/.onnx/.dlrt; returns (model, shape, paths)."""
    model, shape = models.build(name, seed)
    base = os.path.join(outdir, name)
    paths = {k: f"{base}.{k}" for k in ("json", "bin", "onnx", "dlrt")}
    models.to_interchange(model, shape, name, paths["json"], paths["bin"])
    models.to_onnx(model, shape, paths["onnx"])
    convert(conv, paths["json"], paths["dlrt"])
    return model, shape, paths


# ---- engines -----------------------------------------------------------------

def ort_session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


class OrtRunner:
    """sess.run_with_iobinding with the input bound once and a preallocated output (least Python overhead)."""

    def __init__(self, sess, x):
        self.sess = sess
        y = sess.run(None, {"x": x})[0]
        self.out = np.empty_like(y)
        self.io = sess.io_binding()
        self.io.bind_cpu_input("x", x)
        self.io.bind_output("y", "cpu", 0, np.float32, list(self.out.shape), self.out.ctypes.data)
        self._x = x

    def run(self):
        self.sess.run_with_iobinding(self.io)
        return self.out


class TorchRunner:
    def __init__(self, model, x, threads):
        self.model, self.x = model, torch.from_numpy(x)
        torch.set_num_threads(threads)  # configurations run one after the other

    def run(self):
        with torch.inference_mode():
            return self.model(self.x).numpy()


def rel_diff(a, ref):
    return float(np.max(np.abs(a.astype(np.float64) - ref)) / max(np.max(np.abs(ref)), 1e-30))


# ---- timing ------------------------------------------------------------------

def settle(step=0.005, limit=0.25):
    """Sleeps until this process's threads are idle; returns the seconds slept.

    ORT's and OpenMP's workers spin after a run (measured: onnxruntime 1.32 keeps
    about one core busy for some 40 ms), so a fixed short pause let one engine's
    spinning threads steal a core from the next engine's threads. Idle means
    under 10% of a core over a `step`, at most `limit` seconds.
    """
    start = time.perf_counter()
    cpu = time.process_time()
    while True:
        time.sleep(step)
        now = time.process_time()
        if now - cpu < 0.1 * step or time.perf_counter() - start > limit:
            return time.perf_counter() - start
        cpu = now


def measure(runners, budget_s, min_rounds, max_rounds, block_s=0.002, hot=False):
    """Median seconds per run of each runner, interleaved.

    Each round runs every engine once, as a block of k back-to-back runs (k so
    a block lasts >= block_s; 1 for anything slower), in an order rotated every
    round. Before each block the process settles (`settle`): the previous
    engine's worker threads have parked, so they do not take the 2 cores from
    the next engine. So the first run of a block starts with every thread
    idle, as a request reaching an idle server does; `hot` runs the block's
    engine once, untimed, first (back-to-back runs, threads awake or
    spinning). Rounds: as many as fit budget_s, clamped.
    """
    names = list(runners)
    # warm-up: 2 runs each (1 for anything over 0.3 s), then time one run each to size blocks/rounds
    single, pause = {}, {}
    for n in names:
        t = time.perf_counter()
        runners[n]()
        first = time.perf_counter() - t
        if first < 0.3:
            runners[n]()
        t = time.perf_counter()
        runners[n]()
        single[n] = time.perf_counter() - t
        pause[n] = settle()
    inner = {n: max(1, int(block_s / max(single[n], 1e-7))) for n in names}
    round_s = sum(single[n] * (inner[n] + hot) + pause[n] for n in names)
    rounds = int(max(min_rounds, min(max_rounds, budget_s / round_s)))
    times = {n: [] for n in names}
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            for i in range(len(names)):
                n = names[(i + r) % len(names)]
                fn, k = runners[n], inner[n]
                settle()
                if hot:
                    fn()
                t = time.perf_counter()
                for _ in range(k):
                    fn()
                times[n].append((time.perf_counter() - t) / k)
    finally:
        if gc_was:
            gc.enable()
    out = {}
    for n in names:
        v = sorted(times[n])
        out[n] = {"median_ms": 1e3 * statistics.median(v), "min_ms": 1e3 * v[0],
                  "p25_ms": 1e3 * v[len(v) // 4], "p75_ms": 1e3 * v[(3 * len(v)) // 4],
                  "rounds": rounds, "runs_per_block": inner[n]}
    return out


def budget_for(name, batch, scale):
    # seconds of timing per (model, batch, threads) configuration; the whole run stays < ~10 min
    big = name in ("resnet18", "mobilenetv2")
    if batch == 1:
        b, lo, hi = (10.0, 15, 400) if big else (5.0, 30, 2000)
    else:
        b, lo, hi = (25.0, 5, 100) if big else (8.0, 10, 400)
    return b * scale, max(3, int(lo * min(scale, 1.0))), hi


# ---- modes -------------------------------------------------------------------

def machine_info(lib):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
        "dlrt_version": lib.version(), "dlrt_isa": lib.isa(), "dlrt_lib": lib.path,
        # run.sh with DLRT_REV builds the library from that committed revision (git archive)
        "git_commit": git("rev-parse", "--short", os.environ.get("DLRT_REV") or "HEAD"),
        "git_dirty_runtime": False if os.environ.get("DLRT_REV") else
        bool(git("status", "--porcelain", "--", "CRuntime", "include", "Makefile")),
        "onnxruntime": ort.__version__, "torch": torch.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "load_avg_start": os.getloadavg(),
    }


def lib_sizes(lib_path, outdir):
    stripped = os.path.join(outdir, "libdlrt.stripped.so")
    shutil.copyfile(lib_path, stripped)
    subprocess.run(["strip", "--strip-all", stripped], check=True)
    sizes = {"libdlrt_so_bytes": os.path.getsize(lib_path), "libdlrt_stripped_bytes": os.path.getsize(stripped)}
    capi = os.path.join(os.path.dirname(ort.__file__), "capi")
    ort_libs = [f for f in os.listdir(capi) if f.startswith("libonnxruntime.so")]
    if ort_libs:
        sizes["libonnxruntime_bytes"] = os.path.getsize(os.path.join(capi, ort_libs[0]))
    return sizes


def run_bench(args, lib, conv, outdir):
    results = {"machine": machine_info(lib), "sizes": lib_sizes(args.lib, outdir), "tolerance": TOLERANCE,
               "command": " ".join([os.path.relpath(sys.executable, ROOT)] + [os.path.relpath(sys.argv[0], ROOT)]
                                   + sys.argv[1:]),
               "rows": []}
    failures = []
    t_start = time.time()
    for name in args.models:
        t0 = time.time()
        model, shape, paths = prepare(name, os.path.join(outdir, "models"), conv)
        dmodel = dlrt_ctypes.Model(lib, paths["dlrt"])
        log(f"{name}: exported + converted in {time.time() - t0:.1f}s ({dmodel.node_count()} dlrt nodes, "
            f"{os.path.getsize(paths['dlrt']) / 1e6:.1f} MB)")
        for batch in args.batches:
            x = np.random.default_rng(1234 + batch).standard_normal((batch,) + tuple(shape[1:])).astype(np.float32)
            for threads in args.threads:
                sess = dlrt_ctypes.Session(dmodel, threads=threads, batch=batch)
                sess.bind(x)
                osess = ort_session(paths["onnx"], threads)
                orun = OrtRunner(osess, x)
                runners = {"dlrt": sess.run, "ort": orun.run}
                if not args.no_torch:
                    runners["torch"] = TorchRunner(model, x, threads).run
                # correctness: dlrt and torch against ORT, on this batch/thread configuration
                y_ort = orun.run().astype(np.float64)
                y_dlrt = sess.run().copy()
                diff = rel_diff(y_dlrt, y_ort)
                tdiff = rel_diff(runners["torch"](), y_ort) if "torch" in runners else None
                ok = diff <= TOLERANCE and y_dlrt.shape == y_ort.shape
                if not ok:
                    failures.append((name, batch, threads, diff))
                    log(f"  FAIL {name} batch {batch} threads {threads}: dlrt vs ORT max rel diff {diff:.3e} "
                        f"> {TOLERANCE} (run with --bisect {name} to find the op)")
                budget, lo, hi = budget_for(name, batch, args.budget_scale)
                m = measure(runners, budget, lo, hi)
                row = {"model": name, "batch": batch, "threads": threads, "input": [batch] + list(shape[1:]),
                       "dlrt_ms": m["dlrt"]["median_ms"], "ort_ms": m["ort"]["median_ms"],
                       "torch_ms": m["torch"]["median_ms"] if "torch" in m else None,
                       "ratio_dlrt_ort": m["dlrt"]["median_ms"] / m["ort"]["median_ms"],
                       "max_rel_diff_dlrt_ort": diff, "max_rel_diff_torch_ort": tdiff, "ok": ok,
                       "dlrt_arena_bytes": sess.arena_bytes, "detail": m}
                results["rows"].append(row)
                log(f"  {name:12s} b{batch:<3d} t{threads}  dlrt {row['dlrt_ms']:9.3f} ms  ORT {row['ort_ms']:9.3f} ms"
                    f"  ratio {row['ratio_dlrt_ort']:5.2f}  torch {row['torch_ms'] or float('nan'):9.3f} ms"
                    f"  diff {diff:.1e}  ({m['dlrt']['rounds']} rounds)")
                sess.close()
                del osess, orun
        dmodel.close()
    results["machine"]["load_avg_end"] = os.getloadavg()
    results["wall_s"] = time.time() - t_start
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print_table(results)
    if failures:
        log("\nFAILED: dlrt disagrees with onnxruntime beyond %g relative to max|output|:" % TOLERANCE)
        for f in failures:
            log("  %s batch %d threads %d: %.3e" % f)
        return 1
    return 0


def print_table(results):
    mi, sz = results["machine"], results["sizes"]
    print(f"\n{mi['date']}  {mi['cpu']} ({mi['cores']} cores)  dlrt {mi['dlrt_version']} [{mi['dlrt_isa']}] "
          f"git {mi['git_commit']}{' +uncommitted runtime changes' if mi['git_dirty_runtime'] else ''}  "
          f"onnxruntime {mi['onnxruntime']}  torch {mi['torch']}")
    print(f"libdlrt.so.1: {sz['libdlrt_so_bytes'] / 1024:.0f} KiB, stripped (strip --strip-all) "
          f"{sz['libdlrt_stripped_bytes'] / 1024:.0f} KiB"
          + (f"; libonnxruntime.so {sz['libonnxruntime_bytes'] / 1e6:.1f} MB" if "libonnxruntime_bytes" in sz else ""))
    print()
    print("| model | batch | threads | dlrt ms | ORT ms | dlrt/ORT | PyTorch ms | max rel diff vs ORT |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results["rows"]:
        t = f"{r['torch_ms']:.3f}" if r["torch_ms"] is not None else "-"
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | {r['dlrt_ms']:.3f} | {r['ort_ms']:.3f} | "
              f"**{r['ratio_dlrt_ort']:.2f}** | {t} | {r['max_rel_diff_dlrt_ort']:.1e}{'' if r['ok'] else ' FAIL'} |")
    print(f"\ntotal {results['wall_s']:.0f} s; load average start {mi['load_avg_start'][0]:.2f}, "
          f"end {mi['load_avg_end'][0]:.2f}")


def run_bisect(args, lib, conv, outdir):
    """Exports every prefix of the network (graph output = that op's value) and compares dlrt with torch."""
    name = args.bisect
    model, shape = models.build(name)
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    vals = models.fx_values(model, torch.from_numpy(x))
    order, _ = models.to_interchange(model, shape, name, os.path.join(outdir, "bisect", name + ".json"),
                                     os.path.join(outdir, "bisect", name + ".bin"))

    def check(i):
        node = order[i]
        base = os.path.join(outdir, "bisect", f"{name}_{i}")
        models.to_interchange(model, shape, name, base + ".json", base + ".bin", stop_after=node)
        convert(conv, base + ".json", base + ".dlrt")
        m = dlrt_ctypes.Model(lib, base + ".dlrt")
        s = dlrt_ctypes.Session(m, threads=args.threads[0])
        s.bind(x)
        got = s.run().copy()
        s.close()
        m.close()
        ref = vals[node].numpy().astype(np.float64).reshape(got.shape)
        d = rel_diff(got, ref)
        log(f"  prefix through #{i} {node}: max rel diff {d:.3e}")
        return d <= TOLERANCE

    lo, hi = 0, len(order) - 1
    if check(hi):
        print(f"{name}: the whole network agrees with PyTorch within {TOLERANCE}")
        return 0
    while lo < hi:  # first failing prefix
        mid = (lo + hi) // 2
        if check(mid):
            lo = mid + 1
        else:
            hi = mid
    print(f"{name}: first op that disagrees: #{lo} {order[lo]}")
    json_doc = json.load(open(os.path.join(outdir, "bisect", name + ".json")))
    for d in json_doc["nodes"]:
        if d["output"] == order[lo] or (lo == len(order) - 1 and d["output"] == "y"):
            print(json.dumps({k: v for k, v in d.items()}))
    return 1


def run_loop(args, lib, conv, outdir):
    """Runs one engine on one model for --seconds, for `perf record` (only that engine in the profile)."""
    name = args.loop
    model, shape, paths = prepare(name, os.path.join(outdir, "models"), conv)
    batch, threads = args.batches[0], args.threads[0]
    x = np.random.default_rng(1).standard_normal((batch,) + tuple(shape[1:])).astype(np.float32)
    if args.engine == "dlrt":
        m = dlrt_ctypes.Model(lib, paths["dlrt"])
        s = dlrt_ctypes.Session(m, threads=threads, batch=batch)
        s.bind(x)
        fn = s.run
    else:
        fn = OrtRunner(ort_session(paths["onnx"], threads), x).run
    fn()
    log(f"looping {args.engine} {name} batch {batch} threads {threads} for {args.seconds}s (pid {os.getpid()})")
    if args.ready_file:
        open(args.ready_file, "w").close()
    import resource
    t_end, n, times = time.time() + args.seconds, 0, []
    r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    while time.time() < t_end:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        n += 1
    r1, w1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(f"{args.engine} {name} b{batch} t{threads}: {n} runs, median {1e3 * statistics.median(times):.3f} ms, "
          f"CPU {cpu / (w1 - w0):.2f} cores busy (user+sys / wall), "
          f"{(r1.ru_nvcsw - r0.ru_nvcsw) / n:.1f} voluntary + {(r1.ru_nivcsw - r0.ru_nivcsw) / n:.1f} "
          f"involuntary context switches per run")
    return 0


# ---- per-layer timing ------------------------------------------------------------

def _layer_onnx(node, x_shape, W, b, path):
    """A one-node ONNX model (Conv or Gemm, plus Relu/Clip) equivalent to the dlrt node."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    a = node["attrs"]
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")]
    act = a.get("activation", 0)
    out = "z" if act else "y"
    if node["op"] == "conv2d":
        kh, kw = W.shape[2], W.shape[3]
        nodes = [helper.make_node("Conv", ["x", "W", "b"], [out], kernel_shape=[kh, kw],
                                  strides=a.get("strides", [1, 1]), pads=a.get("pads", [0, 0, 0, 0]),
                                  dilations=a.get("dilations", [1, 1]), group=a.get("groups", 1))]
    else:
        nodes = [helper.make_node("Gemm", ["x", "W", "b"], [out], transB=1)]
    if act == models.ACT_RELU:
        nodes.append(helper.make_node("Relu", [out], ["y"]))
    elif act == models.ACT_RELU6:
        inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "hi")]
        nodes.append(helper.make_node("Clip", [out, "lo", "hi"], ["y"]))
    elif act:
        raise ValueError(f"activation {act}")
    g = helper.make_graph(nodes, "layer", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + list(x_shape[1:]))],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


def _layer_kind(node, x_shape, W):
    if node["op"] == "dense":
        return "dense"
    a = node["attrs"]
    k = f"{W.shape[2]}x{W.shape[3]}"
    s = a.get("strides", [1, 1])[0]
    if a.get("groups", 1) == x_shape[1] and a.get("groups", 1) > 1:
        return f"depthwise {k} s{s}"
    if x_shape[1] <= 4:
        return f"stem {k} s{s} (C={x_shape[1]})"
    return f"conv {k} s{s}"


def run_layers(args, lib, conv, outdir):
    """Times every conv2d/dense node of a network alone, dlrt against ORT (same shapes, weights, fused act)."""
    name = args.layers
    batch, threads = args.batches[0], args.threads[0]
    model, shape = models.build(name)
    d = os.path.join(outdir, "layers", name)
    os.makedirs(d, exist_ok=True)
    models.to_interchange(model, shape, name, os.path.join(d, "model.json"), os.path.join(d, "model.bin"))
    doc = json.load(open(os.path.join(d, "model.json")))
    blob = np.fromfile(os.path.join(d, "model.bin"), "<f4")
    consts = {c["name"]: c for c in doc["constants"]}
    vals = models.fx_values(model, torch.zeros(shape))
    x_shapes = {k: tuple(v.shape) for k, v in vals.items()}
    x_shapes["x"] = tuple(shape)

    def const(nm):
        c = consts[nm]
        n = int(np.prod(c["shape"]))
        return blob[c["offset"]:c["offset"] + n].reshape(c["shape"]).astype(np.float32)

    rows = []
    for i, node in enumerate(doc["nodes"]):
        if node["op"] not in ("conv2d", "dense"):
            continue
        xs = x_shapes[node["inputs"][0]]
        W, b = const(node["inputs"][1]), const(node["inputs"][2])
        base = os.path.join(d, f"l{i:03d}")
        lj = {"name": f"{name}-l{i}", "inputs": [{"name": "x", "shape": [1] + list(xs[1:])}], "outputs": ["y"],
              "constants": [{"name": "W", "shape": list(W.shape), "offset": 0},
                            {"name": "b", "shape": list(b.shape), "offset": int(W.size)}],
              "nodes": [{"op": node["op"], "inputs": ["x", "W", "b"], "output": "y", "attrs": node["attrs"]}]}
        with open(base + ".json", "w") as f:
            json.dump(lj, f)
        np.concatenate([W.ravel(), b.ravel()]).astype("<f4").tofile(base + ".bin")
        convert(conv, base + ".json", base + ".dlrt")
        _layer_onnx(node, xs, W, b, base + ".onnx")
        x = np.random.default_rng(i).standard_normal((batch,) + tuple(xs[1:])).astype(np.float32)
        m = dlrt_ctypes.Model(lib, base + ".dlrt")
        s = dlrt_ctypes.Session(m, threads=threads, batch=batch)
        s.bind(x)
        orun = OrtRunner(ort_session(base + ".onnx", threads), x)
        diff = rel_diff(s.run().copy(), orun.run().astype(np.float64))
        t = measure({"dlrt": s.run, "ort": orun.run}, args.layer_budget, 10, 2000)
        macs = int(np.prod(s.out_shape[1:])) * int(np.prod(W.shape[1:]))  # per image
        kind = _layer_kind(node, xs, W)
        rows.append({"index": i, "kind": kind, "in": list(xs[1:]), "out": list(s.out_shape[1:]),
                     "attrs": node["attrs"], "macs": macs, "dlrt_ms": t["dlrt"]["median_ms"],
                     "ort_ms": t["ort"]["median_ms"], "diff": diff})
        r = rows[-1]
        log(f"  #{i:3d} {kind:24s} {str(r['in']):18s} -> {str(r['out']):18s} dlrt {r['dlrt_ms']:8.3f} ms  "
            f"ORT {r['ort_ms']:8.3f} ms  ratio {r['dlrt_ms'] / r['ort_ms']:5.2f}  "
            f"{2e-6 * macs * batch / r['dlrt_ms']:6.1f} GFLOP/s  diff {diff:.0e}")
        s.close()
        m.close()
    with open(os.path.join(outdir, f"layers-{name}-b{batch}-t{threads}.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print(f"\n{name} batch {batch} threads {threads}: conv/dense layers timed alone, summed by kind")
    print("| kind | layers | GMAC | dlrt ms | ORT ms | dlrt/ORT | dlrt GFLOP/s | ORT GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    kinds = {}
    for r in rows:
        kinds.setdefault(r["kind"], []).append(r)
    tot = [0, 0.0, 0.0, 0.0]
    for k, rs in sorted(kinds.items(), key=lambda kv: -sum(r["dlrt_ms"] for r in kv[1])):
        g = sum(r["macs"] for r in rs) * batch / 1e9
        dm, om = sum(r["dlrt_ms"] for r in rs), sum(r["ort_ms"] for r in rs)
        tot = [tot[0] + len(rs), tot[1] + g, tot[2] + dm, tot[3] + om]
        print(f"| {k} | {len(rs)} | {g:.3f} | {dm:.3f} | {om:.3f} | **{dm / om:.2f}** | {2 * g / dm * 1e3:.1f} | "
              f"{2 * g / om * 1e3:.1f} |")
    print(f"| total | {tot[0]} | {tot[1]:.3f} | {tot[2]:.3f} | {tot[3]:.3f} | **{tot[2] / tot[3]:.2f}** | "
          f"{2 * tot[1] / tot[2] * 1e3:.1f} | {2 * tot[1] / tot[3] * 1e3:.1f} |")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=ALL_MODELS, choices=ALL_MODELS)
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 32])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--lib", default=os.path.join(ROOT, os.environ.get("BUILD", "build"), "libdlrt.so.1"))
    ap.add_argument("--converter", help="command that runs dlrt-golden (default: swift build it into .build-bench)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch eager column")
    ap.add_argument("--budget-scale", type=float, default=1.0, help="scale the per-configuration timing budget")
    ap.add_argument("--quick", action="store_true", help="--budget-scale 0.1")
    ap.add_argument("--tolerance", type=float, default=TOLERANCE,
                    help="max |dlrt - reference| / max |reference| (default %(default)g)")
    ap.add_argument("--bisect", choices=ALL_MODELS, help="find the first op where dlrt disagrees with PyTorch")
    ap.add_argument("--loop", choices=ALL_MODELS, help="run one engine in a loop (for perf record)")
    ap.add_argument("--layers", choices=ALL_MODELS, help="time each conv/dense layer alone, dlrt vs ORT")
    ap.add_argument("--layer-budget", type=float, default=0.6, help="seconds of timing per layer (--layers)")
    ap.add_argument("--engine", choices=["dlrt", "ort"], default="dlrt")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--ready-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.quick:
        args.budget_scale = 0.1
    globals()["TOLERANCE"] = args.tolerance
    os.makedirs(args.out, exist_ok=True)
    if not os.path.exists(args.lib):
        raise SystemExit(f"{args.lib} not found: run `make` first")
    lib = dlrt_ctypes.Lib(args.lib)
    if lib.isa() == "scalar":
        log("warning: dlrt dispatches to scalar kernels on this machine")
    conv = converter_command(args)
    if args.bisect:
        return run_bisect(args, lib, conv, args.out)
    if args.layers:
        return run_layers(args, lib, conv, args.out)
    if args.loop:
        return run_loop(args, lib, conv, args.out)
    return run_bench(args, lib, conv, args.out)


if __name__ == "__main__":
    sys.exit(main())

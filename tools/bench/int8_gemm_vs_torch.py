"""dlrt's int8 GEMM against PyTorch's torch._int_mm, in one run.

The GEMM shapes are igemm_bench.c's (the conv shapes of the model benchmark,
as im2col GEMMs): C[M x N] = W[M x K] X[K x N]. Rounds alternate between
`igemm_bench` (a subprocess, AVX-512 VNNI and 1 thread as this machine runs
dlrt) and torch._int_mm in this process on the same shapes and thread count,
so that a shared, drifting machine slows both alike; medians over rounds.

dlrt's figure includes packing the activations and requantizing the int32
sums to int8 (what a layer needs); torch._int_mm returns the int32 sums, so
the comparison favours torch slightly.

    make BUILD=build build/libdlrt.a
    tools/venv/bin/python tools/bench/int8_gemm_vs_torch.py [--rounds 3] [--threads 1]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROW = re.compile(r"^(\w+)\s+(\d+) x (\d+) x (\d+)\s+(.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")


def dlrt_gemm(build, isa, threads):
    """One igemm_bench run: {(m, n, k): (what, int8 GOP/s)} for `isa` at `threads`."""
    out = subprocess.run([os.path.join(build, "igemm_bench"), "5"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, DLRT_ISA=isa)).stdout
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line.strip())
        if m and m.group(1) == isa and int(m.group(6)) == threads:
            rows[(int(m.group(2)), int(m.group(3)), int(m.group(4)))] = (m.group(5), float(m.group(8)))
    if not rows:
        sys.exit(f"igemm_bench printed no {isa} GEMM rows for {threads} thread(s):\n{out}")
    return rows


def torch_gemm(m, n, k, reps=5):
    """Median GOP/s of torch._int_mm(A [m, k], B [k, n]) over `reps` timed calls."""
    a = torch.randint(-127, 128, (m, k), dtype=torch.int8)
    b = torch.randint(-127, 128, (k, n), dtype=torch.int8)
    torch._int_mm(a, b)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        torch._int_mm(a, b)
        times.append(time.perf_counter() - start)
    return 2 * m * n * k / statistics.median(times) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--isa", default="avx512")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()

    library = os.path.join(args.build, "libdlrt.a")
    if not os.path.exists(library):
        sys.exit(f"{library} is missing: run `make BUILD={args.build} {library}` first")
    subprocess.run(["cc", "-O2", "-std=c11", "-Iinclude", "-ICRuntime", "-o", os.path.join(args.build, "igemm_bench"),
                    "tools/bench/igemm_bench.c", library, "-lm", "-lpthread"], cwd=ROOT, check=True)
    torch.set_num_threads(args.threads)

    ours, theirs = {}, {}
    for _ in range(args.rounds):
        for shape, (what, gops) in dlrt_gemm(args.build, args.isa, args.threads).items():
            ours.setdefault(shape, (what, []))[1].append(gops)
        for shape in ours:
            theirs.setdefault(shape, []).append(torch_gemm(*shape))

    print(f"int8 GEMM, {args.threads} thread(s), medians of {args.rounds} alternating rounds; "
          f"dlrt {args.isa} (igemm_bench), torch {torch.__version__} _int_mm")
    print("| M x N x K | layer | dlrt GOP/s | torch._int_mm GOP/s | dlrt / torch |")
    print("|---|---|---:|---:|---:|")
    ratios = []
    for (m, n, k), (what, values) in ours.items():
        a, b = statistics.median(values), statistics.median(theirs[(m, n, k)])
        ratios.append(a / b)
        print(f"| {m} x {n} x {k} | {what} | {a:.1f} | {b:.1f} | **{a / b:.2f}** |")
    print(f"geometric mean dlrt / torch: {statistics.geometric_mean(ratios):.2f}")


if __name__ == "__main__":
    main()

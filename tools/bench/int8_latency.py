"""Latency of an int8 model against its fp32 original, side by side in one process.

Issue #5's goal for the bundled CIFAR-10 model: int8 latency at most 0.4x fp32
at batch 1 and 32, with 1 and 2 threads. For each configuration both models get
a session of their own; rounds alternate between them (so a shared, drifting
machine slows both alike) and each round times as many runs as fit in
--budget seconds. One run is set_input + run + get_output, as in bench.py.
Printed: the median time per batch of each and the ratio int8 / fp32.

    make                                     # build/libdlrt.so.1, the release library
    tools/venv/bin/python tools/bench/int8_latency.py
    tools/venv/bin/python tools/bench/int8_latency.py --fp32 A.dlrt --int8 B.dlrt --batches 1 --threads 1,2

Needs numpy only (tools/venv has it).
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from dlrt_ctypes import Lib, Model, Session  # noqa: E402

GOAL = 0.4


def seconds_per_run(session, budget):
    """Times runs of `session` for about `budget` seconds; returns seconds per run."""
    runs, start = 0, time.perf_counter()
    while True:
        session.run()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return elapsed / runs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", default=os.path.join(ROOT, "build", "libdlrt.so.1"))
    parser.add_argument("--fp32", default=os.path.join(ROOT, "models", "cifar10-resnet20.dlrt"))
    parser.add_argument("--int8", default=os.path.join(ROOT, "models", "cifar10-resnet20-int8.dlrt"))
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.25, help="seconds per model per round")
    args = parser.parse_args()
    for path in (args.lib, args.fp32, args.int8):
        if not os.path.exists(path):
            sys.exit(f"int8_latency.py: '{path}' does not exist (build the library with make)")

    lib = Lib(args.lib)
    print(f"dlrt {lib.version()}, ISA {lib.isa()}; {os.path.basename(args.int8)} against "
          f"{os.path.basename(args.fp32)}; median of {args.rounds} rounds\n")
    print("| batch | threads | fp32 ms | int8 ms | int8 / fp32 |")
    print("|---:|---:|---:|---:|---:|")
    ratios = []
    for batch in (int(b) for b in args.batches.split(",")):
        for threads in (int(t) for t in args.threads.split(",")):
            sessions = [Session(Model(lib, path), threads=threads, batch=batch) for path in (args.fp32, args.int8)]
            x = np.random.default_rng(0).standard_normal(sessions[0].in_shape).astype(np.float32)
            for s in sessions:
                s.bind(x)
                s.run()
            times = [[], []]
            for _ in range(args.rounds):
                for i, s in enumerate(sessions):
                    times[i].append(seconds_per_run(s, args.budget))
            fp32, int8 = (statistics.median(t) for t in times)
            ratios.append(int8 / fp32)
            print(f"| {batch} | {threads} | {fp32 * 1e3:.3f} | {int8 * 1e3:.3f} | {int8 / fp32:.3f} |", flush=True)
            for s in sessions:
                s.close()
    worst = max(ratios)
    print(f"\nworst ratio {worst:.3f}; the goal is {GOAL} or less: {'met' if worst <= GOAL else 'not met'}")


if __name__ == "__main__":
    main()

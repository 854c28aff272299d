"""Training throughput (images/s) of dlrt's Swift engine against PyTorch CPU,
measured side by side in one run: the same architecture, batch size,
optimizer recipe and thread count, on random data (no data loading), rounds
alternating between the two engines so that drift on a shared machine hits
both. The reported figure per engine is the median over rounds; the ratio is
dlrt / PyTorch (above 1.0: dlrt is faster).

  tools/venv/bin/python tools/bench/train_bench.py                     # lenet5 b64 and resnet20 b128, 1 and 2 threads
  tools/venv/bin/python tools/bench/train_bench.py --cases resnet20:128 --threads 2 --rounds 5
  tools/venv/bin/python tools/bench/train_bench.py --cases charlstm:32      # the character LSTM; x100 for chars/s

The dlrt side is the release build of tools/bench/TrainBench (dlrt-train-bench),
built here unless --bin names one. The PyTorch models mirror the zoo's exactly
(same layers, shapes and parameter counts, checked below); weights are random
in both, which does not change the work.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class LeNet5(nn.Module):
    """The zoo's lenet5: ReLU and max pooling, 61,706 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class BasicBlock(nn.Module):
    """He et al.'s CIFAR block with the option A shortcut (strided identity, zero-padded channels)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = x
        if self.stride != 1 or self.pad:
            skip = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(out + skip)


class ResNet20(nn.Module):
    """The zoo's resnet20: 269,722 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(BasicBlock(cin, width, stride if i == 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class CharLSTM(nn.Module):
    """dltrain's charlstm (CharLSTMRecipe.standard) for 65 characters: 3,322,497 parameters.
    One "image" is one chunk of 100 characters; the step clips the gradient norm at 5 as dltrain does."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(65, 64)
        self.lstm = nn.LSTM(64, 512, num_layers=2, dropout=0.25, batch_first=True)
        self.dropout = nn.Dropout(0.25)
        self.head = nn.Linear(512, 65)

    def forward(self, x):
        y, _ = self.lstm(self.embedding(x))
        return self.head(self.dropout(y)).reshape(-1, 65)


# name: (module, input shape, parameter count of the zoo model, optimizer as in Recipe.defaults)
MODELS = {
    "lenet5": (LeNet5, (1, 28, 28), 61_706, lambda p: torch.optim.Adam(p, lr=1e-4)),
    "resnet20": (ResNet20, (3, 32, 32), 269_722,
                 lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=5e-4)),
    "charlstm": (CharLSTM, (100,), 3_322_497, lambda p: torch.optim.Adam(p, lr=1e-4)),
}


def torch_images_per_second(name, batch, steps, warmup):
    make, shape, params, optimizer_for = MODELS[name]
    torch.manual_seed(1)
    model = make().train()
    count = sum(p.numel() for p in model.parameters())
    assert count == params, f"{name}: {count} parameters, the zoo model has {params}"
    optimizer = optimizer_for(model.parameters())
    if name == "charlstm":
        x, y = torch.randint(0, 65, (batch, *shape)), torch.randint(0, 65, (batch * shape[0],))
    else:
        x, y = torch.rand(batch, *shape) * 2 - 1, torch.randint(0, 10, (batch,))

    def step():
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if name == "charlstm":
            nn.utils.clip_grad_norm_(model.parameters(), 5)
        optimizer.step()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * steps / (time.perf_counter() - start)


def dlrt_images_per_second(binary, name, batch, steps, warmup, threads):
    out = subprocess.run([binary, name, str(batch), str(steps), str(warmup), str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["images_per_second"]


def build_binary():
    subprocess.run(["swift", "build", "-c", "release", "--product", "dlrt-train-bench"], cwd=ROOT, check=True,
                   stdout=sys.stderr)
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, "dlrt-train-bench")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="lenet5:64,resnet20:128", help="MODEL:BATCH,...")
    parser.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="target timed seconds per engine per round")
    parser.add_argument("--bin", help="a built dlrt-train-bench (default: build the release one)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    binary = args.bin or build_binary()
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__}, mkldnn {torch.backends.mkldnn.is_available()}; "
          f"{args.rounds} rounds, median images/s; ratio = dlrt / torch")
    print(f"{'model':<10}{'batch':>6}{'threads':>8}{'torch img/s':>13}{'dlrt img/s':>12}{'ratio':>8}")
    results = []
    for case in args.cases.split(","):
        name, batch = case.split(":")
        batch = int(batch)
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            # Steps so that one timing takes about --seconds, from a short torch probe.
            probe = torch_images_per_second(name, batch, 2, 1)
            steps = max(3, int(args.seconds * probe / batch))
            torch_rates, dlrt_rates = [], []
            for _ in range(args.rounds):
                torch_rates.append(torch_images_per_second(name, batch, steps, 2))
                dlrt_rates.append(dlrt_images_per_second(binary, name, batch, steps, 2, threads))
            t, d = statistics.median(torch_rates), statistics.median(dlrt_rates)
            results.append({"model": name, "batch": batch, "threads": threads, "steps": steps,
                            "torch": torch_rates, "dlrt": dlrt_rates, "ratio": d / t})
            print(f"{name:<10}{batch:>6}{threads:>8}{t:>13.1f}{d:>12.1f}{d / t:>8.2f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()

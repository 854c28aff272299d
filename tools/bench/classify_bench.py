"""`classify` against a Python pipeline doing the same work, measured side by side.

1. Cold start: `classify --model M photo.jpg` from process start to answer (wall time, median of
   --cold-runs runs, page cache warm). Goal: 30 ms or less.
2. Throughput over an image folder (default: the 10,000 CIFAR-10 test JPEGs): images/s for decode +
   preprocess + inference, `classify --threads T --batch B DIR` (its own timer: after the model
   loads, until the last answer) against Pillow + numpy + onnxruntime on the same architecture (the
   zoo's ResNet-20, random weights, exported to ONNX), decoding with T Pillow threads and running
   onnxruntime with T intra-op threads at the same batch size. Rounds alternate between the two;
   the median of each is reported, and the ratio classify / Python (above 1.0: classify is faster).

  tools/venv/bin/python tools/bench/classify_bench.py --model build/resnet20.dlrt
  tools/venv/bin/python tools/bench/classify_bench.py --model M.dlrt --data DIR --threads 1,2 --rounds 3

Needs tools/venv with torch, onnx, onnxruntime, numpy and pillow, and ../shared (the data and
photos); builds the release `classify` unless --bin names one. The Python side reads the model's
input contract (mean, std, size) from `dlexport --inspect --json` so that both preprocess alike.
"""
import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from train_bench import ResNet20  # noqa: E402  (the zoo's ResNet-20 in torch)

SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def build(product):
    subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, stdout=sys.stderr)
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, product)


def images_under(directory):
    found = []
    for base, dirs, files in os.walk(directory):
        dirs.sort()
        found += [os.path.join(base, f) for f in sorted(files) if f.lower().endswith((".jpg", ".jpeg", ".png"))]
    return found


def cold_start_ms(classify, model, photo, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([classify, "--model", model, photo], check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def classify_rate(classify, model, data, threads, batch):
    err = subprocess.run([classify, "--model", model, "--threads", str(threads), "--batch", str(batch), data],
                         check=True, capture_output=True, text=True).stderr
    # "classified N of N images in S s (R images/s, ...)"
    line = [l for l in err.splitlines() if l.startswith("classified ")][-1]
    words = line.split()
    return int(words[1]) / float(words[6])


class PythonPipeline:
    """Pillow decode, shorter side to the input size (box filter when shrinking, bilinear when growing),
    centre crop, normalise, NCHW batches into onnxruntime."""

    def __init__(self, onnx_bytes, contract, threads, batch):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
        self.side = contract["resize_shorter"]
        self.size = contract["size"]
        self.mean = np.array(contract["mean"], np.float32).reshape(3, 1, 1)
        self.std = np.array(contract["std"], np.float32).reshape(3, 1, 1)
        self.pool = ThreadPoolExecutor(threads)
        self.batch = batch

    def prepare(self, path):
        image = Image.open(path).convert("RGB")
        w, h = image.size
        scale = self.side / min(w, h)
        nw, nh = max(self.side, round(w * scale)), max(self.side, round(h * scale))
        if (nw, nh) != (w, h):
            image = image.resize((nw, nh), Image.BOX if scale < 1 else Image.BILINEAR)
        left, top = (nw - self.size) // 2, (nh - self.size) // 2
        image = image.crop((left, top, left + self.size, top + self.size))
        x = np.asarray(image, np.float32).transpose(2, 0, 1) / 255.0
        return (x - self.mean) / self.std

    def run(self, paths):
        start = time.perf_counter()
        answers = 0
        for i in range(0, len(paths), self.batch):
            chunk = list(self.pool.map(self.prepare, paths[i:i + self.batch]))
            x = np.stack(chunk)
            if len(chunk) < self.batch:  # the same fixed batch as classify's session
                x = np.concatenate([x, np.zeros((self.batch - len(chunk),) + x.shape[1:], np.float32)])
            logits = self.session.run(None, {"input": x})[0][:len(chunk)]
            answers += int((logits.argmax(1) >= 0).sum())
        assert answers == len(paths)
        return len(paths) / (time.perf_counter() - start)


def onnx_resnet20(batch):
    model = ResNet20().eval()
    buffer = io.BytesIO()
    torch.onnx.export(model, torch.zeros(batch, 3, 32, 32), buffer, input_names=["input"], output_names=["logits"],
                      opset_version=17, dynamo=False)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "cifar10-resnet20.dlrt"))
    parser.add_argument("--data", default=os.path.join(SHARED, "datasets", "cifar10", "test"))
    parser.add_argument("--photo", default=os.path.join(SHARED, "images", "photos", "cat_Egyptian_cat.jpg"))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=20)
    parser.add_argument("--bin", help="a directory holding release builds of classify and dlexport (default: build them)")
    args = parser.parse_args()
    for path in (args.model, args.data, args.photo):
        if not os.path.exists(path):
            sys.exit(f"classify_bench.py: {path} not found (../shared absent, or no model: see --model)")
    classify = os.path.join(args.bin, "classify") if args.bin else build("classify")
    dlexport = os.path.join(args.bin, "dlexport") if args.bin else build("dlexport")
    inspect = json.loads(subprocess.run([dlexport, "--inspect", args.model, "--json"], check=True,
                                        capture_output=True, text=True).stdout)
    metadata = inspect["metadata"]
    contract = {"size": inspect["inputs"][0]["shape"][3], "mean": metadata["input.mean"], "std": metadata["input.std"],
                "resize_shorter": metadata.get("input.resize_shorter", inspect["inputs"][0]["shape"][3])}
    paths = images_under(args.data)

    median, best = cold_start_ms(classify, args.model, args.photo, args.cold_runs)
    print(f"cold start, classify one photo ({os.path.basename(args.photo)}): median {median:.1f} ms, best {best:.1f} ms "
          f"over {args.cold_runs} runs (goal <= 30 ms)")
    onnx_bytes = onnx_resnet20(args.batch)
    print(f"throughput over {len(paths)} images in {args.data}, batch {args.batch}, median of {args.rounds} rounds:")
    print(f"{'threads':>8}{'classify img/s':>16}{'python img/s':>14}{'ratio':>8}")
    for threads in (int(t) for t in args.threads.split(",")):
        python = PythonPipeline(onnx_bytes, contract, threads, args.batch)
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(classify_rate(classify, args.model, args.data, threads, args.batch))
            theirs.append(python.run(paths))
        o, t = statistics.median(ours), statistics.median(theirs)
        print(f"{threads:>8}{o:>16.0f}{t:>14.0f}{o / t:>8.2f}", flush=True)


if __name__ == "__main__":
    main()

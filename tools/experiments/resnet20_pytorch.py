"""PyTorch reference for dltrain's ResNet-20 recipe on the CIFAR-10 JPEG copy.

Trains the same network (option A shortcuts, Kaiming-normal fan-in init) with
the same recipe as

    dltrain --model resnet20 --data ../shared/datasets/cifar10 \
            --epochs E --schedule onecycle|cosine --lr 0.1 --seed S \
            [--label-smoothing A] [--cutout N]

(SGD momentum 0.9, weight decay 5e-4 on every parameter, batch 128, OneCycleLR
with PyTorch's defaults stepped per batch or CosineAnnealingLR stepped per
epoch, zero-pad-4 random crop and horizontal flip, then cutout, CIFAR-10
mean/std), so that dltrain's test accuracy can be compared with what PyTorch
reaches on the very same files. It prints one JSON line per epoch. With
--state FILE it saves its whole state after every epoch and resumes from it.

    tools/venv/bin/python tools/experiments/resnet20_pytorch.py --epochs 40 --threads 2
    tools/venv/bin/python tools/experiments/resnet20_pytorch.py --epochs 100 --schedule cosine \
        --label-smoothing 0.1 --cutout 8 --seed 5 --state r20-torch.pt
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
from train_bench import ResNet20  # noqa: E402  (the zoo's ResNet-20 in torch)

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)


def load_split(root):
    images, labels = [], []
    for label, name in enumerate(CLASSES):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            with Image.open(os.path.join(folder, file)) as im:
                images.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
            labels.append(label)
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return x, torch.tensor(labels)


def normalise(x):
    return (x.float() / 255 - MEAN) / STD


def augment(x, generator, cutout):
    """Zero-pad 4 (after normalisation, as dltrain pads with the value of a 0 byte), random crop, flip, cutout."""
    n = x.shape[0]
    padded = F.pad(x, (4, 4, 4, 4), value=0.0)
    zero = ((0 - MEAN) / STD).expand(n, 3, 40, 40)
    border = torch.ones(1, 1, 40, 40, dtype=torch.bool)
    border[:, :, 4:36, 4:36] = False
    padded = torch.where(border, zero, padded)
    offsets = torch.randint(0, 9, (n, 2), generator=generator)
    flips = torch.randint(0, 2, (n,), generator=generator).bool()
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = offsets[i].tolist()
        crop = padded[i, :, dy:dy + 32, dx:dx + 32]
        out[i] = crop.flip(2) if flips[i] else crop
    if cutout > 0:
        # As dltrain: a side-`cutout` square centred on a uniform pixel, clipped, set to 0 (the mean colour).
        centres = torch.randint(0, 32, (n, 2), generator=generator)
        for i in range(n):
            cy, cx = (c - cutout // 2 for c in centres[i].tolist())
            out[i, :, max(0, cy):max(0, cy + cutout), max(0, cx):max(0, cx + cutout)] = 0
    return out


def he_initialised():
    """train_bench's ResNet20 (the zoo's) with the zoo's init: Kaiming-normal fan-in weights."""
    model = ResNet20()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared", "datasets", "cifar10"))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--schedule", choices=["onecycle", "cosine"], default="onecycle")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--cutout", type=int, default=0)
    parser.add_argument("--state", help="save the whole training state here after each epoch, and resume from it")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.data, "train")):
        sys.exit(f"resnet20_pytorch: no CIFAR-10 image folder at {args.data} (../shared is absent?)")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_x, train_y = load_split(os.path.join(args.data, "train"))
    test_x, test_y = load_split(os.path.join(args.data, "test"))
    train_x, test_x = normalise(train_x), normalise(test_x)
    model = he_initialised()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    batches = len(train_y) // 128 + (len(train_y) % 128 > 0)
    if args.schedule == "onecycle":
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * batches)
    else:
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    first, elapsed = 1, 0.0
    if args.state and os.path.exists(args.state):
        state = torch.load(args.state, weights_only=False)
        for name, part in (("model", model), ("optimizer", optimizer), ("schedule", schedule)):
            part.load_state_dict(state[name])
        generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        first, elapsed = state["epoch"] + 1, state["elapsed_s"]
    start = time.time() - elapsed
    for epoch in range(first, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        correct = seen = 0
        for b in range(batches):
            index = order[b * 128:(b + 1) * 128]
            x, y = augment(train_x[index], generator, args.cutout), train_y[index]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if args.schedule == "onecycle":
                schedule.step()
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
        model.eval()
        with torch.no_grad():
            test_correct = sum((model(test_x[i:i + 500]).argmax(1) == test_y[i:i + 500]).sum().item()
                               for i in range(0, len(test_y), 500))
        if args.schedule == "cosine":
            schedule.step()
        print(json.dumps({"epoch": epoch, "train_accuracy": correct / seen, "test_accuracy": test_correct / len(test_y),
                          "elapsed_s": round(time.time() - start, 1)}), flush=True)
        if args.state:
            temporary = args.state + ".tmp"
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "schedule": schedule.state_dict(), "generator": generator.get_state(),
                        "torch_rng": torch.get_rng_state(), "epoch": epoch,
                        "elapsed_s": time.time() - start}, temporary)
            os.replace(temporary, args.state)


if __name__ == "__main__":
    main()

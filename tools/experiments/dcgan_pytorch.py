"""PyTorch reference for dltrain's DCGAN recipe on MNIST, gated like dlrt-gan-quality.

    tools/venv/bin/python tools/experiments/dcgan_pytorch.py --epochs 10 --width 64 --lib build/libdlrt.so.1
    tools/venv/bin/python tools/experiments/dcgan_pytorch.py --gate-dlrt models/mnist-dcgan.dlrt --lib build/libdlrt.so.1

Same networks as Sources/DeepLearning/Zoo/DCGAN.swift (width w: G z100 -> 2w x7x7 -> w x14x14 -> 1x28x28 tanh,
D 1 -> w -> 2w -> 1 logit), N(0, 0.02) init, Adam 2e-4 beta1 0.5, batch 128, the PyTorch DCGAN example's step.
After each epoch: 1,000 samples from PortableNormal seed 1 (G in eval mode), quantised to 8 bits, classified by the
bundled LeNet-5 through libdlrt (ctypes); prints the confident fraction (p >= 0.9) and the class entropy.
--gate-dlrt G.dlrt gates an exported generator instead (checks this script against dlrt-gan-quality).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = os.path.join(os.path.dirname(ROOT), "shared", "datasets", "mnist")
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
import dlrt_ctypes as D  # noqa: E402

M64 = (1 << 64) - 1


def portable_normal(seed, count):
    state, out = seed & M64, []
    while len(out) < count:
        us = []
        for _ in range(2):
            state = (state + 0x9E3779B97F4A7C15) & M64
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            z ^= z >> 31
            us.append((z >> 11) * 2.0 ** -53)
        r = math.sqrt(-2 * math.log(1 - us[0]))
        out += [r * math.cos(2 * math.pi * us[1]), r * math.sin(2 * math.pi * us[1])]
    return np.array(out[:count], dtype=np.float32)


class Gate:
    def __init__(self, lib, n=1000):
        self.lib = lib
        self.lenet = D.Model(lib, os.path.join(ROOT, "models", "mnist-lenet5.dlrt"))
        self.session = D.Session(self.lenet, threads=1, batch=n)
        self.latents = portable_normal(1, n * 100).reshape(n, 100, 1, 1)

    def __call__(self, images):
        """images: [n, 1, 28, 28] float in [-1, 1]."""
        pixels = np.clip(np.floor((images + 1) * 255 / 2 + 0.5), 0, 255)
        x = np.ascontiguousarray(((pixels / 255 - 0.1307) / 0.3081).astype(np.float32))
        self.session.bind(x)
        logits = self.session.run()
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        confident = float((p.max(1) >= 0.9).mean())
        hist = np.bincount(p.argmax(1), minlength=10) / len(p)
        entropy = float(-(hist[hist > 0] * np.log(hist[hist > 0])).sum())
        return confident, entropy, hist


def generator(w, extra=0):
    """extra k > 0: a stride-1 k x k layer (2w channels, BN, ReLU) at 7 x 7 before the first upsampling."""
    layers = [nn.ConvTranspose2d(100, 2 * w, 7, 1, 0, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU()]
    if extra:
        layers += [nn.Conv2d(2 * w, 2 * w, extra, 1, extra // 2, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU()]
    return nn.Sequential(*layers,
                         nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
                         nn.ConvTranspose2d(w, 1, 4, 2, 1, bias=False), nn.Tanh())


def discriminator(w, dropout=0.0, spectral=False, codes=0):
    """spectral: spectral normalisation of every conv (Miyato et al. 2018) instead of the batch norm.
    codes k > 0: InfoGAN's Q head as k more output channels of the last conv, logits of the latent's code."""
    drop = [nn.Dropout(dropout)] if dropout else []
    sn = nn.utils.parametrizations.spectral_norm if spectral else (lambda m: m)
    norm = [] if spectral else [nn.BatchNorm2d(2 * w)]
    return nn.Sequential(
        sn(nn.Conv2d(1, w, 4, 2, 1, bias=False)), nn.LeakyReLU(0.2), *drop,
        sn(nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False)), *norm, nn.LeakyReLU(0.2), *drop,
        sn(nn.Conv2d(2 * w, 1 + codes, 7, 1, 0, bias=False)), nn.Flatten())


def with_codes(z, codes, c):
    """The latent's last `codes` values become the one-hot code c (InfoGAN's categorical code)."""
    if codes:
        z = z.clone()
        z[:, -codes:] = 0
        z[torch.arange(len(z)), z.shape[1] - codes + c] = 1
    return z


def init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        parametrized = getattr(m, "parametrizations", None)
        nn.init.normal_(parametrized.weight.original if parametrized else m.weight, 0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1, 0.02)
        nn.init.zeros_(m.bias)


def load_idx(path, offset):
    with gzip.open(path) as f:
        return torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=offset).copy())


def load_mnist(path):
    return load_idx(path, 16).view(-1, 1, 28, 28)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--width", type=int, default=64, help="base width of both networks")
    ap.add_argument("--g-width", type=int, help="the generator's base width (default --width)")
    ap.add_argument("--g-extra", type=int, default=0, help="kernel of an extra stride-1 generator layer at 7x7 (0: none)")
    ap.add_argument("--d-dropout", type=float, default=0.0, help="dropout after each LeakyReLU of the discriminator")
    ap.add_argument("--d-spectral-norm", action="store_true", help="spectral norm in every discriminator conv, no batch norm")
    ap.add_argument("--loss", choices=["bce", "hinge"], default="bce", help="hinge: the hinge loss of SNGAN")
    ap.add_argument("--real-label", type=float, default=1.0, help="the discriminator's target for real images (0.9: one-sided label smoothing)")
    ap.add_argument("--info-codes", type=int, default=0,
                    help="k > 0: InfoGAN; the latent's last k values are a one-hot uniform code, Q predicts it from D's features")
    ap.add_argument("--ac-gan", action="store_true",
                    help="with --info-codes 10: AC-GAN (Odena et al. 2017); the code is the digit, and D's head also learns it from real labels")
    ap.add_argument("--info-weight", type=float, default=1.0, help="the weight of InfoGAN's code cross-entropy")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "libdlrt.so.1"))
    ap.add_argument("--data", default=MNIST)
    ap.add_argument("--gate-dlrt")
    ap.add_argument("--latent-scale", type=float, default=1.0,
                    help="with --gate-dlrt: multiply the gate's latents by this (below 1: samples nearer the mode)")
    ap.add_argument("--save")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    lib = D.Lib(args.lib)
    gate = Gate(lib)
    if args.gate_dlrt:
        g = D.Session(D.Model(lib, args.gate_dlrt), threads=args.threads, batch=1000)
        g.bind(np.ascontiguousarray(gate.latents * np.float32(args.latent_scale)))
        c, e, h = gate(g.run().copy())
        print(json.dumps({"model": args.gate_dlrt, "latent_scale": args.latent_scale, "confident": c, "entropy": e, "hist": h.round(3).tolist()}))
        return
    torch.manual_seed(args.seed)
    x = load_mnist(os.path.join(args.data, "train-images-idx3-ubyte.gz")).float() / 127.5 - 1
    codes = args.info_codes
    labels = load_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"), 8).long() if args.ac_gan else None
    G = generator(args.g_width or args.width, args.g_extra)
    Dn = discriminator(args.width, args.d_dropout, args.d_spectral_norm, codes)
    G.apply(init)
    Dn.apply(init)
    og = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(Dn.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()

    def info_loss(out, code=None):
        """InfoGAN's term: the cross-entropy of D's code logits (columns 1..) against this batch's codes c."""
        return args.info_weight * nn.functional.cross_entropy(out[:, 1:], c if code is None else code)

    fixed = with_codes(torch.from_numpy(gate.latents).view(-1, 100), codes, torch.arange(1000) % max(codes, 1)).view(-1, 100, 1, 1)
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        G.train()
        Dn.train()
        order = torch.randperm(len(x))
        dl = gl = 0.0
        steps = 0
        for b in range(0, len(x), 128):
            real = x[order[b:b + 128]]
            n = len(real)
            c = torch.randint(codes, (n,)) if codes else None
            fake = G(with_codes(torch.randn(n, 100), codes, c).view(n, 100, 1, 1))
            od.zero_grad()
            out_real, out_fake = Dn(real), Dn(fake.detach())
            if args.loss == "hinge":
                d_loss = torch.relu(1 - out_real[:, :1]).mean() + torch.relu(1 + out_fake[:, :1]).mean()
            else:
                d_loss = bce(out_real[:, :1], torch.full((n, 1), args.real_label)) + bce(out_fake[:, :1], torch.zeros(n, 1))
            if codes:  # InfoGAN: D's Q head learns to read the code from G's images
                d_loss = d_loss + info_loss(out_fake)
            if args.ac_gan:  # AC-GAN: the head also learns the real images' digits
                d_loss = d_loss + info_loss(out_real, labels[order[b:b + 128]])
            d_loss.backward()
            od.step()
            og.zero_grad()
            out = Dn(fake)
            g_loss = -out[:, :1].mean() if args.loss == "hinge" else bce(out[:, :1], torch.ones(n, 1))
            if codes:  # ... and G to draw images whose code can be read
                g_loss = g_loss + info_loss(out)
            g_loss.backward()
            og.step()
            dl += d_loss.item()
            gl += g_loss.item()
            steps += 1
        G.eval()
        with torch.no_grad():
            samples = torch.cat([G(fixed[i:i + 250]) for i in range(0, 1000, 250)]).numpy()
        c, e, h = gate(samples)
        print(json.dumps({"epoch": epoch, "width": args.width, "g_width": args.g_width or args.width,
                          "g_extra": args.g_extra, "d_dropout": args.d_dropout, "real_label": args.real_label,
                          "d_spectral_norm": args.d_spectral_norm, "loss": args.loss, "info_codes": codes, "ac_gan": args.ac_gan, "d_loss": dl / steps, "g_loss": gl / steps,
                          "confident": c, "entropy": round(e, 4), "hist": h.round(3).tolist(),
                          "elapsed_s": round(time.time() - start, 1)}), flush=True)
        if args.save:
            torch.save(G.state_dict(), f"{args.save}-e{epoch:03d}.pt")


if __name__ == "__main__":
    main()

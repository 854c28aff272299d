#!/usr/bin/env python3
"""PyTorch golden values for the Swift engine's recurrent layers, forward and
backward: Tests/DeepLearningTests/Golden/recurrent_training.json, read by
Tests/DeepLearningTests/Layers/Recurrent/RecurrentGoldenTests.swift (which
needs no torch).

Each case is a multi-layer nn.LSTM / nn.GRU / nn.RNN (tanh) with
batch_first=True, seeded weights, an input x [B, T, I] and start states
h0 (c0) [L, B, H]. The loss is sum(y * r_y) + sum(h_n * r_h) (+ sum(c_n * r_c))
with fixed random r's, so that every output and every direction of the
backward pass counts. Recorded, all in float64 (PyTorch run in double): the
state dict under PyTorch's names, x, h0, c0, the r's, y, h_n, c_n, and the
gradients of the loss with respect to every parameter, x, h0 and c0.

PyTorch's gate layout, which the engine follows: W_ih [G*H, I] and W_hh
[G*H, H] stack the gates' rows in the order i, f, g, o (LSTM) and r, z, n
(GRU); the GRU's n gate is tanh(W_in x + b_in + r * (W_hn h + b_hn)).

Usage: tools/venv/bin/python tools/golden/make_recurrent_training_golden.py [--out FILE]
"""

import argparse
import json

import torch
import torch.nn as nn

CASES = [
    # name, class, layers, B, T, I, H, bias, seed
    ("lstm_2layer", nn.LSTM, 2, 2, 5, 3, 4, True, 21),
    ("lstm_nobias", nn.LSTM, 1, 3, 4, 2, 3, False, 22),
    ("gru_2layer", nn.GRU, 2, 2, 5, 3, 4, True, 23),
    ("gru_nobias", nn.GRU, 1, 2, 4, 3, 3, False, 24),
    ("rnn_2layer", nn.RNN, 2, 2, 6, 3, 4, True, 25),
]


def flat(t):
    return t.detach().reshape(-1).tolist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="Tests/DeepLearningTests/Golden/recurrent_training.json")
    args = ap.parse_args()
    cases = []
    for name, cls, layers, b, t, i, h, bias, seed in CASES:
        torch.manual_seed(seed)
        module = cls(i, h, num_layers=layers, bias=bias, batch_first=True).double()
        x = torch.randn(b, t, i, dtype=torch.float64, requires_grad=True)
        h0 = torch.randn(layers, b, h, dtype=torch.float64, requires_grad=True)
        is_lstm = cls is nn.LSTM
        c0 = torch.randn(layers, b, h, dtype=torch.float64, requires_grad=True) if is_lstm else None
        if is_lstm:
            y, (hn, cn) = module(x, (h0, c0))
        else:
            y, hn = module(x, h0)
            cn = None
        ry, rh = torch.randn_like(y), torch.randn_like(hn)
        loss = (y * ry).sum() + (hn * rh).sum()
        rc = None
        if is_lstm:
            rc = torch.randn_like(cn)
            loss = loss + (cn * rc).sum()
        loss.backward()
        case = {
            "name": name, "kind": {nn.LSTM: "lstm", nn.GRU: "gru", nn.RNN: "rnn"}[cls],
            "layers": layers, "batch": b, "steps": t, "input": i, "hidden": h, "bias": bias,
            "parameters": {k: flat(v) for k, v in module.state_dict().items()},
            "x": flat(x), "h0": flat(h0), "r_y": flat(ry), "r_h": flat(rh),
            "y": flat(y), "h_n": flat(hn), "loss": loss.item(),
            "grad_parameters": {k: flat(p.grad) for k, p in module.named_parameters()},
            "grad_x": flat(x.grad), "grad_h0": flat(h0.grad),
        }
        if is_lstm:
            case.update({"c0": flat(c0), "r_c": flat(rc), "c_n": flat(cn), "grad_c0": flat(c0.grad)})
        cases.append(case)
    with open(args.out, "w") as f:
        json.dump({"generator": "tools/golden/make_recurrent_training_golden.py", "torch": torch.__version__,
                   "cases": cases}, f)
        f.write("\n")
    print("wrote %s (%d cases)" % (args.out, len(cases)))


if __name__ == "__main__":
    main()

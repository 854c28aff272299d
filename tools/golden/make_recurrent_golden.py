#!/usr/bin/env python3
"""PyTorch golden values for dlrt's recurrent ops (rnn, lstm, gru; format 1.2).

Writes Tests/Fixtures/recurrent_golden.txt, read by
Tests/CRuntimeTests/test_recurrent_golden.c (which needs no torch): for each
case, PyTorch's nn.RNN (tanh) / nn.LSTM / nn.GRU with batch_first=True and one
layer, fixed seeded weights, input and start state, and PyTorch's outputs y
and final state h_n (c_n). As in make_golden.py, the expected values are
PyTorch's forward in float64 on the float32 weights and inputs, rounded to
float32, so they do not depend on PyTorch's float32 summation order (the
float32 forward's distance from them is printed).

File format (text, one item per line, '#' lines are comments):
  case NAME OP N T I H       OP is rnn, lstm or gru
  TENSOR COUNT v1 v2 ...     x [N,T,I], w_ih [G*H,I], w_hh [G*H,H], b_ih, b_hh [G*H]
                             (absent for bias=False), h0, c0 [N,H] (c0: lstm),
                             y [N,T,H], h_n, c_n [N,H]; values as %.9g (exact f32)
  end

Usage: tools/venv/bin/python tools/golden/make_recurrent_golden.py [--out FILE]
"""

import argparse

import torch
import torch.nn as nn

CASES = [
    # name, module class, N, T, I, H, bias, seed
    ("lstm_bias", nn.LSTM, 2, 4, 3, 5, True, 11),
    ("lstm_nobias", nn.LSTM, 1, 4, 6, 4, False, 12),
    ("gru_bias", nn.GRU, 2, 4, 4, 5, True, 13),
    ("gru_nobias", nn.GRU, 3, 3, 2, 3, False, 14),
    ("rnn_bias", nn.RNN, 2, 5, 3, 4, True, 15),
]


def fmt(name, t):
    v = t.detach().to(torch.float32).reshape(-1).tolist()
    return "%s %d %s" % (name, len(v), " ".join("%.9g" % x for x in v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="Tests/Fixtures/recurrent_golden.txt")
    args = ap.parse_args()
    lines = ["# PyTorch %s golden values for rnn/lstm/gru: tools/golden/make_recurrent_golden.py" % torch.__version__]
    for name, cls, n, t, i, h, bias, seed in CASES:
        torch.manual_seed(seed)
        layer = cls(i, h, num_layers=1, bias=bias, batch_first=True).eval()
        x = torch.randn(n, t, i)
        h0 = 0.5 * torch.randn(1, n, h)
        c0 = torch.randn(1, n, h)
        op = {nn.LSTM: "lstm", nn.GRU: "gru", nn.RNN: "rnn"}[cls]
        state = (h0, c0) if op == "lstm" else h0
        with torch.no_grad():
            y32, s32 = layer(x, state)
            layer64 = cls(i, h, num_layers=1, bias=bias, batch_first=True).double().eval()
            layer64.load_state_dict({k: v.double() for k, v in layer.state_dict().items()})
            state64 = tuple(s.double() for s in state) if op == "lstm" else state.double()
            y, s = layer64(x.double(), state64)
        hn, cn = (s if op == "lstm" else (s, None))
        print("%s: float32 forward differs from float64 by %.3g" % (name, (y32.double() - y).abs().max().item()))
        lines.append("case %s %s %d %d %d %d" % (name, op, n, t, i, h))
        lines.append(fmt("x", x))
        lines.append(fmt("w_ih", layer.weight_ih_l0))
        lines.append(fmt("w_hh", layer.weight_hh_l0))
        if bias:
            lines.append(fmt("b_ih", layer.bias_ih_l0))
            lines.append(fmt("b_hh", layer.bias_hh_l0))
        lines.append(fmt("h0", h0))
        if op == "lstm":
            lines.append(fmt("c0", c0))
        lines.append(fmt("y", y))
        lines.append(fmt("h_n", hn))
        if op == "lstm":
            lines.append(fmt("c_n", cn))
        lines.append("end")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s" % args.out)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Golden models for dlrt: small PyTorch nets, their weights, and PyTorch's outputs.

For each model this writes, into the output directory (default build/golden):

  <name>.bin   one little-endian float32 array: every constant, then the
               self-test input(s) and output(s)
  <name>.json  the graph in the interchange format that tools/golden/Converter
               (`dlrt-golden`) turns into a .dlrt file; see tools/golden/README.md

The graph is read off the module with torch.fx, so any nn.Module built from
the supported layers can be exported (tools/bench reuses `export_model`).
Nets run in eval mode; the expected output is PyTorch's forward pass in
float64 on the float32 weights and input (rounded to float32), so the golden
value does not depend on PyTorch's own float32 summation order. The float32
forward is compared with it too and the difference printed.

Usage: tools/venv/bin/python tools/golden/make_golden.py [--out DIR] [--only NAME ...] [--list]
"""

import argparse
import json
import operator
import os
import sys

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

# The format's fused-activation codes (docs/FORMAT.md, attribute `activation`).
ACT_NONE, ACT_RELU, ACT_LEAKY, ACT_SIGMOID, ACT_TANH, ACT_RELU6 = 0, 1, 2, 3, 4, 5


class ExportError(Exception):
    pass


# ---------------------------------------------------------------------------
# Interchange writer: constants and tensors go into one float32 blob.


class Blob:
    def __init__(self):
        self.chunks = []
        self.size = 0

    def add(self, array):
        a = np.ascontiguousarray(np.asarray(array, dtype=np.float32).reshape(-1))
        if not np.all(np.isfinite(a)):
            raise ExportError("non-finite value in exported data")
        offset = self.size
        self.chunks.append(a)
        self.size += a.size
        return offset

    def bytes(self):
        if not self.chunks:
            return b""
        return np.concatenate(self.chunks).astype("<f4").tobytes()


def _pair(v):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ExportError(f"expected a pair, got {v}")
        return [int(v[0]), int(v[1])]
    return [int(v), int(v)]


def _activation_of(target, module):
    """(code, alpha) when `target`/`module` is an activation that can be fused, else None."""
    if module is not None:
        if isinstance(module, nn.ReLU):
            return ACT_RELU, None
        if isinstance(module, nn.LeakyReLU):
            return ACT_LEAKY, float(module.negative_slope)
        if isinstance(module, nn.Sigmoid):
            return ACT_SIGMOID, None
        if isinstance(module, nn.Tanh):
            return ACT_TANH, None
        if isinstance(module, nn.ReLU6):
            return ACT_RELU6, None
        return None
    if target in (F.relu, torch.relu):
        return ACT_RELU, None
    if target in (torch.sigmoid, F.sigmoid):
        return ACT_SIGMOID, None
    if target in (torch.tanh, F.tanh):
        return ACT_TANH, None
    if target is F.relu6:
        return ACT_RELU6, None
    return None


class Exporter:
    """Walks an fx graph and emits interchange nodes."""

    def __init__(self, name, model, example_inputs, fuse_activations):
        self.name = name
        self.model = model
        self.example_inputs = example_inputs
        self.fuse = fuse_activations
        self.blob = Blob()
        self.constants = []
        self.constant_names = set()
        self.nodes = []
        self.value_of = {}  # fx node -> interchange tensor name
        self.used_names = set()

    # -- helpers --------------------------------------------------------------

    def constant(self, name, tensor):
        if name in self.constant_names:
            return name
        t = tensor.detach().to(torch.float32).cpu()
        offset = self.blob.add(t.numpy())
        self.constants.append({"name": name, "shape": list(t.shape), "offset": offset})
        self.constant_names.add(name)
        self.used_names.add(name)
        return name

    def fresh(self, base):
        name, k = base, 1
        while name in self.used_names:
            k += 1
            name = f"{base}.{k}"
        self.used_names.add(name)
        return name

    def emit(self, op, inputs, output, attrs=None):
        self.nodes.append({"op": op, "inputs": inputs, "output": output, "attrs": attrs or {}})

    def arg(self, a):
        if not isinstance(a, torch.fx.Node):
            raise ExportError(f"expected a tensor operand, got {a!r}")
        return self.value_of[a]

    # -- main -----------------------------------------------------------------

    def run(self):
        traced = torch.fx.symbolic_trace(self.model)
        modules = dict(traced.named_modules())
        graph = traced.graph
        placeholders = [n for n in graph.nodes if n.op == "placeholder"]
        if len(placeholders) != len(self.example_inputs):
            raise ExportError(f"{self.name}: {len(placeholders)} inputs, {len(self.example_inputs)} examples")
        fused_into = {}  # activation fx node -> producer fx node whose output it replaces
        outputs = []

        def module_of(n):
            return modules[n.target] if n.op == "call_module" else None

        def fusable_producer(n):
            m = module_of(n)
            if m is not None:
                return isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))
            return n.op == "call_function" and n.target in (operator.add, torch.add)

        graph_outputs = set()
        for n in graph.nodes:
            if n.op == "output":
                res = n.args[0]
                res = list(res) if isinstance(res, (tuple, list)) else [res]
                graph_outputs.update(res)

        # Decide fusions first: an activation whose operand is a conv/dense/add
        # used only by it (and not a graph output) becomes that node's attribute.
        fusion = {}  # producer -> (code, alpha, activation node)
        if self.fuse:
            for n in graph.nodes:
                if n.op not in ("call_module", "call_function"):
                    continue
                act = _activation_of(n.target if n.op == "call_function" else None, module_of(n))
                if act is None or n.op == "call_function" and len(n.args) != 1:
                    continue
                p = n.args[0]
                if isinstance(p, torch.fx.Node) and fusable_producer(p) and len(p.users) == 1 \
                        and p not in graph_outputs and p not in fusion:
                    fusion[p] = (act[0], act[1], n)
                    fused_into[n] = p

        # Output names are y (or y0, y1, ...): keep them free for the renaming below.
        self.used_names.update(["y"] + [f"y{i}" for i in range(len(graph_outputs))])
        for n in graph.nodes:
            if n.op == "placeholder":
                nm = n.target  # forward()'s parameter name
                self.used_names.add(nm)
                self.value_of[n] = nm
                continue
            if n.op == "output":
                res = n.args[0]
                outputs = list(res) if isinstance(res, (tuple, list)) else [res]
                continue
            if n in fused_into:
                self.value_of[n] = self.value_of[fused_into[n]]
                continue
            self.node(n, module_of(n), fusion.get(n))

        # Graph outputs are renamed y (or y0, y1, ...) in place.
        out_names = []
        for i, o in enumerate(outputs):
            want = "y" if len(outputs) == 1 else f"y{i}"
            cur = self.value_of[o]
            if cur in self.constant_names or any(cur == v for v in self.input_names()):
                raise ExportError(f"{self.name}: a graph output must be computed by a node")
            for node in self.nodes:
                if node["output"] == cur:
                    node["output"] = want
                node["inputs"] = [want if x == cur else x for x in node["inputs"]]
            out_names.append(want)
        return out_names

    def input_names(self):
        return [v for k, v in self.value_of.items() if k.op == "placeholder"]

    def node(self, n, m, fused):
        out = self.fresh(n.name)
        self.value_of[n] = out
        act_attrs = {}
        if fused is not None:
            act_attrs["activation"] = fused[0]
            if fused[1] is not None:
                act_attrs["alpha"] = fused[1]

        if m is not None:
            self.module_node(n, m, out, act_attrs)
        elif n.op == "call_function":
            self.function_node(n, out, act_attrs)
        elif n.op == "call_method":
            self.method_node(n, out)
        else:
            raise ExportError(f"{self.name}: unsupported fx node {n.op} {n.target}")

    def module_node(self, n, m, out, act):
        x = self.arg(n.args[0])
        p = n.target  # qualified module name, used for constant names
        if isinstance(m, nn.Conv2d):
            if m.padding_mode != "zeros" or isinstance(m.padding, str):
                raise ExportError(f"{p}: only numeric zero padding is supported")
            ph, pw = _pair(m.padding)
            w = self.constant(f"{p}.weight", m.weight)
            b = self.constant(f"{p}.bias", m.bias) if m.bias is not None else None
            attrs = {"strides": _pair(m.stride), "pads": [ph, pw, ph, pw], "dilations": _pair(m.dilation),
                     "groups": int(m.groups)}
            attrs.update(act)
            self.emit("conv2d", [x, w, b], out, attrs)
        elif isinstance(m, nn.ConvTranspose2d):
            if m.padding_mode != "zeros":
                raise ExportError(f"{p}: only zero padding is supported")
            ph, pw = _pair(m.padding)
            w = self.constant(f"{p}.weight", m.weight)
            b = self.constant(f"{p}.bias", m.bias) if m.bias is not None else None
            attrs = {"strides": _pair(m.stride), "pads": [ph, pw, ph, pw], "output_padding": _pair(m.output_padding),
                     "dilations": _pair(m.dilation), "groups": int(m.groups)}
            attrs.update(act)
            self.emit("conv_transpose2d", [x, w, b], out, attrs)
        elif isinstance(m, nn.Linear):
            w = self.constant(f"{p}.weight", m.weight)
            b = self.constant(f"{p}.bias", m.bias) if m.bias is not None else None
            self.emit("dense", [x, w, b], out, dict(act))
        elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
            if not m.affine or not m.track_running_stats:
                raise ExportError(f"{p}: batch norm needs affine parameters and running statistics")
            ins = [x, self.constant(f"{p}.weight", m.weight), self.constant(f"{p}.bias", m.bias),
                   self.constant(f"{p}.running_mean", m.running_mean),
                   self.constant(f"{p}.running_var", m.running_var)]
            self.emit("batch_norm", ins, out, {"epsilon": float(m.eps)})
        elif isinstance(m, nn.MaxPool2d):
            if _pair(m.dilation) != [1, 1] or m.return_indices:
                raise ExportError(f"{p}: max pool dilation and indices are not supported")
            k = _pair(m.kernel_size)
            s = _pair(m.stride) if m.stride is not None else k
            ph, pw = _pair(m.padding)
            self.emit("max_pool2d", [x], out, {"kernel": k, "strides": s, "pads": [ph, pw, ph, pw],
                                               "ceil_mode": int(m.ceil_mode)})
        elif isinstance(m, nn.AvgPool2d):
            if m.divisor_override is not None:
                raise ExportError(f"{p}: divisor_override is not supported")
            k = _pair(m.kernel_size)
            s = _pair(m.stride) if m.stride is not None else k
            ph, pw = _pair(m.padding)
            self.emit("avg_pool2d", [x], out, {"kernel": k, "strides": s, "pads": [ph, pw, ph, pw],
                                               "ceil_mode": int(m.ceil_mode),
                                               "count_include_pad": int(m.count_include_pad)})
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            if _pair(m.output_size) != [1, 1]:
                raise ExportError(f"{p}: only AdaptiveAvgPool2d(1) (global average pooling) is supported")
            self.emit("global_avg_pool", [x], out)
        elif isinstance(m, nn.LocalResponseNorm):
            self.emit("lrn", [x], out, {"size": int(m.size), "alpha": float(m.alpha), "beta": float(m.beta),
                                        "lrn_k": float(m.k)})
        elif isinstance(m, nn.ConstantPad2d):  # also ZeroPad2d
            left, right, top, bottom = [int(v) for v in m.padding]
            self.emit("pad", [x], out, {"pads": [0, 0, top, left, 0, 0, bottom, right], "value": float(m.value)})
        elif isinstance(m, nn.Softmax):
            self.emit("softmax", [x], out, {"axis": int(m.dim)})
        elif isinstance(m, nn.Flatten):
            if m.end_dim != -1:
                raise ExportError(f"{p}: flatten must run to the last dimension")
            self.emit("flatten", [x], out, {"axis": int(m.start_dim)})
        elif isinstance(m, nn.Identity):
            raise ExportError(f"{p}: identity layers are not supported")
        else:
            act_code = _activation_of(None, m)
            if act_code is None:
                raise ExportError(f"{p}: unsupported module {type(m).__name__}")
            self.activation_node(act_code, x, out)

    def activation_node(self, act, x, out):
        code, alpha = act
        if code == ACT_RELU:
            self.emit("relu", [x], out)
        elif code == ACT_LEAKY:
            self.emit("leaky_relu", [x], out, {"alpha": alpha})
        elif code == ACT_SIGMOID:
            self.emit("sigmoid", [x], out)
        elif code == ACT_TANH:
            self.emit("tanh", [x], out)
        else:
            raise ExportError("relu6 exists only as a fused activation")

    def function_node(self, n, out, act):
        t = n.target
        if t in (operator.add, torch.add):
            if len(n.args) != 2 or n.kwargs:
                raise ExportError(f"{n.name}: add takes two tensors")
            self.emit("add", [self.arg(n.args[0]), self.arg(n.args[1])], out, dict(act))
        elif t is torch.cat:
            xs = n.args[0]
            dim = n.args[1] if len(n.args) > 1 else n.kwargs.get("dim", 0)
            self.emit("concat", [self.arg(a) for a in xs], out, {"axis": int(dim)})
        elif t is torch.flatten:
            start = n.args[1] if len(n.args) > 1 else n.kwargs.get("start_dim", 0)
            end = n.args[2] if len(n.args) > 2 else n.kwargs.get("end_dim", -1)
            if end != -1:
                raise ExportError(f"{n.name}: flatten must run to the last dimension")
            self.emit("flatten", [self.arg(n.args[0])], out, {"axis": int(start)})
        elif t is F.leaky_relu:
            slope = n.args[1] if len(n.args) > 1 else n.kwargs.get("negative_slope", 0.01)
            self.emit("leaky_relu", [self.arg(n.args[0])], out, {"alpha": float(slope)})
        elif t in (F.softmax, torch.softmax):
            dim = n.args[1] if len(n.args) > 1 else n.kwargs["dim"]
            self.emit("softmax", [self.arg(n.args[0])], out, {"axis": int(dim)})
        else:
            act_code = _activation_of(t, None)
            if act_code is None:
                raise ExportError(f"{n.name}: unsupported function {t}")
            self.activation_node(act_code, self.arg(n.args[0]), out)

    def method_node(self, n, out):
        if n.target in ("view", "reshape"):
            shape = n.args[1:]
            if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
                shape = shape[0]
            if not all(isinstance(s, int) for s in shape):
                raise ExportError(f"{n.name}: reshape needs a literal shape, got {shape}")
            self.emit("reshape", [self.arg(n.args[0])], out, {"shape": [int(s) for s in shape]})
        elif n.target == "flatten":
            start = n.args[1] if len(n.args) > 1 else n.kwargs.get("start_dim", 0)
            self.emit("flatten", [self.arg(n.args[0])], out, {"axis": int(start)})
        elif n.target in ("relu", "sigmoid", "tanh"):
            self.activation_node(_activation_of(getattr(torch, n.target), None), self.arg(n.args[0]), out)
        else:
            raise ExportError(f"{n.name}: unsupported method .{n.target}()")


def format_json(doc):
    """JSON with one line per input, constant, node and self-test entry: diffable, still compact."""
    def one(v):
        return json.dumps(v, separators=(", ", ": "))

    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            body = ",\n".join("  " + one(v) for v in value)
            parts.append(f" {one(key)}: [\n{body}\n ]")
        elif key == "selftest":
            body = ",\n".join(f"  {one(k)}: {one(v)}" for k, v in value.items())
            parts.append(f" {one(key)}: {{\n{body}\n }}")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def export_model(name, model, example_inputs, out_dir, fuse_activations=True, metadata=None, selftest=True,
                 verbose=True):
    """Writes <out_dir>/<name>.json and .bin for `model` (put in eval mode here).

    `example_inputs`: list of float32 tensors (the graph inputs, in forward()'s order).
    Returns the parsed JSON document.
    """
    model = model.eval()
    ex = Exporter(name, model, example_inputs, fuse_activations)
    output_names = ex.run()
    input_names = ex.input_names()
    doc = {
        "name": name,
        "inputs": [{"name": nm, "shape": list(t.shape)} for nm, t in zip(input_names, example_inputs)],
        "outputs": output_names,
        "constants": ex.constants,
        "nodes": ex.nodes,
    }
    if selftest:
        with torch.no_grad():
            got32 = model(*example_inputs)
            got64 = model.double()(*[t.double() for t in example_inputs])
            model.float()
        got32 = list(got32) if isinstance(got32, (tuple, list)) else [got32]
        got64 = list(got64) if isinstance(got64, (tuple, list)) else [got64]
        st_in = [{"name": nm, "offset": ex.blob.add(t.numpy()), "count": int(t.numel())}
                 for nm, t in zip(input_names, example_inputs)]
        st_out = []
        for nm, o32, o64 in zip(output_names, got32, got64):
            want = o64.float()
            st_out.append({"name": nm, "offset": ex.blob.add(want.numpy()), "count": int(want.numel())})
            if verbose:
                denom = 1e-5 + 1e-4 * want.abs()
                err = ((o32 - want).abs() / denom).max().item()
                print(f"  {name}.{nm}: shape {list(want.shape)}, |y| max {want.abs().max().item():.4g}, "
                      f"torch f32 vs f64 worst error {err:.3g} (of tolerance rtol 1e-4, atol 1e-5)")
        doc["selftest"] = {"inputs": st_in, "outputs": st_out}
    meta = {"model.name": name, "model.producer": f"tools/golden/make_golden.py (torch {torch.__version__})"}
    meta.update(metadata or {})
    doc["metadata"] = {k: str(v) for k, v in meta.items()}

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
        f.write(ex.blob.bytes())
    tmp = os.path.join(out_dir, name + ".json.tmp")
    with open(tmp, "w") as f:
        f.write(format_json(doc))
    os.replace(tmp, os.path.join(out_dir, name + ".json"))
    if verbose:
        print(f"  {name}: {len(ex.nodes)} nodes, {len(ex.constants)} constants, {ex.blob.size} floats")
    return doc


# ---------------------------------------------------------------------------
# The golden models.


def randomize_batch_norm(model, gen):
    """Non-trivial running statistics and affine parameters for every batch norm."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.3)
    return model


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    """ResNet basic block with a projection shortcut (stride 2, channels doubled)."""

    def __init__(self, cin=16, cout=32, stride=2):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.downsample(x))


class Inception(nn.Module):
    def __init__(self, cin=32):
        super().__init__()
        self.b1 = nn.Conv2d(cin, 16, 1)
        self.b2_reduce = nn.Conv2d(cin, 16, 1)
        self.b2 = nn.Conv2d(16, 24, 3, padding=1)
        self.b3_reduce = nn.Conv2d(cin, 4, 1)
        self.b3 = nn.Conv2d(4, 8, 5, padding=2)
        self.b4_pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.b4 = nn.Conv2d(cin, 8, 1)

    def forward(self, x):
        y1 = F.relu(self.b1(x))
        y2 = F.relu(self.b2(F.relu(self.b2_reduce(x))))
        y3 = F.relu(self.b3(F.relu(self.b3_reduce(x))))
        y4 = F.relu(self.b4(self.b4_pool(x)))
        return torch.cat([y1, y2, y3, y4], 1)


class DCGANBlock(nn.Module):
    def __init__(self, nz=16):
        super().__init__()
        self.project = nn.Linear(nz, 32 * 4 * 4)
        self.up1 = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        self.up2 = nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1)
        self.tanh = nn.Tanh()

    def forward(self, z):
        x = self.project(z).view(-1, 32, 4, 4)
        x = self.relu(self.bn1(self.up1(x)))
        return self.tanh(self.up2(x))


class OpCoverage(nn.Module):
    """The ops and attribute combinations the other nets leave out.

    Two outputs: y0, the class probabilities, and y1, the pooled features
    before the sigmoid (also read by later nodes), so that the early layers are
    checked directly rather than through the sigmoid's and softmax's squashing.
    """

    def __init__(self):
        super().__init__()
        self.pad = nn.ConstantPad2d((1, 2, 0, 3), 0.5)  # (left, right, top, bottom), asymmetric, non-zero
        self.depthwise = nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.depthwise_act = nn.LeakyReLU(0.2)  # fused into the depthwise conv
        self.lrn_wide = nn.LocalResponseNorm(5, alpha=1.0, beta=0.75, k=1.0)  # window wider than the 4 channels
        self.grouped = nn.Conv2d(4, 8, 3, stride=(1, 2), padding=2, dilation=2, groups=2)
        self.lrn_even = nn.LocalResponseNorm(4, alpha=0.5, beta=0.6, k=2.0)  # even size: window c-2 .. c+1
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.leaky = nn.LeakyReLU(0.2)  # standalone (after a pool)
        self.max = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.sigmoid = nn.Sigmoid()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.conv_act = nn.Tanh()  # fused
        self.avg_incl = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
        self.gap1 = nn.AdaptiveAvgPool2d(1)
        self.gap2 = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 6)
        self.fc_act = nn.ReLU6()  # fused
        self.softmax = nn.Softmax(dim=1)
        with torch.no_grad():
            # Logits spread over relu6's range for this seed: one clipped at 6,
            # one at 0, the rest in between and close enough for a soft softmax.
            self.fc.weight.mul_(12.0)
            self.fc.bias.add_(torch.tensor([5.0, 7.5, 6.5, 6.0, 5.0, -1.0]))

    def forward(self, x):
        x = self.lrn_wide(self.depthwise_act(self.depthwise(self.pad(x))))
        x = self.lrn_even(self.grouped(x))
        features = self.max(self.leaky(self.avg(x)))
        x = self.sigmoid(features)
        a = self.gap1(self.conv_act(self.conv(x)))
        b = self.gap2(self.avg_incl(x))
        x = self.flatten(a + b)
        return self.softmax(self.fc_act(self.fc(x))), features


def build_models():
    """name -> (module, example inputs, fuse activations)."""
    models = {}

    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(101)
    models["lenet5"] = (LeNet5(), [torch.randn(1, 1, 28, 28, generator=gen)], True)

    torch.manual_seed(2)
    gen = torch.Generator().manual_seed(102)
    m = randomize_batch_norm(BasicBlock(), gen)
    models["resnet_block"] = (m, [torch.randn(1, 16, 16, 16, generator=gen)], True)

    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(103)
    models["inception_block"] = (Inception(), [torch.randn(1, 32, 16, 16, generator=gen)], True)

    torch.manual_seed(4)
    gen = torch.Generator().manual_seed(104)
    m = randomize_batch_norm(DCGANBlock(), gen)
    # Standalone relu and tanh nodes here (no fusion): the other nets fuse them.
    models["dcgan_block"] = (m, [torch.randn(1, 16, generator=gen)], False)

    torch.manual_seed(5)
    gen = torch.Generator().manual_seed(105)
    models["op_coverage"] = (OpCoverage(), [torch.randn(1, 4, 19, 19, generator=gen)], True)
    return models


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="build/golden", help="output directory (default build/golden)")
    ap.add_argument("--only", nargs="*", help="model names to write (default: all)")
    ap.add_argument("--list", action="store_true", help="print the model names and exit")
    args = ap.parse_args(argv)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    models = build_models()
    if args.list:
        print("\n".join(models))
        return 0
    names = args.only or list(models)
    unknown = [n for n in names if n not in models]
    if unknown:
        print(f"make_golden.py: unknown model(s) {unknown}; have {list(models)}", file=sys.stderr)
        return 2
    for name in names:
        module, inputs, fuse = models[name]
        print(f"{name}:")
        try:
            export_model(name, module, inputs, args.out, fuse_activations=fuse)
        except ExportError as e:
            print(f"make_golden.py: {name}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark networks, written in plain torch.nn (no torchvision), their
batch-norm folding, and the export of one folded network to both ONNX and the
dlrt interchange JSON + bin (from the very same tensors).

Networks (random init, fixed seed, eval mode):
  lenet5     1x1x28x28   conv5x5(6,pad2)-relu-maxpool2, conv5x5(16)-relu-maxpool2, fc 400-120-84-10 (relu).
             The ReLU/max-pool LeNet-5 variant (not the 1998 tanh/avg-pool one); it has no batch norm.
  resnet20   1x3x32x32   CIFAR ResNet-20 (He et al. 2015): 3x3 conv 16, 3 stages x 3 basic blocks
             (16/32/64 channels), global average pool, fc 64-10. Shortcuts where the shape changes
             are option B: 1x1 conv (stride 2) + batch norm.
  resnet18   1x3x224x224 torchvision resnet18 architecture (7x7 stem, 3x3 max pool, [2,2,2,2] basic
             blocks, 1x1 conv + BN downsample, fc 512-1000).
  mobilenetv2 1x3x224x224 torchvision mobilenet_v2 (width 1.0): inverted residuals with relu6,
             depthwise 3x3, 1x1 conv 320-1280, fc 1280-1000 (dropout is a no-op in eval).

Batch norm: gamma/beta are randomised and the running statistics calibrated on
random inputs (train-mode forward, cumulative average), so activations stay
O(1) through the deep nets and the folding is not the identity. Then every
conv+BN(+relu/relu6) is folded into one FusedConv (conv with bias + fused
activation). The folded module is what PyTorch eager runs, what goes to ONNX
(Conv [+Relu|Clip]) and what goes to the dlrt JSON (conv2d with bias and the
`activation` attribute), so all three engines compute the same function.
"""
import json
import operator
import os

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

ACT_NONE, ACT_RELU, ACT_RELU6 = 0, 1, 5


# ---- building blocks ------------------------------------------------------

class ConvBNAct(nn.Module):
    def __init__(self, cin, cout, k, stride=1, pad=None, groups=1, act=ACT_RELU):
        super().__init__()
        if pad is None:
            pad = (k - 1) // 2
        self.conv = nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = act

    def forward(self, x):
        return apply_act(self.bn(self.conv(x)), self.act)


def apply_act(x, act):
    if act == ACT_RELU:
        return F.relu(x)
    if act == ACT_RELU6:
        return F.hardtanh(x, 0.0, 6.0)
    return x


class FusedConv(nn.Module):
    """conv2d + bias + activation: the folded ConvBNAct, one dlrt conv2d node."""

    def __init__(self, conv, act):
        super().__init__()
        self.conv = conv
        self.act = act

    def forward(self, x):
        return apply_act(self.conv(x), self.act)


class LinearAct(nn.Module):
    """dense + bias + activation: one dlrt dense node."""

    def __init__(self, cin, cout, act=ACT_NONE):
        super().__init__()
        self.fc = nn.Linear(cin, cout)
        self.act = act

    def forward(self, x):
        return apply_act(self.fc(x), self.act)


# ---- networks -------------------------------------------------------------

class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = FusedConv(nn.Conv2d(1, 6, 5, padding=2), ACT_RELU)
        self.p1 = nn.MaxPool2d(2)
        self.c2 = FusedConv(nn.Conv2d(6, 16, 5), ACT_RELU)
        self.p2 = nn.MaxPool2d(2)
        self.f1 = LinearAct(400, 120, ACT_RELU)
        self.f2 = LinearAct(120, 84, ACT_RELU)
        self.f3 = LinearAct(84, 10)

    def forward(self, x):
        x = self.p2(self.c2(self.p1(self.c1(x))))
        x = torch.flatten(x, 1)
        return self.f3(self.f2(self.f1(x)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = ConvBNAct(cin, cout, 3, stride, act=ACT_RELU)
        self.conv2 = ConvBNAct(cout, cout, 3, 1, act=ACT_NONE)
        self.down = ConvBNAct(cin, cout, 1, stride, pad=0, act=ACT_NONE) if stride != 1 or cin != cout else None

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        return F.relu(self.conv2(self.conv1(x)) + identity)


class ResNetCifar(nn.Module):
    def __init__(self, blocks_per_stage=3, widths=(16, 32, 64), classes=10):
        super().__init__()
        self.stem = ConvBNAct(3, widths[0], 3, 1)
        layers, cin = [], widths[0]
        for i, w in enumerate(widths):
            for j in range(blocks_per_stage):
                layers.append(BasicBlock(cin, w, 2 if (i > 0 and j == 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = LinearAct(cin, classes)

    def forward(self, x):
        x = self.pool(self.layers(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


class ResNet18(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.stem = ConvBNAct(3, 64, 7, 2, pad=3)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for i, w in enumerate((64, 128, 256, 512)):
            for j in range(2):
                layers.append(BasicBlock(cin, w, 2 if (i > 0 and j == 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = LinearAct(512, classes)

    def forward(self, x):
        x = self.pool(self.layers(self.maxpool(self.stem(x))))
        return self.fc(torch.flatten(x, 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(ConvBNAct(cin, hidden, 1, act=ACT_RELU6))
        layers.append(ConvBNAct(hidden, hidden, 3, stride, groups=hidden, act=ACT_RELU6))
        layers.append(ConvBNAct(hidden, cout, 1, act=ACT_NONE))
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    # t (expansion), c (channels), n (repeats), s (first stride): torchvision's table, width 1.0
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, classes=1000):
        super().__init__()
        feats, cin = [ConvBNAct(3, 32, 3, 2, act=ACT_RELU6)], 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                feats.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        feats.append(ConvBNAct(cin, 1280, 1, act=ACT_RELU6))
        self.features = nn.Sequential(*feats)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = LinearAct(1280, classes)

    def forward(self, x):
        x = torch.flatten(self.pool(self.features(x)), 1)
        return self.fc(self.dropout(x))


MODELS = {
    # name: (constructor, input shape at batch 1)
    "lenet5": (LeNet5, (1, 1, 28, 28)),
    "resnet20": (ResNetCifar, (1, 3, 32, 32)),
    "resnet18": (ResNet18, (1, 3, 224, 224)),
    "mobilenetv2": (MobileNetV2, (1, 3, 224, 224)),
}


# ---- init, calibration, folding -------------------------------------------

def _calibrate_bn(model, shape, seed):
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        return
    g = torch.Generator().manual_seed(seed + 1)
    for bn in bns:
        with torch.no_grad():
            bn.weight.copy_(0.5 + torch.rand(bn.num_features, generator=g))
            bn.bias.copy_(0.1 * torch.randn(bn.num_features, generator=g))
        bn.momentum = None  # cumulative moving average over the calibration batches
        bn.reset_running_stats()
    model.train()
    batch = 8 if shape[-1] >= 100 else 32
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn((batch,) + tuple(shape[1:]), generator=g))
    model.eval()


def _fold(conv, bn):
    w = conv.weight.detach()
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                      conv.dilation, conv.groups, bias=True)
    with torch.no_grad():
        fused.weight.copy_(w * scale.reshape(-1, 1, 1, 1))
        b = conv.bias.detach() if conv.bias is not None else torch.zeros_like(bn.running_mean)
        fused.bias.copy_((b - bn.running_mean) * scale + bn.bias.detach())
    return fused


def fold_bn(module):
    """Replaces every ConvBNAct below `module` by the equivalent FusedConv, in place."""
    for name, child in list(module.named_children()):
        if isinstance(child, ConvBNAct):
            setattr(module, name, FusedConv(_fold(child.conv, child.bn), child.act))
        else:
            fold_bn(child)
    return module


def build(name, seed=0):
    """The folded eval-mode network and its batch-1 input shape."""
    ctor, shape = MODELS[name]
    torch.manual_seed(seed)
    model = ctor()
    _calibrate_bn(model, shape, seed)
    model = fold_bn(model).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, shape


# ---- export to the dlrt interchange JSON -----------------------------------

class _Tracer(torch.fx.Tracer):
    def is_leaf_module(self, m, qualname):
        return isinstance(m, (FusedConv, LinearAct)) or super().is_leaf_module(m, qualname)


def trace(model):
    return torch.fx.GraphModule(model, _Tracer().trace(model))


def _pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def _is_relu(node, gm):
    if node.op == "call_function" and node.target in (F.relu, torch.relu):
        return True
    return node.op == "call_module" and isinstance(gm.get_submodule(node.target), nn.ReLU)


def to_interchange(model, shape, name, json_path, bin_path, stop_after=None):
    """Writes <json_path> and <bin_path> for the folded `model`.

    stop_after: the name of an FX node whose value becomes the graph output
    (used to bisect a disagreement over prefixes of the network). Returns the
    list of exported node names in order (FX names) and the output FX name.
    """
    gm = trace(model)
    consts, blobs, offset = [], [], 0

    def const(cname, tensor):
        nonlocal offset
        arr = tensor.detach().cpu().numpy().astype("<f4").ravel()
        consts.append({"name": cname, "shape": list(tensor.shape), "offset": offset})
        blobs.append(arr)
        offset += arr.size
        return cname

    alias = {}  # FX node name -> interchange tensor name (identity ops, fused relus)
    fused_into = {}  # FX relu node name -> add node name it was fused into
    nodes, order = [], []
    graph_in, out_name = None, None

    def ref(n):
        return alias.get(n.name, n.name)

    fx_nodes = list(gm.graph.nodes)
    users = {n.name: len(n.users) for n in fx_nodes}
    for n in fx_nodes:
        if n.op == "placeholder":
            graph_in = n.name
            alias[n.name] = "x"
            continue
        if n.op == "output":
            out_name = ref(n.args[0])
            break
        if n.op == "get_attr":
            raise ValueError(f"unexpected get_attr {n.target}")
        node = None
        if n.op == "call_module":
            m = gm.get_submodule(n.target)
            if isinstance(m, FusedConv):
                c = m.conv
                ph, pw = _pair(c.padding)
                attrs = {"strides": _pair(c.stride), "pads": [ph, pw, ph, pw]}
                if _pair(c.dilation) != [1, 1]:
                    attrs["dilations"] = _pair(c.dilation)
                if c.groups != 1:
                    attrs["groups"] = c.groups
                if m.act:
                    attrs["activation"] = m.act
                node = {"op": "conv2d", "inputs": [ref(n.args[0]), const(n.target + ".weight", c.weight),
                                                   const(n.target + ".bias", c.bias)], "attrs": attrs}
            elif isinstance(m, LinearAct):
                attrs = {"activation": m.act} if m.act else {}
                node = {"op": "dense", "inputs": [ref(n.args[0]), const(n.target + ".weight", m.fc.weight),
                                                  const(n.target + ".bias", m.fc.bias)], "attrs": attrs}
            elif isinstance(m, nn.MaxPool2d):
                ph, pw = _pair(m.padding)
                assert _pair(m.dilation) == [1, 1]
                node = {"op": "max_pool2d", "inputs": [ref(n.args[0])],
                        "attrs": {"kernel": _pair(m.kernel_size), "strides": _pair(m.stride or m.kernel_size),
                                  "pads": [ph, pw, ph, pw], **({"ceil_mode": 1} if m.ceil_mode else {})}}
            elif isinstance(m, nn.AdaptiveAvgPool2d):
                assert _pair(m.output_size) == [1, 1]
                node = {"op": "global_avg_pool", "inputs": [ref(n.args[0])], "attrs": {}}
            elif isinstance(m, nn.Dropout):
                alias[n.name] = ref(n.args[0])
                continue
            elif isinstance(m, nn.ReLU):
                pass  # handled below with the functional relu
            else:
                raise ValueError(f"no export for module {type(m).__name__}")
        if node is None and _is_relu(n, gm):
            src = n.args[0]
            prod = next((d for d in nodes if d["output"] == ref(src)), None)
            if prod is not None and prod["op"] == "add" and users[src.name] == 1 and "activation" not in prod["attrs"]:
                prod["attrs"]["activation"] = ACT_RELU
                alias[n.name] = ref(src)
                fused_into[n.name] = src.name
                order.append(n.name)
                if stop_after == n.name:
                    out_name = ref(n)
                    break
                continue
            node = {"op": "relu", "inputs": [ref(src)], "attrs": {}}
        if node is None and n.op == "call_function":
            if n.target in (operator.add, torch.add):
                node = {"op": "add", "inputs": [ref(n.args[0]), ref(n.args[1])], "attrs": {}}
            elif n.target is torch.flatten:
                axis = n.args[1] if len(n.args) > 1 else n.kwargs.get("start_dim", 0)
                node = {"op": "flatten", "inputs": [ref(n.args[0])], "attrs": {"axis": axis}}
            else:
                raise ValueError(f"no export for function {n.target}")
        if node is None:
            raise ValueError(f"no export for {n.op} {n.target}")
        node["output"] = n.name
        nodes.append(node)
        order.append(n.name)
        if stop_after == n.name:
            out_name = n.name
            break

    if stop_after is not None and stop_after not in order:
        raise ValueError(f"node {stop_after} is not an exported node")
    # the graph output is named "y": rename the producing node's output
    for d in nodes:
        if d["output"] == out_name:
            d["output"] = "y"
        d["inputs"] = ["y" if i == out_name else i for i in d["inputs"]]
    # inputs keep their null entries for absent optional inputs (none here: every conv/dense has a bias)
    doc = {
        "name": name,
        "inputs": [{"name": "x", "shape": list(shape)}],
        "outputs": ["y"],
        "constants": consts,
        "nodes": nodes,
        "metadata": {"model.name": name, "model.description": "dlrt benchmark network (random init, BN folded)"},
    }
    os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1)
    np.concatenate(blobs).astype("<f4").tofile(bin_path) if blobs else open(bin_path, "wb").close()
    return order, out_name


def fx_order(model):
    """The FX node names of the exportable ops, in execution order (for bisection)."""
    gm = trace(model)
    return [n.name for n in gm.graph.nodes if n.op in ("call_module", "call_function")]


def fx_values(model, x):
    """Every intermediate value of the folded model on input x, by FX node name."""
    gm = trace(model)
    vals = {}

    class Rec(torch.fx.Interpreter):
        def run_node(self, n):
            v = super().run_node(n)
            vals[n.name] = v
            return v

    with torch.no_grad():
        Rec(gm).run(x)
    return vals


def to_onnx(model, shape, path):
    """ONNX (opset 17, legacy TorchScript exporter) with a dynamic batch axis on x and y."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(shape),), path, dynamo=False, opset_version=17,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})

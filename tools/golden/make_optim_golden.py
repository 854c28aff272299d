#!/usr/bin/env python3
"""Golden files for the DeepLearning optimizers and learning-rate schedules.

Runs torch.optim (in float64, so that the comparison tests the algorithm and
not float32 rounding) on a few small parameters with a fixed sequence of
gradients, and records the parameter values, learning rates and momenta after
every step. Writes Tests/DeepLearningTests/Golden/optimizers.json and
schedules.json; the Swift tests replay the same steps and compare within 1e-6
relative.

    tools/venv/bin/python tools/golden/make_optim_golden.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "DeepLearningTests", "Golden")

SHAPES = [[2, 3], [3], [4]]
# Group 0 holds parameters 0 and 1 with the optimizer's defaults; group 1
# holds parameter 2 with its own learning rate and weight decay.
GROUPS = [{"params": [0, 1], "lr": None, "weight_decay": None},
          {"params": [2], "lr": 0.02, "weight_decay": 0.05}]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def make_params(seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g) for s in SHAPES]


def make_grads(seed, steps, missing=()):
    """missing: (step, param) pairs that get no gradient (skipped by step())."""
    g = torch.Generator().manual_seed(seed)
    grads = []
    for step in range(steps):
        row = []
        for i, s in enumerate(SHAPES):
            t = torch.randn(s, generator=g) * (1 + step)
            row.append(None if (step, i) in missing else t)
        grads.append(row)
    return grads


def torch_groups(params, groups):
    out = []
    for spec in groups:
        d = {"params": [params[i] for i in spec["params"]]}
        for key in ("lr", "weight_decay"):
            if spec.get(key) is not None:
                d[key] = spec[key]
        out.append(d)
    return out


def make_optimizer(spec, params, groups):
    kind = spec["type"]
    args = {k: v for k, v in spec.items() if k != "type"}
    if "betas" in args:
        args["betas"] = tuple(args["betas"])
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    return cls(torch_groups(params, groups), **args)


def make_schedule(spec, optimizer):
    kind = spec["type"]
    args = {k: v for k, v in spec.items() if k != "type"}
    s = torch.optim.lr_scheduler
    return {"step": s.StepLR, "multistep": s.MultiStepLR, "cosine": s.CosineAnnealingLR,
            "onecycle": s.OneCycleLR, "plateau": s.ReduceLROnPlateau}[kind](optimizer, **args)


def momenta(optimizer):
    return [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in optimizer.param_groups]


def run(name, optimizer_spec, steps, seed, schedule=None, metrics=None, missing=()):
    params = [p.requires_grad_() for p in make_params(seed)]
    initial = [flat(p) for p in params]
    grads = make_grads(seed + 1, steps, missing)
    optimizer = make_optimizer(optimizer_spec, params, GROUPS)
    scheduler = make_schedule(schedule, optimizer) if schedule else None
    case = {"name": name, "optimizer": optimizer_spec, "groups": GROUPS, "shapes": SHAPES,
            "initial": initial, "grads": [[None if t is None else flat(t) for t in row] for row in grads],
            "initial_lrs": [g["lr"] for g in optimizer.param_groups], "initial_momenta": momenta(optimizer),
            "params": [], "lrs": [], "momenta": []}
    if schedule:
        case["schedule"] = schedule
    if metrics:
        case["metrics"] = metrics
    for step in range(steps):
        for p, gr in zip(params, grads[step]):
            p.grad = None if gr is None else gr.clone()
        optimizer.step()
        if scheduler is not None:
            if metrics:
                scheduler.step(metrics[step])
            else:
                scheduler.step()
        case["params"].append([flat(p) for p in params])
        case["lrs"].append([g["lr"] for g in optimizer.param_groups])
        case["momenta"].append(momenta(optimizer))
    return case


def main():
    sgd = {"type": "sgd", "lr": 0.1, "momentum": 0.9}
    optimizers = [
        run("sgd_plain", {"type": "sgd", "lr": 0.1}, 5, 1),
        run("sgd_momentum_dampening_decay",
            {"type": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}, 6, 2,
            missing={(2, 1)}),
        run("sgd_nesterov", {"type": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.001},
            6, 3),
        run("adam", {"type": "adam", "lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-8, "weight_decay": 0.1}, 6, 4,
            missing={(3, 0)}),
        run("adam_amsgrad", {"type": "adam", "lr": 0.02, "amsgrad": True}, 6, 5),
        run("adamw", {"type": "adamw", "lr": 0.01, "betas": [0.85, 0.995], "eps": 1e-6, "weight_decay": 0.1}, 6, 6),
    ]
    schedules = [
        run("step_lr", sgd, 10, 10, {"type": "step", "step_size": 3, "gamma": 0.5}),
        run("multistep_lr", sgd, 10, 11, {"type": "multistep", "milestones": [2, 5, 5, 8], "gamma": 0.1}),
        run("cosine_annealing", sgd, 12, 12, {"type": "cosine", "T_max": 4, "eta_min": 0.001}),
        run("onecycle_sgd", sgd, 10, 13, {"type": "onecycle", "max_lr": [0.5, 0.05], "total_steps": 10,
                                          "pct_start": 0.3}),
        run("onecycle_adam_three_phase_linear", {"type": "adam", "lr": 0.01}, 12, 14,
            {"type": "onecycle", "max_lr": 0.1, "total_steps": 12, "pct_start": 0.25, "anneal_strategy": "linear",
             "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8,
             "max_momentum": 0.9}),
        run("plateau_min_rel", sgd, 14, 15,
            {"type": "plateau", "mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.1, "cooldown": 1,
             "min_lr": [0.02, 0.001]},
            metrics=[1.0, 0.95, 0.92, 0.93, 0.5, 0.49, 0.48, 0.47, 0.46, 0.2, 0.21, 0.22, 0.23, 0.24]),
        run("plateau_max_abs", sgd, 12, 16,
            {"type": "plateau", "mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.05,
             "threshold_mode": "abs", "min_lr": 1e-4},
            metrics=[0.1, 0.2, 0.22, 0.23, 0.3, 0.31, 0.32, 0.33, 0.6, 0.6, 0.6, 0.6]),
    ]
    os.makedirs(OUT, exist_ok=True)
    for filename, cases in (("optimizers.json", optimizers), ("schedules.json", schedules)):
        with open(os.path.join(OUT, filename), "w") as f:
            json.dump({"generator": "tools/golden/make_optim_golden.py", "torch": torch.__version__,
                       "cases": cases}, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()

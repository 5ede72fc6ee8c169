"""Writes optim/*.json: parameters after each of 4 steps of PyTorch 1.13's optimizers and LR schedules.

    /usr/bin/python3 gen_optim.py
"""
import json, math, os, torch

P0 = [0.5, -1.25, 2.0, 0.0625, -0.3, 1.7, -2.2]
GRADS = [[0.1, -0.2, 0.3, -0.4, 0.05, 1.5, -0.7],
         [-0.3, 0.25, 0.1, 0.2, -0.6, 0.4, 0.9],
         [0.0, 1.0, -1.0, 0.5, 0.3, -0.2, 0.05],
         [0.7, -0.1, 0.2, -0.9, 0.4, 0.6, -0.3]]

OPTIMIZERS = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    "sgd_dampening": ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.001}),
    "sgd_maximize": ("SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_weight_decay": ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    "adam_amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    "adamw": ("AdamW", {"lr": 0.01}),
    "adamw_amsgrad": ("AdamW", {"lr": 0.03, "betas": (0.5, 0.9), "weight_decay": 0.05, "amsgrad": True}),
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_centered_momentum": ("RMSprop", {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.05,
                                              "momentum": 0.7, "centered": True}),
    "rmsprop_maximize_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9, "maximize": True}),
    "adagrad": ("Adagrad", {"lr": 0.1}),
    "adagrad_decay_accumulator": ("Adagrad", {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.02,
                                              "initial_accumulator_value": 0.3, "eps": 1e-6, "maximize": True}),
}

SCHEDULES = {
    "step_lr": ("StepLR", {"step_size": 3, "gamma": 0.5}),
    "cosine": ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}),
    "cosine_default": ("CosineAnnealingLR", {"T_max": 4}),
    "linear_warmup": ("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
    "linear_default": ("LinearLR", {}),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = {"initial": P0, "grads": GRADS, "optimizers": {}, "schedules": {}}
    for name, (cls, kw) in OPTIMIZERS.items():
        p = torch.tensor(P0, dtype=torch.float32, requires_grad=True)
        opt = getattr(torch.optim, cls)([p], **kw)
        steps = []
        for g in GRADS:
            p.grad = torch.tensor(g, dtype=torch.float32)
            opt.step()
            steps.append(p.detach().tolist())
        args = {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}
        out["optimizers"][name] = {"type": cls, "args": args, "params": steps}
    for name, (cls, kw) in SCHEDULES.items():
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = getattr(torch.optim.lr_scheduler, cls)(opt, **kw)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(12):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        out["schedules"][name] = {"type": cls, "args": kw, "lrs": lrs}
    with open(os.path.join(here, "optimizers.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()

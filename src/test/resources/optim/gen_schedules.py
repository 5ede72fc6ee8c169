"""Writes optim/schedules.json: the learning rate of PyTorch 1.13's lr_scheduler classes after construction and
after each of 40 step() calls, SGD on one parameter with lr 0.1 (Debian's python3-torch 1.13.1).

    /usr/bin/python3 gen_schedules.py

A case builds its "schedulers" in order on one optimizer (each one does its initial step, and the first one sets the
param group's initial_lr) and steps every one of them, in order, once per step. A scheduler is
{"type": class name, "args": keyword arguments} or, for SequentialLR, {"type": "SequentialLR", "children": [...],
"milestones": [...]} or {"type": "ChainedScheduler", "children": [...]}. Omitted arguments take PyTorch's defaults. A case whose step raises records "error" (the
exception's class) and "error_at" (the 1-based step that raised); "lrs" then stops before that step.

Each case runs a second time on an SGD of three parameter groups with the rates GROUP_LRS (the first group's is
BASE_LR): "group_lrs" holds every group's rate after construction and after each step, and "group_momenta" every
group's SGD momentum where a schedule cycles it (OneCycleLR, CyclicLR).
"""
import json, os, torch, warnings
from torch.optim import lr_scheduler

BASE_LR = 0.1
STEPS = 40
GROUP_LRS = [BASE_LR, 0.03, 0.5]


def s(cls, **kw):
    return {"type": cls, "args": kw}


def chain(children):
    return {"type": "ChainedScheduler", "children": children}


def seq(children, milestones):
    return {"type": "SequentialLR", "children": children, "milestones": milestones}


CASES = {
    # one scheduler, default and other arguments
    "step_default_gamma": [s("StepLR", step_size=3)],
    "step": [s("StepLR", step_size=4, gamma=0.5)],
    "multistep_default_gamma": [s("MultiStepLR", milestones=[5, 10, 20])],
    "multistep_repeated_unsorted": [s("MultiStepLR", milestones=[20, 5, 10, 5], gamma=0.5)],
    "multistep_milestone_zero": [s("MultiStepLR", milestones=[0, 3, 3], gamma=0.3)],
    "exponential": [s("ExponentialLR", gamma=0.9)],
    "exponential_growth": [s("ExponentialLR", gamma=1.05)],
    "constant_default": [s("ConstantLR")],
    "constant": [s("ConstantLR", factor=0.5, total_iters=4)],
    "constant_factor_1": [s("ConstantLR", factor=1.0, total_iters=3)],
    "constant_factor_third": [s("ConstantLR", factor=0.3, total_iters=7)],
    # 1.0 / factor at epoch total_iters: ZeroDivisionError in 1.13
    "constant_factor_0": [s("ConstantLR", factor=0.0, total_iters=5)],
    "linear_default": [s("LinearLR")],
    "linear_warmup_then_flat": [s("LinearLR", start_factor=0.1, total_iters=4)],
    "linear_decay_to_zero": [s("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=30)],
    "linear_partial": [s("LinearLR", start_factor=0.5, end_factor=0.25, total_iters=10)],
    "cosine_past_t_max": [s("CosineAnnealingLR", T_max=10)],
    "cosine_eta_min": [s("CosineAnnealingLR", T_max=7, eta_min=0.001)],
    "cosine_t_max_1": [s("CosineAnnealingLR", T_max=1)],
    # two schedulers on one optimizer, both stepped: the second one's base_lr is the initial_lr the first one set
    "two_constant_cosine": [s("ConstantLR", factor=0.5, total_iters=3), s("CosineAnnealingLR", T_max=4)],
    "two_exponential_step": [s("ExponentialLR", gamma=0.9), s("StepLR", step_size=5, gamma=0.5)],
    "two_linear_cosine_eta": [s("LinearLR", start_factor=0.25, total_iters=6),
                              s("CosineAnnealingLR", T_max=5, eta_min=0.01)],
    # SequentialLR
    "seq_single": [seq([s("StepLR", step_size=3, gamma=0.5)], [])],
    "seq_linear_cosine": [seq([s("LinearLR", start_factor=0.01, total_iters=5),
                               s("CosineAnnealingLR", T_max=35)], [5])],
    "seq_linear_cosine_eta_min": [seq([s("LinearLR", start_factor=0.2, total_iters=10),
                                       s("CosineAnnealingLR", T_max=20, eta_min=1e-4)], [10])],
    "seq_warmup_linear_decay": [seq([s("LinearLR", start_factor=0.1, end_factor=1.0, total_iters=8),
                                     s("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=32)], [8])],
    "seq_linear_defaults_twice": [seq([s("LinearLR"), s("LinearLR")], [5])],
    "seq_constant_exponential": [seq([s("ConstantLR", factor=0.1, total_iters=2),
                                      s("ExponentialLR", gamma=0.9)], [2])],
    "seq_warmup_cut_short": [seq([s("LinearLR", start_factor=0.1, total_iters=10),
                                  s("ExponentialLR", gamma=0.8)], [5])],
    "seq_three": [seq([s("LinearLR", start_factor=0.25, total_iters=4), s("StepLR", step_size=5, gamma=0.5),
                       s("CosineAnnealingLR", T_max=12, eta_min=0.001)], [4, 20])],
    "seq_three_constant_multistep_exponential": [seq([s("ConstantLR", factor=0.5, total_iters=3),
                                                      s("MultiStepLR", milestones=[2, 4, 4], gamma=0.5),
                                                      s("ExponentialLR", gamma=0.95)], [6, 15])],
    # ConstantLR(factor=0) left before its total_iters never divides by zero
    "seq_constant_0_linear": [seq([s("ConstantLR", factor=0.0, total_iters=10),
                                   s("LinearLR", start_factor=0.5, total_iters=4)], [3])],
    # MultiStepLR's closed form at epoch 0 counts a milestone 0: base_lr * gamma
    "seq_exponential_multistep_zero": [seq([s("ExponentialLR", gamma=0.9),
                                            s("MultiStepLR", milestones=[0, 2], gamma=0.5)], [5])],
    "seq_cosine_constant_step": [seq([s("CosineAnnealingLR", T_max=6, eta_min=0.02),
                                      s("ConstantLR", factor=0.25, total_iters=3),
                                      s("StepLR", step_size=2, gamma=0.7)], [9, 18])],
    # PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR, ChainedScheduler
    "polynomial_default": [s("PolynomialLR")],
    "polynomial_power_2": [s("PolynomialLR", total_iters=12, power=2.0)],
    "polynomial_sqrt": [s("PolynomialLR", total_iters=30, power=0.5)],
    "warm_restarts": [s("CosineAnnealingWarmRestarts", T_0=5)],
    "warm_restarts_mult_2_eta_min": [s("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.01)],
    "onecycle_default": [s("OneCycleLR", max_lr=1.0, total_steps=40)],
    "onecycle_linear_three_phase": [s("OneCycleLR", max_lr=0.5, total_steps=40, pct_start=0.25,
                                      anneal_strategy="linear", three_phase=True, div_factor=10.0,
                                      final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9)],
    "onecycle_epochs_no_momentum": [s("OneCycleLR", max_lr=0.3, epochs=4, steps_per_epoch=10,
                                      cycle_momentum=False, pct_start=0.5)],
    "cyclic_triangular": [s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=4)],
    "cyclic_triangular2_uneven": [s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=3, step_size_down=5,
                                    mode="triangular2")],
    "cyclic_exp_range_no_momentum": [s("CyclicLR", base_lr=0.01, max_lr=0.2, step_size_up=5, mode="exp_range",
                                       gamma=0.97, cycle_momentum=False)],
    "chained_constant_exponential": [chain([s("ConstantLR", factor=0.5, total_iters=4),
                                            s("ExponentialLR", gamma=0.9)])],
    "chained_linear_step": [chain([s("LinearLR", start_factor=0.2, total_iters=5), s("StepLR", step_size=6, gamma=0.5)])],
    "seq_linear_warm_restarts": [seq([s("LinearLR", start_factor=0.1, total_iters=5),
                                      s("CosineAnnealingWarmRestarts", T_0=6, T_mult=2)], [5])],
    "seq_constant_onecycle": [seq([s("ConstantLR", factor=0.5, total_iters=3),
                                   s("OneCycleLR", max_lr=0.2, total_steps=37)], [3])],
    "seq_linear_polynomial": [seq([s("LinearLR", start_factor=0.5, total_iters=4),
                                   s("PolynomialLR", total_iters=20, power=1.5)], [4])],
    "seq_cyclic_exponential": [seq([s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3),
                                    s("ExponentialLR", gamma=0.9)], [12])],
    # a SequentialLR first in a SequentialLR: the outer one's initial step steps the inner's first child again
    "seq_nested_first": [seq([seq([s("LinearLR", start_factor=0.5, total_iters=4), s("ExponentialLR", gamma=0.9)],
                                  [4]),
                              s("CosineAnnealingLR", T_max=10)], [12])],
    # a scheduler made before the SequentialLR's children set initial_lr; both stepped
    "seq_after_other_scheduler": [s("StepLR", step_size=7, gamma=0.5),
                                  seq([s("LinearLR", start_factor=0.5, total_iters=3),
                                       s("ExponentialLR", gamma=0.9)], [3])],
}


def build(spec, opt):
    if spec["type"] == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler([build(c, opt) for c in spec["children"]])
    if spec["type"] == "SequentialLR":
        children = [build(c, opt) for c in spec["children"]]
        return lr_scheduler.SequentialLR(opt, schedulers=children, milestones=spec["milestones"])
    return getattr(lr_scheduler, spec["type"])(opt, **spec["args"])


def run(specs, group_lrs):
    """Every group's rate after construction and each step, and (exception class, step) if a step raised."""
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in group_lrs]
    opt = torch.optim.SGD(groups, lr=BASE_LR)
    scheds = [build(spec, opt) for spec in specs]
    lrs = [[g["lr"] for g in opt.param_groups]]
    momenta = [[g["momentum"] for g in opt.param_groups]]
    for k in range(1, STEPS + 1):
        opt.step()
        try:
            for sched in scheds:
                sched.step()
        except ZeroDivisionError as e:
            return lrs, momenta, (type(e).__name__, k)
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append([g["momentum"] for g in opt.param_groups])
    return lrs, momenta, None


def main():
    warnings.simplefilter("ignore")  # step(0)'s EPOCH_DEPRECATION_WARNING
    here = os.path.dirname(os.path.abspath(__file__))
    cases = {}
    for name, specs in CASES.items():
        case = {"schedulers": specs}
        lrs, _, error = run(specs, [BASE_LR])
        case["lrs"] = [r[0] for r in lrs]
        if error:
            case["error"], case["error_at"] = error
        case["group_lrs"], momenta, _ = run(specs, GROUP_LRS)
        if any(m != 0 for row in momenta for m in row):
            case["group_momenta"] = momenta
        cases[name] = case
    out = {"torch": torch.__version__, "base_lr": BASE_LR, "group_lrs": GROUP_LRS, "steps": STEPS, "cases": cases}
    with open(os.path.join(here, "schedules.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

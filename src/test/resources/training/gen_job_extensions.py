"""Writes training/job_extensions.json and job_extensions_{model,data}.safetensors: PyTorch 1.13 fine-tuning runs
that use the job request's extensions (`lr_scheduler`, `clip_grad_norm`, `freeze`, `optimizer.param_groups`, ...),
one per case, each from the
same initial weights and data, with the loop a PyTorch user writes:

    for p in frozen: p.requires_grad_(False)
    opt = Optimizer([p for p in model.parameters() if p.requires_grad], ...)
    sched = <scheduler>(opt, ...)
    for epoch: for xb, yb in loader:
        opt.zero_grad(); loss = F.cross_entropy(model(xb), yb); loss.backward()
        clip_grad_norm_(model.parameters(), max_norm, norm_type); opt.step()
        # with `accumulate_grad_batches` k: (loss / k).backward() per batch, the step after every k (and after an
        # epoch's last batch), its loss the mean of its batches'

        sched.step()          # when interval is "step"
    sched.step()              # after each epoch, when interval is "epoch"
    evaluate on the validation set   # with `validation`; then early stopping's rule, with `early_stopping`

With Adam and AdamW the first Linear's bias is frozen too: a BatchNorm follows it, so its true gradient is zero and
the computed one rounding noise, which Adam's normalisation turns into full-size steps that no two implementations
share. Every draw (initialisation, shuffling, dropout) comes from the global generator seeded with the job's seed after the
model is built, as a job draws from `Generator(seed)`. Recorded per case: the losses, the learning rate after each
step (with `param_groups`, every group's: `group_lrs`), the final state dict (running statistics included), and where the case has `validation`, the loss and accuracy
on the validation set after each epoch (evaluation mode, no gradients: `validation_results`).

    /usr/bin/python3 gen_job_extensions.py
"""
import copy, json, math, os, re, sys, torch
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_training import write_safetensors  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "init"))
from gen_init import build  # noqa: E402

SPEC = {
    "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 6]}],
    "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
    "layers": [
        {"type": "Linear", "in_features": 6, "out_features": 16},
        {"type": "BatchNorm1d", "num_features": 16},
        {"type": "GELU"},
        {"type": "Dropout", "p": 0.2},
        {"type": "Linear", "in_features": 16, "out_features": 3},
    ],
    "seed": 5,
}

# a recurrent model over the same data read as sequences ("sequence": 3 steps of 2 features): a 2-layer LSTM with
# dropout between its layers (drawn from the job's generator), its output sequence flattened into a Linear
RNN_SPEC = {
    "inputs": [{"name": "sequence", "datatype": "FP32", "shape": [-1, 3, 2]}],
    "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
    "layers": [
        {"type": "LSTM", "input_size": 2, "hidden_size": 5, "num_layers": 2, "batch_first": True, "dropout": 0.25},
        {"type": "Flatten"},
        {"type": "Linear", "in_features": 15, "out_features": 3},
    ],
    "seed": 6,
}

CASES = [
    {"name": "sgd_steplr_epoch_clip_freeze_first",
     "optimizer": {"type": "sgd", "lr": 0.2, "momentum": 0.9, "weight_decay": 0.001},
     "lr_scheduler": {"type": "StepLR", "step_size": 1, "gamma": 0.5},
     "clip_grad_norm": {"max_norm": 0.5},
     "freeze": ["0"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 7,
     "validation": {"batch_size": 7}},
    {"name": "adamw_warmup_cosine_step_clip_inf_freeze_weight",
     "optimizer": {"type": "adamw", "lr": 0.05, "weight_decay": 0.05},
     "lr_scheduler": {"type": "SequentialLR", "interval": "step", "milestones": [3],
                      "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": 3},
                                     {"type": "CosineAnnealingLR", "T_max": 9, "eta_min": 0.001}]},
     "clip_grad_norm": {"max_norm": 0.1, "norm_type": "inf"},
     "freeze": ["4.weight", "0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 8},
    {"name": "adam_multistep_epoch_clip_l1_freeze_norm",
     "optimizer": {"type": "adam", "lr": 0.02, "betas": [0.8, 0.99], "amsgrad": True},
     "lr_scheduler": {"type": "MultiStepLR", "milestones": [2, 1], "gamma": 0.3},
     "clip_grad_norm": {"max_norm": 1.0, "norm_type": 1},
     "freeze": ["1", "0.bias"], "epochs": 4, "batch_size": 10, "shuffle": False, "seed": 9,
     "validation": {"batch_size": 64}},
    {"name": "sgd_constant_then_exponential_step",
     "optimizer": {"type": "sgd", "lr": 0.3, "nesterov": True, "momentum": 0.5},
     "lr_scheduler": {"type": "SequentialLR", "interval": "step", "milestones": [4],
                      "schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 4},
                                     {"type": "ExponentialLR", "gamma": 0.9}]},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 10},
    {"name": "sgd_early_stopping_restores_best",
     "optimizer": {"type": "sgd", "lr": 0.01, "momentum": 0.9},
     "early_stopping": {"patience": 2, "min_delta": 0.0005},
     "epochs": 12, "batch_size": 8, "shuffle": True, "seed": 12, "validation": {"batch_size": 8}},
    {"name": "adamw_accumulate_4_step_schedule_clip",
     "optimizer": {"type": "adamw", "lr": 0.02, "weight_decay": 0.01},
     "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 9, "interval": "step"},
     "clip_grad_norm": {"max_norm": 0.3}, "accumulate_grad_batches": 4,
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 4, "shuffle": True, "seed": 13, "validation": {}},
    {"name": "ce_weight_smoothing_ignore_index",
     "loss_options": {"weight": [1.0, 2.5, 0.5], "label_smoothing": 0.1, "ignore_index": 2},
     "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 14, "validation": {"batch_size": 7}},
    {"name": "smooth_l1_beta_regression",
     "loss": "smooth_l1", "target": "regression", "loss_options": {"beta": 0.5},
     "optimizer": {"type": "adam", "lr": 0.01}, "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True,
     "seed": 15},
    {"name": "bce_pos_weight_multilabel",
     "loss": "bce_with_logits", "target": "multilabel", "loss_options": {"pos_weight": [1.0, 3.0, 0.5]},
     "optimizer": {"type": "sgd", "lr": 0.2}, "epochs": 3, "batch_size": 8, "shuffle": False, "seed": 16},
    {"name": "adamw_no_weight_decay_bias_norm",
     "optimizer": {"type": "adamw", "lr": 0.02, "weight_decay": 0.2, "no_weight_decay": ["*.bias", "1"]},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 17},
    {"name": "sgd_no_weight_decay_head",
     "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.05, "no_weight_decay": ["4.*"]},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 18},
    {"name": "sgd_early_stopping_on_accuracy",
     "optimizer": {"type": "sgd", "lr": 0.01, "momentum": 0.9},
     "early_stopping": {"patience": 2, "monitor": "accuracy", "restore_best_weights": True},
     "epochs": 12, "batch_size": 8, "shuffle": True, "seed": 20, "validation": {"batch_size": 6}},
    {"name": "adam_validation_split",
     "optimizer": {"type": "adam", "lr": 0.01}, "freeze": ["0.bias"],
     "epochs": 6, "batch_size": 8, "shuffle": True, "seed": 22, "validation": {"split": 0.25, "batch_size": 4}},
    {"name": "adam_random_validation_split",
     "optimizer": {"type": "adam", "lr": 0.01}, "freeze": ["0.bias"],
     "epochs": 4, "batch_size": 8, "shuffle": True, "seed": 34,
     "validation": {"split": 0.25, "split_seed": 5, "batch_size": 4}},
    {"name": "sgd_reduce_lr_on_plateau",
     "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
     "lr_scheduler": {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 0, "threshold": 0.001},
     "epochs": 5, "batch_size": 8, "shuffle": True, "seed": 23, "validation": {"batch_size": 7}},
    # parameter groups: each group's rate follows the schedule from its own base rate
    {"name": "sgd_param_groups_fast_head_steplr",
     "optimizer": {"type": "sgd", "lr": 0.02, "momentum": 0.9, "weight_decay": 0.01,
                   "param_groups": [{"params": ["4"], "lr": 0.2}, {"params": ["1"], "weight_decay": 0.0}]},
     "lr_scheduler": {"type": "StepLR", "step_size": 1, "gamma": 0.5},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 24, "validation": {"batch_size": 9}},
    {"name": "adamw_param_groups_cosine_eta_min_step_no_weight_decay",
     "optimizer": {"type": "adamw", "lr": 0.01, "weight_decay": 0.1, "no_weight_decay": ["*.bias"],
                   "param_groups": [{"params": ["0.weight"], "lr": 0.002, "weight_decay": 0.5},
                                    {"params": ["4.*"], "lr": 0.03}]},
     "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 9, "eta_min": 0.001, "interval": "step"},
     "freeze": ["0.bias"], "epochs": 2, "batch_size": 8, "shuffle": True, "seed": 25},
    {"name": "sgd_param_groups_plateau_frozen_member",
     "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9, "param_groups": [{"params": ["0"], "lr": 0.01}]},
     "lr_scheduler": {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 0, "threshold": 0.001},
     "freeze": ["0.bias"], "epochs": 5, "batch_size": 8, "shuffle": True, "seed": 26, "validation": {"batch_size": 7}},
    # parameter groups with their own momentum, betas and eps
    {"name": "adam_param_groups_betas_eps",
     "optimizer": {"type": "adam", "lr": 0.01,
                   "param_groups": [{"params": ["4"], "betas": [0.5, 0.9], "eps": 0.001, "lr": 0.03}]},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 36},
    {"name": "sgd_param_groups_momentum",
     "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9,
                   "param_groups": [{"params": ["0"], "momentum": 0.0, "lr": 0.1}, {"params": ["4"], "momentum": 0.5}]},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 37},
    # OneCycleLR (Adam's beta1 cycled, a max_lr per group, total_steps the job's), CyclicLR (SGD's momentum cycled),
    # ChainedScheduler, PolynomialLR, CosineAnnealingWarmRestarts
    {"name": "adamw_onecycle_step_max_lr_per_group",
     "optimizer": {"type": "adamw", "lr": 0.01, "weight_decay": 0.01, "param_groups": [{"params": ["4"]}]},
     "lr_scheduler": {"type": "OneCycleLR", "max_lr": [0.02, 0.08], "pct_start": 0.25, "interval": "step"},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 27},
    {"name": "sgd_cyclic_triangular2_step",
     "optimizer": {"type": "sgd", "lr": 0.1},
     "lr_scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "triangular2",
                      "interval": "step"},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 28},
    {"name": "adam_chained_warmup_polynomial_step",
     "optimizer": {"type": "adam", "lr": 0.02},
     "lr_scheduler": {"type": "ChainedScheduler", "interval": "step",
                      "schedulers": [{"type": "LinearLR", "start_factor": 0.2, "total_iters": 4},
                                     {"type": "PolynomialLR", "total_iters": 12, "power": 2.0}]},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 29},
    {"name": "sgd_warm_restarts_epoch",
     "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9},
     "lr_scheduler": {"type": "CosineAnnealingWarmRestarts", "T_0": 2, "T_mult": 2, "eta_min": 0.005},
     "epochs": 6, "batch_size": 12, "shuffle": True, "seed": 30},
    # RMSprop and Adagrad (the first Linear's bias frozen, as with Adam: they normalise its noise too)
    {"name": "rmsprop_centered_momentum_weight_decay",
     "optimizer": {"type": "rmsprop", "lr": 0.005, "alpha": 0.9, "momentum": 0.8, "centered": True,
                   "weight_decay": 0.01},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 31, "validation": {"batch_size": 10}},
    {"name": "adagrad_lr_decay_initial_accumulator",
     "optimizer": {"type": "adagrad", "lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1,
                   "weight_decay": 0.001},
     "freeze": ["0.bias"], "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 32},
    {"name": "rmsprop_onecycle_cycles_momentum",
     "optimizer": {"type": "rmsprop", "lr": 0.01},
     "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.01, "interval": "step"},
     "freeze": ["0.bias"], "epochs": 2, "batch_size": 8, "shuffle": True, "seed": 33},
    # an LSTM model fine-tuned: dropout between its layers draws from the job's generator
    {"name": "lstm_adamw_dropout_clip_validation", "spec": "rnn", "input": "sequence",
     "optimizer": {"type": "adamw", "lr": 0.02}, "clip_grad_norm": {"max_norm": 1.0},
     "epochs": 3, "batch_size": 8, "shuffle": True, "seed": 35, "validation": {"batch_size": 7}},
    {"name": "sgd_linear_decay_epoch_no_clip",
     "optimizer": {"type": "sgd", "lr": 0.1},
     "lr_scheduler": {"type": "LinearLR", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 3},
     "freeze": ["0.bias", "4"], "epochs": 4, "batch_size": 16, "shuffle": True, "seed": 11},
]


def scheduler(opt, s, scheduled_steps):
    """The case's schedule; a OneCycleLR without total_steps takes the number of times the loop steps it."""
    t = s["type"]
    args = {k: v for k, v in s.items() if k not in ("type", "interval", "schedulers", "monitor")}
    if t == "SequentialLR":
        children = [scheduler(opt, c, scheduled_steps) for c in s["schedulers"]]
        return torch.optim.lr_scheduler.SequentialLR(opt, children, milestones=s["milestones"])
    if t == "ChainedScheduler":
        return torch.optim.lr_scheduler.ChainedScheduler([scheduler(opt, c, scheduled_steps) for c in s["schedulers"]])
    if t == "OneCycleLR" and "total_steps" not in args and "epochs" not in args:
        args["total_steps"] = scheduled_steps
    return getattr(torch.optim.lr_scheduler, t)(opt, **args)


def optimizer(named, o):
    """The optimizer over the trainable (name, parameter) pairs. With `param_groups`, the parameters each one names form
    a group with its lr and weight_decay, after group 0 of those named by none (the optimizer's options); with
    `no_weight_decay`, each group's parameters it names go into a group of their own with the same options and
    weight_decay 0 (the usual bias and norm exclusion). `heads` holds the PyTorch group of each of the job's groups."""
    args = {k: v for k, v in o.items() if k not in ("type", "no_weight_decay", "param_groups")}
    if "betas" in args:
        args["betas"] = tuple(args["betas"])
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[o["type"]]
    exempt = [n for n, _ in named if any(matches(e, n) for e in o.get("no_weight_decay", []))]
    specs = o.get("param_groups", [])
    owner = {n: g + 1 for g, spec in enumerate(specs) for n, _ in named if any(matches(e, n) for e in spec["params"])}
    groups, heads = [], []
    for g in range(len(specs) + 1):
        members = [(n, p) for n, p in named if owner.get(n, 0) == g]
        own = {} if g == 0 else {k: tuple(v) if k == "betas" else v for k, v in specs[g - 1].items() if k != "params"}
        heads.append(len(groups))
        groups.append({"params": [p for n, p in members if n not in exempt], **own})
        if any(n in exempt for n, _ in members):
            groups.append({"params": [p for n, p in members if n in exempt], **own, "weight_decay": 0.0})
    opt = cls(groups, **args)
    opt.heads = heads
    return opt


def matches(entry, name):
    """A parameter name, a module prefix, or a pattern where * stands for any characters."""
    if "*" in entry:
        return re.fullmatch(".*".join(re.escape(part) for part in entry.split("*")), name, re.S) is not None
    return name == entry or name.startswith(entry + ".")


def frozen(model, entries):
    names = [n for n, _ in model.named_parameters()]
    return {n for n in names for e in entries if matches(e, n)}


def criterion(case):
    """The case's loss: F.<loss>(..., **loss_options), PyTorch's mean reduction."""
    o = dict(case.get("loss_options", {}))
    for k in ("weight", "pos_weight"):
        if k in o:
            o[k] = torch.tensor(o[k])
    F = torch.nn.functional
    fn = {"cross_entropy": F.cross_entropy, "smooth_l1": F.smooth_l1_loss,
          "bce_with_logits": F.binary_cross_entropy_with_logits}[case.get("loss", "cross_entropy")]
    return lambda out, y: fn(out, y, **o)


def validate(model, xv, yv, loss_fn, ignore_index=-100):
    """The job's `validation`: the whole set in evaluation mode, without gradients (and no draw)."""
    model.eval()
    with torch.no_grad():
        out = model(xv)
        loss = loss_fn(out, yv).item()
        kept = yv != ignore_index
        accuracy = (out.argmax(1) == yv)[kept].double().mean().item()
    model.train()
    return loss, accuracy


def run(case, initial, data, xv, yv):
    spec = RNN_SPEC if case.get("spec") == "rnn" else SPEC
    inputs = case.get("input", "input")
    x, y = data[inputs], data[case.get("target", "target")]
    if inputs == "sequence":
        xv = xv.reshape(len(xv), 3, 2)
    split = case.get("validation", {}).get("split")
    if split:
        split_at = int(round(len(x) * (1.0 - split)))
        seed = case["validation"].get("split_seed")
        if seed is None:
            # Keras' validation_split: the last rows, before any shuffling, validate; the others train
            x, y, xv, yv = x[:split_at], y[:split_at], x[split_at:], y[split_at:]
        else:
            # PyTorch's random_split with a generator of its own: the first split_at of randperm train, in order
            train, held = torch.utils.data.random_split(TensorDataset(x, y), [split_at, len(x) - split_at],
                                                        generator=torch.Generator().manual_seed(seed))
            x, y, xv, yv = x[train.indices], y[train.indices], x[held.indices], y[held.indices]
    loss_fn = criterion(case)
    torch.manual_seed(spec["seed"])
    model = build(spec)
    model.load_state_dict(initial[case.get("spec", "main")])
    torch.manual_seed(case["seed"])
    skip = frozen(model, case.get("freeze", []))
    for n, p in model.named_parameters():
        if n in skip:
            p.requires_grad_(False)
    opt = optimizer([(n, p) for n, p in model.named_parameters() if p.requires_grad], case["optimizer"])
    per_step = "lr_scheduler" in case and case["lr_scheduler"].get("interval") == "step"
    k = case.get("accumulate_grad_batches", 1)
    batches = (len(x) + case["batch_size"] - 1) // case["batch_size"]
    scheduled = case["epochs"] * ((batches + k - 1) // k) if per_step else case["epochs"]
    sched = scheduler(opt, case["lr_scheduler"], scheduled) if "lr_scheduler" in case else None
    plateau = sched is not None and case["lr_scheduler"]["type"] == "ReduceLROnPlateau"
    stopping = case.get("early_stopping")
    maximise = stopping is not None and stopping.get("monitor") == "accuracy"
    best, best_epoch, since_best, best_state, stopped = (-math.inf if maximise else math.inf), -1, 0, None, False
    loader = DataLoader(TensorDataset(x, y), batch_size=case["batch_size"], shuffle=case["shuffle"])
    clip = case.get("clip_grad_norm")
    losses, lrs, group_lrs, validation = [], [], [], []
    model.train()
    for epoch in range(case["epochs"]):
        if stopped:
            break
        group = []
        for i, (xb, yb) in enumerate(loader):
            if not group:
                opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            (loss / k if k > 1 else loss).backward()  # Lightning's rule: every batch divided by k
            group.append(loss.item())
            if len(group) < k and i + 1 < len(loader):
                continue
            step_loss = sum(group) / len(group)  # the step's loss: the mean of its batches'
            group = []
            if clip:
                norm = clip.get("norm_type", 2.0)
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip["max_norm"],
                                               float("inf") if norm == "inf" else norm)
            opt.step()
            if per_step and sched is not None:
                sched.step()
            losses.append(step_loss)
            lrs.append(opt.param_groups[0]["lr"])
            group_lrs.append([opt.param_groups[h]["lr"] for h in opt.heads])
        if not per_step and sched is not None and not plateau:
            sched.step()
            lrs[-1] = opt.param_groups[0]["lr"]
            group_lrs[-1] = [opt.param_groups[h]["lr"] for h in opt.heads]
        if "validation" in case:
            loss, accuracy = validate(model, xv, yv, loss_fn, case.get("loss_options", {}).get("ignore_index", -100))
            validation.append({"epoch": epoch, "step": len(losses), "loss": loss, "accuracy": accuracy})
            if plateau:  # scheduler.step(val_metric) after each epoch's validation
                sched.step(accuracy if case["lr_scheduler"].get("monitor") == "accuracy" else loss)
                lrs[-1] = opt.param_groups[0]["lr"]
                group_lrs[-1] = [opt.param_groups[h]["lr"] for h in opt.heads]
            if stopping:
                # Keras' EarlyStopping on val_loss (mode "min": below best - min_delta) or val_accuracy (mode "max":
                # above best + min_delta)
                value = accuracy if maximise else loss
                delta = stopping.get("min_delta", 0.0)
                if (value > best + delta) if maximise else (value < best - delta):
                    best, best_epoch, since_best = value, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    since_best += 1
                    stopped = since_best >= stopping.get("patience", 3)
    if stopping and stopping.get("restore_best_weights", True) and best_state is not None:
        model.load_state_dict(best_state)
    state = {k: {"shape": list(v.shape), "data": v.flatten().tolist() if v.dim() else [v.item()]}
             for k, v in model.state_dict().items()}
    out = {"losses": losses, "lrs": lrs, "final": state}
    if "param_groups" in case["optimizer"]:
        out["group_lrs"] = group_lrs
    if stopping:
        out["early_stopping_result"] = {"best_epoch": best_epoch, "best_value": best,
                                        "epochs_since_best": since_best, "stopped_early": stopped}
    if "validation" in case:
        out["validation_results"] = validation
    return out


def main():
    g = torch.Generator().manual_seed(123)
    x = torch.randn(36, 6, generator=g)
    y = torch.randint(0, 3, (36,), generator=g)
    xv = torch.randn(20, 6, generator=g)
    yv = torch.randint(0, 3, (20,), generator=g)
    data = {"input": x, "target": y, "regression": torch.randn(36, 3, generator=g),
            "multilabel": (torch.rand(36, 3, generator=g) > 0.6).float(), "sequence": x.reshape(36, 3, 2)}
    initial = {}
    for name, spec in (("main", SPEC), ("rnn", RNN_SPEC)):
        torch.manual_seed(spec["seed"])
        initial[name] = build(spec).state_dict()
    here = os.path.dirname(os.path.abspath(__file__))
    out = {"spec": SPEC, "rnn_spec": RNN_SPEC, "cases": []}
    for case in CASES:
        r = run(case, initial, data, xv, yv)
        out["cases"].append({**case, **r})
    with open(os.path.join(here, "job_extensions.json"), "w") as f:
        json.dump(out, f)
    write_safetensors(os.path.join(here, "job_extensions_model.safetensors"), initial["main"])
    write_safetensors(os.path.join(here, "job_extensions_rnn_model.safetensors"), initial["rnn"])
    write_safetensors(os.path.join(here, "job_extensions_data.safetensors"), data)
    write_safetensors(os.path.join(here, "job_extensions_validation.safetensors"),
                      {"input": xv, "target": yv, "sequence": xv.reshape(20, 3, 2)})


if __name__ == "__main__":
    main()

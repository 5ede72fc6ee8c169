"""Writes training/shuffle_dropout.json: a PyTorch 1.13 training run that uses the global generator throughout
(initialisation, DataLoader shuffling, Dropout masks), with Adam (amsgrad, weight decay), gradient clipping and a
StepLR schedule stepped per epoch.

    /usr/bin/python3 gen_training.py
"""
import json, os, sys, torch
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "init"))
from gen_init import build  # noqa: E402

SPEC = {
    "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 6]}],
    "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
    "layers": [
        {"type": "Linear", "in_features": 6, "out_features": 16},
        {"type": "BatchNorm1d", "num_features": 16},
        {"type": "SiLU"},
        {"type": "Dropout", "p": 0.3},
        {"type": "Linear", "in_features": 16, "out_features": 3},
    ],
    "seed": 11,
}
CONFIG = {"epochs": 3, "batch_size": 8, "lr": 0.05, "max_norm": 0.5, "step_size": 1, "gamma": 0.5}


def main():
    g = torch.Generator().manual_seed(99)
    x = torch.randn(30, 6, generator=g)
    y = torch.randint(0, 3, (30,), generator=g)
    torch.manual_seed(SPEC["seed"])
    model = build(SPEC)
    opt = torch.optim.Adam(model.parameters(), lr=CONFIG["lr"], amsgrad=True, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=CONFIG["step_size"], gamma=CONFIG["gamma"])
    loader = DataLoader(TensorDataset(x, y), batch_size=CONFIG["batch_size"], shuffle=True)
    losses = []
    model.train()
    for _ in range(CONFIG["epochs"]):
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), CONFIG["max_norm"])
            opt.step()
            losses.append(loss.item())
        sched.step()
    state = {k: {"shape": list(v.shape), "data": v.flatten().tolist() if v.dim() else [v.item()]}
             for k, v in model.state_dict().items()}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "shuffle_dropout.json"), "w") as f:
        json.dump({"spec": SPEC, "config": CONFIG, "input": x.flatten().tolist(), "target": y.tolist(),
                   "losses": losses, "final": state, "lr": opt.param_groups[0]["lr"]}, f)


if __name__ == "__main__":
    main()

"""Writes training/shuffle_dropout.json: a PyTorch 1.13 training run that uses the global generator throughout
(initialisation, DataLoader shuffling, Dropout masks), with Adam (amsgrad, weight decay), gradient clipping and a
StepLR schedule stepped per epoch; and training/transformer_sgd.json: the same kind of run for a token classifier
built on two TransformerEncoderLayers (dropout in the attention weights and the three Dropout modules of each),
with SGD (momentum, weight decay) and clipping. Not Adam: the key projection's bias gets a gradient of exactly zero
(softmax does not change when a constant is added to every score of a row), so its computed gradient is rounding
noise, which Adam's normalisation turns into steps of the full learning rate in a direction no two implementations
share.

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


TRANSFORMER_SPEC = {
    "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 6]}],
    "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
    "layers": [
        {"type": "Embedding", "num_embeddings": 13, "embedding_dim": 8},
        {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.1,
         "batch_first": True},
        {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 4, "dim_feedforward": 16, "dropout": 0.1,
         "activation": "gelu", "batch_first": True, "norm_first": True},
        {"type": "Flatten"},
        {"type": "Linear", "in_features": 48, "out_features": 3},
    ],
    "seed": 37,
}
TRANSFORMER_CONFIG = {"epochs": 3, "batch_size": 8, "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4,
                      "max_norm": 1.0}


def transformer():
    g = torch.Generator().manual_seed(101)
    x = torch.randint(0, 13, (24, 6), generator=g)
    y = (x[:, 0] % 3)  # learnable: the class is the first token mod 3
    torch.manual_seed(TRANSFORMER_SPEC["seed"])
    model = build(TRANSFORMER_SPEC)
    cfg = TRANSFORMER_CONFIG
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"],
                          weight_decay=cfg["weight_decay"])
    loader = DataLoader(TensorDataset(x, y), batch_size=cfg["batch_size"], shuffle=True)
    losses = []
    model.train()
    for _ in range(cfg["epochs"]):
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["max_norm"])
            opt.step()
            losses.append(loss.item())
    state = {k: {"shape": list(v.shape), "data": v.flatten().tolist() if v.dim() else [v.item()]}
             for k, v in model.state_dict().items()}
    model.eval()
    with torch.no_grad():
        logits = model(x)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "transformer_sgd.json"), "w") as f:
        json.dump({"spec": TRANSFORMER_SPEC, "config": cfg, "input": x.flatten().tolist(), "target": y.tolist(),
                   "losses": losses, "final": state, "eval_logits": logits.flatten().tolist()}, f)
    write_safetensors(os.path.join(here, "transformer_sgd.safetensors"), model.state_dict())
    write_safetensors(os.path.join(here, "transformer_data.safetensors"), {"tokens": x, "target": y})


def write_safetensors(path, tensors):
    """The safetensors format (an 8-byte little-endian header length, a JSON header, the raw little-endian data),
    written by hand: Debian's PyTorch comes without the safetensors package."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for b in blobs:
            f.write(b)


if __name__ == "__main__":
    main()
    transformer()

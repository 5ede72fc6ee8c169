"""Writes init/transformer_bias_free.json: TransformerEncoderLayer(bias=False) (PyTorch 2.1's argument) as Debian's
PyTorch 1.13, which lacks it, can compute it: the layers built with biases, every bias then zeroed, so the forward and
backward are those of the bias-free layers. The weights come from the file (the initialisation is not compared);
dropout 0, so nothing is drawn. A training forward and backward of sum(output * upstream), and an evaluation forward.

    /usr/bin/python3 gen_bias_free.py
"""
import json, os, torch

SPEC = {
    "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 5, 8]}],
    "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 5, 8]}],
    "layers": [
        {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 12, "dropout": 0.0,
         "batch_first": True, "bias": False},
        {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 4, "dim_feedforward": 16, "dropout": 0.0,
         "activation": "gelu", "batch_first": True, "norm_first": True, "bias": False},
    ],
    "seed": 97,
}


def t(v):
    return {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
            "data": v.detach().flatten().tolist()}


def main():
    torch.manual_seed(SPEC["seed"])
    layers = []
    for l in SPEC["layers"]:
        args = {k: v for k, v in l.items() if k not in ("type", "bias")}
        layers.append(torch.nn.TransformerEncoderLayer(**args))
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    g = torch.Generator().manual_seed(4321)
    x = torch.randn(3, 5, 8, generator=g)
    model.train()
    out = model(x)
    upstream = torch.randn(out.shape, generator=g)
    (out * upstream).sum().backward()
    weights = {k: t(v) for k, v in model.state_dict().items() if not k.endswith("bias")}
    grads = {k: t(p.grad) for k, p in model.named_parameters() if not k.endswith("bias")}
    model.eval()
    with torch.no_grad():
        eval_out = model(x)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "transformer_bias_free.json"), "w") as f:
        json.dump({"spec": SPEC, "weights": weights, "input": t(x), "train_output": t(out), "upstream": t(upstream),
                   "grads": grads, "eval_output": t(eval_out)}, f)


if __name__ == "__main__":
    main()

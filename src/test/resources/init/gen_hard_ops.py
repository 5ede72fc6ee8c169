"""Writes init/hard_ops.json: hardtanh, relu6, hardsigmoid, hardswish, selu, celu, logsigmoid, softsign, tanhshrink,
threshold, hardshrink and softshrink (PyTorch 1.13, CPU, float32) on inputs that
sit on their kinks and beside them, with NaN, and the input gradient of sum(output * upstream), where PyTorch's
gradients pick a side at each kink. 32 elements, a multiple of 16, so that every one goes through PyTorch's
vectorised loop (two AVX2 vectors at a time): its scalar loop, which runs the last n % 16 elements of a tensor, picks
other sides at NaN (hardtanh, hardswish) and at 3 (hardswish).

    /usr/bin/python3 gen_hard_ops.py
"""
import json, math, os, torch
import torch.nn.functional as F

X = [-3.0, 3.0, 0.0, 6.0, -1.0, 1.0, -0.5, 0.25, -4.0, 4.0, 7.0, -2.9999998, 2.9999998, 5.9999995, 0.5, -0.75,
     float("nan"), 1e-8, -1e-8, 2.0, -6.0, 5.0, -0.25, 3.5, 0.1, -0.1, 2.5, -2.5, 1.5, -1.5, 0.75, -5.0]
OPS = {
    "hardtanh": lambda x: F.hardtanh(x),
    "hardtanh_-0.5_0.25": lambda x: F.hardtanh(x, -0.5, 0.25),
    "relu6": lambda x: F.relu6(x),
    "hardsigmoid": lambda x: F.hardsigmoid(x),
    "hardswish": lambda x: F.hardswish(x),
    "selu": lambda x: F.selu(x),
    "celu_0.7": lambda x: F.celu(x, 0.7),
    "logsigmoid": lambda x: F.logsigmoid(x),
    "softsign": lambda x: F.softsign(x),
    "tanhshrink": lambda x: F.tanhshrink(x),
    "threshold_0.5_-0.75": lambda x: F.threshold(x, 0.5, -0.75),
    "hardshrink": lambda x: F.hardshrink(x),
    "softshrink_0.25": lambda x: F.softshrink(x, 0.25),
}


def t(v):
    return [None if math.isnan(a) else a for a in v.detach().flatten().tolist()]


def main():
    g = torch.Generator().manual_seed(5)
    upstream = torch.randn(len(X), generator=g)
    out = {"input": t(torch.tensor(X)), "upstream": t(upstream), "ops": {}}
    for name, f in OPS.items():
        x = torch.tensor(X, requires_grad=True)
        y = f(x)
        (y * upstream).sum().backward()
        out["ops"][name] = {"output": t(y), "grad": t(x.grad)}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hard_ops.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()

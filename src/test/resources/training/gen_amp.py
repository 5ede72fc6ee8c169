"""Writes training/amp_*.json: mixed-precision training runs computed with PyTorch 1.13 on the CPU, as references for
Nabla's autocast and GradScaler (io.nabla.autograd.Autocast, io.nabla.optim.GradScaler, Trainer.mixedPrecision).

    /usr/bin/python3 gen_amp.py

PyTorch 1.13 on the CPU has no FP16 matrix products and its CPU autocast follows other op lists than CUDA's, so
the runs spell out what CUDA autocast does, op by op, with explicit casts:

- Linear casts its input, weight and bias to the low-precision dtype (FP16 or BF16) and returns that dtype;
  its value, and the gradients of its inputs, are computed in float64 from the low-precision operands and rounded
  once (through float32, as Nabla's reference backend does); cuBLAS computes them in float32 and rounds once.
- ReLU, Tanh and GELU on a low-precision tensor compute in float64 and round to that dtype, forward and backward.
- LayerNorm and the losses cast their inputs to float32; BatchNorm computes in float32 and returns its input's dtype.
- The loss is multiplied by the scale of a GradScaler written out below (PyTorch's amp update rule:
  torch._amp_update_scale_), gradients are multiplied by 1/scale in float32, a step whose gradients hold an inf or
  NaN is skipped, and the scale backs off or grows.

Parameters, gradients and optimizer state stay float32, as under torch.autocast. Each run records its losses,
scales, skipped steps and final state dict.
"""
import json, math, os, sys, torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "init"))
from gen_init import build  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def rnd(x64, dtype):
    """float64 -> float32 -> dtype, round to nearest even each time (Nabla's reference backend)."""
    return x64.float().to(dtype)


class LinearLow(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        y = x.double() @ w.double().t()
        if b is not None:
            y = y + b.double()
        return rnd(y, x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gd = g.double()
        gx = rnd(gd @ w.double(), x.dtype)
        gw = rnd(gd.t() @ x.double(), x.dtype)
        gb = rnd(gd.sum(0), x.dtype) if ctx.has_bias else None
        return gx, gw, gb


def _phi(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


class Unary(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, kind):
        xd = x.double()
        if kind == "relu":
            y = torch.clamp(xd, min=0)
        elif kind == "tanh":
            y = torch.tanh(xd)
        elif kind == "gelu":
            y = xd * _phi(xd)
        else:
            raise ValueError(kind)
        y = rnd(y, x.dtype)
        ctx.kind = kind
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gd, xd = g.double(), x.double()
        if ctx.kind == "relu":
            d = gd * (xd > 0)
        elif ctx.kind == "tanh":
            d = gd * (1 - y.double() ** 2)
        else:
            d = gd * (_phi(xd) + xd * torch.exp(-0.5 * xd * xd) / math.sqrt(2 * math.pi))
        return rnd(d, x.dtype), None


def low(x):
    return x.dtype in (torch.float16, torch.bfloat16)


def forward(model, x, dtype):
    for m in model:
        if isinstance(m, torch.nn.Linear):
            x = LinearLow.apply(x.to(dtype), m.weight.to(dtype), None if m.bias is None else m.bias.to(dtype))
        elif isinstance(m, torch.nn.ReLU):
            x = Unary.apply(x, "relu") if low(x) else torch.relu(x)
        elif isinstance(m, torch.nn.Tanh):
            x = Unary.apply(x, "tanh") if low(x) else torch.tanh(x)
        elif isinstance(m, torch.nn.GELU):
            x = Unary.apply(x, "gelu") if low(x) else F.gelu(x)
        elif isinstance(m, torch.nn.LayerNorm):
            x = m(x.float())
        elif isinstance(m, torch.nn.BatchNorm1d):
            x = m(x.float()).to(x.dtype)
        else:
            raise ValueError(m)
    return x


class Scaler:
    """GradScaler's arithmetic (torch/cuda/amp/grad_scaler.py, aten _amp_update_scale_)."""

    def __init__(self, init_scale, growth_factor, backoff_factor, growth_interval):
        self.scale = torch.tensor(init_scale, dtype=torch.float32)
        self.growth, self.backoff, self.interval = growth_factor, backoff_factor, growth_interval
        self.tracker = 0

    def unscale_found_inf(self, params):
        inv = self.scale.double().reciprocal().float()
        found = False
        for p in params:
            if p.grad is not None:
                found |= not bool(torch.isfinite(p.grad).all())
                p.grad.mul_(inv)
        return found

    def update(self, found):
        if found:
            self.scale = self.scale * self.backoff
            self.tracker = 0
        else:
            self.tracker += 1
            if self.tracker == self.interval:
                grown = self.scale * self.growth
                if torch.isfinite(grown):
                    self.scale = grown
                self.tracker = 0


RUNS = {
    # the mlp of ../shared/golden/models/mlp_sgd in BF16, its optimizer
    "amp_bf16_mlp": {
        "spec": {
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 20]}],
            "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
            "layers": [
                {"type": "Linear", "in_features": 20, "out_features": 32}, {"type": "ReLU"},
                {"type": "Linear", "in_features": 32, "out_features": 16}, {"type": "Tanh"},
                {"type": "Linear", "in_features": 16, "out_features": 3},
            ],
            "seed": 0,
        },
        "precision": "bf16", "loss": "cross_entropy", "rows": 96, "epochs": 2, "batch_size": 16,
        "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001},
        "scaler": [65536.0, 2.0, 0.5, 2000],
    },
    # the run of ../shared/golden/models/mlp_sgd (its spec, initial weights, data and config) in FP16: what a job
    # with "precision": "fp16" on that model must give (JobsIT)
    "amp_fp16_mlp_sgd_job": {
        "spec": json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "models",
                                            "mlp_sgd", "spec.json"))),
        "golden": "mlp_sgd", "precision": "fp16", "loss": "cross_entropy", "rows": 96, "epochs": 2,
        "batch_size": 16,
        "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001},
        "scaler": [65536.0, 2.0, 0.5, 2000],
    },
    # FP16 with normalisation layers and GELU, SGD (Adam would magnify the last-bit differences of FP32 batch and
    # layer norm in the parameters with near-zero gradients)
    "amp_fp16_norms": {
        "spec": {
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 12]}],
            "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 4]}],
            "layers": [
                {"type": "Linear", "in_features": 12, "out_features": 24}, {"type": "BatchNorm1d", "num_features": 24},
                {"type": "GELU"}, {"type": "Linear", "in_features": 24, "out_features": 16},
                {"type": "LayerNorm", "normalized_shape": 16}, {"type": "Linear", "in_features": 16, "out_features": 4},
            ],
            "seed": 5,
        },
        "precision": "fp16", "loss": "cross_entropy", "rows": 64, "epochs": 3, "batch_size": 16,
        "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
        "scaler": [65536.0, 2.0, 0.5, 2000],
    },
    # FP16 whose scaled gradients overflow: MSE against targets near 1000; the first steps are skipped while the
    # scale backs off, and a growth interval of 3 makes it grow again
    "amp_fp16_overflow": {
        "spec": {
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 8]}],
            "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 2]}],
            "layers": [
                {"type": "Linear", "in_features": 8, "out_features": 16}, {"type": "Tanh"},
                {"type": "Linear", "in_features": 16, "out_features": 2},
            ],
            "seed": 3,
        },
        "precision": "fp16", "loss": "mse", "rows": 48, "epochs": 4, "batch_size": 12, "target_scale": 1000.0,
        "optimizer": {"type": "adam", "lr": 0.05},
        "scaler": [65536.0, 2.0, 0.5, 3],
    },
}


def read_safetensors(path):
    """A safetensors file's tensors (F32 and I64 are all these files hold)."""
    import struct
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        dtype = {"F32": torch.float32, "I64": torch.int64}[v["dtype"]]
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=dtype).reshape(v["shape"])
    return out


def optimizer(cfg, params):
    o = dict(cfg)
    kind = o.pop("type")
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind](params, **o)


def run(name, cfg):
    spec = cfg["spec"]
    torch.manual_seed(spec["seed"])
    model = build(spec)
    if "golden" in cfg:
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "models", cfg["golden"])
        data = read_safetensors(os.path.join(d, "data.safetensors"))
        x, y = data["input"], data["target"]
        model.load_state_dict(read_safetensors(os.path.join(d, "initial.safetensors")))
    else:
        g = torch.Generator().manual_seed(1234)
        n_in = spec["layers"][0]["in_features"]
        n_out = spec["layers"][-1]["out_features"]
        x = torch.randn(cfg["rows"], n_in, generator=g)
        if cfg["loss"] == "cross_entropy":
            y = torch.randint(0, n_out, (cfg["rows"],), generator=g)
        else:
            y = cfg["target_scale"] * (1 + torch.rand(cfg["rows"], n_out, generator=g))
    model.train()
    dtype = DTYPES[cfg["precision"]]
    opt = optimizer(cfg["optimizer"], model.parameters())
    scaler = Scaler(*cfg["scaler"])
    losses, scales, skipped = [], [], []
    bs = cfg["batch_size"]
    for _ in range(cfg["epochs"]):
        for i in range(0, cfg["rows"], bs):
            xb, yb = x[i:i + bs], y[i:i + bs]
            opt.zero_grad(set_to_none=True)
            out = forward(model, xb, dtype)
            if cfg["loss"] == "cross_entropy":
                loss = F.cross_entropy(out.float(), yb)
            else:
                loss = F.mse_loss(out.float(), yb)
            scales.append(scaler.scale.item())
            (loss * scaler.scale).backward()
            found = scaler.unscale_found_inf(model.parameters())
            if not found:
                opt.step()
            skipped.append(found)
            scaler.update(found)
            losses.append(loss.item())
    state = {k: {"shape": list(v.shape), "data": v.flatten().tolist() if v.dim() else [v.item()]}
             for k, v in model.state_dict().items()}
    out = {"spec": spec, "config": {k: v for k, v in cfg.items() if k != "spec"},
           "input": x.flatten().tolist(), "target": y.flatten().tolist(), "losses": losses, "scales": scales,
           "skipped": skipped, "final_scale": scaler.scale.item(), "final_growth_tracker": scaler.tracker,
           "final": state}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, name + ".json"), "w") as f:
        json.dump(out, f)
    print(name, "losses", [round(v, 5) for v in losses], "skipped", sum(skipped))


if __name__ == "__main__":
    for name, cfg in RUNS.items():
        run(name, cfg)

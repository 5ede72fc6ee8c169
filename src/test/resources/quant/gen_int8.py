"""Writes quant/int8_linear.json: INT8 dynamic quantization of nn.Linear computed with PyTorch 1.13 on the CPU, the
reference for io.nabla.backend.Int8, io.nabla.nn.QuantizedLinear and the "int8" precision of model specs.

    /usr/bin/python3 gen_int8.py

What PyTorch computes itself, and Nabla must reproduce bit for bit:
- the weight's scales: torch.ao.quantization.PerChannelMinMaxObserver(qint8, per_channel_symmetric), the observer of
  per_channel_dynamic_qconfig, and its INT8 values: torch.quantize_per_channel(...).int_repr();
- each input row's UINT8 values given its scale and zero point: torch.quantize_per_tensor(row, scale, zp,
  quint8).int_repr().

Nabla quantizes activations per row, not per tensor as PyTorch's dynamic Linear does (a row's answer must not
depend on the requests batched with it), with the scale and zero point written out below (Int8's formulas). The
output is the exact integer sum dequantized in float64 and rounded once to float32: y = acc * (sx * sw) + b.
For scale, each case also records the FP32 output and PyTorch's own quantize_dynamic output (per tensor, onednn).
"""
import json, os
import numpy as np
import torch

torch.manual_seed(7)
np.random.seed(7)
F32 = np.float32


def row_qparams(row):
    lo = F32(min(float(row.min()), 0.0))
    hi = F32(max(float(row.max()), 0.0))
    s = F32((np.float64(hi) - np.float64(lo)) / 255.0)
    if s == 0 or np.isinf(F32(1) / s):
        s = F32(0.1)
    zp = int(np.clip(np.rint(-np.float64(lo) / np.float64(s)), 0, 255))
    return s, zp


def case(name, x, lin):
    w = lin.weight.detach()
    obs = torch.ao.quantization.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
                                                         qscheme=torch.per_channel_symmetric)
    obs(w)
    ws, wzp = obs.calculate_qparams()
    assert int(wzp.abs().max()) == 0
    qw = torch.quantize_per_channel(w, ws, wzp, 0, torch.qint8).int_repr().numpy().astype(np.int64)
    xs, xz, qx = [], [], []
    for r in x:
        s, zp = row_qparams(r.numpy())
        xs.append(float(s))
        xz.append(zp)
        qx.append(torch.quantize_per_tensor(r, float(s), zp, torch.quint8).int_repr().numpy().astype(np.int64))
    qx = np.stack(qx)
    acc = (qx - np.array(xz)[:, None]) @ qw.T  # exact in int64
    y = acc.astype(np.float64) * (np.array(xs, dtype=np.float32).astype(np.float64)[:, None]
                                  * ws.numpy().astype(np.float64)[None, :])
    if lin.bias is not None:
        y = y + lin.bias.detach().numpy().astype(np.float64)[None, :]
    y = y.astype(np.float32)
    dyn = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(lin), {torch.nn.Linear}, dtype=torch.qint8)
    with torch.no_grad():
        fp32 = lin(x).numpy()
        torch_dynamic = dyn(x).numpy()
    return {
        "name": name, "in_features": lin.in_features, "out_features": lin.out_features,
        "bias": lin.bias is not None, "x": x.numpy().ravel().tolist(), "rows": x.shape[0],
        "weight": w.numpy().ravel().tolist(),
        "bias_values": lin.bias.detach().numpy().tolist() if lin.bias is not None else None,
        "weight_scale": ws.numpy().astype(np.float32).tolist(), "weight_q": qw.ravel().tolist(),
        "row_scale": xs, "row_zero_point": xz, "row_q": qx.ravel().tolist(),
        "y": y.ravel().tolist(), "fp32": fp32.ravel().tolist(), "torch_dynamic": torch_dynamic.ravel().tolist(),
    }


cases = []
# small, odd sizes: a zero weight row, a tiny one (scale clamped to FLT_EPSILON), rows of x all zero, all positive,
# all negative, and one with values that quantize to exact halves
lin = torch.nn.Linear(37, 29)
with torch.no_grad():
    lin.weight[3] = 0
    lin.weight[5] *= 1e-6
x = torch.randn(6, 37) * 2
x[1] = 0
x[2] = x[2].abs() + 0.5
x[3] = -x[3].abs() - 0.25
x[4] = torch.arange(37, dtype=torch.float32) / 4 - 3
cases.append(case("odd_sizes", x, lin))
# the vector path's sizes with tails: k = 18 * 16 + 12, rows not a multiple of 4, an odd number of outputs
lin = torch.nn.Linear(300, 65)
cases.append(case("k300", torch.randn(9, 300), lin))
# no bias, wide inputs with outliers
lin = torch.nn.Linear(1024, 24, bias=False)
x = torch.randn(4, 1024)
x[0, 17] = 40
cases.append(case("k1024_no_bias", x, lin))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "int8_linear.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
for c in cases:
    y, fp, dyn = (np.array(c[k]) for k in ("y", "fp32", "torch_dynamic"))
    print(c["name"], "max |int8 - fp32|", abs(y - fp).max(), "torch dynamic:", abs(dyn - fp).max())

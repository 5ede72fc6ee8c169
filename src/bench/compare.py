#!/usr/bin/env python3
"""Pairs Nabla's RESULT lines with PyTorch's from the same run and prints a Markdown table with ratios.

With several rounds (ROUNDS=n src/bench/cpu-bench.sh: the files hold n RESULT lines per benchmark, in the order
PyTorch and Nabla alternated), each side's figure is the median of its rounds, the ratio is that of the medians,
and the last column lists the ratio of each round's pair.
"""
import re, statistics, sys, pathlib

def parse(path):
    rows = []
    if not path.exists():
        return rows
    for line in path.read_text().splitlines():
        if line.startswith("RESULT "):
            rows.append(dict(kv.split("=", 1) for kv in line[7:].split() if "=" in kv))
    return rows

def grouped(rows, key, value, keep=lambda r: True):
    """{key: [value of round 1, round 2, ...]} in file order."""
    g = {}
    for r in rows:
        if keep(r):
            g.setdefault(key(r), []).append(float(r[value]))
    return g

d = pathlib.Path(sys.argv[1])
rounds = 1
lines = []

def row(name, nabla, torch, higher_is_better):
    """One table row: medians, their ratio (Nabla's speed over PyTorch's), and each round's ratio."""
    global rounds
    pairs = list(zip(nabla, torch))
    rounds = max(rounds, len(pairs))
    ratio = (lambda n, t: n / t) if higher_is_better else (lambda n, t: t / n)
    mn, mt = statistics.median(nabla), statistics.median(torch)
    per = " / ".join(f"{ratio(n, t):.2f}" for n, t in pairs)
    lines.append((name, mn, mt, ratio(mn, mt), per))

label = {"nabla": "sgemm kernel", "nabla.matmul": "matmul op"}
t = grouped(parse(d / "torch-gemm.txt"), lambda r: r["n"], "median")
n = grouped(parse(d / "nabla-gemm.txt"), lambda r: (r.get("impl"), r["n"]), "median",
            lambda r: r.get("impl") in label)
for (impl, size), v in n.items():
    if size in t:
        row(f"{label[impl]} n={size} (GFLOP/s)", v, t[size], True)
for kind in ("ops", "act"):
    t = grouped(parse(d / f"torch-{kind}.txt"), lambda r: r["op"], "median_ms")
    for op, v in grouped(parse(d / f"nabla-{kind}.txt"), lambda r: r["op"], "median_ms").items():
        if op in t:
            row(f"{op} 16M fp32 (ms)", v, t[op], False)
for kind, what in (("mlp", ""), ("amp", " bf16 autocast")):
    t = grouped(parse(d / f"torch-{kind}.txt"), lambda r: (r["model"], r["opt"]), "median_ms")
    nabla_mlp = parse(d / f"nabla-{kind}.txt")
    desc = {(r["model"], r["opt"]): f"MLP {r.get('dims', r['model'])} batch {r.get('batch', '?')} {r['opt']}{what}"
            for r in nabla_mlp}
    for k, v in grouped(nabla_mlp, lambda r: (r["model"], r["opt"]), "median_ms").items():
        if k in t:
            row(f"{desc[k]} step (ms)", v, t[k], False)

# INT8: PyTorch's figure of each round is that of its faster quantized engine there
torch_int8 = parse(d / "torch-int8.txt")
nabla_int8 = parse(d / "nabla-int8.txt")
shape = lambda r: (r["op"], r["m"], r["k"], r["n"])
per_engine = grouped(torch_int8, lambda r: shape(r) + (r.get("engine", ""),), "median_ms")
best = {}
for key, v in per_engine.items():
    cur = best.setdefault(key[:4], list(v))
    best[key[:4]] = [min(a, b) for a, b in zip(cur, v)]
for key, v in grouped(nabla_int8, shape, "median_ms").items():
    if key in best:
        op, m, k, n = key
        what = "INT8 dynamic Linear" if op == "int8_linear" else "FP32 Linear"
        row(f"{what} m={m} k={k} n={n} (ms)", v, best[key], False)

def best_of_configs(kind):
    """PyTorch's figure of each round for each (op, batch): that of its faster thread configuration in that round."""
    per_config = grouped(parse(d / f"torch-{kind}.txt"), lambda r: step(r) + (r.get("config", ""),), "median_ms")
    best = {}
    for key, v in per_config.items():
        cur = best.setdefault(key[:2], list(v))
        best[key[:2]] = [min(a, b) for a, b in zip(cur, v)]
    return best


step = lambda r: (r["op"], r["batch"])

# the transformer encoder
best_tf = best_of_configs("transformer")
for key, v in grouped(parse(d / "nabla-transformer.txt"), step, "median_ms").items():
    if key in best_tf:
        op, batch = key
        what = "forward (eval, no grad)" if op == "encoder_forward" else "training step (AdamW)"
        row(f"TransformerEncoder 2x256 seq 64 batch {batch} {what} (ms)", v, best_tf[key], False)

# the recurrent layers
best_rnn = best_of_configs("rnn")
for key, v in grouped(parse(d / "nabla-rnn.txt"), step, "median_ms").items():
    if key in best_rnn:
        op, batch = key
        cell, kind = op.split("_", 1)
        what = "forward (eval, no grad)" if kind == "forward" else "training step (Adam)"
        row(f"{cell.upper()} 2x256 seq 32 batch {batch} {what} (ms)", v, best_rnn[key], False)

if rounds == 1:
    out = ["| benchmark | Nabla | PyTorch | ratio (Nabla / PyTorch speed) |", "|---|---:|---:|---:|"]
    out += [f"| {name} | {mn:.2f} | {mt:.2f} | {r:.2f}x |" if "GFLOP" not in name else
            f"| {name} | {mn:.1f} | {mt:.1f} | {r:.2f}x |" for name, mn, mt, r, _ in lines]
else:
    out = [f"| benchmark | Nabla (median of {rounds}) | PyTorch (median of {rounds}) | ratio of the medians "
           f"| ratio per round |", "|---|---:|---:|---:|---|"]
    out += [f"| {name} | {mn:.2f} | {mt:.2f} | {r:.2f}x | {per} |" for name, mn, mt, r, per in lines]
print("\n".join(out))

#!/usr/bin/env python3
"""Pairs Nabla's RESULT lines with PyTorch's from the same run and prints a Markdown table with ratios."""
import re, sys, pathlib

def parse(path):
    rows = []
    if not path.exists():
        return rows
    for line in path.read_text().splitlines():
        if line.startswith("RESULT "):
            rows.append(dict(kv.split("=", 1) for kv in line[7:].split() if "=" in kv))
    return rows

d = pathlib.Path(sys.argv[1])
out = ["| benchmark | Nabla | PyTorch | ratio (Nabla / PyTorch speed) |", "|---|---:|---:|---:|"]
t = {r["n"]: float(r["median"]) for r in parse(d / "torch-gemm.txt")}
label = {"nabla": "sgemm kernel", "nabla.matmul": "matmul op"}
for r in parse(d / "nabla-gemm.txt"):
    if r["n"] in t and r.get("impl") in label:
        g = float(r["median"])
        out.append(f"| {label[r['impl']]} n={r['n']} (GFLOP/s) | {g:.1f} | {t[r['n']]:.1f} | {g / t[r['n']]:.2f}x |")
t = {r["op"]: float(r["median_ms"]) for r in parse(d / "torch-ops.txt")}
for r in parse(d / "nabla-ops.txt"):
    if r["op"] in t:
        ms = float(r["median_ms"])
        out.append(f"| {r['op']} 16M fp32 (ms) | {ms:.2f} | {t[r['op']]:.2f} | {t[r['op']] / ms:.2f}x |")
t = {(r["model"], r["opt"]): float(r["median_ms"]) for r in parse(d / "torch-mlp.txt")}
for r in parse(d / "nabla-mlp.txt"):
    k = (r["model"], r["opt"])
    if k in t:
        ms = float(r["median_ms"])
        out.append(f"| MLP {r.get('dims', r['model'])} batch {r.get('batch', '?')} {r['opt']} step (ms) | {ms:.2f} | {t[k]:.2f} | {t[k] / ms:.2f}x |")
print("\n".join(out))

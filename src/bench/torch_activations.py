#!/usr/bin/python3
"""Activation anchor with PyTorch CPU on 16M-element fp32 tensors: Nabla's own addition to ../shared/bench (whose
torch_ops.py has no activations but relu), in the same form: the median milliseconds of 15 samples after warm-up.

Run through src/bench/cpu-bench.sh act (or /usr/bin/python3 src/bench/torch_activations.py --threads 2).
Forward ops allocate their result, as Nabla's do; the gradients are aten's silu_backward and gelu_backward (exact
and approximate="tanh"), the kernels autograd calls, also allocating.
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--n", type=int, default=16 * 1024 * 1024)
ap.add_argument("--samples", type=int, default=15)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
n = args.n
x, g = torch.randn(n), torch.randn(n)
ops = {
    "sigmoid": lambda: torch.sigmoid(x),
    "tanh": lambda: torch.tanh(x),
    "silu": lambda: F.silu(x),
    "gelu": lambda: F.gelu(x),
    "gelu_tanh": lambda: F.gelu(x, approximate="tanh"),
    "silu_backward": lambda: torch.ops.aten.silu_backward(g, x),
    "gelu_backward": lambda: torch.ops.aten.gelu_backward(g, x),
    "gelu_tanh_backward": lambda: torch.ops.aten.gelu_backward(g, x, approximate="tanh"),
}
print(f"torch {torch.__version__} threads={torch.get_num_threads()} n={n}")
for name, fn in ops.items():
    for _ in range(3):
        fn()
    times = []
    for _ in range(args.samples):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    print(f"RESULT op={name} n={n} median_ms={statistics.median(times) * 1e3:.3f}")

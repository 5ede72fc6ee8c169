#!/usr/bin/python3
"""INT8 dynamic quantization anchor with PyTorch CPU: nn.Linear after torch.ao.quantization.quantize_dynamic
(per_channel_dynamic_qconfig: INT8 weights per output row, as Nabla's; inputs quantized per tensor, Nabla's per
row), on every quantized engine this PyTorch has (onednn, qnnpack here: Debian's build has no fbgemm), next to the
FP32 nn.Linear. The median milliseconds of a forward pass (no grad) over --samples samples after warm-up, for each
shape (batch m, in_features k, out_features n). Nabla's own addition to ../shared/bench, which has no quantization.

Run through src/bench/cpu-bench.sh int8 (or OPENBLAS_NUM_THREADS=2 /usr/bin/python3 src/bench/torch_int8_linear.py).
Threads as ../shared/bench/anchor.sh sets them for each kind of work: FP32 products through OpenBLAS's two threads
with torch's own pool at one; the quantized kernels run in torch's pool, so it gets two threads for them.
"""
import argparse, os, statistics, time
os.environ.setdefault("GLOG_minloglevel", "2")  # qnnpack warns at every call that it ignores reduce_range
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--samples", type=int, default=21)
args = ap.parse_args()
SHAPES = [(1, 4096, 4096), (16, 4096, 4096), (128, 1024, 1024), (256, 4096, 1024)]
torch.manual_seed(0)
print(f"torch {torch.__version__} threads={args.threads} engines={torch.backends.quantized.supported_engines}")


def median_ms(fn, samples):
    for _ in range(5):
        fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


with torch.no_grad():
    for m, k, n in SHAPES:
        lin = torch.nn.Linear(k, n)
        x = torch.randn(m, k)
        torch.set_num_threads(1)
        print(f"RESULT op=fp32_linear m={m} k={k} n={n} median_ms={median_ms(lambda: lin(x), args.samples):.3f}")
        torch.set_num_threads(args.threads)
        for engine in torch.backends.quantized.supported_engines:
            if engine == "none":
                continue
            torch.backends.quantized.engine = engine
            q = torch.ao.quantization.quantize_dynamic(
                torch.nn.Sequential(lin), {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig})
            ms = median_ms(lambda: q(x), args.samples)
            print(f"RESULT op=int8_linear engine={engine} m={m} k={k} n={n} median_ms={ms:.3f}")

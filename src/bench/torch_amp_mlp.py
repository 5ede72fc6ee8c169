#!/usr/bin/python3
"""Mixed-precision anchor for MlpBench's bf16 run: ../shared/bench/torch_mlp.py's models, batches and optimizers,
one step = zero_grad + forward and cross_entropy under torch.autocast("cpu", dtype=torch.bfloat16) + backward +
optimizer.step, parameters in fp32 (PyTorch 1.13 on the CPU has autocast for bfloat16 only, and no GradScaler:
bf16 needs none, so the anchor has none; Nabla's bf16 jobs scale the loss anyway, which costs one pass over the
gradients). Prints RESULT lines in torch_mlp.py's format with precision=bf16.

    /usr/bin/python3 src/bench/torch_amp_mlp.py --threads 2 [--models small wide] [--opts sgd adam]
"""
import argparse, os, statistics, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
sys.path.insert(0, os.environ.get("NABLA_SHARED_BENCH", ""))
from torch_mlp import CONFIGS, make_mlp  # noqa: E402


def bench(name, opt_name, steps, warmup, budget_s):
    cfg = CONFIGS[name]
    dims, batch = cfg["dims"], cfg["batch"]
    torch.manual_seed(0)
    model = make_mlp(dims)
    if opt_name == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, dims[0])
    y = torch.randint(0, dims[-1], (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    t0 = time.perf_counter()
    done = 0
    while done < warmup and (done < 3 or time.perf_counter() - t0 < 10.0):
        step()
        done += 1
    per = (time.perf_counter() - t0) / done
    steps = max(15, min(steps, int(budget_s / per)))
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    med = statistics.median(times)
    p10, p90 = times[len(times) // 10], times[(len(times) * 9) // 10]
    macs = sum(dims[i] * dims[i + 1] for i in range(len(dims) - 1))
    flop = 2.0 * batch * (3 * macs - dims[0] * dims[1])
    print(f"RESULT model={name} dims={'-'.join(map(str, dims))} batch={batch} opt={opt_name} precision=bf16 "
          f"threads={torch.get_num_threads()} median_ms={med*1e3:.3f} p10_ms={p10*1e3:.3f} "
          f"p90_ms={p90*1e3:.3f} steps_per_s={1/med:.1f} GFLOP/s={flop/med/1e9:.2f} steps={steps}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", nargs="*", default=["small", "wide"])
    ap.add_argument("--opts", nargs="*", default=["sgd", "adam"])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--budget-s", type=float, default=30.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}", flush=True)
    for m in a.models:
        for o in a.opts:
            bench(m, o, a.steps, a.warmup, a.budget_s)

#!/usr/bin/python3
"""Recurrent-layer anchor with PyTorch CPU: nn.LSTM and nn.GRU (2 layers, input 128, hidden 256, batch_first) over
FP32 input (batch, 32 steps, 128): an evaluation forward pass without grad at batch 1 and 16, and a training step
(loss = mean(y^2) of the output sequence, backward, Adam) at batch 16. Median milliseconds of --samples samples
after warm-up. Nabla's own addition to ../shared/bench, which has no recurrent layers.

Run through src/bench/cpu-bench.sh rnn, which runs it in both of PyTorch's thread configurations on two cores
(OpenBLAS 2 + torch 1, and OpenBLAS 1 + torch 2; --config names the one in force) and keeps the faster of each round.
"""
import argparse, statistics, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--samples", type=int, default=21)
ap.add_argument("--config", default="")
args = ap.parse_args()
torch.set_num_threads(args.threads)
IN, HIDDEN, LAYERS, SEQ = 128, 256, 2, 32
print(f"torch {torch.__version__} threads={args.threads} config={args.config}")


def median_ms(fn, samples, warmup=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


g = torch.Generator().manual_seed(1)
for cell in ("LSTM", "GRU"):
    torch.manual_seed(0)
    model = getattr(torch.nn, cell)(IN, HIDDEN, LAYERS, batch_first=True).eval()
    with torch.no_grad():
        for batch in (1, 16):
            x = torch.randn(batch, SEQ, IN, generator=g)
            ms = median_ms(lambda: model(x), args.samples)
            print(f"RESULT op={cell.lower()}_forward batch={batch} config={args.config} median_ms={ms:.3f}")
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(16, SEQ, IN, generator=g)

    def step():
        opt.zero_grad()
        loss = model(x)[0].pow(2).mean()
        loss.backward()
        opt.step()

    ms = median_ms(step, args.samples)
    print(f"RESULT op={cell.lower()}_train_step batch=16 config={args.config} median_ms={ms:.3f}")

#!/usr/bin/python3
"""Transformer encoder anchor with PyTorch CPU: nn.TransformerEncoder (2 layers, d_model 256, 4 heads, feed-forward
1024, batch_first, GELU) over FP32 input (batch, 64 positions, 256): an evaluation forward pass without grad at batch
1 and 16 (PyTorch 1.13 takes its fused fast path, torch._transformer_encoder_layer_fwd, here), and a training step
(dropout 0.1, loss = mean(y^2), backward, AdamW) at batch 16. Median milliseconds of --samples samples after
warm-up. Nabla's own addition to ../shared/bench, which has no transformer.

Run through src/bench/cpu-bench.sh transformer, which runs it in both of PyTorch's thread configurations on two cores
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
D, HEADS, FF, LAYERS, SEQ = 256, 4, 1024, 2, 64
print(f"torch {torch.__version__} threads={args.threads} config={args.config}")


def median_ms(fn, samples, warmup=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def encoder():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, activation="gelu", batch_first=True)
    return torch.nn.TransformerEncoder(layer, LAYERS)


g = torch.Generator().manual_seed(1)
model = encoder().eval()
with torch.no_grad():
    for batch in (1, 16):
        x = torch.randn(batch, SEQ, D, generator=g)
        ms = median_ms(lambda: model(x), args.samples)
        print(f"RESULT op=encoder_forward batch={batch} config={args.config} median_ms={ms:.3f}")

model = encoder().train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
x = torch.randn(16, SEQ, D, generator=g)


def step():
    opt.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()


ms = median_ms(step, args.samples)
print(f"RESULT op=encoder_train_step batch=16 config={args.config} median_ms={ms:.3f}")

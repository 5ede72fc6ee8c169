#!/usr/bin/python3
"""The PyTorch twin of io.nabla.examples.FashionMnist: same CNN, Adam lr 1e-3, batch 64, shuffled, 2 epochs.

Run through src/examples/fashion-mnist.sh (sets PyTorch's best 2-core threading, as ../shared/bench/anchor.sh does).
"""
import gzip, struct, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

d = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)


def images(path):
    with gzip.open(path) as f:
        _, n, r, c = struct.unpack(">IIII", f.read(16))
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint8).astype(np.float32) / 255).view(n, 1, r, c)


def labels(path):
    with gzip.open(path) as f:
        _, n = struct.unpack(">II", f.read(8))
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64))


tx, ty = images(f"{d}/train-images-idx3-ubyte.gz"), labels(f"{d}/train-labels-idx1-ubyte.gz")
vx, vy = images(f"{d}/t10k-images-idx3-ubyte.gz"), labels(f"{d}/t10k-labels-idx1-ubyte.gz")
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(1568, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tx, ty), batch_size=64, shuffle=True)
t0 = time.perf_counter()
steps = 0
for _ in range(epochs):
    for x, y in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        steps += 1
train_s = time.perf_counter() - t0
model.eval()
with torch.no_grad():
    acc = (model(vx).argmax(1) == vy).float().mean().item()
print(f"RESULT impl=torch epochs={epochs} steps={steps} final_loss={loss.item():.4f} test_accuracy={acc:.4f} "
      f"train_s={train_s:.1f}")

"""PyTorch side of the GPU benchmark (see gpu-run.sh): the same figures as io.nabla.bench.GpuBench, same format."""
import statistics
import time

import torch


def median_ms(fn, samples=10, reps=1):
    """Median ms per call over samples of `reps` calls queued back to back between two synchronisations."""
    out = []
    for i in range(-3, samples):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
        if i >= 0:
            out.append((time.perf_counter() - t0) * 1e3 / reps)
    return statistics.median(out)


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda:0")
    for dt, name in ((torch.float32, "float32"), (torch.bfloat16, "bfloat16")):
        for n in (4096, 8192):
            a = torch.full((n, n), 0.5, dtype=dt, device=dev)
            b = torch.full((n, n), 0.25, dtype=dt, device=dev)
            ms = median_ms(lambda: torch.matmul(a, b), 10, 10 if n == 4096 else 3)
            print(f"RESULT gemm_{name}_{n} {2.0 * n ** 3 / (ms * 1e-3) / 1e12:.1f} TFLOP/s ({ms:.3f} ms) torch")
            del a, b
    n = 256 << 20
    a = torch.full((n,), 1.0, device=dev)
    b = torch.full((n,), 2.0, device=dev)
    ms = median_ms(lambda: torch.add(a, b), 10, 5)
    print(f"RESULT add_fp32_256M {3.0 * 4 * n / (ms * 1e-3) / 1e9:.0f} GB/s ({ms:.3f} ms) torch")
    del a, b
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                                torch.nn.ReLU(), torch.nn.Linear(1024, 10)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(256, 784, device=dev)
    y = torch.arange(256, device=dev) % 10

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(200):  # the same warm-up as GpuBench's MLP step
        step()
    torch.cuda.synchronize()
    ms = median_ms(step, 30)
    print(f"RESULT mlp_step_784_1024_1024_10_b256_sgd {ms:.3f} ms torch")


if __name__ == "__main__":
    main()

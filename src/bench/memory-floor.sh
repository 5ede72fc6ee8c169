#!/usr/bin/env bash
# How close the issue 2 `add` and `sum` targets sit to this machine's memory-bandwidth floor: C loops
# (src/bench/memory_floor.c: a fused AVX2 add with ordinary stores, the same with non-temporal stores, and a sum read
# as one stream and as four streams per thread),
# alternated with the PyTorch anchor (../shared/bench/torch_ops.py, add and sum lines) in each of ROUNDS rounds.
# Usage: [ROUNDS=n] src/bench/memory-floor.sh   (default 3). Installs a C compiler with apt-get when none is found.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${NABLA_SHARED:-$(pwd)/../shared}
rounds=${ROUNDS:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
if ! command -v cc >/dev/null; then
  ${SUDO:-$(command -v sudo || true)} apt-get install -y -q gcc >/dev/null
fi
mkdir -p target/bench
cc -O2 -mavx2 -pthread src/bench/memory_floor.c -o target/bench/memory_floor
: > target/bench/floor-c.txt
: > target/bench/floor-torch.txt
for ((r = 1; r <= rounds; r++)); do
  "$shared/bench/anchor.sh" ops | grep -E "op=(add|sum) " | tee -a target/bench/floor-torch.txt
  target/bench/memory_floor | tee -a target/bench/floor-c.txt
done
python3 - <<'PY'
import re, statistics
def read(path):
    out = {}
    for line in open(path):
        m = re.search(r"op=(\w+) n=\d+ median_ms=([\d.]+)", line)
        if m:
            out.setdefault(m.group(1), []).append(float(m.group(2)))
    return out
c, t = read("target/bench/floor-c.txt"), read("target/bench/floor-torch.txt")
print(f"\n{'16M FP32, 2 threads':<34}{'C (ms)':>9}{'PyTorch (ms)':>14}{'PyTorch / C':>13}   per round")
for name, anchor, what in [("add", "add", "add, fused, ordinary stores"), ("add_nt", "add", "add, fused, non-temporal stores"),
                           ("sum", "sum", "sum, one stream per thread"), ("sum4", "sum", "sum, four streams per thread")]:
    cs, ts = c[name], t[anchor]
    rounds = " / ".join(f"{y / x:.2f}" for x, y in zip(cs, ts))
    print(f"{what:<34}{statistics.median(cs):>9.2f}{statistics.median(ts):>14.2f}"
          f"{statistics.median(ts) / statistics.median(cs):>12.2f}x   {rounds}")
PY

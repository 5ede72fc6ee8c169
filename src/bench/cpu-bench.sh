#!/usr/bin/env bash
# CPU benchmarks of Nabla next to the PyTorch anchors of ../shared/bench, measured in the same run.
# Usage: src/bench/cpu-bench.sh [gemm] [ops] [mlp]      (default: all three)
# Prints each Nabla figure, PyTorch's figure and the ratio (higher is better for Nabla), and writes the raw
# RESULT lines to target/bench/*.txt. Not part of the unit tests: a run takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${NABLA_SHARED:-$root/../shared}
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(gemm ops mlp)
mkdir -p target/bench
./mvnw -q -B -ntp -DskipTests test-compile
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/cp.txt >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench/cp.txt)"
java_run() { java -Xmx8g -XX:+UseParallelGC -cp "$cp" "$@"; }

for w in "${what[@]}"; do
  case $w in
    gemm)
      "$shared/bench/anchor.sh" gemm | tee target/bench/torch-gemm.txt
      java_run io.nabla.bench.GemmBench | tee target/bench/nabla-gemm.txt ;;
    ops)
      "$shared/bench/anchor.sh" ops | tee target/bench/torch-ops.txt
      java_run io.nabla.bench.OpsBench | tee target/bench/nabla-ops.txt ;;
    mlp)
      "$shared/bench/anchor.sh" mlp | tee target/bench/torch-mlp.txt
      java_run io.nabla.bench.MlpBench | tee target/bench/nabla-mlp.txt ;;
    *) echo "unknown benchmark '$w': expected gemm, ops or mlp" >&2; exit 2 ;;
  esac
done
python3 "$root/src/bench/compare.py" target/bench

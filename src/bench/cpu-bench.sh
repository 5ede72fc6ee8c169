#!/usr/bin/env bash
# CPU benchmarks of Nabla next to the PyTorch anchors of ../shared/bench, measured in the same run.
# Usage: [ROUNDS=n] src/bench/cpu-bench.sh [gemm] [ops] [mlp] [act] [amp] [int8] [transformer] [rnn]
#        (default: all eight, one round)
# act: activations and two gradients against our own anchor src/bench/torch_activations.py (../shared/bench has none).
# amp: the MLP steps in bf16 mixed precision against src/bench/torch_amp_mlp.py (torch.autocast on the CPU).
# int8: INT8 dynamically quantized Linear forward passes against src/bench/torch_int8_linear.py (quantize_dynamic on
# each quantized engine of that PyTorch; the table takes the faster) and the FP32 Linear on both sides.
# transformer: a 2-layer TransformerEncoder's forward passes and training step against src/bench/torch_transformer.py,
# run in both of PyTorch's thread configurations on two cores; the table takes the faster.
# rnn: 2-layer LSTM and GRU forward passes and training steps against src/bench/torch_rnn.py, likewise.
# Prints each Nabla figure, PyTorch's figure and the ratio (higher is better for Nabla), and writes the raw
# RESULT lines to target/bench/*.txt. Not part of the unit tests: a run takes several minutes.
# ROUNDS=n alternates the anchor and Nabla n times per benchmark (PyTorch, Nabla, PyTorch, ...) and reports the
# median of each side's rounds and the ratio of every round's pair: on a machine whose memory bandwidth drifts
# (a shared VM), one anchor run followed by one Nabla run measures the drift as much as the code.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${NABLA_SHARED:-$root/../shared}
what=("$@")
rounds=${ROUNDS:-1}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
[ ${#what[@]} -gt 0 ] || what=(gemm ops mlp act amp int8 transformer rnn)
mkdir -p target/bench
./mvnw -q -B -ntp -DskipTests test-compile
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/cp.txt >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench/cp.txt)"
java_run() { java -Xmx8g -XX:+UseParallelGC -cp "$cp" "$@"; }

for w in "${what[@]}"; do
  args=()
  case $w in
    gemm) main=io.nabla.bench.GemmBench ;;
    ops) main=io.nabla.bench.OpsBench ;;
    mlp) main=io.nabla.bench.MlpBench ;;
    act) main=io.nabla.bench.ActivationBench ;;
    amp) main=io.nabla.bench.MlpBench; args=(small,wide sgd,adam bf16) ;;
    int8) main=io.nabla.bench.Int8Bench ;;
    transformer) main=io.nabla.bench.TransformerBench ;;
    rnn) main=io.nabla.bench.RnnBench ;;
    *) echo "unknown benchmark '$w': expected gemm, ops, mlp, act, amp, int8, transformer or rnn" >&2; exit 2 ;;
  esac
  : > "target/bench/torch-$w.txt"
  : > "target/bench/nabla-$w.txt"
  for ((r = 1; r <= rounds; r++)); do
    if [ "$w" = act ]; then
      # the shared anchor script installs PyTorch when missing; then our activation anchor, configured as its ops
      "$shared/bench/anchor.sh" ops --n 1024 --samples 1 >/dev/null
      OPENBLAS_NUM_THREADS=1 /usr/bin/python3 src/bench/torch_activations.py --threads 2 | tee -a "target/bench/torch-$w.txt"
    elif [ "$w" = int8 ]; then
      "$shared/bench/anchor.sh" ops --n 1024 --samples 1 >/dev/null
      OPENBLAS_NUM_THREADS=2 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
        /usr/bin/python3 src/bench/torch_int8_linear.py --threads 2 | tee -a "target/bench/torch-$w.txt"
    elif [ "$w" = transformer ] || [ "$w" = rnn ]; then
      "$shared/bench/anchor.sh" ops --n 1024 --samples 1 >/dev/null
      export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
      OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "src/bench/torch_$w.py" --threads 1 --config blas2 \
        | tee -a "target/bench/torch-$w.txt"
      OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "src/bench/torch_$w.py" --threads 2 --config torch2 \
        | tee -a "target/bench/torch-$w.txt"
    elif [ "$w" = amp ]; then
      "$shared/bench/anchor.sh" ops --n 1024 --samples 1 >/dev/null
      NABLA_SHARED_BENCH="$shared/bench" /usr/bin/python3 src/bench/torch_amp_mlp.py --threads 2 | tee -a "target/bench/torch-$w.txt"
    else
      "$shared/bench/anchor.sh" "$w" | tee -a "target/bench/torch-$w.txt"
    fi
    java_run "$main" "${args[@]}" | tee -a "target/bench/nabla-$w.txt"
  done
done
python3 "$root/src/bench/compare.py" target/bench

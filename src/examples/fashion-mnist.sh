#!/usr/bin/env bash
# Trains the same small CNN on Fashion-MNIST with Nabla and with PyTorch, in one run, and prints test accuracy
# and training time of each. Installs Debian's dataset-fashion-mnist (and PyTorch with OpenBLAS) when missing.
# Usage: src/examples/fashion-mnist.sh [epochs, default 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs=${1:-2}
data=/usr/share/datasets/fashion-mnist
need=()
[ -e "$data/train-images-idx3-ubyte.gz" ] || need+=(dataset-fashion-mnist)
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null
fi
mkdir -p target/examples
./mvnw -q -B -ntp -DskipTests test-compile
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/examples/cp.txt >/dev/null
java -Xmx6g -XX:+UseParallelGC -cp "target/classes:target/test-classes:$(cat target/examples/cp.txt)" \
  io.nabla.examples.FashionMnist "$data" "$epochs" | tee target/examples/nabla.txt
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
  /usr/bin/python3 src/examples/fashion_mnist_torch.py "$data" "$epochs" 1 | tee target/examples/torch.txt

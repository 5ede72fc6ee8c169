#!/usr/bin/env bash
# Builds what the GPU machine needs (here) and runs the GPU test suite and benchmark (there).
#
#   src/bench/gpu-run.sh              (on the development machine)
#       builds the runnable jar (./mvnw -DskipTests package), copies the few test-scope jars the GPU suite needs into
#       target/gpu/lib (JUnit launcher, AssertJ, Jackson, JavaCPP, the CUDA bindings, slf4j-api for the gpu package,
#       Micrometer for the hand-built model registry of GpuServiceAcceptanceTest; no Spring, no OpenBLAS
#       natives), packs a small Java 17 runtime made by jlink into target/gpu/jre.tar.xz (the GPU machine has no
#       Java and no Maven), checks that the carry stays under 64 MiB, and prints the device-tool command.
#   [NABLA_GPU_TESTS="Class ..."] src/bench/gpu-run.sh --on-device [--bench-only]  (on the GPU machine, from the repository root, with the carried paths)
#       finds libcudart/libcublas/libcublasLt/libnvrtc 13 (CUDA toolkit or the nvidia-* pip packages of the installed
#       PyTorch) and puts them on LD_LIBRARY_PATH, runs io.nabla.backend.cuda.GpuSuite (bindings, reference-vs-cuda
#       matrix, golden cases on cuda:0, nvcc compile check), then io.nabla.bench.GpuBench and
#       src/bench/gpu_torch_bench.py (FP32/BF16 GEMM 4096 and 8192, add of 256 M floats, MLP training step), and
#       writes env.txt, gpu-tests.txt, nabla-bench.txt and torch-bench.txt under $OUT. Exit status 1 when a GPU
#       test failed.
#   src/bench/gpu-run.sh --server     (on the development machine)
#       prepares the Spring server's run on the GPU machine instead: target/classes, the runtime jars in
#       target/gpu-server/lib (without OpenBLAS, PostgreSQL's driver and Swagger UI, to stay under 64 MiB: the server
#       there serves models and jobs on cuda:0 only) and a Java 17 runtime with the modules Spring needs in
#       target/gpu-server/jre.tar.xz; prints the device-tool command.
#   src/bench/gpu-run.sh --on-device --server   (on the GPU machine, with those carried paths)
#       starts the server on cuda:0 with a 512 MB arena limit and runs src/bench/gpu_server_check.py against it over
#       HTTP (/v1/devices, a model on cuda:0 against the same forward pass in Python, 200 load/unload cycles, a 507
#       over the arena limit then 1,000 requests, a golden job and a cancelled one giving their memory back); writes
#       env.txt, gpu-server.txt and server.log under $OUT. Exit status 1 when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = "--server" ]; then
  ./mvnw -q -B -o -DskipTests compile || ./mvnw -q -B -DskipTests compile
  rm -rf target/gpu-server/lib && mkdir -p target/gpu-server/lib
  ./mvnw -q -B -o dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/gpu-server/lib \
    -DexcludeArtifactIds=openblas,postgresql,swagger-ui >/dev/null
  if [ ! -f target/gpu-server/jre.tar.xz ]; then
    rm -rf target/gpu-server/jre
    # uncompressed modules, then xz over the whole runtime: about 18 MB against 30 MB with jlink's own compression
    jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.desktop,java.xml,java.instrument,java.security.jgss,java.net.http,jdk.unsupported,jdk.crypto.ec,java.scripting,jdk.management \
      --strip-debug --no-header-files --no-man-pages --compress=0 --output target/gpu-server/jre
    tar -cf - -C target/gpu-server/jre . | xz -9e -T2 > target/gpu-server/jre.tar.xz && rm -rf target/gpu-server/jre
  fi
  du -shc target/classes target/gpu-server
  total=$(du -sbc target/classes target/gpu-server | tail -1 | cut -f1)
  [ "$total" -lt $((62 << 20)) ] || { echo "carry is $total bytes: over the 64 MiB limit" >&2; exit 1; }
  cat <<'CMD'
Run on the device machine with the device tool:
  run(kind="nvidia-h100-x1", timeout_s=420, carry=["target/classes", "target/gpu-server"],
      command="bash src/bench/gpu-run.sh --on-device --server")
CMD
  exit 0
fi

if [ "${1:-}" != "--on-device" ]; then
  ./mvnw -q -B -o -DskipTests package || ./mvnw -q -B -DskipTests package
  rm -rf target/gpu/lib && mkdir -p target/gpu/lib
  ./mvnw -q -B -o dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/gpu/lib \
    -DincludeGroupIds=org.bytedeco,tools.jackson.core,com.fasterxml.jackson.core,org.junit.jupiter,org.junit.platform,org.assertj,org.opentest4j,org.apiguardian,net.bytebuddy,org.jspecify,org.slf4j,io.micrometer,org.hdrhistogram \
    -DexcludeArtifactIds=openblas,jul-to-slf4j,jcl-over-slf4j,slf4j-simple,slf4j-jdk14,micrometer-registry-prometheus,micrometer-jakarta9 >/dev/null
  if [ ! -f target/gpu/jre.tar.xz ]; then
    rm -rf target/gpu/jre
    jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.xml --strip-debug \
      --no-header-files --no-man-pages --compress=2 --output target/gpu/jre
    tar -cJf target/gpu/jre.tar.xz -C target/gpu/jre . && rm -rf target/gpu/jre
  fi
  du -shc target/classes target/test-classes target/gpu
  total=$(du -sbc target/classes target/test-classes target/gpu | tail -1 | cut -f1)
  [ "$total" -lt $((60 << 20)) ] || { echo "carry is $total bytes: over the 64 MiB limit" >&2; exit 1; }
  cat <<'CMD'
Run on the device machine with the device tool:
  run(kind="nvidia-h100-x1", timeout_s=600,
      carry=["target/classes", "target/test-classes", "target/gpu"],
      command="bash src/bench/gpu-run.sh --on-device")
CMD
  exit 0
fi

out=${OUT:-target/gpu-out}
mkdir -p "$out"
env_txt="$out/env.txt"
: > "$env_txt"
nvidia-smi -L >> "$env_txt" 2>&1 || echo "nvidia-smi failed" >> "$env_txt"

if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  JAVA=java
else
  jre=target/gpu/jre.tar.xz
  [ "${2:-}" != "--server" ] || jre=target/gpu-server/jre.tar.xz
  mkdir -p /tmp/nabla-jre && tar -xJf "$jre" -C /tmp/nabla-jre
  JAVA=/tmp/nabla-jre/bin/java
fi
"$JAVA" -version >> "$env_txt" 2>&1

# directories that may hold the CUDA 13 libraries: the toolkit, the system, PyTorch's nvidia-* wheels
candidates() {
  ls -d /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64 \
    /usr/local/cuda-13*/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu 2>/dev/null || true
  python3 - <<'PY' 2>/dev/null || true
import glob, os, site
for s in site.getsitepackages():
    for d in sorted(set(glob.glob(os.path.join(s, "nvidia", "**", "lib"), recursive=True))):
        print(d)
PY
}
dirs=()
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13; do
  found=""
  while read -r d; do
    if [ -e "$d/$lib" ]; then found=$d; break; fi
  done < <(candidates)
  if [ -z "$found" ]; then
    echo "MISSING $lib (searched: $(candidates | tr '\n' ' '))" | tee -a "$env_txt"
  else
    echo "FOUND $lib in $found" >> "$env_txt"
    case " ${dirs[*]:-} " in *" $found "*) ;; *) dirs+=("$found") ;; esac
  fi
done
LD_LIBRARY_PATH="$(IFS=:; echo "${dirs[*]:-}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$env_txt"
cat "$env_txt"

if [ "${2:-}" = "--server" ]; then
  store=$(mktemp -d)
  "$JAVA" -Xmx8g -cp "target/classes:target/gpu-server/lib/*" io.nabla.NablaApplication --server.port=18090 \
    --nabla.store.path="$store" --nabla.gpu.arena-limit=512MB --nabla.openapi.swagger-ui=false > "$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 120); do  # python3 rather than curl: the GPU machine surely has the one
    python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:18090/v2/health/ready", timeout=2)' \
      2>/dev/null && break
    sleep 0.5
  done
  status=0
  timeout 300 python3 src/bench/gpu_server_check.py http://127.0.0.1:18090 2>&1 | tee "$out/gpu-server.txt" || status=1
  grep -q 'GPU-SERVER .* failed=0$' "$out/gpu-server.txt" || status=1
  kill "$server"; wait "$server" 2>/dev/null || true
  grep -m 20 -E 'CudaDiscovery|GpuPool|ERROR' "$out/server.log" || true
  exit $status
fi

cp="target/classes:target/test-classes:target/gpu/lib/*"
status=0
if [ "${2:-}" != "--bench-only" ]; then
timeout 330 "$JAVA" -Xmx16g -Dnabla.cuda.matmul-precision=fp32 -cp "$cp" io.nabla.backend.cuda.GpuSuite ${NABLA_GPU_TESTS:-} \
  2>&1 | tee "$out/gpu-tests.txt" || status=1
grep -q 'GPU-SUITE .* failed=0 ' "$out/gpu-tests.txt" || status=1
if [ -z "${NABLA_GPU_TESTS:-}" ]; then
  # a sticky error loses the process's CUDA context: its test runs alone, in a JVM of its own
  timeout 60 "$JAVA" -cp "$cp" io.nabla.backend.cuda.GpuSuite CudaStickyErrorTest 2>&1 \
    | tee "$out/gpu-sticky.txt" || status=1
  grep -q 'GPU-SUITE tests=1 succeeded=1 ' "$out/gpu-sticky.txt" || status=1
fi
fi
timeout 120 "$JAVA" -Xmx16g -cp "$cp" io.nabla.bench.GpuBench 2>&1 | tee "$out/nabla-bench.txt" || true
timeout 100 python3 src/bench/gpu_torch_bench.py 2>&1 | tee "$out/torch-bench.txt" || true
exit $status

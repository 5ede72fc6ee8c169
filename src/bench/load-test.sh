#!/usr/bin/env bash
# HTTP load test of the inference service with wrk (Debian package), as issue 4 specifies: MLP 784-256-256-10,
# single-row FP32 requests, 32 connections, for JSON and binary bodies, with dynamic batching on and off.
# Usage: src/bench/load-test.sh [seconds per run, default 60]
# Prints one RESULT line per run (requests/s, p50/p99 latency, errors) and keeps wrk's output in target/load/.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
port=${NABLA_LOAD_PORT:-18080}
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
out=target/load
mkdir -p "$out"
if [ -z "${NABLA_LOAD_JAR:-}" ]; then
  ls target/nabla-*.jar >/dev/null 2>&1 || ./mvnw -q -B -ntp -DskipTests package
fi
jar=${NABLA_LOAD_JAR:-$(ls target/nabla-*.jar | grep -v plain | head -1)}

python3 - "$out" <<'PY'
import json, random, struct, sys
out = sys.argv[1]
random.seed(0)
row = [round(random.gauss(0, 1), 6) for _ in range(784)]
spec = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 784]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 10]}],
        "layers": [{"type": "Linear", "in_features": 784, "out_features": 256}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 256, "out_features": 256}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 256, "out_features": 10}], "seed": 0}
open(f"{out}/spec.json", "w").write(json.dumps(spec))
open(f"{out}/json.body", "w").write(json.dumps({"inputs": [{"name": "input", "shape": [1, 784], "datatype": "FP32", "data": row}]}))
header = json.dumps({"inputs": [{"name": "input", "shape": [1, 784], "datatype": "FP32",
                                 "parameters": {"binary_data_size": 784 * 4}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(f"{out}/binary.body", "wb").write(header + struct.pack("<784f", *row))
open(f"{out}/binary.len", "w").write(str(len(header)))
PY

cat > "$out/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "application/json"
local hl = os.getenv("HEADER_LEN")
if hl and hl ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = hl
end
LUA

cpu_ticks() { # utime + stime of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

busy_ticks() { # CPU ticks the whole machine spent busy
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}

switches() { # context switches of all threads of a process, voluntary + involuntary
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'
}

run() { # batching(on|off) body(json|binary)
  local batching=$1 kind=$2 store
  store=$(mktemp -d)
  local props=(--server.port="$port" --nabla.store.path="$store" ${NABLA_LOAD_SERVER_ARGS:-})
  if [ "$batching" = off ]; then props+=(--nabla.batching.max-batch-size=1 --nabla.batching.queue-delay=0ms); fi
  java ${NABLA_LOAD_JVM_OPTS:--Xmx2g -XX:+UseParallelGC} -jar "$jar" "${props[@]}" > "$out/server-$batching-$kind.log" 2>&1 &
  local pid=$!
  for _ in $(seq 360); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.5; done
  curl -sf -X POST "http://127.0.0.1:$port/v2/repository/models/mlp" -F "spec=@$out/spec.json;type=application/json" >/dev/null
  local hl=""
  [ "$kind" = binary ] && hl=$(cat "$out/binary.len")
  # warm-up (JIT, model load), then the measured run
  BODY="$out/$kind.body" HEADER_LEN="$hl" wrk -t2 -c32 -d10s -s "$out/post.lua" "http://127.0.0.1:$port/v2/models/mlp/infer" >/dev/null
  local cpu0 cpu1 cs0 cs1 busy0 busy1
  cpu0=$(cpu_ticks "$pid"); cs0=$(switches "$pid"); busy0=$(busy_ticks)
  BODY="$out/$kind.body" HEADER_LEN="$hl" /usr/bin/time -f "wrk_cpu_s %U %S" -a -o "$out/wrk-cpu.txt" \
    wrk -t2 -c32 -d"${secs}s" --latency -s "$out/post.lua" \
    "http://127.0.0.1:$port/v2/models/mlp/infer" > "$out/wrk-$batching-$kind.txt"
  cpu1=$(cpu_ticks "$pid"); cs1=$(switches "$pid"); busy1=$(busy_ticks)
  tail -1 "$out/wrk-cpu.txt" >> "$out/wrk-$batching-$kind.txt"
  echo "machine_busy_s $(awk -v d=$((busy1 - busy0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {print d / hz}')" >> "$out/wrk-$batching-$kind.txt"
  echo "server_switches $((cs1 - cs0))" >> "$out/wrk-$batching-$kind.txt"
  echo "server_cpu_s $(awk -v d=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {print d / hz}')" >> "$out/wrk-$batching-$kind.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$store"
  python3 - "$out/wrk-$batching-$kind.txt" "$batching" "$kind" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s|m)", s).groups()
    return float(v) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[u]
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
# the distribution's rows only: "82.50%" in the stdev column must not match "50%"
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: (.*)", t)
total = re.search(r"(\d+) requests in", t).group(1)
cpu = float(re.search(r"server_cpu_s ([\d.]+)", t).group(1))
cs = int(re.search(r"server_switches (-?\d+)", t).group(1))
wu, ws = map(float, re.search(r"wrk_cpu_s ([\d.]+) ([\d.]+)", t).groups())
busy = float(re.search(r"machine_busy_s ([\d.]+)", t).group(1))
secs = ms(re.search(r"requests in ([\d.]+(?:us|ms|s|m)),", t).group(1)) / 1e3
print(f"RESULT body={sys.argv[3]} batching={sys.argv[2]} requests={total} requests_per_s={rps} p50_ms={p50:.2f} "
      f"p99_ms={p99:.2f} non_2xx={non2xx.group(1) if non2xx else 0} socket_errors={sock.group(1).replace(' ', '') if sock else 'none'} "
      f"server_cpu_us_per_request={cpu * 1e6 / int(total):.0f} switches_per_request={cs / int(total):.2f} "
      f"other_processes_cpu_pct={max(0.0, busy - cpu - wu - ws) * 100 / secs:.0f}")
PY
}

for b in ${NABLA_LOAD_BATCHING:-on off}; do for k in ${NABLA_LOAD_BODIES:-json binary}; do run "$b" "$k"; done; done

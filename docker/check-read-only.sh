#!/usr/bin/env bash
# Runs the runnable jar the way docker/Dockerfile.cpu runs it (its ENTRYPOINT flags and ENV), in a private mount
# namespace where every filesystem is read-only except a fresh /tmp (tmpfs, exec) and the store, then creates a
# model, runs inference on it with a token, and stops the server with SIGTERM. It shows, without a Docker engine,
# that the image's process works on a read-only root filesystem and writes only to /tmp and the store.
#
# Needs root (unshare -m) and the jar: ./mvnw -B -DskipTests package && docker/check-read-only.sh
set -euo pipefail
cd "$(dirname "$0")/.."

jar=$(ls target/nabla-*.jar | head -1)
[ -f "$jar" ] || { echo "no jar in target/: run ./mvnw -B -DskipTests package first" >&2; exit 2; }
work=$(mktemp -d /tmp/nabla-ro.XXXXXX)
store="$PWD/target/read-only-check-store"
mkdir -p "$store"
port=${NABLA_CHECK_PORT:-18080}
token=check-token

# the image's JVM flags and environment, read from the Dockerfile
read -r -a flags < <(python3 - docker/Dockerfile.cpu <<'EOF'
import json, re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M).group(1))
print(" ".join(entry[1:-2]))
EOF
)
jdk_opts=$(sed -n 's/.*JDK_JAVA_OPTIONS="\([^"]*\)".*/\1/p' docker/Dockerfile.cpu)
echo "JVM flags: ${flags[*]} (JDK_JAVA_OPTIONS=$jdk_opts)"

unshare -m --propagation private bash -s "$jar" "$store" "$port" "$token" "$jdk_opts" "${flags[@]}" \
    > "$work/server.log" 2>&1 <<'EOF' &
set -euo pipefail
jar=$(readlink -f "$1"); store=$2; port=$3; token=$4; jdk_opts=$5; shift 5
java=$(readlink -f "$(command -v java)")
for mp in $(awk '{print $2}' /proc/self/mounts | sort -r); do
    case "$mp" in /proc*|/sys*|/dev*) continue ;; esac
    mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
mount -t tmpfs -o rw,exec,size=1g tmpfs "$store"
mount -t tmpfs -o rw,exec,size=1g tmpfs /tmp
if touch /opt/.nabla-write-test 2>/dev/null || touch "$(dirname "$jar")/.nabla-write-test" 2>/dev/null; then
    echo "the root filesystem is still writable; cannot check" >&2; exit 3
fi
echo "root filesystem read-only; writable: /tmp and $store"
cd /tmp
export NABLA_STORE_PATH="$store" SERVER_ADDRESS=0.0.0.0 SERVER_PORT="$port" NABLA_SECURITY_TOKENS="$token" \
    JDK_JAVA_OPTIONS="$jdk_opts" HOME=/nonexistent
exec "$java" "$@" -jar "$jar"
EOF
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/health/ready" 2>/dev/null; then break; fi
    kill -0 $pid 2>/dev/null || { cat "$work/server.log"; echo "server exited" >&2; exit 1; }
    sleep 1
done
auth=(-H "Authorization: Bearer $token")
spec='{"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}],
 "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 2]}],
 "layers": [{"type": "Linear", "in_features": 4, "out_features": 2}], "seed": 1}'
curl -fsS "${auth[@]}" -F "spec=$spec;type=application/json" "http://127.0.0.1:$port/v2/repository/models/ro"
echo
curl -fsS "${auth[@]}" -H 'Content-Type: application/json' "http://127.0.0.1:$port/v2/models/ro/infer" \
    -d '{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}'
echo
kill -TERM $pid
wait $pid || true
trap - EXIT
if grep -q "Read-only file system" "$work/server.log"; then
    cat "$work/server.log"; echo "FAILED: the server tried to write outside /tmp and the store" >&2; exit 1
fi
echo "OK: served a model on a read-only root filesystem (log: $work/server.log)"

#!/usr/bin/env python3
"""The Nabla server on a GPU, over HTTP: issue 6's service scenarios against a running server.

Run by `bash src/bench/gpu-run.sh --on-device --server` on the GPU machine (which starts the server with
`--nabla.gpu.arena-limit=512MB`); runs anywhere against a server started by hand:

    python3 src/bench/gpu_server_check.py http://127.0.0.1:18090

It takes `cuda:0` when /v1/devices lists it, else the CPU (a dry run of the script: the GPU-only checks are skipped
and say so, and the missing cuda:0 is a failed check unless `--allow-cpu` is given, as `GpuServerCheckScriptIT` does). Scenarios: a model on the device answers as the same model on the CPU; 200 load/unload cycles return the
device's allocated memory to where it started and leave no arena; a model over the arena limit is refused with 507
and the next 1,000 requests on the served model succeed; a golden fine-tuning job on the device reproduces PyTorch's
losses and weights (rtol 1e-4) and gives its memory back, so does the same job in fp16 mixed precision (against
PyTorch's autocast run, rtol 1e-3), and so does a cancelled one. Prints one CHECK line per
check and a closing line `GPU-SERVER checks=N failed=M`; exits 1 when a check failed. Standard library only.
"""
import json
import math
import os
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
BASE = ARGS[0] if ARGS else "http://127.0.0.1:18090"
ALLOW_CPU = "--allow-cpu" in sys.argv  # a dry run on a CPU-only server passes (the test suite's check of this script)
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "resources", "golden", "models",
                      "mlp_sgd")
AMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "resources", "training")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"CHECK {'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    return ok


def call(method, path, body=None, headers=None, timeout=300):
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def json_call(method, path, obj=None):
    body = None if obj is None else json.dumps(obj).encode()
    status, data = call(method, path, body, {"Content-Type": "application/json"} if body else {})
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, data.decode(errors="replace")


def multipart(parts):
    """parts: (name, filename, content type, bytes) -> (body, content type header)."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, filename, ctype, data in parts:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n".encode()
        out += f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def create_model(name, spec, weights=None):
    parts = [("spec", "spec.json", "application/json", json.dumps(spec).encode())]
    if weights is not None:
        parts.append(("weights", "weights.safetensors", "application/octet-stream", weights))
    body, ctype = multipart(parts)
    status, data = call("POST", f"/v2/repository/models/{name}", body, {"Content-Type": ctype})
    return status, data.decode(errors="replace")


def safetensors_f32(data):
    """name -> list of floats, for the F32 tensors of a safetensors file."""
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__" or v["dtype"] != "F32":
            continue
        a, b = v["data_offsets"]
        raw = data[8 + n + a:8 + n + b]
        out[k] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
    return out


def device_entry(device):
    status, devices = json_call("GET", "/v1/devices")
    return next((d for d in devices if d["id"] == device), None) if status == 200 else None


def infer(model, rows, width, seed):
    vals = [math.sin(seed * 7.1 + i * 0.37) for i in range(rows * width)]
    status, out = json_call("POST", f"/v2/models/{model}/infer",
                            {"inputs": [{"name": "input", "shape": [rows, width], "datatype": "FP32", "data": vals}]})
    return status, out


def check_job_memory_back(whose, before):
    """cuda:0's allocated bytes are back to `before` and no job arena is left."""
    time.sleep(0.5)
    after = device_entry("cuda:0")
    check(f"{whose} memory is back on cuda:0", after["memory"]["allocated"] == before
          and not any(x["owner"].startswith("job:") for x in after["arenas"]),
          f"before {before}, after {after['memory']['allocated']}, arenas {json.dumps(after['arenas'])}")


def await_job(job_id, until, timeout_s=240):
    deadline = time.time() + timeout_s
    job = None
    while time.time() < deadline:
        _, job = json_call("GET", f"/v1/jobs/{job_id}")
        if until(job):
            return job
        time.sleep(0.1)
    return job


def main():
    status, _ = json_call("GET", "/v2/health/live")
    check("liveness", status == 200, f"status {status}")
    gpu = device_entry("cuda:0")
    device = "cuda:0" if gpu else "cpu"
    if gpu or not ALLOW_CPU:
        check("/v1/devices lists cuda:0 with its memory", gpu is not None and gpu["memory"]["total"] > 0,
              json.dumps(gpu) if gpu else "no cuda:0: a dry run on the CPU, GPU-only checks skipped")
    else:
        print("SKIP /v1/devices lists no cuda:0: a dry run on the CPU (--allow-cpu), GPU-only checks skipped")

    # a model on the device answers as the same model on the CPU
    mlp = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 784]}],
           "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 10]}],
           "layers": [{"type": "Linear", "in_features": 784, "out_features": 256}, {"type": "ReLU"},
                      {"type": "Linear", "in_features": 256, "out_features": 256}, {"type": "ReLU"},
                      {"type": "Linear", "in_features": 256, "out_features": 10}], "seed": 0}
    check("create mlp on " + device, create_model("mlp", dict(mlp, device=device))[0] == 201)
    status, on_dev = infer("mlp", 4, 784, 1)
    status_w, weights = call("GET", "/v2/repository/models/mlp/versions/1/weights")
    ok = status == 200 and status_w == 200
    diff = None
    if ok:  # the same forward pass in plain Python, in double, from the weights the server serves
        w = safetensors_f32(weights)
        x = [math.sin(1 * 7.1 + i * 0.37) for i in range(4 * 784)]
        rows = [x[r * 784:(r + 1) * 784] for r in range(4)]
        for k, (fin, fout) in enumerate([(784, 256), (256, 256), (256, 10)]):
            wk, bk = w[f"{2 * k}.weight"], w[f"{2 * k}.bias"]
            rows = [[bk[o] + sum(wk[o * fin + i] * r[i] for i in range(fin)) for o in range(fout)] for r in rows]
            if k < 2:
                rows = [[max(0.0, v) for v in r] for r in rows]
        expected = [v for r in rows for v in r]
        diff = max(abs(a - b) for a, b in zip(on_dev["outputs"][0]["data"], expected))
    check(f"mlp on {device} answers as the same forward pass in Python (max abs diff < 1e-4)",
          ok and diff < 1e-4, f"diff {diff}")

    # 200 load/unload cycles
    json_call("POST", "/v2/repository/models/mlp/unload")
    time.sleep(0.5)
    start = device_entry(device)["memory"]["allocated"]
    failures = 0
    for i in range(200):
        a = json_call("POST", "/v2/repository/models/mlp/load")[0]
        b = infer("mlp", 1, 784, i)[0]
        c = json_call("POST", "/v2/repository/models/mlp/unload")[0]
        failures += (a, b, c) != (200, 200, 200)
    time.sleep(0.5)
    after = device_entry(device)
    check("200 load/infer/unload cycles all answered 200", failures == 0, f"{failures} cycles failed")
    if gpu:
        check("allocated on cuda:0 back to its start after 200 cycles", after["memory"]["allocated"] == start,
              f"start {start}, after {after['memory']['allocated']}")
        check("no model arena left on cuda:0", not any(x["owner"].startswith("model:mlp:") for x in after["arenas"]),
              json.dumps(after["arenas"]))

    # a model over the arena limit is a 507; the served model keeps answering
    json_call("POST", "/v2/repository/models/mlp/load")
    if gpu:
        big = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 16384]}],
               "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 16384]}],
               "layers": [{"type": "Linear", "in_features": 16384, "out_features": 16384}],
               "seed": 0, "device": "cuda:0"}
        check("create a 1.07 GB model for cuda:0", create_model("big", big)[0] == 201)
        status, body = json_call("POST", "/v2/repository/models/big/load")
        check("loading it over the 512 MB arena limit is a 507 with the figures", status == 507, f"{status} {body}")
    statuses = [infer("mlp", 1, 784, i)[0] for i in range(1000)]
    check("the next 1,000 requests on mlp succeed", statuses.count(200) == 1000,
          f"{statuses.count(200)} of 1000 answered 200")

    # a golden fine-tuning job on the device, and a cancelled one
    with open(os.path.join(GOLDEN, "spec.json"), "rb") as f:
        spec = json.load(f)
    with open(os.path.join(GOLDEN, "initial.safetensors"), "rb") as f:
        initial = f.read()
    check("create the golden model", create_model("golden", spec, initial)[0] == 201)
    with open(os.path.join(GOLDEN, "data.safetensors"), "rb") as f:
        body, ctype = multipart([("file", "data.safetensors", "application/octet-stream", f.read())])
    status, data = call("POST", "/v1/datasets", body, {"Content-Type": ctype})
    check("upload the golden data set", status == 201, data.decode(errors="replace")[:200])
    dataset = json.loads(data)["id"]
    with open(os.path.join(GOLDEN, "config.json")) as f:
        config = json.load(f)
    request = {"model": "golden", "version": "1", "dataset": dataset, "input": "input", "target": "target",
               "loss": config["loss"], "optimizer": config["optimizer"], "epochs": config["epochs"],
               "batch_size": config["batch_size"], "shuffle": config["shuffle"], "seed": 0, "device": device,
               "precision": "fp32", "checkpoint_every_steps": 5}
    before = device_entry(device)["memory"]["allocated"]
    status, job = json_call("POST", "/v1/jobs", request)
    check("submit the golden job", status == 202, json.dumps(job))
    job = await_job(job["id"], lambda j: j["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"))
    check(f"the golden job succeeded on {device}", job["status"] == "SUCCEEDED" and job["device"] == device,
          f"{job['status']} on {job.get('device')} {job.get('error') or ''}")
    with open(os.path.join(GOLDEN, "losses.json")) as f:
        expected = json.load(f)
    expected = expected["losses"] if isinstance(expected, dict) else expected
    worst = max((abs(a - e) / max(abs(e), 1e-12) for a, e in zip(job["losses"], expected)), default=float("inf"))
    check("its losses match PyTorch's (rtol 1e-4)", len(job["losses"]) == len(expected) and worst <= 1e-4,
          f"{len(job['losses'])} losses, worst relative difference {worst:.2e}")
    status, weights = call("GET", f"/v2/repository/models/golden/versions/{job['result_version']}/weights")
    with open(os.path.join(GOLDEN, "final.safetensors"), "rb") as f:
        final = safetensors_f32(f.read())
    got = safetensors_f32(weights) if status == 200 else {}
    worst = max((abs(a - e) - 1e-5 - 1e-4 * abs(e) for k in final for a, e in zip(got.get(k, []), final[k])),
                default=float("inf"))
    check("its weights match PyTorch's (rtol 1e-4, atol 1e-5)", set(got) == set(final) and worst <= 0,
          f"worst excess {worst:.2e}")
    if gpu:
        check_job_memory_back("the job's", before)
    # the same job in fp16 mixed precision (autocast, loss scaling) against PyTorch's autocast run of it
    status, job = json_call("POST", "/v1/jobs", dict(request, precision="fp16"))
    check("submit the golden job in fp16", status == 202, json.dumps(job))
    job = await_job(job["id"], lambda j: j["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"))
    check(f"the fp16 job succeeded on {device}", job["status"] == "SUCCEEDED" and job["device"] == device,
          f"{job['status']} on {job.get('device')} {job.get('error') or ''}")
    with open(os.path.join(AMP, "amp_fp16_mlp_sgd_job.json")) as f:
        amp = json.load(f)
    worst = max((abs(a - e) / max(abs(e), 1e-12) for a, e in zip(job["losses"], amp["losses"])),
                default=float("inf"))
    check("its losses match PyTorch's autocast run (rtol 1e-3: cuBLAS sums FP16 products in FP32)",
          len(job["losses"]) == len(amp["losses"]) and worst <= 1e-3,
          f"{len(job['losses'])} losses, worst relative difference {worst:.2e}")
    if gpu:
        check_job_memory_back("the fp16 job's", before)
    long_job = dict(request, epochs=500)
    status, job = json_call("POST", "/v1/jobs", long_job)
    job = await_job(job["id"], lambda j: j["step"] >= 3 or j["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"))
    status, _ = json_call("DELETE", f"/v1/jobs/{job['id']}")
    job = await_job(job["id"], lambda j: j["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"))
    check("a cancelled job ends CANCELLED", status == 202 and job["status"] == "CANCELLED",
          f"{status} {job['status']} at step {job['step']}")
    if gpu:
        check_job_memory_back("the cancelled job's", before)
    status, _ = json_call("GET", "/v2/health/live")
    check("still live at the end", status == 200, f"status {status}")


try:
    main()
except Exception as e:  # a scenario that cannot go on is a failed check, not a silent stop
    check("the scenario ran to its end", False, repr(e))
failed = results.count(False)
print(f"GPU-SERVER checks={len(results)} failed={failed}")
sys.exit(1 if failed else 0)

#!/usr/bin/env bash
# End-to-end throughput and latency through the Gateway (HTTP → Redis → 2 workers → gRPC → ONNX Runtime → result)
# against ModelInfer-only throughput on the same Inference.Service, in the same run, with the same concurrency and
# one image per request. Also reports the Redis commands per job (server-side INFO commandstats over the measured
# rounds, commands run inside the job scripts included), the CPU time per request of every process on each side
# (from /proc; h2load's from bash `time`), and the workers' own preprocessing time per image (single thread →
# images/s/core).
#   MODEL: digits (default; a 28x28 PNG, the committed model) or resnet50 (a 640x480 JPEG, ResNet-50 with random
#     weights exported into bench/out/ by bench/export_resnet50.py: needs Debian python3-torch + python3-torchvision)
#   REQUESTS per round  CONCURRENCY (16)  ROUNDS (3)  WORKERS (2)  WARMUP (requests each way first)
#   REQUESTS and WARMUP default by model: digits 20000 and 60000 (the services' JIT is still tiering up after 20,000
#   requests: 17 % of the gateway's samples were the JIT then, 0.3 % after 100,000), resnet50 240 and 64.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
concurrency="${CONCURRENCY:-16}"; rounds="${ROUNDS:-3}"; workers="${WORKERS:-2}"
model="${MODEL:-digits}"
case "$model" in resnet50) requests="${REQUESTS:-240}"; warmup="${WARMUP:-64}" ;; *) requests="${REQUESTS:-20000}"; warmup="${WARMUP:-60000}" ;; esac
for v in "$requests" "$concurrency" "$rounds" "$workers" "$warmup"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "REQUESTS, CONCURRENCY, ROUNDS, WORKERS and WARMUP must be positive numbers (got '$v')" >&2; exit 2; }
done
out="$repo_root/bench/out/e2e"; mkdir -p "$out"
# Per-round files of an earlier run with more rounds must not be summed into this one's latency lines.
rm -f "$out"/gateway-round-*.txt "$out"/gateway-latency-*.txt
py=/usr/bin/python3

command -v h2load >/dev/null || { echo "h2load missing (Debian nghttp2-client; eng/setup.sh installs it)"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing (eng/setup.sh installs it)"; exit 1; }
case "$model" in
    digits)
        model_repo="$repo_root/models"; shape="1 1 28 28"; content_type=image/png
        # (a glob, not `ls | head`: with pipefail, ls can die of SIGPIPE when head exits first, and set -e then
        # ends the script without a word)
        digits=("$repo_root"/models/digits/testdata/*.png); image="${digits[0]}" ;;
    resnet50)
        $py -c "import torch, torchvision" 2>/dev/null \
            || { echo "MODEL=resnet50 needs Debian python3-torch and python3-torchvision"; exit 1; }
        $py "$repo_root/bench/export_resnet50.py" "$repo_root/bench/out/resnet50" >/dev/null
        # A repository holding only this model (the service is ready once every model in it has loaded).
        model_repo="$out/repository-resnet50"; mkdir -p "$model_repo"; ln -sfn "$repo_root/bench/out/resnet50" "$model_repo/resnet50"
        shape="1 3 224 224"; content_type=image/jpeg; image="$out/photo-640x480.jpg"
        im=convert; command -v magick >/dev/null 2>&1 && im=magick
        "$im" -seed 11 -size 640x480 plasma:fractal -depth 8 -quality 90 -sampling-factor 2x2 "$image" ;;
    *) echo "MODEL must be digits or resnet50, not '$model'"; exit 1 ;;
esac
for p in Inference.Service Preprocessing.Worker Gateway.Api; do
    dotnet build "$repo_root/$p" -c Release --nologo -v quiet >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
done
dll() { echo "$repo_root/$1/bin/Release/net10.0/MlAspire.$1.dll"; }
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pids=(); procs=() # procs: label:pid of each service, for their CPU time per request
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis_port=$(free_port); redis_pw="bench-$RANDOM$RANDOM"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$redis_pw" >"$out/redis.log" 2>&1 &
pids+=($!); procs+=("redis:$!")
grpc_port=$(free_port); inf_http=$(free_port); gw_port=$(free_port)
Kestrel__Endpoints__grpc__Url="http://127.0.0.1:$grpc_port" Kestrel__Endpoints__grpc__Protocols=Http2 \
Kestrel__Endpoints__http__Url="http://127.0.0.1:$inf_http" Inference__ModelRepository="$model_repo" \
    dotnet "$(dll Inference.Service)" >"$out/inference.log" 2>&1 &
pids+=($!); procs+=("inference:$!")
export ConnectionStrings__redis="127.0.0.1:$redis_port,password=$redis_pw" services__inference__grpc__0="http://127.0.0.1:$grpc_port"
for i in $(seq 1 "$workers"); do
    ASPNETCORE_URLS="http://127.0.0.1:$(free_port)" OTEL_RESOURCE_ATTRIBUTES="service.instance.id=bench-worker-$i" \
        dotnet "$(dll Preprocessing.Worker)" >"$out/worker-$i.log" 2>&1 &
    pids+=($!); procs+=("worker-$i:$!")
done
# No API keys (auth off) and a rate limit far above the offered load: the bench measures the pipeline.
ASPNETCORE_URLS="http://127.0.0.1:$gw_port" Gateway__RateLimitPerSecond=1000000 Gateway__RateLimitBurst=1000000 \
    dotnet "$(dll Gateway.Api)" >"$out/gateway.log" 2>&1 &
pids+=($!); procs+=("gateway:$!")

wait_ok() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not healthy: $1" >&2; exit 1; }
wait_ok "http://127.0.0.1:$inf_http/health"; wait_ok "http://127.0.0.1:$gw_port/health"

# ModelInfer request for one image of the model's input shape (FP32 zeros), as one gRPC frame (protobuf encoded by
# hand: field numbers from Inference.Service/Protos/grpc_predict_v2.proto).
$py - "$out/infer.bin" "$model" $shape <<'PY'
import struct, sys
def varint(n):
    b = b""
    while True:
        x = n & 0x7F; n >>= 7
        b += bytes([x | (0x80 if n else 0)])
        if not n: return b
def field(num, payload): return varint((num << 3) | 2) + varint(len(payload)) + payload
dims = [int(d) for d in sys.argv[3:]]
count = 1
for d in dims: count *= d
tensor = field(1, b"input") + field(2, b"FP32") + field(3, b"".join(varint(d) for d in dims))
msg = field(1, sys.argv[2].encode()) + field(5, tensor) + field(7, bytes(count * 4))
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
PY
# Check the hand-made request really succeeds (h2load counts HTTP 200, and gRPC errors are HTTP 200 too). Neither
# check may end the script through set -e: a failed curl must still say what failed.
rm -f "$out/check.txt"; touch "$out/check.txt"
curl -s --http2-prior-knowledge -o /dev/null -D "$out/check.txt" -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$out/infer.bin" "http://127.0.0.1:$grpc_port/inference.GRPCInferenceService/ModelInfer" || true
grep -qi "grpc-status: 0" "$out/check.txt" || { echo "ModelInfer check failed:"; cat "$out/check.txt"; exit 1; }
check=$(curl -s -H "content-type: $content_type" --data-binary @"$image" "http://127.0.0.1:$gw_port/v1/models/$model:classify" || true)
echo "$check" | grep -q '"succeeded"' || { echo "classify check failed: $check"; exit 1; }

h2() { # label args... -> "req/s mean_ms"; h2load's own CPU seconds (user system) go to $out/$label.cpu
    local label=$1; shift
    local TIMEFORMAT='%U %S'
    { time h2load -n "$requests" -c "$concurrency" "$@" >"$out/$label.txt" 2>&1; } 2>"$out/$label.cpu"
    grep -q "$requests succeeded" "$out/$label.txt" || { cat "$out/$label.txt" >&2; exit 1; }
    local rps mean
    rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$out/$label.txt")
    mean=$(awk '/^time for request:/ { print $6 }' "$out/$label.txt")
    echo "$rps $mean"
}
infer() { h2 infer -m 1 -d "$out/infer.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$grpc_port/inference.GRPCInferenceService/ModelInfer"; }
gateway() { h2 gateway --h1 -d "$image" -H "content-type: $content_type" "http://127.0.0.1:$gw_port/v1/models/$model:classify"; }

# Warm-up: the .NET processes JIT and tier up their hot paths for tens of thousands of requests; measured before
# that, both sides mostly measure the JIT (a short warm-up once made ModelInfer look 3x slower than it is).
requests_saved=$requests; requests=$warmup; infer >/dev/null; gateway >/dev/null; requests=$requests_saved
commandstats() { redis-cli -p "$redis_port" -a "$redis_pw" --no-auth-warning info all | tr -d '\r'; }
commandstats >"$out/commandstats-before.txt"
# CPU time (user + system, clock ticks) of every service process, from /proc (the name field is skipped: it can hold
# spaces), written as "label ticks" lines before and after each half of each round.
snap() { for p in "${procs[@]}"; do echo "${p%%:*} $(sed 's/.*) //' "/proc/${p#*:}/stat" | awk '{ print $12 + $13 }')"; done; }
# cpu_after side round: the services' CPU after a half, plus h2load's own from its `time` ($out/<side>.cpu).
cpu_after() { snap >"$out/cpu-$1-$2-b.txt"; awk '{ print "h2load", ($1 + $2) * 100 }' "$out/$1.cpu" >>"$out/cpu-$1-$2-b.txt"; }
rm -f "$out"/cpu-*.txt
echo "round  modelinfer_rps  modelinfer_mean  gateway_jobs_per_s  gateway_mean  ratio"
for r in $(seq 1 "$rounds"); do
    snap >"$out/cpu-infer-$r-a.txt"
    read -r irps imean <<<"$(infer)"
    cpu_after infer "$r"
    snap >"$out/cpu-gateway-$r-a.txt"
    read -r grps gmean <<<"$(gateway)"
    cpu_after gateway "$r"
    grep -A1 "time for request" "$out/gateway.txt" | tail -n +1 >"$out/gateway-latency-$r.txt"
    echo "$r  $irps  $imean  $grps  $gmean  $($py -c "print(f'{$grps/$irps:.2f}')")"
    cp "$out/gateway.txt" "$out/gateway-round-$r.txt"
done
grep "time for request" "$out"/gateway-round-*.txt | sed 's/^/gateway latency (min max mean sd): /'
# Redis commands per job over the measured rounds (the ModelInfer rounds send none), and redis-server's own CPU time
# per job (INFO cpu: user + system, all of it, I/O included). Commandstats' time per command is not summed: a script's
# time includes the commands it runs.
commandstats >"$out/commandstats-after.txt"
$py - "$out/commandstats-before.txt" "$out/commandstats-after.txt" "$((rounds * requests))" <<'PY'
import sys
def load(path):
    stats = {}
    for line in open(path):
        if line.startswith(("used_cpu_user:", "used_cpu_sys:")):
            stats[line.split(":")[0]] = (0, float(line.split(":")[1]))
        if line.startswith("cmdstat_"):
            name, fields = line.strip()[len("cmdstat_"):].split(":", 1)
            kv = dict(f.split("=", 1) for f in fields.split(","))
            stats[name] = (int(kv["calls"]), int(kv["usec"]))
    return stats
before, after, jobs = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
cpu_s = sum(after[k][1] - before[k][1] for k in ("used_cpu_user", "used_cpu_sys"))
rows = sorted(((after[n][0] - before.get(n, (0, 0))[0], n) for n in after if not n.startswith("used_cpu")), reverse=True)
rows = [r for r in rows if r[0] > 0]
total_calls = sum(r[0] for r in rows)
print(f"redis commands per job: {total_calls / jobs:.2f} (scripts' own commands included; redis-server CPU "
      f"{cpu_s * 1e6 / jobs:.0f} us per job): " + ", ".join(f"{n} {c / jobs:.2f}" for c, n in rows))
PY

# CPU per request of each side, by process, summed over the rounds. Both halves load the same two cores, so with every
# core busy the ratio can be at most ModelInfer's CPU per request over the pipeline's CPU per job.
$py - "$out" "$rounds" "$requests" <<'PY'
import collections, sys
out, rounds, requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(path):
    ticks = collections.Counter()
    for line in open(path):
        label, value = line.split()
        ticks["workers" if label.startswith("worker-") else label] += float(value)
    return ticks
def side(name):
    total = collections.Counter()
    for r in range(1, rounds + 1):
        before, after = load(f"{out}/cpu-{name}-{r}-a.txt"), load(f"{out}/cpu-{name}-{r}-b.txt")
        for label in after:
            total[label] += after[label] - before.get(label, 0)
    return {label: ticks * 1e4 / (rounds * requests) for label, ticks in total.items()}  # 1 tick = 10 ms -> us
infer, e2e = side("infer"), side("gateway")
def line(title, us):
    parts = ", ".join(f"{label} {v:.0f}" for label, v in sorted(us.items(), key=lambda kv: -kv[1]) if v > 0)
    return f"{title}: {sum(us.values()):.0f} us ({parts})"
print(line("CPU per request, ModelInfer only", infer))
print(line("CPU per job, end to end", e2e))
print(f"ratio if both sides were CPU-bound on the same cores (ModelInfer CPU / end-to-end CPU): {sum(infer.values()) / sum(e2e.values()):.2f}")
PY

# Preprocessing time per image inside the workers (single-threaded decode+resize+normalize), from 200 job results.
ids=$(for _ in $(seq 1 200); do curl -s -H "content-type: $content_type" --data-binary @"$image" \
    "http://127.0.0.1:$gw_port/v1/jobs?model=$model"; echo; done | $py -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin if l.strip()]')
for id in $ids; do curl -s "http://127.0.0.1:$gw_port/v1/jobs/$id?wait=30"; echo; done | $py -c '
import json, sys, statistics
ms = [json.loads(l)["timings"]["preprocessMs"] for l in sys.stdin if l.strip()]
m = statistics.median(ms)
print(f"worker preprocessing per image: median {m:.3f} ms over {len(ms)} jobs -> {1000/m:,.0f} images/s per core")'

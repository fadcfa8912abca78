#!/usr/bin/env bash
# AppHost start-up time: from launching `dotnet run --no-build --project AppHost --launch-profile http`
# (everything prebuilt; Aspire's DCP and dashboard, Redis as the local redis-server) until the AppHost prints
# "All resources are healthy" (Redis, Inference.Service, 2x Preprocessing.Worker, Gateway.Api all Running and
# healthy, as Aspire's health checks see them). Baseline, in the same run: starting Inference.Service alone
# (`dotnet <dll>`) until its /health answers 200. Runs are interleaved (baseline, AppHost, baseline, AppHost, ...);
# prints every run, the medians and the ratio. Each AppHost run is stopped with SIGTERM and must leave no
# redis-server or service process of its own behind.
#
#   bench/apphost-startup.sh [runs=3]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
runs="${1:-3}"
out="$repo_root/bench/out/apphost-startup"
rm -rf "$out"; mkdir -p "$out"

log() { printf '[apphost-startup] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

log "building AppHost and the services (not timed)"
for project in AppHost Inference.Service Preprocessing.Worker Gateway.Api; do
    dotnet build "$project" --nologo -v q -clp:NoSummary >/dev/null
done
inference_dll="$(ls "$repo_root"/Inference.Service/bin/Debug/net*/MlAspire.Inference.Service.dll | head -1)"

# Ends a process and its descendants (SIGTERM, then SIGKILL after 15 s).
stop_tree() {
    local pid="$1" children
    children="$(pgrep -P "$pid" || true)"
    for child in $children; do kill -TERM "$child" 2>/dev/null || true; done
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" $children 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

run_baseline() {
    local i="$1" http grpc start pid
    http="$(free_port)"; grpc="$(free_port)"
    start="$(now_ms)"
    (cd "$repo_root/Inference.Service" && exec env DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
        Kestrel__Endpoints__http__Url="http://127.0.0.1:$http" \
        Kestrel__Endpoints__grpc__Url="http://127.0.0.1:$grpc" Kestrel__Endpoints__grpc__Protocols=Http2 \
        dotnet "$inference_dll") >"$out/baseline-$i.log" 2>&1 &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$http/health"; do
        kill -0 "$pid" 2>/dev/null || { log "Inference.Service exited; see $out/baseline-$i.log"; exit 1; }
        [ $(( $(now_ms) - start )) -lt 180000 ] || { log "baseline timed out"; stop_tree "$pid"; exit 1; }
        sleep 0.05
    done
    echo $(( $(now_ms) - start ))
    stop_tree "$pid"
}

run_apphost() {
    local i="$1" start pid state="$out/state-$i"
    start="$(now_ms)"
    dotnet run --no-build --project AppHost --launch-profile http -- --AppHost:StateDirectory="$state" >"$out/apphost-$i.log" 2>&1 &
    pid=$!
    until grep -q 'All resources are healthy' "$out/apphost-$i.log"; do
        kill -0 "$pid" 2>/dev/null || { log "AppHost exited; see $out/apphost-$i.log"; exit 1; }
        [ $(( $(now_ms) - start )) -lt 300000 ] || { log "AppHost timed out"; stop_tree "$pid"; exit 1; }
        sleep 0.05
    done
    echo $(( $(now_ms) - start ))
    # What this run started: `dotnet run`, the AppHost below it, and DCP (detached; it watches the AppHost with
    # --monitor <pid>) with everything below it. SIGTERM to `dotnet run` must stop all of it.
    local apphost_pid dcp tree
    apphost_pid="$(pgrep -P "$pid" | head -1)"
    dcp="$(pgrep -f -- "--monitor $apphost_pid\b" || true)"
    tree="$(descendants "$pid" $dcp)"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 150); do [ -z "$(running $tree)" ] && break; sleep 0.1; done
    [ -z "$(running $tree)" ] || { log "run $i left processes behind: $(running $tree)"; exit 1; }
}

# The given processes and all below them.
descendants() {
    local all frontier next
    all="$*"; frontier="$*"
    while [ -n "$frontier" ]; do
        next=""
        for p in $frontier; do next="$next $(pgrep -P "$p" || true)"; done
        frontier="$(echo $next)"; all="$all $frontier"
    done
    echo $all
}

# Those of the given processes still running (zombies excluded).
running() { for p in "$@"; do ps -o stat= -p "$p" 2>/dev/null | grep -qv '^Z' && printf '%s ' "$p"; done; true; }

baseline=(); apphost=()
for i in $(seq "$runs"); do
    b="$(run_baseline "$i")"; baseline+=("$b"); log "run $i: Inference.Service alone ${b} ms"
    a="$(run_apphost "$i")"; apphost+=("$a"); log "run $i: AppHost to all healthy ${a} ms"
done

/usr/bin/python3 - "${baseline[*]}" "${apphost[*]}" <<'PY'
import statistics, sys
baseline = [int(x) for x in sys.argv[1].split()]
apphost = [int(x) for x in sys.argv[2].split()]
b, a = statistics.median(baseline), statistics.median(apphost)
print(f"Inference.Service alone to /health 200 (ms): {baseline}  median {b:.0f}")
print(f"AppHost to all replicas healthy (ms):        {apphost}  median {a:.0f}")
print(f"ratio AppHost / Inference.Service alone: {a / b:.2f}x")
PY

#!/usr/bin/env bash
# Our Redis client vs redis-benchmark against the same redis-server in the same run.
#   throughput: SET and GET, same connection count (-c) and commands in flight per connection (-P), in two modes:
#               concurrent = -P independent callers per connection, each awaiting one command at a time;
#               pipelined  = one caller per connection issues -P commands, then awaits them all;
#               batched    = one caller per connection queues -P commands on a RedisBatch and sends them in one write
#                            (what redis-benchmark -P does)
#               and a floor that is not our client: the same commands pre-encoded over plain .NET sockets, replies
#               counted by bytes and not parsed (what .NET's sockets and async machinery alone cost on this machine),
#               and the same over blocking sockets served by one thread (as redis-benchmark's own loop runs)
#   latency:    GET p50 with one connection and one command at a time (-c 1 -P 1)
#   costs:      per command, the client's CPU time, its context switches and the server's CPU time during the same
#               run (client + server CPU per command x ops/s = how many of the machine's cores the run kept busy)
# Usage: bench/redis.sh [requests]   (defaults keep the run well under 2 minutes)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="${1:-100000}"
[[ "$requests" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/redis.sh [requests]   (a positive number, not '$requests')" >&2; exit 2; }
latency_requests=20000
connections=4
pipeline=16
work="$(mktemp -d)"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/server.log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done

dotnet build -c Release "$repo_root/bench/Redis.Bench" -v q -nologo >/dev/null
bench_dll="$repo_root/bench/Redis.Bench/bin/Release/net10.0/MlAspire.Redis.Bench.dll"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# Three interleaved rounds (redis-benchmark, then ours) so that load from other processes hits both alike;
# each figure below is the median of its three rounds.
# redis-benchmark --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
# redis-benchmark's own CPU time (user + system) for its throughput run, from bash's `time`: it runs 2 x requests
# commands (SET, then GET), so CPU per command is that time / (2 x requests).
TIMEFORMAT='%U %S'
# The server's CPU time (user + system clock ticks, fields 14 and 15 of /proc/PID/stat) around redis-benchmark's run.
server_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$server_pid/stat"; }
clock_ticks="$(getconf CLK_TCK)"
for round in 1 2 3; do
    ticks_before="$(server_ticks)"
    { time redis-benchmark -p "$port" -t set,get -n "$requests" -c "$connections" -P "$pipeline" --csv >"$work/rb-raw.$round.csv"; } 2>"$work/rb-time.$round.txt"
    echo "$ticks_before $(server_ticks)" >"$work/rb-server.$round.txt"
    tr -d '"' <"$work/rb-raw.$round.csv" >"$work/rb-throughput.$round.csv"
    redis-benchmark -p "$port" -t get -n "$latency_requests" -c 1 -P 1 --csv | tr -d '"' >"$work/rb-latency.$round.csv"
    dotnet "$bench_dll" --port "$port" --server-pid "$server_pid" --clock-ticks "$clock_ticks" --connections "$connections" --pipeline "$pipeline" \
        --requests "$requests" --latency-requests "$latency_requests" >"$work/ours.$round.csv"
done

median() { sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
pick() { local files="$1" name="$2" col="$3"; cat $files | awk -F, -v n="$name" -v c="$col" '$1==n{print $c}' | median; }
rb_set=$(pick "$work/rb-throughput.*.csv" SET 2)
rb_get=$(pick "$work/rb-throughput.*.csv" GET 2)
rb_p50=$(pick "$work/rb-latency.*.csv" GET 5)
our_set=$(pick "$work/ours.*.csv" SET 2)
our_get=$(pick "$work/ours.*.csv" GET 2)
our_p50=$(pick "$work/ours.*.csv" GET_P1_P50_MS 2)
our_set_p=$(pick "$work/ours.*.csv" SET_P 2)
our_get_p=$(pick "$work/ours.*.csv" GET_P 2)
our_set_b=$(pick "$work/ours.*.csv" SET_B 2)
our_get_b=$(pick "$work/ours.*.csv" GET_B 2)
raw_set=$(pick "$work/ours.*.csv" RAW_SET 2)
raw_get=$(pick "$work/ours.*.csv" RAW_GET 2)
loop_set=$(pick "$work/ours.*.csv" RAW_LOOP_SET 2)
loop_get=$(pick "$work/ours.*.csv" RAW_LOOP_GET 2)
cpu_cost() { printf '%s us CPU/op (server %s), %s switches/op' "$(pick "$work/ours.*.csv" "$1_CPU_US_PER_OP" 2)" "$(pick "$work/ours.*.csv" "$1_SERVER_CPU_US_PER_OP" 2)" "$(pick "$work/ours.*.csv" "$1_SWITCHES_PER_OP" 2)"; }
bytes() { printf '%s B/op, %s' "$(pick "$work/ours.*.csv" "$1_BYTES_PER_OP" 2)" "$(cpu_cost "$1")"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
rb_cpu=$(for f in "$work"/rb-time.*.txt; do awk -v n="$requests" '{printf "%.2f\n", ($1 + $2) * 1e6 / (2 * n)}' "$f"; done | median)
rb_server_cpu=$(for f in "$work"/rb-server.*.txt; do awk -v n="$requests" -v hz="$clock_ticks" '{printf "%.2f\n", ($2 - $1) / hz * 1e6 / (2 * n)}' "$f"; done | median)

printf 'machine: %s cores, load average %s before, %s after\n' "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'throughput (-c %s -P %s, %s requests, median of 3)\n' "$connections" "$pipeline" "$requests"
printf '  redis-benchmark CPU: %s us/op, server %s us/op (SET and GET together; the whole process of each)\n' "$rb_cpu" "$rb_server_cpu"
printf '  SET  redis-benchmark %10.0f ops/s\n' "$rb_set"
printf '       ours batched     %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_set_b" "$(ratio "$our_set_b" "$rb_set")" "$(bytes SET_B)"
printf '       ours pipelined   %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_set_p" "$(ratio "$our_set_p" "$rb_set")" "$(bytes SET_P)"
printf '       ours concurrent  %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_set" "$(ratio "$our_set" "$rb_set")" "$(bytes SET)"
printf '       .NET sockets     %10.0f ops/s   ratio %s (the floor; ours batched / floor %s)   %s\n' "$raw_set" "$(ratio "$raw_set" "$rb_set")" "$(ratio "$our_set_b" "$raw_set")" "$(cpu_cost RAW_SET)"
printf '       one-thread loop  %10.0f ops/s   ratio %s (blocking sockets, no thread pool)   %s\n' "$loop_set" "$(ratio "$loop_set" "$rb_set")" "$(cpu_cost RAW_LOOP_SET)"
printf '  GET  redis-benchmark %10.0f ops/s\n' "$rb_get"
printf '       ours batched     %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_get_b" "$(ratio "$our_get_b" "$rb_get")" "$(bytes GET_B)"
printf '       ours pipelined   %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_get_p" "$(ratio "$our_get_p" "$rb_get")" "$(bytes GET_P)"
printf '       ours concurrent  %10.0f ops/s   ratio %s (goal >= 0.80)   %s\n' "$our_get" "$(ratio "$our_get" "$rb_get")" "$(bytes GET)"
printf '       .NET sockets     %10.0f ops/s   ratio %s (the floor; ours batched / floor %s)   %s\n' "$raw_get" "$(ratio "$raw_get" "$rb_get")" "$(ratio "$our_get_b" "$raw_get")" "$(cpu_cost RAW_GET)"
printf '       one-thread loop  %10.0f ops/s   ratio %s (blocking sockets, no thread pool)   %s\n' "$loop_get" "$(ratio "$loop_get" "$rb_get")" "$(cpu_cost RAW_LOOP_GET)"
printf 'latency (-c 1 -P 1, %s requests, median of 3)\n' "$latency_requests"
printf '  GET p50  redis-benchmark %.4f ms   ours %.4f ms   ratio %s (goal <= 1.20)   %s B/op\n' "$rb_p50" "$our_p50" "$(ratio "$our_p50" "$rb_p50")" "$(pick "$work/ours.*.csv" GET_P1_BYTES_PER_OP 2)"

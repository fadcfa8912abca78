#!/usr/bin/env bash
# gRPC unary throughput: a Grpc.AspNetCore server vs a plain Kestrel HTTP/2 endpoint echoing the same bytes, both on one
# Kestrel (h2c, 127.0.0.1) and both driven by h2load with the same connections/streams/requests, alternating rounds.
# Then Grpc.Net.Client against that server. Prints a summary; takes about a minute.
#   REQUESTS (default 100000)  CONNECTIONS (4)  STREAMS (32 per connection)  ROUNDS (3)  CLIENT_SECONDS (5)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="${REQUESTS:-100000}"; connections="${CONNECTIONS:-4}"; streams="${STREAMS:-32}"; rounds="${ROUNDS:-5}"
client_seconds="${CLIENT_SECONDS:-5}"
out="$repo_root/bench/out/grpc"; mkdir -p "$out"

command -v h2load >/dev/null || { echo "h2load missing (Debian nghttp2-client; eng/setup.sh installs it)"; exit 1; }
dotnet build "$repo_root/bench/Grpc.Bench" -c Release --nologo -v quiet >/dev/null
bench_dll="$repo_root/bench/Grpc.Bench/bin/Release/net10.0/MlAspire.Grpc.Bench.dll"
dotnet "$bench_dll" frame "$out/request.bin"

# Server: stdin from a fifo we hold open; closing it stops the server.
rm -f "$out/stdin"; mkfifo "$out/stdin"
dotnet "$bench_dll" serve <"$out/stdin" >"$out/port" &
server_pid=$!
exec 3>"$out/stdin"
cleanup() { exec 3>&- || true; wait "$server_pid" 2>/dev/null || true; rm -f "$out/stdin"; }
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$out/port" ] && break; sleep 0.1; done
port="$(head -n1 "$out/port")"
base="http://127.0.0.1:$port"

run_h2load() { # path -> req/s
    h2load -n "$requests" -c "$connections" -m "$streams" -d "$out/request.bin" \
        -H 'content-type: application/grpc' -H 'te: trailers' "$base$1" >"$out/h2load.txt" 2>&1
    grep -q "$requests succeeded" "$out/h2load.txt" || { cat "$out/h2load.txt" >&2; exit 1; }
    awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$out/h2load.txt"
}

# Warm-up (JIT tiering, connection pools) for every endpoint.
run_h2load /plain/echo >/dev/null; run_h2load /plain/trailer >/dev/null; run_h2load /bench.Bench/Echo >/dev/null

plain=(); trailer=(); grpc=()
for r in $(seq 1 "$rounds"); do
    plain+=("$(run_h2load /plain/echo)")
    trailer+=("$(run_h2load /plain/trailer)")
    grpc+=("$(run_h2load /bench.Bench/Echo)")
    echo "round $r: plain ${plain[-1]}  plain+trailer ${trailer[-1]}  grpc ${grpc[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
plain_m="$(median "${plain[@]}")"; trailer_m="$(median "${trailer[@]}")"; grpc_m="$(median "${grpc[@]}")"
ratio="$(awk -v g="$grpc_m" -v p="$plain_m" 'BEGIN { printf "%.1f", 100 * g / p }')"
ratio_t="$(awk -v g="$grpc_m" -v p="$trailer_m" 'BEGIN { printf "%.1f", 100 * g / p }')"
client_line="$(dotnet "$bench_dll" client "$base" "$client_seconds" $((connections * streams)))"

echo "h2load -n $requests -c $connections -m $streams -d request.bin (37-byte framed BytesValue)"
echo "plain Kestrel median:           $plain_m req/s"
echo "plain Kestrel + trailer median: $trailer_m req/s"
echo "Grpc.AspNetCore median:         $grpc_m req/s"
echo "ratio grpc/plain: $ratio %   grpc/(plain+trailer): $ratio_t %"
echo "Grpc.Net.Client -> Grpc.AspNetCore ($((connections * streams)) concurrent calls, ${client_seconds}s): $client_line"

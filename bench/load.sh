#!/usr/bin/env bash
# The load tool against a running gateway, e.g. the one `dotnet run --project AppHost` prints:
#   bench/load.sh --gateway http://127.0.0.1:5080 --rate 50 --duration 30 --api-key "$KEY"
# Reports accepted / succeeded / failed / lost jobs and latency percentiles; exits 1 when an accepted job was lost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build bench/Load.Bench -c Release --nologo -v q >/dev/null
exec dotnet bench/Load.Bench/bin/Release/net10.0/MlAspire.Load.Bench.dll "$@"

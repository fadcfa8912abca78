#!/usr/bin/env bash
# The fault scenarios of tests/Resilience.Tests (worker and inference SIGKILLed, Redis restarted, poison jobs,
# overload), each under load from bench/Load.Bench, run longer than CI runs them; prints the table BENCHMARKS.md keeps.
# usage: bench/faults.sh [seconds of load per scenario, default 60] [jobs/s, default 40]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export MLASPIRE_SCENARIO_SECONDS="${1:-60}" MLASPIRE_SCENARIO_RATE="${2:-40}"
rm -rf artifacts/resilience
dotnet build tests/Resilience.Tests -c Release --nologo -v q
rc=0
dotnet test tests/Resilience.Tests -c Release --no-build --nologo -v q --logger "console;verbosity=normal" || rc=$?
python3 - <<'PY'
import glob, json
rows = [json.load(open(p)) for p in sorted(glob.glob("artifacts/resilience/*.json"))]
rows.sort(key=lambda r: r["scenario"] != "baseline")
base = next((r["p99Ms"] for r in rows if r["scenario"] == "baseline"), None)
print("| scenario | load | accepted | succeeded | failed | lost | refused | reclaimed jobs p99 ms (from the kill) | peak RSS MiB | p99 ms | p99 / baseline | note |")
print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- |")
for r in rows:
    refused = ", ".join(f"{n} x {s}" for s, n in sorted(r["rejected"].items())) or "0"
    rss = ", ".join(f"{k} {v:.0f}" for k, v in r["peakRssMiB"].items())
    p99 = f'{r["p99Ms"]:.0f}' if r["p99Ms"] is not None else "-"
    ratio = f'{r["p99Ms"] / base:.1f}x' if base and r["p99Ms"] is not None else "-"
    reclaimed = f'{r["reclaimedP99Ms"]:.0f}' if r.get("reclaimedP99Ms") is not None else "-"
    print(f'| {r["scenario"]} | {r["load"]} | {r["accepted"]} | {r["succeeded"]} | {r["failed"]} | {r["lost"]} | {refused} | {reclaimed} | {rss} | {p99} | {ratio} | {r["note"] or ""} |')
PY
exit "$rc"

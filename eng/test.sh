#!/usr/bin/env bash
# Sets up the machine, builds the solution and runs every test project.
# Ends with one line "N passed, N failed, N skipped" summed from the test results.
# Extra arguments go to `dotnet test` (for example: eng/test.sh --filter "FullyQualifiedName~Redis").
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash eng/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

results="$repo_root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build MlAspire.sln --nologo --verbosity quiet; then
    echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

run_tests() {
    dotnet test "$@" --no-build --nologo --verbosity quiet \
        --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
}

# The container end-to-end test builds every image with Docker for minutes, which starves a small machine; it runs
# on its own after the rest so that the timing of the process-level tests is not measured against image builds.
containers="FullyQualifiedName~MlAspire.AppHost.Tests.Containers"
if [ "$#" -gt 0 ]; then
    run_tests MlAspire.sln "$@"
    test_rc=$?
else
    run_tests MlAspire.sln --filter "FullyQualifiedName!~MlAspire.AppHost.Tests.Containers"
    test_rc=$?
    run_tests tests/AppHost.Tests/AppHost.Tests.csproj --filter "$containers" || test_rc=1
fi

# Sum the counters of every TRX file: <Counters total=".." executed=".." passed=".." failed=".." ...>
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    # The failed tests' names and the first lines of their messages, on stderr, so that the tail of a long run says which.
    for r in root.iter("{%s}UnitTestResult" % ns["t"]):
        if r.get("outcome") not in ("Passed", "NotExecuted"):
            message = (r.findtext("t:Output/t:ErrorInfo/t:Message", "", ns) or "").strip().splitlines()
            print("FAILED %s (%s): %s" % (r.get("testName"), r.get("outcome"), " / ".join(message[:3])[:600]), file=sys.stderr)
    summary = root.find("t:ResultSummary", ns)
    c = None if summary is None else summary.find("t:Counters", ns)
    if c is None:
        continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("total", 0)) - int(c.get("executed", 0))
    # Failures outside any test (a class fixture's cleanup, a crashed test host) count too: the run failed.
    # xunit also logs each failed test as an error line ("... [FAIL]"); that one is already counted above.
    f += sum(1 for r in summary.findall("t:RunInfos/t:RunInfo", ns)
             if r.get("outcome") == "Error" and not (r.findtext("t:Text", "", ns) or "").rstrip().endswith("[FAIL]"))
print(p, f, s)
PY
)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$test_rc" -ne 0 ] || [ "${failed:-0}" -ne 0 ]; then exit 1; fi

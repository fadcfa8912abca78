#!/usr/bin/env bash
# Sets up the machine, then runs the whole system through the AppHost with the Aspire dashboard.
# Uses the AppHost's `http` launch profile (no HTTPS development certificate needed); extra arguments go to the
# AppHost (for example: eng/run.sh --AppHost:RedisContainer=true). Ctrl+C or SIGTERM stops everything it started.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo_root/eng/setup.sh"
exec dotnet run --project "$repo_root/AppHost" --launch-profile http -- "$@"

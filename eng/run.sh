#!/usr/bin/env bash
# Sets up the machine, then runs the whole system through the AppHost (Ctrl+C stops everything).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo_root/eng/setup.sh"
exec dotnet run --project "$repo_root/AppHost" -- "$@"

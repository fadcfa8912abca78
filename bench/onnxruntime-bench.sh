#!/usr/bin/env bash
# In-process ONNX Runtime throughput/latency of models/digits at batch 1, 8 and 32 (baseline: batch 1, same run).
#   bench/onnxruntime-bench.sh [seconds-per-slice=2] [rounds=5] [intra-op-threads=1]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build bench/OnnxRuntime.Bench -c Release --nologo --verbosity quiet
exec dotnet bench/OnnxRuntime.Bench/bin/Release/net10.0/MlAspire.OnnxRuntime.Bench.dll "${1:-2}" "${2:-5}" "${3:-1}"

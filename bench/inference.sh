#!/usr/bin/env bash
# Inference serving vs in-process ONNX Runtime, same run: (a) in-process, (b) gRPC without batching, (c) gRPC with
# dynamic batching, at concurrency 1/8/32, for models/digits and (when torch+torchvision are installed) ResNet-50
# with random weights exported at bench time into bench/out/ (not committed).
#   bench/inference.sh [seconds-per-cell=3] [--no-resnet]
#   RESNET_MAX_BATCH=32: max_batch_size of the ResNet-50 config (bench/export_resnet50.py)
#   WARMUP_SECONDS=10: untimed load (32 callers) before each mode's cells, so that they measure tiered-up .NET code
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-3}"
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: bench/inference.sh [seconds-per-cell] [--no-resnet]   (a number, not '$seconds')" >&2; exit 2; }
[[ "${WARMUP_SECONDS:-10}" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "WARMUP_SECONDS must be a number of seconds, not '$WARMUP_SECONDS'" >&2; exit 2; }
models=("$PWD/models/digits")
if [ "${2:-}" != "--no-resnet" ] && /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
    /usr/bin/python3 bench/export_resnet50.py bench/out/resnet50 "${RESNET_MAX_BATCH:-32}" >/dev/null
    models+=("$PWD/bench/out/resnet50")
else
    echo "ResNet-50 skipped: needs Debian python3-torch and python3-torchvision (apt-get install python3-torchvision)" >&2
fi
dotnet build Inference.Service -c Release --nologo --verbosity quiet
dotnet build bench/Inference.Bench -c Release --nologo --verbosity quiet
exec dotnet bench/Inference.Bench/bin/Release/net10.0/MlAspire.Inference.Bench.dll \
    "$PWD/Inference.Service/bin/Release/net10.0/MlAspire.Inference.Service.dll" "$seconds" "${models[@]}"

#!/usr/bin/env bash
# GPU check of Inference.Service on ONNX Runtime's CUDA provider, for a machine with an NVIDIA GPU but no .NET SDK
# and no network. Two steps:
#
#   bench/gpu-check.sh prepare          here (with the SDK): self-contained linux-x64 publishes of Inference.Service
#                                       (with the package's libonnxruntime_providers_cuda.so) and of the check driver
#                                       into bench/out/gpu-check/ (ignored); exports ResNet-50 too when torch is here
#   bench/gpu-check.sh run [seconds=5]  on the GPU machine, from a copy of the repository tree with bench/out/:
#                                       puts the CUDA 13 / cuDNN 9 libraries of the Python environment's nvidia-*
#                                       packages (site-packages/nvidia/*/lib) on LD_LIBRARY_PATH, starts the service on
#                                       digits and (when bench/out/resnet50 exists) ResNet-50, each as a GPU and a CPU
#                                       copy; checks the GPU copy runs on CUDAExecutionProvider, that its outputs match
#                                       the CPU copy's within 1e-4 (absolute, or relative to the largest output when
#                                       that exceeds 1), and prints ResNet-50 images/s at batch 1, 8 and 32 on each.
#   bench/gpu-check.sh run-cpu [seconds] the same without requiring CUDA: proves the published half on a machine
#                                       without a GPU (the GPU copies fall back to the CPU and say why)
#
#   PYTHON=/path/to/python3   the Python whose site-packages hold nvidia-cublas-cu13, nvidia-cuda-runtime-cu13,
#                             nvidia-curand-cu13, nvidia-cudnn-cu13 (default: python3 on PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="bench/out/gpu-check"
mode="${1:-}"
seconds="${2:-5}"
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "seconds must be a number, not '$seconds'" >&2; exit 2; }

case "$mode" in
prepare)
    rm -rf "$out"
    dotnet publish Inference.Service -c Release -r linux-x64 --self-contained -o "$out/service" --nologo --verbosity quiet
    dotnet publish bench/Gpu.Check -c Release -r linux-x64 --self-contained -o "$out/check" --nologo --verbosity quiet
    for lib in libonnxruntime.so libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so; do
        [ -f "$out/service/$lib" ] || { echo "the publish lacks $lib" >&2; exit 1; }
    done
    if [ ! -f bench/out/resnet50/1/model.onnx ]; then
        if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
            /usr/bin/python3 bench/export_resnet50.py bench/out/resnet50 32 >/dev/null
        else
            echo "ResNet-50 not exported (needs python3-torch and python3-torchvision); run will check digits only" >&2
        fi
    fi
    echo "prepared $out ($(du -sh "$out" | cut -f1)); copy the repository tree with bench/out/ to the GPU machine and run: bench/gpu-check.sh run"
    ;;
run|run-cpu)
    [ -x "$out/service/MlAspire.Inference.Service" ] && [ -x "$out/check/MlAspire.Gpu.Check" ] ||
        { echo "$out is not prepared: run 'bench/gpu-check.sh prepare' on a machine with the .NET SDK first" >&2; exit 1; }
    python="${PYTHON:-python3}"
    cuda_libs=""
    if command -v "$python" >/dev/null; then
        while IFS= read -r dir; do
            for lib in "$dir"/nvidia/*/lib; do
                [ -d "$lib" ] && cuda_libs="${cuda_libs:+$cuda_libs:}$lib"
            done
        done < <("$python" -c 'import site, sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null)
    fi
    if [ -n "$cuda_libs" ]; then
        export LD_LIBRARY_PATH="$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        echo "CUDA libraries from $python's nvidia-* packages: $cuda_libs"
    else
        echo "no site-packages/nvidia/*/lib found for $python; relying on the system's CUDA libraries" >&2
    fi
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    models=("$PWD/models/digits")
    [ -f bench/out/resnet50/1/model.onnx ] && models+=("$PWD/bench/out/resnet50")
    require=yes
    [ "$mode" = run-cpu ] && require=no
    exec "$out/check/MlAspire.Gpu.Check" "$PWD/$out/service/MlAspire.Inference.Service" "$seconds" "$require" "${models[@]}"
    ;;
*)
    echo "usage: bench/gpu-check.sh prepare | run [seconds-per-cell] | run-cpu [seconds-per-cell]" >&2
    exit 2
    ;;
esac

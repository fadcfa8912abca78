#!/usr/bin/env bash
# Reproduces the "Image preprocessing" numbers in BENCHMARKS.md: generates the inputs with ImageMagick into
# bench/out/imaging (git-ignored) and runs the single-thread throughput harness in Release.
#   bench/Imaging.Bench/run.sh [seconds-per-round] [rounds]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo_root/bench/out/imaging"
mkdir -p "$out"
im=convert
if command -v magick >/dev/null 2>&1; then im=magick; fi
"$im" -seed 11 -size 640x480 plasma:fractal -depth 8 -quality 90 -sampling-factor 2x2 "$out/photo-640x480.jpg"
"$im" -size 28x28 xc:white -fill black -draw "rectangle 10,4 17,23" -depth 8 -define png:color-type=0 "$out/digit-28x28.png"
dotnet run -c Release --project "$repo_root/bench/Imaging.Bench" -- \
    "$out/photo-640x480.jpg" "$out/digit-28x28.png" "${1:-1}" "${2:-5}"

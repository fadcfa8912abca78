#!/usr/bin/env bash
# Builds every service image with the AppHost's publish steps (ContainerImages:Build=true) on the local stand-in base images and prints each image's
# size against the base it starts from (the baseline measured in the same run). Needs a running Docker engine,
# root and debootstrap (see tests/AppHost.Tests/Containers/build-local-base-images.sh).
#   bench/container-image-sizes.sh [tag]      (default tag: bench); images are left for inspection:
#   remove them with  docker rmi mlaspire/{inference,preprocessing,gateway}:<tag>
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tag="${1:-bench}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

bash "$repo_root/tests/AppHost.Tests/Containers/build-local-base-images.sh"
start=$(date +%s)
dotnet run --project "$repo_root/AppHost" -- --operation publish --step publish --output-path "$out" \
    --ContainerImages:Build=true --ContainerImages:Tag="$tag" \
    --ContainerImages:BuildArgs:SDK_IMAGE=mlaspire-local/sdk:10.0 --ContainerImages:BuildArgs:BASE_IMAGE=mlaspire-local/aspnet:10.0 >/dev/null
echo "publish with ContainerImages:Build: $(( $(date +%s) - start )) s"

base=$(docker image inspect -f '{{.Size}}' mlaspire-local/aspnet:10.0)
printf '%-28s %10s %10s %8s\n' image MB "+MB" "x base"
awk -v b="$base" 'BEGIN { printf "%-28s %10.1f %10s %8.2f\n", "mlaspire-local/aspnet:10.0", b/1e6, "-", 1 }'
for service in inference preprocessing gateway; do
    size=$(docker image inspect -f '{{.Size}}' "mlaspire/$service:$tag")
    awk -v n="mlaspire/$service:$tag" -v s="$size" -v b="$base" 'BEGIN { printf "%-28s %10.1f %10.1f %8.2f\n", n, s/1e6, (s-b)/1e6, s/b }'
done

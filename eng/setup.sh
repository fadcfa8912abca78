#!/usr/bin/env bash
# Installs what MlAspire needs on a fresh Debian 12 machine, then restores the solution.
# Idempotent: a second run installs nothing and only re-checks.
#
#   MLASPIRE_SKIP_APT=1   skip the apt step (for machines where packages are managed elsewhere)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[setup] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        log "need root to run: $*"; return 1; fi
}

# --- Debian packages -------------------------------------------------------------------------
# redis-server: queue and tests; libturbojpeg0/libspng0: image decoding; python3-grpcio and
# python3-protobuf: gRPC interop peer; python3-grpc-tools: protoc for the interop peer's stubs (generated
# at test time); nghttp2-client: h2load for benchmarks; imagemagick: reference decoder for image tests;
# python3-jsonschema: validates the published Aspire manifest; chromium: headless browser for the dashboard's
# browser test (driven by Microsoft.Playwright from NuGet; Playwright's own browser download is never used).
apt_packages=(redis-server redis-tools libturbojpeg0 libspng0 python3-grpcio python3-protobuf python3-grpc-tools
              nghttp2-client imagemagick ca-certificates python3-jsonschema chromium)
if [ "${MLASPIRE_SKIP_APT:-0}" != "1" ]; then
    missing=()
    for p in "${apt_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
        log "Debian packages present"
    fi
fi

# --- Kubernetes schema validator (tests/KubernetesValidation: npm kubernetes-models + js-yaml) -------
validation_dir="$repo_root/tests/KubernetesValidation"
if [ ! -d "$validation_dir/node_modules/kubernetes-models" ]; then
    log "installing the Kubernetes schema validator's npm packages (npm ci)"
    (cd "$validation_dir" && npm ci --no-audit --no-fund --silent)
else
    log "Kubernetes schema validator present"
fi

# --- Docker engine (CI only: container builds and the container end-to-end test) ----------------
# docker.io + docker-compose run the images publishing builds (ContainerImages:Build); debootstrap builds the local base
# image (no image registry is reachable). Where the engine cannot start (no privileges, cgroups or
# overlayfs) this only logs why; the end-to-end test then says so and returns.
if [ "${CI:-}" = "true" ] && [ "${MLASPIRE_SKIP_DOCKER:-0}" != "1" ]; then
    docker_missing=()
    command -v dockerd >/dev/null 2>&1 || docker_missing+=(docker.io)
    command -v docker-compose >/dev/null 2>&1 || docker_missing+=(docker-compose)
    command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || docker_missing+=(debootstrap)
    if [ "${#docker_missing[@]}" -gt 0 ]; then
        log "installing ${docker_missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${docker_missing[@]}" \
            || log "could not install ${docker_missing[*]}; container tests will say why they did not run"
    fi
    if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1; then
        log "starting dockerd (log: /tmp/mlaspire-dockerd.log)"
        as_root sh -c 'nohup dockerd >/tmp/mlaspire-dockerd.log 2>&1 &' || true
        for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
        docker info >/dev/null 2>&1 && log "Docker engine running" \
            || log "dockerd did not start (see /tmp/mlaspire-dockerd.log); container tests will say why they did not run"
    fi
fi

# --- .NET restore --------------------------------------------------------------------------------
log "restoring the solution"
dotnet restore "$repo_root/MlAspire.sln" --verbosity quiet
log "done"

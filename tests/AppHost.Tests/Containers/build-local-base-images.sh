#!/usr/bin/env bash
# Builds local stand-ins for the public images the generated Dockerfiles and compose file name, for machines
# that reach no image registry (ours reach only the apt/npm/NuGet mirrors):
#   mlaspire-local/aspnet:10.0   Debian 12 (debootstrap --variant=minbase) + this machine's ASP.NET Core runtime,
#                                user 'app' (UID 1654, APP_UID) as in mcr.microsoft.com/dotnet/aspnet
#   mlaspire-local/sdk:10.0      the same + this machine's .NET SDK
#   mlaspire-local/redis:7       the same Debian + Debian's redis-server (stand-in for docker.io/library/redis)
# Idempotent: an image that exists is kept. Needs root, debootstrap and a running Docker engine.
#   MLASPIRE_ROOTFS   where the debootstrap folder is kept between runs (default /var/tmp/mlaspire-rootfs)
set -euo pipefail

rootfs="${MLASPIRE_ROOTFS:-/var/tmp/mlaspire-rootfs}"
mirror="${MLASPIRE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
log() { printf '[base-images] %s\n' "$*"; }
have() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have mlaspire-local/debian:bookworm; then
    if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
        log "debootstrap Debian bookworm into $rootfs"
        rm -rf "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    fi
    log "installing the .NET runtime dependencies into the root filesystem"
    chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        ca-certificates libssl3 tzdata >/dev/null
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/*
    log "importing mlaspire-local/debian:bookworm"
    tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - mlaspire-local/debian:bookworm >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! have mlaspire-local/aspnet:10.0; then
    log "building mlaspire-local/aspnet:10.0 from $dotnet_root"
    mkdir -p "$work/aspnet/dotnet/shared"
    cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$work/aspnet/dotnet/"
    cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$work/aspnet/dotnet/shared/"
    # Trust what this machine trusts: its registry traffic may pass a TLS proxy with a local root CA.
    mkdir -p "$work/aspnet/ca"
    find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$work/aspnet/ca/" \; 2>/dev/null || true
    cat > "$work/aspnet/Dockerfile" <<'DOCKERFILE'
FROM mlaspire-local/debian:bookworm
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_ROOT=/usr/share/dotnet
RUN groupadd --gid=1654 app && useradd --no-log-init --uid=1654 --gid=1654 --create-home app
COPY dotnet/ /usr/share/dotnet/
COPY ca/ /usr/local/share/ca-certificates/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && update-ca-certificates >/dev/null
DOCKERFILE
    docker build -q -t mlaspire-local/aspnet:10.0 "$work/aspnet" >/dev/null
fi

if ! have mlaspire-local/sdk:10.0; then
    log "building mlaspire-local/sdk:10.0 from $dotnet_root"
    mkdir -p "$work/sdk"
    cp -a "$dotnet_root/sdk" "$dotnet_root/sdk-manifests" "$dotnet_root/packs" "$dotnet_root/templates" "$work/sdk/" 2>/dev/null || true
    cat > "$work/sdk/Dockerfile" <<'DOCKERFILE'
FROM mlaspire-local/aspnet:10.0
# The official SDK image carries libicu; this stand-in runs the SDK without it.
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
COPY . /usr/share/dotnet/
DOCKERFILE
    docker build -q -t mlaspire-local/sdk:10.0 "$work/sdk" >/dev/null
fi

if ! have mlaspire-local/redis:7; then
    log "building mlaspire-local/redis:7"
    mkdir -p "$work/redis"
    cat > "$work/redis/Dockerfile" <<'DOCKERFILE'
FROM mlaspire-local/debian:bookworm
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
WORKDIR /data
CMD ["redis-server"]
DOCKERFILE
    docker build -q -t mlaspire-local/redis:7 "$work/redis" >/dev/null
fi
log "done"

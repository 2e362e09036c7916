#!/usr/bin/env bash
# Install the Debian 12 packages tern needs to build and test, if missing.
# Idempotent: asks apt only when something is absent. Run as root.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git ca-certificates curl
    libcurl4-openssl-dev libssl-dev libsqlite3-dev libjansson-dev
    libuv1-dev libexpat1-dev libmicrohttpd-dev
    zlib1g-dev libcrypt-dev libyaml-dev
    python3 python3-botocore clang clang-format
)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages and not root; run as root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

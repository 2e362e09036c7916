#!/usr/bin/env bash
# Install the Debian 12 packages tern needs to build and test, if missing.
# Idempotent: asks apt only when something is absent. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

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

# Node.js and npm run the third-party readers of tern's JSON plan format
# (tests/consumers). Debian's packages unless a Node.js is there already
# (another build of it, with its own npm, would conflict with Debian's).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: node and npm missing and not root; run as root" >&2
        exit 1
    fi
    echo "setup: installing nodejs npm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# The versions package-lock.json pins, from the npm registry.
if [ ! -d tests/consumers/node_modules/@ahmadnassri/terraform-unidiff ]; then
    echo "setup: installing tests/consumers (npm ci)"
    (cd tests/consumers && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

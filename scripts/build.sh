#!/usr/bin/env bash
# Configure and build into $TERN_BUILD_DIR (default build/).
# TERN_SANITIZE=address,undefined builds the sanitizer flavour.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TERN_BUILD_DIR:-build}
args=(-DCMAKE_BUILD_TYPE=${TERN_BUILD_TYPE:-RelWithDebInfo})
if [ -n "${TERN_SANITIZE:-}" ]; then
    args+=(-DTERN_SANITIZE="$TERN_SANITIZE")
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"

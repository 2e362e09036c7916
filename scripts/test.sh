#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run every test
# through ctest. Idempotent. TERN_SANITIZE and TERN_BUILD_DIR as build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
dir=${TERN_BUILD_DIR:-build}
cd "$dir"
ctest -j"$(nproc)" --output-on-failure

#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo on embedded defaults: generate a key,
# sign a request, verify it.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target wba
exec examples/demo.sh build/cli/wba

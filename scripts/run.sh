#!/usr/bin/env bash
# Installs what is missing, builds, and runs wbad on its embedded defaults (127.0.0.1:8421)
# with a demo: an agent's signed key directory served locally, a signed request verified.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target wba wbad
exec examples/demo.sh build/cli/wba build/daemon/wbad

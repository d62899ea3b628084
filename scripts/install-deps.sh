#!/usr/bin/env bash
# Installs the Debian (bookworm) packages webbotauth needs to build and test.
# Idempotent: apt-get update runs only when a package is missing. Works as root without sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsodium-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3 curl
)
# Extra groups, requested with flags, keep the run command's install small.
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(nodejs npm nginx-light caddy) ;;
    *) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
# Node may come from outside Debian (as on our build machines): accept a working node+npm.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

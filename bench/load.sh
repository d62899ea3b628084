#!/usr/bin/env bash
# wbad under load on loopback: throughput, p50/p99 latency, CPU time per verified request, and
# (SOAK=1) memory over a 5-minute run at half the maximum rate. Sends distinct pre-signed
# Web Bot Auth requests (bench/presign.cc) to the forward-auth endpoint with wrk + bench/load.lua.
# Everything stays on 127.0.0.1. Figures go to stdout; record them in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-15}     # seconds per wrk run
conns=${CONNS:-64}
wbad_threads=${WBAD_THREADS:-1}
wrk_threads=${WRK_THREADS:-1}
port=${PORT:-18431}

if ! command -v wrk >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk
fi
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DWBA_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target wbad wba_presign wba_bench >/dev/null

work=$(mktemp -d)
trap 'kill "$wbad_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
count=$((3 * 30000 * duration))
echo "# presigning $count requests"
build-release/bench/wba_presign "$count" 3600 "$work"

build-release/daemon/wbad --listen "127.0.0.1:$port" --threads "$wbad_threads" --log-level warn \
  --trust "https://agent.example=$work/agent.jwks.json" --replay-max-entries $((count * 3)) \
  --max-connections 100000 &
wbad_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$wbad_pid/stat"; }
hz=$(getconf CLK_TCK)
raw_ns=$(build-release/bench/wba_bench --benchmark_filter='BM_RawSodiumEd25519Verify$' \
  --benchmark_format=json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["cpu_time"])')
echo "# raw libsodium Ed25519 verify: ${raw_ns} ns CPU"

slice=0
run() {  # run NAME DELAY_MS: each run takes the next third of the presigned requests
  local before after out reqs
  before=$(cpu_ticks)
  out=$(wrk -t"$wrk_threads" -c"$conns" -d"${duration}s" -s bench/load.lua \
        "http://127.0.0.1:$port" -- "$work/requests.tsv" "$2" "$wrk_threads" \
        $((slice * count / 3)) $(((slice + 1) * count / 3)))
  slice=$((slice + 1))
  after=$(cpu_ticks)
  reqs=$(echo "$out" | awk '/^requests/ {gsub(",", "", $2); print $2}')
  echo "## $1"
  echo "$out" | grep -E '^(requests|latency|throughput)'
  python3 -c "t=($after-$before)/$hz; n=$reqs; print(f'wbad CPU {t:.2f} s for {n} requests: {t/n*1e6:.1f} us/request = {t/n*1e9/$raw_ns:.2f} x raw verify')"
  echo "$out" | awk '/^throughput/ {print $2}' > "$work/last_rps"
}

run "maximum throughput ($conns connections, wbad threads $wbad_threads)" 0
max=$(cat "$work/last_rps")
half=$(python3 -c "print(max(1, int($max / 2)))")
delay=$(python3 -c "print(max(1, round($conns * 1000 / $half)))")
run "half the maximum ($half req/s target: $conns connections, ${delay} ms between requests each)" "$delay"
echo "wbad RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' /proc/$wbad_pid/status)"

if [ "${SOAK:-0}" = 1 ]; then
  echo "## 5-minute soak at half the maximum rate: RSS every 30 s"
  duration=300
  (for i in $(seq 10); do sleep 30; echo "t=$((i * 30))s RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$wbad_pid/status)"; done) &
  sampler=$!
  run "soak" "$delay"
  wait "$sampler" || true
fi

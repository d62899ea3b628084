#!/bin/sh
# Instructions per operation (callgrind Ir) of the verification path, for docs/PERFORMANCE.md.
# Instruction counts do not depend on machine load, so they compare builds reliably where
# timings on a shared machine do not.
#
#   bench/callgrind_ir.sh [path/to/wba_verify_ir] [ops...]
#
# Each op runs 1000 and 2000 times under callgrind, counting only run_ops(); the difference
# divided by 1000 is the cost of one operation with setup and the one-off work in run_ops()
# cancelled out.
set -eu
bin=${1:-build-perf/bench/wba_verify_ir}
[ $# -gt 0 ] && shift
ops=${*:-parse-input parse-signatures base full raw profile profile-raw}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ir() {  # op iterations → total Ir inside run_ops
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_ops*' \
    --callgrind-out-file="$tmp/out" "$bin" "$1" "$2" >/dev/null 2>"$tmp/log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/log"
}

printf '%-18s %12s\n' op Ir/op
for op in $ops; do
  a=$(ir "$op" 1000)
  b=$(ir "$op" 2000)
  printf '%-18s %12s\n' "$op" $(((b - a) / 1000))
done

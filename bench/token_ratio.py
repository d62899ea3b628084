#!/usr/bin/env python3
"""Per-benchmark CPU time statistics and ratios from a Google Benchmark JSON report.

    build/bench/wba_token_bench --benchmark_repetitions=20 \\
        --benchmark_enable_random_interleaving=true --benchmark_format=json > rep.json
    bench/token_ratio.py rep.json [BASELINE]

For every benchmark: the number of repetitions and the min / median / max of the
per-repetition CPU time (aggregate rows are ignored), then each benchmark's median and min
divided by BASELINE's (default BM_NoToken). docs/PERFORMANCE.md, "Delegated tokens".
"""
import json
import statistics
import sys


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        report = json.load(f)
    baseline = sys.argv[2] if len(sys.argv) == 3 else "BM_NoToken"
    runs: dict[str, list[float]] = {}
    for b in report["benchmarks"]:
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        runs.setdefault(b["run_name"], []).append(b["cpu_time"] * scale)
    ctx = report.get("context", {})
    print(f"load average {ctx.get('load_avg')}")
    if baseline not in runs:
        print(f"no {baseline} in the report", file=sys.stderr)
        return 1
    base_med = statistics.median(runs[baseline])
    base_min = min(runs[baseline])
    print(f"{'benchmark':46} {'n':>3} {'min':>9} {'median':>9} {'max':>9} "
          f"{'spread':>7} {'med/base':>8} {'min/base':>8}")
    for name, t in runs.items():
        med = statistics.median(t)
        spread = (max(t) - min(t)) / med * 100
        print(f"{name:46} {len(t):3d} {min(t) / 1e3:9.2f} {med / 1e3:9.2f} "
              f"{max(t) / 1e3:9.2f} {spread:6.1f}% {med / base_med:8.3f} "
              f"{min(t) / base_min:8.3f}")
    print("(times in µs of CPU per operation; spread = (max - min) / median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

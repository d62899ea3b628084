#include "metrics/metrics.h"

#include <cstdio>

namespace wbad {

std::string_view to_string(Frontend f) noexcept {
  switch (f) {
    case Frontend::json_api:
      return "json_api";
    case Frontend::nginx:
      return "nginx";
    case Frontend::forward_auth:
      return "forward_auth";
    case Frontend::envoy:
      return "envoy";
    default:
      return "unknown";
  }
}

void Metrics::count_request(Frontend f) noexcept {
  requests_[static_cast<std::size_t>(f)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_verdict(Frontend f, wba::Reason reason) noexcept {
  static_assert(static_cast<std::size_t>(wba::Reason::insufficient_scope) < kReasons,
                "kReasons must exceed the highest Reason value");
  auto r = static_cast<std::size_t>(reason);
  if (r >= kReasons) r = 0;
  verdicts_[static_cast<std::size_t>(f)][r].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observe_latency(std::chrono::nanoseconds d) noexcept {
  // The bucket bounds in nanoseconds (exact: every bound is a whole number of ns), so the
  // search compares integers.
  static constexpr auto kBoundsNs = [] {
    std::array<std::int64_t, kLatencyBuckets.size()> b{};
    for (std::size_t i = 0; i < b.size(); ++i) {
      b[i] = static_cast<std::int64_t>(kLatencyBuckets[i] * 1e9 + 0.5);
    }
    return b;
  }();
  const std::int64_t ns = d.count();
  std::size_t i = 0;
  while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  char line[256];
  out += "# HELP wbad_requests_total Requests received, by front end.\n";
  out += "# TYPE wbad_requests_total counter\n";
  for (std::size_t f = 0; f < kFrontends; ++f) {
    std::snprintf(line, sizeof line, "wbad_requests_total{frontend=\"%s\"} %llu\n",
                  std::string(to_string(static_cast<Frontend>(f))).c_str(),
                  static_cast<unsigned long long>(requests_[f].load()));
    out += line;
  }
  out += "# HELP wbad_verdicts_total Verdicts, by front end and reason (ok = verified).\n";
  out += "# TYPE wbad_verdicts_total counter\n";
  for (std::size_t f = 0; f < kFrontends; ++f) {
    for (std::size_t r = 0; r < kReasons; ++r) {
      auto n = verdicts_[f][r].load();
      if (n == 0) continue;  // zero series of a closed set add nothing but noise
      std::snprintf(line, sizeof line, "wbad_verdicts_total{frontend=\"%s\",reason=\"%s\"} %llu\n",
                    std::string(to_string(static_cast<Frontend>(f))).c_str(),
                    std::string(wba::to_string(static_cast<wba::Reason>(r))).c_str(),
                    static_cast<unsigned long long>(n));
      out += line;
    }
  }
  out += "# HELP wbad_verification_seconds Time to reach a verdict.\n";
  out += "# TYPE wbad_verification_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load();
    std::snprintf(line, sizeof line, "wbad_verification_seconds_bucket{le=\"%g\"} %llu\n",
                  kLatencyBuckets[i], static_cast<unsigned long long>(cumulative));
    out += line;
  }
  cumulative += latency_buckets_.back().load();
  std::snprintf(line, sizeof line,
                "wbad_verification_seconds_bucket{le=\"+Inf\"} %llu\n"
                "wbad_verification_seconds_sum %.9f\nwbad_verification_seconds_count %llu\n",
                static_cast<unsigned long long>(cumulative),
                static_cast<double>(latency_sum_ns_.load()) / 1e9,
                static_cast<unsigned long long>(latency_count_.load()));
  out += line;
  std::snprintf(line, sizeof line,
                "# HELP wbad_replay_rejections_total Requests refused as replays.\n"
                "# TYPE wbad_replay_rejections_total counter\nwbad_replay_rejections_total %llu\n"
                "# HELP wbad_open_connections Open client connections.\n"
                "# TYPE wbad_open_connections gauge\nwbad_open_connections %lld\n",
                static_cast<unsigned long long>(replay_rejections_.load()),
                static_cast<long long>(open_connections_.load()));
  out += line;
  for (const auto& extra : extras_) extra(out);
  return out;
}

}  // namespace wbad

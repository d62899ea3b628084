// wbad's metrics in Prometheus text format (exposition format 0.0.4). Labels come only from
// closed sets (front ends, reason codes, outcomes), never from request data, so cardinality is
// bounded.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/result.h"

namespace wbad {

enum class Frontend { json_api, nginx, forward_auth, envoy, count };
std::string_view to_string(Frontend f) noexcept;

// One Prometheus text-format sample with its HELP and TYPE lines ("counter" or "gauge"), for
// components that append their own series through Metrics::add_extra.
inline void append_metric(std::string& out, std::string_view name, std::string_view type,
                          std::string_view help, std::uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n").append(name).append(" ");
  out.append(std::to_string(value)).append("\n");
}

class Metrics {
 public:
  // Verification latency buckets, in seconds (upper bounds).
  static constexpr std::array<double, 12> kLatencyBuckets{
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0, 5.0};

  void count_request(Frontend f) noexcept;
  void count_verdict(Frontend f, wba::Reason reason) noexcept;
  void observe_latency(std::chrono::nanoseconds d) noexcept;
  void count_replay_rejection() noexcept {
    replay_rejections_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_opened() noexcept { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() noexcept { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const noexcept { return open_connections_.load(); }

  // Extra lines appended by other components (the directory fetcher's and the token stage's
  // counters), in the order added. Call before serving: the list is not guarded.
  using Extra = std::function<void(std::string&)>;
  void add_extra(Extra extra) { extras_.push_back(std::move(extra)); }

  std::string render() const;

 private:
  static constexpr std::size_t kFrontends = static_cast<std::size_t>(Frontend::count);
  // Reason values are below 256 (wba/result.h numbers its groups in tens up to the 100s); a
  // larger one would be counted as "ok"'s slot 0, so keep this above the highest code.
  static constexpr std::size_t kReasons = 256;
  std::array<std::atomic<std::uint64_t>, kFrontends> requests_{};
  std::array<std::array<std::atomic<std::uint64_t>, kReasons>, kFrontends> verdicts_{};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> latency_buckets_{};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::atomic<std::uint64_t> replay_rejections_{0};
  std::atomic<std::int64_t> open_connections_{0};
  std::vector<Extra> extras_;
};

}  // namespace wbad

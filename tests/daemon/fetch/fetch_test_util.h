// Shared helpers of the fetcher tests: a manual clock, a scripted transport, directory
// responses made with the library's own serving code, and a callback collector.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fetch/clock.h"
#include "fetch/transport.h"
#include "keys/key_source.h"
#include "wba/crypto/key.h"
#include "wba/directory/directory.h"
#include "wba/directory/serve.h"
#include "wba/profile/signature_agent.h"

namespace wbad::testing {

// Time that moves only when told: steady and system clocks advance together.
class ManualClock {
 public:
  ManualClock() : state_(std::make_shared<State>()) {}
  fetch::Clock clock() const {
    auto s = state_;
    return fetch::Clock{[s] { return s->steady_base + std::chrono::seconds(s->offset.load()); },
                        [s] { return s->system_base + std::chrono::seconds(s->offset.load()); }};
  }
  void advance(std::chrono::seconds d) { state_->offset += d.count(); }
  std::int64_t unix_now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               (state_->system_base + std::chrono::seconds(state_->offset.load()))
                   .time_since_epoch())
        .count();
  }

 private:
  struct State {
    std::chrono::steady_clock::time_point steady_base{std::chrono::hours(1000)};
    // 2026-11-23T12:00:00Z: a fixed wall clock keeps HTTP dates and proofs reproducible.
    std::chrono::system_clock::time_point system_base{std::chrono::seconds(1795435200)};
    std::atomic<std::int64_t> offset{0};
  };
  std::shared_ptr<State> state_;
};

// A transport that answers from `responder` inline, or (responder unset) holds every fetch
// until the test completes it.
class FakeTransport : public fetch::HttpTransport {
 public:
  using Responder = std::function<fetch::FetchResult(const fetch::FetchRequest&)>;

  void fetch(fetch::FetchRequest request, fetch::FetchHandler done) override {
    std::unique_lock lock(mutex_);
    requests_.push_back(request);
    Responder responder = responder_;
    if (!responder) {
      held_.push_back(std::move(done));
      return;
    }
    lock.unlock();
    done(responder(request));
  }

  void respond_with(Responder r) {
    std::lock_guard lock(mutex_);
    responder_ = std::move(r);
  }
  void hold() { respond_with(nullptr); }

  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  std::size_t held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  fetch::FetchRequest last_request() const {
    std::lock_guard lock(mutex_);
    return requests_.back();
  }
  // Completes every held fetch with `result` (outside the lock, like a real transport).
  void complete_held(const fetch::FetchResult& result) {
    std::deque<fetch::FetchHandler> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& h : held) h(result);
  }

 private:
  mutable std::mutex mutex_;
  Responder responder_;
  std::vector<fetch::FetchRequest> requests_;
  std::deque<fetch::FetchHandler> held_;
};

// Collects KeySource answers from any thread.
class Answers {
 public:
  KeyCallback callback() {
    return [this](wba::Result<wba::VerifyingKey> r) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return results_.size() >= n; });
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return results_.size();
  }
  wba::Result<wba::VerifyingKey> at(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return results_.at(i);
  }
  wba::Result<wba::VerifyingKey> last() const {
    std::lock_guard lock(mutex_);
    return results_.back();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<wba::Result<wba::VerifyingKey>> results_;
};

inline wba::SigningKey new_key() {
  return wba::SigningKey::generate(wba::Algorithm::ed25519).value();
}

// A KeyQuery for a Signature-Agent member value, resolved like the profile does.
inline wba::profile::KeyQuery query_for(const std::string& member_uri, const std::string& keyid,
                                        bool allow_http = false) {
  wba::profile::AgentUrlPolicy policy;
  policy.allow_http = allow_http;
  policy.allow_data = true;
  auto loc = wba::profile::resolve_agent(
      wba::profile::SignatureAgentMember{"sig1", member_uri, wba::profile::MemberType::directory,
                                         false},
      policy);
  EXPECT_TRUE(loc.ok()) << (loc.ok() ? "" : loc.error().message());
  return wba::profile::KeyQuery{"sig1", keyid, loc.ok() ? std::optional(*loc) : std::nullopt};
}

inline std::vector<wba::VerifyingKey> public_keys(const std::vector<wba::SigningKey>& keys) {
  std::vector<wba::VerifyingKey> out;
  for (const auto& k : keys) out.push_back(k.verifying_key());
  return out;
}

// A 200 directory response without signatures: Content-Type of the draft plus `fields`.
inline fetch::FetchResult directory_result(
    const std::vector<wba::SigningKey>& keys,
    std::vector<std::pair<std::string, std::string>> fields = {}) {
  fetch::FetchResult r;
  r.status = 200;
  r.headers.add("Content-Type", std::string(wba::directory::kMediaType));
  for (auto& [n, v] : fields) r.headers.add(n, v);
  r.body = wba::directory::directory_body(public_keys(keys)).value();
  return r;
}

// A complete signed directory response (App. B.1) for `authority`, proofs created `created`.
inline fetch::FetchResult signed_directory_result(const std::vector<wba::SigningKey>& keys,
                                                  const std::string& authority,
                                                  std::int64_t created, std::int64_t max_age) {
  wba::directory::ServeOptions so;
  so.created = created;
  so.max_age = max_age;
  auto response = wba::directory::make_directory_response(keys, authority, so).value();
  fetch::FetchResult r;
  r.status = response.status;
  r.headers = response.headers;
  r.body = response.body.value_or("");
  return r;
}

inline fetch::FetchResult status_result(
    int status, std::vector<std::pair<std::string, std::string>> fields = {}) {
  fetch::FetchResult r;
  r.status = status;
  for (auto& [n, v] : fields) r.headers.add(n, v);
  return r;
}

inline fetch::FetchResult error_result(fetch::FetchError e, std::string detail = "scripted") {
  fetch::FetchResult r;
  r.error = e;
  r.detail = std::move(detail);
  return r;
}

}  // namespace wbad::testing

// A cache of documents fetched over HTTP — authorization-server metadata and JWKS — with the
// semantics of the key-directory cache (keys/directory_key_source.h), which it mirrors:
//   - freshness from the response, clamped by the loader (fetch/http_cache.h FreshnessPolicy:
//     metadata [10 min, 24 h], JWKS [5 min, 24 h], delegation.md §8); stale-while-revalidate
//     (serve stale, one background refresh) and stale-if-error (serve stale when the refresh
//     fails), never beyond max_age after the fetch (24 h);
//   - single-flight: one load per key at a time, lookups arriving meanwhile wait for it;
//   - a failed load never evicts the document held (not evidence); it is negative-cached with
//     exponential backoff from negative_ttl, Retry-After honoured, never beyond 5 minutes;
//   - a fresh document can be refetched on a caller's demand (an unknown kid) at most once per
//     forced_refresh_interval, measured from the last load of any kind: a flood of unknown kids
//     costs one refetch a minute;
//   - revalidation: the loader gets the validators of the document held (its URL, ETag,
//     Last-Modified) for a conditional request; a 304 renews the held document's freshness as a
//     load would (same generation), and is a failure when nothing is held;
//   - every successful load whose content (fingerprint) differs from the document held gets a new
//     generation number, unique across the cache, so dependants (cached token validations) can
//     tell that the keys they were checked with are gone.
// What a load is (HTTP fetches, parsing, the issuer check) is the Loader's business.
//
// Threading: get() may be called from any thread; one mutex guards the entries and is never
// held across a load or a callback (loads may complete inline).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fetch/clock.h"
#include "fetch/http_cache.h"
#include "token/token_metrics.h"
#include "wba/result.h"

namespace wbad {

// What a conditional request needs of the document held: where it came from and its
// validators (empty when the response had none, or nothing is held).
struct DocumentValidators {
  std::string url, etag, last_modified;
};

// The outcome of one load.
template <class T>
struct LoadedDocument {
  wba::Result<std::shared_ptr<const T>> value{wba::Error(wba::Reason::invalid_argument)};
  bool not_modified = false;                        // a 304: `value` is not read
  fetch::Freshness freshness;                       // success or 304: from the response, clamped
  std::optional<std::chrono::seconds> retry_after;  // failure: Retry-After of a 429/503
  std::string fingerprint;                          // success: identity of the content
  DocumentValidators validators;                    // success: for the next revalidation
};

struct DocumentCacheConfig {
  std::chrono::seconds negative_ttl{30};
  std::chrono::seconds max_negative_ttl{300};  // clamped to 300 s
  std::chrono::seconds forced_refresh_interval{60};
  std::chrono::seconds max_age{86400};  // nothing older than this since its load is served
  std::size_t max_entries = 256;
  bool count_changes = false;  // bump TokenMetrics::jwks_changed on a content change
};

template <class T>
class DocumentCache : public std::enable_shared_from_this<DocumentCache<T>> {
 public:
  struct Snapshot {
    std::shared_ptr<const T> value;
    std::uint64_t generation = 0;
  };
  using Callback = std::function<void(wba::Result<Snapshot>)>;
  using LoadDone = std::function<void(LoadedDocument<T>)>;
  using Loader =
      std::function<void(const std::string& key, const DocumentValidators& held, LoadDone done)>;
  // For a fresh document: whether this lookup wants it refetched (a kid the JWKS lacks).
  using WantsRefresh = std::function<bool(const T&)>;

  static std::shared_ptr<DocumentCache> make(Loader loader, DocumentCacheConfig config,
                                             fetch::Clock clock,
                                             std::shared_ptr<TokenMetrics> metrics) {
    return std::shared_ptr<DocumentCache>(new DocumentCache(std::move(loader), std::move(config),
                                                            std::move(clock), std::move(metrics)));
  }

  // Calls `done` exactly once, inline or from the thread a load completes on.
  void get(const std::string& key, const WantsRefresh& wants_refresh, Callback done) {
    std::optional<wba::Result<Snapshot>> answer;
    bool load = false;
    {
      std::lock_guard lock(mutex_);
      load = decide(key, wants_refresh, done, answer);
    }
    if (answer) done(std::move(*answer));
    if (load) start_load(key);
  }

  // The document held for `key` (fresh or not, never loads): for generation checks.
  std::optional<Snapshot> peek(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !it->second.value) return std::nullopt;
    return Snapshot{it->second.value, it->second.generation};
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Entry {
    std::shared_ptr<const T> value;
    std::uint64_t generation = 0;
    std::string fingerprint;
    DocumentValidators validators;
    SteadyTime loaded_at{};
    SteadyTime fresh_until{};
    SteadyTime swr_until{};
    SteadyTime sie_until{};
    std::optional<wba::Error> error;
    SteadyTime negative_until{};
    unsigned failures = 0;
    std::optional<SteadyTime> last_load_started;
    bool loading = false;
    std::vector<Callback> waiters;
    SteadyTime last_used{};
  };

  DocumentCache(Loader loader, DocumentCacheConfig config, fetch::Clock clock,
                std::shared_ptr<TokenMetrics> metrics)
      : loader_(std::move(loader)),
        config_(std::move(config)),
        clock_(std::move(clock)),
        metrics_(metrics ? std::move(metrics) : std::make_shared<TokenMetrics>()) {
    config_.max_negative_ttl = std::min(config_.max_negative_ttl, std::chrono::seconds(300));
    config_.negative_ttl = std::min(config_.negative_ttl, config_.max_negative_ttl);
    config_.max_entries = std::max<std::size_t>(config_.max_entries, 1);
  }

  Snapshot snapshot(const Entry& e) const { return Snapshot{e.value, e.generation}; }

  Entry& entry_for(const std::string& key, SteadyTime now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= config_.max_entries) evict_one();
      it = entries_.emplace(key, Entry{}).first;
    }
    it->second.last_used = now;
    return it->second;
  }

  void evict_one() {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.loading || !it->second.waiters.empty()) continue;
      if (victim == entries_.end() || it->second.last_used < victim->second.last_used) victim = it;
    }
    if (victim != entries_.end()) entries_.erase(victim);
  }

  // Under the lock: answer now (set `answer`), or wait for a load (the waiter is queued);
  // returns whether a load must be started once the lock is released.
  bool decide(const std::string& key, const WantsRefresh& wants_refresh, Callback& done,
              std::optional<wba::Result<Snapshot>>& answer) {
    const SteadyTime now = clock_.steady();
    Entry& e = entry_for(key, now);
    auto wait = [&] { e.waiters.push_back(std::move(done)); };
    auto begin_load = [&] {
      e.loading = true;
      e.last_load_started = now;
      wait();
      return true;
    };
    const bool negative = e.error && now < e.negative_until;
    if (e.value && now - e.loaded_at >= config_.max_age) e.value.reset();  // too old to serve

    if (!e.value) {
      if (e.loading) {
        fetch::bump(metrics_->document_coalesced);
        wait();
        return false;
      }
      if (negative) {
        fetch::bump(metrics_->document_negative_hit);
        answer = *e.error;
        return false;
      }
      return begin_load();
    }

    const bool wants = wants_refresh && wants_refresh(*e.value);
    if (now < e.fresh_until) {
      if (!wants) {
        answer = snapshot(e);
        return false;
      }
      if (e.loading) {
        fetch::bump(metrics_->document_coalesced);
        wait();
        return false;
      }
      if (e.last_load_started && now - *e.last_load_started < config_.forced_refresh_interval) {
        fetch::bump(metrics_->unknown_kid_rate_limited);
        answer = snapshot(e);
        return false;
      }
      fetch::bump(metrics_->unknown_kid_refresh);
      return begin_load();
    }

    // Stale.
    if (!wants && now < e.swr_until) {
      answer = snapshot(e);
      if (e.loading || negative) return false;
      e.loading = true;  // one background refresh, nobody waits for it
      e.last_load_started = now;
      return true;
    }
    if (e.loading) {
      fetch::bump(metrics_->document_coalesced);
      wait();
      return false;
    }
    if (negative) {
      if (now < e.sie_until) {
        fetch::bump(metrics_->document_stale_if_error);
        answer = snapshot(e);
      } else {
        fetch::bump(metrics_->document_negative_hit);
        answer = *e.error;
      }
      return false;
    }
    return begin_load();
  }

  void start_load(const std::string& key) {
    DocumentValidators held;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.value) held = it->second.validators;
    }
    // The completion holds the cache: a load in flight outlives its owner.
    loader_(key, held, [self = this->shared_from_this(), key](LoadedDocument<T> loaded) {
      self->on_loaded(key, std::move(loaded));
    });
  }

  void on_loaded(const std::string& key, LoadedDocument<T> loaded) {
    std::vector<Callback> waiters;
    std::vector<wba::Result<Snapshot>> answers;
    {
      std::lock_guard lock(mutex_);
      const SteadyTime now = clock_.steady();
      Entry& e = entry_for(key, now);
      e.loading = false;
      if (loaded.not_modified) {
        if (e.value) {
          fetch::bump(metrics_->document_not_modified);
          loaded.value = e.value;  // renewed below as a load of the same content
          loaded.fingerprint = e.fingerprint;
          loaded.validators = e.validators;
        } else {  // evicted or too old meanwhile: nothing to renew
          loaded.value = wba::Error(wba::Reason::issuer_metadata_unavailable,
                                    "304 Not Modified, but no document is held");
        }
      }
      if (loaded.value) {
        if (!e.value || loaded.fingerprint != e.fingerprint) {
          if (e.value && config_.count_changes) fetch::bump(metrics_->jwks_changed);
          e.generation = ++next_generation_;
          e.fingerprint = std::move(loaded.fingerprint);
        }
        e.value = std::move(loaded.value).value();
        e.validators = std::move(loaded.validators);
        e.loaded_at = now;
        const SteadyTime limit = now + config_.max_age;
        e.fresh_until = std::min(limit, now + loaded.freshness.fresh_for);
        e.swr_until = std::min(limit, e.fresh_until + loaded.freshness.stale_while_revalidate);
        e.sie_until = std::min(limit, e.fresh_until + loaded.freshness.stale_if_error);
        e.error.reset();
        e.failures = 0;
      } else {
        e.failures = std::min(e.failures + 1, 16u);
        std::chrono::seconds ttl = config_.negative_ttl * (1u << (e.failures - 1));
        if (loaded.retry_after) ttl = std::max(ttl, *loaded.retry_after);
        ttl = std::min(ttl, config_.max_negative_ttl);
        e.negative_until = now + ttl;
        e.error = loaded.value.error();
      }
      waiters = std::move(e.waiters);
      e.waiters.clear();
      for (std::size_t i = 0; i < waiters.size(); ++i) {
        if (!e.error) {
          answers.emplace_back(snapshot(e));
        } else if (e.value && now < e.sie_until) {
          fetch::bump(metrics_->document_stale_if_error);
          answers.emplace_back(snapshot(e));
        } else {
          answers.emplace_back(*e.error);
        }
      }
    }
    for (std::size_t i = 0; i < waiters.size(); ++i) waiters[i](std::move(answers[i]));
  }

  Loader loader_;
  DocumentCacheConfig config_;
  fetch::Clock clock_;
  std::shared_ptr<TokenMetrics> metrics_;

  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t next_generation_ = 0;
};

}  // namespace wbad

#include "keys/directory_key_source.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/url/parse.hpp>

#include "wba/directory/verify.h"
#include "wba/encoding/base64.h"
#include "wba/http/target.h"

namespace wbad {

namespace {

using fetch::bump;
using fetch::FetchError;
using fetch::FetchResult;
using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::seconds;
using wba::Error;
using wba::Reason;

// The draft's ceiling on negative caching (§6.7: "at most 5 minutes").
constexpr seconds kNegativeCeiling{300};

struct Waiter {
  std::string keyid;
  KeyCallback done;
};

using Directory = std::shared_ptr<const wba::directory::VerifiedDirectory>;

struct Entry {
  Directory dir;  // the last directory fetched successfully; only replaced by a newer success
  SteadyTime fresh_until{};
  SteadyTime swr_until{};
  SteadyTime sie_until{};
  std::string etag;
  std::string last_modified;
  wba::http::Fields cache_headers;  // Cache-Control/Expires of the last 200, merged by 304s
  std::optional<Error> error;       // the last fetch's failure, served until negative_until
  SteadyTime negative_until{};
  unsigned failures = 0;  // consecutive; drives the backoff
  std::optional<SteadyTime> last_fetch_started;
  bool fetching = false;
  std::vector<Waiter> waiters;
  SteadyTime last_used{};
};

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

bool is_well_known(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  return u && u->encoded_path() == wba::directory::kWellKnownPath;
}

}  // namespace

struct DirectoryKeySource::Impl : std::enable_shared_from_this<Impl> {
  Impl(std::shared_ptr<fetch::HttpTransport> t, std::shared_ptr<const fetch::OutboundPolicy> p,
       DirectoryKeySourceConfig c, fetch::Clock k, std::shared_ptr<fetch::FetchMetrics> m)
      : transport(std::move(t)),
        policy(std::move(p)),
        config(std::move(c)),
        clock(std::move(k)),
        metrics(m ? std::move(m) : std::make_shared<fetch::FetchMetrics>()) {
    config.cache.max_negative_ttl = std::min(config.cache.max_negative_ttl, kNegativeCeiling);
    config.cache.negative_ttl = std::min(config.cache.negative_ttl, config.cache.max_negative_ttl);
    if (config.cache.max_entries == 0) config.cache.max_entries = 1;
  }

  // What find_key decided under the lock, carried out after unlocking.
  struct Plan {
    std::optional<wba::Result<wba::VerifyingKey>> answer;
    std::optional<fetch::FetchRequest> fetch;
  };

  void find_key(const wba::profile::KeyQuery& query, KeyCallback done) {
    if (!query.agent) {
      return done(Error(Reason::key_not_found,
                        "no Signature-Agent member for this signature: only statically trusted "
                        "keys can serve it"));
    }
    const auto& loc = *query.agent;
    if (loc.is_data_url) return done(from_data_url(loc.directory_url, query.keyid));
    if (loc.type == wba::profile::MemberType::cimd) {
      return done(Error(Reason::directory_unavailable,
                        "Signature-Agent type=cimd (agent cards) is not fetched by this daemon"));
    }
    // The policy check needs no DNS and no lock: a refused URL never reaches the cache, so an
    // attacker cannot fill it with junk entries either.
    if (auto target = policy->check_url(loc.directory_url); !target) {
      bump(metrics->fetch_refused);
      return done(target.error());
    }
    Plan plan;
    {
      std::lock_guard lock(mutex);
      plan = decide(loc.directory_url, query.keyid, done);
    }
    if (plan.answer) done(std::move(*plan.answer));
    if (plan.fetch) start_fetch(std::move(*plan.fetch));
  }

  // -- decisions (mutex held) ------------------------------------------------------------------

  Entry& entry_for(const std::string& url, SteadyTime now, bool& created) {
    auto it = entries.find(url);
    created = it == entries.end();
    if (created) {
      if (entries.size() >= config.cache.max_entries) evict_one();
      it = entries.emplace(url, Entry{}).first;
      metrics->cache_entries.store(entries.size(), std::memory_order_relaxed);
    }
    it->second.last_used = now;
    return it->second;
  }

  void evict_one() {
    auto victim = entries.end();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      if (it->second.fetching || !it->second.waiters.empty()) continue;
      if (victim == entries.end() || it->second.last_used < victim->second.last_used) victim = it;
    }
    if (victim != entries.end()) {
      entries.erase(victim);
      bump(metrics->cache_evicted);
    }
  }

  // The key for `keyid` in a directory, valid now (nbf/exp), or key_not_found saying why.
  wba::Result<wba::VerifyingKey> key_in(const std::string& url, const Directory& dir,
                                        const std::string& keyid) const {
    std::int64_t now = unix_seconds(clock.system());
    if (const auto* k = dir->directory.find(keyid, now)) return k->key;
    if (dir->directory.find_any(keyid)) {
      return Error(Reason::key_not_found, "key \"" + keyid + "\" of directory " + url +
                                              " is outside its nbf/exp validity");
    }
    return Error(Reason::key_not_found,
                 "directory " + url + " has no key with thumbprint \"" + keyid + "\"");
  }

  bool has_key(const Entry& e, const std::string& keyid) const {
    return e.dir && e.dir->directory.find(keyid, unix_seconds(clock.system())) != nullptr;
  }

  // Starts a fetch for `e` if the concurrency cap allows; the request goes out after unlocking.
  bool begin_fetch(const std::string& url, Entry& e, SteadyTime now, Plan& plan) {
    if (in_flight >= config.cache.max_concurrent_fetches) {
      bump(metrics->fetch_overloaded);
      return false;
    }
    ++in_flight;
    e.fetching = true;
    e.last_fetch_started = now;
    fetch::FetchRequest req;
    req.url = url;
    if (e.dir) {  // revalidate what we hold (RFC 9111 §4.3.1)
      if (!e.etag.empty()) req.headers.add("If-None-Match", e.etag);
      if (!e.last_modified.empty()) req.headers.add("If-Modified-Since", e.last_modified);
    }
    plan.fetch = std::move(req);
    return true;
  }

  Error overloaded(const std::string& url) const {
    return Error(Reason::directory_unavailable,
                 "directory " + url +
                     " not fetched: " + std::to_string(config.cache.max_concurrent_fetches) +
                     " fetches already in flight");
  }

  Plan decide(const std::string& url, const std::string& keyid, KeyCallback& done) {
    Plan plan;
    const SteadyTime now = clock.steady();
    bool created = false;
    Entry& e = entry_for(url, now, created);
    auto join = [&](std::atomic<std::uint64_t>& counter) {
      bump(counter);
      e.waiters.push_back(Waiter{keyid, std::move(done)});
    };
    const bool negative = e.error && now < e.negative_until;

    if (!e.dir) {
      if (e.fetching) {
        join(metrics->cache_coalesced);
        return plan;
      }
      if (negative) {
        bump(metrics->cache_negative_hit);
        plan.answer = *e.error;
        return plan;
      }
      if (!begin_fetch(url, e, now, plan)) {
        plan.answer = overloaded(url);
        return plan;
      }
      join(metrics->cache_miss);
      return plan;
    }

    const bool found = has_key(e, keyid);
    if (now < e.fresh_until) {
      if (found) {
        bump(metrics->cache_fresh_hit);
        plan.answer = key_in(url, e.dir, keyid);
        return plan;
      }
      // Unknown keyid in a fresh directory: maybe a key published after our fetch (§5.5.2
      // rotation). Refresh at most once per interval, else answer from the cache.
      if (e.fetching) {
        join(metrics->cache_coalesced);
        return plan;
      }
      if (negative) {
        bump(metrics->cache_negative_hit);
        plan.answer = *e.error;
        return plan;
      }
      const bool allowed = !e.last_fetch_started || now - *e.last_fetch_started >=
                                                        config.cache.unknown_keyid_refresh_interval;
      if (allowed && begin_fetch(url, e, now, plan)) {
        bump(metrics->cache_unknown_keyid_refresh);
        join(metrics->cache_miss);
        return plan;
      }
      bump(metrics->cache_not_found);
      plan.answer = key_in(url, e.dir, keyid);
      return plan;
    }

    if (now < e.swr_until && found) {
      // RFC 5861 §3: serve the stale key now, refresh in the background (one fetch).
      bump(metrics->cache_stale_hit);
      plan.answer = key_in(url, e.dir, keyid);
      if (!e.fetching && !negative && begin_fetch(url, e, now, plan)) bump(metrics->cache_refresh);
      return plan;
    }

    // Stale: the lookup has to wait for a revalidation.
    if (e.fetching) {
      join(metrics->cache_coalesced);
      return plan;
    }
    if (negative) {
      if (found && now < e.sie_until) {
        bump(metrics->cache_stale_if_error);
        plan.answer = key_in(url, e.dir, keyid);
      } else {
        bump(metrics->cache_negative_hit);
        plan.answer = *e.error;
      }
      return plan;
    }
    if (!begin_fetch(url, e, now, plan)) {
      if (found && now < e.sie_until) {
        bump(metrics->cache_stale_if_error);
        plan.answer = key_in(url, e.dir, keyid);
      } else {
        plan.answer = overloaded(url);
      }
      return plan;
    }
    bump(metrics->cache_refresh);
    join(metrics->cache_miss);
    return plan;
  }

  // -- fetching --------------------------------------------------------------------------------

  void start_fetch(fetch::FetchRequest request) {
    std::string url = request.url;
    // The completion holds the Impl: a fetch in flight outlives the DirectoryKeySource.
    transport->fetch(std::move(request),
                     [self = shared_from_this(), url = std::move(url)](FetchResult r) {
                       self->on_fetched(url, std::move(r));
                     });
  }

  enum class Kind { ok, not_modified, failed };

  struct Processed {
    Kind kind = Kind::failed;
    Directory dir;
    Error error;
    std::optional<seconds> retry_after;
    wba::http::Fields headers;
  };

  // Classifies a transport result and checks the directory, outside the lock (signature
  // verification is the expensive part of a fetch).
  Processed process(const std::string& url, FetchResult& r) {
    Processed p;
    if (r.error != FetchError::none) {
      switch (r.error) {
        case FetchError::refused:
          bump(metrics->fetch_refused);
          break;
        case FetchError::tls_failed:
          bump(metrics->fetch_tls_error);
          break;
        case FetchError::timeout:
          bump(metrics->fetch_timeout);
          break;
        case FetchError::too_large:
          bump(metrics->fetch_too_large);
          break;
        case FetchError::protocol_error:
          bump(metrics->fetch_invalid);
          break;
        case FetchError::overloaded:
          bump(metrics->fetch_overloaded);
          break;
        default:
          bump(metrics->fetch_network_error);
          break;
      }
      // Too large or malformed: the directory answered, but not with something usable
      // (key_source.h: "directory_invalid (malformed, wrong media type, too large)").
      bool invalid = r.error == FetchError::too_large || r.error == FetchError::protocol_error;
      p.error = Error(invalid ? Reason::directory_invalid : Reason::directory_unavailable,
                      r.detail.empty() ? std::string(fetch::to_string(r.error)) : r.detail);
      return p;
    }
    if (r.status == 304) {
      bump(metrics->fetch_not_modified);
      p.kind = Kind::not_modified;
      p.headers = std::move(r.headers);
      return p;
    }
    if (r.status != 200) {
      bump(metrics->fetch_http_status);
      std::string detail =
          "directory " + url + ": status " + std::to_string(r.status) + " (only 200 counts, §5.5)";
      if (r.status >= 300 && r.status < 400) detail += "; redirects are not followed";
      p.error = Error(Reason::directory_unavailable, std::move(detail));
      if (r.status == 429 || r.status == 503) {
        p.retry_after = fetch::parse_retry_after(r.headers, clock.system());
      }
      return p;
    }
    wba::http::Response response;
    response.status = r.status;
    response.headers = r.headers;
    response.body = std::move(r.body);
    auto target = wba::http::target_from_uri(url);
    if (!target) {
      bump(metrics->fetch_invalid);
      p.error = Error(Reason::directory_unavailable,
                      "directory URL " + url + ": " + target.error().detail);
      return p;
    }
    auto request = std::make_shared<wba::http::Request>();
    request->method = "GET";
    request->target = std::move(*target);
    response.request = std::move(request);

    wba::directory::VerifyOptions vo;
    vo.now = unix_seconds(clock.system());
    vo.max_clock_skew = config.checks.max_clock_skew;
    vo.parse.limits = config.checks.limits;
    vo.parse.require_kid_thumbprint = config.checks.require_kid_thumbprint;
    vo.check_media_type =
        config.checks.media_type == MediaTypeCheck::always ||
        (config.checks.media_type == MediaTypeCheck::well_known && is_well_known(url));
    vo.require_signatures = config.checks.require_signatures;
    vo.require_all_keys_proven = config.checks.require_all_keys_proven;
    auto verified = wba::directory::verify_directory_response(response, url, vo);
    if (!verified) {
      Error err = verified.error();
      switch (err.reason) {
        case Reason::directory_signature_invalid:
          bump(metrics->fetch_signature_invalid);
          break;
        case Reason::limit_exceeded:
          bump(metrics->fetch_too_large);
          err = Error(Reason::directory_invalid, "directory " + url + ": " + err.message());
          break;
        case Reason::directory_unavailable:
          bump(metrics->fetch_http_status);
          break;
        default:
          bump(metrics->fetch_invalid);
          err = Error(Reason::directory_invalid,
                      "directory " + url + ": " +
                          (err.reason == Reason::directory_invalid ? err.detail : err.message()));
          break;
      }
      p.error = std::move(err);
      return p;
    }
    bump(metrics->fetch_ok);
    p.kind = Kind::ok;
    p.dir = std::make_shared<const wba::directory::VerifiedDirectory>(std::move(*verified));
    p.headers = std::move(r.headers);
    return p;
  }

  void set_freshness(Entry& e, const wba::http::Fields& headers, SteadyTime now) {
    fetch::Freshness f = fetch::compute_freshness(headers, clock.system(), config.cache.freshness);
    e.fresh_until = now + f.fresh_for;
    e.swr_until = e.fresh_until + f.stale_while_revalidate;
    e.sie_until = e.fresh_until + f.stale_if_error;
  }

  static void keep_cache_fields(const wba::http::Fields& from, wba::http::Fields& to) {
    for (const char* name : {"cache-control", "expires"}) {
      for (auto v : from.values(name)) to.add(name, std::string(v));
    }
  }

  void on_fetched(const std::string& url, FetchResult result) {
    Processed p = process(url, result);
    std::vector<Waiter> waiters;
    std::vector<wba::Result<wba::VerifyingKey>> answers;
    {
      std::lock_guard lock(mutex);
      const SteadyTime now = clock.steady();
      auto it = entries.find(url);
      if (it == entries.end()) {  // entries are not evicted while fetching; for robustness
        bool created = false;
        entry_for(url, now, created);
        it = entries.find(url);
      }
      Entry& e = it->second;
      if (e.fetching) {
        e.fetching = false;
        --in_flight;
      }
      if (p.kind == Kind::not_modified && !e.dir) {
        p.kind = Kind::failed;
        p.error = Error(Reason::directory_unavailable,
                        "directory " + url + ": 304 Not Modified but nothing is cached");
      }
      switch (p.kind) {
        case Kind::ok: {
          // Evidence: replaces what we held, even if keys disappeared (§6.10).
          e.dir = std::move(p.dir);
          e.etag.clear();
          e.last_modified.clear();
          if (auto v = p.headers.values("etag"); v.size() == 1) e.etag = std::string(v.front());
          if (auto v = p.headers.values("last-modified"); v.size() == 1) {
            e.last_modified = std::string(v.front());
          }
          e.cache_headers = wba::http::Fields();
          keep_cache_fields(p.headers, e.cache_headers);
          set_freshness(e, p.headers, now);
          e.error.reset();
          e.failures = 0;
          break;
        }
        case Kind::not_modified: {
          // RFC 9111 §4.3.4: the 304's fields update the stored response; Date and Age come
          // from the 304 only, Cache-Control/Expires fall back to what the 200 said.
          wba::http::Fields merged = p.headers;
          if (!merged.contains("cache-control") && !merged.contains("expires")) {
            keep_cache_fields(e.cache_headers, merged);
          }
          if (auto v = p.headers.values("etag"); v.size() == 1) e.etag = std::string(v.front());
          e.cache_headers = wba::http::Fields();
          keep_cache_fields(merged, e.cache_headers);
          set_freshness(e, merged, now);
          e.error.reset();
          e.failures = 0;
          break;
        }
        case Kind::failed: {
          // Not evidence (§6.10): the directory we hold stays; the failure is cached with
          // exponential backoff, Retry-After honoured, never beyond 5 minutes.
          e.failures = std::min(e.failures + 1, 16u);
          seconds ttl = config.cache.negative_ttl * (1u << (e.failures - 1));
          if (p.retry_after) ttl = std::max(ttl, *p.retry_after);
          ttl = std::min(ttl, config.cache.max_negative_ttl);
          e.negative_until = now + ttl;
          e.error = p.error;
          break;
        }
      }
      waiters = std::move(e.waiters);
      e.waiters.clear();
      answers.reserve(waiters.size());
      for (const auto& w : waiters) {
        if (p.kind != Kind::failed) {
          answers.push_back(key_in(url, e.dir, w.keyid));
        } else if (has_key(e, w.keyid) && now < e.sie_until) {
          bump(metrics->cache_stale_if_error);
          answers.push_back(key_in(url, e.dir, w.keyid));
        } else {
          answers.push_back(*e.error);
        }
      }
    }
    for (std::size_t i = 0; i < waiters.size(); ++i) waiters[i].done(std::move(answers[i]));
  }

  // -- data: URLs --------------------------------------------------------------------------------

  wba::Result<wba::VerifyingKey> from_data_url(const std::string& url, const std::string& keyid) {
    auto body = decode_data_url(url, config.checks.max_data_url_bytes);
    if (!body) {
      Error err = body.error();
      if (err.reason != Reason::directory_invalid) {
        err = Error(Reason::directory_invalid, "data: directory: " + err.message());
      }
      return err;
    }
    wba::directory::ParseOptions po;
    po.limits = config.checks.limits;
    po.require_kid_thumbprint = config.checks.require_kid_thumbprint;
    auto dir = wba::directory::parse_directory(*body, url, po);
    if (!dir) {
      const Error& err = dir.error();
      return Error(Reason::directory_invalid,
                   "data: directory: " +
                       (err.reason == Reason::directory_invalid ? err.detail : err.message()));
    }
    std::int64_t now = unix_seconds(clock.system());
    if (const auto* k = dir->find(keyid, now)) return k->key;
    return Error(Reason::key_not_found,
                 "the data: directory has no valid key with thumbprint \"" + keyid + "\"");
  }

  std::shared_ptr<fetch::HttpTransport> transport;
  std::shared_ptr<const fetch::OutboundPolicy> policy;
  DirectoryKeySourceConfig config;
  fetch::Clock clock;
  std::shared_ptr<fetch::FetchMetrics> metrics;

  mutable std::mutex mutex;
  std::map<std::string, Entry, std::less<>> entries;
  std::size_t in_flight = 0;
};

DirectoryKeySource::DirectoryKeySource(std::shared_ptr<fetch::HttpTransport> transport,
                                       std::shared_ptr<const fetch::OutboundPolicy> policy,
                                       DirectoryKeySourceConfig config, fetch::Clock clock,
                                       std::shared_ptr<fetch::FetchMetrics> metrics)
    : impl_(std::make_shared<Impl>(std::move(transport), std::move(policy), std::move(config),
                                   std::move(clock), std::move(metrics))) {}

DirectoryKeySource::~DirectoryKeySource() = default;

void DirectoryKeySource::find_key(const wba::profile::KeyQuery& query, KeyCallback done) {
  impl_->find_key(query, std::move(done));
}

const fetch::FetchMetrics& DirectoryKeySource::metrics() const noexcept { return *impl_->metrics; }

std::shared_ptr<fetch::FetchMetrics> DirectoryKeySource::shared_metrics() const noexcept {
  return impl_->metrics;
}

std::size_t DirectoryKeySource::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->entries.size();
}

// ---------------------------------------------------------------------------------------------

wba::Result<std::string> decode_data_url(std::string_view url, std::size_t max_bytes) {
  auto invalid = [](std::string why) {
    return Error(Reason::directory_invalid, "data: URL: " + std::move(why));
  };
  if (url.size() < 5 || !wba::http::iequals(url.substr(0, 5), "data:")) {
    return invalid("not a data: URL");
  }
  std::string_view rest = url.substr(5);
  auto comma = rest.find(',');
  if (comma == std::string_view::npos) return invalid("no ',' before the data");
  std::string_view meta = rest.substr(0, comma);
  std::string_view data = rest.substr(comma + 1);
  bool base64 = false;
  std::string_view media = meta.substr(0, meta.find(';'));
  for (std::size_t pos = meta.find(';'); pos != std::string_view::npos;) {
    std::size_t next = meta.find(';', pos + 1);
    std::string_view param =
        meta.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
    if (wba::http::iequals(param, "base64")) base64 = true;
    pos = next;
  }
  if (!media.empty() && !wba::directory::is_directory_media_type(media) &&
      !wba::http::iequals(media, "application/json") &&
      !wba::http::iequals(media, "application/jwk-set+json")) {
    return invalid("media type '" + std::string(media) + "' is not a key directory");
  }
  // Percent-decode first (RFC 2397 data is a URL component), then base64 when flagged.
  if (data.size() > 4 * max_bytes + 16) {
    return Error(Reason::limit_exceeded,
                 "data: URL larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string decoded;
  decoded.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '%') {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      if (i + 2 >= data.size() || hex(data[i + 1]) < 0 || hex(data[i + 2]) < 0) {
        return invalid("bad percent-encoding");
      }
      decoded += static_cast<char>(hex(data[i + 1]) * 16 + hex(data[i + 2]));
      i += 2;
    } else {
      decoded += data[i];
    }
  }
  if (base64) {
    auto raw = wba::base64_decode(decoded);
    if (!raw) raw = wba::base64url_decode(decoded);
    if (!raw) return invalid("bad base64");
    decoded = std::move(*raw);
  }
  if (decoded.size() > max_bytes) {
    return Error(Reason::limit_exceeded, "data: directory is " + std::to_string(decoded.size()) +
                                             " bytes, more than " + std::to_string(max_bytes));
  }
  return decoded;
}

}  // namespace wbad

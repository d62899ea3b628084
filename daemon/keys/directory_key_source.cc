#include "keys/directory_key_source.h"

#include <algorithm>
#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/url/parse.hpp>

#include "wba/directory/agent_card.h"
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
using KeyResult = wba::Result<wba::VerifyingKey>;

// The draft's ceiling on negative caching (§6.7: "at most 5 minutes").
constexpr seconds kNegativeCeiling{300};

// What a cache entry holds: a key directory (a JWK Set: the well-known directory, a JWKS URL,
// a type=jwks_uri member or a card's jwks_uri) or a Signature Agent Card (type=cimd). Both
// kinds live in one map, keyed by kind and URL, so a URL fetched as both never mixes them up
// and both share the entry cap, the fetch cap and the cache machinery.
enum class EntryKind : std::uint8_t { directory, card };

struct EntryKey {
  EntryKind kind = EntryKind::directory;
  std::string url;
  auto operator<=>(const EntryKey&) const = default;
};

std::string_view noun(EntryKind kind) {
  return kind == EntryKind::card ? "agent card " : "directory ";
}

struct Waiter {
  std::string keyid;
  KeyCallback done;
  // Set when this directory is the jwks_uri of that card: only keys with a valid directory
  // response proof count (registry-04 §5.2).
  std::string card_url;
};

using Directory = std::shared_ptr<const wba::directory::VerifiedDirectory>;

// What is kept of a valid card: where its keys are (registry-04 §4.1: jwks_uri, or else jwks;
// never both, parse_agent_card refuses that).
struct Card {
  std::optional<std::string> jwks_uri;
  std::optional<wba::directory::Directory> jwks;  // inline keys; url() is the card URL
};
using CardPtr = std::shared_ptr<const Card>;

struct Entry {
  // The last document fetched successfully (dir for a directory, card for a card); only
  // replaced by a newer success.
  Directory dir;
  CardPtr card;
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

  bool holds() const noexcept { return dir || card; }
};

// The answer an entry gives one lookup: a key or an error, or (a card with jwks_uri) the URL
// of the key set to continue with.
struct Step {
  std::optional<KeyResult> answer;
  std::string chain_to;
};

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

bool is_well_known(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  return u && u->encoded_path() == wba::directory::kWellKnownPath;
}

// Errors of a card's jwks_uri name the card too: the operator sees which agent led there.
KeyResult via_card(const std::string& card_url, KeyResult r) {
  if (r.ok() || card_url.empty()) return r;
  Error e = r.error();
  e.detail = "agent card " + card_url + ", jwks_uri: " + e.detail;
  return e;
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

  // What decide() settled under the lock, carried out after unlocking.
  struct Plan {
    std::optional<KeyResult> answer;
    std::string chain_to;  // continue with this jwks_uri (a card's keys)
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
    const EntryKind kind =
        loc.type == wba::profile::MemberType::cimd ? EntryKind::card : EntryKind::directory;
    lookup(EntryKey{kind, loc.directory_url}, query.keyid, {}, std::move(done));
  }

  // Looks `keyid` up in the entry `key` (fetching it when needed). `card_url` is set when the
  // entry is the jwks_uri of that card.
  void lookup(EntryKey key, const std::string& keyid, const std::string& card_url,
              KeyCallback done) {
    // The policy check needs no DNS and no lock: a refused URL never reaches the cache, so an
    // attacker cannot fill it with junk entries either. A card's jwks_uri is as untrusted as
    // the card URL and goes through the same check.
    if (auto target = policy->check_url(key.url); !target) {
      bump(metrics->fetch_refused);
      return done(via_card(card_url, target.error()));
    }
    Plan plan;
    {
      std::lock_guard lock(mutex);
      plan = decide(key, keyid, card_url, done);
    }
    if (plan.answer) {
      done(via_card(card_url, std::move(*plan.answer)));
    } else if (!plan.chain_to.empty()) {
      lookup(EntryKey{EntryKind::directory, plan.chain_to}, keyid, key.url, std::move(done));
    }
    if (plan.fetch) start_fetch(key, std::move(*plan.fetch));
  }

  // -- decisions (mutex held) ------------------------------------------------------------------

  Entry& entry_for(const EntryKey& key, SteadyTime now) {
    auto it = entries.find(key);
    if (it == entries.end()) {
      if (entries.size() >= config.cache.max_entries) evict_one();
      it = entries.emplace(key, Entry{}).first;
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

  // The key for `keyid` in a directory, valid now (nbf/exp) and, for a card's jwks_uri, proven
  // by a directory response signature; else key_not_found (or directory_signature_invalid for
  // a key without proof) saying why.
  KeyResult key_in(const std::string& url, const Directory& dir, const std::string& keyid,
                   bool require_proof) const {
    std::int64_t now = unix_seconds(clock.system());
    if (const auto* k = dir->directory.find(keyid, now)) {
      if (require_proof && !dir->proven(keyid)) {
        // registry-04 §5.2: "ignore keys that do not carry a corresponding valid signature".
        return Error(Reason::directory_signature_invalid,
                     "key \"" + keyid + "\" of " + url +
                         " has no valid directory response signature (tag "
                         "http-message-signatures-directory), required for keys a card "
                         "delegates through jwks_uri");
      }
      return k->key;
    }
    if (dir->directory.find_any(keyid)) {
      return Error(Reason::key_not_found, "key \"" + keyid + "\" of directory " + url +
                                              " is outside its nbf/exp validity");
    }
    return Error(Reason::key_not_found,
                 "directory " + url + " has no key with thumbprint \"" + keyid + "\"");
  }

  KeyResult key_in_card(const std::string& url, const Card& card, const std::string& keyid) const {
    if (!card.jwks) {
      return Error(Reason::key_not_found,
                   "agent card " + url + " lists no keys (neither jwks nor jwks_uri)");
    }
    std::int64_t now = unix_seconds(clock.system());
    if (const auto* k = card.jwks->find(keyid, now)) return k->key;
    if (card.jwks->find_any(keyid)) {
      return Error(Reason::key_not_found, "key \"" + keyid + "\" of agent card " + url +
                                              " is outside its nbf/exp validity");
    }
    return Error(Reason::key_not_found,
                 "agent card " + url + " has no key with thumbprint \"" + keyid + "\"");
  }

  // What a held entry answers for `keyid`.
  Step step_from(const EntryKey& key, const Entry& e, const std::string& keyid,
                 const std::string& card_url) const {
    Step s;
    if (key.kind == EntryKind::directory) {
      s.answer = key_in(key.url, e.dir, keyid, !card_url.empty());
    } else if (e.card->jwks_uri) {
      s.chain_to = *e.card->jwks_uri;
    } else {
      s.answer = key_in_card(key.url, *e.card, keyid);
    }
    return s;
  }

  // Whether the held entry can serve `keyid` (drives the unknown-keyid refresh and
  // stale-if-error). A card with jwks_uri always can: its keys live in their own entry, which
  // makes that decision itself.
  bool has_key(const EntryKey& key, const Entry& e, const std::string& keyid,
               const std::string& card_url) const {
    if (!e.holds()) return false;
    const std::int64_t now = unix_seconds(clock.system());
    if (key.kind == EntryKind::directory) {
      return e.dir->directory.find(keyid, now) != nullptr &&
             (card_url.empty() || e.dir->proven(keyid));
    }
    if (e.card->jwks_uri) return true;
    return e.card->jwks && e.card->jwks->find(keyid, now) != nullptr;
  }

  void answer_from(Plan& plan, const EntryKey& key, const Entry& e, const std::string& keyid,
                   const std::string& card_url) const {
    Step s = step_from(key, e, keyid, card_url);
    plan.answer = std::move(s.answer);
    plan.chain_to = std::move(s.chain_to);
  }

  // Starts a fetch for `e` if the concurrency cap allows; the request goes out after unlocking.
  bool begin_fetch(const EntryKey& key, Entry& e, SteadyTime now, Plan& plan) {
    if (in_flight >= config.cache.max_concurrent_fetches) {
      bump(metrics->fetch_overloaded);
      return false;
    }
    ++in_flight;
    e.fetching = true;
    e.last_fetch_started = now;
    fetch::FetchRequest req;
    req.url = key.url;
    // A card is a JSON document (CIMD §4.1), not a key directory: ask for what it is.
    if (key.kind == EntryKind::card) req.headers.add("Accept", "application/json");
    if (e.holds()) {  // revalidate what we hold (RFC 9111 §4.3.1)
      if (!e.etag.empty()) req.headers.add("If-None-Match", e.etag);
      if (!e.last_modified.empty()) req.headers.add("If-Modified-Since", e.last_modified);
    }
    plan.fetch = std::move(req);
    return true;
  }

  Error overloaded(const EntryKey& key) const {
    return Error(Reason::directory_unavailable,
                 std::string(noun(key.kind)) + key.url +
                     " not fetched: " + std::to_string(config.cache.max_concurrent_fetches) +
                     " fetches already in flight");
  }

  Plan decide(const EntryKey& key, const std::string& keyid, const std::string& card_url,
              KeyCallback& done) {
    Plan plan;
    const SteadyTime now = clock.steady();
    Entry& e = entry_for(key, now);
    auto join = [&](std::atomic<std::uint64_t>& counter) {
      bump(counter);
      e.waiters.push_back(Waiter{keyid, std::move(done), card_url});
    };
    const bool negative = e.error && now < e.negative_until;

    if (!e.holds()) {
      if (e.fetching) {
        join(metrics->cache_coalesced);
        return plan;
      }
      if (negative) {
        bump(metrics->cache_negative_hit);
        plan.answer = *e.error;
        return plan;
      }
      if (!begin_fetch(key, e, now, plan)) {
        plan.answer = overloaded(key);
        return plan;
      }
      join(metrics->cache_miss);
      return plan;
    }

    const bool found = has_key(key, e, keyid, card_url);
    if (now < e.fresh_until) {
      if (found) {
        bump(metrics->cache_fresh_hit);
        answer_from(plan, key, e, keyid, card_url);
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
      if (allowed && begin_fetch(key, e, now, plan)) {
        bump(metrics->cache_unknown_keyid_refresh);
        join(metrics->cache_miss);
        return plan;
      }
      bump(metrics->cache_not_found);
      answer_from(plan, key, e, keyid, card_url);
      return plan;
    }

    if (now < e.swr_until && found) {
      // RFC 5861 §3: serve the stale key now, refresh in the background (one fetch).
      bump(metrics->cache_stale_hit);
      answer_from(plan, key, e, keyid, card_url);
      if (!e.fetching && !negative && begin_fetch(key, e, now, plan)) bump(metrics->cache_refresh);
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
        answer_from(plan, key, e, keyid, card_url);
      } else {
        bump(metrics->cache_negative_hit);
        plan.answer = *e.error;
      }
      return plan;
    }
    if (!begin_fetch(key, e, now, plan)) {
      if (found && now < e.sie_until) {
        bump(metrics->cache_stale_if_error);
        answer_from(plan, key, e, keyid, card_url);
      } else {
        plan.answer = overloaded(key);
      }
      return plan;
    }
    bump(metrics->cache_refresh);
    join(metrics->cache_miss);
    return plan;
  }

  // -- fetching --------------------------------------------------------------------------------

  void start_fetch(EntryKey key, fetch::FetchRequest request) {
    // The completion holds the Impl: a fetch in flight outlives the DirectoryKeySource.
    transport->fetch(std::move(request),
                     [self = shared_from_this(), key = std::move(key)](FetchResult r) {
                       self->on_fetched(key, std::move(r));
                     });
  }

  enum class Kind { ok, not_modified, failed };

  struct Processed {
    Kind kind = Kind::failed;
    Directory dir;
    CardPtr card;
    Error error;
    std::optional<seconds> retry_after;
    wba::http::Fields headers;
  };

  // Classifies a transport result and checks the document, outside the lock (signature
  // verification is the expensive part of a fetch).
  Processed process(const EntryKey& key, FetchResult& r) {
    const std::string& url = key.url;
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
      std::string detail = std::string(noun(key.kind)) + url + ": status " +
                           std::to_string(r.status) + " (only 200 counts, §5.5)";
      if (r.status >= 300 && r.status < 400) detail += "; redirects are not followed";
      p.error = Error(Reason::directory_unavailable, std::move(detail));
      if (r.status == 429 || r.status == 503) {
        p.retry_after = fetch::parse_retry_after(r.headers, clock.system());
      }
      return p;
    }
    if (key.kind == EntryKind::card) return process_card(url, r);

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

    // Proofs present on the response are always checked (a bad one refuses the directory);
    // which keys carry one is kept in VerifiedDirectory::proofs, so one entry serves both a
    // directory lookup and a card's jwks_uri lookup (which only accepts proven keys).
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

  // A 200 card response (registry-04 §3.1.1, CIMD §4.1): parsed and checked by
  // parse_agent_card against the URL fetched (client_id must equal it; jwks with jwks_uri is
  // refused). No media type is mandated for cards. Every refusal is directory_invalid (the
  // KeySource contract: a discovery document that is malformed), the card's reason in the
  // detail; an invalid card is never cached as a card (CIMD §4.4), only as a failure.
  Processed process_card(const std::string& url, FetchResult& r) {
    Processed p;
    wba::directory::CardOptions co;
    co.keys.limits = config.checks.limits;
    co.keys.require_kid_thumbprint = config.checks.require_kid_thumbprint;
    auto card = wba::directory::parse_agent_card(r.body, url, co);
    if (!card) {
      const Error& err = card.error();
      if (err.reason == Reason::limit_exceeded) {
        bump(metrics->fetch_too_large);
        p.error = Error(Reason::directory_invalid, "agent card " + url + ": " + err.message());
      } else {
        bump(metrics->fetch_invalid);
        p.error = Error(Reason::directory_invalid, "agent card " + url + " refused (" +
                                                       std::string(wba::to_string(err.reason)) +
                                                       "): " + err.detail);
      }
      return p;
    }
    bump(metrics->fetch_ok);
    Card kept;
    kept.jwks_uri = std::move(card->jwks_uri);
    kept.jwks = std::move(card->jwks);
    p.kind = Kind::ok;
    p.card = std::make_shared<const Card>(std::move(kept));
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

  void on_fetched(const EntryKey& key, FetchResult result) {
    Processed p = process(key, result);
    std::vector<Waiter> waiters;
    std::vector<Step> steps;
    {
      std::lock_guard lock(mutex);
      const SteadyTime now = clock.steady();
      auto it = entries.find(key);
      // Entries are not evicted while fetching; recreated only for robustness.
      Entry& e = it != entries.end() ? it->second : entry_for(key, now);
      if (e.fetching) {
        e.fetching = false;
        --in_flight;
      }
      if (p.kind == Kind::not_modified && !e.holds()) {
        p.kind = Kind::failed;
        p.error =
            Error(Reason::directory_unavailable, std::string(noun(key.kind)) + key.url +
                                                     ": 304 Not Modified but nothing is cached");
      }
      switch (p.kind) {
        case Kind::ok: {
          // Evidence: replaces what we held, even if keys disappeared (§6.10).
          e.dir = std::move(p.dir);
          e.card = std::move(p.card);
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
          // Not evidence (§6.10): the document we hold stays; the failure is cached with
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
      steps.reserve(waiters.size());
      for (const auto& w : waiters) {
        if (p.kind != Kind::failed) {
          steps.push_back(step_from(key, e, w.keyid, w.card_url));
        } else if (has_key(key, e, w.keyid, w.card_url) && now < e.sie_until) {
          bump(metrics->cache_stale_if_error);
          steps.push_back(step_from(key, e, w.keyid, w.card_url));
        } else {
          steps.push_back(Step{*e.error, {}});
        }
      }
    }
    // A card's waiters continue with its jwks_uri: the first one starts that fetch (or finds
    // it cached), the others join it, so N lookups of a new card cost one fetch of each.
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (steps[i].answer) {
        waiters[i].done(via_card(waiters[i].card_url, std::move(*steps[i].answer)));
      } else {
        lookup(EntryKey{EntryKind::directory, std::move(steps[i].chain_to)}, waiters[i].keyid,
               key.url, std::move(waiters[i].done));
      }
    }
  }

  // -- data: URLs --------------------------------------------------------------------------------

  KeyResult from_data_url(const std::string& url, const std::string& keyid) {
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
  std::map<EntryKey, Entry> entries;
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

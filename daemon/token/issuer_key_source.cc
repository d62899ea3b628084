#include "token/issuer_key_source.h"

#include <atomic>
#include <cstdint>
#include <utility>

namespace wbad {

namespace {

using fetch::bump;
using fetch::FetchError;
using fetch::FetchResult;
using wba::Error;
using wba::Reason;

Error unavailable(std::string detail) {
  return Error(Reason::issuer_metadata_unavailable, std::move(detail));
}

// Why a fetch of `what` gave nothing usable, or nullopt for a 200.
std::optional<Error> fetch_failure(const std::string& what, const std::string& url,
                                   const FetchResult& r) {
  if (r.error != FetchError::none) {
    return unavailable(what + " " + url + ": " +
                       (r.detail.empty() ? std::string(fetch::to_string(r.error)) : r.detail));
  }
  if (r.status != 200) {
    std::string detail = what + " " + url + ": status " + std::to_string(r.status);
    if (r.status >= 300 && r.status < 400) detail += " (redirects are not followed)";
    return unavailable(std::move(detail));
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> retry_after_of(const FetchResult& r,
                                                   const fetch::Clock& clock) {
  if (r.error == FetchError::none && (r.status == 429 || r.status == 503)) {
    return fetch::parse_retry_after(r.headers, clock.system());
  }
  return std::nullopt;
}

}  // namespace

struct IssuerKeySource::Jwks {
  wba::token::IssuerKeySet keys;
};

struct IssuerKeySource::Shared {
  std::shared_ptr<fetch::HttpTransport> transport;
  IssuerKeySourceConfig config;
  fetch::Clock clock;
  std::shared_ptr<TokenMetrics> metrics;
  std::map<std::string, IssuerDiscovery, std::less<>> discovery;  // fixed after configuration
};

namespace {

// A conditional request when the document held came from this URL (RFC 9110 §13.1).
void add_validators(fetch::FetchRequest& request, const DocumentValidators& held) {
  if (held.url != request.url) return;
  if (!held.etag.empty()) request.headers.add("If-None-Match", held.etag);
  if (!held.last_modified.empty()) request.headers.add("If-Modified-Since", held.last_modified);
}

// The validators of a 200 from `url`, each only when the response has exactly one.
DocumentValidators validators_of(const FetchResult& r, const std::string& url) {
  DocumentValidators v;
  v.url = url;
  if (auto e = r.headers.values("etag"); e.size() == 1) v.etag = std::string(e.front());
  if (auto m = r.headers.values("last-modified"); m.size() == 1) {
    v.last_modified = std::string(m.front());
  }
  return v;
}

// Whether the response leaves nothing to parse: a 304 to our conditional request (the held
// document is still current) or a failure. Either way `loaded` is then complete.
template <class T>
bool settled_without_body(const FetchResult& r, const DocumentValidators& held,
                          const std::string& what, const std::string& url,
                          const fetch::Clock& clock, const fetch::FreshnessPolicy& policy,
                          std::atomic<std::uint64_t>& failed, LoadedDocument<T>& loaded) {
  if (r.error == FetchError::none && r.status == 304 && held.url == url &&
      !(held.etag.empty() && held.last_modified.empty())) {
    loaded.not_modified = true;
    loaded.freshness = fetch::compute_freshness(r.headers, clock.system(), policy);
    return true;
  }
  if (auto failure = fetch_failure(what, url, r)) {
    bump(failed);
    loaded.value = std::move(*failure);
    loaded.retry_after = retry_after_of(r, clock);
    return true;
  }
  return false;
}

using MetadataDone = DocumentCache<IssuerMetadata>::LoadDone;
using JwksDone = DocumentCache<IssuerKeySource::Jwks>::LoadDone;

// Loads the metadata of `issuer` from `url`; with `fallback` (auto discovery), a 4xx answer
// from the RFC 8414 location tries the OIDC one instead.
void fetch_metadata(std::shared_ptr<IssuerKeySource::Shared> shared, std::string issuer,
                    std::string url, std::optional<std::string> fallback, DocumentValidators held,
                    MetadataDone done) {
  fetch::FetchRequest request;
  request.url = url;
  request.headers.add("Accept", "application/json");
  add_validators(request, held);
  auto transport = shared->transport;
  transport->fetch(std::move(request), [shared = std::move(shared), issuer = std::move(issuer), url,
                                        fallback = std::move(fallback), held = std::move(held),
                                        done = std::move(done)](FetchResult r) mutable {
    LoadedDocument<IssuerMetadata> loaded;
    if (fallback && r.error == FetchError::none && r.status >= 400 && r.status < 500) {
      std::string next = std::move(*fallback);
      return fetch_metadata(std::move(shared), std::move(issuer), std::move(next), std::nullopt,
                            std::move(held), std::move(done));
    }
    if (settled_without_body(r, held, "metadata", url, shared->clock,
                             shared->config.metadata_freshness,
                             shared->metrics->metadata_fetch_failed, loaded)) {
      return done(std::move(loaded));
    }
    auto metadata = parse_issuer_metadata(r.body, issuer, url);
    if (!metadata) {
      bump(shared->metrics->metadata_fetch_failed);
      loaded.value = metadata.error();
      return done(std::move(loaded));
    }
    bump(shared->metrics->metadata_fetch_ok);
    loaded.freshness = fetch::compute_freshness(r.headers, shared->clock.system(),
                                                shared->config.metadata_freshness);
    loaded.validators = validators_of(r, url);
    loaded.fingerprint = r.body;
    loaded.value = std::make_shared<const IssuerMetadata>(std::move(*metadata));
    done(std::move(loaded));
  });
}

void fetch_jwks(std::shared_ptr<IssuerKeySource::Shared> shared, std::string url,
                DocumentValidators held, JwksDone done) {
  fetch::FetchRequest request;
  request.url = url;
  request.headers.add("Accept", "application/jwk-set+json, application/json;q=0.9");
  add_validators(request, held);
  auto transport = shared->transport;
  transport->fetch(std::move(request), [shared = std::move(shared), url, held = std::move(held),
                                        done = std::move(done)](FetchResult r) {
    LoadedDocument<IssuerKeySource::Jwks> loaded;
    if (settled_without_body(r, held, "JWKS", url, shared->clock, shared->config.jwks_freshness,
                             shared->metrics->jwks_fetch_failed, loaded)) {
      return done(std::move(loaded));
    }
    auto keys = wba::token::IssuerKeySet::parse(r.body, shared->config.max_jwks_bytes,
                                                shared->config.max_jwks_keys);
    if (!keys) {
      bump(shared->metrics->jwks_fetch_failed);
      loaded.value = unavailable("JWKS " + url + ": " + keys.error().message());
      return done(std::move(loaded));
    }
    bump(shared->metrics->jwks_fetch_ok);
    loaded.freshness =
        fetch::compute_freshness(r.headers, shared->clock.system(), shared->config.jwks_freshness);
    loaded.validators = validators_of(r, url);
    loaded.fingerprint = r.body;
    loaded.value = std::make_shared<const IssuerKeySource::Jwks>(
        IssuerKeySource::Jwks{std::move(keys).value()});
    done(std::move(loaded));
  });
}

}  // namespace

IssuerKeySource::IssuerKeySource(std::shared_ptr<fetch::HttpTransport> transport,
                                 IssuerKeySourceConfig config, fetch::Clock clock,
                                 std::shared_ptr<TokenMetrics> metrics)
    : shared_(std::make_shared<Shared>()) {
  shared_->transport = std::move(transport);
  shared_->config = std::move(config);
  shared_->clock = std::move(clock);
  shared_->metrics = metrics ? std::move(metrics) : std::make_shared<TokenMetrics>();

  // The loaders hold the shared state, never the source: a load may finish after it is gone.
  metadata_ = DocumentCache<IssuerMetadata>::make(
      [shared = shared_](const std::string& issuer, const DocumentValidators& held,
                         MetadataDone done) {
        auto it = shared->discovery.find(issuer);
        IssuerDiscovery mode = it == shared->discovery.end() ? IssuerDiscovery::oauth : it->second;
        std::string first =
            mode == IssuerDiscovery::oidc ? oidc_metadata_url(issuer) : oauth_metadata_url(issuer);
        std::optional<std::string> fallback;
        if (mode == IssuerDiscovery::automatic) fallback = oidc_metadata_url(issuer);
        fetch_metadata(shared, issuer, std::move(first), std::move(fallback), held,
                       std::move(done));
      },
      shared_->config.cache, shared_->clock, shared_->metrics);
  DocumentCacheConfig jwks_cache = shared_->config.cache;
  jwks_cache.count_changes = true;
  jwks_ = DocumentCache<Jwks>::make(
      [shared = shared_](const std::string& url, const DocumentValidators& held, JwksDone done) {
        fetch_jwks(shared, url, held, std::move(done));
      },
      jwks_cache, shared_->clock, shared_->metrics);
}

wba::Status IssuerKeySource::add_static(const std::string& issuer, std::string_view jwks_json) {
  auto keys = wba::token::IssuerKeySet::parse(jwks_json, shared_->config.max_jwks_bytes,
                                              shared_->config.max_jwks_keys);
  if (!keys) return Error(keys.error().reason, "issuer " + issuer + ": " + keys.error().message());
  if (keys->size() == 0) {
    return Error(Reason::invalid_key, "issuer " + issuer + ": the JWKS has no usable key");
  }
  Issuer& i = issuers_[issuer];
  i.discovery = IssuerDiscovery::none;
  i.static_keys.keys = std::make_shared<const wba::token::IssuerKeySet>(std::move(keys).value());
  i.static_keys.generation = next_static_generation_++;
  return {};
}

void IssuerKeySource::add_discovered(const std::string& issuer, IssuerDiscovery mode) {
  if (mode == IssuerDiscovery::none) mode = IssuerDiscovery::automatic;
  issuers_[issuer].discovery = mode;
  shared_->discovery[issuer] = mode;
}

bool IssuerKeySource::knows(const std::string& issuer) const noexcept {
  return issuers_.find(issuer) != issuers_.end();
}

void IssuerKeySource::keys_for(const std::string& issuer, const std::optional<std::string>& kid,
                               Callback done) {
  auto it = issuers_.find(issuer);
  if (it == issuers_.end()) {
    return done(Error(Reason::untrusted_issuer, "issuer '" + issuer + "' is not configured"));
  }
  if (it->second.discovery == IssuerDiscovery::none) return done(it->second.static_keys);

  metadata_->get(issuer, nullptr,
                 [jwks = jwks_, kid, done = std::move(done)](
                     wba::Result<DocumentCache<IssuerMetadata>::Snapshot> metadata) mutable {
                   if (!metadata) return done(metadata.error());
                   DocumentCache<Jwks>::WantsRefresh wants;
                   if (kid)
                     wants = [kid = *kid](const Jwks& j) { return !j.keys.contains_kid(kid); };
                   jwks->get(
                       metadata->value->jwks_uri, wants,
                       [done = std::move(done)](wba::Result<DocumentCache<Jwks>::Snapshot> set) {
                         if (!set) return done(set.error());
                         // The set shares ownership with the cached document (aliasing
                         // constructor).
                         std::shared_ptr<const wba::token::IssuerKeySet> keys(set->value,
                                                                              &set->value->keys);
                         done(IssuerKeys{std::move(keys), set->generation});
                       });
                 });
}

std::optional<std::uint64_t> IssuerKeySource::generation(const std::string& issuer) const {
  auto it = issuers_.find(issuer);
  if (it == issuers_.end()) return std::nullopt;
  if (it->second.discovery == IssuerDiscovery::none) return it->second.static_keys.generation;
  auto metadata = metadata_->peek(issuer);
  if (!metadata) return std::nullopt;
  auto set = jwks_->peek(metadata->value->jwks_uri);
  if (!set) return std::nullopt;
  return set->generation;
}

}  // namespace wbad

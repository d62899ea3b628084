#include "keys/static_key_source.h"

#include <fstream>
#include <sstream>

#include "wba/profile/signature_agent.h"

namespace wbad {

namespace {

using wba::Error;
using wba::Reason;

std::int64_t unix_now(const fetch::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.system().time_since_epoch())
      .count();
}

}  // namespace

wba::Result<TrustSpec> parse_trust_spec(std::string_view spec) {
  auto eq = spec.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return Error(Reason::invalid_argument,
                 "--trust '" + std::string(spec) + "': expected URL=JWKS_FILE");
  }
  return TrustSpec{std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
}

wba::Result<TrustedDirectory> make_trusted_directory(std::string_view url,
                                                     std::string_view jwks_text,
                                                     const wba::directory::ParseOptions& options) {
  // Resolve the URL exactly as a Signature-Agent member would be, so both sides of the match
  // are normalized the same way.
  wba::profile::SignatureAgentMember member;
  member.uri = std::string(url);
  member.type = wba::profile::MemberType::directory;
  wba::profile::AgentUrlPolicy policy;
  policy.allow_http = true;  // the operator's choice, not attacker input
  auto loc = wba::profile::resolve_agent(member, policy);
  if (!loc) {
    return Error(Reason::invalid_argument,
                 "trusted URL '" + std::string(url) + "': " + loc.error().detail);
  }
  auto keys = wba::directory::parse_directory(jwks_text, loc->directory_url, options);
  if (!keys) {
    return Error(keys.error().reason,
                 "trusted keys for '" + std::string(url) + "': " + keys.error().detail);
  }
  if (keys->keys().empty()) {
    return Error(Reason::invalid_argument,
                 "trusted keys for '" + std::string(url) + "': no usable key in the set");
  }
  return TrustedDirectory{std::string(url), loc->agent_url, loc->directory_url, std::move(*keys)};
}

wba::Result<TrustedDirectory> load_trusted_directory(const TrustSpec& spec,
                                                     const wba::directory::ParseOptions& options) {
  std::ifstream in(spec.jwks_path, std::ios::binary);
  if (!in) return Error(Reason::io_error, "cannot read " + spec.jwks_path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error(Reason::io_error, "cannot read " + spec.jwks_path);
  return make_trusted_directory(spec.url, text.str(), options);
}

StaticKeySource::StaticKeySource(std::vector<TrustedDirectory> trusted,
                                 std::shared_ptr<KeySource> fallback,
                                 StaticKeySourceOptions options, fetch::Clock clock,
                                 std::shared_ptr<fetch::FetchMetrics> metrics)
    : trusted_(std::move(trusted)),
      fallback_(std::move(fallback)),
      options_(options),
      clock_(std::move(clock)),
      metrics_(metrics ? std::move(metrics) : std::make_shared<fetch::FetchMetrics>()) {}

wba::Result<std::shared_ptr<StaticKeySource>> StaticKeySource::from_specs(
    const std::vector<std::string>& specs, std::shared_ptr<KeySource> fallback,
    StaticKeySourceOptions options, fetch::Clock clock,
    std::shared_ptr<fetch::FetchMetrics> metrics) {
  std::vector<TrustedDirectory> trusted;
  for (const auto& s : specs) {
    WBA_TRY(TrustSpec spec, parse_trust_spec(s));
    WBA_TRY(TrustedDirectory dir, load_trusted_directory(spec));
    trusted.push_back(std::move(dir));
  }
  return std::make_shared<StaticKeySource>(std::move(trusted), std::move(fallback), options,
                                           std::move(clock), std::move(metrics));
}

void StaticKeySource::find_key(const wba::profile::KeyQuery& query, KeyCallback done) {
  const std::int64_t now = unix_now(clock_);
  if (!query.agent) {
    if (options_.match_without_agent) {
      for (const auto& t : trusted_) {
        if (const auto* k = t.keys.find(query.keyid, now)) {
          fetch::bump(metrics_->static_hit);
          return done(k->key);
        }
      }
    }
    if (fallback_) return fallback_->find_key(query, std::move(done));
    return done(Error(Reason::key_not_found,
                      "no Signature-Agent and no trusted key \"" + query.keyid + "\""));
  }
  const auto& agent = *query.agent;
  for (const auto& t : trusted_) {
    if (t.agent_url != agent.agent_url && t.directory_url != agent.directory_url) continue;
    if (const auto* k = t.keys.find(query.keyid, now)) {
      fetch::bump(metrics_->static_hit);
      return done(k->key);
    }
    fetch::bump(metrics_->static_not_found);
    if (options_.fall_through_on_missing_key && fallback_) {
      return fallback_->find_key(query, std::move(done));
    }
    return done(Error(Reason::key_not_found, "trusted keys for " + t.url +
                                                 " have no valid key with thumbprint \"" +
                                                 query.keyid + "\""));
  }
  if (fallback_) return fallback_->find_key(query, std::move(done));
  done(Error(Reason::key_not_found,
             "no trusted keys for " + agent.agent_url + " (directory fetching is off)"));
}

}  // namespace wbad

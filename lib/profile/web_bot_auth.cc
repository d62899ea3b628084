#include "wba/profile/web_bot_auth.h"

#include <algorithm>
#include <array>
#include <optional>

#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"
#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"
#include "wba/sig/signer.h"

namespace wba::profile {
namespace {

bool covers(const sig::SignatureParams& p, std::string_view name) {
  const auto& c = p.components();
  return std::any_of(c.begin(), c.end(), [&](const sig::ComponentId& id) {
    return id.name() == name && !id.has_param("req") && !id.has_param("tr");
  });
}

const sig::ComponentId* signature_agent_component(const sig::SignatureParams& p) {
  for (const auto& id : p.components()) {
    if (id.name() == "signature-agent" && !id.has_param("req") && !id.has_param("tr")) return &id;
  }
  return nullptr;
}

// The member a signature covers: named by its `;key` (not by its label: the draft's own
// vectors cover member `agent2` under label `sig2`), or the only member for plain coverage.
Result<const SignatureAgentMember*> covered_member(const SignatureAgentField& field,
                                                   const sig::ComponentId& id) {
  if (const sfv::BareItem* key = id.params().find("key")) {
    const std::string& k = std::get<sfv::String>(*key).value;
    if (field.form == SignatureAgentForm::legacy_string) {
      return Error(Reason::invalid_signature_agent,
                   "signature covers member '" + k + "' of a legacy String Signature-Agent");
    }
    const SignatureAgentMember* m = field.find(k);
    if (!m) {
      return Error(Reason::missing_component, "Signature-Agent has no member '" + k + "'");
    }
    return m;
  }
  if (field.members.size() != 1) {
    return Error(Reason::invalid_signature_agent,
                 "plain \"signature-agent\" coverage of a Signature-Agent with several members");
  }
  return &field.members.front();
}

// RFC 7638 thumbprints of the RFC 9421 Appendix B.1 test keys (testvectors/rfc9421/keys.json).
constexpr std::array<std::string_view, 4> kTestKeyThumbprints{
    "BHj8s0GPnMEQtkaULIM-PLgEhLBbuGUQ1vMxmBWZzEo",  // test-key-rsa
    "oD0HwocPBSfpNy5W3bpJeyFGY_IQ_YpqxSjQ3Yd-CLA",  // test-key-rsa-pss
    "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI",  // test-key-ecc-p256
    "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",  // test-key-ed25519
};

}  // namespace

bool is_rfc9421_test_key(const VerifyingKey& key) {
  return std::find(kTestKeyThumbprints.begin(), kTestKeyThumbprints.end(), key.thumbprint()) !=
         kTestKeyThumbprints.end();
}

Outcome outcome_of(Reason reason) noexcept {
  switch (reason) {
    case Reason::ok:
      return Outcome::verified;
    case Reason::key_not_found:
    case Reason::directory_unavailable:
    case Reason::directory_invalid:
    case Reason::directory_signature_invalid:
      return Outcome::unverified;
    default:
      return Outcome::invalid;
  }
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::verified:
      return "verified";
    case Outcome::unverified:
      return "unverified";
    default:
      return "invalid";
  }
}

AgentKeyLookup trusted_keys_lookup(std::vector<VerifyingKey> keys) {
  return [keys = std::move(keys)](const KeyQuery& q) -> Result<VerifyingKey> {
    for (const auto& k : keys) {
      if (k.thumbprint() == q.keyid) return k;
    }
    return Error(Reason::key_not_found, "no trusted key with thumbprint \"" + q.keyid + "\"");
  };
}

// ---------------------------------------------------------------------------------------------
// Agent side

Result<sig::LabelledSignature> sign_request(http::Request& request, const SigningKey& key,
                                            const AgentSignOptions& options) {
  if (is_symmetric(key.algorithm())) {
    return Error(Reason::unsupported_algorithm, "Web Bot Auth forbids HMAC (§6.4)");
  }
  if (options.lifetime < 1 || options.lifetime > kMaxLifetime) {
    return Error(Reason::invalid_argument,
                 "lifetime must be 1…" + std::to_string(kMaxLifetime) + " seconds");
  }
  AgentUrlPolicy lenient;  // the signer only checks the URL's shape; verifiers apply policy
  lenient.allow_http = true;
  WBA_TRY(AgentLocation location, resolve_agent(SignatureAgentMember{"", options.signature_agent,
                                                                     MemberType::directory, false},
                                                lenient));
  (void)location;

  // Signature-Agent: a member for this label next to other signers' members (§5.2.2).
  http::Fields& h = request.headers;
  std::string agent_field;
  if (options.form == SignatureAgentForm::legacy_string) {
    if (h.contains("signature-agent")) {
      return Error(Reason::invalid_argument,
                   "the legacy Signature-Agent form cannot join an existing Signature-Agent");
    }
    WBA_TRY(agent_field, make_signature_agent(options.label, options.signature_agent,
                                              SignatureAgentForm::legacy_string));
  } else {
    std::string joined;
    for (auto v : h.values("signature-agent"))
      joined += (joined.empty() ? "" : ", ") + std::string(v);
    auto existing = sfv::parse_dictionary(joined);
    if (!existing) {
      return Error(Reason::invalid_argument, "existing Signature-Agent is not a Dictionary");
    }
    if (existing->find(options.label)) {
      return Error(Reason::invalid_argument,
                   "Signature-Agent already has a member '" + options.label + "'");
    }
    sfv::Dictionary dict = std::move(existing).value();
    dict.set(options.label, sfv::Item{sfv::String{options.signature_agent}, {}});
    auto text = sfv::serialize(dict);
    if (!text) return Error(Reason::invalid_argument, "Signature-Agent: " + text.error().detail);
    agent_field = std::move(text).value();
  }

  sig::SignatureParams params;
  WBA_CHECK(params.add_component(sig::ComponentId::make("@authority").value()));
  sfv::Parameters key_param;
  if (options.form == SignatureAgentForm::dictionary) {
    key_param.set("key", sfv::String{options.label});
  }
  WBA_TRY(auto agent_id,
          sig::ComponentId::from_item(sfv::Item{sfv::String{"signature-agent"}, key_param}));
  WBA_CHECK(params.add_component(std::move(agent_id)));
  for (const auto& c : options.extra_components) WBA_CHECK(params.add_component(c));
  // Parameter order of the draft's own vectors (App. E): created, keyid, alg, expires, nonce, tag.
  const std::int64_t created = options.created.value_or(sig::unix_now());
  params.set_created(created);
  params.set_keyid(key.thumbprint());
  if (options.include_alg) params.set_alg(std::string(to_string(key.algorithm())));
  params.set_expires(created + options.lifetime);
  if (options.include_nonce) {
    params.set_nonce(options.nonce.value_or(base64_encode(random_bytes(kNonceBytes))));
  }
  params.set_tag(std::string(kWebBotAuthTag));

  const http::Fields original = request.headers;  // restored if signing fails
  http::Message message(std::move(request));
  http::headers(message).set("Signature-Agent", agent_field);
  auto signed_ = sig::sign(message, key, options.label, std::move(params));
  request = std::move(std::get<http::Request>(message));
  if (!signed_) request.headers = original;
  return signed_;
}

Result<SignedHeaders> signature_headers(std::string_view method, std::string_view url,
                                        const http::Fields& headers, const SigningKey& key,
                                        const AgentSignOptions& options) {
  WBA_TRY(http::Target target, http::target_from_uri(url));
  http::Request request;
  request.method = std::string(method);
  request.target = std::move(target);
  request.headers = headers;
  WBA_CHECK(sign_request(request, key, options));
  SignedHeaders out;
  for (const char* name : {"Signature-Agent", "Signature-Input", "Signature"}) {
    std::string joined;
    for (auto v : request.headers.values(name)) {
      joined += (joined.empty() ? "" : ", ") + std::string(v);
    }
    out.fields.emplace_back(name, std::move(joined));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verifier side

namespace {

Result<PreparedSignature> check_signature(sig::LabelledSignature s,
                                          const std::optional<SignatureAgentField>& agent_field,
                                          const ProfilePolicy& policy, std::int64_t now) {
  const sig::SignatureParams& p = s.params;
  // Only an error needs the label text: no string is built for a signature that passes.
  auto at = [&s] { return "signature '" + s.label + "': "; };
  // §5.2: the target must be covered, or the signature rides on any request to any host.
  if (!covers(p, "@authority") && !covers(p, "@target-uri")) {
    return Error(Reason::authority_not_covered,
                 at() + "neither @authority nor @target-uri covered");
  }
  KeyQuery query{s.label, {}, std::nullopt};
  const sig::ComponentId* agent_id = signature_agent_component(p);
  if (agent_field) {
    // §5.2.1: a signer MUST cover its Signature-Agent member; otherwise the agent is a claim
    // anyone could have attached.
    if (!agent_id) {
      return Error(Reason::signature_agent_not_covered, at() + "Signature-Agent is not covered");
    }
    WBA_TRY(const SignatureAgentMember* member, covered_member(*agent_field, *agent_id));
    if (agent_field->form == SignatureAgentForm::legacy_string &&
        !policy.agent_urls.accept_legacy_string) {
      return Error(Reason::invalid_signature_agent, at() + "legacy String Signature-Agent refused");
    }
    auto location = resolve_agent(*member, policy.agent_urls);
    if (!location) return Error(location.error().reason, at() + location.error().detail);
    query.agent = std::move(location).value();
  } else if (agent_id) {
    return Error(Reason::missing_component, at() + "covers Signature-Agent, which is absent");
  } else if (policy.require_signature_agent) {
    return Error(Reason::missing_signature_agent, at() + "no Signature-Agent");
  }
  auto created = p.created();
  auto expires = p.expires();
  if (!created) return Error(Reason::missing_created, at() + "no 'created' parameter");
  if (!expires) return Error(Reason::missing_expires, at() + "no 'expires' parameter");
  if (now >= *expires) {
    return Error(Reason::expired,
                 at() + "expired at " + std::to_string(*expires) + ", now " + std::to_string(now));
  }
  if (*created > now + policy.max_clock_skew) {
    return Error(Reason::not_yet_valid, at() + "created " + std::to_string(*created) +
                                            " is in the future (now " + std::to_string(now) + ")");
  }
  if (*expires - *created > policy.max_lifetime) {
    return Error(Reason::lifetime_too_long,
                 at() + "lifetime " + std::to_string(*expires - *created) + " s exceeds " +
                     std::to_string(policy.max_lifetime) + " s");
  }
  if (auto nonce = p.nonce()) {
    // The draft defines no nonce format (deployed agents send base64, base64url, UUIDs).
    if (nonce->empty() || nonce->size() > policy.max_nonce_bytes) {
      return Error(Reason::invalid_nonce, at() + "nonce is empty or longer than " +
                                              std::to_string(policy.max_nonce_bytes) + " bytes");
    }
  } else if (policy.require_nonce) {
    return Error(Reason::missing_nonce, at() + "no 'nonce' parameter");
  }
  auto keyid = p.keyid();
  if (!keyid) return Error(Reason::missing_keyid, at() + "no 'keyid' parameter");
  if (auto alg = p.alg()) {
    auto a = algorithm_from_name(*alg);
    if (!a || is_symmetric(*a)) {
      return Error(Reason::unsupported_algorithm, at() + "alg \"" + *alg + "\" is not allowed");
    }
  }
  query.keyid = *keyid;
  return PreparedSignature{std::move(s), std::move(query)};
}

}  // namespace

Result<std::vector<Result<PreparedSignature>>> ProfileVerifier::prepare(
    const http::Message& message) const {
  WBA_TRY(auto entries, sig::parse_signature_entries(message));
  // A member that cannot be parsed cannot show its tag: it fails the request only when no Web
  // Bot Auth signature is left to verify (or when it is the label asked for), so a malformed
  // signature of another scheme never fails the agent's.
  std::optional<Error> unusable;
  auto usable = std::find_if(entries.begin(), entries.end(), [&](const sig::SignatureEntry& e) {
    return static_cast<bool>(e.signature) && (!policy_.label || e.label == *policy_.label);
  });
  if (usable == entries.end()) {  // answered before Signature-Agent is parsed, as it always was
    for (auto& e : entries) {
      if (!e.signature && (!policy_.label || e.label == *policy_.label)) {
        return std::move(e.signature).error();
      }
    }
  }
  WBA_TRY(auto agent_field, parse_signature_agent(http::headers(message)));
  const std::int64_t now = policy_.now.value_or(sig::unix_now());
  std::vector<Result<PreparedSignature>> out;
  bool label_seen = false;
  for (auto& e : entries) {
    if (policy_.label && e.label != *policy_.label) continue;
    label_seen = true;
    if (!e.signature) {
      if (!unusable) unusable = std::move(e.signature).error();
      continue;
    }
    sig::LabelledSignature& s = *e.signature;
    // §5.4: signatures with other tags are not Web Bot Auth signatures; they are skipped,
    // never failed and never verified.
    if (s.params.tag() != kWebBotAuthTag) continue;
    if (out.size() == policy_.max_signatures) {
      return Error(Reason::limit_exceeded, "more than " + std::to_string(policy_.max_signatures) +
                                               " web-bot-auth signatures");
    }
    out.push_back(check_signature(std::move(s), agent_field, policy_, now));
  }
  if (policy_.label && !label_seen) {
    return Error(Reason::unknown_label, "no signature labelled '" + *policy_.label + "'");
  }
  if (out.empty()) {
    if (unusable) return std::move(*unusable);
    return Error(Reason::wrong_tag, "no signature has tag \"web-bot-auth\"");
  }
  return out;
}

Result<AgentVerdict> ProfileVerifier::verify_prepared(const http::Message& message,
                                                      const PreparedSignature& prepared,
                                                      const VerifyingKey& key) const {
  auto at = [&prepared] { return "signature '" + prepared.signature.label + "': "; };
  if (is_symmetric(key.algorithm())) {
    return Error(Reason::unsupported_algorithm, at() + "Web Bot Auth forbids HMAC keys");
  }
  // §5.2: keyid is the RFC 7638 thumbprint of the signing key.
  if (key.thumbprint() != prepared.query.keyid) {
    return Error(Reason::keyid_mismatch, at() + "keyid \"" + prepared.query.keyid +
                                             "\" is not the key's thumbprint " + key.thumbprint());
  }
  if (!policy_.allow_test_keys && is_rfc9421_test_key(key)) {
    return Error(Reason::test_key_refused, at() + "RFC 9421 test keys are refused (§6.8)");
  }
  sig::VerifyOptions opts;
  opts.now = policy_.now.value_or(sig::unix_now());
  opts.max_clock_skew = policy_.max_clock_skew;
  sig::Verifier verifier(sig::single_key_lookup(key), opts);
  auto verified = verifier.verify_one(message, prepared.signature);
  if (!verified) return Error(verified.error().reason, at() + verified.error().detail);
  return AgentVerdict{std::move(verified).value(), prepared.query.agent, key.thumbprint()};
}

Result<AgentVerdict> ProfileVerifier::verify(const http::Message& message,
                                             const AgentKeyLookup& lookup) const {
  WBA_TRY(auto prepared, prepare(message));
  std::optional<Error> first_error;
  for (const auto& p : prepared) {
    if (!p) {
      if (!first_error) first_error = p.error();
      continue;
    }
    auto key = lookup(p->query);
    if (!key) {
      if (!first_error) first_error = key.error();
      continue;
    }
    auto verdict = verify_prepared(message, *p, *key);
    if (verdict) return verdict;
    if (!first_error) first_error = verdict.error();
  }
  return *first_error;
}

}  // namespace wba::profile

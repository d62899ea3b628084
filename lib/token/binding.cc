// The binding rule of delegation.md §3.2 and §4 Steps 2, 10–13: whether a validated token may
// be used by the agent whose Web Bot Auth signature verified, and in whose name.
#include "wba/token/binding.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "wba/jose/thumbprint.h"
#include "wba/profile/signature_agent.h"
#include "wba/profile/web_bot_auth.h"

namespace wba::token {
namespace {

// ---------------------------------------------------------------------------------------------
// Step 2: the covering signature S.

// A component as the request carries it: `;req` names the request of a response and `;tr` a
// trailer, neither of which is the field the token travels in.
bool covers(const sig::SignatureParams& params, std::string_view name) {
  const auto& c = params.components();
  return std::any_of(c.begin(), c.end(), [&](const sig::ComponentId& id) {
    return id.name() == name && !id.has_param("req") && !id.has_param("tr");
  });
}

// The agent's own Signature-Agent member: `;key="<label>"` (dictionary form), or the plain
// component of the legacy String form, which has a single member.
bool covers_own_signature_agent(const sig::SignatureParams& params, std::string_view label) {
  for (const auto& id : params.components()) {
    if (id.name() != "signature-agent" || id.has_param("req") || id.has_param("tr")) continue;
    const sfv::BareItem* key = id.params().find("key");
    if (!key) return true;
    const auto* s = std::get_if<sfv::String>(key);
    if (s && s->value == label) return true;
  }
  return false;
}

// ok: `agent`'s signature binds the token to this request; else authorization_not_signed (a
// component is missing) or stale_binding_signature (coverage fine, but too old or expired: a
// signature over a token is a bearer token of its own once captured, §9 attack 6).
Status check_covering_signature(const VerifiedAgent& agent, bool need_dpop,
                                const BindingPolicy& policy, std::int64_t now) {
  const sig::SignatureParams& p = agent.params;
  std::vector<std::string> missing;
  if (!covers(p, "authorization")) missing.emplace_back("authorization");
  if (agent.signature_agent && !covers_own_signature_agent(p, agent.label)) {
    missing.emplace_back("\"signature-agent\";key=\"" + agent.label + "\"");
  }
  if (!covers(p, "@method")) missing.emplace_back("@method");
  if (!covers(p, "@target-uri") && !(covers(p, "@authority") && covers(p, "@path"))) {
    missing.emplace_back("@target-uri (or @authority and @path)");
  }
  if (need_dpop && !covers(p, "dpop")) missing.emplace_back("dpop");
  if (policy.require_body_digest && !covers(p, "content-digest")) {
    missing.emplace_back("content-digest");
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Error(Reason::authorization_not_signed,
                 "signature '" + agent.label + "' does not cover " + list);
  }
  const auto created = p.created();
  if (!created) {
    return Error(Reason::stale_binding_signature,
                 "signature '" + agent.label + "' has no created time");
  }
  if (*created > now + policy.clock_skew) {
    return Error(Reason::stale_binding_signature,
                 "signature '" + agent.label + "' was created in the future");
  }
  if (now - *created > policy.binding_max_age) {
    return Error(Reason::stale_binding_signature,
                 "signature '" + agent.label + "' is " + std::to_string(now - *created) +
                     " s old (binding_max_age " + std::to_string(policy.binding_max_age) + " s)");
  }
  if (const auto expires = p.expires(); expires && *expires <= now) {
    return Error(Reason::stale_binding_signature, "signature '" + agent.label + "' has expired");
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Step 11: names.

// RFC 3986 §6.2.2/§6.2.3 normalization as the Web Bot Auth stage applies it to U (WBA §5.5),
// so that a name and U compare the same way. A query or fragment is not part of an agent
// identifier, and a name carrying one is compared exactly only (as C and K-URN are).
std::optional<std::string> resolve_normalized_url(std::string_view url) {
  profile::AgentUrlPolicy lenient;
  lenient.allow_http = true;  // U itself may be http in development; the comparison decides
  auto loc = profile::resolve_agent(
      profile::SignatureAgentMember{"", std::string(url), profile::MemberType::directory, false},
      lenient);
  if (!loc || loc->is_data_url) return std::nullopt;
  return std::move(loc->agent_url);
}

// resolve_normalized_url is a pure function of the URL, and the same few agent URLs (U, O, the
// act.sub names of cached tokens) come back on every request: each thread remembers the last
// results instead of parsing them again with Boost.URL (about two thirds of the time of a
// binding, docs/PERFORMANCE.md). Bounded: at most kMemoEntries URLs of at most kMemoUrlBytes,
// forgotten all at once when full.
class NormalizedUrlMemo {
 public:
  static constexpr std::size_t kMemoEntries = 256;
  static constexpr std::size_t kMemoUrlBytes = 512;

  const std::optional<std::string>& get(std::string_view url) {
    if (auto it = memo_.find(url); it != memo_.end()) return it->second;
    if (memo_.size() >= kMemoEntries) memo_.clear();
    return memo_.emplace(std::string(url), resolve_normalized_url(url)).first->second;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::optional<std::string>, Hash, std::equal_to<>> memo_;
};

std::optional<std::string> normalized_url(std::string_view url, bool allow_query = false) {
  if (!allow_query && url.find_first_of("?#") != std::string_view::npos) return std::nullopt;
  if (url.size() > NormalizedUrlMemo::kMemoUrlBytes) return resolve_normalized_url(url);
  thread_local NormalizedUrlMemo memo;
  return memo.get(url);
}

// Whether `url` is the agent's Signature-Agent identifier: U itself, or for a bare-origin
// directory agent its origin O (or O's well-known directory URL). "signature_agent", "origin"
// or "" (also for a name that is not a URL).
std::string_view url_names_agent(std::string_view url, const VerifiedAgent& agent) {
  if (!agent.signature_agent) return "";
  const auto n = normalized_url(url);
  if (!n) return "";
  if (const auto u = normalized_url(*agent.signature_agent, true); u && *n == *u) {
    return "signature_agent";
  }
  if (agent.agent_type == "directory" && agent.origin) {
    const auto o = normalized_url(*agent.origin, true);
    if (o && (*n == *o || *n == *o + std::string(profile::kWellKnownDirectoryPath))) {
      return "origin";
    }
  }
  return "";
}

// An operator alias (ns, sub) → Signature-Agent URL that names this agent. The URL may be
// written as the agent sends it (a bare origin) or as its directory URL.
bool alias_names_agent(std::string_view ns, std::string_view sub, const VerifiedAgent& agent,
                       const std::vector<ActorAlias>& aliases) {
  for (const auto& alias : aliases) {
    if (alias.ns == ns && alias.sub == sub &&
        !url_names_agent(alias.signature_agent, agent).empty()) {
      return true;
    }
  }
  return false;
}

// name == jwk_thumbprint_uri(thumbprint) (RFC 9278), without building the URN.
bool is_key_urn(std::string_view name, std::string_view thumbprint) {
  constexpr std::string_view prefix = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:";
  return name.size() == prefix.size() + thumbprint.size() && name.starts_with(prefix) &&
         name.ends_with(thumbprint);
}

// How `name` (in namespace `ns`: act.iss, or else the token's iss) names the agent; "" when it
// does not. Global names (URLs, the K-URN) match whatever the namespace (§9 attack 9); opaque
// ones only through an operator alias of that namespace (§3.1 rule 5). Without URL attribution
// only the K-URN can match (§9 attack 17).
std::string match_name(std::string_view name, std::string_view ns, const VerifiedAgent& agent,
                       const std::vector<ActorAlias>& aliases) {
  if (is_key_urn(name, agent.key_thumbprint)) return "key_urn";
  if (!agent.signature_agent) return "";
  if (auto how = url_names_agent(name, agent); !how.empty()) return std::string(how);
  if (agent.card_client_id && name == *agent.card_client_id) return "card_client_id";
  if (alias_names_agent(ns, name, agent, aliases)) return "alias";
  return "";
}

// No act: the token names its agent by `client_id` — C exactly, or an alias in the issuer's
// namespace (Step 11.2). U itself is not a client_id unless a card made it one (type=cimd).
std::string match_client_id(const AccessToken& token, const VerifiedAgent& agent,
                            const std::vector<ActorAlias>& aliases) {
  if (!agent.signature_agent || token.client_id.empty()) return "";
  if (agent.card_client_id && token.client_id == *agent.card_client_id) return "card_client_id";
  if (alias_names_agent(token.issuer, token.client_id, agent, aliases)) return "alias";
  return "";
}

ActorView view_of(const Actor& a, bool authoritative) {
  return ActorView{a.sub, a.iss, a.sub_profile, authoritative};
}

std::string_view cnf_link(Confirmation::Method m) {
  switch (m) {
    case Confirmation::Method::jkt:
      return "cnf.jkt";
    case Confirmation::Method::jwk:
      return "cnf.jwk";
    case Confirmation::Method::htsk:
      return "cnf.htsk";
    case Confirmation::Method::x5t_s256:
      return "cnf.x5t#S256";
    default:
      return "";
  }
}

// Audit lines are logged: names come from tokens, so control characters are replaced.
void append_printable(std::string& out, std::string_view s) {
  const std::size_t start = out.size();
  out += s;
  for (std::size_t i = start; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x20 || c == 0x7f) out[i] = '?';
  }
}

std::string audit_line(const Delegation& d, const VerifiedAgent& agent) {
  std::string line;
  line.reserve(160);
  line += "agent ";
  if (d.actor && d.binding.identity_bound) {
    append_printable(line, d.actor->sub);
  } else if (agent.signature_agent) {
    append_printable(line, *agent.signature_agent);
  } else {
    append_printable(line, jwk_thumbprint_uri(agent.key_thumbprint));
  }
  line += " [key ";
  line += std::string_view(agent.key_thumbprint).substr(0, 8);
  line += "\xE2\x80\xA6]";  // U+2026, as in delegation.md §6
  if (d.principal_is_agent) {
    line += " acting as itself";
  } else {
    line += " acting for ";
    append_printable(line, d.principal_sub);
    line += '@';
    append_printable(line, d.principal_iss);
  }
  if (!d.client_id.empty()) {
    line += " via client ";
    append_printable(line, d.client_id);
  }
  line += "; scopes";
  if (d.scopes.empty()) line += " (none)";
  for (const auto& s : d.scopes) {
    line += ' ';
    append_printable(line, s);
  }
  return line;
}

void warn(Delegation& d, std::string w) {
  if (std::find(d.warnings.begin(), d.warnings.end(), w) == d.warnings.end()) {
    d.warnings.push_back(std::move(w));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::vector<std::string> agent_identifiers(const VerifiedAgent& agent) {
  std::vector<std::string> ids;
  if (agent.signature_agent) {
    ids.push_back(normalized_url(*agent.signature_agent, true).value_or(*agent.signature_agent));
    if (agent.agent_type == "directory" && agent.origin) {
      ids.push_back(normalized_url(*agent.origin, true).value_or(*agent.origin));
    }
  }
  ids.push_back(jwk_thumbprint_uri(agent.key_thumbprint));
  if (agent.signature_agent && agent.card_client_id) ids.push_back(*agent.card_client_id);
  return ids;
}

Result<Delegation> bind_token(const AccessToken& token, const Presentation& presentation,
                              const std::vector<VerifiedAgent>& agents, const BindingPolicy& policy,
                              std::int64_t now) {
  if (!token.jti.empty() && policy.revoked_token_ids.count(token.jti) != 0) {
    return Error(Reason::token_revoked, "token '" + token.jti + "' is revoked");
  }
  const Scheme scheme = presentation.token.scheme;
  if (scheme == Scheme::httpsig) {
    // P2 (draft-richer-oauth-httpsig-03) needs the httpsig-oauth signatures verified with the
    // cnf key; this release does not implement it, and a scheme that is accepted but never
    // checked would be a bypass.
    return Error(Reason::unsupported_token_scheme, "the HTTPSig scheme is not supported yet");
  }
  if (agents.empty()) {
    return Error(Reason::authorization_not_signed,
                 "no verified Web Bot Auth signature to bind the token to");
  }
  // Only the first signer can be the actor: a remote browser's signature next to (or over)
  // the agent's never makes the browser the agent (WBA §5.2.2, §9 attack 7).
  const VerifiedAgent& agent = agents.front();
  const std::string& k = agent.key_thumbprint;
  const Confirmation& cnf = token.cnf;

  std::optional<std::string> p;  // the DPoP proof key
  if (scheme == Scheme::dpop) {
    if (!presentation.dpop) {
      return Error(Reason::invalid_request, "Authorization: DPoP without a DPoP proof");
    }
    p = presentation.dpop->key_thumbprint;
  }

  // Step 2. Coverage of `dpop` matters only when the proof key is not the signing key: the
  // signature then has to tie the separate proof to this agent.
  auto covering = [&](const VerifiedAgent& a) {
    return check_covering_signature(a, p && *p != a.key_thumbprint, policy, now);
  };
  const Status agent_s = covering(agent);
  const bool intermediary_s = std::any_of(agents.begin() + 1, agents.end(),
                                          [&](const VerifiedAgent& a) { return covering(a).ok(); });
  auto agent_s_missing = [&]() -> Error {
    if (intermediary_s) {
      return Error(Reason::agent_binding_mismatch,
                   "the token is covered by an intermediary's signature only, and an "
                   "intermediary is never the actor");
    }
    return agent_s.error();
  };
  if (scheme == Scheme::bearer && !agent_s.ok() && !intermediary_s) return agent_s.error();

  // Step 10: key binding.
  bool key_bound = false;
  bool separate_pop_key = false;  // cnf names a key other than K, proven by its own proof
  const bool cnf_is_key = cnf.method == Confirmation::Method::jkt ||
                          cnf.method == Confirmation::Method::jwk ||
                          cnf.method == Confirmation::Method::htsk;
  const bool introspected_pop = token.token_type && (http::iequals(*token.token_type, "DPoP") ||
                                                     http::iequals(*token.token_type, "httpsig"));
  if (scheme == Scheme::bearer && (cnf_is_key || introspected_pop) &&
      !policy.wba_signature_as_pop) {
    return Error(Reason::pop_scheme_mismatch,
                 "a proof-of-possession token presented as Bearer (RFC 9449 §7.2)");
  }
  switch (cnf.method) {
    case Confirmation::Method::none:
      if (policy.require_sender_constrained) {
        return Error(Reason::token_not_sender_constrained, "the token has no cnf");
      }
      break;
    case Confirmation::Method::x5t_s256:
      // RFC 8705: the certificate is observable only through a trusted proxy's forwarding.
      if (!presentation.client_certificate_x5t) {
        return Error(Reason::binding_unverifiable,
                     "x5t#S256-bound token and no forwarded client certificate");
      }
      if (*presentation.client_certificate_x5t != cnf.x5t_s256) {
        return Error(Reason::binding_unverifiable,
                     "the forwarded client certificate is not the token's x5t#S256");
      }
      if (!policy.allow_separate_pop_key) {
        return Error(Reason::cnf_key_mismatch,
                     "the token is bound to a client certificate, not the signing key");
      }
      separate_pop_key = true;
      break;
    default:
      if (p) {
        if (cnf.key_thumbprint != *p) {
          return Error(Reason::invalid_dpop_proof,
                       "the DPoP proof key is not the token's cnf key (RFC 9449 §4.3)");
        }
        key_bound = *p == k;
      } else {
        // Bearer under wba_signature_as_pop: the Web Bot Auth signature is the only proof.
        if (!agent_s.ok()) return agent_s_missing();
        key_bound = cnf.key_thumbprint == k;
      }
      if (!key_bound) {
        // A separate key counts only when its holder proved possession of it (DPoP).
        if (!p || !policy.allow_separate_pop_key) {
          return Error(Reason::cnf_key_mismatch,
                       "the token is bound to another key than the signing key");
        }
        separate_pop_key = true;
      }
      break;
  }

  // Step 11: identity binding, on the current (outermost) actor only.
  Delegation d;
  std::string identity_link;
  std::string matched_as;
  std::optional<ActorView> actor;
  if (!token.actor_chain.empty()) {
    const Actor& a = token.actor_chain.front();
    matched_as = match_name(a.sub, a.iss.value_or(token.issuer), agent, policy.aliases);
    if (!matched_as.empty() && a.client_id && agent.signature_agent && agent.card_client_id &&
        *a.client_id != *agent.card_client_id) {
      matched_as.clear();
    }
    identity_link = "act.sub";
    actor = view_of(a, true);
  } else {
    // Step 12.3 ahead of the decision: a subject token carrying may_act for this agent fails
    // identity binding by design, and the precise code tells the agent to exchange it first.
    if (token.may_act) {
      const Actor& m = *token.may_act;
      std::string may = match_name(m.sub, m.iss.value_or(token.issuer), agent, policy.aliases);
      if (!may.empty()) {
        if (!policy.accept_may_act_as_actor) {
          return Error(Reason::delegation_not_exchanged,
                       "the token names this agent in may_act: exchange it (RFC 8693) first");
        }
        matched_as = std::move(may);
        identity_link = "may_act.sub";
        actor = view_of(m, true);
      }
    }
    if (matched_as.empty()) {
      matched_as = match_client_id(token, agent, policy.aliases);
      identity_link = "client_id";
    }
  }
  const bool identity_bound = !matched_as.empty();

  std::string kind;
  if (key_bound) {
    kind = identity_bound ? "key+identity" : "key";
    if (!identity_bound) {
      if (policy.require_identity_match) {
        return Error(Reason::agent_binding_mismatch,
                     "the token is bound to the signing key but does not name the agent");
      }
      warn(d, "actor_name_not_matched");
    }
  } else if (identity_bound) {
    if (!agent_s.ok()) return agent_s_missing();
    kind = "identity";
    if (separate_pop_key) warn(d, "pop_key_differs");
  } else if (cnf.method != Confirmation::Method::none) {
    return Error(Reason::cnf_key_mismatch,
                 "the token is bound to another key and does not name this agent");
  } else {
    return Error(Reason::agent_binding_mismatch, "the token does not name this agent");
  }

  // Step 12: delegation semantics.
  d.issuer = token.issuer;
  d.principal_iss = token.issuer;
  d.principal_sub = token.subject;
  d.principal_sub_profile = token.sub_profile;
  // sub == client_id alone is not enough: a client may have picked a client_id equal to a
  // user's sub (RFC 9068 §5, §9 item 43).
  d.principal_is_agent = !match_name(token.subject, token.issuer, agent, policy.aliases).empty();
  d.client_id = token.client_id;
  for (std::size_t i = 0; i < token.actor_chain.size(); ++i) {
    d.actor_chain.push_back(view_of(token.actor_chain[i], i == 0));
  }
  if (!token.actor_chain.empty()) {
    const Actor& a = token.actor_chain.front();
    const bool same_entity =
        (a.iss.value_or(token.issuer) == token.issuer && a.sub == token.subject) ||
        (d.principal_is_agent && identity_bound);
    d.delegation = same_entity ? "none" : "explicit_act";
  } else if (identity_link == "may_act.sub") {
    d.delegation = "explicit_act";
  } else if (identity_bound && !d.principal_is_agent && token.subject != token.client_id) {
    d.delegation = "implicit_client";
    actor = ActorView{token.client_id, std::nullopt, std::nullopt, true};
  } else {
    d.delegation = "none";
  }
  if (d.delegation != "none") {
    d.actor = std::move(actor);
    d.actor_matched_as = matched_as;
  }
  if (token.may_act) warn(d, "may_act_present");
  for (std::size_t i = 0; i < token.actor_chain.size(); ++i) {
    for (std::size_t j = i + 1; j < token.actor_chain.size(); ++j) {
      const Actor& x = token.actor_chain[i];
      const Actor& y = token.actor_chain[j];
      if (x.sub == y.sub && x.iss.value_or(token.issuer) == y.iss.value_or(token.issuer)) {
        warn(d, "actor_repeats_in_chain");
      }
    }
  }
  if (!token.chain_complete) warn(d, "chain_may_be_incomplete");
  if (policy.require_delegation && d.delegation == "none") {
    return Error(Reason::delegation_required,
                 "the route needs a principal acting through an agent");
  }
  if (!policy.allowed_actors.empty() && d.delegation != "none") {
    const auto& allowed = policy.allowed_actors;
    auto listed = [&](std::string_view id) {
      return std::find(allowed.begin(), allowed.end(), id) != allowed.end();
    };
    bool ok = d.actor && listed(d.actor->sub);
    for (const auto& id : agent_identifiers(agent)) ok = ok || listed(id);
    if (!ok) {
      return Error(Reason::actor_unauthorized,
                   "this agent may not act for principals on this route");
    }
  }

  // Step 13: scopes.
  d.scopes = token.scopes;
  for (const auto& needed : policy.required_scopes) {
    if (std::find(token.scopes.begin(), token.scopes.end(), needed) == token.scopes.end()) {
      return Error(Reason::insufficient_scope, "the token lacks scope '" + needed + "'");
    }
  }

  // Step 14: the evidence and how long it holds.
  BindingEvidence& b = d.binding;
  b.kind = kind;
  b.key_bound = key_bound;
  b.identity_bound = identity_bound;
  b.as_link = key_bound ? std::string(cnf_link(cnf.method)) : identity_link;
  b.presenter_proof = key_bound && p ? "dpop" : "wba_signature";
  if (cnf_is_key) b.pop_key_thumbprint = p ? *p : cnf.key_thumbprint;
  b.wba_covers_authorization = agent_s.ok();
  if (agent_s.ok()) b.binding_signature_created = agent.params.created();
  d.valid_until = token.expires_at;
  // A binding that rests on the signature lasts no longer than the signature (WBA §5.6).
  if (b.presenter_proof == "wba_signature") {
    if (const auto e = agent.params.expires()) d.valid_until = std::min(d.valid_until, *e);
  }
  d.token_sha256 = token.sha256;
  d.token_id = token.jti;
  d.token_expires = token.expires_at;
  d.audit = audit_line(d, agent);
  return d;
}

// ---------------------------------------------------------------------------------------------

nlohmann::json to_json(const Delegation& d) {
  using nlohmann::json;
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json chain = json::array();
  for (const auto& a : d.actor_chain) {
    chain.push_back({{"sub", a.sub},
                     {"iss", opt(a.iss)},
                     {"sub_profile", opt(a.sub_profile)},
                     {"authoritative", a.authoritative}});
  }
  json actor = nullptr;
  if (d.actor) {
    actor = {{"sub", d.actor->sub},
             {"iss", opt(d.actor->iss)},
             {"sub_profile", opt(d.actor->sub_profile)},
             {"matched_as", d.actor_matched_as.empty() ? json(nullptr) : json(d.actor_matched_as)}};
  }
  const BindingEvidence& b = d.binding;
  return {
      {"principal",
       {{"iss", d.principal_iss},
        {"sub", d.principal_sub},
        {"sub_profile", opt(d.principal_sub_profile)},
        {"is_agent", d.principal_is_agent}}},
      {"actor", actor},
      {"actor_chain", chain},
      {"delegation", d.delegation},
      {"binding",
       {{"kind", b.kind},
        {"as_link", b.as_link},
        {"presenter_proof", b.presenter_proof},
        {"key_bound", b.key_bound},
        {"identity_bound", b.identity_bound},
        {"pop_key_thumbprint", opt(b.pop_key_thumbprint)},
        {"wba_covers_authorization", b.wba_covers_authorization},
        {"binding_signature_created",
         b.binding_signature_created ? json(*b.binding_signature_created) : json(nullptr)}}},
      {"scopes", d.scopes},
      {"token",
       {{"issuer", d.issuer},
        {"jti", d.token_id},
        {"sha256", d.token_sha256},
        {"expires_at", d.token_expires},
        {"client_id", d.client_id}}},
      {"valid_until", d.valid_until},
      {"warnings", d.warnings},
      {"audit", d.audit},
  };
}

std::string accept_signature_for_binding(std::string_view label, bool dpop) {
  sig::SignatureParams params;
  std::vector<std::string_view> names = {"@method", "@authority", "@path", "authorization"};
  if (dpop) names.push_back("dpop");
  for (auto n : names) (void)params.add_component(sig::ComponentId::make(n).value());
  sfv::Parameters key;
  key.set("key", sfv::String{std::string(label)});
  if (auto id = sig::ComponentId::from_item(sfv::Item{sfv::String{"signature-agent"}, key})) {
    (void)params.add_component(std::move(id).value());
  }
  params.set_tag(std::string(profile::kWebBotAuthTag));
  return std::string(label) + "=" + params.serialize();
}

TokenErrorMapping token_error_mapping(Reason reason) noexcept {
  switch (reason) {
    case Reason::token_required:
      return {401, ""};
    case Reason::invalid_request:
      return {400, "invalid_request"};
    case Reason::unsupported_token_scheme:
      return {401, "invalid_request"};
    case Reason::invalid_dpop_proof:
      return {401, "invalid_dpop_proof"};
    case Reason::issuer_metadata_unavailable:
    case Reason::introspection_unavailable:
      return {503, ""};
    // The actor profile prefers actor_unauthorized for these two; insufficient_scope is what
    // deployed clients understand today (delegation.md §5 footnote).
    case Reason::delegation_not_exchanged:
    case Reason::delegation_required:
      return {403, "insufficient_scope"};
    case Reason::actor_unauthorized:
      return {403, "actor_unauthorized"};
    case Reason::insufficient_scope:
      return {403, "insufficient_scope"};
    default:
      return {401, "invalid_token"};
  }
}

}  // namespace wba::token

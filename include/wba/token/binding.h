// The binding rule: a validated access token (access_token.h) is accepted for a request only
// when (a) the authorization server links it to the agent whose Web Bot Auth signature verified
// (cnf = the signing key K, or the outermost act.sub / client_id names the agent), and (b) the
// presenter proves it holds that key and sent this token (a DPoP proof by K, or the Web Bot Auth
// signature by K covering authorization, @method, @authority and @path, fresh). A token that
// passes (b) but not (a) is a transplant. Steps 1–2 and 10–14 of docs/DELEGATION.md; runs on
// every request (never cached), pure: no I/O, no clock of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wba/http/fields.h"
#include "wba/result.h"
#include "wba/sig/signature_params.h"
#include "wba/token/access_token.h"
#include "wba/token/dpop.h"

namespace wba::token {

// ---------------------------------------------------------------------------------------------
// Step 1: the credential in the request.

enum class Scheme { bearer, dpop, httpsig };
std::string_view to_string(Scheme scheme) noexcept;  // "Bearer", "DPoP", "HTTPSig"

struct PresentedToken {
  Scheme scheme = Scheme::bearer;
  std::string token;
};

// nullopt: no Authorization field. Errors: invalid_request (several field lines, a list value,
// bad token68 syntax, over max_token_bytes), unsupported_token_scheme (not Bearer/DPoP/HTTPSig,
// scheme compared case-insensitively, RFC 9110 §11.1).
Result<std::optional<PresentedToken>> find_presented_token(
    const http::Fields& headers, std::size_t max_token_bytes = kDefaultMaxTokenBytes);

// ---------------------------------------------------------------------------------------------
// The agent, as the Web Bot Auth stage verified it (delegation.md §3.1).

struct ActorAlias {
  std::string ns;               // the act.iss (or token iss) namespace the opaque id lives in
  std::string sub;              // the opaque actor id
  std::string signature_agent;  // the Signature-Agent identifier U it stands for
};

struct VerifiedAgent {
  // The signature label. A covering signature covers the Signature-Agent member under this
  // key (`"signature-agent";key="<label>"`), or the plain component of the legacy String form.
  std::string label;
  std::string key_thumbprint;  // K
  // U, the resolved Signature-Agent URL; nullopt when no URL was attributed (static --trust key
  // with no Signature-Agent, or discovery failed: attribution "none", only K-URN/cnf can bind).
  std::optional<std::string> signature_agent;
  std::string agent_type;             // "directory" | "jwks_uri" | "cimd" (empty when no URL)
  std::optional<std::string> origin;  // O, for type=directory only
  std::optional<std::string> card_client_id;  // C, only when trusted under §3.1 rule 4
  std::string card_client_id_trust;           // "cimd" | "same_origin" | "configured" | ""
  sig::SignatureParams params;                // covered components, created, expires, nonce
};

// The identifiers an actor name may match (§3.1): U and O (normalized), the K-URN, and C; only
// the K-URN without URL attribution. Operator aliases are not listed: they live in the policy
// and match only within their namespace.
std::vector<std::string> agent_identifiers(const VerifiedAgent& agent);

// ---------------------------------------------------------------------------------------------
// Policy (delegation.md §7 [binding] and [[route]]).

struct BindingPolicy {
  std::int64_t binding_max_age = 60;  // now − created of the covering signature
  std::int64_t clock_skew = kDefaultClockSkew;
  bool require_sender_constrained = false;  // no cnf → token_not_sender_constrained
  bool require_identity_match = false;      // key-only binding → agent_binding_mismatch
  bool allow_separate_pop_key = true;       // cnf = K' ≠ K accepted when the name matches
  bool wba_signature_as_pop = false;        // deviation from RFC 9449 §7.2 when true
  bool accept_may_act_as_actor = false;
  bool require_delegation = false;   // a human principal must be present
  bool require_body_digest = false;  // the covering signature must cover content-digest
  std::vector<std::string> required_scopes;
  std::vector<ActorAlias> aliases;
  // Actor policy (actor profile `actor_unauthorized`): when not empty, an agent acting for a
  // principal must be one of these — any of its identifiers (U, O, K-URN, C) or the current
  // actor's `sub` listed. An agent acting for itself (delegation "none") is not restricted.
  std::vector<std::string> allowed_actors;
  // Revocation feed (jti denylist, delegation.md §4 Step 8.8): a token whose `jti` is listed →
  // token_revoked. Checked on every request, so a cached validation cannot outlive revocation.
  std::set<std::string, std::less<>> revoked_token_ids;
};

// ---------------------------------------------------------------------------------------------
// The result.

struct BindingEvidence {
  std::string kind;  // "key+identity" | "key" | "identity"
  // "cnf.jkt" | "cnf.jwk" | "cnf.htsk" (key-bound); else "act.sub" | "client_id" |
  // "may_act.sub" (the last only under accept_may_act_as_actor).
  std::string as_link;
  std::string presenter_proof;  // "dpop" | "wba_signature"
  bool key_bound = false;
  bool identity_bound = false;
  std::optional<std::string> pop_key_thumbprint;  // the key cnf names, when it names one
  bool wba_covers_authorization = false;
  std::optional<std::int64_t> binding_signature_created;
};

struct ActorView {
  std::string sub;
  std::optional<std::string> iss;
  std::optional<std::string> sub_profile;
  bool authoritative = false;  // only the outermost actor
};

struct Delegation {
  std::string principal_iss;
  std::string principal_sub;
  std::optional<std::string> principal_sub_profile;
  bool principal_is_agent = false;
  // The current actor: the outermost act, or client_id for implicit_client; nullopt when
  // delegation is "none".
  std::optional<ActorView> actor;
  // How the actor's name matched the agent: "signature_agent" | "origin" | "key_urn" |
  // "card_client_id" | "alias"; "" when it did not (key-only binding) or there is no actor.
  std::string actor_matched_as;
  std::vector<ActorView> actor_chain;  // outermost first
  std::string delegation;              // "explicit_act" | "implicit_client" | "none"
  std::string client_id;
  std::vector<std::string> scopes;
  BindingEvidence binding;
  // min(exp, the covering signature's expires when the binding rests on that signature)
  std::int64_t valid_until = 0;
  std::vector<std::string> warnings;  // actor_name_not_matched, pop_key_differs, …
  std::string audit;  // "agent X [key K…] acting for SUB@ISS via client C; scopes …"
  std::string token_sha256;
  std::string token_id;  // jti
  std::int64_t token_expires = 0;
  std::string issuer;
};

// What the request offers besides the token: its method and target URI (for the DPoP htm/htu
// checks already done by the caller) and the DPoP proof when the scheme is DPoP.
struct Presentation {
  PresentedToken token;
  std::optional<VerifiedDpopProof> dpop;  // verified by the caller (verify_dpop_proof + replay)
  // x5t#S256 of the client certificate forwarded by a trusted proxy, when configured.
  std::optional<std::string> client_certificate_x5t;
};

// Steps 2 (covering signature), 10 (key binding), 11 (identity binding), 12 (delegation and
// policy), 13 (scopes): the first failing check's code (delegation.md §5). `agents` are the
// verified web-bot-auth signatures of the request, the agent's first (several: agent plus
// remote browser, §9 attack 7 — the others are intermediaries, never actors: a token covered
// only by an intermediary's signature → agent_binding_mismatch). Token time checks are the
// caller's (check_token_time), and so are nonce and DPoP jti replay checks (before binding).
// The HTTPSig scheme (P2) is not implemented in this release → unsupported_token_scheme.
Result<Delegation> bind_token(const AccessToken& token, const Presentation& presentation,
                              const std::vector<VerifiedAgent>& agents, const BindingPolicy& policy,
                              std::int64_t now);

// The verdict fields of a Delegation as JSON (delegation.md §6 subset: principal, actor,
// actor_chain, delegation, binding, scopes, token, warnings, audit, valid_until).
nlohmann::json to_json(const Delegation& delegation);

// The RFC 9421 §5.1 Accept-Signature value asking an agent to cover what binding needs, for a
// 401 authorization_not_signed: sig1=("@method" "@authority" "@path" "authorization"
// "signature-agent";key="sig1");tag="web-bot-auth".
std::string accept_signature_for_binding(std::string_view label = "sig1", bool dpop = false);

// HTTP status and RFC 6750/9449 `error` for a token failure (delegation.md §5):
// 400/401/403/503. Reasons that are not token failures → 401, "invalid_token".
struct TokenErrorMapping {
  int status = 401;
  std::string_view error;  // "" when the row has none (token_required, *_unavailable)
};
TokenErrorMapping token_error_mapping(Reason reason) noexcept;

}  // namespace wba::token

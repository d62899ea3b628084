// Signature Agent Cards (draft-meunier-webbotauth-registry-04, editor's copy): an OAuth Client ID
// Metadata Document (draft-ietf-oauth-client-id-metadata-document, parameters from RFC 7591)
// describing a Signature Agent, with the bot-specific members in one `web_bot_auth` object. A
// card is reached through its `client_id` URL (Signature-Agent `type=cimd`, ietf-00 §5.5) or a
// registry entry, and gives keys inline (`jwks`) or by reference (`jwks_uri`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wba/directory/directory.h"
#include "wba/result.h"

namespace wba::directory {

// The registered members of `web_bot_auth` (registry-04 §3.2, "Web Bot Auth Metadata
// Parameters"). Members are optional; unknown members are ignored (kept in `raw`).
struct WebBotAuthMetadata {
  // `expected-user-agent`: "one or more" User-Agent strings or `*` prefix patterns; a String
  // or an Array of Strings on the wire.
  std::vector<std::string> expected_user_agents;
  std::optional<std::string> rfc9309_product_token;
  // `rfc9309-compliance`: a Boolean since registry-04 (absent means false). The Array of
  // directive names of registry-00…02 is accepted and left as nullopt (see raw).
  std::optional<bool> rfc9309_compliance;
  // `trigger`: "fetcher" (user-initiated) or "crawler" (autonomous). Other values are kept as
  // sent: the registry may grow and the card is informative, not a credential.
  std::optional<std::string> trigger;
  // `purpose`: a String today ("TODO: consider an array"), so both forms are accepted.
  std::vector<std::string> purposes;
  std::optional<std::string> targeted_content;
  std::optional<std::string> rate_control;
  std::optional<std::string> rate_expectation;
  std::vector<std::string> known_urls;
  std::optional<std::string> ips_uri;             // an https URL (JAFAR IP list)
  nlohmann::json raw = nlohmann::json::object();  // the object as received
};

struct AgentCard {
  // RFC 7591 client metadata as used by CIMD.
  std::optional<std::string> client_id;  // the card's own https URL
  std::optional<std::string> client_name;
  std::optional<std::string> client_uri;
  std::optional<std::string> logo_uri;
  std::vector<std::string> contacts;
  std::optional<std::string> jwks_uri;  // https URL of a JWK Set (fetch and verify it separately)
  // Inline `jwks`, parsed under the directory rules (refused keys listed, never dropped
  // silently); its url() is the card URL, the identity the keys are learnt under.
  std::optional<Directory> jwks;
  std::optional<WebBotAuthMetadata> web_bot_auth;
  nlohmann::json raw = nlohmann::json::object();  // the whole card as received
};

struct CardOptions {
  // Body bytes and JSON depth bound the card text; max_keys and require_kid_thumbprint apply to
  // an inline `jwks`.
  ParseOptions keys;
  // registry-04 §3.1.1: a card retrieved through its client_id MUST carry client_id. Turn off to
  // accept cards of registry revisions before -03, which had no client_id.
  bool require_client_id = true;
};

// Parses and validates a card. `card_url` is the URL it was fetched from; empty or a `data:`
// URL means the card came inline (registry data: entry, out of band), where there is nothing to
// compare client_id with. Errors: limit_exceeded (body bytes, JSON depth, jwks key count);
// invalid_agent_card with the reason as detail, for: not JSON / not an object / no member at
// all; "client_id must match the card URL" (simple string comparison, RFC 3986 §6.2.1); a
// missing client_id when fetched from a URL (unless !require_client_id); client_id, jwks_uri or
// ips_uri not an https URL; "card must not contain both jwks and jwks_uri"; a `jwks` that is not
// a JWK Set; a registered member of the wrong JSON type (client_name, client_uri, logo_uri,
// contacts, web_bot_auth and its members). Unknown members are ignored (registry-04 §3).
Result<AgentCard> parse_agent_card(std::string_view body, std::string_view card_url,
                                   const CardOptions& options = {});
// The same for a card already parsed as JSON (the body limits do not apply). A separate name:
// a string argument would convert to both std::string_view and nlohmann::json.
Result<AgentCard> agent_card_from_json(const nlohmann::json& card, std::string_view card_url,
                                       const CardOptions& options = {});

}  // namespace wba::directory

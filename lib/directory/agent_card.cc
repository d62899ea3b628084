#include "wba/directory/agent_card.h"

#include "wba/http/target.h"

namespace wba::directory {
namespace {

Error invalid(std::string why) { return Error(Reason::invalid_agent_card, std::move(why)); }

using Json = nlohmann::json;

// An optional String member; present with another type → invalid_agent_card.
Result<std::optional<std::string>> string_member(const Json& obj, const char* name,
                                                 std::string_view where) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::optional<std::string>();
  if (!it->is_string()) {
    return invalid(std::string(where) + std::string(name) + " must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

// A String or an Array of Strings (members the drafts have spelt both ways).
Result<std::vector<std::string>> strings_member(const Json& obj, const char* name,
                                                std::string_view where, bool allow_single) {
  std::vector<std::string> out;
  auto it = obj.find(name);
  if (it == obj.end()) return out;
  if (allow_single && it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (it->is_array()) {
    for (const auto& v : *it) {
      if (!v.is_string()) break;
      out.push_back(v.get<std::string>());
    }
    if (out.size() == it->size()) return out;
  }
  return invalid(
      std::string(where) + name +
      (allow_single ? " must be a string or an array of strings" : " must be an array of strings"));
}

bool is_https_url(std::string_view s) {
  auto t = http::target_from_uri(s);
  return t && t->scheme == "https";
}

Result<std::optional<std::string>> https_member(const Json& obj, const char* name,
                                                std::string_view where) {
  WBA_TRY(auto v, string_member(obj, name, where));
  if (v && !is_https_url(*v)) {
    return invalid(std::string(where) + name + " must be an https URL, got \"" + *v + "\"");
  }
  return v;
}

Result<WebBotAuthMetadata> parse_web_bot_auth(const Json& obj) {
  constexpr std::string_view kWhere = "web_bot_auth.";
  if (!obj.is_object()) return invalid("web_bot_auth must be a JSON object");
  WebBotAuthMetadata m;
  WBA_TRY(m.expected_user_agents, strings_member(obj, "expected-user-agent", kWhere, true));
  WBA_TRY(m.rfc9309_product_token, string_member(obj, "rfc9309-product-token", kWhere));
  if (auto it = obj.find("rfc9309-compliance"); it != obj.end()) {
    if (it->is_boolean()) {
      m.rfc9309_compliance = it->get<bool>();
    } else if (!it->is_array()) {  // the array is the pre-03 form of the member
      return invalid("web_bot_auth.rfc9309-compliance must be a boolean");
    }
  }
  WBA_TRY(m.trigger, string_member(obj, "trigger", kWhere));
  WBA_TRY(m.purposes, strings_member(obj, "purpose", kWhere, true));
  WBA_TRY(m.targeted_content, string_member(obj, "targeted-content", kWhere));
  WBA_TRY(m.rate_control, string_member(obj, "rate-control", kWhere));
  WBA_TRY(m.rate_expectation, string_member(obj, "rate-expectation", kWhere));
  WBA_TRY(m.known_urls, strings_member(obj, "known-urls", kWhere, false));
  WBA_TRY(m.ips_uri, https_member(obj, "ips_uri", kWhere));
  m.raw = obj;
  return m;
}

}  // namespace

Result<AgentCard> agent_card_from_json(const nlohmann::json& card, std::string_view card_url,
                                       const CardOptions& options) {
  if (!card.is_object()) return invalid("a card must be a JSON object");
  // registry-04 §3: "There MUST be at least one parameter set."
  if (card.empty()) return invalid("a card must have at least one parameter");
  const bool inline_card = card_url.empty() || card_url.substr(0, 5) == "data:";

  AgentCard out;
  WBA_TRY(out.client_id, https_member(card, "client_id", ""));
  if (!inline_card) {
    // registry-04 §3.1.1 (as CIMD): the document names the URL it is served at, so a card copied
    // to another URL does not claim the original agent's identity.
    if (!out.client_id && options.require_client_id) {
      return invalid("a card fetched from a URL must carry client_id");
    }
    if (out.client_id && *out.client_id != card_url) {
      return invalid("client_id must match the card URL (\"" + *out.client_id + "\" vs \"" +
                     std::string(card_url) + "\")");
    }
  }
  WBA_TRY(out.client_name, string_member(card, "client_name", ""));
  WBA_TRY(out.client_uri, string_member(card, "client_uri", ""));
  WBA_TRY(out.logo_uri, string_member(card, "logo_uri", ""));
  WBA_TRY(out.contacts, strings_member(card, "contacts", "", false));

  // registry-04 §3.1.2: both → "Clients SHOULD reject"; one source of keys keeps the identity
  // of every key unambiguous.
  if (card.contains("jwks") && card.contains("jwks_uri")) {
    return invalid("card must not contain both jwks and jwks_uri");
  }
  WBA_TRY(out.jwks_uri, https_member(card, "jwks_uri", ""));
  if (auto it = card.find("jwks"); it != card.end()) {
    const std::string identity = inline_card ? out.client_id.value_or("") : std::string(card_url);
    auto keys = parse_jwks(*it, identity, options.keys);
    if (!keys) {
      if (keys.reason() == Reason::limit_exceeded) return std::move(keys).error();
      return invalid("jwks: " + keys.error().detail);
    }
    out.jwks = std::move(keys).value();
  }
  if (auto it = card.find("web_bot_auth"); it != card.end()) {
    WBA_TRY(out.web_bot_auth, parse_web_bot_auth(*it));
  }
  out.raw = card;
  return out;
}

Result<AgentCard> parse_agent_card(std::string_view body, std::string_view card_url,
                                   const CardOptions& options) {
  WBA_TRY(nlohmann::json card, detail::parse_bounded_json(body, options.keys.limits,
                                                          Reason::invalid_agent_card, "the card"));
  return agent_card_from_json(card, card_url, options);
}

}  // namespace wba::directory

// Signature Agent Cards (draft-meunier-webbotauth-registry-04): cloudflare's card cases as the
// oracle, then the rules of the draft one by one.
#include <gtest/gtest.h>

#include <string>

#include "support/vectors.h"
#include "wba/directory/agent_card.h"

namespace {

using nlohmann::json;
using wba::Reason;
namespace dir = wba::directory;

const json& cases() {
  static const json c = wba::testing::load_vectors(
      "web-bot-auth/cloudflare-web-bot-auth/web_bot_auth_signature_agent_card_v1.json");
  return c;
}

const std::string kCardUrl = "https://example.com/bot";

TEST(AgentCardOracle, EveryCloudflareCaseHasItsExpectedValidity) {
  ASSERT_FALSE(cases().empty());
  for (const auto& c : cases()) {
    const std::string name = c["name"];
    const std::string url = c["url"];
    // Through the JSON text (as fetched) and through an already-parsed value.
    for (bool from_text : {true, false}) {
      auto card = from_text ? dir::parse_agent_card(c["card"].dump(), url)
                            : dir::agent_card_from_json(c["card"], url);
      EXPECT_EQ(card.ok(), c["valid"].get<bool>())
          << name << (card.ok() ? "" : ": " + card.error().message());
      if (!card.ok()) {
        EXPECT_EQ(card.reason(), Reason::invalid_agent_card) << name;
        if (c.contains("error")) {
          EXPECT_NE(card.error().detail.find(c["error"].get<std::string>()), std::string::npos)
              << name << ": " << card.error().detail;
        }
      }
    }
  }
}

const json& case_named(const std::string& name) {
  for (const auto& c : cases()) {
    if (c["name"] == name) return c;
  }
  throw std::runtime_error("no case " + name);
}

TEST(AgentCardOracle, JwksUriCardMembers) {
  const json& c = case_named("jwks-uri-card");
  auto card = dir::agent_card_from_json(c["card"], c["url"].get<std::string>());
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->client_id, kCardUrl);
  EXPECT_EQ(card->client_name, "Example Bot");
  EXPECT_EQ(card->contacts, std::vector<std::string>{"mailto:bot-support@example.com"});
  EXPECT_EQ(card->jwks_uri, "https://example.com/.well-known/http-message-signatures-directory");
  EXPECT_FALSE(card->jwks.has_value());
  ASSERT_TRUE(card->web_bot_auth.has_value());
  const auto& w = *card->web_bot_auth;
  EXPECT_EQ(w.expected_user_agents, std::vector<std::string>{"Mozilla/5.0 ExampleBot"});
  EXPECT_EQ(w.rfc9309_product_token, "ExampleBot");
  EXPECT_EQ(w.trigger, "fetcher");
  EXPECT_EQ(w.purposes, std::vector<std::string>{"tdm"});
  EXPECT_EQ(w.ips_uri, "https://example.com/ips.json");
  EXPECT_FALSE(w.rfc9309_compliance.has_value());
  EXPECT_EQ(w.raw, c["card"]["web_bot_auth"]);
  EXPECT_EQ(card->raw, c["card"]);
}

TEST(AgentCardOracle, InlineJwksGoesThroughTheDirectoryRules) {
  const json& c = case_named("jwks-card");
  auto card = dir::agent_card_from_json(c["card"], c["url"].get<std::string>());
  ASSERT_TRUE(card.ok()) << card.error().message();
  ASSERT_TRUE(card->jwks.has_value());
  EXPECT_EQ(card->jwks->url(), kCardUrl);  // keys are learnt under the card URL
  ASSERT_EQ(card->jwks->keys().size(), 1u);
  EXPECT_EQ(card->jwks->keys()[0].thumbprint(), "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U");
  EXPECT_FALSE(card->web_bot_auth.has_value());
}

json base_card() { return json{{"client_id", kCardUrl}, {"client_name", "Example Bot"}}; }

void expect_invalid(const json& card, const std::string& says, const std::string& url = kCardUrl) {
  auto r = dir::agent_card_from_json(card, url);
  ASSERT_FALSE(r.ok()) << card.dump();
  EXPECT_EQ(r.reason(), Reason::invalid_agent_card);
  EXPECT_NE(r.error().detail.find(says), std::string::npos) << r.error().detail;
}

TEST(AgentCard, DraftExampleIsValid) {
  // The registry-04 §3 example, with the boolean rfc9309-compliance of -04.
  const std::string text = R"({
    "client_id": "https://example.com/bot",
    "client_name": "Example Bot",
    "client_uri": "https://example.com/bot/about.html",
    "logo_uri": "https://example.com/logo.png",
    "contacts": ["mailto:bot-support@example.com"],
    "jwks_uri": "https://example.com/.well-known/http-message-signatures-directory",
    "web_bot_auth": {
      "expected-user-agent": "Mozilla/5.0 ExampleBot",
      "rfc9309-product-token": "ExampleBot",
      "rfc9309-compliance": false,
      "trigger": "fetcher",
      "purpose": "search",
      "targeted-content": "Cat pictures",
      "rate-control": "429",
      "rate-expectation": "avg=10rps;max=100rps",
      "known-urls": ["/", "/robots.txt", "*.png"],
      "ips_uri": "https://example.com/ips.json",
      "future-member": {"anything": [1, 2]}
    },
    "redirect_uris": ["https://example.com/cb"]
  })";
  auto card = dir::parse_agent_card(text, kCardUrl);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->client_uri, "https://example.com/bot/about.html");
  EXPECT_EQ(card->logo_uri, "https://example.com/logo.png");
  const auto& w = *card->web_bot_auth;
  EXPECT_EQ(w.rfc9309_compliance, false);
  EXPECT_EQ(w.targeted_content, "Cat pictures");
  EXPECT_EQ(w.rate_control, "429");
  EXPECT_EQ(w.rate_expectation, "avg=10rps;max=100rps");
  EXPECT_EQ(w.known_urls, (std::vector<std::string>{"/", "/robots.txt", "*.png"}));
  EXPECT_TRUE(w.raw.contains("future-member"));  // unknown members ignored, kept raw
}

TEST(AgentCard, ClientIdRules) {
  json missing = base_card();
  missing.erase("client_id");
  expect_invalid(missing, "must carry client_id");
  dir::CardOptions lax;
  lax.require_client_id = false;
  EXPECT_TRUE(dir::agent_card_from_json(missing, kCardUrl, lax).ok());

  // Simple string comparison: no normalisation (RFC 3986 §6.2.1).
  json trailing = base_card();
  trailing["client_id"] = kCardUrl + "/";
  expect_invalid(trailing, "client_id must match the card URL");
  json upper = base_card();
  upper["client_id"] = "https://EXAMPLE.com/bot";
  expect_invalid(upper, "client_id must match the card URL");

  json http = base_card();
  http["client_id"] = "http://example.com/bot";
  expect_invalid(http, "https URL", "http://example.com/bot");
  json number = base_card();
  number["client_id"] = 7;
  expect_invalid(number, "client_id must be a string");

  // Inline cards (registry data: entries, out of band) have no URL to match.
  EXPECT_TRUE(dir::agent_card_from_json(missing, "").ok());
  EXPECT_TRUE(dir::agent_card_from_json(trailing, "data:application/json,{}").ok());
}

TEST(AgentCard, KeySources) {
  json both = base_card();
  both["jwks_uri"] = "https://example.com/jwks.json";
  both["jwks"] = json{{"keys", json::array()}};
  expect_invalid(both, "card must not contain both jwks and jwks_uri");

  json http_uri = base_card();
  http_uri["jwks_uri"] = "http://example.com/jwks.json";
  expect_invalid(http_uri, "jwks_uri must be an https URL");
  json relative = base_card();
  relative["jwks_uri"] = "/jwks.json";
  expect_invalid(relative, "jwks_uri must be an https URL");

  json not_set = base_card();
  not_set["jwks"] = json::array();
  expect_invalid(not_set, "jwks:");
  json no_keys = base_card();
  no_keys["jwks"] = json::object();
  expect_invalid(no_keys, "\"keys\" array");

  // Refused keys are reported, the card stays valid.
  json priv = base_card();
  priv["jwks"]["keys"] = json::array({json{{"kty", "OKP"},
                                           {"crv", "Ed25519"},
                                           {"x", "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"},
                                           {"d", "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"}},
                                      json{{"kty", "oct"}, {"k", "AAAA"}}});
  auto card = dir::agent_card_from_json(priv, kCardUrl);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_TRUE(card->jwks->keys().empty());
  ASSERT_EQ(card->jwks->refused().size(), 2u);
  EXPECT_EQ(card->jwks->refused()[0].error.reason, Reason::private_key_in_directory);

  // Key count limit.
  json many = base_card();
  many["jwks"]["keys"] = json::array();
  for (int i = 0; i < 3; ++i) many["jwks"]["keys"].push_back(json{{"kty", "oct"}});
  dir::CardOptions o;
  o.keys.limits.max_keys = 2;
  EXPECT_EQ(dir::agent_card_from_json(many, kCardUrl, o).reason(), Reason::limit_exceeded);
}

TEST(AgentCard, MemberTypes) {
  expect_invalid(json::array(), "JSON object");
  expect_invalid(json::object(), "at least one parameter");
  for (const char* m : {"client_name", "client_uri", "logo_uri"}) {
    json c = base_card();
    c[m] = json::array();
    expect_invalid(c, std::string(m) + " must be a string");
  }
  json contacts = base_card();
  contacts["contacts"] = "mailto:a@example.com";
  expect_invalid(contacts, "contacts must be an array of strings");
  json contacts2 = base_card();
  contacts2["contacts"] = json::array({"mailto:a@example.com", 3});
  expect_invalid(contacts2, "contacts must be an array of strings");

  json wba_not_object = base_card();
  wba_not_object["web_bot_auth"] = "fetcher";
  expect_invalid(wba_not_object, "web_bot_auth must be a JSON object");
  json trigger = base_card();
  trigger["web_bot_auth"] = json{{"trigger", 1}};
  expect_invalid(trigger, "web_bot_auth.trigger must be a string");
  json known = base_card();
  known["web_bot_auth"] = json{{"known-urls", "/"}};
  expect_invalid(known, "web_bot_auth.known-urls must be an array of strings");
  json compliance = base_card();
  compliance["web_bot_auth"] = json{{"rfc9309-compliance", "yes"}};
  expect_invalid(compliance, "rfc9309-compliance must be a boolean");
  json ips = base_card();
  ips["web_bot_auth"] = json{{"ips_uri", "http://example.com/ips.json"}};
  expect_invalid(ips, "web_bot_auth.ips_uri must be an https URL");
}

TEST(AgentCard, OlderAndWiderForms) {
  json c = base_card();
  c["web_bot_auth"] = json{{"expected-user-agent", json::array({"Bot/1", "Bot/2 *"})},
                           {"purpose", json::array({"search", "ai-input"})},
                           {"rfc9309-compliance", json::array({"User-Agent", "Disallow"})},
                           {"trigger", "scheduled"}};
  auto card = dir::agent_card_from_json(c, kCardUrl);
  ASSERT_TRUE(card.ok()) << card.error().message();
  const auto& w = *card->web_bot_auth;
  EXPECT_EQ(w.expected_user_agents.size(), 2u);
  EXPECT_EQ(w.purposes, (std::vector<std::string>{"search", "ai-input"}));
  EXPECT_FALSE(w.rfc9309_compliance.has_value());  // pre-03 array form, kept in raw
  EXPECT_EQ(w.trigger, "scheduled");
}

TEST(AgentCard, TextLimitsAndSyntax) {
  EXPECT_EQ(dir::parse_agent_card("{", kCardUrl).reason(), Reason::invalid_agent_card);
  EXPECT_EQ(dir::parse_agent_card("", kCardUrl).reason(), Reason::invalid_agent_card);
  dir::CardOptions o;
  o.keys.limits.max_body_bytes = 8;
  EXPECT_EQ(dir::parse_agent_card(base_card().dump(), kCardUrl, o).reason(),
            Reason::limit_exceeded);
  std::string deep = R"({"client_id":"https://example.com/bot","x":)" + std::string(50, '[') +
                     std::string(50, ']') + "}";
  EXPECT_EQ(dir::parse_agent_card(deep, kCardUrl).reason(), Reason::limit_exceeded);
}

}  // namespace

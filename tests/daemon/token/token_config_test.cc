// The token options of wbad's configuration: flags, the JSON file's `issuers` and `routes`
// objects, merging by issuer, defaults, and errors that name the option; plus
// make_token_service's own checks (files it reads).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "config/config.h"
#include "token/token_service.h"

namespace wbad {
namespace {

wba::Result<ParsedArgs> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "wbad");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("wbad-token-config-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

void expect_error(std::vector<const char*> args, const std::string& needle) {
  auto p = parse(args);
  ASSERT_FALSE(p.ok()) << needle;
  EXPECT_NE(p.error().detail.find(needle), std::string::npos) << p.error().detail;
}

TEST(TokenConfig, Defaults) {
  auto p = parse({});
  ASSERT_TRUE(p.ok()) << p.error().message();
  const Config& c = p->config;
  EXPECT_EQ(c.token_policy, TokenPolicy::optional);
  EXPECT_TRUE(c.issuers.empty());
  EXPECT_EQ(c.token_clock_skew, 60);
  EXPECT_EQ(c.binding_max_age, 60);
  EXPECT_EQ(c.dpop_window, 60);
  EXPECT_EQ(c.max_act_depth, 4u);
  EXPECT_FALSE(c.require_sender_constrained);
  EXPECT_FALSE(c.require_delegation);
  EXPECT_EQ(c.token_cache_entries, 10000u);
}

TEST(TokenConfig, FlagsMergeByIssuer) {
  auto p = parse({"--issuer",
                  "https://as.example=as.jwks.json",
                  "--audience",
                  "https://api.shop.example",
                  "--issuer-discovery",
                  "https://idp.example=oidc",
                  "--issuer-discovery",
                  "https://other.example",
                  "--introspection",
                  "https://idp.example=https://idp.example/introspect",
                  "--wba-signature-as-pop",
                  "https://as.example",
                  "--token-policy",
                  "required",
                  "--required-scope",
                  "orders:read",
                  "--require-delegation",
                  "--max-act-depth",
                  "8",
                  "--token-clock-skew",
                  "30",
                  "--dpop-window",
                  "300",
                  "--binding-max-age",
                  "90",
                  "--require-sender-constrained",
                  "--actor-alias",
                  "https://as.example agent-42=https://agent-a.example"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  const Config& c = p->config;
  ASSERT_EQ(c.issuers.size(), 3u);
  EXPECT_EQ(c.issuers[0].issuer, "https://as.example");
  EXPECT_EQ(c.issuers[0].jwks_file, "as.jwks.json");
  EXPECT_TRUE(c.issuers[0].wba_signature_as_pop);
  EXPECT_EQ(c.issuers[1].issuer, "https://idp.example");
  EXPECT_EQ(c.issuers[1].discovery, IssuerDiscovery::oidc);
  EXPECT_EQ(c.issuers[1].introspection_endpoint, "https://idp.example/introspect");
  EXPECT_FALSE(c.issuers[1].wba_signature_as_pop);
  EXPECT_EQ(c.issuers[2].discovery, IssuerDiscovery::automatic);
  EXPECT_EQ(c.token_policy, TokenPolicy::required);
  EXPECT_EQ(c.required_scopes, std::vector<std::string>{"orders:read"});
  EXPECT_TRUE(c.require_delegation);
  EXPECT_EQ(c.max_act_depth, 8u);
  EXPECT_EQ(c.token_clock_skew, 30);
  EXPECT_EQ(c.dpop_window, 300);
  EXPECT_EQ(c.binding_max_age, 90);
  EXPECT_TRUE(c.require_sender_constrained);
  ASSERT_EQ(c.actor_aliases.size(), 1u);
  EXPECT_EQ(c.actor_aliases[0].ns, "https://as.example");
  EXPECT_EQ(c.actor_aliases[0].sub, "agent-42");
  EXPECT_EQ(c.actor_aliases[0].signature_agent, "https://agent-a.example");
}

TEST(TokenConfig, FileIssuersAndRoutes) {
  TempFile file("c.json", R"({
    "audience": ["https://api.shop.example"],
    "token_policy": "optional",
    "issuers": [
      {"issuer": "https://as.example", "discovery": "oauth",
       "audiences": ["https://api.shop.example", "https://api2.example"],
       "allowed_algs": ["EdDSA", "ES256"], "wba_signature_as_pop": true, "max_act_depth": 2,
       "actor_namespaces": ["https://as.example"], "client_id_claim": "azp", "scope_claim": "scp",
       "introspection_endpoint": "https://as.example/introspect", "typ_policy": "lenient",
       "require_act_iss": true, "max_token_lifetime": 3600},
      {"issuer": "https://static.example", "jwks_file": "/etc/wbad/static.jwks.json"}
    ],
    "routes": [
      {"prefix": "/orders/", "token": "required", "required_scopes": ["orders:read"],
       "require_delegation": true},
      {"prefix": "/public/", "token": "off"}
    ]
  })");
  auto p = parse({"--config", file.path().c_str(), "--required-scope", "base"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  const Config& c = p->config;
  ASSERT_EQ(c.issuers.size(), 2u);
  const IssuerConfig& a = c.issuers[0];
  EXPECT_EQ(a.discovery, IssuerDiscovery::oauth);
  EXPECT_EQ(a.audiences.size(), 2u);
  EXPECT_EQ(a.allowed_algs, (std::vector<std::string>{"EdDSA", "ES256"}));
  EXPECT_TRUE(a.wba_signature_as_pop);
  EXPECT_EQ(a.max_act_depth, 2u);
  EXPECT_EQ(a.client_id_claim, "azp");
  EXPECT_EQ(a.scope_claim, "scp");
  EXPECT_TRUE(a.lenient_typ);
  EXPECT_TRUE(a.require_act_iss);
  EXPECT_EQ(a.max_token_lifetime, 3600);
  EXPECT_EQ(a.introspection_endpoint, "https://as.example/introspect");
  EXPECT_EQ(c.issuers[1].jwks_file, "/etc/wbad/static.jwks.json");
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[0].prefix, "/orders/");
  EXPECT_EQ(c.routes[0].token, TokenPolicy::required);
  EXPECT_EQ(c.routes[0].required_scopes, std::vector<std::string>{"orders:read"});
  EXPECT_EQ(c.routes[0].require_delegation, true);
  EXPECT_EQ(c.routes[1].token, TokenPolicy::off);
  EXPECT_FALSE(c.routes[1].required_scopes);
  EXPECT_EQ(c.required_scopes, std::vector<std::string>{"base"});
}

TEST(TokenConfig, RoutesAndIssuersAsFlags) {
  auto p = parse({"--audience", "x", "--routes",
                  R"([{"prefix":"/a/","token":"required"},{"prefix":"/b/","token":"off"}])",
                  "--issuers", R"({"issuer":"https://as.example","discovery":"auto"})"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->config.routes.size(), 2u);
  ASSERT_EQ(p->config.issuers.size(), 1u);
  EXPECT_EQ(p->config.issuers[0].discovery, IssuerDiscovery::automatic);
}

TEST(TokenConfig, ErrorsNameTheOption) {
  expect_error({"--max-act-depth", "9"}, "--max-act-depth");
  expect_error({"--max-act-depth", "0"}, "--max-act-depth");
  expect_error({"--token-policy", "sometimes"}, "--token-policy");
  expect_error({"--token-clock-skew", "301"}, "--token-clock-skew");
  expect_error({"--dpop-window", "0"}, "--dpop-window");
  expect_error({"--issuer", "https://as.example"}, "--issuer");
  expect_error({"--issuer", "=file"}, "--issuer");
  expect_error({"--issuer-discovery", "https://as.example=ldap"}, "--issuer-discovery");
  expect_error({"--introspection", "https://as.example"}, "--introspection");
  expect_error({"--required-scope", "bad\"scope"}, "--required-scope");
  expect_error({"--required-scope", ""}, "--required-scope");
  expect_error({"--audience", ""}, "--audience");
  expect_error({"--actor-alias", "no-space"}, "--actor-alias");
  expect_error({"--actor-alias", "ns sub-without-url"}, "--actor-alias");
  expect_error({"--routes", "not json"}, "--routes");
  expect_error({"--routes", R"({"prefix":"orders"})"}, "--routes");
  expect_error({"--routes", R"({"token":"required"})"}, "--routes");
  expect_error({"--routes", R"({"prefix":"/a/","token":"maybe"})"}, "--routes");
  expect_error({"--routes", R"({"prefix":"/a/","colour":"red"})"}, "--routes");
  expect_error({"--routes", R"({"prefix":"/a/","required_scopes":"x"})"}, "--routes");
  expect_error({"--issuers", R"({"discovery":"oauth"})"}, "--issuers");
  expect_error({"--issuers", R"({"issuer":"https://a.example","max_act_depth":9})"}, "--issuers");
  expect_error({"--issuers", R"({"issuer":"https://a.example","allowed_algs":["none"]})"},
               "--issuers");
  expect_error({"--issuers", R"({"issuer":"https://a.example","allowed_algs":["HS256"]})"},
               "--issuers");
  expect_error({"--issuers", R"({"issuer":"https://a.example","scope_claim":"perms"})"},
               "--issuers");
  expect_error({"--issuers", R"({"issuer":"https://a.example","unknown":1})"}, "--issuers");
  // Whole-configuration checks.
  expect_error({"--audience", "x", "--issuer", "http://as.example=f"}, "--issuer");
  expect_error({"--audience", "x", "--issuer", "https://as.example?x=1=f"}, "--issuer");
  expect_error({"--issuer", "https://as.example=f"}, "--audience");
  expect_error({"--audience", "x", "--issuer", "https://as.example=f", "--issuer-discovery",
                "https://as.example"},
               "--issuer-discovery");
  expect_error({"--audience", "x", "--wba-signature-as-pop", "https://as.example"}, "--issuers");
  expect_error({"--audience", "x", "--introspection", "https://as.example=http://as.example/i"},
               "--introspection");
}

TEST(TokenConfig, HttpIssuersNeedTheHttpTestSwitch) {
  auto p =
      parse({"--audience", "x", "--issuer", "http://127.0.0.1:8423=f", "--allow-http-directories"});
  ASSERT_TRUE(p.ok()) << p.error().message();
}

TEST(TokenConfig, HelpListsTheTokenOptions) {
  std::string h = help_text();
  for (const char* o :
       {"--token-policy", "--issuer ISS=JWKS_FILE", "--issuer-discovery", "--issuers JSON",
        "--audience", "--introspection ISS=URL", "--introspection-credentials",
        "--token-clock-skew", "--binding-max-age", "--dpop-window", "--max-act-depth",
        "--require-sender-constrained", "--wba-signature-as-pop", "--actor-alias",
        "--require-delegation", "--required-scope", "--routes JSON", "--token-cache-entries"}) {
    EXPECT_NE(h.find(o), std::string::npos) << o;
  }
}

// make_token_service reads files named by the configuration: errors name the option.
TEST(TokenConfig, ServiceConstructionErrorsNameTheOption) {
  boost::asio::io_context ioc;
  auto make = [&ioc](std::vector<const char*> args) {
    auto p = parse(args);
    EXPECT_TRUE(p.ok()) << p.error().message();
    return make_token_service(p->config, ioc, nullptr, nullptr);
  };
  auto r = make({"--audience", "x", "--issuer", "https://as.example=/nonexistent/jwks.json"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("--issuer"), std::string::npos) << r.error().detail;

  TempFile bad_jwks("bad.jwks.json", R"({"keys": "nope"})");
  std::string spec = "https://as.example=" + bad_jwks.path();
  r = make({"--audience", "x", "--issuer", spec.c_str()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("--issuer"), std::string::npos) << r.error().detail;

  r = make({"--audience", "x", "--introspection", "https://as.example=https://as.example/i"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("--introspection-credentials"), std::string::npos)
      << r.error().detail;

  TempFile creds("creds", "no colon here\n");
  r = make({"--audience", "x", "--introspection", "https://as.example=https://as.example/i",
            "--introspection-credentials", creds.path().c_str()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("--introspection-credentials"), std::string::npos)
      << r.error().detail;

  TempFile good("good.jwks.json",
                R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k",
                   "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  spec = "https://as.example=" + good.path();
  r = make({"--audience", "x", "--issuer", spec.c_str()});
  EXPECT_TRUE(r.ok()) << r.error().message();
}

}  // namespace
}  // namespace wbad

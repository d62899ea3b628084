// RFC 8693 token exchange from the agent's side: the form body and the response.
#include <gtest/gtest.h>

#include "wba/token/token_exchange.h"

namespace wba::token {
namespace {

TokenExchangeRequest minimal() {
  TokenExchangeRequest r;
  r.subject_token = "eyJhbGciOiJFZDI1NTE5In0.eyJzdWIiOiJ1In0.c2ln";
  return r;
}

TEST(TokenExchange, MinimalBody) {
  auto body = token_exchange_body(minimal());
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(*body,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
            "&subject_token=eyJhbGciOiJFZDI1NTE5In0.eyJzdWIiOiJ1In0.c2ln"
            "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token");
}

TEST(TokenExchange, FullBodyInRfc8693Order) {
  TokenExchangeRequest r = minimal();
  r.subject_token = "user+token/with=padding==";
  r.actor_token = "agent token";
  r.actor_token_type = std::string(kJwtTokenType);
  r.audiences = {"https://api.shop.example", "orders"};
  r.resources = {"https://api.shop.example/orders?x=1&y=2"};
  r.scopes = {"orders:read", "cart:write"};
  r.requested_token_type = std::string(kAccessTokenType);
  auto body = token_exchange_body(r);
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(*body,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
            "&resource=https%3A%2F%2Fapi.shop.example%2Forders%3Fx%3D1%26y%3D2"
            "&audience=https%3A%2F%2Fapi.shop.example&audience=orders"
            "&scope=orders%3Aread+cart%3Awrite"
            "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
            "&subject_token=user%2Btoken%2Fwith%3Dpadding%3D%3D"
            "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
            "&actor_token=agent+token"
            "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt");
}

TEST(TokenExchange, FormEncodingOfEveryByteClass) {
  TokenExchangeRequest r = minimal();
  r.subject_token = std::string("aZ09*-._ ~!'()\x01\xC3\xA9%&=+", 21);
  auto body = token_exchange_body(r);
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("&subject_token=aZ09*-._+%7E%21%27%28%29%01%C3%A9%25%26%3D%2B&"),
            std::string::npos)
      << *body;
}

TEST(TokenExchange, ActorTokenAndTypeGoTogether) {
  TokenExchangeRequest r = minimal();
  r.actor_token = "agent";
  EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument);
  r.actor_token.reset();
  r.actor_token_type = std::string(kAccessTokenType);
  EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument);
  r.actor_token = "";
  EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument);
}

TEST(TokenExchange, RequiredAndValidatedMembers) {
  TokenExchangeRequest r = minimal();
  r.subject_token.clear();
  EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument);
  r = minimal();
  r.subject_token_type.clear();
  EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument);
  for (const char* bad : {"", "a b", "a\"b", "a\\b", "\xC3\xA9"}) {
    r = minimal();
    r.scopes = {bad};
    EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument) << bad;
  }
  for (const char* bad : {"/relative", "https://api.example/#frag", "no-scheme", ":x", "1ab:c"}) {
    r = minimal();
    r.resources = {bad};
    EXPECT_EQ(token_exchange_body(r).reason(), Reason::invalid_argument) << bad;
  }
  r = minimal();
  r.resources = {"urn:example:resource"};
  EXPECT_TRUE(token_exchange_body(r).ok());
}

TEST(TokenExchange, ParsesTheResponse) {
  auto r = parse_token_exchange_response(R"({
    "access_token": "eyJhbGciOiJFZDI1NTE5In0.e30.c2ln",
    "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    "token_type": "DPoP",
    "expires_in": 600,
    "scope": "orders:read",
    "refresh_token": "rt-1"
  })");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->access_token, "eyJhbGciOiJFZDI1NTE5In0.e30.c2ln");
  EXPECT_EQ(r->issued_token_type, kAccessTokenType);
  EXPECT_EQ(r->token_type, "DPoP");
  EXPECT_EQ(r->expires_in, 600);
  EXPECT_EQ(r->scope, "orders:read");
  EXPECT_EQ(r->refresh_token, "rt-1");

  auto minimal_response = parse_token_exchange_response(
      R"({"access_token":"t","issued_token_type":"urn:x","token_type":"N_A"})");
  ASSERT_TRUE(minimal_response.ok());
  EXPECT_FALSE(minimal_response->expires_in.has_value());
  EXPECT_FALSE(minimal_response->scope.has_value());
  EXPECT_FALSE(minimal_response->refresh_token.has_value());
}

TEST(TokenExchange, OAuthErrorResponse) {
  auto r = parse_token_exchange_response(
      R"({"error":"invalid_target","error_description":"unknown audience"})");
  EXPECT_EQ(r.reason(), Reason::invalid_request);
  EXPECT_EQ(r.error().detail, "invalid_target: unknown audience");
  r = parse_token_exchange_response(R"({"error":"invalid_grant"})");
  EXPECT_EQ(r.reason(), Reason::invalid_request);
  EXPECT_EQ(r.error().detail, "invalid_grant");
  // An error object wins over members that look like success.
  r = parse_token_exchange_response(
      R"({"error":"invalid_request","access_token":"t","issued_token_type":"x","token_type":"y"})");
  EXPECT_EQ(r.reason(), Reason::invalid_request);
  EXPECT_EQ(parse_token_exchange_response(R"({"error":42})").reason(), Reason::malformed_json);
}

TEST(TokenExchange, MalformedResponses) {
  for (const char* bad : {
           "",
           "not json",
           "[]",
           "\"string\"",
           R"({"issued_token_type":"x","token_type":"y"})",
           R"({"access_token":"t","token_type":"y"})",
           R"({"access_token":"t","issued_token_type":"x"})",
           R"({"access_token":"","issued_token_type":"x","token_type":"y"})",
           R"({"access_token":1,"issued_token_type":"x","token_type":"y"})",
           R"({"access_token":"t","issued_token_type":"x","token_type":"y","expires_in":"600"})",
           R"({"access_token":"t","issued_token_type":"x","token_type":"y","expires_in":-1})",
           R"({"access_token":"t","issued_token_type":"x","token_type":"y","expires_in":1.5})",
           R"({"access_token":"t","issued_token_type":"x","token_type":"y","scope":["a"]})",
           R"({"access_token":"t","access_token":"u","issued_token_type":"x","token_type":"y"})",
       }) {
    EXPECT_EQ(parse_token_exchange_response(bad).reason(), Reason::malformed_json) << bad;
  }
}

}  // namespace
}  // namespace wba::token

// Step 1 (delegation.md §4): the one credential a request presents, RFC 9110 §11 syntax.
#include <gtest/gtest.h>

#include "wba/token/binding.h"

namespace wba::token {
namespace {

http::Fields with_authorization(std::vector<std::string> values) {
  http::Fields f;
  f.add("Host", "api.shop.example");
  for (auto& v : values) f.add("Authorization", std::move(v));
  return f;
}

Result<std::optional<PresentedToken>> find(std::vector<std::string> values,
                                           std::size_t max = kDefaultMaxTokenBytes) {
  return find_presented_token(with_authorization(std::move(values)), max);
}

TEST(PresentedToken, NoAuthorizationIsNoToken) {
  auto r = find({});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(PresentedToken, SchemesAreCaseInsensitive) {
  struct Case {
    std::string value;
    Scheme scheme;
  };
  for (const auto& c : std::vector<Case>{{"Bearer abc.def.ghi", Scheme::bearer},
                                         {"bearer abc.def.ghi", Scheme::bearer},
                                         {"BEARER abc.def.ghi", Scheme::bearer},
                                         {"DPoP abc.def.ghi", Scheme::dpop},
                                         {"dpop abc.def.ghi", Scheme::dpop},
                                         {"HTTPSig abc.def.ghi", Scheme::httpsig},
                                         {"httpsig abc.def.ghi", Scheme::httpsig}}) {
    auto r = find({c.value});
    ASSERT_TRUE(r.ok()) << c.value << ": " << r.error().message();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->scheme, c.scheme) << c.value;
    EXPECT_EQ((*r)->token, "abc.def.ghi");
  }
}

TEST(PresentedToken, Token68Alphabet) {
  for (const char* ok : {"Bearer a-._~+/Z09", "Bearer abc==", "Bearer abc=", "Bearer  spaced",
                         "  Bearer trimmed  "}) {
    auto r = find({ok});
    ASSERT_TRUE(r.ok()) << ok << ": " << r.error().message();
    EXPECT_TRUE(r->has_value());
  }
  EXPECT_EQ((*find({"Bearer  spaced"}).value()).token, "spaced");
  EXPECT_EQ((*find({"Bearer abc=="}).value()).token, "abc==");
  for (const char* bad : {"Bearer a=b", "Bearer =", "Bearer ==", "Bearer abc def", "Bearer a\"b",
                          "Bearer a;b", "Bearer a%20", "Bearer \xC3\xA9", "Bearer a\tb"}) {
    EXPECT_EQ(find({bad}).reason(), Reason::invalid_request) << bad;
  }
}

TEST(PresentedToken, SchemeWithoutTokenIsInvalid) {
  for (const char* bad : {"Bearer", "Bearer ", "DPoP", ""}) {
    EXPECT_EQ(find({bad}).reason(), Reason::invalid_request) << "'" << bad << "'";
  }
  EXPECT_EQ(find({"Bearer\tabc"}).reason(), Reason::invalid_request);  // 1*SP only (§11.4)
}

TEST(PresentedToken, OtherSchemesAreUnsupported) {
  for (const char* other : {"Basic dXNlcjpwYXNz", "Negotiate abc", "Token abc", "MAC abc"}) {
    EXPECT_EQ(find({other}).reason(), Reason::unsupported_token_scheme) << other;
  }
}

TEST(PresentedToken, SeveralCredentialsAreInvalid) {
  // Two field lines: a front end and the daemon could each pick a different one.
  EXPECT_EQ(find({"Bearer aaa", "Bearer bbb"}).reason(), Reason::invalid_request);
  EXPECT_EQ(find({"Bearer aaa", "Bearer aaa"}).reason(), Reason::invalid_request);
  // The same joined by a proxy into a list.
  EXPECT_EQ(find({"Bearer aaa, Bearer bbb"}).reason(), Reason::invalid_request);
  EXPECT_EQ(find({"Bearer aaa,bbb"}).reason(), Reason::invalid_request);
  EXPECT_EQ(find({"DPoP aaa, DPoP bbb"}).reason(), Reason::invalid_request);
}

TEST(PresentedToken, SizeLimit) {
  const std::string token(kDefaultMaxTokenBytes, 'a');
  EXPECT_TRUE(find({"Bearer " + token}).ok());
  EXPECT_EQ(find({"Bearer " + token + "a"}).reason(), Reason::invalid_request);
  EXPECT_EQ(find({"Bearer " + std::string(100 * 1024, 'a')}).reason(), Reason::invalid_request);
  EXPECT_EQ(find({"Bearer abcdefghijk"}, 10).reason(), Reason::invalid_request);
  EXPECT_TRUE(find({"Bearer abcdefghij"}, 10).ok());
}

TEST(PresentedToken, FieldNameIsCaseInsensitive) {
  http::Fields f;
  f.add("authorization", "Bearer x");
  f.add("AUTHORIZATION", "Bearer y");
  EXPECT_EQ(find_presented_token(f).reason(), Reason::invalid_request);
}

TEST(PresentedToken, SchemeNames) {
  EXPECT_EQ(to_string(Scheme::bearer), "Bearer");
  EXPECT_EQ(to_string(Scheme::dpop), "DPoP");
  EXPECT_EQ(to_string(Scheme::httpsig), "HTTPSig");
}

}  // namespace
}  // namespace wba::token

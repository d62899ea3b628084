// Component errors of RFC 9421 §2 that the published examples do not show.
#include <gtest/gtest.h>

#include "wba/http/http1_text.h"
#include "wba/sig/component.h"
#include "wba/sig/signature_base.h"

namespace wba::sig {
namespace {

http::Message request(const std::string& text) { return http::parse_http1(text).value(); }

Result<std::string> value_of(const http::Message& m, const std::string& id) {
  auto ids = parse_component_list(id);
  if (!ids) return ids.error();
  return component_value(m, ids->front());
}

const http::Message& sample() {
  static const http::Message m = request(
      "GET /p?a=1&a=2&b=x+y&c HTTP/1.1\nHost: example.com\nX-Dict: k=1, f\nX-Caf: caf\xC3\xA9\n"
      "Content-Type: text/plain\n\n");
  return m;
}

TEST(Components, IdentifierErrors) {
  EXPECT_EQ(parse_component_list("\"Content-Type\"").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("content-type").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("\"x\";foo").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("\"x\";sf=?0").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("\"x\";key=1").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("\"@query-param\"").reason(), Reason::invalid_component);
  EXPECT_EQ(parse_component_list("\"a\" \"a\"").reason(), Reason::duplicate_component);
  EXPECT_EQ(parse_component_list("\"a\";sf \"a\";sf").reason(), Reason::duplicate_component);
  // Parameter order does not make identifiers different (§2).
  EXPECT_EQ(parse_component_list("\"a\";sf;tr \"a\";tr;sf").reason(), Reason::duplicate_component);
  EXPECT_TRUE(parse_component_list("\"a\" \"a\";sf").ok());
}

TEST(Components, MissingComponents) {
  EXPECT_EQ(value_of(sample(), "\"x-absent\"").reason(), Reason::missing_component);
  EXPECT_EQ(value_of(sample(), "\"x-dict\";key=\"zz\"").reason(), Reason::missing_component);
  EXPECT_EQ(value_of(sample(), "\"@query-param\";name=\"zz\"").reason(), Reason::missing_component);
  EXPECT_EQ(value_of(sample(), "\"content-type\";tr").reason(), Reason::missing_component);
}

TEST(Components, InvalidCombinations) {
  EXPECT_EQ(value_of(sample(), "\"x-dict\";bs;sf").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"x-dict\";bs;key=\"k\"").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"@method\";req").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"@status\"").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"@signature-params\"").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"@nope\"").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"@method\";sf").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"content-type\";sf").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"content-type\";name=\"a\"").reason(), Reason::invalid_component);
  // A query parameter that occurs twice must not be used (§2.2.8).
  EXPECT_EQ(value_of(sample(), "\"@query-param\";name=\"a\"").reason(), Reason::invalid_component);
  // Non-ASCII must be signed with ;bs (§2.1.3).
  EXPECT_EQ(value_of(sample(), "\"x-caf\"").reason(), Reason::invalid_component);
  EXPECT_EQ(value_of(sample(), "\"x-caf\";bs").value(), ":Y2Fmw6k=:");
}

TEST(Components, QueryParamReencoding) {
  EXPECT_EQ(value_of(sample(), "\"@query-param\";name=\"b\"").value(), "x%20y");
  EXPECT_EQ(value_of(sample(), "\"@query-param\";name=\"c\"").value(), "");
}

TEST(Components, ResponseComponents) {
  auto resp = http::parse_http1("HTTP/1.1 404 Not Found\nX: y\n\n").value();
  EXPECT_EQ(value_of(resp, "\"@status\"").value(), "404");
  EXPECT_EQ(value_of(resp, "\"@method\"").reason(), Reason::invalid_component);
  // No related request attached: a `req` component is missing, not empty.
  EXPECT_EQ(value_of(resp, "\"@method\";req").reason(), Reason::missing_component);
  std::get<http::Response>(resp).request =
      std::make_shared<http::Request>(std::get<http::Request>(sample()));
  EXPECT_EQ(value_of(resp, "\"@method\";req").value(), "GET");
  EXPECT_EQ(value_of(resp, "\"host\";req").value(), "example.com");
  EXPECT_EQ(value_of(resp, "\"@status\";req").reason(), Reason::invalid_component);
}

TEST(Components, BaseFailsAsAWholeOnOneBadComponent) {
  SignatureParams p;
  ASSERT_TRUE(p.add_component(ComponentId::make("@method").value()).ok());
  ASSERT_TRUE(p.add_component(ComponentId::make("x-absent").value()).ok());
  EXPECT_EQ(signature_base(sample(), p).reason(), Reason::missing_component);
  EXPECT_EQ(p.add_component(ComponentId::make("@method").value()).reason(),
            Reason::duplicate_component);
}

TEST(Components, EmptyCoveredListStillHasSignatureParams) {
  SignatureParams p;
  p.set_created(1);
  EXPECT_EQ(signature_base(sample(), p).value(), "\"@signature-params\": ();created=1");
}

}  // namespace
}  // namespace wba::sig

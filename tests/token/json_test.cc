// Strict JSON (jose/json.h): duplicate members refused at every level, nesting and size bounded
// before they can cost anything, and nothing that is not exactly one JSON value accepted.
#include "wba/jose/json.h"

#include <gtest/gtest.h>

#include <string>

namespace wba::jose {
namespace {

using nlohmann::json;

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}

TEST(StrictJson, ParsesValuesWithTheirNumberKinds) {
  auto v = parse_strict_json(
      R"({"s":"x","i":-3,"u":18446744073709551615,"f":1795435500.5,"b":true,"n":null,)"
      R"("a":[1,{"k":"v"}],"o":{}})");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->at("s"), "x");
  EXPECT_TRUE(v->at("i").is_number_integer());
  EXPECT_EQ(v->at("i").get<int>(), -3);
  EXPECT_TRUE(v->at("u").is_number_unsigned());
  EXPECT_TRUE(v->at("f").is_number_float());
  EXPECT_DOUBLE_EQ(v->at("f").get<double>(), 1795435500.5);
  EXPECT_EQ(v->at("b"), true);
  EXPECT_TRUE(v->at("n").is_null());
  EXPECT_EQ(v->at("a").at(1).at("k"), "v");
  EXPECT_TRUE(v->at("o").is_object());
  for (const char* scalar : {"1", "\"x\"", "true", "null", " [ ] "}) {
    EXPECT_TRUE(parse_strict_json(scalar).ok()) << scalar;
  }
}

TEST(StrictJson, RefusesDuplicateMembersAtEveryLevel) {
  for (const char* text : {
           R"({"alg":"ES256","alg":"none"})",                     // §9 item 25
           R"({"sub":"a","iss":"x","sub":"b"})",                  // NEG-22
           R"({"act":{"sub":"a"},"act":{"sub":"b"}})",            // two act members
           R"({"act":{"sub":"a","act":{"sub":"b","sub":"c"}}})",  // nested
           R"({"x":[{"k":1},{"k":1,"k":2}]})",                    // inside an array
           R"({"a":1,"\u0061":2})",                               // same name once unescaped
       }) {
    auto v = parse_strict_json(text);
    EXPECT_EQ(v.reason(), Reason::malformed_json) << text;
  }
  // The same name in different objects is not a duplicate.
  EXPECT_TRUE(parse_strict_json(R"({"sub":"a","act":{"sub":"b","act":{"sub":"c"}}})").ok());
  // Names differing only in case are different names.
  EXPECT_TRUE(parse_strict_json(R"({"sub":"a","Sub":"b"})").ok());
}

TEST(StrictJson, BoundsNesting) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parse_strict_json(nested_arrays(4), limits).ok());
  EXPECT_EQ(parse_strict_json(nested_arrays(5), limits).reason(), Reason::malformed_json);
  EXPECT_TRUE(parse_strict_json(nested_objects(4), limits).ok());
  EXPECT_EQ(parse_strict_json(nested_objects(5), limits).reason(), Reason::malformed_json);
  // Default: 32 levels.
  EXPECT_TRUE(parse_strict_json(nested_objects(32)).ok());
  EXPECT_EQ(parse_strict_json(nested_objects(33)).reason(), Reason::malformed_json);
}

TEST(StrictJson, HostileDepthIsRefusedWithoutRecursion) {
  // §9 item 30: 10,000 (and 200,000) levels, with the size limit out of the way so that the
  // depth limit is what stops them. Runs under ASan in the sanitizer build.
  JsonLimits big;
  big.max_bytes = 4 * 1024 * 1024;
  for (std::size_t depth : {10000u, 200000u}) {
    EXPECT_EQ(parse_strict_json(nested_arrays(depth), big).reason(), Reason::malformed_json);
    EXPECT_EQ(parse_strict_json(nested_objects(depth), big).reason(), Reason::malformed_json);
  }
  // Unbalanced as well (the parser stops at the limit, not at the end).
  EXPECT_EQ(parse_strict_json(std::string(100000, '['), big).reason(), Reason::malformed_json);
}

TEST(StrictJson, BoundsSizeBeforeParsing) {
  JsonLimits limits;
  limits.max_bytes = 10;
  EXPECT_TRUE(parse_strict_json("[1,2,3,45]", limits).ok());  // exactly 10 bytes
  EXPECT_EQ(parse_strict_json("[1,2,3,456]", limits).reason(), Reason::limit_exceeded);
  // Refused for its size even though it is not JSON at all: nothing was parsed.
  EXPECT_EQ(parse_strict_json(std::string(11, '{'), limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_strict_json(std::string(16 * 1024 + 1, ' ')).reason(), Reason::limit_exceeded);
}

TEST(StrictJson, RefusesAnythingButOneJsonValue) {
  for (const std::string& text : {
           std::string(""),
           std::string("   "),
           std::string("{} {}"),           // trailing value
           std::string("{}x"),             // trailing bytes
           std::string("{\"a\":1,}"),      // trailing comma
           std::string("{a:1}"),           // unquoted name
           std::string("{'a':1}"),         // single quotes
           std::string("{\"a\":1} // c"),  // comments
           std::string("/* c */ {}"),
           std::string("NaN"),
           std::string("[Infinity]"),
           std::string("[1e400]"),             // overflows a double
           std::string("[01]"),                // leading zero
           std::string("[\"\\x41\"]"),         // invalid escape
           std::string("[\"\\ud800\"]"),       // lone surrogate
           std::string("[\"a\tb\"]"),          // raw control character
           std::string("[\"\xC3\"]"),          // truncated UTF-8
           std::string("[\"\xC0\xAF\"]"),      // overlong UTF-8
           std::string("[\"\xED\xA0\x80\"]"),  // UTF-8 encoded surrogate
           std::string("\xEF\xBB\xBF{}"),      // byte order mark
           std::string("{\"a\":1}\0", 8),      // NUL after the value
       }) {
    EXPECT_EQ(parse_strict_json(text).reason(), Reason::malformed_json) << text;
  }
}

TEST(StrictJson, AcceptsValidUnicode) {
  auto v = parse_strict_json("{\"sub\":\"caf\xC3\xA9 \\u00e9 \\ud83d\\ude00\"}");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->at("sub"), "caf\xC3\xA9 \xC3\xA9 \xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace wba::jose

// Edge cases of the sfv layer that the httpwg suite does not cover: limits, error details,
// overwrite order, RFC 9421 member values, Decimal rounding, round trips.

#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"
#include "wba/sfv/value.h"

namespace wba::sfv {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string repeat(std::string_view unit, std::size_t n, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += sep;
    out += unit;
  }
  return out;
}

// "k0=1, k1=1, …": n distinct keys.
std::string distinct_members(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "k" + std::to_string(i) + "=1";
  }
  return out;
}

// ---- Limits --------------------------------------------------------------------------------

TEST(SfvLimits, FieldBytes) {
  ParseLimits limits;
  limits.max_field_bytes = 8;
  EXPECT_TRUE(parse_item("12345678", limits).ok());
  const auto r = parse_item("123456789", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, ListMembers) {
  ParseLimits limits;
  limits.max_members = 3;
  EXPECT_TRUE(parse_list("a, b, c", limits).ok());
  EXPECT_EQ(parse_list("a, b, c, d", limits).reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, DictionaryMembersCountDistinctKeys) {
  ParseLimits limits;
  limits.max_members = 3;
  EXPECT_TRUE(parse_dictionary("a, b, c", limits).ok());
  // Repeated keys overwrite, so they do not count as new members.
  EXPECT_TRUE(parse_dictionary("a, b, c, a=2, b=3", limits).ok());
  EXPECT_EQ(parse_dictionary("a, b, c, d", limits).reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, DefaultsAcceptRfcMinimums) {
  // §3: parsers must support at least 1024 members, 256 inner-list items and parameters.
  EXPECT_TRUE(parse_list(repeat("a", 1024, ", ")).ok());
  EXPECT_EQ(parse_list(repeat("a", 1025, ", ")).reason(), Reason::limit_exceeded);
  EXPECT_TRUE(parse_dictionary(distinct_members(1024)).ok());
  EXPECT_EQ(parse_dictionary(distinct_members(1025)).reason(), Reason::limit_exceeded);
  EXPECT_TRUE(parse_list("(" + repeat("a", 256, " ") + ")").ok());
  EXPECT_EQ(parse_list("(" + repeat("a", 257, " ") + ")").reason(), Reason::limit_exceeded);
  std::string params = "a";
  for (int i = 0; i < 256; ++i) params += ";p" + std::to_string(i);
  EXPECT_TRUE(parse_item(params).ok());
  EXPECT_EQ(parse_item(params + ";q").reason(), Reason::limit_exceeded);
  EXPECT_TRUE(parse_item("\"" + std::string(1024, 'x') + "\"").ok());
  EXPECT_TRUE(parse_item(std::string(512, 't')).ok());
  auto bytes = parse_item(":" + std::string(21844, 'A') + "AA==:");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(std::get<ByteSequence>(bytes->value).bytes.size(), 16384u);
}

TEST(SfvLimits, InnerListItems) {
  ParseLimits limits;
  limits.max_inner_list_items = 2;
  EXPECT_TRUE(parse_list("(a b)", limits).ok());
  EXPECT_EQ(parse_list("(a b c)", limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_dictionary("k=(a b c)", limits).reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, Parameters) {
  ParseLimits limits;
  limits.max_params = 2;
  EXPECT_TRUE(parse_item("a;x;y", limits).ok());
  EXPECT_TRUE(parse_item("a;x;y;x=2", limits).ok());
  EXPECT_EQ(parse_item("a;x;y;z", limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_list("(a);x;y;z", limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_list("(a;x;y;z)", limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_dictionary("k;x;y;z", limits).reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, StringTokenDisplayString) {
  ParseLimits limits;
  limits.max_string_bytes = 4;
  EXPECT_TRUE(parse_item("\"abcd\"", limits).ok());
  EXPECT_EQ(parse_item("\"abcde\"", limits).reason(), Reason::limit_exceeded);
  EXPECT_TRUE(parse_item("abcd", limits).ok());
  EXPECT_EQ(parse_item("abcde", limits).reason(), Reason::limit_exceeded);
  EXPECT_TRUE(parse_item("%\"ab%c3%bc\"", limits).ok());  // 4 bytes of UTF-8
  EXPECT_EQ(parse_item("%\"abc%c3%bc\"", limits).reason(), Reason::limit_exceeded);
}

TEST(SfvLimits, ByteSequence) {
  ParseLimits limits;
  limits.max_byte_sequence_bytes = 5;
  EXPECT_TRUE(parse_item(":aGVsbG8=:", limits).ok());  // "hello"
  EXPECT_EQ(parse_item(":aGVsbG8h:", limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_item(":" + std::string(4000, 'A') + ":", limits).reason(),
            Reason::limit_exceeded);
}

TEST(SfvByteSequence, NonZeroPadBitsAreAccepted) {
  // §4.2.7: parsers SHOULD NOT fail on non-zero pad bits; serialization clears them.
  for (const char* field : {":iZ==:", ":iZ:", ":iQ==:"}) {
    auto r = parse_item(field);
    ASSERT_TRUE(r.ok()) << field << ": " << r.error().message();
    EXPECT_EQ(std::get<ByteSequence>(r->value).bytes, "\x89") << field;
    EXPECT_EQ(serialize(*r).value(), ":iQ==:");
  }
  auto r = parse_item(":aGVsbB==:");  // two bytes with non-zero pad bits in the last digit
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<ByteSequence>(r->value).bytes, "hell");
  EXPECT_EQ(parse_item(":a:").reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item(":aGVsbG8===:").reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item(":aGVs-G8=:").reason(), Reason::malformed_field);
}

// ---- Error details -------------------------------------------------------------------------

TEST(SfvErrors, DetailNamesOffsetAndProblem) {
  auto r = parse_dictionary("a=1, b=2 c=3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.reason(), Reason::malformed_field);
  EXPECT_EQ(r.error().detail, "offset 9: expected ',' between dictionary members");

  r = parse_dictionary("a=1,");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "offset 4: trailing ',' in dictionary");

  auto item = parse_item("  \"abc");
  ASSERT_FALSE(item.ok());
  EXPECT_THAT(item.error().detail, StartsWith("offset 2: "));
  EXPECT_THAT(item.error().detail, HasSubstr("closing"));

  item = parse_item("1 x");
  ASSERT_FALSE(item.ok());
  EXPECT_THAT(item.error().detail, StartsWith("offset 2: "));

  item = parse_item("\"a\\x\"");
  ASSERT_FALSE(item.ok());
  EXPECT_THAT(item.error().detail, StartsWith("offset 3: "));

  auto list = parse_list("(a b");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.error().detail, StartsWith("offset 4: "));

  list = parse_list("a, ;");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().reason, Reason::malformed_field);
  EXPECT_THAT(list.error().detail, StartsWith("offset 3: "));
}

TEST(SfvErrors, RejectsNonAsciiAndControlBytes) {
  EXPECT_EQ(parse_item("\"caf\xc3\xa9\"").reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item("tok\xc3\xa9").reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item(std::string("a\0", 2)).reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item("").reason(), Reason::malformed_field);
  EXPECT_EQ(parse_item("   ").reason(), Reason::malformed_field);
}

TEST(SfvErrors, EmptyListAndDictionary) {
  auto l = parse_list("");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->empty());
  auto d = parse_dictionary("   ");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->empty());
  EXPECT_EQ(serialize(*l).value(), "");
  EXPECT_EQ(serialize(*d).value(), "");
}

// ---- Overwrite in place --------------------------------------------------------------------

TEST(SfvOrder, ParametersOverwriteInPlace) {
  auto r = parse_item("a;x=1;y=2;x=3;z");
  ASSERT_TRUE(r.ok());
  const auto& p = r->params;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.entries()[0].first, "x");
  EXPECT_EQ(p.entries()[0].second, BareItem(std::int64_t{3}));
  EXPECT_EQ(p.entries()[1].first, "y");
  EXPECT_EQ(p.entries()[2].first, "z");
  EXPECT_EQ(serialize(*r).value(), "a;x=3;y=2;z");

  Parameters q;
  q.set("b", std::int64_t{1});
  q.set("a", true);
  q.set("b", Token{"t"});
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q.entries()[0].first, "b");
  ASSERT_NE(q.find("b"), nullptr);
  EXPECT_EQ(*q.find("b"), BareItem(Token{"t"}));
  EXPECT_EQ(q.find("c"), nullptr);
  EXPECT_EQ(serialize_params(q).value(), ";b=t;a");
}

TEST(SfvOrder, DictionaryOverwriteInPlace) {
  auto r = parse_dictionary("a=1, b=2, a=(x y);p, c");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->entries()[0].first, "a");
  EXPECT_TRUE(std::holds_alternative<InnerList>(r->entries()[0].second));
  EXPECT_EQ(serialize(*r).value(), "a=(x y);p, b=2, c");

  // A repeated key replaces the value and its parameters entirely.
  r = parse_dictionary("a=1;p=1;q=2, a=2;q=3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(serialize(*r).value(), "a=2;q=3");

  Dictionary d;
  d.set("z", Item{std::int64_t{1}, {}});
  d.set("y", Item{true, {}});
  d.set("z", Item{std::int64_t{9}, {}});
  EXPECT_EQ(serialize(d).value(), "z=9, y");
  EXPECT_TRUE(d.erase("z"));
  EXPECT_FALSE(d.erase("z"));
  EXPECT_EQ(d.find("z"), nullptr);
  EXPECT_NE(d.find("y"), nullptr);
  EXPECT_EQ(serialize(d).value(), "y");
}

TEST(SfvOrder, ManyKeysUseTheSameOrder) {
  // Past a handful of keys the parser switches from a scan to a hash index; the semantics
  // must not change.
  std::string field = distinct_members(40);
  field += ", k3=7, k25=8, k39=(a);p";
  auto r = parse_dictionary(field);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 40u);
  for (std::size_t i = 0; i < 40; ++i) EXPECT_EQ(r->entries()[i].first, "k" + std::to_string(i));
  EXPECT_EQ(std::get<Item>(r->entries()[3].second).value, BareItem(std::int64_t{7}));
  EXPECT_EQ(std::get<Item>(r->entries()[25].second).value, BareItem(std::int64_t{8}));
  EXPECT_TRUE(std::holds_alternative<InnerList>(r->entries()[39].second));

  std::string item = "x";
  for (int i = 0; i < 30; ++i) item += ";p" + std::to_string(i) + "=" + std::to_string(i);
  item += ";p20=?0;p0";
  auto it = parse_item(item);
  ASSERT_TRUE(it.ok());
  ASSERT_EQ(it->params.size(), 30u);
  EXPECT_EQ(it->params.entries()[0].second, BareItem(true));
  EXPECT_EQ(it->params.entries()[20].second, BareItem(false));
}

// ---- RFC 9421 `;key` member values ---------------------------------------------------------

TEST(SfvMemberValue, Serialization) {
  auto d = parse_dictionary("a=1;x, b;p=2, c=(a b);q, d, e=?0");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(serialize_member_value(*d->find("a")).value(), "1;x");
  EXPECT_EQ(serialize_member_value(*d->find("b")).value(), "?1;p=2");
  EXPECT_EQ(serialize_member_value(*d->find("c")).value(), "(a b);q");
  EXPECT_EQ(serialize_member_value(*d->find("d")).value(), "?1");
  EXPECT_EQ(serialize_member_value(*d->find("e")).value(), "?0");
  // The whole dictionary still uses the short form for true.
  EXPECT_EQ(serialize(*d).value(), "a=1;x, b;p=2, c=(a b);q, d, e=?0");
}

TEST(SfvMemberValue, UnserializableMember) {
  const ListMember m = Item{Token{"bad token"}, {}};
  EXPECT_EQ(serialize_member_value(m).reason(), Reason::serialization_error);
}

// ---- Decimal::from_double ------------------------------------------------------------------

std::optional<std::int64_t> thousandths(double v) {
  auto d = Decimal::from_double(v);
  if (!d) return std::nullopt;
  return d->thousandths;
}

TEST(SfvDecimal, FromDoubleRoundsHalfToEven) {
  EXPECT_EQ(thousandths(1.5), 1500);
  EXPECT_EQ(thousandths(0.0005), 0);
  EXPECT_EQ(thousandths(0.0015), 2);
  EXPECT_EQ(thousandths(0.0025), 2);
  EXPECT_EQ(thousandths(0.0035), 4);
  EXPECT_EQ(thousandths(-0.0025), -2);
  EXPECT_EQ(thousandths(-0.0035), -4);
  EXPECT_EQ(thousandths(1.0005), 1000);
  EXPECT_EQ(thousandths(1.0015), 1002);
  EXPECT_EQ(thousandths(0.00051), 1);
  EXPECT_EQ(thousandths(0.00049), 0);
  EXPECT_EQ(thousandths(9.9995), 10000);
  EXPECT_EQ(thousandths(123.456), 123456);
  EXPECT_EQ(thousandths(-0.0), 0);
  EXPECT_EQ(thousandths(0.0), 0);
  EXPECT_EQ(thousandths(1e-300), 0);
  EXPECT_EQ(thousandths(5e-324), 0);
  EXPECT_EQ(thousandths(42.0), 42000);
  EXPECT_EQ(thousandths(1e11), 100000000000000);
  EXPECT_EQ(thousandths(999999999999.999), 999999999999999);
  EXPECT_EQ(thousandths(-999999999999.999), -999999999999999);
}

TEST(SfvDecimal, FromDoubleRejectsOutOfRange) {
  EXPECT_EQ(thousandths(1e12), std::nullopt);
  EXPECT_EQ(thousandths(-1e12), std::nullopt);
  EXPECT_EQ(thousandths(999999999999.9995), std::nullopt);  // rounds up to 10^12
  EXPECT_EQ(thousandths(1e300), std::nullopt);
  EXPECT_EQ(thousandths(std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(thousandths(-std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(thousandths(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
}

TEST(SfvDecimal, Serialization) {
  auto s = [](std::int64_t t) { return serialize_bare_item(Decimal{t}); };
  EXPECT_EQ(s(0).value(), "0.0");
  EXPECT_EQ(s(1500).value(), "1.5");
  EXPECT_EQ(s(1050).value(), "1.05");
  EXPECT_EQ(s(1005).value(), "1.005");
  EXPECT_EQ(s(-1).value(), "-0.001");
  EXPECT_EQ(s(10000).value(), "10.0");
  EXPECT_EQ(s(999999999999999).value(), "999999999999.999");
  EXPECT_EQ(s(-999999999999999).value(), "-999999999999.999");
  EXPECT_EQ(s(1000000000000000).reason(), Reason::serialization_error);
  EXPECT_EQ(s(std::numeric_limits<std::int64_t>::min()).reason(), Reason::serialization_error);
  EXPECT_DOUBLE_EQ(Decimal{-2500}.to_double(), -2.5);
}

// ---- Serialization failures ----------------------------------------------------------------

TEST(SfvSerialize, RejectsUnserializableValues) {
  auto bare = [](BareItem v) { return serialize_bare_item(v).reason(); };
  EXPECT_EQ(bare(std::int64_t{1000000000000000}), Reason::serialization_error);
  EXPECT_EQ(bare(std::int64_t{-1000000000000000}), Reason::serialization_error);
  EXPECT_EQ(bare(std::numeric_limits<std::int64_t>::min()), Reason::serialization_error);
  EXPECT_EQ(bare(Token{""}), Reason::serialization_error);
  EXPECT_EQ(bare(Token{"1a"}), Reason::serialization_error);
  EXPECT_EQ(bare(Token{"a b"}), Reason::serialization_error);
  EXPECT_EQ(bare(String{"caf\xc3\xa9"}), Reason::serialization_error);
  EXPECT_EQ(bare(String{"a\tb"}), Reason::serialization_error);
  EXPECT_EQ(bare(DisplayString{"\xc3"}), Reason::serialization_error);
  EXPECT_EQ(bare(DisplayString{"\xed\xa0\x80"}), Reason::serialization_error);  // surrogate
  EXPECT_EQ(bare(Date{1000000000000000}), Reason::serialization_error);

  Parameters bad_key;
  bad_key.set("A", true);
  EXPECT_EQ(serialize(Item{std::int64_t{1}, bad_key}).reason(), Reason::serialization_error);
  Dictionary d;
  d.set("", Item{true, {}});
  EXPECT_EQ(serialize(d).reason(), Reason::serialization_error);
  Dictionary d2;
  d2.set("1a", Item{true, {}});
  EXPECT_EQ(serialize(d2).reason(), Reason::serialization_error);
}

TEST(SfvSerialize, BareItems) {
  auto s = [](BareItem v) { return serialize_bare_item(v).value(); };
  EXPECT_EQ(s(std::int64_t{-999999999999999}), "-999999999999999");
  EXPECT_EQ(s(String{"a\"b\\c"}), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(s(Token{"*foo:/bar!"}), "*foo:/bar!");
  EXPECT_EQ(s(ByteSequence{"hello"}), ":aGVsbG8=:");
  EXPECT_EQ(s(ByteSequence{""}), "::");
  EXPECT_EQ(s(true), "?1");
  EXPECT_EQ(s(false), "?0");
  EXPECT_EQ(s(Date{-62135596800}), "@-62135596800");
  EXPECT_EQ(s(DisplayString{"f\xc3\xbc\xc3\xbc 100% \"ok\"\n"}),
            "%\"f%c3%bc%c3%bc 100%25 %22ok%22%0a\"");
}

// ---- Round trips ---------------------------------------------------------------------------

TEST(SfvRoundTrip, Rfc9421SignatureInput) {
  const std::string field =
      "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" "
      "\"content-type\");created=1618884473;keyid=\"test-key-rsa-pss\", "
      "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
      "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\";alg=\"ed25519\"";
  auto d = parse_dictionary(field);
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_EQ(d->size(), 2u);
  const auto& sig1 = std::get<InnerList>(*d->find("sig1"));
  EXPECT_EQ(sig1.items.size(), 6u);
  EXPECT_EQ(sig1.items[0].value, BareItem(String{"@method"}));
  EXPECT_EQ(*sig1.params.find("created"), BareItem(std::int64_t{1618884473}));
  EXPECT_EQ(serialize(*d).value(), field);
  EXPECT_EQ(serialize_member_value(*d->find("sig-b26")).value(),
            field.substr(field.find("sig-b26=") + 8));
}

TEST(SfvRoundTrip, CanonicalFormsAreStable) {
  const std::vector<std::pair<std::string, FieldType>> cases = {
      {"1;a;b=?0;c=\"x\";d=tok;e=:AQI=:;f=@1;g=%\"%c3%a9\";h=-1.25", FieldType::item},
      {"(1 2);x, (), (a;b c);d, 5", FieldType::list},
      {"a, b=?0, c=(1 2), d=:aGk=:;p, e=%\"x\"", FieldType::dictionary},
      {"sig1=:K2qGT5srn2OGbOIDzQ6kYT+ruaycnDAAUpKv+ePFfD0RAxn/1BUeZx/"
       "Kdrq32DrfakQ6bPsvB9aqZqognNT6be4olHROIkeV879RrsrObury8L9SCEibeoHyqU/"
       "yCjphSmEdd7WD+zrchK57quskKwRefy2iEC5S2uAH0EPyOZKWlvbKmKu5q4CaB8X/I5/+HLZLGvDiezqi6/"
       "7p2Gngf5hwZ0lSdy39vyNMaaAT0tKo6nuVw0S1MVg1Q7MpWYZs0soHjttq0uLIA3DIbQfLiIvK6/"
       "l0BdWTU7+2uQj7lBkQAsFZHoA96ZZgFquQrXRlmYOh+Hx5D9fJkXcXe5tmAg==:",
       FieldType::dictionary},
  };
  for (const auto& [field, type] : cases) {
    auto parsed = parse(field, type);
    ASSERT_TRUE(parsed.ok()) << field << ": " << parsed.error().message();
    auto text = serialize(*parsed);
    ASSERT_TRUE(text.ok()) << field;
    EXPECT_EQ(*text, field);
  }
}

TEST(SfvRoundTrip, JoinFieldLines) {
  const std::vector<std::string> none;
  EXPECT_EQ(join_field_lines(none), "");
  const std::vector<std::string> one = {"a=1"};
  EXPECT_EQ(join_field_lines(one), "a=1");
  const std::vector<std::string> two = {"a=1", "b=2"};
  EXPECT_EQ(join_field_lines(two), "a=1, b=2");
}

// Whatever parses must serialize, and the serialization must parse back to the same value.
// Also a cheap fuzz of the parser under the sanitizer build.
TEST(SfvRoundTrip, RandomInputsNeverBreakTheInvariants) {
  static constexpr std::string_view kAlphabet =
      "abcz*AZ09-._:/;=,() \t\"\\?@%#!'+&~^|`ef1234567890\x7f\x80\xc3\xbc";
  static constexpr std::string_view kSnippets[] = {
      "a=1",    "(a b)", ";p=?1", "\"s\"", ":aGk=:", "%\"%c3%bc\"", "@-5", "1.5",
      "-0.001", ", ",    "tok",   "?0",    "*",      "(",           ")",   ";"};
  std::mt19937 rng(9651);
  int parsed_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    const int parts = static_cast<int>(rng() % 8);
    for (int k = 0; k < parts; ++k) {
      if (rng() % 2 == 0) {
        input += kSnippets[rng() % std::size(kSnippets)];
      } else {
        input += kAlphabet[rng() % kAlphabet.size()];
      }
    }
    for (FieldType type : {FieldType::item, FieldType::list, FieldType::dictionary}) {
      auto parsed = parse(input, type);
      if (!parsed.ok()) {
        ASSERT_EQ(parsed.reason(), Reason::malformed_field) << input;
        ASSERT_THAT(parsed.error().detail, StartsWith("offset ")) << input;
        continue;
      }
      ++parsed_ok;
      auto text = serialize(*parsed);
      ASSERT_TRUE(text.ok()) << input << ": " << text.error().message();
      auto again = parse(*text, type);
      ASSERT_TRUE(again.ok()) << input << " -> " << *text;
      ASSERT_TRUE(*again == *parsed) << input << " -> " << *text;
      ASSERT_EQ(serialize(*again).value(), *text);
    }
  }
  EXPECT_GT(parsed_ok, 1000);
}

}  // namespace
}  // namespace wba::sfv

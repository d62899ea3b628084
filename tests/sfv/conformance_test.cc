// Runs every file of the httpwg structured-field-tests suite (testvectors/structured-field-tests
// and its serialisation-tests/ directory) against the parser and the serializer.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"
#include "wba/sfv/value.h"

namespace wba::sfv {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSuiteDir = fs::path(WBA_TESTVECTOR_DIR) / "structured-field-tests";

// The expected value uses something our data model cannot hold at all.
struct CannotRepresent : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// RFC 4648 §6 base32, which the suite uses for Byte Sequences so that it does not depend on
// the base64 code under test.
std::string base32_decode(const std::string& text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto idx = kAlphabet.find(c);
    if (idx == std::string_view::npos) throw std::runtime_error("bad base32 in test: " + text);
    acc = (acc << 5) | static_cast<std::uint32_t>(idx);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Decimal to_decimal(double v) {
  if (auto d = Decimal::from_double(v)) return *d;
  // from_double refuses values outside the Decimal range, but the serialisation tests hand us
  // exactly such values to check that serialize() refuses them. Thousandths still fit in an
  // int64 for them, so keep the value and let the serializer judge it.
  const double scaled = std::nearbyint(v * 1000.0);
  if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.2e18) {
    throw CannotRepresent("decimal " + std::to_string(v));
  }
  return Decimal{static_cast<std::int64_t>(scaled)};
}

BareItem to_bare_item(const json& j) {
  switch (j.type()) {
    case json::value_t::boolean:
      return j.get<bool>();
    case json::value_t::number_integer:
      return j.get<std::int64_t>();
    case json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw CannotRepresent("integer " + std::to_string(u));
      }
      return static_cast<std::int64_t>(u);
    }
    case json::value_t::number_float:
      return to_decimal(j.get<double>());
    case json::value_t::string:
      return String{j.get<std::string>()};
    case json::value_t::object: {
      const std::string type = j.at("__type").get<std::string>();
      const json& value = j.at("value");
      if (type == "token") return Token{value.get<std::string>()};
      if (type == "binary") return ByteSequence{base32_decode(value.get<std::string>())};
      if (type == "date") return Date{value.get<std::int64_t>()};
      if (type == "displaystring") return DisplayString{value.get<std::string>()};
      throw std::runtime_error("unknown __type in test: " + type);
    }
    default:
      throw std::runtime_error("unexpected bare item in test: " + j.dump());
  }
}

Parameters to_params(const json& j) {
  Parameters params;
  for (const auto& p : j) params.set(p.at(0).get<std::string>(), to_bare_item(p.at(1)));
  return params;
}

Item to_item(const json& j) { return Item{to_bare_item(j.at(0)), to_params(j.at(1))}; }

// An Inner List is [[items…], params]; an Item's first element is never an array.
ListMember to_member(const json& j) {
  if (j.at(0).is_array()) {
    InnerList inner;
    for (const auto& item : j.at(0)) inner.items.push_back(to_item(item));
    inner.params = to_params(j.at(1));
    return inner;
  }
  return to_item(j);
}

Field to_field(const json& expected, const std::string& header_type) {
  if (header_type == "item") return to_item(expected);
  if (header_type == "list") {
    List list;
    for (const auto& m : expected) list.push_back(to_member(m));
    return list;
  }
  if (header_type == "dictionary") {
    Dictionary dict;
    for (const auto& m : expected) dict.set(m.at(0).get<std::string>(), to_member(m.at(1)));
    return dict;
  }
  throw std::runtime_error("unknown header_type in test: " + header_type);
}

FieldType to_field_type(const std::string& header_type) {
  if (header_type == "item") return FieldType::item;
  if (header_type == "list") return FieldType::list;
  if (header_type == "dictionary") return FieldType::dictionary;
  throw std::runtime_error("unknown header_type in test: " + header_type);
}

std::string describe(const Field& f) {
  auto s = serialize(f);
  return s.ok() ? "`" + *s + "`" : "<unserializable: " + s.error().message() + ">";
}

struct Counts {
  int passed = 0;
  int failed = 0;
  int tolerated = 0;        // can_fail cases that failed
  int unrepresentable = 0;  // must_fail serialisation cases the model cannot even hold
  Counts& operator+=(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    tolerated += o.tolerated;
    unrepresentable += o.unrepresentable;
    return *this;
  }
  int total() const { return passed + failed + tolerated; }
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  os << c.total() << " cases: " << c.passed << " passed, " << c.failed << " failed, " << c.tolerated
     << " can_fail tolerated";
  if (c.unrepresentable > 0) os << " (" << c.unrepresentable << " passed as unrepresentable)";
  return os;
}

// `canonical` holds one field line, or none for an empty List or Dictionary, which §4.1.1 and
// §4.1.2 say not to send at all: serialize() expresses that as the empty string.
std::string canonical_text(const json& t) {
  const json& c = t.at("canonical");
  if (c.empty()) return {};
  if (c.size() != 1) throw std::runtime_error("canonical has more than one line");
  return c.at(0).get<std::string>();
}

// An empty string means the case passed; otherwise why it did not.
std::string run_parse_case(const json& t) {
  const std::string type = t.at("header_type").get<std::string>();
  const auto lines = t.at("raw").get<std::vector<std::string>>();
  const std::string joined = join_field_lines(lines);
  const auto parsed = parse(joined, to_field_type(type));
  if (t.value("must_fail", false)) {
    if (parsed.ok()) return "parsed although it must fail: " + describe(*parsed);
    if (parsed.error().reason != Reason::malformed_field) {
      return "failed with the wrong reason: " + parsed.error().message();
    }
    if (parsed.error().detail.rfind("offset ", 0) != 0) {
      return "error detail does not name the offset: " + parsed.error().detail;
    }
    return {};
  }
  if (!parsed.ok()) return "parse failed: " + parsed.error().message();
  const Field expected = to_field(t.at("expected"), type);
  if (!(*parsed == expected)) {
    return "parsed " + describe(*parsed) + ", expected " + describe(expected);
  }
  const std::string canonical = t.contains("canonical") ? canonical_text(t) : joined;
  const auto serialized = serialize(*parsed);
  if (!serialized.ok()) return "serialize failed: " + serialized.error().message();
  if (*serialized != canonical) return "serialized `" + *serialized + "`, want `" + canonical + "`";
  return {};
}

std::string run_serialisation_case(const json& t, bool& unrepresentable) {
  const bool must_fail = t.value("must_fail", false);
  Field model;
  try {
    model = to_field(t.at("expected"), t.at("header_type").get<std::string>());
  } catch (const CannotRepresent& e) {
    if (!must_fail) return std::string("model cannot represent ") + e.what();
    unrepresentable = true;
    return {};
  }
  const auto serialized = serialize(model);
  if (must_fail) {
    if (serialized.ok()) return "serialized `" + *serialized + "` although it must fail";
    if (serialized.error().reason != Reason::serialization_error) {
      return "failed with the wrong reason: " + serialized.error().message();
    }
    return {};
  }
  if (!serialized.ok()) return "serialize failed: " + serialized.error().message();
  const std::string canonical = canonical_text(t);
  if (*serialized != canonical) return "serialized `" + *serialized + "`, want `" + canonical + "`";
  return {};
}

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Counts run_directory(const fs::path& dir, bool serialisation, std::vector<std::string>& failures) {
  Counts total;
  for (const auto& file : json_files(dir)) {
    std::ifstream in(file);
    const json tests = json::parse(in);
    Counts counts;
    for (const auto& t : tests) {
      const std::string name = t.at("name").get<std::string>();
      bool unrepresentable = false;
      std::string problem;
      try {
        problem = serialisation ? run_serialisation_case(t, unrepresentable) : run_parse_case(t);
      } catch (const std::exception& e) {
        problem = std::string("exception: ") + e.what();
      }
      if (problem.empty()) {
        ++counts.passed;
        if (unrepresentable) ++counts.unrepresentable;
      } else if (t.value("can_fail", false)) {
        ++counts.tolerated;
        std::cout << "  tolerated (can_fail) " << file.filename().string() << ": " << name << ": "
                  << problem << "\n";
      } else {
        ++counts.failed;
        failures.push_back(file.filename().string() + ": " + name + ": " + problem);
      }
    }
    const fs::path shown =
        serialisation ? fs::path("serialisation-tests") / file.filename() : file.filename();
    std::cout << "  " << shown.string() << ": " << counts << "\n";
    total += counts;
  }
  return total;
}

TEST(SfvConformance, StructuredFieldTestsSuite) {
  ASSERT_TRUE(fs::is_directory(kSuiteDir)) << kSuiteDir;
  ASSERT_TRUE(fs::is_directory(kSuiteDir / "serialisation-tests")) << kSuiteDir;
  ASSERT_FALSE(json_files(kSuiteDir).empty());
  ASSERT_FALSE(json_files(kSuiteDir / "serialisation-tests").empty());

  std::vector<std::string> failures;
  std::cout << "structured-field-tests (parsing):\n";
  const Counts parsing = run_directory(kSuiteDir, false, failures);
  std::cout << " parsing total: " << parsing << "\n";
  std::cout << "structured-field-tests (serialisation):\n";
  const Counts serialisation = run_directory(kSuiteDir / "serialisation-tests", true, failures);
  std::cout << " serialisation total: " << serialisation << "\n";
  Counts all = parsing;
  all += serialisation;
  std::cout << "TOTAL: " << all << std::endl;

  EXPECT_GT(parsing.total(), 0);
  EXPECT_GT(serialisation.total(), 0);
  std::ostringstream list;
  for (const auto& f : failures) list << "  " << f << "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " failing case(s):\n" << list.str();
}

}  // namespace
}  // namespace wba::sfv

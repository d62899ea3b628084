// wba conformance: runs vector files of the webbotauth-conformance/1 format
// (testvectors/webbotauth/README.md) through the library and reports pass/fail per vector.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "commands.h"
#include "common.h"
#include "wba/encoding/base64.h"
#include "wba/http/target.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signature_fields.h"
#include "wba/sig/verifier.h"

namespace wba::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kConformanceHelp = R"(Usage: wba conformance [--verbose] PATH…

Runs conformance vectors (format "webbotauth-conformance/1", described in
testvectors/webbotauth/README.md) through the library. PATH is a vector file or a directory,
searched recursively for *.json files of that format (other JSON files there are skipped).
Each vector's verdict, reason, label, signature base and agent are compared with its
"expected" member. Prints "FAIL id: …" for each failure ("PASS id" too with --verbose) and
then a last line "N passed, M failed".
Exit 0: every vector passed; 1: some failed; 2: usage error, or a file or vector that cannot
be read or is malformed (named on stderr; the other vectors still run).
  --verbose   also print PASS lines and the files read
)";

constexpr std::string_view kFormat = "webbotauth-conformance/1";
constexpr std::string_view kFormatFamily = "webbotauth-conformance/";

// A vector that cannot be run as written: a bug in the vector, never a failed check.
Error malformed(const std::string& where, const std::string& what) {
  return Error(Reason::invalid_argument, where + ": " + what);
}

// ---------------------------------------------------------------------------------------------
// Checked access to the JSON of a vector: every shape error names the member.

Result<const json*> find_member(const json& obj, const std::string& where, const char* name,
                                bool required) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) return malformed(where, std::string("missing member \"") + name + "\"");
    return static_cast<const json*>(nullptr);
  }
  return &*it;
}

// "request.url" for a nested member, "profile" for one of the vector itself.
std::string member_path(const std::string& where, const char* name) {
  return where == "vector" ? std::string(name) : where + "." + name;
}

Result<std::string> string_member(const json& obj, const std::string& where, const char* name) {
  WBA_TRY(const json* v, find_member(obj, where, name, true));
  if (!v->is_string()) return malformed(member_path(where, name), "not a string");
  return v->get<std::string>();
}

Result<std::int64_t> as_int(const json& v, const std::string& where) {
  if (!v.is_number_integer()) return malformed(where, "not an integer");
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return malformed(where, "integer out of range");
  }
  return v.get<std::int64_t>();
}

Status only_members(const json& obj, const std::string& where,
                    std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      // A misspelt expectation or policy knob would otherwise be silently ignored.
      return malformed(where, "unknown member \"" + it.key() + "\"");
    }
  }
  return {};
}

Result<std::optional<std::string>> body_member(const json& obj, const std::string& where) {
  WBA_TRY(const json* b, find_member(obj, where, "body_b64", false));
  if (!b) return std::optional<std::string>();
  if (!b->is_string()) return malformed(where + ".body_b64", "not a string");
  auto bytes = base64_decode(b->get<std::string>());
  if (!bytes) return malformed(where + ".body_b64", "not base64");
  return std::optional<std::string>(std::move(bytes).value());
}

Result<http::Fields> header_list(const json& obj, const std::string& where) {
  WBA_TRY(const json* list, find_member(obj, where, "headers", true));
  if (!list->is_array()) return malformed(where + ".headers", "not an array");
  http::Fields fields;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& h = (*list)[i];
    if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string() ||
        h[0].get_ref<const std::string&>().empty()) {
      return malformed(where + ".headers[" + std::to_string(i) + "]",
                       "not a [name, value] pair of strings");
    }
    fields.add(h[0].get<std::string>(), h[1].get<std::string>());
  }
  return fields;
}

Result<http::Request> parse_request(const json& vector) {
  const std::string where = "request";
  WBA_TRY(const json* r, find_member(vector, "vector", "request", true));
  if (!r->is_object()) return malformed(where, "not an object");
  WBA_CHECK(only_members(*r, where, {"method", "url", "headers", "body_b64"}));
  http::Request req;
  WBA_TRY(req.method, string_member(*r, where, "method"));
  if (req.method.empty()) return malformed(where + ".method", "empty");
  WBA_TRY(std::string url, string_member(*r, where, "url"));
  auto target = http::target_from_uri(url);
  if (!target) return malformed(where + ".url", target.error().detail);
  req.target = std::move(target).value();
  WBA_TRY(req.headers, header_list(*r, where));
  WBA_TRY(req.body, body_member(*r, where));
  return req;
}

Result<http::Response> parse_response(const json& r, http::Request request) {
  const std::string where = "response";
  if (!r.is_object()) return malformed(where, "not an object");
  WBA_CHECK(only_members(r, where, {"status", "headers", "body_b64"}));
  http::Response resp;
  WBA_TRY(const json* status, find_member(r, where, "status", true));
  WBA_TRY(std::int64_t code, as_int(*status, where + ".status"));
  if (code < 100 || code > 999) return malformed(where + ".status", "not an HTTP status code");
  resp.status = static_cast<int>(code);
  WBA_TRY(resp.headers, header_list(r, where));
  WBA_TRY(resp.body, body_member(r, where));
  resp.request = std::make_shared<const http::Request>(std::move(request));
  return resp;
}

// The stable reason codes by their wire names (Reason::ok is not a failure reason).
const std::map<std::string, Reason, std::less<>>& reasons_by_name() {
  static const std::map<std::string, Reason, std::less<>> m = [] {
    std::map<std::string, Reason, std::less<>> out;
    for (int i = 1; i < 256; ++i) {
      auto r = static_cast<Reason>(i);
      std::string_view name = to_string(r);
      if (name != to_string(static_cast<Reason>(-1))) out.emplace(std::string(name), r);
    }
    return out;
  }();
  return m;
}

// ---------------------------------------------------------------------------------------------
// A vector, parsed and checked before it runs.

enum class Profile { web_bot_auth, rfc9421 };

struct Expected {
  profile::Outcome verdict = profile::Outcome::verified;
  std::optional<Reason> reason;  // nullopt for verified
  std::optional<std::string> label;
  std::optional<std::string> signature_base;
  bool check_agent = false;
  std::optional<std::string> agent;  // nullopt: no Signature-Agent (JSON null)
};

struct Vector {
  Profile profile = Profile::web_bot_auth;
  http::Message message;
  profile::ProfilePolicy policy;  // web-bot-auth
  sig::VerifyOptions options;     // rfc9421
  std::vector<VerifyingKey> trusted;
  std::vector<std::pair<std::string, VerifyingKey>> directory_keys;  // (directory URL, key)
  Expected expected;
};

Status parse_policy(const json& vector, Vector& v) {
  WBA_TRY(const json* p, find_member(vector, "vector", "policy", false));
  if (!p) return {};
  if (!p->is_object()) return malformed("policy", "not an object");
  for (auto it = p->begin(); it != p->end(); ++it) {
    const std::string& k = it.key();
    const json& value = it.value();
    const std::string where = "policy." + k;
    auto flag = [&](bool& out) -> Status {
      if (v.profile != Profile::web_bot_auth) return malformed(where, "only for web-bot-auth");
      if (!value.is_boolean()) return malformed(where, "not a boolean");
      out = value.get<bool>();
      return {};
    };
    if (k == "label") {
      if (!value.is_string()) return malformed(where, "not a string");
      v.policy.label = v.options.label = value.get<std::string>();
    } else if (k == "max_clock_skew") {
      WBA_TRY(std::int64_t skew, as_int(value, where));
      if (skew < 0) return malformed(where, "negative");
      v.policy.max_clock_skew = v.options.max_clock_skew = skew;
    } else if (k == "max_lifetime") {
      if (v.profile != Profile::web_bot_auth) return malformed(where, "only for web-bot-auth");
      WBA_TRY(v.policy.max_lifetime, as_int(value, where));
      if (v.policy.max_lifetime < 1) return malformed(where, "not positive");
    } else if (k == "allow_test_keys") {
      WBA_CHECK(flag(v.policy.allow_test_keys));
    } else if (k == "require_nonce") {
      WBA_CHECK(flag(v.policy.require_nonce));
    } else if (k == "require_signature_agent") {
      WBA_CHECK(flag(v.policy.require_signature_agent));
    } else if (k == "allow_http_agent") {
      WBA_CHECK(flag(v.policy.agent_urls.allow_http));
    } else if (k == "accept_legacy_signature_agent") {
      WBA_CHECK(flag(v.policy.agent_urls.accept_legacy_string));
    } else if (k == "accept_jwks_uri_type") {
      WBA_CHECK(flag(v.policy.agent_urls.accept_jwks_uri_type));
    } else {
      return malformed(where, "unknown policy knob");
    }
  }
  return {};
}

Result<VerifyingKey> parse_jwk(const json& jwk, const std::string& where) {
  if (!jwk.is_object()) return malformed(where, "a JWK must be an object");
  auto key = VerifyingKey::from_jwk(jwk);
  if (!key) return malformed(where, key.error().message());
  return key;
}

Status parse_keys(const json& vector, Vector& v) {
  WBA_TRY(const json* keys, find_member(vector, "vector", "keys", false));
  if (!keys) return {};
  if (!keys->is_object()) return malformed("keys", "not an object");
  WBA_CHECK(only_members(*keys, "keys", {"trusted", "directories"}));
  if (auto it = keys->find("trusted"); it != keys->end()) {
    if (!it->is_array()) return malformed("keys.trusted", "not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      WBA_TRY(auto key, parse_jwk((*it)[i], "keys.trusted[" + std::to_string(i) + "]"));
      v.trusted.push_back(std::move(key));
    }
  }
  if (auto it = keys->find("directories"); it != keys->end()) {
    // RFC 9421 has no agents: a directory could never be consulted.
    if (v.profile != Profile::web_bot_auth) {
      return malformed("keys.directories", "only for web-bot-auth");
    }
    if (!it->is_array()) return malformed("keys.directories", "not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string where = "keys.directories[" + std::to_string(i) + "]";
      const json& d = (*it)[i];
      if (!d.is_object()) return malformed(where, "not an object");
      WBA_CHECK(only_members(d, where, {"url", "jwks"}));
      WBA_TRY(std::string url, string_member(d, where, "url"));
      WBA_TRY(const json* jwks, find_member(d, where, "jwks", true));
      if (!jwks->is_object() || !jwks->contains("keys") || !(*jwks)["keys"].is_array()) {
        return malformed(where + ".jwks", "not a JWK Set ({\"keys\": [...]})");
      }
      const json& list = (*jwks)["keys"];
      for (std::size_t j = 0; j < list.size(); ++j) {
        WBA_TRY(auto key, parse_jwk(list[j], where + ".jwks.keys[" + std::to_string(j) + "]"));
        v.directory_keys.emplace_back(url, std::move(key));
      }
    }
  }
  return {};
}

Status parse_expected(const json& vector, Vector& v) {
  WBA_TRY(const json* e, find_member(vector, "vector", "expected", true));
  if (!e->is_object()) return malformed("expected", "not an object");
  WBA_CHECK(
      only_members(*e, "expected", {"verdict", "reason", "label", "signature_base", "agent"}));
  Expected& x = v.expected;
  WBA_TRY(std::string verdict, string_member(*e, "expected", "verdict"));
  if (verdict == "verified") {
    x.verdict = profile::Outcome::verified;
  } else if (verdict == "invalid") {
    x.verdict = profile::Outcome::invalid;
  } else if (verdict == "unverified") {
    x.verdict = profile::Outcome::unverified;
  } else {
    return malformed("expected.verdict", "not verified, invalid or unverified");
  }
  WBA_TRY(const json* reason, find_member(*e, "expected", "reason", true));
  if (reason->is_string()) {
    auto it = reasons_by_name().find(reason->get_ref<const std::string&>());
    if (it == reasons_by_name().end()) {
      return malformed("expected.reason", "unknown reason \"" + reason->get<std::string>() + "\"");
    }
    x.reason = it->second;
  } else if (!reason->is_null()) {
    return malformed("expected.reason", "not a string or null");
  }
  if (x.reason.has_value() == (x.verdict == profile::Outcome::verified)) {
    return malformed("expected.reason", "must be null exactly when the verdict is verified");
  }
  if (auto it = e->find("label"); it != e->end()) {
    if (!it->is_string()) return malformed("expected.label", "not a string");
    x.label = it->get<std::string>();
  }
  if (auto it = e->find("signature_base"); it != e->end()) {
    if (!it->is_string()) return malformed("expected.signature_base", "not a string");
    if (!x.label) return malformed("expected.signature_base", "needs expected.label");
    x.signature_base = it->get<std::string>();
  }
  if (auto it = e->find("agent"); it != e->end()) {
    if (v.profile != Profile::web_bot_auth || x.verdict != profile::Outcome::verified) {
      return malformed("expected.agent", "only for verified web-bot-auth vectors");
    }
    if (!it->is_string() && !it->is_null())
      return malformed("expected.agent", "not a string or null");
    x.check_agent = true;
    if (it->is_string()) x.agent = it->get<std::string>();
  }
  return {};
}

Result<Vector> parse_vector(const json& j) {
  Vector v;
  WBA_TRY(std::string profile_name, string_member(j, "vector", "profile"));
  if (profile_name == "web-bot-auth") {
    v.profile = Profile::web_bot_auth;
  } else if (profile_name == "rfc9421") {
    v.profile = Profile::rfc9421;
  } else {
    return malformed("profile", "unknown profile \"" + profile_name + "\" (web-bot-auth, rfc9421)");
  }
  WBA_TRY(http::Request request, parse_request(j));
  WBA_TRY(const json* response, find_member(j, "vector", "response", false));
  if (response) {
    if (v.profile != Profile::rfc9421) return malformed("response", "only for rfc9421");
    WBA_TRY(v.message, parse_response(*response, std::move(request)));
  } else {
    v.message = std::move(request);
  }
  WBA_TRY(const json* now, find_member(j, "vector", "now", true));
  WBA_TRY(std::int64_t t, as_int(*now, "now"));
  v.policy.now = v.options.now = t;
  WBA_CHECK(parse_policy(j, v));
  WBA_CHECK(parse_keys(j, v));
  WBA_CHECK(parse_expected(j, v));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Running a vector

struct Actual {
  Reason reason = Reason::ok;
  std::string detail;
  std::string label;                 // of the verified signature
  std::optional<std::string> agent;  // of a verified web-bot-auth signature
};

Actual run(const Vector& v) {
  Actual out;
  if (v.profile == Profile::rfc9421) {
    sig::Verifier verifier(sig::key_set_lookup(v.trusted), v.options);
    auto verified = verifier.verify(v.message);
    if (!verified) {
      out.reason = verified.reason();
      out.detail = verified.error().detail;
    } else {
      out.label = verified->label();
    }
    return out;
  }
  // Keys are found by (directory URL, thumbprint) as a directory cache would serve them, then
  // among the keys trusted for any agent: never by keyid alone (draft §5.4).
  auto lookup = [&v](const profile::KeyQuery& q) -> Result<VerifyingKey> {
    if (q.agent) {
      for (const auto& [url, key] : v.directory_keys) {
        if (url == q.agent->directory_url && key.thumbprint() == q.keyid) return key;
      }
    }
    for (const auto& key : v.trusted) {
      if (key.thumbprint() == q.keyid) return key;
    }
    return Error(Reason::key_not_found,
                 "no key \"" + q.keyid + "\"" +
                     (q.agent ? " under " + q.agent->directory_url : std::string()));
  };
  auto verdict = profile::ProfileVerifier(v.policy).verify(v.message, lookup);
  if (!verdict) {
    out.reason = verdict.reason();
    out.detail = verdict.error().detail;
  } else {
    out.label = verdict->signature.label();
    if (verdict->agent) out.agent = verdict->agent->agent_url;
  }
  return out;
}

// The base our library builds for `label` from the message as received.
Result<std::string> base_of(const http::Message& message, const std::string& label) {
  WBA_TRY(auto entries, sig::parse_signature_entries(message));
  for (const auto& e : entries) {
    if (e.label != label) continue;
    if (!e.signature) return e.signature.error();
    return sig::signature_base(message, e.signature->params);
  }
  return Error(Reason::unknown_label, "no signature labelled '" + label + "'");
}

std::string quoted(const std::string& s) { return json(s).dump(); }

std::string describe(profile::Outcome verdict, std::optional<Reason> reason) {
  std::string out(profile::to_string(verdict));
  if (reason) out += " (" + std::string(to_string(*reason)) + ")";
  return out;
}

// Where two bases first differ, as "line N: expected …, got …".
std::string base_difference(const std::string& expected, const std::string& actual) {
  std::size_t line = 1, start = 0;
  std::size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) {
    if (expected[i] == '\n') ++line, start = i + 1;
    ++i;
  }
  auto line_at = [start](const std::string& s) {
    std::size_t end = s.find('\n', start);
    return start > s.size() ? std::string() : s.substr(start, end - start);
  };
  return "line " + std::to_string(line) + ": expected " + quoted(line_at(expected)) + ", got " +
         quoted(line_at(actual));
}

// Every mismatch between the vector's expectation and what the library did; empty = pass.
std::vector<std::string> compare(const Vector& v, const Actual& a) {
  std::vector<std::string> problems;
  const Expected& e = v.expected;
  const profile::Outcome verdict = profile::outcome_of(a.reason);
  const std::optional<Reason> reason =
      a.reason == Reason::ok ? std::nullopt : std::optional<Reason>(a.reason);
  if (verdict != e.verdict || reason != e.reason) {
    problems.push_back("expected " + describe(e.verdict, e.reason) + ", got " +
                       describe(verdict, reason) + (a.detail.empty() ? "" : ": " + a.detail));
  }
  if (verdict == profile::Outcome::verified && e.verdict == profile::Outcome::verified) {
    if (e.label && a.label != *e.label) {
      problems.push_back("expected label " + quoted(*e.label) + ", got " + quoted(a.label));
    }
    if (e.check_agent && a.agent != e.agent) {
      problems.push_back("expected agent " + (e.agent ? quoted(*e.agent) : "null") + ", got " +
                         (a.agent ? quoted(*a.agent) : "null"));
    }
  }
  if (e.signature_base) {
    auto base = base_of(v.message, *e.label);
    if (!base) {
      problems.push_back("expected a signature base for " + quoted(*e.label) + ", got none (" +
                         base.error().message() + ")");
    } else if (*base != *e.signature_base) {
      problems.push_back("signature_base differs at " + base_difference(*e.signature_base, *base));
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Files

struct Tally {
  int passed = 0;
  int failed = 0;
  bool malformed = false;
};

void report_malformed(Tally& t, const std::string& file, const std::string& message) {
  std::cerr << "wba conformance: " << file << ": " << message << "\n";
  t.malformed = true;
}

// Runs one parsed vector file. `explicit_file`: named on the command line, so a file of another
// format is an error rather than skipped.
void run_file(const std::string& path, bool explicit_file, bool verbose, Tally& t) {
  auto text = read_file(path);
  if (!text) return report_malformed(t, path, text.error().detail);
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return report_malformed(t, path, "not valid JSON");
  const json* format = doc.is_object() && doc.contains("format") ? &doc["format"] : nullptr;
  const bool ours = format && format->is_string() &&
                    format->get_ref<const std::string&>().rfind(kFormatFamily, 0) == 0;
  if (!ours) {
    if (explicit_file) {
      report_malformed(t, path,
                       "not a vector file (\"format\" is not \"" + std::string(kFormat) + "\")");
    } else if (verbose) {
      std::cout << "# skipped " << path << " (not a conformance vector file)\n";
    }
    return;
  }
  if (format->get_ref<const std::string&>() != kFormat) {
    return report_malformed(t, path,
                            "unsupported format " + format->dump() + " (this wba reads \"" +
                                std::string(kFormat) + "\")");
  }
  if (!doc.contains("vectors") || !doc["vectors"].is_array()) {
    return report_malformed(t, path, "\"vectors\" is not an array");
  }
  const json& vectors = doc["vectors"];
  if (verbose) std::cout << "# " << path << " (" << vectors.size() << " vectors)\n";
  std::set<std::string> ids;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const json& j = vectors[i];
    std::string name = "vector " + std::to_string(i);
    if (j.is_object() && j.contains("id") && j["id"].is_string()) {
      name = "vector '" + j["id"].get<std::string>() + "'";
    }
    auto fail_malformed = [&](const std::string& what) {
      report_malformed(t, path, name + ": " + what);
      ++t.failed;
    };
    if (!j.is_object()) {
      fail_malformed("not an object");
      continue;
    }
    if (!j.contains("id") || !j["id"].is_string() ||
        j["id"].get_ref<const std::string&>().empty()) {
      fail_malformed("no \"id\" string");
      continue;
    }
    const std::string id = j["id"].get<std::string>();
    if (!ids.insert(id).second) {
      fail_malformed("duplicate id");
      continue;
    }
    Result<Vector> vector = Error(Reason::invalid_argument);
    try {
      vector = parse_vector(j);
    } catch (const json::exception& e) {
      // The accessors check every type first; this only guards against a shape they missed.
      vector = malformed("vector", e.what());
    }
    if (!vector) {
      fail_malformed(vector.error().detail);
      continue;
    }
    auto problems = compare(*vector, run(*vector));
    if (problems.empty()) {
      ++t.passed;
      if (verbose) std::cout << "PASS " << id << "\n";
      continue;
    }
    ++t.failed;
    std::cout << "FAIL " << id << ":";
    for (std::size_t k = 0; k < problems.size(); ++k) {
      std::cout << (k ? "; " : " ") << problems[k];
    }
    std::cout << "\n";
  }
}

void run_path(const std::string& path, bool verbose, Tally& t) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return report_malformed(t, path, "cannot read: " + (ec ? ec.message() : "no such file"));
  }
  if (!fs::is_directory(status)) return run_file(path, true, verbose, t);
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec) && it->path().extension() == ".json") {
      files.push_back(it->path().string());
    }
  }
  if (ec) return report_malformed(t, path, "cannot list: " + ec.message());
  // Directory order is unspecified; sorted output is comparable between runs and machines.
  std::sort(files.begin(), files.end());
  for (const auto& f : files) run_file(f, false, verbose, t);
}

}  // namespace

int cmd_conformance(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({}, {"verbose"}); !s) return usage_error("conformance", s.error().detail);
  if (args.has("help")) return std::cout << kConformanceHelp, kExitOk;
  if (args.positional().empty()) {
    return usage_error("conformance", "give at least one vector file or directory");
  }
  const bool verbose = args.has("verbose");
  Tally t;
  for (const auto& path : args.positional()) run_path(path, verbose, t);
  std::cout << t.passed << " passed, " << t.failed << " failed\n";
  if (t.malformed) return kExitUsage;
  return t.failed == 0 ? kExitOk : kExitInvalid;
}

}  // namespace wba::cli

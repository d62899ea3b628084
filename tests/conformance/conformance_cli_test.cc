// `wba conformance` as a contract: the published vectors all pass and are all counted, a wrong
// expectation is a FAIL (exit 1), and a broken file or vector is named on stderr (exit 2)
// without stopping the other vectors or crashing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "support/vectors.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Invocation {
  int code = -1;
  std::string out;
  std::string err;
};

std::string last_line(const std::string& out) {
  std::string s = out;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

class Conformance : public ::testing::Test {
 protected:
  fs::path dir;

  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("wba-conformance-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string write(const std::string& name, const json& doc) { return write(name, doc.dump(2)); }

  static std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  Invocation wba(const std::vector<std::string>& args) {
    std::string cmd = quote(WBA_CLI_PATH) + " conformance";
    for (const auto& a : args) cmd += " " + quote(a);
    const fs::path err = dir / "stderr.txt";
    cmd += " 2>" + quote(err.string());
    Invocation r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = wba::testing::read_text(err);
    return r;
  }
};

// One published vector (Ed25519, dictionary Signature-Agent) that passes as is.
json good_vector() {
  const json doc = wba::testing::load_vectors("webbotauth/draft-appendix-e.json");
  for (const auto& v : doc.at("vectors")) {
    if (v.at("id") == "draft-E.2.1-ed25519-dict") return v;
  }
  ADD_FAILURE() << "draft-E.2.1-ed25519-dict not found";
  return json::object();
}

json file_of(std::vector<json> vectors) {
  return {{"format", "webbotauth-conformance/1"},
          {"description", "test"},
          {"source", "conformance_cli_test"},
          {"vectors", vectors}};
}

TEST_F(Conformance, PublishedVectorsAllPassAndAllAreCounted) {
  const fs::path published = fs::path(WBA_TESTVECTOR_DIR) / "webbotauth";
  std::size_t total = 0;
  for (const auto& e : fs::directory_iterator(published)) {
    if (e.path().extension() != ".json") continue;
    const json doc = json::parse(wba::testing::read_text(e.path()));
    EXPECT_EQ(doc.at("format"), "webbotauth-conformance/1") << e.path();
    total += doc.at("vectors").size();
  }
  ASSERT_GT(total, 300u);
  Invocation r = wba({published.string()});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), std::to_string(total) + " passed, 0 failed");
  EXPECT_EQ(r.out.find("FAIL "), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(Conformance, VerbosePrintsPassLines) {
  const std::string f = write("one.json", file_of({good_vector()}));
  Invocation r = wba({"--verbose", f});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nPASS draft-E.2.1-ed25519-dict\n"), std::string::npos) << r.out;
  EXPECT_EQ(last_line(r.out), "1 passed, 0 failed");
  // Without --verbose only the summary.
  r = wba({f});
  EXPECT_EQ(r.out, "1 passed, 0 failed\n");
}

TEST_F(Conformance, WrongVerdictIsAFailure) {
  json v = good_vector();
  v["expected"] = {{"verdict", "invalid"}, {"reason", "bad_signature"}};
  json ok = good_vector();
  ok["id"] = "still-good";
  Invocation r = wba({write("wrong.json", file_of({v, ok}))});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("FAIL draft-E.2.1-ed25519-dict: expected invalid (bad_signature), got "
                       "verified\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(last_line(r.out), "1 passed, 1 failed");
  EXPECT_EQ(r.err, "");
}

TEST_F(Conformance, WrongReasonShowsTheLibrarysDetail) {
  json v = good_vector();
  v["now"] = 4889289600;  // its expires: the library says expired
  v["expected"] = {{"verdict", "invalid"}, {"reason", "not_yet_valid"}};
  Invocation r = wba({write("wrong.json", file_of({v}))});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("expected invalid (not_yet_valid), got invalid (expired): "),
            std::string::npos)
      << r.out;
}

TEST_F(Conformance, WrongBaseLabelAndAgentAreFailures) {
  json v = good_vector();
  std::string base = v["expected"]["signature_base"];
  base.replace(base.find("example.com"), 11, "example.net");
  v["expected"]["signature_base"] = base;
  v["expected"]["agent"] = "https://elsewhere.test";
  Invocation r = wba({write("wrong.json", file_of({v}))});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("expected agent \"https://elsewhere.test\", got "
                       "\"https://signature-agent.test\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("signature_base differs at line 1: expected \"\\\"@authority\\\": "
                       "example.net\", got \"\\\"@authority\\\": example.com\""),
            std::string::npos)
      << r.out;

  json l = good_vector();
  l["expected"]["label"] = "sig1";
  r = wba({write("label.json", file_of({l}))});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("expected label \"sig1\", got \"sig2\""), std::string::npos) << r.out;
}

TEST_F(Conformance, BrokenJsonExits2NamingTheFile) {
  const std::string f = write("broken.json", std::string("{\"format\": \"webbotauth-"));
  Invocation r = wba({f});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(f + ": not valid JSON"), std::string::npos) << r.err;
  EXPECT_EQ(last_line(r.out), "0 passed, 0 failed");
}

TEST_F(Conformance, BrokenFileInADirectoryDoesNotStopTheOthers) {
  write("a/good.json", file_of({good_vector()}));
  write("b/broken.json", std::string("[1, 2"));
  write("c/other.json", json{{"not", "a vector file"}});  // other JSON is skipped
  Invocation r = wba({dir.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("broken.json: not valid JSON"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("other.json"), std::string::npos) << r.err;
  EXPECT_EQ(last_line(r.out), "1 passed, 0 failed");
}

TEST_F(Conformance, FilesOfOtherFormats) {
  Invocation r =
      wba({write("other.json", json{{"format", "something-else/1"}, {"vectors", json::array()}})});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a vector file"), std::string::npos) << r.err;

  json next = file_of({good_vector()});
  next["format"] = "webbotauth-conformance/2";
  r = wba({write("next.json", next)});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unsupported format \"webbotauth-conformance/2\""), std::string::npos)
      << r.err;

  json no_vectors = file_of({});
  no_vectors["vectors"] = "none";
  r = wba({write("no-vectors.json", no_vectors)});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("\"vectors\" is not an array"), std::string::npos) << r.err;

  r = wba({(dir / "does-not-exist.json").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("does-not-exist.json: cannot read"), std::string::npos) << r.err;
}

// Each broken vector sits next to a good one: exit 2, the file, the vector and the member are
// named, and the good vector still runs.
TEST_F(Conformance, MalformedVectorsExit2AndNameTheProblem) {
  struct Case {
    const char* what;
    std::function<void(json&)> brk;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"no request", [](json& v) { v.erase("request"); }, "missing member \"request\""},
      {"request not an object", [](json& v) { v["request"] = "GET /"; }, "request: not an object"},
      {"relative url", [](json& v) { v["request"]["url"] = "/x"; }, "request.url: "},
      {"header not a pair", [](json& v) { v["request"]["headers"][0] = json::array({"Host"}); },
       "request.headers[0]: not a [name, value] pair"},
      {"header value not a string", [](json& v) { v["request"]["headers"][1][1] = 7; },
       "request.headers[1]: not a [name, value] pair"},
      {"body not base64", [](json& v) { v["request"]["body_b64"] = "!!"; },
       "request.body_b64: not base64"},
      {"now a string", [](json& v) { v["now"] = "1735689660"; }, "now: not an integer"},
      {"now too large", [](json& v) { v["now"] = 18446744073709551615ull; },
       "now: integer out of range"},
      {"no now", [](json& v) { v.erase("now"); }, "missing member \"now\""},
      {"unknown profile", [](json& v) { v["profile"] = "web-bot-auth-99"; }, "unknown profile"},
      {"unknown knob", [](json& v) { v["policy"]["allow_everything"] = true; },
       "policy.allow_everything: unknown policy knob"},
      {"knob type", [](json& v) { v["policy"]["allow_test_keys"] = "yes"; },
       "policy.allow_test_keys: not a boolean"},
      {"lifetime zero", [](json& v) { v["policy"]["max_lifetime"] = 0; },
       "policy.max_lifetime: not positive"},
      {"negative skew", [](json& v) { v["policy"]["max_clock_skew"] = -1; },
       "policy.max_clock_skew: negative"},
      {"knob for rfc9421",
       [](json& v) {
         v["profile"] = "rfc9421";
         v["keys"] = {{"trusted", json::array()}};
         v["policy"] = {{"require_nonce", true}};
       },
       "policy.require_nonce: only for web-bot-auth"},
      {"bad JWK",
       [](json& v) {
         v["keys"] = {{"trusted", {{{"kty", "OKP"}}}}};
       },
       "keys.trusted[0]: invalid_key"},
      {"JWKS not a set", [](json& v) { v["keys"]["directories"][0]["jwks"] = json::array(); },
       "keys.directories[0].jwks: not a JWK Set"},
      {"unknown keys member", [](json& v) { v["keys"]["pinned"] = json::array(); },
       "keys: unknown member \"pinned\""},
      {"directories for rfc9421",
       [](json& v) {
         v["profile"] = "rfc9421";
         v["policy"] = json::object();
       },
       "keys.directories: only for web-bot-auth"},
      {"response for web-bot-auth",
       [](json& v) {
         v["response"] = {{"status", 200}, {"headers", json::array()}};
       },
       "response: only for rfc9421"},
      {"bad status",
       [](json& v) {
         v["profile"] = "rfc9421";
         v.erase("keys");
         v["expected"].erase("agent");
         v["response"] = {{"status", 20}, {"headers", json::array()}};
       },
       "response.status: not an HTTP status code"},
      {"unknown verdict", [](json& v) { v["expected"]["verdict"] = "ok"; }, "expected.verdict"},
      {"unknown reason",
       [](json& v) {
         v["expected"] = {{"verdict", "invalid"}, {"reason", "signature-mismatch"}};
       },
       "expected.reason: unknown reason \"signature-mismatch\""},
      {"verified with a reason", [](json& v) { v["expected"]["reason"] = "bad_signature"; },
       "must be null exactly when the verdict is verified"},
      {"no reason member", [](json& v) { v["expected"].erase("reason"); },
       "missing member \"reason\""},
      {"base without label", [](json& v) { v["expected"].erase("label"); },
       "expected.signature_base: needs expected.label"},
      {"misspelt expectation",
       [](json& v) { v["expected"]["signature-base"] = v["expected"]["signature_base"]; },
       "expected: unknown member \"signature-base\""},
      {"agent on a failure",
       [](json& v) {
         v["expected"]["verdict"] = "invalid";
         v["expected"]["reason"] = "bad_signature";
       },
       "expected.agent: only for verified web-bot-auth vectors"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json broken = good_vector();
    broken["id"] = "broken";
    c.brk(broken);
    const std::string f = write("malformed.json", file_of({good_vector(), broken}));
    Invocation r = wba({f});
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(f + ": vector 'broken': "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(last_line(r.out), "1 passed, 1 failed") << r.out;
  }
}

TEST_F(Conformance, MalformedVectorShapes) {
  json dup = good_vector();
  Invocation r = wba({write("dup.json", file_of({good_vector(), dup}))});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vector 'draft-E.2.1-ed25519-dict': duplicate id"), std::string::npos)
      << r.err;

  r = wba({write("shapes.json", file_of({good_vector(), 42, json{{"profile", "rfc9421"}}}))});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vector 1: not an object"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vector 2: no \"id\" string"), std::string::npos) << r.err;
  EXPECT_EQ(last_line(r.out), "1 passed, 2 failed");
}

TEST_F(Conformance, MalformedWinsOverFailed) {
  json wrong = good_vector();
  wrong["id"] = "wrong";
  wrong["expected"] = {{"verdict", "unverified"}, {"reason", "key_not_found"}};
  json broken = good_vector();
  broken["id"] = "broken";
  broken.erase("expected");
  Invocation r = wba({write("mixed.json", file_of({wrong, broken}))});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("FAIL wrong: expected unverified (key_not_found), got verified"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(last_line(r.out), "0 passed, 2 failed");
}

TEST_F(Conformance, UsageErrors) {
  Invocation r = wba({});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("wba conformance: give at least one vector file or directory"),
            std::string::npos)
      << r.err;
  r = wba({"--fast", "x.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown option --fast"), std::string::npos) << r.err;
  r = wba({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage: wba conformance"), std::string::npos);
}

}  // namespace

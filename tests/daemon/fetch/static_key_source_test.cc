// StaticKeySource: `--trust URL=JWKS_FILE` parsing, URL matching by agent or directory URL,
// authority of a pinned entry, fallback to the fetcher, and keys bound to their URL.
#include "keys/static_key_source.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "fetch_test_util.h"

namespace wbad {
namespace {

using testing::Answers;
using testing::new_key;
using testing::query_for;
using wba::Reason;

// A KeySource that records what reached it.
class RecordingSource : public KeySource {
 public:
  void find_key(const wba::profile::KeyQuery& query, KeyCallback done) override {
    queries.push_back(query);
    done(wba::Error(Reason::directory_unavailable, "fallback reached"));
  }
  std::vector<wba::profile::KeyQuery> queries;
};

std::string jwks_of(const std::vector<wba::SigningKey>& keys) {
  return wba::directory::directory_body(testing::public_keys(keys)).value();
}

wba::Result<wba::VerifyingKey> ask(KeySource& src, const wba::profile::KeyQuery& q) {
  Answers answers;
  src.find_key(q, answers.callback());
  EXPECT_EQ(answers.size(), 1u);
  return answers.size() == 1 ? answers.at(0) : wba::Error(Reason::invalid_argument, "none");
}

TEST(TrustSpec, Parse) {
  auto s = parse_trust_spec("https://agent.example=/etc/wbad/agent.jwks").value();
  EXPECT_EQ(s.url, "https://agent.example");
  EXPECT_EQ(s.jwks_path, "/etc/wbad/agent.jwks");
  // Split at the last '=': a query in the URL survives.
  auto q = parse_trust_spec("https://agent.example/keys?v=2=keys.json").value();
  EXPECT_EQ(q.url, "https://agent.example/keys?v=2");
  EXPECT_EQ(q.jwks_path, "keys.json");
  for (const char* bad : {"", "https://agent.example", "=file", "https://agent.example="}) {
    EXPECT_EQ(parse_trust_spec(bad).reason(), Reason::invalid_argument) << bad;
  }
}

TEST(TrustedDirectory, Make) {
  auto a = new_key();
  auto t = make_trusted_directory("https://Agent.Example/", jwks_of({a})).value();
  EXPECT_EQ(t.agent_url, "https://agent.example");
  EXPECT_EQ(t.directory_url, "https://agent.example/.well-known/http-message-signatures-directory");
  EXPECT_EQ(t.keys.keys().size(), 1u);
  EXPECT_EQ(make_trusted_directory("not a url", jwks_of({a})).reason(), Reason::invalid_argument);
  EXPECT_EQ(make_trusted_directory("https://a.example", "{").reason(), Reason::directory_invalid);
  EXPECT_EQ(make_trusted_directory("https://a.example", "{\"keys\":[]}").reason(),
            Reason::invalid_argument);
}

TEST(StaticKeySource, ServesTrustedKeysWithoutFetching) {
  auto a = new_key(), b = new_key();
  std::vector<TrustedDirectory> trusted;
  trusted.push_back(make_trusted_directory("https://agent.example", jwks_of({a})).value());
  auto fallback = std::make_shared<RecordingSource>();
  StaticKeySource src(std::move(trusted), fallback);

  // By agent URL, with or without the trailing slash, and by the well-known URL itself.
  EXPECT_TRUE(ask(src, query_for("https://agent.example", a.thumbprint())).ok());
  EXPECT_TRUE(ask(src, query_for("https://agent.example/", a.thumbprint())).ok());
  EXPECT_TRUE(
      ask(src, query_for("https://agent.example/.well-known/http-message-signatures-directory",
                         a.thumbprint()))
          .ok());
  // A pinned agent is authoritative: an unknown keyid is key_not_found, not a fetch.
  EXPECT_EQ(ask(src, query_for("https://agent.example", b.thumbprint())).reason(),
            Reason::key_not_found);
  EXPECT_TRUE(fallback->queries.empty());
  // Another agent goes to the fallback, even for a key trusted elsewhere (URL binding).
  EXPECT_EQ(ask(src, query_for("https://other.example", a.thumbprint())).reason(),
            Reason::directory_unavailable);
  ASSERT_EQ(fallback->queries.size(), 1u);
  EXPECT_EQ(fallback->queries[0].agent->agent_url, "https://other.example");
}

TEST(StaticKeySource, OptionalFallThroughForMissingKeys) {
  auto a = new_key(), b = new_key();
  std::vector<TrustedDirectory> trusted;
  trusted.push_back(make_trusted_directory("https://agent.example", jwks_of({a})).value());
  auto fallback = std::make_shared<RecordingSource>();
  StaticKeySourceOptions options;
  options.fall_through_on_missing_key = true;
  StaticKeySource src(std::move(trusted), fallback, options);
  EXPECT_TRUE(ask(src, query_for("https://agent.example", a.thumbprint())).ok());
  EXPECT_EQ(ask(src, query_for("https://agent.example", b.thumbprint())).reason(),
            Reason::directory_unavailable);
  EXPECT_EQ(fallback->queries.size(), 1u);
}

TEST(StaticKeySource, WithoutAgent) {
  auto a = new_key();
  std::vector<TrustedDirectory> trusted;
  trusted.push_back(make_trusted_directory("https://agent.example", jwks_of({a})).value());
  wba::profile::KeyQuery q{"sig1", a.thumbprint(), std::nullopt};
  StaticKeySource strict(trusted, nullptr);
  EXPECT_EQ(ask(strict, q).reason(), Reason::key_not_found);
  StaticKeySourceOptions options;
  options.match_without_agent = true;
  StaticKeySource lax(trusted, nullptr, options);
  EXPECT_TRUE(ask(lax, q).ok());
  EXPECT_EQ(lax.trusted().size(), 1u);
}

TEST(StaticKeySource, NoFallbackMeansKeyNotFound) {
  StaticKeySource src({}, nullptr);
  EXPECT_EQ(ask(src, query_for("https://agent.example", new_key().thumbprint())).reason(),
            Reason::key_not_found);
}

TEST(StaticKeySource, FromSpecsReadsFiles) {
  auto a = new_key();
  auto dir = std::filesystem::temp_directory_path() /
             ("wbad-trust-" + std::to_string(::getpid()) + "-" + a.thumbprint().substr(0, 8));
  std::filesystem::create_directories(dir);
  auto file = dir / "agent.jwks";
  std::ofstream(file) << jwks_of({a});
  auto metrics = std::make_shared<fetch::FetchMetrics>();
  auto src = StaticKeySource::from_specs({"https://agent.example=" + file.string()}, nullptr, {},
                                         fetch::Clock::real(), metrics)
                 .value();
  EXPECT_TRUE(ask(*src, query_for("https://agent.example", a.thumbprint())).ok());
  EXPECT_EQ(metrics->static_hit, 1u);
  auto missing =
      StaticKeySource::from_specs({"https://agent.example=" + (dir / "nope").string()}, nullptr);
  EXPECT_EQ(missing.reason(), Reason::io_error);
  EXPECT_EQ(StaticKeySource::from_specs({"no-equals-sign"}, nullptr).reason(),
            Reason::invalid_argument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wbad

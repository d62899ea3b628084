// Signature-Agent members of `type=cimd` (protocol -00 §5.5; registry-04 §3.1, §4.1, §5.2; CIMD
// §4): DirectoryKeySource fetches the Signature Agent Card at the member URL, checks it with
// parse_agent_card, and takes the keys inline (`jwks`) or from `jwks_uri`, whose keys count only
// with a valid directory response signature. Scripted transport and manual clock (card rules,
// caching, single-flight), then one run against a real HTTPS server through BeastTransport.
#include <atomic>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "fetch/beast_transport.h"
#include "fetch_test_util.h"
#include "keys/directory_key_source.h"
#include "test_directory_server.h"
#include "test_pki.h"
#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"

namespace wbad {
namespace {

using fetch::FetchError;
using fetch::FetchResult;
using nlohmann::json;
using std::chrono::seconds;
using testing::Answers;
using testing::directory_result;
using testing::error_result;
using testing::FakeTransport;
using testing::ManualClock;
using testing::new_key;
using testing::public_keys;
using testing::signed_directory_result;
using testing::status_result;
using wba::Reason;

const std::string kCard = "https://agent.example/bot";
const std::string kJwks = "https://keys.example/jwks.json";

// A KeyQuery for a `;type=cimd` member, resolved as the profile does when cards are accepted.
wba::profile::KeyQuery cimd_query(const std::string& card_url, const std::string& keyid) {
  wba::profile::AgentUrlPolicy policy;
  policy.accept_cimd_type = true;
  auto loc = wba::profile::resolve_agent(
      wba::profile::SignatureAgentMember{"sig1", card_url, wba::profile::MemberType::cimd, true},
      policy);
  EXPECT_TRUE(loc.ok()) << (loc.ok() ? "" : loc.error().message());
  return wba::profile::KeyQuery{"sig1", keyid, loc.ok() ? std::optional(*loc) : std::nullopt};
}

json jwks_of(const std::vector<wba::SigningKey>& keys) {
  return json::parse(wba::directory::directory_body(public_keys(keys)).value());
}

json card_with_jwks(const std::string& client_id, const std::vector<wba::SigningKey>& keys) {
  return {{"client_id", client_id}, {"client_name", "Example Bot"}, {"jwks", jwks_of(keys)}};
}

json card_with_jwks_uri(const std::string& client_id, const std::string& jwks_uri) {
  return {{"client_id", client_id},
          {"client_name", "Example Bot"},
          {"jwks_uri", jwks_uri},
          {"web_bot_auth", {{"trigger", "fetcher"}, {"purpose", "search"}}}};
}

FetchResult card_result(const json& card,
                        std::vector<std::pair<std::string, std::string>> fields = {}) {
  FetchResult r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  for (auto& [n, v] : fields) r.headers.add(n, v);
  r.body = card.dump();
  return r;
}

// Drops the proof of `label` from a signed directory response (Signature and Signature-Input
// are Dictionaries keyed by label), leaving that key unproven and the others proven.
FetchResult without_proof(FetchResult r, const std::string& label) {
  wba::http::Fields out;
  for (const auto& [name, value] : r.headers.lines()) {
    if (wba::http::iequals(name, "signature") || wba::http::iequals(name, "signature-input")) {
      auto dict = wba::sfv::parse_dictionary(value).value();
      dict.erase(label);
      out.add(name, wba::sfv::serialize(dict).value());
    } else {
      out.add(name, value);
    }
  }
  r.headers = std::move(out);
  return r;
}

class CimdCache : public ::testing::Test {
 protected:
  void SetUp() override { transport_ = std::make_shared<FakeTransport>(); }

  std::unique_ptr<DirectoryKeySource> make_source(DirectoryKeySourceConfig config = {},
                                                  fetch::OutboundConfig outbound = {}) {
    auto policy = std::make_shared<const fetch::OutboundPolicy>(
        fetch::OutboundPolicy::make(outbound).value());
    return std::make_unique<DirectoryKeySource>(transport_, policy, config, clock_.clock());
  }

  // Serves fixed results by URL (anything else: 404).
  void serve(std::map<std::string, FetchResult> by_url) {
    transport_->respond_with([by_url = std::move(by_url)](const fetch::FetchRequest& req) {
      auto it = by_url.find(req.url);
      return it != by_url.end() ? it->second : status_result(404);
    });
  }

  FetchResult signed_jwks(const std::vector<wba::SigningKey>& keys, std::int64_t max_age = 600,
                          const std::string& authority = "keys.example") {
    return signed_directory_result(keys, authority, clock_.unix_now(), max_age);
  }

  wba::Result<wba::VerifyingKey> lookup(DirectoryKeySource& src, const wba::SigningKey& key,
                                        const std::string& card = kCard) {
    Answers answers;
    src.find_key(cimd_query(card, key.thumbprint()), answers.callback());
    EXPECT_EQ(answers.size(), 1u) << "lookup did not complete inline";
    if (answers.size() != 1) return wba::Error(Reason::invalid_argument, "no answer");
    return answers.at(0);
  }

  void expect_key(const wba::Result<wba::VerifyingKey>& r, const wba::SigningKey& key) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->thumbprint(), key.thumbprint());
  }

  void expect_error(const wba::Result<wba::VerifyingKey>& r, Reason reason,
                    const std::string& in_detail) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.reason(), reason) << r.error().message();
    EXPECT_NE(r.error().detail.find(in_detail), std::string::npos) << r.error().message();
  }

  ManualClock clock_;
  std::shared_ptr<FakeTransport> transport_;
  wba::SigningKey key_a_ = new_key();
  wba::SigningKey key_b_ = new_key();
};

// -- where the keys are ---------------------------------------------------------------------------

TEST_F(CimdCache, InlineJwksCard) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}))}});
  expect_key(lookup(*src, key_a_), key_a_);
  ASSERT_EQ(transport_->count(), 1u);
  EXPECT_EQ(transport_->last_request().url, kCard);
  // A card is JSON, asked for as such.
  const auto request = transport_->last_request();  // values() are views into it
  auto accept = request.headers.values("accept");
  ASSERT_EQ(accept.size(), 1u);
  EXPECT_EQ(accept.front(), "application/json");
  // A key the card does not list.
  expect_error(lookup(*src, key_b_), Reason::key_not_found, "agent card " + kCard);
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(src->metrics().fetch_ok, 1u);
}

TEST_F(CimdCache, JwksUriCardWithSignedDirectory) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))},
         {kJwks, signed_jwks({key_a_, key_b_})}});
  expect_key(lookup(*src, key_a_), key_a_);
  expect_key(lookup(*src, key_b_), key_b_);
  EXPECT_EQ(transport_->count(), 2u);  // the card, then its jwks_uri
  EXPECT_EQ(transport_->last_request().url, kJwks);
  EXPECT_EQ(src->size(), 2u);
  EXPECT_EQ(src->metrics().fetch_ok, 2u);
  // Still (card URL, thumbprint): a key not in the set is not found, and no refetch happens
  // inside the unknown-keyid interval.
  expect_error(lookup(*src, new_key()), Reason::key_not_found, kJwks);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(CimdCache, JwksUriWithoutSignaturesIsRefused) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))},
         {kJwks, directory_result({key_a_})}});
  auto r = lookup(*src, key_a_);
  expect_error(r, Reason::directory_signature_invalid, "no valid directory response signature");
  EXPECT_NE(r.error().detail.find("agent card " + kCard), std::string::npos) << r.error().detail;
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(CimdCache, OnlyProvenKeysOfAJwksUriCount) {
  // registry-04 §5.2: "ignore keys that do not carry a corresponding valid signature".
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))},
         {kJwks, without_proof(signed_jwks({key_a_, key_b_}), "binding2")}});
  expect_key(lookup(*src, key_a_), key_a_);
  expect_error(lookup(*src, key_b_), Reason::directory_signature_invalid,
               "no valid directory response signature");
}

TEST_F(CimdCache, JwksUriSignedForAnotherAuthorityIsRefused) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))},
         {kJwks, signed_jwks({key_a_}, 600, "elsewhere.example")}});
  expect_error(lookup(*src, key_a_), Reason::directory_signature_invalid, "agent card " + kCard);
}

TEST_F(CimdCache, JwksUriEntryIsSharedWithPlainLookups) {
  // The same key set named directly by a `type=jwks_uri`-style member needs no proof (the
  // verifier fetched it itself, ietf-00 §5.5.3); through the card it does. One fetch serves both.
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))},
         {kJwks, directory_result({key_a_})}});
  Answers direct;
  src->find_key(testing::query_for(kJwks, key_a_.thumbprint()), direct.callback());
  ASSERT_EQ(direct.size(), 1u);
  expect_key(direct.at(0), key_a_);
  expect_error(lookup(*src, key_a_), Reason::directory_signature_invalid,
               "no valid directory response signature");
  EXPECT_EQ(transport_->count(), 2u);  // the JWKS once, the card once
}

TEST_F(CimdCache, CardWithoutKeysIsKeyNotFound) {
  auto src = make_source();
  serve({{kCard, card_result({{"client_id", kCard}, {"client_name", "Keyless"}})}});
  expect_error(lookup(*src, key_a_), Reason::key_not_found, "neither jwks nor jwks_uri");
}

// -- card checks ---------------------------------------------------------------------------------

TEST_F(CimdCache, ClientIdMustEqualTheCardUrl) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks("https://agent.example/other", {key_a_}))}});
  expect_error(lookup(*src, key_a_), Reason::directory_invalid, "client_id must match");
  EXPECT_EQ(src->metrics().fetch_invalid, 1u);
  // A card without client_id is refused too (registry-04 §3.1.1).
  auto src2 = make_source();
  serve({{kCard, card_result({{"jwks", jwks_of({key_a_})}})}});
  expect_error(lookup(*src2, key_a_), Reason::directory_invalid, "must carry client_id");
}

TEST_F(CimdCache, RedirectIsRefused) {
  auto src = make_source();
  serve({{kCard, status_result(302, {{"Location", "https://agent.example/bot2"}})},
         {"https://agent.example/bot2", card_result(card_with_jwks(kCard, {key_a_}))}});
  expect_error(lookup(*src, key_a_), Reason::directory_unavailable, "redirects are not followed");
  EXPECT_EQ(transport_->count(), 1u);  // the Location was never fetched
  EXPECT_EQ(src->metrics().fetch_http_status, 1u);
}

TEST_F(CimdCache, BothJwksAndJwksUriAreRefused) {
  auto src = make_source();
  json card = card_with_jwks_uri(kCard, kJwks);
  card["jwks"] = jwks_of({key_a_});
  serve({{kCard, card_result(card)}, {kJwks, signed_jwks({key_a_})}});
  expect_error(lookup(*src, key_a_), Reason::directory_invalid,
               "must not contain both jwks and jwks_uri");
  EXPECT_EQ(transport_->count(), 1u);  // the jwks_uri is not fetched
}

TEST_F(CimdCache, MalformedCardsAreDirectoryInvalid) {
  auto src = make_source();
  serve({{kCard, [] {
            FetchResult r = card_result(json::object());
            r.body = "{\"client_id\": ";
            return r;
          }()}});
  expect_error(lookup(*src, key_a_), Reason::directory_invalid, "invalid_agent_card");
  // jwks_uri must be https (registry-04 §3.1.2).
  auto src2 = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, "http://keys.example/jwks.json"))}});
  expect_error(lookup(*src2, key_a_), Reason::directory_invalid, "https");
  // Over the body limit.
  DirectoryKeySourceConfig small;
  small.checks.limits.max_body_bytes = 64;
  auto src3 = make_source(small);
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}))}});
  expect_error(lookup(*src3, key_a_), Reason::directory_invalid, "limit_exceeded");
}

TEST_F(CimdCache, CardFetchDownIsDirectoryUnavailableAndNegativelyCached) {
  auto src = make_source();
  transport_->respond_with([](const fetch::FetchRequest&) {
    return error_result(FetchError::connect_failed, "agent.example: connection refused");
  });
  expect_error(lookup(*src, key_a_), Reason::directory_unavailable, "connection refused");
  expect_error(lookup(*src, key_a_), Reason::directory_unavailable, "connection refused");
  EXPECT_EQ(transport_->count(), 1u);  // the failure is cached (never as a card)
  EXPECT_EQ(src->metrics().cache_negative_hit, 1u);
  // After the negative TTL (30 s) the card is fetched again and, now valid, used.
  clock_.advance(seconds(31));
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}))}});
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(CimdCache, JwksUriFetchDownIsDirectoryUnavailable) {
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, kJwks))}, {kJwks, status_result(503)}});
  auto r = lookup(*src, key_a_);
  expect_error(r, Reason::directory_unavailable, "status 503");
  EXPECT_NE(r.error().detail.find("agent card " + kCard), std::string::npos);
}

TEST_F(CimdCache, JwksUriGoesThroughTheOutboundPolicy) {
  // The card is attacker-controlled: its jwks_uri must not steer the daemon inward.
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks_uri(kCard, "https://10.0.0.7/jwks.json"))}});
  expect_error(lookup(*src, key_a_), Reason::directory_unavailable, "agent card " + kCard);
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(src->metrics().fetch_refused, 1u);
}

TEST_F(CimdCache, InvalidRefreshKeepsTheCardWithinStaleIfError) {
  // A refresh that yields an invalid card is a failed fetch: not cached, not evidence (§6.10).
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}), {{"Cache-Control", "max-age=60"}})}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(61));
  serve({{kCard, card_result(card_with_jwks("https://impostor.example/bot", {key_b_}))}});
  expect_key(lookup(*src, key_a_), key_a_);  // stale-if-error (default one day)
  EXPECT_EQ(transport_->count(), 2u);
  EXPECT_EQ(src->metrics().cache_stale_if_error, 1u);
  expect_error(lookup(*src, key_b_), Reason::directory_invalid, "client_id must match");
}

// -- caching --------------------------------------------------------------------------------------

TEST_F(CimdCache, CachedCardIsReusedWithoutRefetch) {
  auto src = make_source();
  serve(
      {{kCard, card_result(card_with_jwks_uri(kCard, kJwks), {{"Cache-Control", "max-age=1000"}})},
       {kJwks, signed_jwks({key_a_}, 300)}});
  for (int i = 0; i < 5; ++i) expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
  EXPECT_EQ(src->metrics().cache_fresh_hit, 8u);  // 4 lookups × (card + key set)
  // Each has its own HTTP freshness: the key set goes stale first and is fetched alone.
  clock_.advance(seconds(301));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 3u);
  EXPECT_EQ(transport_->last_request().url, kJwks);
  clock_.advance(seconds(100));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 3u);
  clock_.advance(seconds(600));  // 1001 s: the card is stale now (and the key set again)
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 5u);
}

TEST_F(CimdCache, CardRevalidatedWithEtag) {
  auto src = make_source();
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    if (req.headers.contains("if-none-match")) {
      return status_result(304, {{"ETag", "\"c1\""}, {"Cache-Control", "max-age=60"}});
    }
    return card_result(card_with_jwks(kCard, {key_a_}),
                       {{"ETag", "\"c1\""}, {"Cache-Control", "max-age=60"}});
  });
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(61));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
  const auto request = transport_->last_request();  // values() are views into it
  auto inm = request.headers.values("if-none-match");
  ASSERT_EQ(inm.size(), 1u);
  EXPECT_EQ(inm.front(), "\"c1\"");
  EXPECT_EQ(src->metrics().fetch_not_modified, 1u);
}

TEST_F(CimdCache, UnknownKeyidRefreshesTheJwksUriAtMostOncePerInterval) {
  auto src = make_source();
  std::atomic<int> version{1};
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    if (req.url == kCard) return card_result(card_with_jwks_uri(kCard, kJwks));
    return version == 1 ? signed_jwks({key_a_}) : signed_jwks({key_a_, key_b_});
  });
  expect_key(lookup(*src, key_a_), key_a_);
  version = 2;  // key_b published (rotation, §5.5.2)
  expect_error(lookup(*src, key_b_), Reason::key_not_found, kJwks);  // within the interval
  EXPECT_EQ(transport_->count(), 2u);
  clock_.advance(seconds(61));
  expect_key(lookup(*src, key_b_), key_b_);
  EXPECT_EQ(transport_->count(), 3u);  // the key set only; the card is still fresh
  EXPECT_EQ(transport_->last_request().url, kJwks);
  EXPECT_EQ(src->metrics().cache_unknown_keyid_refresh, 1u);
}

TEST_F(CimdCache, UnknownKeyidRefreshesAnInlineCardAtMostOncePerInterval) {
  auto src = make_source();
  std::atomic<int> version{1};
  transport_->respond_with([&](const fetch::FetchRequest&) {
    return card_result(
        card_with_jwks(kCard, version == 1 ? std::vector{key_a_} : std::vector{key_a_, key_b_}));
  });
  expect_key(lookup(*src, key_a_), key_a_);
  version = 2;
  expect_error(lookup(*src, key_b_), Reason::key_not_found, kCard);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(61));
  expect_key(lookup(*src, key_b_), key_b_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(CimdCache, KeysAreBoundToTheirCard) {
  // Two cards, two key sets: a key of one never answers for the other (§5.4).
  const std::string other = "https://other.example/bot";
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}))},
         {other, card_result(card_with_jwks(other, {key_b_}))}});
  expect_key(lookup(*src, key_a_), key_a_);
  expect_error(lookup(*src, key_a_, other), Reason::key_not_found, other);
  expect_key(lookup(*src, key_b_, other), key_b_);
}

TEST_F(CimdCache, CardAndDirectoryOfOneUrlDoNotMix) {
  // The same URL as a card and as a JWKS: separate entries, each checked as what it is.
  auto src = make_source();
  serve({{kCard, card_result(card_with_jwks(kCard, {key_a_}))}});
  expect_key(lookup(*src, key_a_), key_a_);
  Answers as_jwks;
  src->find_key(testing::query_for(kCard, key_a_.thumbprint()), as_jwks.callback());
  ASSERT_EQ(as_jwks.size(), 1u);
  EXPECT_EQ(as_jwks.at(0).reason(), Reason::directory_invalid);  // a card is no JWK Set
  EXPECT_EQ(src->size(), 2u);
  expect_key(lookup(*src, key_a_), key_a_);  // the card entry is untouched
  EXPECT_EQ(transport_->count(), 2u);
}

// -- single-flight --------------------------------------------------------------------------------

TEST_F(CimdCache, SingleFlightOneCardFetchAndOneJwksFetch) {
  auto src = make_source();
  transport_->hold();
  Answers answers;
  constexpr int kLookups = 16;
  for (int i = 0; i < kLookups; ++i) {
    src->find_key(cimd_query(kCard, (i % 2 ? key_a_ : key_b_).thumbprint()), answers.callback());
  }
  EXPECT_EQ(transport_->held(), 1u);  // the card
  EXPECT_EQ(src->metrics().cache_coalesced, static_cast<std::uint64_t>(kLookups - 1));
  transport_->complete_held(card_result(card_with_jwks_uri(kCard, kJwks)));
  EXPECT_EQ(answers.size(), 0u);
  EXPECT_EQ(transport_->held(), 1u);  // its jwks_uri, once for every waiter
  EXPECT_EQ(transport_->last_request().url, kJwks);
  transport_->complete_held(signed_jwks({key_a_, key_b_}));
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kLookups));
  for (int i = 0; i < kLookups; ++i) {
    ASSERT_TRUE(answers.at(i).ok()) << answers.at(i).error().message();
  }
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(CimdCache, SingleFlightAcrossThreads) {
  auto src = make_source();
  std::atomic<int> card_fetches{0}, jwks_fetches{0};
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // widen the race window
    if (req.url == kCard) {
      ++card_fetches;
      return card_result(card_with_jwks_uri(kCard, kJwks));
    }
    ++jwks_fetches;
    return signed_jwks({key_a_});
  });
  Answers answers;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&] { src->find_key(cimd_query(kCard, key_a_.thumbprint()), answers.callback()); });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(answers.wait_for(8));
  for (std::size_t i = 0; i < 8; ++i) ASSERT_TRUE(answers.at(i).ok());
  EXPECT_EQ(card_fetches, 1);
  EXPECT_EQ(jwks_fetches, 1);
}

TEST_F(CimdCache, SingleFlightCardFailureReachesEveryWaiter) {
  auto src = make_source();
  transport_->hold();
  Answers answers;
  for (int i = 0; i < 4; ++i) {
    src->find_key(cimd_query(kCard, key_a_.thumbprint()), answers.callback());
  }
  transport_->complete_held(status_result(500));
  ASSERT_EQ(answers.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(answers.at(i).reason(), Reason::directory_unavailable);
  }
  EXPECT_EQ(transport_->count(), 1u);
}

// -- end to end: BeastTransport and a real HTTPS server ------------------------------------------

TEST(CimdFetch, CardAndSignedJwksUriOverHttps) {
  namespace asio = boost::asio;
  testing::TestPki pki = testing::make_test_pki({"agent.test"}, {"127.0.0.1"});
  testing::TestDirectoryServer server(pki);
  const std::string authority = "agent.test:" + std::to_string(server.port());
  const std::string card_url = "https://" + authority + "/bot";
  const std::string jwks_url = "https://" + authority + "/keys/jwks.json";
  ManualClock clock;
  auto key = new_key();
  // By value: the server thread may outlive this scope's locals by a few instructions.
  server.set_handler([card_url, jwks_url, authority, clock, key](const testing::SeenRequest& r) {
    testing::ScriptedResponse out;
    if (r.target == "/bot") {
      out.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "max-age=300"}};
      out.body = card_with_jwks_uri(card_url, jwks_url).dump();
    } else if (r.target == "/keys/jwks.json") {
      wba::directory::ServeOptions so;
      so.created = clock.unix_now();
      so.max_age = 300;
      auto resp = wba::directory::make_directory_response({key}, authority, so).value();
      for (const auto& [n, v] : resp.headers.lines()) out.headers.emplace_back(n, v);
      out.body = resp.body.value_or("");
    } else {
      out.status = 404;
    }
    return out;
  });

  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });
  fetch::OutboundConfig oc;
  oc.allowed_ports = {server.port()};
  oc.allowed_networks = {fetch::Cidr::parse("127.0.0.1/32").value()};
  auto policy =
      std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make(oc).value());
  fetch::TransportConfig tc;
  tc.ca_pem = pki.ca_cert_pem;
  tc.host_overrides = {{"agent.test", {"127.0.0.1"}}};
  auto transport = fetch::BeastTransport::make(ioc.get_executor(), policy, tc).value();
  auto src = std::make_unique<DirectoryKeySource>(transport, policy, DirectoryKeySourceConfig{},
                                                  clock.clock());

  auto find = [&](const std::string& keyid) {
    Answers answers;
    src->find_key(cimd_query(card_url, keyid), answers.callback());
    EXPECT_TRUE(answers.wait_for(1));
    return answers.size() ? answers.at(0) : wba::Error(Reason::invalid_argument, "no answer");
  };
  auto r = find(key.thumbprint());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->thumbprint(), key.thumbprint());
  ASSERT_EQ(server.request_count(), 2u);
  auto seen = server.requests();
  EXPECT_EQ(seen[0].target, "/bot");
  EXPECT_EQ(seen[0].header("Accept"), "application/json");
  EXPECT_EQ(seen[1].target, "/keys/jwks.json");
  // Cached: no more requests.
  ASSERT_TRUE(find(key.thumbprint()).ok());
  EXPECT_EQ(server.request_count(), 2u);

  src.reset();
  work.reset();
  ioc.stop();
  io.join();
}

}  // namespace
}  // namespace wbad

// What a delegated OAuth token adds to the verification of a request (issue #5; target: with
// the token's validation cached, at most 1.15× the verification of the same request without a
// token). docs/PERFORMANCE.md, "Delegated tokens", has the commands and the figures.
//
//   BM_NoToken                 Web Bot Auth verification of ProfileSample's request (the same
//                              operation as verify_bench's BM_ProfileVerify): the baseline.
//   BM_NoTokenWithTokenStage   the same, then wbad's token stage (TokenService::check) finding
//                              no Authorization field (what wbad does when issuers are configured).
//   BM_BearerCached            P3: the same request with `Authorization: Bearer <JWT>` (no cnf,
//                              act.sub = the agent), the signature covering authorization: Web
//                              Bot Auth verification + the daemon's token stage with the token's
//                              validation cached (find_presented_token, token_hash, cache
//                              lookup, check_token_time, bind_token).
//   BM_DpopCached              P1: `Authorization: DPoP <JWT>` (cnf.jkt = the agent's key) and a
//                              DPoP proof by the same key, signature covering authorization and
//                              dpop; cached. Adds the proof's Ed25519 verification (RFC 9449) and
//                              its jti in the replay store, so every iteration needs its own
//                              request (a pool, fixed iteration count, a fresh store per run).
//   BM_BearerUncached          P3 with a token seen for the first time: JWT parse, issuer key,
//                              Ed25519 signature of the token, claims, cache insert, binding.
//   BM_*TokenStageOnly         the token stage alone (VerifiedAgent conversion + check) after a
//                              verification done outside the timed loop.
//   BM_ValidateAccessToken     the library's parse_access_token + validate_access_token.
//   BM_RawVerify*              libsodium's Ed25519 verify of each request's Web Bot Auth
//                              signature base (Ed25519 time depends on the signature and on the
//                              length of the base, so each request has its own raw figure).
//
// TokenService::check completes inline for a cached token (no I/O): every cached benchmark checks
// that the callback ran before check returned and stops with an error otherwise.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "token_sample.h"

namespace {

using namespace wba;
using bench::TokenFixture;
using bench::TokenRequest;
using State = wbad::TokenOutcome::State;

constexpr int kDpopIterations = 2000;      // per run (one pool entry, one jti each)
constexpr int kUncachedIterations = 1000;  // per run (one token each)

TokenFixture& fixture() {
  static TokenFixture f;
  return f;
}

const bench::ProfileSample& no_token_sample() {
  static const bench::ProfileSample s(bench::fixed_ed25519_key());
  return s;
}

const std::string& bearer_token() {
  static const std::string t = fixture().mint(false);
  return t;
}

const TokenRequest& bearer_request() {
  static const TokenRequest r = fixture().present(bearer_token(), token::Scheme::bearer);
  return r;
}

// DPoP: one token, kDpopIterations + 1 requests with distinct proofs (the last warms the cache).
const std::vector<TokenRequest>& dpop_pool() {
  static const std::vector<TokenRequest> pool = [] {
    const std::string token = fixture().mint(true);
    std::vector<TokenRequest> v;
    v.reserve(kDpopIterations + 1);
    for (int i = 0; i <= kDpopIterations; ++i) {
      v.push_back(fixture().present(token, token::Scheme::dpop, i + 1));
    }
    return v;
  }();
  return pool;
}

// Uncached: kUncachedIterations distinct Bearer tokens, each in its own request.
const std::vector<TokenRequest>& uncached_pool() {
  static const std::vector<TokenRequest> pool = [] {
    std::vector<TokenRequest> v;
    v.reserve(kUncachedIterations);
    for (int i = 0; i < kUncachedIterations; ++i) {
      const std::string token = fixture().mint(false, "jti-uncached-" + std::to_string(i));
      v.push_back(fixture().present(token, token::Scheme::bearer, i + 1));
    }
    return v;
  }();
  return pool;
}

std::shared_ptr<wbad::ReplayStore> fresh_replay_store() {
  return std::make_shared<wbad::MemoryReplayStore>(wbad::Config{}.replay_max_entries);
}

// A token service whose cache holds `warm`'s token (one check, outside any timed loop).
std::shared_ptr<wbad::TokenService> warmed_service(const TokenRequest& warm,
                                                   benchmark::State& state) {
  auto service = fixture().service(fresh_replay_store());
  auto v = fixture().verifier().verify(warm.msg, fixture().lookup());
  if (!v) {
    state.SkipWithError(v.error().message().c_str());
    return nullptr;
  }
  // The first check validates the token; it may complete on another thread only with I/O,
  // which a static JWKS does not need: so it is inline too.
  auto out = bench::check_inline(*service, warm.msg, {bench::verified_agent(*v)});
  if (!out || out->state != State::bound) {
    state.SkipWithError("warming the token cache failed");
    return nullptr;
  }
  if (service->cached_validations() != 1) {
    state.SkipWithError("the token's validation is not cached");
    return nullptr;
  }
  return service;
}

// -- baseline ----------------------------------------------------------------------------------

void BM_NoToken(benchmark::State& state) {
  const bench::ProfileSample& s = no_token_sample();
  const profile::ProfileVerifier verifier = s.verifier();
  const profile::AgentKeyLookup lookup = s.lookup();
  for (auto _ : state) {
    auto v = verifier.verify(s.msg, lookup);
    if (!v) {
      state.SkipWithError(v.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_NoToken);

void BM_NoTokenWithTokenStage(benchmark::State& state) {
  const bench::ProfileSample& s = no_token_sample();
  const profile::ProfileVerifier verifier = s.verifier();
  const profile::AgentKeyLookup lookup = s.lookup();
  auto service = fixture().service(fresh_replay_store());
  for (auto _ : state) {
    std::string err = bench::verify_with_token(verifier, lookup, *service, s.msg, State::no_token);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
}
BENCHMARK(BM_NoTokenWithTokenStage);

// -- Bearer, cached ----------------------------------------------------------------------------

void BM_BearerCached(benchmark::State& state) {
  const TokenRequest& r = bearer_request();
  const profile::ProfileVerifier verifier = fixture().verifier();
  const profile::AgentKeyLookup lookup = fixture().lookup();
  auto service = warmed_service(r, state);
  if (!service) return;
  for (auto _ : state) {
    std::string err = bench::verify_with_token(verifier, lookup, *service, r.msg, State::bound);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
  state.SetLabel(std::to_string(bearer_token().size()) + "-byte token");
}
BENCHMARK(BM_BearerCached);

void BM_BearerCachedTokenStageOnly(benchmark::State& state) {
  const TokenRequest& r = bearer_request();
  auto service = warmed_service(r, state);
  if (!service) return;
  const auto verdict = bench::must(fixture().verifier().verify(r.msg, fixture().lookup()));
  for (auto _ : state) {
    std::vector<token::VerifiedAgent> agents;
    agents.push_back(bench::verified_agent(verdict));
    auto out = bench::check_inline(*service, r.msg, std::move(agents));
    if (!out || out->state != State::bound) {
      state.SkipWithError(out ? out->detail.c_str() : "check did not complete inline");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_BearerCachedTokenStageOnly);

// -- DPoP, cached ------------------------------------------------------------------------------

void BM_DpopCached(benchmark::State& state) {
  const auto& pool = dpop_pool();
  const profile::ProfileVerifier verifier = fixture().verifier();
  const profile::AgentKeyLookup lookup = fixture().lookup();
  auto service = warmed_service(pool.back(), state);  // a fresh replay store for this run
  if (!service) return;
  std::size_t i = 0;
  for (auto _ : state) {
    std::string err =
        bench::verify_with_token(verifier, lookup, *service, pool[i++].msg, State::bound);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
}
BENCHMARK(BM_DpopCached)->Iterations(kDpopIterations);

void BM_DpopCachedTokenStageOnly(benchmark::State& state) {
  const auto& pool = dpop_pool();
  static const std::vector<profile::AgentVerdict> verdicts = [&pool] {
    std::vector<profile::AgentVerdict> v;
    for (const auto& r : pool) {
      v.push_back(bench::must(fixture().verifier().verify(r.msg, fixture().lookup())));
    }
    return v;
  }();
  auto service = warmed_service(pool.back(), state);
  if (!service) return;
  std::size_t i = 0;
  for (auto _ : state) {
    std::vector<token::VerifiedAgent> agents;
    agents.push_back(bench::verified_agent(verdicts[i]));
    auto out = bench::check_inline(*service, pool[i].msg, std::move(agents));
    ++i;
    if (!out || out->state != State::bound) {
      state.SkipWithError(out ? out->detail.c_str() : "check did not complete inline");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DpopCachedTokenStageOnly)->Iterations(kDpopIterations);

// -- uncached ----------------------------------------------------------------------------------

void BM_BearerUncached(benchmark::State& state) {
  const auto& pool = uncached_pool();
  const profile::ProfileVerifier verifier = fixture().verifier();
  const profile::AgentKeyLookup lookup = fixture().lookup();
  auto service = fixture().service(fresh_replay_store());
  std::size_t i = 0;
  for (auto _ : state) {
    std::string err =
        bench::verify_with_token(verifier, lookup, *service, pool[i++].msg, State::bound);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
  if (service->cached_validations() != static_cast<std::size_t>(kUncachedIterations)) {
    state.SkipWithError("every token should have been validated once");
  }
}
BENCHMARK(BM_BearerUncached)->Iterations(kUncachedIterations);

void BM_ValidateAccessToken(benchmark::State& state) {
  const std::string& token = bearer_token();
  token::IssuerPolicy policy;
  policy.issuer = bench::kIssuer;
  policy.audiences = {bench::kAudience};
  nlohmann::json pub = fixture().issuer_key.to_public_jwk();
  pub["kid"] = "as-1";
  const auto keys =
      bench::must(token::IssuerKeySet::parse(nlohmann::json{{"keys", {pub}}}.dump()));
  for (auto _ : state) {
    auto candidate = token::parse_access_token(token);
    if (!candidate) {
      state.SkipWithError(candidate.error().message().c_str());
      break;
    }
    auto t = token::validate_access_token(token, *candidate, policy, keys, bench::kNow);
    if (!t) {
      state.SkipWithError(t.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ValidateAccessToken);

// -- raw Ed25519 verifies of the Web Bot Auth signature bases -----------------------------------

void raw_verify(benchmark::State& state, const std::string& signature, const std::string& base) {
  const std::string& pk = fixture().agent_public_key;
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(bench::uc(signature), bench::uc(base), base.size(),
                                         bench::uc(pk));
    if (rc != 0) {
      state.SkipWithError("raw verify failed");
      break;
    }
    benchmark::DoNotOptimize(rc);
  }
  state.SetLabel(std::to_string(base.size()) + "-byte base");
}

void BM_RawVerifyNoToken(benchmark::State& state) {
  raw_verify(state, no_token_sample().signature, no_token_sample().base);
}
BENCHMARK(BM_RawVerifyNoToken);

void BM_RawVerifyBearer(benchmark::State& state) {
  raw_verify(state, bearer_request().signature, bearer_request().base);
}
BENCHMARK(BM_RawVerifyBearer);

void BM_RawVerifyDpop(benchmark::State& state) {
  raw_verify(state, dpop_pool().front().signature, dpop_pool().front().base);
}
BENCHMARK(BM_RawVerifyDpop);

}  // namespace

BENCHMARK_MAIN();

// A fixed number of iterations of one operation of token_bench.cc, for instruction counts under
// callgrind (as verify_ir.cc for verify_bench.cc):
//
//   bench/callgrind_ir.sh build/bench/wba_token_ir no-token bearer dpop ...
//
// Only run_ops() is measured: key loading, minting, signing the request pools and warming the
// token cache stay out. Operations:
//   no-token          Web Bot Auth verification, no token (= verify_ir's `profile`)
//   no-token-stage    the same + TokenService::check finding no token
//   bearer            Bearer token, validation cached: verification + token stage
//   bearer-stage      the token stage alone (VerifiedAgent conversion + check)
//   dpop              DPoP token, cached, a distinct proof per iteration (jti replay insert)
//   dpop-stage        its token stage alone
//   uncached          Bearer, a distinct token per iteration (JWT validation each time)
//   validate          parse_access_token + validate_access_token (library)
//   raw-no-token, raw-bearer, raw-dpop   libsodium verify of each request's signature base
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "token_sample.h"

namespace {

using namespace wba;
using bench::TokenFixture;
using bench::TokenRequest;
using State = wbad::TokenOutcome::State;

enum class Op {
  no_token,
  no_token_stage,
  bearer,
  bearer_stage,
  dpop,
  dpop_stage,
  uncached,
  validate,
  raw_no_token,
  raw_bearer,
  raw_dpop
};

int failures = 0;
std::string first_failure;

void fail(std::string why) {
  if (!failures++) first_failure = std::move(why);
}

struct Inputs {
  const bench::ProfileSample* no_token = nullptr;
  std::vector<TokenRequest> requests;  // one, or a pool of n (+1 to warm the cache)
  std::vector<profile::AgentVerdict> verdicts;
  std::shared_ptr<wbad::TokenService> service;
  std::string token;
  token::IssuerPolicy policy;
  std::optional<token::IssuerKeySet> keys;
};

__attribute__((noinline)) void run_ops(Op op, long n, TokenFixture& f, const Inputs& in) {
  const profile::ProfileVerifier verifier = f.verifier();
  const profile::AgentKeyLookup lookup = f.lookup();
  const std::string& pk = f.agent_public_key;
  for (long i = 0; i < n; ++i) {
    switch (op) {
      case Op::no_token:
        if (!verifier.verify(in.no_token->msg, lookup)) fail("no-token verify");
        break;
      case Op::no_token_stage: {
        auto e = bench::verify_with_token(verifier, lookup, *in.service, in.no_token->msg,
                                          State::no_token);
        if (!e.empty()) fail(e);
        break;
      }
      case Op::bearer:
      case Op::dpop:
      case Op::uncached: {
        const TokenRequest& r = in.requests[op == Op::bearer ? 0 : static_cast<std::size_t>(i)];
        auto e = bench::verify_with_token(verifier, lookup, *in.service, r.msg, State::bound);
        if (!e.empty()) fail(e);
        break;
      }
      case Op::bearer_stage:
      case Op::dpop_stage: {
        const std::size_t k = op == Op::bearer_stage ? 0 : static_cast<std::size_t>(i);
        std::vector<token::VerifiedAgent> agents;
        agents.push_back(bench::verified_agent(in.verdicts[k]));
        auto out = bench::check_inline(*in.service, in.requests[k].msg, std::move(agents));
        if (!out) {
          fail("check did not complete inline");
        } else if (out->state != State::bound) {
          fail(out->detail);
        }
        break;
      }
      case Op::validate: {
        auto c = token::parse_access_token(in.token);
        if (!c || !token::validate_access_token(in.token, *c, in.policy, *in.keys, bench::kNow)) {
          fail("validate");
        }
        break;
      }
      case Op::raw_no_token:
      case Op::raw_bearer:
      case Op::raw_dpop: {
        std::string_view sig, base;
        if (op == Op::raw_no_token) {
          sig = in.no_token->signature;
          base = in.no_token->base;
        } else {
          sig = in.requests[0].signature;
          base = in.requests[0].base;
        }
        if (crypto_sign_verify_detached(bench::uc(sig), bench::uc(base), base.size(),
                                        bench::uc(pk)) != 0) {
          fail("raw verify");
        }
        break;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  static const std::pair<const char*, Op> kOps[] = {
      {"no-token", Op::no_token},         {"no-token-stage", Op::no_token_stage},
      {"bearer", Op::bearer},             {"bearer-stage", Op::bearer_stage},
      {"dpop", Op::dpop},                 {"dpop-stage", Op::dpop_stage},
      {"uncached", Op::uncached},         {"validate", Op::validate},
      {"raw-no-token", Op::raw_no_token}, {"raw-bearer", Op::raw_bearer},
      {"raw-dpop", Op::raw_dpop}};
  const Op* op = nullptr;
  for (const auto& [name, o] : kOps) {
    if (argc == 3 && std::strcmp(argv[1], name) == 0) op = &o;
  }
  if (!op) {
    std::fprintf(stderr,
                 "usage: %s no-token|no-token-stage|bearer|bearer-stage|dpop|dpop-stage|uncached|"
                 "validate|raw-no-token|raw-bearer|raw-dpop ITERATIONS\n",
                 argv[0]);
    return 2;
  }
  const long n = std::atol(argv[2]);
  TokenFixture f;
  const bench::ProfileSample no_token(bench::fixed_ed25519_key());
  Inputs in;
  in.no_token = &no_token;
  in.service = f.service(std::make_shared<wbad::MemoryReplayStore>(wbad::Config{}.replay_max_entries));

  switch (*op) {
    case Op::bearer:
    case Op::bearer_stage:
    case Op::raw_bearer:
    case Op::validate:
      in.token = f.mint(false);
      in.requests.push_back(f.present(in.token, token::Scheme::bearer));
      break;
    case Op::dpop:
    case Op::dpop_stage:
    case Op::raw_dpop: {
      const std::string token = f.mint(true);
      // Request i + 1 for iteration i (as token_bench.cc), and one more to warm the cache.
      const long count = *op == Op::raw_dpop ? 1 : n + 1;
      for (long i = 0; i < count; ++i) {
        in.requests.push_back(f.present(token, token::Scheme::dpop, static_cast<int>(i + 1)));
      }
      break;
    }
    case Op::uncached:
      for (long i = 0; i < n; ++i) {
        in.requests.push_back(f.present(f.mint(false, "jti-uncached-" + std::to_string(i)),
                                        token::Scheme::bearer, static_cast<int>(i + 1)));
      }
      break;
    default:
      break;
  }
  if (*op == Op::bearer_stage || *op == Op::dpop_stage) {
    for (const auto& r : in.requests) {
      in.verdicts.push_back(bench::must(f.verifier().verify(r.msg, f.lookup())));
    }
  }
  if (*op == Op::bearer || *op == Op::bearer_stage || *op == Op::dpop || *op == Op::dpop_stage) {
    // Warm the cache with the first request (Bearer) or the extra last one (DPoP).
    const TokenRequest& warm = in.requests.back();
    auto e = bench::verify_with_token(f.verifier(), f.lookup(), *in.service, warm.msg,
                                      State::bound);
    if (!e.empty() || in.service->cached_validations() != 1) {
      std::fprintf(stderr, "warming the token cache failed: %s\n", e.c_str());
      return 1;
    }
  }
  if (*op == Op::validate) {
    in.policy.issuer = bench::kIssuer;
    in.policy.audiences = {bench::kAudience};
    nlohmann::json pub = f.issuer_key.to_public_jwk();
    pub["kid"] = "as-1";
    in.keys = bench::must(token::IssuerKeySet::parse(nlohmann::json{{"keys", {pub}}}.dump()));
  }

  run_ops(*op, n, f, in);
  if (failures) {
    std::fprintf(stderr, "%d operations failed; first: %s\n", failures, first_failure.c_str());
    return 1;
  }
  std::printf("%s: %ld iterations\n", argv[1], n);
  return 0;
}

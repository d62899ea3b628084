// A fixed number of iterations of one operation, for instruction counts under callgrind:
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_ops*'
//            build-perf/bench/wba_verify_ir full 1000   (one command line)
//
// Only run_ops() is measured, so setup (key load, signing) stays out, and Ir / iterations is the
// cost of one operation. Google Benchmark picks its own iteration counts, which is why this is
// a separate program.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_sample.h"
#include "wba/sfv/parse.h"

namespace {

using namespace wba;

enum class Op { parse_input, parse_signatures, base, full, raw, profile, profile_raw };

int failures = 0;

__attribute__((noinline)) void run_ops(Op op, long n, const bench::Sample& s,
                                       const bench::ProfileSample& p) {
  const sig::Verifier verifier = s.verifier();
  const profile::ProfileVerifier pverifier = p.verifier();
  const profile::AgentKeyLookup lookup = p.lookup();
  for (long i = 0; i < n; ++i) {
    switch (op) {
      case Op::parse_input:
        failures += !sfv::parse_dictionary(s.signature_input).ok();
        break;
      case Op::parse_signatures:
        failures += !sig::parse_signatures(s.msg).ok();
        break;
      case Op::base:
        failures += !sig::signature_base(s.msg, s.signature.params).ok();
        break;
      case Op::full:
        failures += !verifier.verify(s.msg).ok();
        break;
      case Op::raw:
        failures += crypto_sign_verify_detached(bench::uc(s.signature.signature), bench::uc(s.base),
                                                s.base.size(), bench::uc(s.public_key)) != 0;
        break;
      case Op::profile:
        failures += !pverifier.verify(p.msg, lookup).ok();
        break;
      case Op::profile_raw:
        failures += crypto_sign_verify_detached(bench::uc(p.signature), bench::uc(p.base),
                                                p.base.size(), bench::uc(p.public_key)) != 0;
        break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  static const std::pair<const char*, Op> kOps[] = {{"parse-input", Op::parse_input},
                                                    {"parse-signatures", Op::parse_signatures},
                                                    {"base", Op::base},
                                                    {"full", Op::full},
                                                    {"raw", Op::raw},
                                                    {"profile", Op::profile},
                                                    {"profile-raw", Op::profile_raw}};
  const Op* op = nullptr;
  for (const auto& [name, o] : kOps) {
    if (argc == 3 && std::strcmp(argv[1], name) == 0) op = &o;
  }
  if (!op) {
    std::fprintf(
        stderr,
        "usage: %s parse-input|parse-signatures|base|full|raw|profile|profile-raw ITERATIONS\n",
        argv[0]);
    return 2;
  }
  const long n = std::atol(argv[2]);
  const bench::Sample s(bench::fixed_ed25519_key());
  const bench::ProfileSample p(bench::fixed_ed25519_key());
  run_ops(*op, n, s, p);
  if (failures) {
    std::fprintf(stderr, "%d operations failed\n", failures);
    return 1;
  }
  std::printf("%s: %ld iterations\n", argv[1], n);
  return 0;
}

// wba verify
#include <iostream>

#include "commands.h"
#include "common.h"
#include "wba/sig/verifier.h"

namespace wba::cli {
namespace {

constexpr const char* kVerifyHelp = R"(Usage: wba verify (--key PUBLIC.jwk | --jwks FILE) [--label L] [--tag T] [--now UNIX]
                  [--max-skew S] [--key-alg ALG] [--scheme S] [--request REQ] MESSAGE

Verifies the RFC 9421 signatures of MESSAGE. With one --key, that key checks every signature
(keyid is only a hint); with --jwks (or several --key), a signature's keyid must equal a key's
"kid" or its RFC 7638 thumbprint. The algorithm always comes from the key; an "alg" that
disagrees is refused.
Prints a JSON verdict on stdout. Exit 0: a signature verifies; 1: none does ("reason" says why);
2: usage error or unreadable input (message on stderr).
  --label L      only the signature with this label
  --tag T        only signatures with this tag
  --now UNIX     the clock for created/expires checks (default: system time)
  --max-skew S   seconds `created` may lie in the future (default 60)
)";

nlohmann::json describe(const sig::VerifiedSignature& v) {
  const auto& p = v.params();
  nlohmann::json j = {{"valid", true}, {"label", v.label()}};
  j["alg"] = to_string(v.algorithm());
  j["key_thumbprint"] = v.key_thumbprint();
  if (auto x = p.keyid()) j["keyid"] = *x;
  if (auto x = p.created()) j["created"] = *x;
  if (auto x = p.expires()) j["expires"] = *x;
  if (auto x = p.nonce()) j["nonce"] = *x;
  if (auto x = p.tag()) j["tag"] = *x;
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : p.components()) components.push_back(c.serialize());
  j["components"] = components;
  j["content_digest_checked"] = v.content_digest_checked();
  return j;
}

nlohmann::json describe(const Error& e) {
  return {{"valid", false}, {"reason", std::string(to_string(e.reason))}, {"detail", e.detail}};
}

}  // namespace

int cmd_verify(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key", "jwks", "label", "tag", "now", "max-skew", "key-alg", "scheme",
                           "request"},
                          {});
      !s) {
    return usage_error("verify", s.error().detail);
  }
  if (args.has("help")) return std::cout << kVerifyHelp, kExitOk;
  if (args.positional().size() != 1) return usage_error("verify", "give exactly one MESSAGE file");
  sig::VerifyOptions opts;
  opts.label = args.get("label");
  opts.tag = args.get("tag");
  if (auto now = args.get("now")) {
    auto t = parse_int("now", *now);
    if (!t) return usage_error("verify", t.error().detail);
    opts.now = *t;
  }
  if (auto skew = args.get("max-skew")) {
    auto t = parse_int("max-skew", *skew);
    if (!t || *t < 0) return usage_error("verify", "--max-skew: not a whole number of seconds");
    opts.max_clock_skew = *t;
  }
  auto keys = load_verifying_keys(args);
  if (!keys) return usage_error("verify", keys.error().message());
  auto msg = load_message(args, args.positional()[0]);
  if (!msg) return usage_error("verify", msg.error().message());

  // One --key is the key the user chose: keyid is only a hint then. Keys from a JWKS are
  // matched by kid or thumbprint.
  sig::KeyLookup lookup = keys->size() == 1 && !args.has("jwks")
                              ? sig::single_key_lookup(keys->front())
                              : sig::key_set_lookup(std::move(keys).value());
  sig::Verifier verifier(std::move(lookup), opts);
  auto outcomes = verifier.verify_all(*msg);
  nlohmann::json verdict;
  int code = kExitInvalid;
  if (!outcomes) {
    verdict = describe(outcomes.error());
  } else if (outcomes->empty()) {
    verdict = describe(Error(Reason::no_matching_signature,
                             opts.tag ? "no signature with tag \"" + *opts.tag + "\""
                                      : std::string("no signature selected")));
  } else {
    nlohmann::json all = nlohmann::json::array();
    const sig::SignatureOutcome* first_valid = nullptr;
    for (const auto& o : *outcomes) {
      nlohmann::json one = o.result ? describe(*o.result) : describe(o.result.error());
      one["label"] = o.label;
      all.push_back(one);
      if (o.result && !first_valid) first_valid = &o;
    }
    const sig::SignatureOutcome& chosen = first_valid ? *first_valid : outcomes->front();
    verdict = chosen.result ? describe(*chosen.result) : describe(chosen.result.error());
    verdict["label"] = chosen.label;
    verdict["signatures"] = all;
    if (first_valid) code = kExitOk;
  }
  std::cout << verdict.dump(2) << "\n";
  return code;
}

}  // namespace wba::cli

// wba verify
#include <iostream>

#include "commands.h"
#include "common.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/verifier.h"

namespace wba::cli {
namespace {

constexpr const char* kVerifyHelp =
    R"(Usage: wba verify (--key PUBLIC.jwk | --jwks FILE) [--label L] [--tag T] [--now UNIX]
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

Web Bot Auth (--profile web-bot-auth; the default --profile rfc9421 applies only RFC 9421):
only signatures tagged "web-bot-auth" count; @authority (or @target-uri) and the
Signature-Agent member must be covered; created, expires and keyid are required; keyid must be
the key's thumbprint. The verdict adds "outcome" (verified, invalid, unverified), "agent" and
"directory_url". The given keys are trusted for any Signature-Agent.
  --allow-test-keys          accept the RFC 9421 Appendix B test keys (conformance runs)
  --max-lifetime S           largest expires - created (default 86400)
  --require-nonce            refuse signatures without a nonce
  --require-signature-agent  refuse requests without Signature-Agent
  --allow-http-agent         accept http:// Signature-Agent URLs (local testing)
  --no-legacy-signature-agent  refuse the legacy String form
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

nlohmann::json describe(const profile::AgentVerdict& v) {
  nlohmann::json j = describe(v.signature);
  j["outcome"] = "verified";
  if (v.agent) {
    j["agent"] = v.agent->agent_url;
    j["directory_url"] = v.agent->directory_url;
  }
  return j;
}

nlohmann::json describe(const Error& e) {
  return {{"valid", false}, {"reason", std::string(to_string(e.reason))}, {"detail", e.detail}};
}

int verify_web_bot_auth(const Args& args, std::vector<VerifyingKey> keys, const http::Message& msg,
                        const sig::VerifyOptions& base) {
  profile::ProfilePolicy policy;
  policy.now = base.now;
  policy.max_clock_skew = base.max_clock_skew;
  policy.label = base.label;
  policy.allow_test_keys = args.has("allow-test-keys");
  policy.require_nonce = args.has("require-nonce");
  policy.require_signature_agent = args.has("require-signature-agent");
  policy.agent_urls.allow_http = args.has("allow-http-agent");
  policy.agent_urls.accept_legacy_string = !args.has("no-legacy-signature-agent");
  if (auto m = args.get("max-lifetime")) {
    auto t = parse_int("max-lifetime", *m);
    if (!t || *t < 1) return usage_error("verify", "--max-lifetime: not a positive whole number");
    policy.max_lifetime = *t;
  }
  auto verdict =
      profile::ProfileVerifier(policy).verify(msg, profile::trusted_keys_lookup(std::move(keys)));
  nlohmann::json out;
  if (verdict) {
    out = describe(*verdict);
  } else {
    out = describe(verdict.error());
    out["outcome"] = to_string(profile::outcome_of(verdict.reason()));
  }
  out["profile"] = "web-bot-auth";
  std::cout << out.dump(2) << "\n";
  return verdict ? kExitOk : kExitInvalid;
}

}  // namespace

int cmd_verify(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key", "jwks", "label", "tag", "now", "max-skew", "key-alg", "scheme",
                           "request", "profile", "max-lifetime"},
                          {"allow-test-keys", "require-nonce", "require-signature-agent",
                           "allow-http-agent", "no-legacy-signature-agent"});
      !s) {
    return usage_error("verify", s.error().detail);
  }
  if (args.has("help")) return std::cout << kVerifyHelp, kExitOk;
  const std::string profile_name = args.get("profile").value_or("rfc9421");
  if (profile_name != "rfc9421" && profile_name != "web-bot-auth") {
    return usage_error("verify",
                       "--profile: unknown profile '" + profile_name + "' (rfc9421, web-bot-auth)");
  }
  if (profile_name == "rfc9421") {
    for (const char* only_wba : {"allow-test-keys", "require-nonce", "require-signature-agent",
                                 "allow-http-agent", "no-legacy-signature-agent", "max-lifetime"}) {
      if (args.has(only_wba)) {
        return usage_error("verify",
                           std::string("--") + only_wba + " needs --profile web-bot-auth");
      }
    }
  } else if (args.has("tag")) {
    return usage_error("verify", "--tag does not go with --profile web-bot-auth (tag is fixed)");
  }
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
  if (profile_name == "web-bot-auth") {
    return verify_web_bot_auth(args, std::move(keys).value(), *msg, opts);
  }

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

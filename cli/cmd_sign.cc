// wba base | sign
#include <iostream>

#include "commands.h"
#include "common.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/component.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signer.h"
#include "wba/token/agent.h"

namespace wba::cli {
namespace {

constexpr const char* kBaseHelp =
    R"(Usage: wba base (--components LIST [PARAMS…] | --signature-input MEMBER)
                [--scheme http|https] [--request REQ] MESSAGE

Prints the RFC 9421 signature base that would be signed for MESSAGE (an HTTP/1.1 message file,
LF or CRLF; "-" reads standard input).
  --components LIST        covered components, e.g. '"@method" "@authority" "content-type"'
  PARAMS                   --created T --expires T --nonce N --alg A --keyid ID --tag T,
                           kept in the order given
  --signature-input MEMBER a complete member, e.g. 'sig1=("@method");created=1;keyid="k"'
  --scheme S               scheme of the signature context (default https)
  --request REQ            the request a response answers (for ;req components)
)";

constexpr const char* kSignHelp =
    R"(Usage: wba sign --key PRIVATE.jwk [--label sig1] [--components LIST]
                [--created T] [--expires T] [--nonce N] [--tag T] [--keyid ID]
                [--signature-input MEMBER] [--key-alg ALG] [--scheme S] [--request REQ] MESSAGE
       wba sign --profile web-bot-auth --key PRIVATE.jwk --signature-agent URL
                [--bearer TOKEN | --dpop-token TOKEN]
                [--legacy-signature-agent] [--label sig1] [--components EXTRA]
                [--created T] [--expires T | --lifetime S] [--nonce N | --no-nonce] MESSAGE

Prints MESSAGE with Signature-Input and Signature added.
  --profile P         rfc9421 (default): plain RFC 9421. web-bot-auth: also adds Signature-Agent
                      and applies the profile: covers "@authority" and the Signature-Agent
                      member (then EXTRA components), tag "web-bot-auth", keyid = thumbprint,
                      expires = created + 60 s (at most 24 h), a 64-byte random nonce
  --signature-agent URL      the agent's key directory (web-bot-auth)
  --legacy-signature-agent   send the legacy String form ("URL") instead of label="URL"
  --bearer TOKEN      present an OAuth access token (web-bot-auth): adds
                      "Authorization: Bearer TOKEN" and also covers "@method" "@path"
                      "authorization", so a resource server can bind the token to the agent
  --dpop-token TOKEN  the same with "Authorization: DPoP TOKEN" and an RFC 9449 DPoP proof
                      made with the signing key (its thumbprint is the keyid, and should be
                      the token's cnf.jkt); "dpop" is covered too; iat = --created
  --components LIST   default: "@method" "@authority" "@path" (plus "content-digest" when the
                      message has one) for requests, "@status" for responses
  --created T         default: now; --keyid default: the key's RFC 7638 thumbprint;
                      alg is always the key's algorithm
  --signature-input MEMBER  sign exactly this member (components and parameters in their order)
  --key-alg ALG       the algorithm of an RSA key whose JWK has no "alg"
)";

const std::initializer_list<std::string_view> kParamOptions = {"created", "expires", "nonce",
                                                               "alg",     "keyid",   "tag"};

Result<sig::SignatureParams> params_in_given_order(const Args& args) {
  sig::SignatureParams params;
  WBA_TRY(auto ids, sig::parse_component_list(args.get("components").value_or("")));
  for (auto& id : ids) WBA_CHECK(params.add_component(std::move(id)));
  for (const auto& [name, value] : args.options()) {
    if (name == "created" || name == "expires") {
      WBA_TRY(std::int64_t t, parse_int(name, value));
      name == "created" ? params.set_created(t) : params.set_expires(t);
    } else if (name == "nonce") {
      params.set_nonce(value);
    } else if (name == "alg") {
      params.set_alg(value);
    } else if (name == "keyid") {
      params.set_keyid(value);
    } else if (name == "tag") {
      params.set_tag(value);
    }
  }
  return params;
}

std::vector<sig::ComponentId> default_components(const http::Message& msg) {
  std::vector<std::string_view> names;
  if (std::holds_alternative<http::Response>(msg)) {
    names = {"@status"};
  } else {
    names = {"@method", "@authority", "@path"};
  }
  if (http::headers(msg).contains("content-digest")) names.push_back("content-digest");
  std::vector<sig::ComponentId> out;
  for (auto n : names) out.push_back(sig::ComponentId::make(n).value());
  return out;
}

// The Web Bot Auth profile, optionally presenting an access token (wba::token::present_token).
int sign_web_bot_auth(const Args& args, const SigningKey& key, http::Message& msg) {
  auto* request = std::get_if<http::Request>(&msg);
  if (!request) return usage_error("sign", "'" + args.positional()[0] + "' is not a request");

  profile::AgentSignOptions o;
  o.signature_agent = *args.get("signature-agent");
  if (args.has("legacy-signature-agent")) o.form = profile::SignatureAgentForm::legacy_string;
  o.label = args.get("label").value_or("sig1");
  if (auto c = args.get("components")) {
    auto ids = sig::parse_component_list(*c);
    if (!ids) return usage_error("sign", "--components: " + ids.error().message());
    o.extra_components = std::move(ids).value();
  }
  if (auto c = args.get("created")) {
    auto t = parse_int("created", *c);
    if (!t) return usage_error("sign", t.error().detail);
    o.created = *t;
  }
  if (args.has("expires") && args.has("lifetime")) {
    return usage_error("sign", "give --expires or --lifetime, not both");
  }
  if (auto e = args.get("expires")) {
    auto t = parse_int("expires", *e);
    if (!t) return usage_error("sign", t.error().detail);
    if (!o.created) o.created = sig::unix_now();
    o.lifetime = *t - *o.created;
  }
  if (auto l = args.get("lifetime")) {
    auto t = parse_int("lifetime", *l);
    if (!t) return usage_error("sign", t.error().detail);
    o.lifetime = *t;
  }
  if (args.has("nonce") && args.has("no-nonce")) {
    return usage_error("sign", "give --nonce or --no-nonce, not both");
  }
  o.nonce = args.get("nonce");
  o.include_nonce = !args.has("no-nonce");

  Result<sig::LabelledSignature> signed_ = Error(Reason::invalid_argument);
  if (auto bearer = args.get("bearer")) {
    signed_ = token::present_token(*request, key, o, *bearer, token::Scheme::bearer);
  } else if (auto dpop = args.get("dpop-token")) {
    signed_ = token::present_token(*request, key, o, *dpop, token::Scheme::dpop);
  } else {
    signed_ = profile::sign_request(*request, key, o);
  }
  if (!signed_) return usage_error("sign", signed_.error().message());
  return kExitOk;
}

// Plain RFC 9421: components and parameters as given, or one --signature-input member.
int sign_rfc9421(const Args& args, const SigningKey& key, http::Message& msg) {
  Result<sig::LabelledSignature> signed_ = Error(Reason::invalid_argument);
  if (auto member = args.get("signature-input")) {
    auto p = params_from_signature_input(*member);
    if (!p) return usage_error("sign", p.error().message());
    signed_ = sig::sign(msg, key, p->label, p->params);
  } else {
    sig::SignOptions o;
    o.label = args.get("label").value_or("sig1");
    if (auto c = args.get("components")) {
      auto ids = sig::parse_component_list(*c);
      if (!ids) return usage_error("sign", "--components: " + ids.error().message());
      o.components = std::move(ids).value();
    } else {
      o.components = default_components(msg);
    }
    for (const char* name : {"created", "expires"}) {
      if (auto v = args.get(name)) {
        auto t = parse_int(name, *v);
        if (!t) return usage_error("sign", t.error().detail);
        (std::string_view(name) == "created" ? o.created : o.expires) = *t;
      }
    }
    o.nonce = args.get("nonce");
    o.tag = args.get("tag");
    o.keyid = args.get("keyid");
    signed_ = sig::sign(msg, key, o);
  }
  if (!signed_) return usage_error("sign", signed_.error().message());
  return kExitOk;
}

}  // namespace

int cmd_base(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"components", "signature-input", "created", "expires", "nonce", "alg",
                           "keyid", "tag", "scheme", "request"},
                          {});
      !s) {
    return usage_error("base", s.error().detail);
  }
  if (args.has("help")) return std::cout << kBaseHelp, kExitOk;
  if (args.positional().size() != 1) return usage_error("base", "give exactly one MESSAGE file");
  bool has_params = false;
  for (auto p : kParamOptions) has_params = has_params || args.has(p);
  if (args.has("signature-input") && (args.has("components") || has_params)) {
    return usage_error("base", "--signature-input replaces --components and parameter options");
  }
  auto msg = load_message(args, args.positional()[0]);
  if (!msg) return usage_error("base", msg.error().message());
  sig::SignatureParams params;
  if (auto member = args.get("signature-input")) {
    auto p = params_from_signature_input(*member);
    if (!p) return usage_error("base", p.error().message());
    params = std::move(p->params);
  } else {
    auto p = params_in_given_order(args);
    if (!p) return usage_error("base", p.error().message());
    params = std::move(p).value();
  }
  auto base = sig::signature_base(*msg, params);
  if (!base) return usage_error("base", base.error().message());
  std::cout << *base << "\n";
  return kExitOk;
}

int cmd_sign(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key", "label", "components", "signature-input", "created", "expires",
                           "nonce", "tag", "keyid", "key-alg", "scheme", "request", "profile",
                           "signature-agent", "lifetime", "bearer", "dpop-token"},
                          {"legacy-signature-agent", "no-nonce"});
      !s) {
    return usage_error("sign", s.error().detail);
  }
  if (args.has("help")) return std::cout << kSignHelp, kExitOk;
  const std::string profile = args.get("profile").value_or("rfc9421");
  const bool web_bot_auth = profile == "web-bot-auth";
  if (!web_bot_auth && profile != "rfc9421") {
    return usage_error("sign",
                       "--profile: unknown profile '" + profile + "' (rfc9421, web-bot-auth)");
  }
  if (web_bot_auth) {
    for (const char* fixed : {"signature-input", "tag", "keyid", "request"}) {
      if (args.has(fixed)) {
        return usage_error("sign",
                           std::string("--") + fixed +
                               " does not go with --profile web-bot-auth (the profile sets it)");
      }
    }
    if (args.has("bearer") && args.has("dpop-token")) {
      return usage_error("sign", "give --bearer or --dpop-token, not both");
    }
  } else {
    for (const char* only_wba : {"signature-agent", "legacy-signature-agent", "lifetime",
                                 "no-nonce", "bearer", "dpop-token"}) {
      if (args.has(only_wba)) {
        return usage_error("sign", std::string("--") + only_wba + " needs --profile web-bot-auth");
      }
    }
    bool has_params = false;
    for (auto p : kParamOptions) has_params = has_params || args.has(p);
    if (args.has("signature-input") &&
        (args.has("components") || has_params || args.has("label"))) {
      return usage_error("sign", "--signature-input replaces --label, --components and parameters");
    }
  }
  if (args.positional().size() != 1) return usage_error("sign", "give exactly one MESSAGE file");
  auto key_path = args.get("key");
  if (!key_path) return usage_error("sign", "--key PRIVATE.jwk is required");
  if (web_bot_auth && !args.has("signature-agent")) {
    return usage_error("sign", "--signature-agent URL is required with --profile web-bot-auth");
  }

  auto key = load_signing_key(args, *key_path);
  if (!key) return usage_error("sign", key.error().message());
  const std::string& path = args.positional()[0];
  auto text = read_file(path);
  if (!text) return usage_error("sign", text.error().message());
  auto msg = load_message(args, path);
  if (!msg) return usage_error("sign", msg.error().message());

  const int code =
      web_bot_auth ? sign_web_bot_auth(args, *key, *msg) : sign_rfc9421(args, *key, *msg);
  if (code != kExitOk) return code;
  std::cout << print_message(*msg, *text);
  return kExitOk;
}

}  // namespace wba::cli

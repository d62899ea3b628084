// Signed directory responses (draft-ietf-webbotauth-httpsig-protocol App. B.1): E.2.3 reproduced
// byte for byte and verified, every tamper refused with the right reason, several keys.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/vectors.h"
#include "wba/crypto/content_digest.h"
#include "wba/directory/serve.h"
#include "wba/directory/verify.h"
#include "wba/http/http1_text.h"
#include "wba/sig/component.h"
#include "wba/sig/signer.h"

namespace {

using nlohmann::json;
using wba::Reason;
namespace dir = wba::directory;
namespace http = wba::http;

const json& e23() {
  static const json v = [] {
    const json all = wba::testing::load_vectors("web-bot-auth/draft-vectors.json");
    for (const auto& e : all["vectors"]) {
      if (e["id"] == "wba-E.2.3-signed-directory-response") return e;
    }
    throw std::runtime_error("E.2.3 not found");
  }();
  return v;
}

const json& test_keys() {
  static const json k = wba::testing::load_vectors("rfc9421/keys.json")["keys"];
  return k;
}

wba::SigningKey ed25519_test_key() {
  return wba::SigningKey::from_jwk(test_keys()["test-key-ed25519"]["jwk"]).value();
}

constexpr std::int64_t kCreated = 1735689600;
constexpr std::int64_t kExpires = 4889289600;
const std::string kAuthority = "signature-agent.test";
const std::string kUrl =
    "https://signature-agent.test/.well-known/http-message-signatures-directory";
const std::string kThumbprint = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";

std::string header(const http::Response& r, std::string_view name) {
  auto v = r.headers.values(name);
  return v.size() == 1 ? std::string(v[0]) : "<" + std::to_string(v.size()) + " lines>";
}

std::shared_ptr<const http::Request> fetch_request(const std::string& text) {
  auto m = http::parse_http1(text);
  EXPECT_TRUE(m.ok()) << m.error().message();
  return std::make_shared<http::Request>(std::get<http::Request>(std::move(m).value()));
}

// The E.2.3 response exactly as published, with the request that fetched it.
http::Response published_e23() {
  http::Response r;
  r.status = 200;
  for (const auto& h : e23()["response_headers_minimum"]) {
    r.headers.add(h[0].get<std::string>(), h[1].get<std::string>());
  }
  r.body = e23()["response_body_exact"].get<std::string>();
  r.request = fetch_request(e23()["directory_request_http1"].get<std::string>() + "\n\n");
  return r;
}

dir::VerifyOptions at(std::int64_t now) {
  dir::VerifyOptions o;
  o.now = now;
  return o;
}

void expect_refused(const http::Response& r, const std::string& url, std::int64_t now,
                    Reason reason, const std::string& says, const std::string& label = "binding") {
  auto v = dir::verify_directory_response(r, url, at(now));
  ASSERT_FALSE(v.ok()) << "accepted";
  EXPECT_EQ(v.reason(), reason) << v.error().message();
  if (reason == Reason::directory_signature_invalid) {
    EXPECT_NE(v.error().detail.find("'" + label + "'"), std::string::npos) << v.error().detail;
  }
  EXPECT_NE(v.error().detail.find(says), std::string::npos) << v.error().detail;
}

TEST(ServeDirectory, ReproducesE23ByteForByte) {
  dir::ServeOptions o;
  o.created = kCreated;
  o.expires = kExpires;
  auto r = dir::make_directory_response({ed25519_test_key()}, kAuthority, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(r->body.has_value());
  EXPECT_EQ(*r->body, e23()["response_body_exact"].get<std::string>());
  for (const auto& h : e23()["response_headers_minimum"]) {
    EXPECT_EQ(header(*r, h[0].get<std::string>()), h[1].get<std::string>());
  }
  EXPECT_EQ(header(*r, "content-digest"), e23()["content_digest_field"].get<std::string>());
  EXPECT_EQ(header(*r, "signature-input"), e23()["signature_input_field"].get<std::string>());
  EXPECT_EQ(header(*r, "signature"), e23()["signature_field"].get<std::string>());
  EXPECT_EQ(header(*r, "cache-control"), "max-age=86400");
  // The request the signature was made for: the well-known URI at the authority.
  ASSERT_TRUE(r->request);
  EXPECT_EQ(r->request->method, "GET");
  EXPECT_EQ(r->request->target.authority, kAuthority);
  EXPECT_EQ(r->request->target.path, std::string(dir::kWellKnownPath));
  EXPECT_EQ(r->request->target.uri(), kUrl);

  auto body = dir::directory_body({ed25519_test_key().verifying_key()});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, e23()["response_body_exact"].get<std::string>());
}

TEST(ServeDirectory, AuthorityIsNormalised) {
  dir::ServeOptions o;
  o.created = kCreated;
  o.expires = kExpires;
  auto r = dir::make_directory_response({ed25519_test_key()}, "Signature-Agent.TEST:443", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(header(*r, "signature"), e23()["signature_field"].get<std::string>());
}

TEST(ServeDirectory, Defaults) {
  dir::ServeOptions o;
  o.created = 1000;
  o.max_age = 300;
  auto r = dir::make_directory_response({ed25519_test_key()}, kAuthority, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(header(*r, "cache-control"), "max-age=300");
  EXPECT_NE(header(*r, "signature-input")
                .find(";created=1000;expires=" +
                      std::to_string(1000 + 300 + dir::kSignatureMargin) + ";"),
            std::string::npos);
  // Default created is now.
  auto now = dir::make_directory_response({ed25519_test_key()}, kAuthority);
  ASSERT_TRUE(now.ok());
  auto v = dir::verify_directory_response(*now, kUrl);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_TRUE(v->proven(kThumbprint));
}

TEST(ServeDirectory, Errors) {
  EXPECT_EQ(dir::make_directory_response({}, kAuthority).reason(), Reason::invalid_argument);
  auto key = ed25519_test_key();
  EXPECT_EQ(dir::make_directory_response({key, key}, kAuthority).reason(),
            Reason::invalid_argument);
  for (const char* bad : {"", "host/path", "user@host", "a b", "host?q"}) {
    EXPECT_EQ(dir::make_directory_response({key}, bad).reason(), Reason::invalid_argument) << bad;
  }
  dir::ServeOptions o;
  o.created = 100;
  o.expires = 100;
  EXPECT_EQ(dir::make_directory_response({key}, kAuthority, o).reason(), Reason::invalid_argument);
  o.expires.reset();
  o.max_age = -1;
  EXPECT_EQ(dir::make_directory_response({key}, kAuthority, o).reason(), Reason::invalid_argument);
  auto hmac = wba::SigningKey::from_hmac_secret("0123456789abcdef0123456789abcdef").value();
  EXPECT_EQ(dir::make_directory_response({hmac}, kAuthority).reason(),
            Reason::unsupported_algorithm);
  EXPECT_EQ(dir::directory_body({}).reason(), Reason::invalid_argument);
}

TEST(ServeDirectory, Labels) {
  EXPECT_EQ(dir::binding_label(0, 1), "binding");
  EXPECT_EQ(dir::binding_label(0, 3), "binding1");
  EXPECT_EQ(dir::binding_label(2, 3), "binding3");
}

TEST(VerifyDirectory, PublishedE23Verifies) {
  auto v = dir::verify_directory_response(published_e23(), kUrl, at(kCreated + 60));
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->directory.url(), kUrl);
  ASSERT_EQ(v->directory.keys().size(), 1u);
  EXPECT_EQ(v->directory.keys()[0].kid_match, dir::KidMatch::thumbprint);
  ASSERT_EQ(v->proofs.size(), 1u);
  EXPECT_EQ(v->proofs[0].label, "binding");
  EXPECT_EQ(v->proofs[0].thumbprint, kThumbprint);
  EXPECT_EQ(v->proofs[0].created, kCreated);
  EXPECT_EQ(v->proofs[0].expires, kExpires);
  EXPECT_TRUE(v->proven(kThumbprint));
  EXPECT_FALSE(v->proven("NFcWBst6DXG-N35nHdzMrioWntdzNZghQSkjHNMMSjw"));
  // Strict options are met too.
  dir::VerifyOptions strict = at(kCreated);
  strict.require_signatures = true;
  strict.require_all_keys_proven = true;
  strict.parse.require_kid_thumbprint = true;
  EXPECT_TRUE(dir::verify_directory_response(published_e23(), kUrl, strict).ok());
}

TEST(VerifyDirectory, TamperedBodyByte) {
  http::Response r = published_e23();
  std::string& body = *r.body;
  body[body.find("poqk") + 3] = 'K';  // still valid JSON, still a key entry
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid, "digest_mismatch");
}

TEST(VerifyDirectory, TamperedContentDigest) {
  http::Response r = published_e23();
  // A digest that matches a different body: the signature covers the field, so it fails.
  r.headers.set("Content-Digest",
                wba::make_content_digest("{\"keys\":[]}", {wba::DigestAlgorithm::sha_256}));
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid, "bad_signature");
  r.headers.erase("Content-Digest");
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid, "missing_component");
}

TEST(VerifyDirectory, ReservedUnderAnotherAuthority) {
  // An attacker copies the signed directory to its own host: "@authority";req differs.
  http::Response r = published_e23();
  r.request = fetch_request(
      "GET /.well-known/http-message-signatures-directory HTTP/1.1\nHost: evil.test\n\n");
  expect_refused(r, "https://evil.test/.well-known/http-message-signatures-directory", kCreated,
                 Reason::directory_signature_invalid, "bad_signature");
}

TEST(VerifyDirectory, TamperedSignature) {
  http::Response r = published_e23();
  std::string s = header(r, "signature");
  s[s.find(':') + 1] = s[s.find(':') + 1] == 'A' ? 'B' : 'A';
  r.headers.set("Signature", s);
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid, "bad_signature");
}

TEST(VerifyDirectory, ExpiredProof) {
  expect_refused(published_e23(), kUrl, kExpires, Reason::directory_signature_invalid, "expired");
  expect_refused(published_e23(), kUrl, kExpires + 1, Reason::directory_signature_invalid,
                 "expired");
  EXPECT_TRUE(dir::verify_directory_response(published_e23(), kUrl, at(kExpires - 1)).ok());
}

TEST(VerifyDirectory, CreatedInTheFuture) {
  expect_refused(published_e23(), kUrl, kCreated - 3600, Reason::directory_signature_invalid,
                 "not_yet_valid");
  // Only clock skew is tolerated, and it is configurable.
  EXPECT_TRUE(dir::verify_directory_response(published_e23(), kUrl, at(kCreated - 60)).ok());
  dir::VerifyOptions no_skew = at(kCreated - 1);
  no_skew.max_clock_skew = 0;
  EXPECT_EQ(dir::verify_directory_response(published_e23(), kUrl, no_skew).reason(),
            Reason::directory_signature_invalid);
}

// Adds a signature with `params` (tag defaults to the directory tag) by `key` to `r`.
void add_signature(http::Response& r, const wba::SigningKey& key, const std::string& label,
                   std::string_view components, wba::sig::SignatureParams params) {
  auto ids = wba::sig::parse_component_list(components);
  ASSERT_TRUE(ids.ok());
  for (auto& c : *ids) ASSERT_TRUE(params.add_component(c).ok());
  http::Message m(std::move(r));
  auto s = wba::sig::sign(m, key, label, params);
  ASSERT_TRUE(s.ok()) << s.error().message();
  r = std::get<http::Response>(std::move(m));
}

wba::sig::SignatureParams directory_params(const wba::SigningKey& key) {
  wba::sig::SignatureParams p;
  p.set_created(kCreated);
  p.set_expires(kExpires);
  p.set_keyid(key.thumbprint());
  p.set_tag(std::string(dir::kDirectoryTag));
  return p;
}

TEST(VerifyDirectory, SignatureByKeyNotInTheDirectory) {
  http::Response r = published_e23();
  auto stranger = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  add_signature(r, stranger, "binding2", R"("@authority";req "content-digest")",
                directory_params(stranger));
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid,
                 "is not the thumbprint of a key of this directory", "binding2");
  // Naming a directory key but signed by another one does not verify either.
  http::Response r2 = published_e23();
  auto p = directory_params(stranger);
  p.set_keyid(kThumbprint);
  add_signature(r2, stranger, "binding2", R"("@authority";req "content-digest")", p);
  expect_refused(r2, kUrl, kCreated, Reason::directory_signature_invalid, "bad_signature",
                 "binding2");
}

TEST(VerifyDirectory, MissingAuthorityReqCoverage) {
  auto key = ed25519_test_key();
  http::Response r = published_e23();
  r.headers.erase("Signature");
  r.headers.erase("Signature-Input");
  add_signature(r, key, "binding", R"("content-digest")", directory_params(key));
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid,
                 "\"@authority\";req is not covered");

  http::Response no_digest = published_e23();
  no_digest.headers.erase("Signature");
  no_digest.headers.erase("Signature-Input");
  add_signature(no_digest, key, "binding", R"("@authority";req)", directory_params(key));
  expect_refused(no_digest, kUrl, kCreated, Reason::directory_signature_invalid,
                 "\"content-digest\" is not covered");
}

TEST(VerifyDirectory, CloudflareStyleProofWithoutDigest) {
  // cloudflare/web-bot-auth 0.1.3 covers ("@authority";req) only: not an App. B.1 proof.
  auto key = ed25519_test_key();
  http::Response r = published_e23();
  r.headers.erase("Signature");
  r.headers.erase("Signature-Input");
  add_signature(r, key, "binding0", R"("@authority";req)", directory_params(key));
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid,
                 "\"content-digest\" is not covered", "binding0");
  dir::VerifyOptions compat = at(kCreated);
  compat.skip_nonconforming_proofs = true;
  auto v = dir::verify_directory_response(r, kUrl, compat);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_TRUE(v->proofs.empty());
  EXPECT_FALSE(v->proven(kThumbprint));
  compat.require_signatures = true;
  EXPECT_EQ(dir::verify_directory_response(r, kUrl, compat).reason(),
            Reason::directory_signature_invalid);
  // A conforming signature that fails still refuses the directory.
  http::Response tampered = published_e23();
  (*tampered.body)[tampered.body->find("poqk") + 3] = 'K';
  compat.require_signatures = false;
  EXPECT_EQ(dir::verify_directory_response(tampered, kUrl, compat).reason(),
            Reason::directory_signature_invalid);
}

TEST(VerifyDirectory, RequiredParameters) {
  auto key = ed25519_test_key();
  auto strip = [](http::Response r) {
    r.headers.erase("Signature");
    r.headers.erase("Signature-Input");
    return r;
  };
  auto p = directory_params(key);
  wba::sig::SignatureParams no_expires;
  no_expires.set_created(kCreated);
  no_expires.set_keyid(key.thumbprint());
  no_expires.set_tag(std::string(dir::kDirectoryTag));
  http::Response r = strip(published_e23());
  add_signature(r, key, "binding", R"("@authority";req "content-digest")", no_expires);
  expect_refused(r, kUrl, kCreated, Reason::directory_signature_invalid, "no 'expires'");

  wba::sig::SignatureParams no_keyid;
  no_keyid.set_created(kCreated);
  no_keyid.set_expires(kExpires);
  no_keyid.set_tag(std::string(dir::kDirectoryTag));
  http::Response r2 = strip(published_e23());
  add_signature(r2, key, "binding", R"("@authority";req "content-digest")", no_keyid);
  expect_refused(r2, kUrl, kCreated, Reason::directory_signature_invalid, "no keyid");
}

TEST(VerifyDirectory, OtherTagsAreIgnored) {
  auto key = ed25519_test_key();
  http::Response r = published_e23();
  auto p = directory_params(key);
  p.set_tag("something-else");
  p.set_expires(kCreated + 1);  // would fail as a directory proof
  add_signature(r, key, "other", R"("@status")", p);
  auto v = dir::verify_directory_response(r, kUrl, at(kCreated + 10));
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->proofs.size(), 1u);
}

TEST(VerifyDirectory, StatusOtherThan200) {
  for (int status : {404, 500, 301, 304, 204}) {
    http::Response r = published_e23();
    r.status = status;
    expect_refused(r, kUrl, kCreated, Reason::directory_unavailable, std::to_string(status));
  }
}

TEST(VerifyDirectory, MediaTypes) {
  {
    http::Response r = published_e23();
    r.headers.set("Content-Type", "application/http-message-signatures-directory");
    EXPECT_TRUE(dir::verify_directory_response(r, kUrl, at(kCreated)).ok());
    r.headers.set("Content-Type", "application/http-message-signatures-directory+json; x=y");
    EXPECT_TRUE(dir::verify_directory_response(r, kUrl, at(kCreated)).ok());
  }
  {
    http::Response r = published_e23();
    r.headers.set("Content-Type", "application/json");
    expect_refused(r, kUrl, kCreated, Reason::directory_invalid, "application/json");
    dir::VerifyOptions lax = at(kCreated);
    lax.check_media_type = false;
    EXPECT_TRUE(dir::verify_directory_response(r, kUrl, lax).ok());
  }
  {
    http::Response r = published_e23();
    r.headers.erase("Content-Type");
    expect_refused(r, kUrl, kCreated, Reason::directory_invalid, "no Content-Type");
    r.headers.add("Content-Type", std::string(dir::kMediaType));
    r.headers.add("Content-Type", std::string(dir::kMediaType));
    expect_refused(r, kUrl, kCreated, Reason::directory_invalid, "more than one");
  }
}

TEST(VerifyDirectory, BodyProblems) {
  http::Response r = published_e23();
  r.body.reset();
  expect_refused(r, kUrl, kCreated, Reason::directory_invalid, "no body");
  http::Response big = published_e23();
  dir::VerifyOptions o = at(kCreated);
  o.parse.limits.max_body_bytes = 10;
  EXPECT_EQ(dir::verify_directory_response(big, kUrl, o).reason(), Reason::limit_exceeded);
  http::Response garbage = published_e23();
  garbage.body = "<html>";
  expect_refused(garbage, kUrl, kCreated, Reason::directory_invalid, "not valid JSON");
}

TEST(VerifyDirectory, UnsignedDirectory) {
  http::Response r = published_e23();
  r.headers.erase("Signature");
  r.headers.erase("Signature-Input");
  auto v = dir::verify_directory_response(r, kUrl, at(kCreated));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->proofs.empty());
  EXPECT_FALSE(v->proven(kThumbprint));
  dir::VerifyOptions o = at(kCreated);
  o.require_signatures = true;
  auto required = dir::verify_directory_response(r, kUrl, o);
  EXPECT_EQ(required.reason(), Reason::directory_signature_invalid);
  if (!required.ok()) {
    EXPECT_NE(required.error().detail.find("no signature"), std::string::npos);
  }
}

TEST(VerifyDirectory, MalformedSignatureFields) {
  http::Response r = published_e23();
  r.headers.set("Signature", "binding=not-bytes");
  auto v = dir::verify_directory_response(r, kUrl, at(kCreated));
  EXPECT_EQ(v.reason(), Reason::directory_signature_invalid);
}

TEST(VerifyDirectory, FetchingRequestIsNeeded) {
  http::Response r = published_e23();
  r.request.reset();
  EXPECT_EQ(dir::verify_directory_response(r, kUrl, at(kCreated)).reason(),
            Reason::invalid_argument);
}

TEST(TwoKeyDirectory, ServedParsedBackAndVerified) {
  auto ed = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  auto ec = wba::SigningKey::generate(wba::Algorithm::ecdsa_p256_sha256).value();
  dir::ServeOptions o;
  o.created = kCreated;
  o.expires = kCreated + 3600;
  o.max_age = 600;
  auto served = dir::make_directory_response({ed, ec}, "agent.example:8443", o);
  ASSERT_TRUE(served.ok()) << served.error().message();
  const std::string si = header(*served, "signature-input");
  EXPECT_EQ(si.find("binding1=(\"@authority\";req \"content-digest\");created=1735689600;"
                    "expires=1735693200;keyid=\"" +
                    ed.thumbprint() + "\";tag=\"http-message-signatures-directory\""),
            0u)
      << si;
  EXPECT_NE(si.find(", binding2=("), std::string::npos) << si;
  EXPECT_NE(header(*served, "signature").find("binding2=:"), std::string::npos);

  // Round trip through HTTP/1.1 text, as a client would receive it.
  auto text = http::to_http1(http::Message(*served), "\r\n");
  auto parsed = http::parse_http1(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  http::Response received = std::get<http::Response>(std::move(parsed).value());
  received.request = fetch_request(
      "GET /.well-known/http-message-signatures-directory HTTP/1.1\r\nHost: "
      "agent.example:8443\r\n\r\n");
  const std::string url =
      "https://agent.example:8443/.well-known/http-message-signatures-directory";
  dir::VerifyOptions vo = at(kCreated + 10);
  vo.require_signatures = true;
  vo.require_all_keys_proven = true;
  vo.parse.require_kid_thumbprint = true;
  auto v = dir::verify_directory_response(received, url, vo);
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->directory.keys().size(), 2u);
  EXPECT_EQ(v->directory.keys()[0].key.algorithm(), wba::Algorithm::ed25519);
  EXPECT_EQ(v->directory.keys()[1].key.algorithm(), wba::Algorithm::ecdsa_p256_sha256);
  EXPECT_EQ(v->directory.keys()[0].kid_match, dir::KidMatch::thumbprint);
  ASSERT_EQ(v->proofs.size(), 2u);
  EXPECT_EQ(v->proofs[0].label, "binding1");
  EXPECT_EQ(v->proofs[1].label, "binding2");
  EXPECT_TRUE(v->proven(ed.thumbprint()));
  EXPECT_TRUE(v->proven(ec.thumbprint()));
  EXPECT_TRUE(v->directory.lookup(url, ec.thumbprint(), kCreated + 10).ok());

  // Dropping one key's proof: fine by default, refused when every key must be proven.
  http::Response one = received;
  one.headers.set("Signature-Input", si.substr(0, si.find(", binding2=")));
  const std::string sg = header(received, "signature");
  one.headers.set("Signature", sg.substr(0, sg.find(", binding2=")));
  dir::VerifyOptions lax = at(kCreated + 10);
  auto partial = dir::verify_directory_response(one, url, lax);
  ASSERT_TRUE(partial.ok()) << partial.error().message();
  EXPECT_TRUE(partial->proven(ed.thumbprint()));
  EXPECT_FALSE(partial->proven(ec.thumbprint()));
  auto strict = dir::verify_directory_response(one, url, vo);
  EXPECT_EQ(strict.reason(), Reason::directory_signature_invalid);
  EXPECT_NE(strict.error().detail.find(ec.thumbprint()), std::string::npos);
}

TEST(RsaDirectory, AlgIsPublishedAndRoundTrips) {
  auto rsa = wba::SigningKey::from_jwk(test_keys()["test-key-rsa-pss"]["jwk"],
                                       wba::Algorithm::rsa_pss_sha512)
                 .value();
  auto v15 =
      wba::SigningKey::from_jwk(test_keys()["test-key-rsa"]["jwk"], wba::Algorithm::rsa_v1_5_sha256)
          .value();
  dir::ServeOptions o;
  o.created = kCreated;
  o.expires = kExpires;
  auto served = dir::make_directory_response({rsa, v15}, kAuthority, o);
  ASSERT_TRUE(served.ok()) << served.error().message();
  const json body = json::parse(*served->body);
  EXPECT_EQ(body["keys"][0]["alg"], "PS512");
  EXPECT_EQ(body["keys"][1]["alg"], "RS256");
  EXPECT_EQ(body["keys"][0]["kid"], rsa.thumbprint());
  EXPECT_FALSE(body["keys"][0].contains("d"));
  auto v = dir::verify_directory_response(*served, kUrl, at(kCreated));
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->directory.keys()[1].key.algorithm(), wba::Algorithm::rsa_v1_5_sha256);
  EXPECT_EQ(v->proofs.size(), 2u);

  // include_alg adds the JOSE name to every key.
  o.include_alg = true;
  auto with_alg = dir::make_directory_response({ed25519_test_key()}, kAuthority, o);
  ASSERT_TRUE(with_alg.ok());
  EXPECT_EQ(json::parse(*with_alg->body)["keys"][0]["alg"], "EdDSA");
}

}  // namespace

#include "wba/directory/verify.h"

#include <algorithm>

#include "wba/sig/component.h"
#include "wba/sig/signature_fields.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace wba::directory {
namespace {

Error proof_error(const std::string& label, std::string why) {
  return Error(Reason::directory_signature_invalid,
               "directory signature '" + label + "': " + std::move(why));
}

bool covers(const sig::SignatureParams& params, const sig::ComponentId& id) {
  const auto& c = params.components();
  return std::find(c.begin(), c.end(), id) != c.end();
}

// One App. B.1 proof: the profile's requirements first (they need no crypto), then RFC 9421
// verification with the directory's own key, which also compares Content-Digest with the body.
// nullopt: a non-conforming signature skipped under skip_nonconforming_proofs.
Result<std::optional<KeyProof>> check_proof(const http::Message& message,
                                            const sig::LabelledSignature& s,
                                            const Directory& directory,
                                            const VerifyOptions& options, std::int64_t now) {
  static const auto required = sig::parse_component_list(R"("@authority";req "content-digest")");
  const auto& params = s.params;
  auto keyid = params.keyid();
  if (!keyid) {
    if (options.skip_nonconforming_proofs) return std::optional<KeyProof>();
    return proof_error(s.label, "no keyid");
  }
  const DirectoryKey* key = directory.find_any(*keyid);
  if (!key) {
    for (const auto& r : directory.refused()) {
      if (r.thumbprint == *keyid) {
        return proof_error(s.label, "signed by keys[" + std::to_string(r.index) +
                                        "], which was refused: " + r.error.message());
      }
    }
    return proof_error(s.label,
                       "keyid \"" + *keyid + "\" is not the thumbprint of a key of this directory");
  }
  // Shape requirements of App. B.1 (as opposed to a signature that does not verify).
  std::optional<std::string> nonconforming;
  for (const auto& id : required.value()) {
    if (!nonconforming && !covers(params, id)) nonconforming = id.serialize() + " is not covered";
  }
  if (!nonconforming && !params.created()) nonconforming = "no 'created' parameter";
  if (!nonconforming && !params.expires()) nonconforming = "no 'expires' parameter";
  if (nonconforming) {
    if (options.skip_nonconforming_proofs) return std::optional<KeyProof>();
    return proof_error(s.label, *nonconforming);
  }

  sig::VerifyOptions vo;
  vo.now = now;
  vo.max_clock_skew = options.max_clock_skew;
  vo.require_created = true;
  vo.require_expires = true;
  vo.check_content_digest = true;
  sig::Verifier verifier(sig::single_key_lookup(key->key), vo);
  auto verified = verifier.verify_one(message, s);
  if (!verified) return proof_error(s.label, verified.error().message());
  // Defence in depth: the digest is the only thing tying the signature to the body.
  if (!verified->content_digest_checked()) {
    return proof_error(s.label, "Content-Digest was not checked against the body");
  }
  return std::optional<KeyProof>(
      KeyProof{s.label, key->thumbprint(), *params.created(), *params.expires()});
}

}  // namespace

bool VerifiedDirectory::proven(std::string_view thumbprint) const noexcept {
  return std::any_of(proofs.begin(), proofs.end(),
                     [&](const KeyProof& p) { return p.thumbprint == thumbprint; });
}

Result<VerifiedDirectory> verify_directory_response(const http::Response& response,
                                                    std::string_view url,
                                                    const VerifyOptions& options) {
  if (response.status != 200) {
    return Error(Reason::directory_unavailable,
                 "status " + std::to_string(response.status) + " (only 200 counts, §5.5)");
  }
  if (options.check_media_type) {
    auto types = response.headers.values("content-type");
    if (types.empty()) return Error(Reason::directory_invalid, "no Content-Type");
    if (types.size() > 1) return Error(Reason::directory_invalid, "more than one Content-Type");
    if (!is_directory_media_type(types.front())) {
      return Error(Reason::directory_invalid, "Content-Type \"" + std::string(types.front()) +
                                                  "\" is not " + std::string(kMediaType));
    }
  }
  if (!response.body) return Error(Reason::directory_invalid, "the response has no body");

  VerifiedDirectory out;
  WBA_TRY(out.directory, parse_directory(*response.body, url, options.parse));

  const http::Message message(response);
  const bool has_fields =
      response.headers.contains("signature-input") || response.headers.contains("signature");
  std::vector<sig::LabelledSignature> signatures;
  if (has_fields) {
    auto parsed = sig::parse_signatures(message);
    if (!parsed) {
      return Error(Reason::directory_signature_invalid,
                   "signature fields: " + parsed.error().message());
    }
    for (auto& s : *parsed) {
      if (s.params.tag() == kDirectoryTag) signatures.push_back(std::move(s));
    }
  }
  if (!signatures.empty() && !response.request) {
    return Error(Reason::invalid_argument,
                 "response.request must be the request that fetched the directory "
                 "(\"@authority\";req is covered)");
  }
  const std::int64_t now = options.now.value_or(sig::unix_now());
  for (const auto& s : signatures) {
    WBA_TRY(std::optional<KeyProof> proof, check_proof(message, s, out.directory, options, now));
    if (proof) out.proofs.push_back(std::move(*proof));
  }
  if (options.require_signatures && out.proofs.empty()) {
    return Error(Reason::directory_signature_invalid,
                 "no signature tagged \"" + std::string(kDirectoryTag) + "\"");
  }
  if (options.require_all_keys_proven) {
    for (const auto& k : out.directory.keys()) {
      if (!out.proven(k.thumbprint())) {
        return Error(Reason::directory_signature_invalid, "key " + k.thumbprint() + " (keys[" +
                                                              std::to_string(k.index) +
                                                              "]) carries no valid proof");
      }
    }
  }
  return out;
}

}  // namespace wba::directory

#include "wba/crypto/content_digest.h"

#include <variant>

#include <openssl/crypto.h>

#include "crypto/hash.h"
#include "wba/encoding/base64.h"
#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"
#include "wba/sfv/value.h"

namespace wba {
namespace {

detail::Hash hash_of(DigestAlgorithm alg) {
  return alg == DigestAlgorithm::sha_256 ? detail::Hash::sha256 : detail::Hash::sha512;
}

}  // namespace

std::string_view to_string(DigestAlgorithm alg) noexcept {
  return alg == DigestAlgorithm::sha_256 ? "sha-256" : "sha-512";
}

std::string make_content_digest(std::string_view content,
                                std::initializer_list<DigestAlgorithm> algs) {
  // RFC 9530 §2: a Dictionary keyed by algorithm, each value the Byte Sequence of the digest.
  sfv::Dictionary dict;
  for (DigestAlgorithm alg : algs) {
    dict.set(std::string(to_string(alg)),
             sfv::Item{sfv::ByteSequence{detail::hash(hash_of(alg), content)}, {}});
  }
  auto out = sfv::serialize(dict);
  if (out.ok()) return std::move(out).value();
  // Unreachable: registry keys and Byte Sequences always serialize. Kept total by writing the
  // canonical RFC 9651 §4.1.2 form directly.
  std::string text;
  for (const auto& [key, member] : dict) {
    if (!text.empty()) text += ", ";
    text += key + "=:" +
            base64_encode(std::get<sfv::ByteSequence>(std::get<sfv::Item>(member).value).bytes) +
            ":";
  }
  return text;
}

Status verify_content_digest(std::string_view field_value, std::string_view content) {
  WBA_TRY(sfv::Dictionary dict, sfv::parse_dictionary(field_value));
  bool checked = false;
  for (const auto& [key, member] : dict) {
    DigestAlgorithm alg;
    if (key == "sha-256") {
      alg = DigestAlgorithm::sha_256;
    } else if (key == "sha-512") {
      alg = DigestAlgorithm::sha_512;
    } else {
      // Unknown and deprecated algorithms (md5, sha, crc32c…) prove nothing against an attacker
      // (RFC 9530 §5, §6.6): ignored, never accepted on their own.
      continue;
    }
    const auto* item = std::get_if<sfv::Item>(&member);
    const auto* bytes = item ? std::get_if<sfv::ByteSequence>(&item->value) : nullptr;
    if (bytes == nullptr) {
      return Error(Reason::malformed_field,
                   "Content-Digest member " + key + " is not a Byte Sequence (RFC 9530 §2)");
    }
    const std::string expected = detail::hash(hash_of(alg), content);
    if (bytes->bytes.size() != expected.size() ||
        CRYPTO_memcmp(bytes->bytes.data(), expected.data(), expected.size()) != 0) {
      return Error(Reason::digest_mismatch,
                   "Content-Digest " + key + " does not match the content");
    }
    checked = true;
  }
  if (!checked) {
    return Error(Reason::unsupported_digest, "Content-Digest has no sha-256 or sha-512 member");
  }
  return {};
}

}  // namespace wba

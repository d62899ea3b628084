#include "wba/encoding/base64.h"

#include <sodium.h>

namespace wba {
namespace {

std::string encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the NUL libsodium writes
  return out;
}

Result<std::string> decode(std::string_view text, int variant, const char* what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return Error(Reason::malformed_field, std::string("invalid ") + what);
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, sodium_base64_VARIANT_ORIGINAL);
}

Result<std::string> base64_decode(std::string_view text) {
  // Padding is optional: strip it (at most two '=' and only where the length allows it),
  // then decode strictly without padding.
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 0 && text.size() % 4 != 0) {
    return Error(Reason::malformed_field, "invalid base64 padding");
  }
  return decode(text.substr(0, text.size() - pad), sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                "base64");
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Result<std::string> base64url_decode(std::string_view text) {
  return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "base64url");
}

}  // namespace wba

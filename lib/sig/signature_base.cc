#include "wba/sig/signature_base.h"

namespace wba::sig {

Result<std::string> signature_base(const http::Message& message, const SignatureParams& params) {
  std::string base;
  // Every line is written in place: a typical Web Bot Auth base (four components, a 64-byte
  // nonce, a thumbprint keyid) is 400-odd bytes, so start past that instead of growing.
  base.reserve(512);
  for (const auto& id : params.components()) {
    id.serialize_to(base);
    base.append(": ");
    const std::size_t value = base.size();
    WBA_CHECK(append_component_value(base, message, id));
    // §2.5 step 4: the base is ASCII, and a value never contains a line break (§2).
    for (std::size_t i = value; i < base.size(); ++i) {
      const auto c = static_cast<unsigned char>(base[i]);
      if ((c < 0x20 && c != '\t') || c > 0x7E) {
        return Error(Reason::invalid_component, id.serialize() + ": value is not printable ASCII");
      }
    }
    base += '\n';
  }
  base.append("\"@signature-params\": ");
  params.serialize_to(base);
  return base;
}

}  // namespace wba::sig

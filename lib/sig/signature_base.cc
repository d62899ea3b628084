#include "wba/sig/signature_base.h"

namespace wba::sig {

Result<std::string> signature_base(const http::Message& message, const SignatureParams& params) {
  std::string base;
  base.reserve(256);
  for (const auto& id : params.components()) {
    WBA_TRY(std::string value, component_value(message, id));
    // §2.5 step 4: the base is ASCII, and a value never contains a line break (§2).
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c > 0x7E) {
        return Error(Reason::invalid_component, id.serialize() + ": value is not printable ASCII");
      }
    }
    base.append(id.serialize()).append(": ").append(value).append("\n");
  }
  base.append("\"@signature-params\": ").append(params.serialize());
  return base;
}

}  // namespace wba::sig

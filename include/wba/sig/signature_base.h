// RFC 9421 §2.5: the signature base, byte for byte.
#pragma once

#include <string>

#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sig/signature_params.h"

namespace wba::sig {

// One line per covered component (`"name";params: value` + LF) and the @signature-params line
// last, with no trailing LF. Any component error aborts (no partial base).
Result<std::string> signature_base(const http::Message& message, const SignatureParams& params);

}  // namespace wba::sig

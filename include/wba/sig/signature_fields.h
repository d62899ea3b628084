// RFC 9421 §4: the Signature-Input and Signature fields, with any number of labelled signatures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sig/signature_params.h"

namespace wba::sig {

struct LabelledSignature {
  std::string label;
  SignatureParams params;
  std::string signature;  // raw bytes
};

// Every signature in the message, in Signature-Input order. Field lines of each field are
// combined as one Dictionary (§4.1, §4.2). Errors: missing_signature (neither field present),
// malformed_signature_input, malformed_signature, label_mismatch (a label in one field only),
// and the SignatureParams errors of a member.
Result<std::vector<LabelledSignature>> parse_signatures(const http::Message& message);

// One labelled member of the two fields and what became of it: the signature, or why that label
// cannot be used (label_mismatch, malformed_signature, the SignatureParams errors).
struct SignatureEntry {
  std::string label;
  Result<LabelledSignature> signature;
};

// As parse_signatures, but a member that cannot be used fails only its own entry (RFC 9421 §3.2:
// a verifier decides per signature, so a malformed signature it does not choose must not fail
// the one it does). Entries in Signature-Input order, then labels found only in Signature. Errors
// of the whole: missing_signature, and a field that is not a Dictionary
// (malformed_signature_input, malformed_signature).
Result<std::vector<SignatureEntry>> parse_signature_entries(const http::Message& message);

// Adds one signature to the message as one new Signature-Input and one new Signature field line
// (recipients combine lines into one Dictionary, §4.1). A label already present, or one that is
// not a valid Dictionary key → invalid_argument.
Status add_signature(http::Message& message, const LabelledSignature& signature);

}  // namespace wba::sig

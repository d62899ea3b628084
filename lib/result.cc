#include "wba/result.h"

#include <cstdio>
#include <ostream>

namespace wba {

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
#define WBA_REASON(name) \
  case Reason::name:     \
    return #name;
    WBA_REASON(ok)
    WBA_REASON(invalid_argument)
    WBA_REASON(limit_exceeded)
    WBA_REASON(io_error)
    WBA_REASON(malformed_field)
    WBA_REASON(serialization_error)
    WBA_REASON(malformed_message)
    WBA_REASON(malformed_json)
    WBA_REASON(invalid_key)
    WBA_REASON(unsupported_algorithm)
    WBA_REASON(key_alg_mismatch)
    WBA_REASON(crypto_error)
    WBA_REASON(missing_signature)
    WBA_REASON(unknown_label)
    WBA_REASON(malformed_signature_input)
    WBA_REASON(malformed_signature)
    WBA_REASON(label_mismatch)
    WBA_REASON(missing_component)
    WBA_REASON(invalid_component)
    WBA_REASON(duplicate_component)
    WBA_REASON(bad_signature)
    WBA_REASON(expired)
    WBA_REASON(not_yet_valid)
    WBA_REASON(invalid_signature_params)
    WBA_REASON(no_matching_signature)
    WBA_REASON(key_not_found)
    WBA_REASON(digest_mismatch)
    WBA_REASON(unsupported_digest)
    WBA_REASON(missing_body)
    WBA_REASON(wrong_tag)
    WBA_REASON(authority_not_covered)
    WBA_REASON(signature_agent_not_covered)
    WBA_REASON(missing_signature_agent)
    WBA_REASON(invalid_signature_agent)
    WBA_REASON(missing_created)
    WBA_REASON(missing_expires)
    WBA_REASON(lifetime_too_long)
    WBA_REASON(missing_nonce)
    WBA_REASON(invalid_nonce)
    WBA_REASON(missing_keyid)
    WBA_REASON(keyid_mismatch)
    WBA_REASON(test_key_refused)
    WBA_REASON(replayed)
    WBA_REASON(directory_unavailable)
    WBA_REASON(directory_invalid)
    WBA_REASON(directory_signature_invalid)
    WBA_REASON(private_key_in_directory)
    WBA_REASON(invalid_agent_card)
    WBA_REASON(token_required)
    WBA_REASON(invalid_request)
    WBA_REASON(unsupported_token_scheme)
    WBA_REASON(authorization_not_signed)
    WBA_REASON(stale_binding_signature)
    WBA_REASON(signature_replayed)
    WBA_REASON(invalid_dpop_proof)
    WBA_REASON(invalid_httpsig_proof)
    WBA_REASON(unsupported_token_format)
    WBA_REASON(malformed_jwt)
    WBA_REASON(alg_not_allowed)
    WBA_REASON(invalid_typ)
    WBA_REASON(untrusted_issuer)
    WBA_REASON(issuer_metadata_unavailable)
    WBA_REASON(unknown_kid)
    WBA_REASON(invalid_signature)
    WBA_REASON(invalid_audience)
    WBA_REASON(token_expired)
    WBA_REASON(token_not_yet_valid)
    WBA_REASON(token_issued_in_future)
    WBA_REASON(token_lifetime_exceeded)
    WBA_REASON(missing_claim)
    WBA_REASON(invalid_claim)
    WBA_REASON(token_revoked)
    WBA_REASON(token_inactive)
    WBA_REASON(introspection_unavailable)
    WBA_REASON(invalid_act)
    WBA_REASON(act_chain_too_deep)
    WBA_REASON(invalid_cnf)
    WBA_REASON(unsupported_cnf_method)
    WBA_REASON(pop_scheme_mismatch)
    WBA_REASON(binding_unverifiable)
    WBA_REASON(token_not_sender_constrained)
    WBA_REASON(cnf_key_mismatch)
    WBA_REASON(agent_binding_mismatch)
    WBA_REASON(delegation_not_exchanged)
    WBA_REASON(delegation_required)
    WBA_REASON(actor_unauthorized)
    WBA_REASON(insufficient_scope)
#undef WBA_REASON
    default:
      return "unknown_reason";
  }
}

std::ostream& operator<<(std::ostream& os, Reason reason) { return os << to_string(reason); }

std::string Error::message() const {
  std::string out(to_string(reason));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

namespace detail {
void bad_result_access(const Error& e) noexcept {
  std::fprintf(stderr, "wba::Result accessed wrongly: %s\n", e.message().c_str());
  std::abort();
}
}  // namespace detail

}  // namespace wba

// wba::Result<T>: a value or an Error with a stable Reason code. Errors are values: the library
// never throws for bad input (only std::bad_alloc may escape), because every input is
// attacker-controlled and the callers are servers.
#pragma once

#include <cstdlib>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace wba {

// Stable reason codes. Enumerators are spelled exactly like their wire strings (JSON verdicts,
// CLI output, logs, metrics labels). Never renumber or reuse; append new ones at the end of
// their group. to_string() is the only place the strings are spelled (lib/result.cc).
enum class Reason : int {
  ok = 0,
  // Generic input and usage errors.
  invalid_argument = 1,     // a caller-supplied value is not acceptable (not attacker input)
  limit_exceeded = 2,       // an explicit size/count limit was exceeded
  io_error = 3,             // a file named by the caller could not be read or written
  malformed_field = 4,      // a Structured Field failed to parse (RFC 9651 §4.2)
  serialization_error = 5,  // a value cannot be serialized as a Structured Field (RFC 9651 §4.1)
  malformed_message = 6,    // an HTTP message or target URI is not well-formed
  malformed_json = 7,       // JSON syntax, duplicate member, nesting too deep
  // Keys and algorithms.
  invalid_key = 20,            // key material is malformed, of a wrong size/curve or inconsistent
  unsupported_algorithm = 21,  // algorithm name not known or not allowed here
  key_alg_mismatch = 22,       // the signature's alg disagrees with the key's algorithm
  crypto_error = 23,           // the crypto library failed for a reason other than bad input
  // RFC 9421 signatures.
  missing_signature = 40,          // no Signature / Signature-Input fields in the message
  unknown_label = 41,              // the requested label is not present
  malformed_signature_input = 42,  // Signature-Input is not a valid Dictionary of Inner Lists
  malformed_signature = 43,        // Signature is not a valid Dictionary of Byte Sequences
  label_mismatch = 44,             // a label is in one of Signature / Signature-Input only
  missing_component = 45,          // a covered component is not in the message
  invalid_component = 46,          // a component identifier or its parameters are not valid
  duplicate_component = 47,        // the same component identifier is covered twice
  bad_signature = 48,              // the cryptographic check failed
  expired = 49,                    // `expires` is in the past
  not_yet_valid = 50,              // `created` is in the future (beyond the allowed skew)
  invalid_signature_params = 51,   // a signature parameter has the wrong type
  no_matching_signature = 52,      // no signature matched the selection (label/tag)
  key_not_found = 53,              // no key is known for the signature's keyid
  // RFC 9530 Content-Digest.
  digest_mismatch = 60,     // Content-Digest does not match the body
  unsupported_digest = 61,  // no supported algorithm in Content-Digest
  missing_body = 62,        // the body needed for a digest is not available
  // Web Bot Auth profile (draft-ietf-webbotauth-httpsig-protocol §5).
  wrong_tag = 80,                    // signatures present, none tagged web-bot-auth
  authority_not_covered = 81,        // neither @authority nor @target-uri is covered
  signature_agent_not_covered = 82,  // Signature-Agent present but its member is not covered
  missing_signature_agent = 83,      // the profile requires a Signature-Agent field
  invalid_signature_agent = 84,      // Signature-Agent malformed, or not an allowed URL
  missing_created = 85,
  missing_expires = 86,
  lifetime_too_long = 87,  // expires - created above the configured maximum
  missing_nonce = 88,      // policy requires a nonce
  invalid_nonce = 89,      // nonce present but not well-formed
  missing_keyid = 90,
  keyid_mismatch = 91,    // keyid is not the RFC 7638 thumbprint of the key used
  test_key_refused = 92,  // an RFC 9421 Appendix B test key, not allowed here
  replayed = 93,          // nonce or signature seen before within its window
  // Key directories (§5.5) and agent cards.
  directory_unavailable = 100,        // could not be fetched (network, status, timeout)
  directory_invalid = 101,            // fetched but malformed, wrong media type, or too large
  directory_signature_invalid = 102,  // the directory's own signatures do not verify
  private_key_in_directory = 103,     // a JWK with private members was published
  invalid_agent_card = 104,
  // Delegated OAuth tokens bound to the agent (docs/DELEGATION.md; research delegation.md §5).
  token_required = 120,
  invalid_request = 121,
  unsupported_token_scheme = 122,
  authorization_not_signed = 123,
  stale_binding_signature = 124,
  signature_replayed = 125,
  invalid_dpop_proof = 126,
  invalid_httpsig_proof = 127,
  unsupported_token_format = 128,
  malformed_jwt = 129,
  alg_not_allowed = 130,
  invalid_typ = 131,
  untrusted_issuer = 132,
  issuer_metadata_unavailable = 133,
  unknown_kid = 134,
  invalid_signature = 135,
  invalid_audience = 136,
  token_expired = 137,
  token_not_yet_valid = 138,
  token_issued_in_future = 139,
  token_lifetime_exceeded = 140,
  missing_claim = 141,
  invalid_claim = 142,
  token_revoked = 143,
  token_inactive = 144,
  introspection_unavailable = 145,
  invalid_act = 146,
  act_chain_too_deep = 147,
  invalid_cnf = 148,
  unsupported_cnf_method = 149,
  pop_scheme_mismatch = 150,
  binding_unverifiable = 151,
  token_not_sender_constrained = 152,
  cnf_key_mismatch = 153,
  agent_binding_mismatch = 154,
  delegation_not_exchanged = 155,
  delegation_required = 156,
  actor_unauthorized = 157,
  insufficient_scope = 158,
};

// The wire spelling of a reason, e.g. "bad_signature".
std::string_view to_string(Reason reason) noexcept;
// Writes to_string(reason) (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, Reason reason);

struct Error {
  Reason reason = Reason::invalid_argument;
  std::string detail;  // human-readable; names the offending input, never secret material

  Error() = default;
  Error(Reason r, std::string d = {}) : reason(r), detail(std::move(d)) {}
  // "reason: detail", for logs and CLI messages.
  std::string message() const;
};

namespace detail {
[[noreturn]] void bad_result_access(const Error& e) noexcept;
}

// A value of T or an Error. Accessing the value of an error (or the error of a value) is a
// programming error and aborts with the error's message, like absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& v) : data_(std::in_place_index<0>, v) {}
  Result(T&& v) : data_(std::in_place_index<0>, std::move(v)) {}
  Result(Error e) : data_(std::in_place_index<1>, std::move(e)) {}
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Error> &&
                                                    !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& v) : data_(std::in_place_index<0>, T(std::forward<U>(v))) {}

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  const T& value() const& {
    if (!ok()) detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(data_);
  }
  T& value() & {
    if (!ok()) detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(data_);
  }
  T&& value() && {
    if (!ok()) detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& {
    if (ok()) detail::bad_result_access(Error(Reason::ok, "error() on a value"));
    return std::get<1>(data_);
  }
  Error&& error() && {
    if (ok()) detail::bad_result_access(Error(Reason::ok, "error() on a value"));
    return std::get<1>(std::move(data_));
  }
  Reason reason() const noexcept { return ok() ? Reason::ok : std::get<1>(data_).reason; }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : error_(std::move(e)), ok_(false) {}

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) detail::bad_result_access(error_);
  }
  const Error& error() const& {
    if (ok_) detail::bad_result_access(Error(Reason::ok, "error() on a value"));
    return error_;
  }
  Reason reason() const noexcept { return ok_ ? Reason::ok : error_.reason; }

 private:
  Error error_{Reason::ok, {}};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace wba

// Propagates an error from an expression returning a Result: `WBA_TRY(auto x, parse(...));`
#define WBA_DETAIL_CONCAT2(a, b) a##b
#define WBA_DETAIL_CONCAT(a, b) WBA_DETAIL_CONCAT2(a, b)
#define WBA_TRY_IMPL(tmp, decl, expr)           \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
#define WBA_TRY(decl, expr) WBA_TRY_IMPL(WBA_DETAIL_CONCAT(wba_try_, __LINE__), decl, expr)
// Propagates the error of a Status-returning expression.
#define WBA_CHECK(expr)                                            \
  do {                                                             \
    auto wba_check_status_ = (expr);                               \
    if (!wba_check_status_.ok()) return wba_check_status_.error(); \
  } while (0)

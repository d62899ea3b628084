// RFC 9421 §2.3: the covered components and signature parameters of one signature: the value of
// a Signature-Input member and of the @signature-params component. Parameter order is the
// signer's and is preserved byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/result.h"
#include "wba/sfv/value.h"
#include "wba/sig/component.h"

namespace wba::sig {

class SignatureParams {
 public:
  SignatureParams() = default;

  // From a parsed Signature-Input member: the inner list's items must be valid component
  // identifiers (invalid_component), unique (duplicate_component); `created`/`expires` must be
  // Integers, `nonce`/`alg`/`keyid`/`tag` Strings (invalid_signature_params). Unknown
  // parameters are kept (the registry may grow).
  static Result<SignatureParams> from_inner_list(const sfv::InnerList& list);
  // The same, taking the items and parameters over from a list that is no longer needed.
  static Result<SignatureParams> from_inner_list(sfv::InnerList&& list);
  // From the text of an inner list, e.g. `("@method");created=1;keyid="k"`.
  static Result<SignatureParams> parse(std::string_view inner_list_text);

  const std::vector<ComponentId>& components() const noexcept { return components_; }
  // Appends a component; duplicate → duplicate_component.
  Status add_component(ComponentId id);

  std::optional<std::int64_t> created() const;
  std::optional<std::int64_t> expires() const;
  std::optional<std::string> nonce() const;
  std::optional<std::string> alg() const;
  std::optional<std::string> keyid() const;
  std::optional<std::string> tag() const;
  // Setters keep the position of an existing parameter and append new ones.
  void set_created(std::int64_t t);
  void set_expires(std::int64_t t);
  void set_nonce(std::string v);
  void set_alg(std::string v);
  void set_keyid(std::string v);
  void set_tag(std::string v);
  const sfv::Parameters& params() const noexcept { return params_; }

  sfv::InnerList to_inner_list() const;
  // The canonical serialisation: the @signature-params value (§2.3).
  std::string serialize() const;
  // Appends serialize() to `out` (the last line of the signature base).
  void serialize_to(std::string& out) const;

 private:
  std::vector<ComponentId> components_;
  sfv::Parameters params_;
};

}  // namespace wba::sig

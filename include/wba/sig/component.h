// RFC 9421 §2: component identifiers and their values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sfv/value.h"

namespace wba::sig {

// A component identifier: a name (lower-case field name, or "@"-prefixed derived component)
// with parameters, whose received order is kept for re-serialisation (§2).
class ComponentId {
 public:
  // Validates an identifier parsed from a Signature-Input inner list: the item must be a
  // String; field names must be lower-case; parameters must be known (§2.1: sf, key, bs, req,
  // tr; §2.2.8: name) and of the right types. Errors: invalid_component.
  static Result<ComponentId> from_item(const sfv::Item& item);
  // The same, taking the name and parameters over from an item that is no longer needed.
  static Result<ComponentId> from_item(sfv::Item&& item);
  // A plain identifier without parameters, e.g. "@method" or "content-type".
  static Result<ComponentId> make(std::string_view name);

  const std::string& name() const noexcept { return name_; }
  const sfv::Parameters& params() const noexcept { return params_; }
  bool is_derived() const noexcept { return !name_.empty() && name_[0] == '@'; }
  bool has_param(std::string_view p) const noexcept { return params_.find(p) != nullptr; }

  sfv::Item to_item() const;
  // `"name";p1;p2=…` as it appears at the start of a signature base line.
  std::string serialize() const;
  // Appends serialize() to `out` (the signature base is built without a string per line).
  void serialize_to(std::string& out) const;
  // Equal when names are equal and parameter sets are equal in any order (§2).
  friend bool operator==(const ComponentId& a, const ComponentId& b);

 private:
  ComponentId() = default;
  std::string name_;
  sfv::Parameters params_;
};

// Parses a space-separated list of identifiers as written in an Inner List, e.g.
// `"@method" "@authority" "content-type";sf` (what the CLI's --components takes).
Result<std::vector<ComponentId>> parse_component_list(std::string_view text);

// The value of one covered component in `message` (§2.1, §2.2, §2.4). Missing field, key or
// query parameter → missing_component; invalid combination (bs with sf/key, req on a request,
// @status on a request, a request-only component on a response, unknown derived name, `sf` on
// an unknown field type, non-ASCII value) → invalid_component.
Result<std::string> component_value(const http::Message& message, const ComponentId& id);
// Appends component_value to `out` (the signature base is built without a string per value).
// Same errors; on error `out` is left unchanged.
Status append_component_value(std::string& out, const http::Message& message,
                              const ComponentId& id);

}  // namespace wba::sig

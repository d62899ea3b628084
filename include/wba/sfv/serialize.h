// RFC 9651 §4.1 canonical serialization. Fails with Reason::serialization_error for values that
// have no serialization (integer out of range, invalid token/key characters, non-ASCII string…).
#pragma once

#include <string>

#include "wba/result.h"
#include "wba/sfv/parse.h"
#include "wba/sfv/value.h"

namespace wba::sfv {

Result<std::string> serialize(const Item& item);
Result<std::string> serialize(const InnerList& inner_list);
Result<std::string> serialize(const ListMember& member);
Result<std::string> serialize(const List& list);
Result<std::string> serialize(const Dictionary& dict);
Result<std::string> serialize(const Field& field);
Result<std::string> serialize_bare_item(const BareItem& value);
// ";k=v" for each parameter (empty string for no parameters).
Result<std::string> serialize_params(const Parameters& params);
// The value of a Dictionary member as RFC 9421 §2.1.2 `;key` wants it: the member's value with
// its parameters, without the key; a Boolean true member serializes as "?1" plus parameters.
Result<std::string> serialize_member_value(const ListMember& member);

// The same serializations appended to `out`, for callers assembling a larger text (the RFC 9421
// signature base) without a temporary string per value. On failure `out` is left unchanged.
Status serialize_params_to(std::string& out, const Parameters& params);
Status serialize_member_value_to(std::string& out, const ListMember& member);

}  // namespace wba::sfv

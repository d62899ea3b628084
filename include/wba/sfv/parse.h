// RFC 9651 §4.2 strict parsing. Any failure discards the whole field (no partial results) and
// returns Reason::malformed_field with a detail naming the offset and the problem.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "wba/result.h"
#include "wba/sfv/value.h"

namespace wba::sfv {

// Explicit parser limits. Defaults are at least the minimums RFC 9651 §3 asks parsers to
// support (1024 list/dictionary members, 256 inner-list members and parameters, 1024-char
// strings, 512-char tokens, 16384-byte byte sequences). Exceeding one → Reason::limit_exceeded.
struct ParseLimits {
  std::size_t max_field_bytes = 64 * 1024;
  std::size_t max_members = 1024;         // List or Dictionary members
  std::size_t max_inner_list_items = 256;
  std::size_t max_params = 256;
  std::size_t max_string_bytes = 8 * 1024;
  std::size_t max_byte_sequence_bytes = 32 * 1024;  // decoded
};

Result<Item> parse_item(std::string_view field_value, const ParseLimits& limits = {});
Result<List> parse_list(std::string_view field_value, const ParseLimits& limits = {});
Result<Dictionary> parse_dictionary(std::string_view field_value,
                                    const ParseLimits& limits = {});

// Joins several field lines of one field as §4.2 asks before parsing ("," + SP).
std::string join_field_lines(std::span<const std::string> lines);

// A parsed field of any top-level type.
using Field = std::variant<Item, List, Dictionary>;
Result<Field> parse(std::string_view field_value, FieldType type, const ParseLimits& limits = {});

}  // namespace wba::sfv

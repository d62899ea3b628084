#include "wba/jose/json.h"

#include <string>
#include <utility>
#include <vector>

namespace wba::jose {
namespace {

using nlohmann::json;

// Builds the DOM from nlohmann's SAX events. The SAX parser keeps its own state in a vector, not
// on the call stack, so refusing a level beyond max_depth here bounds both the parse and the
// recursion anything later does on the value. Returning false stops the parse at once.
class StrictDomBuilder {
 public:
  explicit StrictDomBuilder(std::size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool key(json::string_t& name) {
    json& object = *stack_.back();
    // RFC 7519 §4 / RFC 8725: a second member of the same name must not silently win.
    if (object.contains(name)) return fail("duplicate member \"" + name + "\"");
    pending_ = &object[name];
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_array() { return close(); }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    if (error_.empty()) error_ = "invalid JSON at byte " + std::to_string(position);
    return false;
  }

  json& result() { return root_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  // Places a value where the parser is: the root, the member named by the last key, or the
  // next element of the open array. Returns where it went.
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    *pending_ = std::move(v);
    return pending_;
  }

  bool put(json&& v) {
    place(std::move(v));
    return true;
  }

  bool open(json&& container) {
    if (stack_.size() >= max_depth_) {
      return fail("nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  std::size_t max_depth_;
  json root_;
  std::vector<json*> stack_;  // open containers; pointers stay valid while they are open
  json* pending_ = nullptr;   // the member the next value of an object goes to
  std::string error_;
};

}  // namespace

Result<json> parse_strict_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(Reason::limit_exceeded, "JSON text of " + std::to_string(text.size()) +
                                             " bytes; at most " + std::to_string(limits.max_bytes) +
                                             " are allowed");
  }
  // nlohmann stops at a NUL byte as if the input ended there, which would let bytes after it
  // pass unseen; a raw NUL is never valid JSON anyway (RFC 8259 §7 wants it escaped).
  if (text.find('\0') != std::string_view::npos) {
    return Error(Reason::malformed_json, "JSON text holds a NUL byte");
  }
  // nlohmann skips a UTF-8 byte order mark; RFC 8259 §8.1 forbids sending one, and a token's
  // bytes should have one meaning only.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return Error(Reason::malformed_json, "JSON text starts with a byte order mark");
  }
  StrictDomBuilder builder(limits.max_depth);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception&) {
    ok = false;
  }
  if (!ok) {
    return Error(Reason::malformed_json,
                 builder.error().empty() ? std::string("invalid JSON") : builder.error());
  }
  return std::move(builder.result());
}

}  // namespace wba::jose

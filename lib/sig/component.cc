#include "wba/sig/component.h"

#include <algorithm>
#include <array>

#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/parse_query.hpp>

#include "wba/encoding/base64.h"
#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"

namespace wba::sig {
namespace {

namespace urls = boost::urls;

// The message a component is taken from: the signed message itself, or with `req` the request
// a response answers (§2.4). Exactly one pointer is set.
struct Source {
  const http::Request* req = nullptr;
  const http::Response* resp = nullptr;
  const http::Fields& headers() const { return req ? req->headers : resp->headers; }
  const http::Fields& trailers() const { return req ? req->trailers : resp->trailers; }
};

// Errors name the component as serialized; that text is only built when there is an error, so
// that the verification path does not serialize every identifier once more per line.
Error invalid(const ComponentId& id, std::string_view why) {
  std::string detail = id.serialize();
  detail.append(": ").append(why);
  return Error(Reason::invalid_component, std::move(detail));
}
Error missing(const ComponentId& id, std::string_view why) {
  std::string detail = id.serialize();
  detail.append(": ").append(why);
  return Error(Reason::missing_component, std::move(detail));
}

bool is_true(const sfv::BareItem& v) {
  const bool* b = std::get_if<bool>(&v);
  return b && *b;
}

// The Structured Field type of fields this library knows (§2.1.1: `sf` on a field of unknown
// type is an error). example-dict is the RFC 9421 §2.1.1 example field.
std::optional<sfv::FieldType> known_field_type(std::string_view name) {
  using sfv::FieldType;
  static constexpr std::array<std::pair<std::string_view, FieldType>, 18> kTypes{{
      {"accept-signature", FieldType::dictionary},
      {"cache-status", FieldType::list},
      {"cdn-cache-control", FieldType::dictionary},
      {"content-digest", FieldType::dictionary},
      {"example-dict", FieldType::dictionary},
      {"example-list", FieldType::list},
      {"priority", FieldType::dictionary},
      {"proxy-status", FieldType::list},
      {"repr-digest", FieldType::dictionary},
      {"signature", FieldType::dictionary},
      {"signature-agent", FieldType::dictionary},
      {"signature-input", FieldType::dictionary},
      {"want-content-digest", FieldType::dictionary},
      {"want-repr-digest", FieldType::dictionary},
      {"accept-ch", FieldType::list},
      {"client-cert", FieldType::item},
      {"client-cert-chain", FieldType::list},
      {"sec-ch-ua-mobile", FieldType::item},
  }};
  for (const auto& [n, t] : kTypes) {
    if (n == name) return t;
  }
  return std::nullopt;
}

// RFC 9421 §2.1: trim, and replace obs-fold (line break followed by SP/HTAB) with one SP.
std::string canonical_field_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\r' || c == '\n') {
      while (i + 1 < v.size() &&
             (v[i + 1] == '\r' || v[i + 1] == '\n' || v[i + 1] == ' ' || v[i + 1] == '\t')) {
        ++i;
      }
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  std::size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  std::size_t e = out.find_last_not_of(" \t");
  return out.substr(b, e - b + 1);
}

// canonical_field_value appended to `out`. A value without line breaks (nearly all of them) is
// only trimmed, which needs no copy of its own.
void append_canonical_field_value(std::string& out, std::string_view v) {
  // A plain loop: find_first_of("\r\n") runs a memchr over the set for every character.
  for (char c : v) {
    if (c == '\r' || c == '\n') {
      out += canonical_field_value(v);
      return;
    }
  }
  const std::size_t b = v.find_first_not_of(" \t");
  if (b == std::string_view::npos) return;
  const std::size_t e = v.find_last_not_of(" \t");
  out.append(v, b, e - b + 1);
}

// §2.5 step 4: the signature base is ASCII; a value that is not must use `bs`.
Status check_ascii(const ComponentId& id, std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c > 0x7E) {
      return invalid(id, "value is not printable ASCII (use ;bs)");
    }
  }
  return {};
}

// WHATWG application/x-www-form-urlencoded percent-encode set, with space as %20 (§2.2.8).
const urls::grammar::lut_chars kFormSafe(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._");

std::string form_reencode(std::string_view decoded) { return urls::encode(decoded, kFormSafe); }

Result<std::string> query_param_value(const http::Request& req, const ComponentId& id,
                                      std::string_view wanted) {
  if (!req.target.query) return missing(id, "request has no query");
  auto params = urls::parse_query(*req.target.query);
  if (!params) return invalid(id, "query is not valid percent-encoded text");
  urls::encoding_opts plus_as_space(true, false, false);
  std::optional<std::string> found;
  for (const auto& p : *params) {
    std::string name = form_reencode(p.key.decode(plus_as_space));
    if (name != wanted) continue;
    if (found) return invalid(id, "query parameter occurs more than once");
    found = p.has_value ? form_reencode(p.value.decode(plus_as_space)) : std::string();
  }
  if (!found) return missing(id, "query parameter not present");
  return *found;
}

// The derived components of §2.2, told apart once instead of by a chain of comparisons.
enum class Derived {
  method,
  target_uri,
  authority,
  scheme,
  request_target,
  path,
  query,
  query_param,
  status,
  signature_params,
  unknown
};

Derived derived_kind(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Derived>, 10> kNames{{
      {"@method", Derived::method},
      {"@target-uri", Derived::target_uri},
      {"@authority", Derived::authority},
      {"@scheme", Derived::scheme},
      {"@request-target", Derived::request_target},
      {"@path", Derived::path},
      {"@query", Derived::query},
      {"@query-param", Derived::query_param},
      {"@status", Derived::status},
      {"@signature-params", Derived::signature_params},
  }};
  for (const auto& [n, d] : kNames) {
    if (n == name) return d;
  }
  return Derived::unknown;
}

Status append_derived_value(std::string& out, const Source& source, const ComponentId& cid) {
  const std::string& name = cid.name();
  const Derived kind = derived_kind(name);
  for (const auto& [k, v] : cid.params()) {
    const std::string_view key = k;  // length-first comparisons, no strlen per literal
    if (key == "req") continue;
    if (key == "name" && kind == Derived::query_param) continue;
    return invalid(cid, "parameter '" + k + "' does not apply to a derived component");
  }
  if (kind == Derived::status) {
    const http::Response* resp = source.resp;
    if (!resp) return invalid(cid, "@status on a request");
    char buf[4];
    std::snprintf(buf, sizeof buf, "%03d", resp->status);
    out += buf;
    return {};
  }
  if (kind == Derived::signature_params) {
    return invalid(cid, "@signature-params cannot be covered");
  }
  if (kind == Derived::unknown) return invalid(cid, "unknown derived component");
  const http::Request* req = source.req;
  if (!req) return invalid(cid, "request component on a response (use ;req)");
  const http::Target& t = req->target;
  switch (kind) {
    case Derived::method:
      out += req->method;
      return {};
    case Derived::target_uri:
      out += t.uri();
      return {};
    case Derived::authority:
      out += t.authority;
      return {};
    case Derived::scheme:
      out += t.scheme;
      return {};
    case Derived::request_target:
      out += t.request_target;
      return {};
    case Derived::path:
      out += t.path;
      return {};
    case Derived::query:
      out += '?';
      if (t.query) out += *t.query;
      return {};
    default:
      break;
  }
  // @query-param
  const auto* wanted = cid.params().find("name");
  if (!wanted) return invalid(cid, "@query-param without name");
  WBA_TRY(std::string value, query_param_value(*req, cid, std::get<sfv::String>(*wanted).value));
  out += value;
  return {};
}

// Appends the field's value (append_component_value takes it back on error).
Status append_field_value(std::string& out, const Source& source, const ComponentId& cid) {
  const auto& p = cid.params();
  // One pass over the (validated, unique) parameters instead of a lookup per name.
  bool bs = false, sf = false, tr = false, name = false;
  const sfv::BareItem* key = nullptr;
  for (const auto& [k, v] : p) {
    const std::string_view param = k;  // length-first comparisons, no strlen per literal
    if (param == "bs") {
      bs = true;
    } else if (param == "sf") {
      sf = true;
    } else if (param == "key") {
      key = &v;
    } else if (param == "tr") {
      tr = true;
    } else if (param == "name") {
      name = true;
    }
  }
  if (name) return invalid(cid, "name applies to @query-param only");
  if (bs && (sf || key)) return invalid(cid, "bs cannot be combined with sf or key");
  const http::Fields& fields = tr ? source.trailers() : source.headers();
  const std::size_t start = out.size();
  // The field lines of this name, in order, combined with ", " (§2.1), straight into `out`.
  bool found = false;
  for (const auto& [field_name, value] : fields.lines()) {
    if (!http::iequals(field_name, cid.name())) continue;
    if (found) out += ", ";
    found = true;
    if (bs) {  // §2.1.3: each line wrapped as a Byte Sequence, as an sf-list
      out += ':';
      out += base64_encode(canonical_field_value(value));
      out += ':';
    } else {
      append_canonical_field_value(out, value);
    }
  }
  if (!found) {
    return missing(cid, std::string("field not in the ") + (tr ? "trailers" : "headers"));
  }
  if (bs) return {};
  if (key) {  // §2.1.2
    auto dict = sfv::parse_dictionary(std::string_view(out).substr(start));
    if (!dict) return invalid(cid, "field is not a Dictionary: " + dict.error().detail);
    const std::string& k = std::get<sfv::String>(*key).value;
    const sfv::ListMember* m = dict->find(k);
    if (!m) return missing(cid, "dictionary has no member '" + k + "'");
    out.resize(start);
    auto s = sfv::serialize_member_value_to(out, *m);
    if (!s) return invalid(cid, s.error().detail);
    return {};
  }
  if (sf) {  // §2.1.1
    auto type = known_field_type(cid.name());
    if (!type) return invalid(cid, "sf on a field of unknown Structured Field type");
    auto parsed = sfv::parse(std::string_view(out).substr(start), *type);
    if (!parsed) return invalid(cid, "field does not parse: " + parsed.error().detail);
    auto s = sfv::serialize(*parsed);
    if (!s) return invalid(cid, s.error().detail);
    out.resize(start);
    out += *s;
    return {};
  }
  return check_ascii(cid, std::string_view(out).substr(start));
}

// Lower-case tchar (RFC 9110 §5.6.2): one table load per character of every covered name.
constexpr std::array<bool, 256> kFieldNameChar = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool valid_field_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!kFieldNameChar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

}  // namespace

Result<ComponentId> ComponentId::from_item(const sfv::Item& item) {
  return from_item(sfv::Item(item));
}

Result<ComponentId> ComponentId::from_item(sfv::Item&& item) {
  auto* s = std::get_if<sfv::String>(&item.value);
  if (!s) return Error(Reason::invalid_component, "component identifier is not a String");
  const std::string& name = s->value;
  // The quoted name for error messages, built only when there is one.
  const auto invalid_id = [&name](std::string_view why) {
    std::string detail;
    detail.reserve(name.size() + why.size() + 4);
    detail.append("\"").append(name).append("\": ").append(why);
    return Error(Reason::invalid_component, std::move(detail));
  };
  if (!name.empty() && name[0] == '@') {
    if (!valid_field_name(std::string_view(name).substr(1))) {
      return invalid_id("invalid derived component name");
    }
  } else if (!valid_field_name(name)) {
    return invalid_id("field names must be lower-case tokens (§2.1)");
  }
  for (const auto& [k, v] : item.params) {
    const std::string_view key = k;  // length-first comparisons, no strlen per literal
    if (key == "sf" || key == "bs" || key == "req" || key == "tr") {
      if (!is_true(v)) return invalid_id("parameter '" + k + "' must be Boolean true");
    } else if (key == "key" || key == "name") {
      if (!std::holds_alternative<sfv::String>(v)) {
        return invalid_id("parameter '" + k + "' must be a String");
      }
    } else {
      return invalid_id("unknown parameter '" + k + "'");
    }
  }
  if (std::string_view(name) == "@query-param" && !item.params.find("name")) {
    return invalid_id("@query-param needs a name parameter (§2.2.8)");
  }
  ComponentId c;
  c.name_ = std::move(s->value);
  c.params_ = std::move(item.params);
  return c;
}

Result<ComponentId> ComponentId::make(std::string_view name) {
  return from_item(sfv::Item{sfv::String{std::string(name)}, {}});
}

sfv::Item ComponentId::to_item() const { return sfv::Item{sfv::String{name_}, params_}; }

std::string ComponentId::serialize() const {
  std::string out;
  out.reserve(name_.size() + 2);
  serialize_to(out);
  return out;
}

void ComponentId::serialize_to(std::string& out) const {
  out.append("\"").append(name_).append("\"");
  // Names and parameters were validated on construction, so serialisation cannot fail.
  if (!params_.empty()) sfv::serialize_params_to(out, params_).value();
}

bool operator==(const ComponentId& a, const ComponentId& b) {
  if (a.name_ != b.name_ || a.params_.size() != b.params_.size()) return false;
  for (const auto& [k, v] : a.params_) {
    const sfv::BareItem* other = b.params_.find(k);
    if (!other || !(*other == v)) return false;
  }
  return true;
}

Result<std::vector<ComponentId>> parse_component_list(std::string_view text) {
  // Appended piecewise: `"(" + std::string(text)` trips GCC 12's -Wrestrict false positive
  // at -O3.
  std::string wrapped;
  wrapped.reserve(text.size() + 2);
  wrapped.append("(").append(text).append(")");
  auto item = sfv::parse_list(wrapped);
  if (!item || item->size() != 1 || !std::holds_alternative<sfv::InnerList>((*item)[0])) {
    return Error(Reason::invalid_component,
                 "not a list of quoted component identifiers: '" + std::string(text) + "'");
  }
  std::vector<ComponentId> out;
  for (const auto& i : std::get<sfv::InnerList>((*item)[0]).items) {
    WBA_TRY(auto c, ComponentId::from_item(i));
    if (std::find(out.begin(), out.end(), c) != out.end()) {
      return Error(Reason::duplicate_component, c.serialize() + " is listed twice");
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> component_value(const http::Message& message, const ComponentId& id) {
  std::string out;
  WBA_CHECK(append_component_value(out, message, id));
  return out;
}

Status append_component_value(std::string& out, const http::Message& message,
                              const ComponentId& id) {
  Source source{std::get_if<http::Request>(&message), std::get_if<http::Response>(&message)};
  if (id.has_param("req")) {
    if (!source.resp) return invalid(id, "req on a request (§2.4)");
    if (!source.resp->request) return missing(id, "no related request available");
    source = Source{source.resp->request.get(), nullptr};
  }
  const std::size_t start = out.size();
  Status s =
      id.is_derived() ? append_derived_value(out, source, id) : append_field_value(out, source, id);
  if (!s) out.resize(start);
  return s;
}

}  // namespace wba::sig

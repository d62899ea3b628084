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

Error invalid(const std::string& id, std::string why) {
  return Error(Reason::invalid_component, id + ": " + why);
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
      while (i + 1 < v.size() && (v[i + 1] == '\r' || v[i + 1] == '\n' || v[i + 1] == ' ' ||
                                  v[i + 1] == '\t')) {
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

// §2.5 step 4: the signature base is ASCII; a value that is not must use `bs`.
Status check_ascii(const std::string& id, std::string_view value) {
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

std::string form_reencode(std::string_view decoded) {
  return urls::encode(decoded, kFormSafe);
}

Result<std::string> query_param_value(const http::Request& req, const std::string& id,
                                      std::string_view wanted) {
  if (!req.target.query) return Error(Reason::missing_component, id + ": request has no query");
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
  if (!found) return Error(Reason::missing_component, id + ": query parameter not present");
  return *found;
}

Result<std::string> derived_value(const Source& source, const ComponentId& cid,
                                  const std::string& id) {
  const std::string& name = cid.name();
  for (const auto& [k, v] : cid.params()) {
    if (k == "req") continue;
    if (k == "name" && name == "@query-param") continue;
    return invalid(id, "parameter '" + k + "' does not apply to a derived component");
  }
  if (name == "@status") {
    const http::Response* resp = source.resp;
    if (!resp) return invalid(id, "@status on a request");
    char buf[4];
    std::snprintf(buf, sizeof buf, "%03d", resp->status);
    return std::string(buf);
  }
  if (name == "@signature-params") return invalid(id, "@signature-params cannot be covered");
  const http::Request* req = source.req;
  static constexpr std::array<std::string_view, 8> kRequestOnly{
      "@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query",
      "@query-param"};
  if (std::find(kRequestOnly.begin(), kRequestOnly.end(), name) == kRequestOnly.end()) {
    return invalid(id, "unknown derived component");
  }
  if (!req) return invalid(id, "request component on a response (use ;req)");
  const http::Target& t = req->target;
  if (name == "@method") return req->method;
  if (name == "@target-uri") return t.uri();
  if (name == "@authority") return t.authority;
  if (name == "@scheme") return t.scheme;
  if (name == "@request-target") return t.request_target;
  if (name == "@path") return t.path;
  if (name == "@query") return "?" + t.query.value_or("");
  // @query-param
  const auto* wanted = cid.params().find("name");
  if (!wanted) return invalid(id, "@query-param without name");
  return query_param_value(*req, id, std::get<sfv::String>(*wanted).value);
}

Result<std::string> field_value(const Source& source, const ComponentId& cid,
                                const std::string& id) {
  const auto& p = cid.params();
  bool bs = p.find("bs") != nullptr;
  bool sf = p.find("sf") != nullptr;
  const sfv::BareItem* key = p.find("key");
  if (p.find("name")) return invalid(id, "name applies to @query-param only");
  if (bs && (sf || key)) return invalid(id, "bs cannot be combined with sf or key");
  const http::Fields& fields = p.find("tr") ? source.trailers() : source.headers();
  auto raw = fields.values(cid.name());
  if (raw.empty()) {
    return Error(Reason::missing_component,
                 id + ": field not in the " + (p.find("tr") ? "trailers" : "headers"));
  }
  std::string out;
  if (bs) {  // §2.1.3: each line wrapped as a Byte Sequence, as an sf-list
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (i) out += ", ";
      out += ':' + base64_encode(canonical_field_value(raw[i])) + ':';
    }
    return out;
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i) out += ", ";
    out += canonical_field_value(raw[i]);
  }
  if (key) {  // §2.1.2
    auto dict = sfv::parse_dictionary(out);
    if (!dict) return invalid(id, "field is not a Dictionary: " + dict.error().detail);
    const std::string& k = std::get<sfv::String>(*key).value;
    const sfv::ListMember* m = dict->find(k);
    if (!m) return Error(Reason::missing_component, id + ": dictionary has no member '" + k + "'");
    auto s = sfv::serialize_member_value(*m);
    if (!s) return invalid(id, s.error().detail);
    return std::move(s).value();
  }
  if (sf) {  // §2.1.1
    auto type = known_field_type(cid.name());
    if (!type) return invalid(id, "sf on a field of unknown Structured Field type");
    auto parsed = sfv::parse(out, *type);
    if (!parsed) return invalid(id, "field does not parse: " + parsed.error().detail);
    auto s = sfv::serialize(*parsed);
    if (!s) return invalid(id, s.error().detail);
    return std::move(s).value();
  }
  WBA_CHECK(check_ascii(id, out));
  return out;
}

bool valid_field_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<ComponentId> ComponentId::from_item(const sfv::Item& item) {
  const auto* s = std::get_if<sfv::String>(&item.value);
  if (!s) return Error(Reason::invalid_component, "component identifier is not a String");
  ComponentId c;
  c.name_ = s->value;
  const std::string shown = "\"" + c.name_ + "\"";
  if (c.is_derived()) {
    if (!valid_field_name(std::string_view(c.name_).substr(1))) {
      return invalid(shown, "invalid derived component name");
    }
  } else if (!valid_field_name(c.name_)) {
    return invalid(shown, "field names must be lower-case tokens (§2.1)");
  }
  for (const auto& [k, v] : item.params) {
    if (k == "sf" || k == "bs" || k == "req" || k == "tr") {
      if (!is_true(v)) return invalid(shown, "parameter '" + k + "' must be Boolean true");
    } else if (k == "key" || k == "name") {
      if (!std::holds_alternative<sfv::String>(v)) {
        return invalid(shown, "parameter '" + k + "' must be a String");
      }
    } else {
      return invalid(shown, "unknown parameter '" + k + "'");
    }
  }
  if (c.name_ == "@query-param" && !item.params.find("name")) {
    return invalid(shown, "@query-param needs a name parameter (§2.2.8)");
  }
  c.params_ = item.params;
  return c;
}

Result<ComponentId> ComponentId::make(std::string_view name) {
  return from_item(sfv::Item{sfv::String{std::string(name)}, {}});
}

sfv::Item ComponentId::to_item() const { return sfv::Item{sfv::String{name_}, params_}; }

std::string ComponentId::serialize() const {
  std::string out;
  out.reserve(name_.size() + 2);
  out.append("\"").append(name_).append("\"");
  // Names and parameters were validated on construction, so serialisation cannot fail.
  if (!params_.empty()) out += sfv::serialize_params(params_).value();
  return out;
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
  std::string wrapped = "(" + std::string(text) + ")";
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
  std::string shown = id.serialize();
  Source source{std::get_if<http::Request>(&message), std::get_if<http::Response>(&message)};
  if (id.has_param("req")) {
    if (!source.resp) return invalid(shown, "req on a request (§2.4)");
    if (!source.resp->request) {
      return Error(Reason::missing_component, shown + ": no related request available");
    }
    source = Source{source.resp->request.get(), nullptr};
  }
  if (id.is_derived()) return derived_value(source, id, shown);
  return field_value(source, id, shown);
}

}  // namespace wba::sig

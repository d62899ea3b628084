#include "wba/profile/signature_agent.h"

#include <array>
#include <functional>
#include <optional>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"

namespace wba::profile {
namespace {

namespace urls = boost::urls;

Error invalid(std::string detail) {
  return Error(Reason::invalid_signature_agent, std::move(detail));
}

std::optional<MemberType> type_of(const sfv::Parameters& params) {
  if (params.empty()) return MemberType::directory;  // -00: absent type means directory
  if (params.size() != 1) return std::nullopt;
  const sfv::BareItem* t = params.find("type");
  if (!t) return std::nullopt;
  std::string_view name;
  if (const auto* tok = std::get_if<sfv::Token>(t)) name = tok->value;
  if (const auto* str = std::get_if<sfv::String>(t)) name = str->value;
  if (name == "directory") return MemberType::directory;
  if (name == "jwks_uri") return MemberType::jwks_uri;
  if (name == "cimd") return MemberType::cimd;
  return std::nullopt;  // unknown types MUST be ignored (-00 §5.2.1)
}

}  // namespace

const SignatureAgentMember* SignatureAgentField::find(std::string_view key) const {
  for (const auto& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

Result<std::optional<SignatureAgentField>> parse_signature_agent(const http::Fields& headers) {
  auto lines = headers.values("signature-agent");
  if (lines.empty()) return std::optional<SignatureAgentField>();
  std::string joined;
  for (auto l : lines) {
    if (!joined.empty()) joined += ", ";
    joined += l;
  }
  std::string_view trimmed = joined;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  SignatureAgentField field;
  if (!trimmed.empty() && trimmed.front() == '"') {  // legacy sf-string (architecture-02/03)
    auto item = sfv::parse_item(joined);
    if (!item) return invalid("Signature-Agent: " + item.error().detail);
    const auto* s = std::get_if<sfv::String>(&item->value);
    if (!s) return invalid("Signature-Agent is not a String");
    field.form = SignatureAgentForm::legacy_string;
    field.members.push_back(
        SignatureAgentMember{"", s->value, type_of(item->params), !item->params.empty()});
    return std::optional<SignatureAgentField>(std::move(field));
  }
  auto dict = sfv::parse_dictionary(joined);
  if (!dict) return invalid("Signature-Agent: " + dict.error().detail);
  if (dict->empty()) return invalid("Signature-Agent is empty");
  for (const auto& [key, member] : *dict) {
    const auto* item = std::get_if<sfv::Item>(&member);
    const auto* s = item ? std::get_if<sfv::String>(&item->value) : nullptr;
    if (!s) return invalid("Signature-Agent member '" + key + "' is not a String");
    field.members.push_back(
        SignatureAgentMember{key, s->value, type_of(item->params), !item->params.empty()});
  }
  return std::optional<SignatureAgentField>(std::move(field));
}

namespace {

std::string shown(const SignatureAgentMember& member) {
  return "Signature-Agent '" + member.uri + "'";
}

Result<AgentLocation> resolve_url(const SignatureAgentMember& member, MemberType type,
                                  bool allow_http) {
  AgentLocation loc;
  loc.type = type;
  auto parsed = urls::parse_absolute_uri(member.uri);
  if (!parsed) {
    // A fragment makes it a URI but not an absolute-URI; refuse either way.
    return invalid(shown(member) + ": not an absolute URI");
  }
  urls::url u(*parsed);
  u.normalize();  // RFC 3986 §6.2.2: case, percent-encoding, dot segments
  std::string scheme(u.scheme());
  if (scheme != "https" && !(scheme == "http" && allow_http)) {
    return invalid(shown(member) + ": scheme '" + scheme + "' is not allowed (https only)");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return invalid(shown(member) + ": no host");
  if (u.has_userinfo()) return invalid(shown(member) + ": userinfo is not allowed");
  // RFC 3986 §6.2.3: the scheme's default port is the same as none.
  if (u.has_port() && (u.port().empty() || (scheme == "https" && u.port() == "443") ||
                       (scheme == "http" && u.port() == "80"))) {
    u.remove_port();
  }
  loc.origin = scheme + "://" + std::string(u.encoded_host_and_port());
  bool bare_origin = (u.encoded_path().empty() || u.encoded_path() == "/") && !u.has_query();
  std::string path(u.encoded_path());
  loc.agent_url = bare_origin ? loc.origin : loc.origin + path;
  if (bare_origin && loc.type == MemberType::directory) {
    loc.directory_url = loc.origin + std::string(kWellKnownDirectoryPath);
  } else {
    u.remove_fragment();
    if (u.encoded_path().empty()) u.set_encoded_path("/");
    loc.directory_url = std::string(u.buffer());
  }
  return loc;
}

}  // namespace

Result<AgentLocation> resolve_agent(const SignatureAgentMember& member,
                                    const AgentUrlPolicy& policy) {
  if (!member.type) return invalid(shown(member) + ": unknown parameters, member ignored");
  const MemberType type = *member.type;
  if (type == MemberType::jwks_uri && !policy.accept_jwks_uri_type) {
    return invalid(shown(member) + ": type=jwks_uri not accepted");
  }
  if (type == MemberType::cimd && !policy.accept_cimd_type) {
    return invalid(shown(member) + ": type=cimd not accepted");
  }
  if (member.uri.rfind("data:", 0) == 0) {  // directory-00 inline directories
    if (!policy.allow_data) return invalid(shown(member) + ": data: URLs are not allowed");
    AgentLocation loc;
    loc.type = type;
    loc.is_data_url = true;
    loc.agent_url = loc.directory_url = member.uri;
    return loc;
  }
  // A verifier sees the same few agent URLs on almost every request, and parsing and
  // normalizing one is most of a Signature-Agent's cost: the last successful resolutions are
  // kept per thread (a pure function of the URL, the type and allow_http).
  struct Resolved {
    std::string uri;
    MemberType type;
    bool allow_http;
    AgentLocation loc;
  };
  static constexpr std::size_t kSlots = 8;
  thread_local std::array<std::optional<Resolved>, kSlots> memo;
  auto& slot = memo[std::hash<std::string>{}(member.uri) % kSlots];
  if (slot && slot->uri == member.uri && slot->type == type &&
      slot->allow_http == policy.allow_http) {
    return slot->loc;
  }
  auto loc = resolve_url(member, type, policy.allow_http);
  if (loc) slot = Resolved{member.uri, type, policy.allow_http, *loc};
  return loc;
}

Result<std::string> make_signature_agent(std::string_view label, std::string_view url,
                                         SignatureAgentForm form) {
  sfv::Item value{sfv::String{std::string(url)}, {}};
  Result<std::string> out = Error(Reason::invalid_argument);
  if (form == SignatureAgentForm::legacy_string) {
    out = sfv::serialize(value);
  } else {
    sfv::Dictionary dict;
    dict.set(std::string(label), value);
    out = sfv::serialize(dict);
  }
  if (!out) return Error(Reason::invalid_argument, "Signature-Agent: " + out.error().detail);
  return out;
}

}  // namespace wba::profile

// The Signature-Agent field of Web Bot Auth (draft-ietf-webbotauth-httpsig-protocol §5.2.1,
// §5.5): where an agent's key directory is, in both forms deployed agents send.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/http/fields.h"
#include "wba/result.h"

namespace wba::profile {

inline constexpr std::string_view kWellKnownDirectoryPath =
    "/.well-known/http-message-signatures-directory";

enum class SignatureAgentForm {
  dictionary,     // `sig1="https://agent.example"` (the drafts since architecture-04; default)
  legacy_string,  // `"https://agent.example"` (architecture-02/03; ChatGPT agent, CF v1)
};

// The member types of protocol -00 (`;type=`); the newest editor's copy has none.
enum class MemberType { directory, jwks_uri, cimd };

// What a verifier accepts (DIGEST §4.3 table).
struct AgentUrlPolicy {
  bool allow_http = false;           // plain http directories (tests, local development)
  bool allow_data = false;           // data: URLs (directory-00); never fetched, decoded in place
  bool accept_legacy_string = true;  // the sf-string form
  bool accept_jwks_uri_type = true;  // `;type=jwks_uri` (protocol -00)
  bool accept_cimd_type = false;     // `;type=cimd` (protocol -00, optional)
};

// One Signature-Agent member as received.
struct SignatureAgentMember {
  std::string key;                 // dictionary key; empty for the legacy form
  std::string uri;                 // the String value as sent
  std::optional<MemberType> type;  // nullopt: an unknown `type`, or other parameters present
  bool has_parameters = false;
};

struct SignatureAgentField {
  SignatureAgentForm form = SignatureAgentForm::dictionary;
  std::vector<SignatureAgentMember> members;
  const SignatureAgentMember* find(std::string_view key) const;
};

// Parses every Signature-Agent field line (joined as RFC 9651 §4.2 asks). A value starting with
// '"' is the legacy String form, anything else a Dictionary whose members must be Strings.
// nullopt when the field is absent; invalid_signature_agent when malformed.
Result<std::optional<SignatureAgentField>> parse_signature_agent(const http::Fields& headers);

// Where a member's keys are: the identity of the agent and the URL to fetch.
struct AgentLocation {
  std::string agent_url;      // normalized (RFC 3986 §6.2.2, §6.2.3), query and fragment dropped
  std::string origin;         // scheme://host[:port]
  std::string directory_url;  // what to fetch (the well-known URL for a bare origin)
  MemberType type = MemberType::directory;
  bool is_data_url = false;  // directory_url is a data: URL carrying the JWKS itself
};

// Resolves a member per DIGEST §4.3: a bare origin → its well-known directory; any other https
// URL → fetched as a JWKS itself; `type=jwks_uri` → the URL itself; `type=cimd` → an agent card
// (only when allowed). Refused (invalid_signature_agent): other schemes, userinfo, fragments in
// a non-data URL, unknown types, parameters other than `type`.
Result<AgentLocation> resolve_agent(const SignatureAgentMember& member,
                                    const AgentUrlPolicy& policy = {});

// Serializes a Signature-Agent field value for a signer: `label="url"` or `"url"`. A label
// that is not a Dictionary key or a URL that is not printable ASCII → invalid_argument.
Result<std::string> make_signature_agent(std::string_view label, std::string_view url,
                                         SignatureAgentForm form);

}  // namespace wba::profile

// The Web Bot Auth profile of RFC 9421 (draft-ietf-webbotauth-httpsig-protocol §5): the agent's
// signer and the verifier's checks on top of RFC 9421 verification.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/profile/signature_agent.h"
#include "wba/result.h"
#include "wba/sig/component.h"
#include "wba/sig/signature_fields.h"
#include "wba/sig/verifier.h"

namespace wba::profile {

inline constexpr std::string_view kWebBotAuthTag = "web-bot-auth";
inline constexpr std::int64_t kDefaultLifetime = 60;        // seconds
inline constexpr std::int64_t kMaxLifetime = 24 * 60 * 60;  // §5.2: RECOMMENDED ≤ 24 h
inline constexpr std::size_t kNonceBytes = 64;

// ---------------------------------------------------------------------------------------------
// Agent side

struct AgentSignOptions {
  std::string signature_agent;  // absolute https URL of the agent's directory (required)
  SignatureAgentForm form = SignatureAgentForm::dictionary;
  std::string label = "sig1";
  // Covered after "@authority" and the Signature-Agent member, e.g. @method, @path,
  // authorization, content-digest.
  std::vector<sig::ComponentId> extra_components;
  std::optional<std::int64_t> created;       // default: now
  std::int64_t lifetime = kDefaultLifetime;  // expires = created + lifetime (1 … kMaxLifetime)
  std::optional<std::string> nonce;          // default: 64 random bytes, standard base64
  bool include_nonce = true;
  bool include_alg = true;
};

// Adds Signature-Agent, Signature-Input and Signature to `request` with the profile's defaults:
// tag "web-bot-auth", covered ("@authority" "signature-agent";key="<label>" …extras), created,
// expires, nonce, keyid = the key's RFC 7638 thumbprint, alg. HMAC keys are refused
// (unsupported_algorithm, §6.4); a lifetime outside 1…kMaxLifetime → invalid_argument.
Result<sig::LabelledSignature> sign_request(http::Request& request, const SigningKey& key,
                                            const AgentSignOptions& options);

// For any other HTTP client: the three header fields to add to a request for `url`.
struct SignedHeaders {
  std::vector<std::pair<std::string, std::string>> fields;  // in the order to send them
};
Result<SignedHeaders> signature_headers(std::string_view method, std::string_view url,
                                        const http::Fields& headers, const SigningKey& key,
                                        const AgentSignOptions& options);

// ---------------------------------------------------------------------------------------------
// Verifier side

struct ProfilePolicy {
  std::int64_t max_clock_skew = 60;          // seconds `created` may be in the future
  std::int64_t max_lifetime = kMaxLifetime;  // expires - created; more → lifetime_too_long
  bool require_nonce = false;
  std::size_t max_nonce_bytes = 1024;    // longer or empty → invalid_nonce
  bool require_signature_agent = false;  // ietf-00 makes it REQUIRED; deployed agents vary
  bool allow_test_keys = false;          // RFC 9421 App. B keys (§6.8: SHOULD reject)
  AgentUrlPolicy agent_urls;
  std::optional<std::int64_t> now;   // clock for tests and conformance runs
  std::optional<std::string> label;  // only this label
  // Web Bot Auth signatures considered per message: each costs a public-key operation, so a
  // request carrying hundreds must not buy hundreds of verifications. More → limit_exceeded.
  std::size_t max_signatures = 8;
};

// What the verifier must find a key for. Key lookup is always by (directory URL, thumbprint),
// never by keyid alone (§5.4): `agent` is the resolved Signature-Agent member covered by this
// signature (nullopt when the request carries none; only statically trusted keys can serve).
struct KeyQuery {
  std::string label;
  std::string keyid;  // the thumbprint the key must have
  std::optional<AgentLocation> agent;
};
using AgentKeyLookup = std::function<Result<VerifyingKey>(const KeyQuery&)>;

// A signature that passed the profile's parameter and coverage checks, ready for a key.
struct PreparedSignature {
  sig::LabelledSignature signature;
  KeyQuery query;
};

// The outcome for one web-bot-auth signature, verified.
struct AgentVerdict {
  sig::VerifiedSignature signature;
  std::optional<AgentLocation> agent;
  std::string key_thumbprint;
};

// verified / invalid / unverified (draft App. C.1): unverified means the verifier could not
// decide (no key, directory unreachable), which must never become a trusted identity.
enum class Outcome { verified, invalid, unverified };
Outcome outcome_of(Reason reason) noexcept;
std::string_view to_string(Outcome outcome) noexcept;

class ProfileVerifier {
 public:
  explicit ProfileVerifier(ProfilePolicy policy = {}) : policy_(std::move(policy)) {}

  // Profile checks that need no key, for every web-bot-auth signature (other tags are
  // ignored). Errors of the message as a whole (missing_signature, malformed fields, wrong_tag
  // when only other tags exist, unknown_label, invalid_signature_agent) come back as the error;
  // a signature's own failure comes back in its slot. A member that cannot be parsed (its tag
  // unknown) is skipped; its error is the answer only when no web-bot-auth signature is left
  // or when it is the policy's label.
  Result<std::vector<Result<PreparedSignature>>> prepare(const http::Message& message) const;
  // Verifies one prepared signature with the key found for it: keyid must be the key's
  // thumbprint, test keys refused unless allowed, then RFC 9421 verification.
  Result<AgentVerdict> verify_prepared(const http::Message& message,
                                       const PreparedSignature& prepared,
                                       const VerifyingKey& key) const;
  // prepare + lookup + verify_prepared: the first signature that verifies, else the first error.
  Result<AgentVerdict> verify(const http::Message& message, const AgentKeyLookup& lookup) const;

  const ProfilePolicy& policy() const noexcept { return policy_; }

 private:
  ProfilePolicy policy_;
};

// Whether a key is one of the RFC 9421 Appendix B test keys (by thumbprint).
bool is_rfc9421_test_key(const VerifyingKey& key);

// A lookup over keys the caller trusts for any agent (CLI --key/--jwks, tests): by thumbprint.
AgentKeyLookup trusted_keys_lookup(std::vector<VerifyingKey> keys);

}  // namespace wba::profile

// Shared plumbing of the `wba` commands: reading inputs, loading keys and messages, exit codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "args.h"
#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sig/signature_params.h"

namespace wba::cli {

// Exit codes are a contract: 0 success, 1 verification failed, 2 usage or unreadable input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

// Prints "wba <command>: <message>" to stderr and returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

// A file's bytes ("-" reads standard input). io_error names the path.
Result<std::string> read_file(const std::string& path);
// An HTTP/1.1 message file; with --request, a response gets its related request attached.
Result<http::Message> load_message(const Args& args, const std::string& path);
// A JSON object from a file (invalid_argument naming the path on syntax errors).
Result<nlohmann::json> read_json(const std::string& path);

// --key-alg, when given (needed for RSA JWKs that carry no `alg`).
Result<std::optional<Algorithm>> key_alg_option(const Args& args);
Result<SigningKey> load_signing_key(const Args& args, const std::string& path);
// --key FILE (one JWK) or --jwks FILE (a JWK Set: {"keys": [...]}); keys that cannot be
// used are reported, not silently dropped.
Result<std::vector<VerifyingKey>> load_verifying_keys(const Args& args);

// Parses a whole-number option value (--created, --expires, --now).
Result<std::int64_t> parse_int(const std::string& option, const std::string& value);

// Signature parameters from --signature-input MEMBER (label and parameters as given), or from
// --components and the parameter options. Returns the label too (--label, default sig1).
struct ParamsFromArgs {
  std::string label;
  sig::SignatureParams params;
};
Result<ParamsFromArgs> params_from_signature_input(const std::string& member);

// The message with the line endings of the input it came from.
std::string print_message(const http::Message& message, const std::string& original_text);

}  // namespace wba::cli

#include "common.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "wba/http/http1_text.h"
#include "wba/sfv/parse.h"

namespace wba::cli {

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "wba" << (command.empty() ? "" : " " + command) << ": " << message << "\n";
  return kExitUsage;
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Reason::io_error, "cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error(Reason::io_error, "error while reading '" + path + "'");
  return s.str();
}

Result<nlohmann::json> read_json(const std::string& path) {
  WBA_TRY(std::string text, read_file(path));
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error(Reason::invalid_argument, "'" + path + "' is not valid JSON");
  return j;
}

Result<http::Message> load_message(const Args& args, const std::string& path) {
  WBA_TRY(std::string text, read_file(path));
  http::Http1Options opts;
  opts.scheme = args.get("scheme").value_or("https");
  auto msg = http::parse_http1(text, opts);
  if (!msg) return Error(msg.error().reason, "'" + path + "': " + msg.error().detail);
  if (auto req_path = args.get("request")) {
    auto* resp = std::get_if<http::Response>(&*msg);
    if (!resp) return Error(Reason::invalid_argument, "--request is for response messages");
    WBA_TRY(std::string req_text, read_file(*req_path));
    auto req = http::parse_http1(req_text, opts);
    if (!req) return Error(req.error().reason, "'" + *req_path + "': " + req.error().detail);
    auto* r = std::get_if<http::Request>(&*req);
    if (!r) return Error(Reason::invalid_argument, "'" + *req_path + "' is not a request");
    resp->request = std::make_shared<http::Request>(std::move(*r));
  }
  return msg;
}

Result<std::optional<Algorithm>> key_alg_option(const Args& args) {
  auto name = args.get("key-alg");
  if (!name) return std::optional<Algorithm>();
  auto alg = algorithm_from_name(*name);
  if (!alg) return Error(Reason::invalid_argument, "--key-alg: unknown algorithm '" + *name + "'");
  return std::optional<Algorithm>(*alg);
}

Result<SigningKey> load_signing_key(const Args& args, const std::string& path) {
  WBA_TRY(auto alg, key_alg_option(args));
  WBA_TRY(nlohmann::json jwk, read_json(path));
  auto key = SigningKey::from_jwk(jwk, alg);
  if (!key) return Error(key.error().reason, "'" + path + "': " + key.error().detail);
  return key;
}

Result<std::vector<VerifyingKey>> load_verifying_keys(const Args& args) {
  WBA_TRY(auto alg, key_alg_option(args));
  std::vector<VerifyingKey> keys;
  for (const auto& path : args.get_all("key")) {
    WBA_TRY(nlohmann::json jwk, read_json(path));
    auto key = VerifyingKey::from_jwk(jwk, alg);
    if (!key) return Error(key.error().reason, "'" + path + "': " + key.error().detail);
    keys.push_back(std::move(key).value());
  }
  for (const auto& path : args.get_all("jwks")) {
    WBA_TRY(nlohmann::json set, read_json(path));
    if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array()) {
      return Error(Reason::invalid_argument, "'" + path + "' is not a JWK Set ({\"keys\": [...]})");
    }
    // A key set is used the way verifiers use a fetched directory: an RSA key without `alg`
    // is rsa-pss-sha512 (the Web Bot Auth RSA algorithm), and one unusable entry is reported
    // and skipped instead of failing the whole set.
    std::size_t i = 0, usable = 0;
    for (const auto& jwk : set["keys"]) {
      std::optional<Algorithm> key_alg = alg;
      if (!key_alg && jwk.is_object() && jwk.value("kty", "") == "RSA" && !jwk.contains("alg")) {
        key_alg = Algorithm::rsa_pss_sha512;
      }
      auto key = VerifyingKey::from_jwk(jwk, key_alg);
      if (!key) {
        std::cerr << "wba: skipping '" << path << "' key " << i << ": " << key.error().message()
                  << "\n";
      } else {
        keys.push_back(std::move(key).value());
        ++usable;
      }
      ++i;
    }
    if (usable == 0) return Error(Reason::invalid_key, "'" + path + "' has no usable key");
  }
  if (keys.empty()) return Error(Reason::invalid_argument, "give --key FILE or --jwks FILE");
  return keys;
}

Result<std::int64_t> parse_int(const std::string& option, const std::string& value) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || p != value.data() + value.size()) {
    return Error(Reason::invalid_argument, "--" + option + ": not a whole number: '" + value + "'");
  }
  return out;
}

Result<ParamsFromArgs> params_from_signature_input(const std::string& member) {
  auto dict = sfv::parse_dictionary(member);
  if (!dict || dict->size() != 1) {
    return Error(Reason::invalid_argument,
                 "--signature-input: expected one member like 'sig1=(\"@method\");created=1', "
                 "got '" +
                     member + "'" + (dict ? "" : " (" + dict.error().detail + ")"));
  }
  const auto& [label, value] = dict->entries().front();
  const auto* list = std::get_if<sfv::InnerList>(&value);
  if (!list)
    return Error(Reason::invalid_argument, "--signature-input: member is not an inner list");
  auto params = sig::SignatureParams::from_inner_list(*list);
  if (!params) {
    return Error(params.error().reason, "--signature-input: " + params.error().detail);
  }
  return ParamsFromArgs{label, std::move(params).value()};
}

std::string print_message(const http::Message& message, const std::string& original_text) {
  bool crlf = original_text.find("\r\n") != std::string::npos;
  return http::to_http1(message, crlf ? "\r\n" : "\n");
}

}  // namespace wba::cli

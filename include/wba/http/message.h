// A library-neutral HTTP message model: what RFC 9421 needs to sign and verify, nothing more.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "wba/http/fields.h"
#include "wba/http/target.h"

namespace wba::http {

struct Request {
  std::string method;  // as sent, case-sensitive
  Target target;
  Fields headers;
  Fields trailers;
  std::optional<std::string> body;  // nullopt when the body is not available (not "empty")
};

struct Response {
  int status = 200;
  Fields headers;
  Fields trailers;
  std::optional<std::string> body;
  // The request this response answers, for components with the `req` parameter (§2.4).
  std::shared_ptr<const Request> request;
};

using Message = std::variant<Request, Response>;

inline const Fields& headers(const Message& m) {
  return std::visit([](const auto& x) -> const Fields& { return x.headers; }, m);
}
inline Fields& headers(Message& m) {
  return std::visit([](auto& x) -> Fields& { return x.headers; }, m);
}
inline const Fields& trailers(const Message& m) {
  return std::visit([](const auto& x) -> const Fields& { return x.trailers; }, m);
}
inline const std::optional<std::string>& body(const Message& m) {
  return std::visit([](const auto& x) -> const std::optional<std::string>& { return x.body; }, m);
}

}  // namespace wba::http

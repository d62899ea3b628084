#include "wba/http/http1_text.h"

#include <charconv>
#include <vector>

namespace wba::http {
namespace {

Error bad(std::size_t line_no, std::string what) {
  return Error(Reason::malformed_message, "line " + std::to_string(line_no) + ": " + what);
}

// Splits off one line (LF or CRLF); returns false at the end of the text.
bool next_line(std::string_view& text, std::string_view& line) {
  if (text.empty()) return false;
  std::size_t lf = text.find('\n');
  if (lf == std::string_view::npos) {
    line = text;
    text = {};
  } else {
    line = text.substr(0, lf);
    text.remove_prefix(lf + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Field lines up to the empty line. Continuation lines (obs-fold, RFC 9112 §5.2) stay in the
// value as "\n" + the line, so that RFC 9421 §2.1 canonicalisation sees them as sent.
Status parse_fields(std::string_view& text, std::size_t& line_no, Fields& out) {
  std::string name, value;
  bool pending = false;
  std::string_view line;
  while (next_line(text, line)) {
    ++line_no;
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!pending) return bad(line_no, "continuation line before any field");
      value.append("\n").append(line);
      continue;
    }
    if (pending) out.add(std::move(name), std::move(value));
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad(line_no, "field line without ':'");
    std::string_view n = line.substr(0, colon);
    if (!is_token(n)) return bad(line_no, "invalid field name '" + std::string(n) + "'");
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    name = std::string(n);
    value = std::string(v);
    pending = true;
  }
  if (pending) out.add(std::move(name), std::move(value));
  return {};
}

bool is_chunked(const Fields& headers) {
  for (auto v : headers.values("transfer-encoding")) {
    std::size_t pos = v.rfind("chunked");
    if (pos != std::string_view::npos) return true;
  }
  return false;
}

Status decode_chunked(std::string_view text, std::size_t line_no, std::string& body,
                      Fields& trailers) {
  std::string_view line;
  while (true) {
    if (!next_line(text, line)) return bad(line_no, "chunked body ends without last chunk");
    ++line_no;
    std::string_view size_text = line.substr(0, line.find(';'));  // chunk extensions ignored
    std::size_t size = 0;
    auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || p != size_text.data() + size_text.size() || size_text.empty()) {
      return bad(line_no, "invalid chunk size '" + std::string(size_text) + "'");
    }
    if (size == 0) break;
    if (size > text.size()) return bad(line_no, "chunk longer than the remaining text");
    body.append(text.substr(0, size));
    text.remove_prefix(size);
    if (!text.empty()) {  // the line ending after the chunk data
      if (text.substr(0, 2) == "\r\n") {
        text.remove_prefix(2);
      } else if (text.front() == '\n') {
        text.remove_prefix(1);
      } else {
        return bad(line_no, "chunk data not followed by a line ending");
      }
    }
  }
  return parse_fields(text, line_no, trailers);
}

// A text file usually ends with a line ending the body did not contain: trust Content-Length.
void trim_to_content_length(const Fields& headers, std::string& body) {
  auto cl = headers.values("content-length");
  if (cl.size() != 1) return;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(cl[0].data(), cl[0].data() + cl[0].size(), n);
  if (ec != std::errc() || p != cl[0].data() + cl[0].size() || n >= body.size()) return;
  std::string_view extra = std::string_view(body).substr(n);
  if (extra == "\n" || extra == "\r\n") body.resize(n);
}

}  // namespace

Result<Message> parse_http1(std::string_view text, const Http1Options& options) {
  if (text.size() > options.max_bytes) {
    return Error(Reason::limit_exceeded, "message of " + std::to_string(text.size()) +
                                             " bytes exceeds the limit of " +
                                             std::to_string(options.max_bytes));
  }
  std::string_view start;
  std::size_t line_no = 0;
  while (next_line(text, start)) {  // tolerate leading empty lines (RFC 9112 §2.2)
    ++line_no;
    if (!start.empty()) break;
  }
  if (start.empty()) return bad(line_no, "no start line");

  Fields headers;
  std::string_view rest = text;
  WBA_CHECK(parse_fields(rest, line_no, headers));
  std::string body_text(rest);
  Fields trailers;
  std::string body;
  if (is_chunked(headers)) {
    WBA_CHECK(decode_chunked(rest, line_no, body, trailers));
  } else {
    body = std::move(body_text);
    trim_to_content_length(headers, body);
  }

  if (start.rfind("HTTP/", 0) == 0) {  // status-line: HTTP-version SP status-code SP [reason]
    std::size_t sp = start.find(' ');
    if (sp == std::string_view::npos || start.size() < sp + 4) return bad(1, "invalid status line");
    std::string_view code = start.substr(sp + 1, 3);
    if (start.size() > sp + 4 && start[sp + 4] != ' ') return bad(1, "invalid status code");
    int status = 0;
    auto [p, ec] = std::from_chars(code.data(), code.data() + 3, status);
    if (ec != std::errc() || p != code.data() + 3 || status < 100 || status > 999) {
      return bad(1, "invalid status code '" + std::string(code) + "'");
    }
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.trailers = std::move(trailers);
    r.body = std::move(body);
    return Message(std::move(r));
  }

  // request-line: method SP request-target SP HTTP-version
  std::size_t sp1 = start.find(' ');
  std::size_t sp2 = start.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return bad(1, "invalid request line");
  std::string_view method = start.substr(0, sp1);
  std::string_view target = start.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = start.substr(sp2 + 1);
  if (!is_token(method)) return bad(1, "invalid method '" + std::string(method) + "'");
  if (version.rfind("HTTP/", 0) != 0) return bad(1, "invalid HTTP version");
  auto hosts = headers.values("host");
  if (hosts.size() > 1) return bad(1, "more than one Host field");
  std::string_view host = hosts.empty() ? std::string_view() : hosts[0];
  bool absolute = !target.empty() && target.front() != '/' && target != "*" &&
                  target.find("://") != std::string_view::npos;
  if (host.empty() && !absolute) {
    if (method == "CONNECT") {
      host = target;
    } else {
      return bad(1, "no Host field and no absolute-form request-target");
    }
  }
  auto t = make_target(options.scheme, host, target);
  if (!t) return bad(1, t.error().detail);
  Request r;
  r.method = std::string(method);
  r.target = std::move(t).value();
  r.headers = std::move(headers);
  r.trailers = std::move(trailers);
  r.body = std::move(body);
  return Message(std::move(r));
}

std::string to_http1(const Message& message, std::string_view eol) {
  std::string out;
  if (const auto* req = std::get_if<Request>(&message)) {
    out.append(req->method).append(" ").append(req->target.request_target).append(" HTTP/1.1");
  } else {
    out.append("HTTP/1.1 ").append(std::to_string(std::get<Response>(message).status));
  }
  out.append(eol);
  for (const auto& [name, value] : headers(message).lines()) {
    out.append(name).append(": ").append(value).append(eol);
  }
  out.append(eol);
  if (const auto& b = body(message)) out.append(*b);
  return out;
}

}  // namespace wba::http

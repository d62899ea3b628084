// Reads an HTTP/1.1 message written as text (the `wba` CLI's message files and the test
// vectors): start line, field lines, an empty line, an optional body. LF or CRLF endings.
// Chunked bodies are decoded and their trailer fields kept as trailers. Pure parsing, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "wba/http/message.h"
#include "wba/result.h"

namespace wba::http {

struct Http1Options {
  std::string scheme = "https";     // the scheme of the signature context (§1.4)
  std::size_t max_bytes = 1 << 20;  // whole text; more → limit_exceeded
};

// Request line → Request (authority from the absolute-form target or the Host field);
// status line → Response. Errors: Reason::malformed_message naming the line.
Result<Message> parse_http1(std::string_view text, const Http1Options& options = {});
// The message as HTTP/1.1 text, each line ended by `eol`. The body is written as held (for a
// message read from chunked text, the decoded body); trailers are not written.
std::string to_http1(const Message& message, std::string_view eol = "\r\n");

}  // namespace wba::http

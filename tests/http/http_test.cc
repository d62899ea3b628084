#include "wba/http/http1_text.h"
#include "wba/http/target.h"

#include <gtest/gtest.h>

namespace wba::http {
namespace {

TEST(Target, OriginFormKeepsPathAndQueryAsSent) {
  auto t = make_target("HTTPS", "Example.COM:443", "/a%2Fb?x=1&y");
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->scheme, "https");
  EXPECT_EQ(t->authority, "example.com");
  EXPECT_EQ(t->path, "/a%2Fb");
  EXPECT_EQ(t->query, "x=1&y");
  EXPECT_EQ(t->uri(), "https://example.com/a%2Fb?x=1&y");
}

TEST(Target, NonDefaultPortIsKept) {
  auto t = make_target("http", "example.com:8080", "/");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->authority, "example.com:8080");
  auto d = make_target("http", "example.com:80", "/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->authority, "example.com");
}

TEST(Target, AbsoluteFormWinsOverHost) {
  auto t = make_target("http", "ignored.example", "https://www.Example.com/p?q");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->scheme, "https");
  EXPECT_EQ(t->authority, "www.example.com");
  EXPECT_EQ(t->request_target, "https://www.Example.com/p?q");
}

TEST(Target, EmptyQueryIsDistinctFromNoQuery) {
  auto a = make_target("https", "h", "/p?");
  auto b = make_target("https", "h", "/p");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->query, "");
  EXPECT_FALSE(b->query.has_value());
}

TEST(Target, RejectsMalformedInput) {
  EXPECT_EQ(make_target("https", "user@host", "/").reason(), Reason::malformed_message);
  EXPECT_EQ(make_target("https", "", "/").reason(), Reason::malformed_message);
  EXPECT_EQ(make_target("https", "h", "").reason(), Reason::malformed_message);
  EXPECT_EQ(make_target("https", "h", "/a b").reason(), Reason::malformed_message);
  EXPECT_EQ(target_from_uri("not a uri").reason(), Reason::malformed_message);
  EXPECT_EQ(target_from_uri("https://h/#frag").reason(), Reason::malformed_message);
}

TEST(Http1, ParsesRequestWithCrlfAndBody) {
  auto m =
      parse_http1("POST /foo?a=1 HTTP/1.1\r\nHost: Example.com\r\nX-A: 1\r\nx-a:  2 \r\n\r\nbody");
  ASSERT_TRUE(m.ok()) << m.error().message();
  const auto& r = std::get<Request>(*m);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target.authority, "example.com");
  EXPECT_EQ(r.headers.values("X-A").size(), 2u);
  EXPECT_EQ(r.headers.values("x-a")[1], "2");
  EXPECT_EQ(r.body, "body");
}

TEST(Http1, TrailingNewlineBeyondContentLengthIsNotBody) {
  auto m = parse_http1("POST / HTTP/1.1\nHost: h\nContent-Length: 2\n\nab\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::get<Request>(*m).body, "ab");
}

TEST(Http1, ChunkedBodyAndTrailers) {
  auto m = parse_http1(
      "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n4\nHTTP\n7\nMessage\n0\nExpires: x\n");
  ASSERT_TRUE(m.ok()) << m.error().message();
  const auto& r = std::get<Response>(*m);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "HTTPMessage");
  EXPECT_EQ(r.trailers.values("expires").at(0), "x");
}

TEST(Http1, RejectsBadInputNamingTheLine) {
  auto no_host = parse_http1("GET / HTTP/1.1\nX: y\n\n");
  EXPECT_EQ(no_host.reason(), Reason::malformed_message);
  auto bad_field = parse_http1("GET / HTTP/1.1\nHost: h\nno colon here\n\n");
  ASSERT_EQ(bad_field.reason(), Reason::malformed_message);
  EXPECT_NE(bad_field.error().detail.find("line 3"), std::string::npos);
  EXPECT_EQ(parse_http1("").reason(), Reason::malformed_message);
  EXPECT_EQ(parse_http1("HTTP/1.1 2x0 OK\n\n").reason(), Reason::malformed_message);
  EXPECT_EQ(parse_http1("GET / HTTP/1.1\nHost: a\nHost: b\n\n").reason(),
            Reason::malformed_message);
  Http1Options small;
  small.max_bytes = 8;
  EXPECT_EQ(parse_http1("GET / HTTP/1.1\nHost: h\n\n", small).reason(), Reason::limit_exceeded);
}

TEST(Http1, RoundTripsThroughText) {
  auto m = parse_http1("GET /x HTTP/1.1\nHost: h\nA: b\n\n");
  ASSERT_TRUE(m.ok());
  auto again = parse_http1(to_http1(*m));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::get<Request>(*again).headers.lines(), std::get<Request>(*m).headers.lines());
}

}  // namespace
}  // namespace wba::http

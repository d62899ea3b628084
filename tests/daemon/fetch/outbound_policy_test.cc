// Outbound (SSRF) policy: the address classification table for IPv4, IPv6 and every IPv6 form
// that embeds IPv4; CIDR allow-lists; URL, port and directory allow/deny rules.
#include "fetch/outbound_policy.h"
#include <cctype>

#include <gtest/gtest.h>

namespace wbad::fetch {
namespace {

namespace ip = boost::asio::ip;
using wba::Reason;

struct Row {
  const char* address;
  AddressClass cls;
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.address; }

class Classify : public ::testing::TestWithParam<Row> {};

// Stable test names (the default prints the Row's bytes, which differ from run to run and make
// CTest's per-case filters match nothing).
std::string row_name(const ::testing::TestParamInfo<Row>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char c : std::string(info.param.address))
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

TEST_P(Classify, Table) {
  const Row& row = GetParam();
  auto verdict = classify(ip::make_address(row.address));
  EXPECT_EQ(verdict.cls, row.cls) << row.address << " → " << to_string(verdict.cls) << " "
                                  << verdict.range;
  EXPECT_EQ(verdict.global(), row.cls == AddressClass::global);
  if (!verdict.global()) {
    EXPECT_FALSE(verdict.range.empty()) << row.address;
  }
}

INSTANTIATE_TEST_SUITE_P(
    IPv4, Classify,
    ::testing::Values(
        Row{"0.0.0.0", AddressClass::unspecified}, Row{"0.1.2.3", AddressClass::unspecified},
        Row{"10.0.0.1", AddressClass::private_use},
        Row{"10.255.255.255", AddressClass::private_use},
        Row{"100.63.255.255", AddressClass::global},
        Row{"100.64.0.1", AddressClass::shared_address},
        Row{"100.127.255.255", AddressClass::shared_address},
        Row{"100.128.0.0", AddressClass::global}, Row{"127.0.0.1", AddressClass::loopback},
        Row{"127.255.255.254", AddressClass::loopback},
        Row{"169.254.169.254", AddressClass::link_local},
        Row{"172.15.255.255", AddressClass::global}, Row{"172.16.0.1", AddressClass::private_use},
        Row{"172.31.255.255", AddressClass::private_use}, Row{"172.32.0.0", AddressClass::global},
        Row{"192.0.0.1", AddressClass::ietf_protocol},
        Row{"192.0.0.9", AddressClass::ietf_protocol},
        Row{"192.0.2.1", AddressClass::documentation},
        Row{"192.88.99.1", AddressClass::relay_anycast},
        Row{"192.168.1.1", AddressClass::private_use},
        Row{"198.18.0.1", AddressClass::benchmarking},
        Row{"198.19.255.255", AddressClass::benchmarking}, Row{"198.20.0.0", AddressClass::global},
        Row{"198.51.100.7", AddressClass::documentation},
        Row{"203.0.113.9", AddressClass::documentation}, Row{"224.0.0.1", AddressClass::multicast},
        Row{"239.255.255.255", AddressClass::multicast}, Row{"240.0.0.1", AddressClass::reserved},
        Row{"255.255.255.254", AddressClass::reserved},
        Row{"255.255.255.255", AddressClass::broadcast}, Row{"1.1.1.1", AddressClass::global},
        Row{"8.8.8.8", AddressClass::global}, Row{"93.184.216.34", AddressClass::global},
        Row{"223.255.255.255", AddressClass::global}),
    row_name);

INSTANTIATE_TEST_SUITE_P(
    IPv6, Classify,
    ::testing::Values(
        Row{"::", AddressClass::unspecified}, Row{"::1", AddressClass::loopback},
        Row{"fe80::1", AddressClass::link_local}, Row{"febf:ffff::1", AddressClass::link_local},
        Row{"fec0::1", AddressClass::site_local}, Row{"fc00::1", AddressClass::unique_local},
        Row{"fd12:3456:789a::1", AddressClass::unique_local},
        Row{"ff02::1", AddressClass::multicast}, Row{"ff0e::1", AddressClass::multicast},
        Row{"2001:db8::1", AddressClass::documentation},
        Row{"3fff::1", AddressClass::documentation},
        Row{"3fff:0fff::1", AddressClass::documentation},
        Row{"2001::1", AddressClass::ietf_protocol},  // Teredo
        Row{"2001:0:4136:e378::1", AddressClass::ietf_protocol},
        Row{"2001:10::1", AddressClass::ietf_protocol},  // ORCHID
        Row{"2001:1ff::1", AddressClass::ietf_protocol},
        Row{"2001:2::1", AddressClass::benchmarking},
        Row{"2001:200::1", AddressClass::global},  // first allocation after /23
        Row{"100::1", AddressClass::discard_only},
        Row{"100:0:0:1::1", AddressClass::reserved},  // outside 100::/64, outside 2000::/3
        Row{"64:ff9b:1::1", AddressClass::nat64_local}, Row{"5f00::1", AddressClass::srv6_sid},
        Row{"4000::1", AddressClass::reserved}, Row{"1::1", AddressClass::reserved},
        Row{"2606:4700:4700::1111", AddressClass::global},
        Row{"2a00:1450:4001::1", AddressClass::global}, Row{"3ffe::1", AddressClass::global}),
    row_name);  // inside 2000::/3, not special

INSTANTIATE_TEST_SUITE_P(EmbeddedIPv4, Classify,
                         ::testing::Values(
                             // IPv4-mapped: the embedded address decides.
                             Row{"::ffff:127.0.0.1", AddressClass::ipv4_mapped},
                             Row{"::ffff:10.1.2.3", AddressClass::ipv4_mapped},
                             Row{"::ffff:169.254.169.254", AddressClass::ipv4_mapped},
                             Row{"::ffff:0.0.0.0", AddressClass::ipv4_mapped},
                             Row{"::ffff:8.8.8.8", AddressClass::global},
                             // IPv4-compatible (deprecated): refused whatever it carries.
                             Row{"::127.0.0.1", AddressClass::ipv4_compatible},
                             Row{"::8.8.8.8", AddressClass::ipv4_compatible},
                             Row{"::0.0.0.2", AddressClass::ipv4_compatible},
                             // SIIT IPv4-translated.
                             Row{"::ffff:0:10.0.0.1", AddressClass::ipv4_translated},
                             Row{"::ffff:0:8.8.8.8", AddressClass::ipv4_translated},
                             // NAT64 well-known prefix: the embedded address decides.
                             Row{"64:ff9b::127.0.0.1", AddressClass::nat64},
                             Row{"64:ff9b::192.168.0.1", AddressClass::nat64},
                             Row{"64:ff9b::a9fe:a9fe", AddressClass::nat64},  // 169.254.169.254
                             Row{"64:ff9b::8.8.8.8", AddressClass::global},
                             // 6to4: refused whole (deprecated; relays reach the embedded address).
                             Row{"2002:7f00:1::1", AddressClass::six_to_four},    // 127.0.0.1
                             Row{"2002:c0a8:101::1", AddressClass::six_to_four},  // 192.168.1.1
                             Row{"2002:a00:1::", AddressClass::six_to_four},      // 10.0.0.1
                             Row{"2002:808:808::1", AddressClass::six_to_four}),
                         row_name);  // 8.8.8.8

TEST(ClassifyRange, EmbeddedFormsNameTheInnerAddress) {
  auto v = classify(ip::make_address("::ffff:127.0.0.1"));
  EXPECT_NE(v.range.find("127.0.0.1"), std::string::npos) << v.range;
  EXPECT_NE(v.range.find("loopback"), std::string::npos) << v.range;
  auto s = classify(ip::make_address("2002:c0a8:101::1"));
  EXPECT_NE(s.range.find("192.168.1.1"), std::string::npos) << s.range;
  EXPECT_NE(s.range.find("private-use"), std::string::npos) << s.range;
}

TEST(Cidr, ParseAndContains) {
  auto net = Cidr::parse("10.0.0.0/8").value();
  EXPECT_TRUE(net.contains(ip::make_address("10.1.2.3")));
  EXPECT_FALSE(net.contains(ip::make_address("11.0.0.0")));
  // An IPv4 network also contains the IPv4-mapped form of its addresses.
  EXPECT_TRUE(net.contains(ip::make_address("::ffff:10.9.9.9")));
  EXPECT_FALSE(net.contains(ip::make_address("2001:db8::1")));
  EXPECT_EQ(net.to_string(), "10.0.0.0/8");

  auto host = Cidr::parse("127.0.0.1").value();
  EXPECT_TRUE(host.contains(ip::make_address("127.0.0.1")));
  EXPECT_FALSE(host.contains(ip::make_address("127.0.0.2")));
  EXPECT_EQ(host.to_string(), "127.0.0.1/32");

  auto v6 = Cidr::parse("fd00::/8").value();
  EXPECT_TRUE(v6.contains(ip::make_address("fd12::1")));
  EXPECT_FALSE(v6.contains(ip::make_address("fe80::1")));
  EXPECT_FALSE(v6.contains(ip::make_address("10.0.0.1")));

  auto all = Cidr::parse("0.0.0.0/0").value();
  EXPECT_TRUE(all.contains(ip::make_address("203.0.113.1")));

  auto odd = Cidr::parse("172.16.0.0/12").value();
  EXPECT_TRUE(odd.contains(ip::make_address("172.31.255.255")));
  EXPECT_FALSE(odd.contains(ip::make_address("172.32.0.0")));
}

TEST(Cidr, Refused) {
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.1/8", "host/8",
                          "10.0.0.0/8x", "fe80::1%eth0/128", "10.0.0.0/-1"}) {
    auto c = Cidr::parse(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_EQ(c.error().reason, Reason::invalid_argument) << bad;
    }
  }
}

OutboundPolicy policy(OutboundConfig config = {}) {
  return OutboundPolicy::make(std::move(config)).value();
}

TEST(OutboundPolicy, DefaultsAcceptHttpsOn443Only) {
  auto p = policy();
  auto t = p.check_url("https://Agent.Example/.well-known/http-message-signatures-directory");
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "agent.example");
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->authority, "agent.example");
  EXPECT_EQ(t->target, "/.well-known/http-message-signatures-directory");
  EXPECT_FALSE(t->ip_literal);

  auto q = p.check_url("https://agent.example:443/jwks.json?v=2#frag");
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->target, "/jwks.json?v=2");
  EXPECT_EQ(q->authority, "agent.example");

  auto dot = p.check_url("https://agent.example./x");
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(dot->host, "agent.example");
}

TEST(OutboundPolicy, RefusedUrls) {
  auto p = policy();
  for (const char* url : {"http://agent.example/",                     // plain http not allowed
                          "https://agent.example:8443/",               // port not allowed
                          "https://agent.example:80/",                 // 80 only with http allowed
                          "https://user:pw@agent.example/",            // userinfo
                          "ftp://agent.example/",                      // scheme
                          "data:application/json,{}",                  // never fetched
                          "https:///nohost",                           // no host
                          "https://127.0.0.1/",                        // loopback literal
                          "https://[::1]/",                            // loopback literal
                          "https://[::ffff:127.0.0.1]/",               // mapped loopback literal
                          "https://[::ffff:a9fe:a9fe]/",               // mapped link-local literal
                          "https://169.254.169.254/latest/meta-data",  // cloud metadata
                          "https://10.0.0.1/",
                          "https://[fd00::1]/",
                          "https://[64:ff9b::7f00:1]/",
                          "https://[2002:7f00:1::1]/",
                          "https://0.0.0.0/",
                          "https://[::]/",
                          "https://agent.example:0/",
                          "https://agent.example:70000/",
                          "not a url"}) {
    auto t = p.check_url(url);
    EXPECT_FALSE(t.ok()) << url;
    if (!t.ok()) {
      EXPECT_EQ(t.error().reason, Reason::directory_unavailable) << url;
    }
  }
  // A public IP literal is fine.
  auto lit = p.check_url("https://93.184.216.34/");
  ASSERT_TRUE(lit.ok());
  ASSERT_TRUE(lit->ip_literal);
  auto lit6 = p.check_url("https://[2606:4700::1]/x");
  ASSERT_TRUE(lit6.ok());
  EXPECT_EQ(lit6->authority, "[2606:4700::1]");
}

TEST(OutboundPolicy, HttpAndPorts) {
  OutboundConfig c;
  c.allow_http = true;
  c.allowed_ports = {443, 8443};
  auto p = policy(c);
  EXPECT_TRUE(p.check_url("http://agent.example/").ok());  // 80 implied by allow_http
  EXPECT_TRUE(p.check_url("https://agent.example:8443/").ok());
  EXPECT_TRUE(p.check_url("http://agent.example:8443/").ok());
  EXPECT_FALSE(p.check_url("https://agent.example:80/").ok());  // 80 is for http only
  EXPECT_FALSE(p.check_url("http://agent.example:8080/").ok());
  auto t = p.check_url("https://agent.example:8443/d").value();
  EXPECT_EQ(t.authority, "agent.example:8443");
  EXPECT_EQ(t.port, 8443);
}

TEST(OutboundPolicy, AddressRules) {
  auto strict = policy();
  EXPECT_TRUE(strict.check_address(ip::make_address("8.8.8.8")).ok());
  EXPECT_FALSE(strict.check_address(ip::make_address("127.0.0.1")).ok());
  auto err = strict.check_address(ip::make_address("10.0.0.1"));
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().detail.find("10.0.0.0/8"), std::string::npos) << err.error().detail;

  OutboundConfig tests;
  tests.allow_private = true;
  auto lax = policy(tests);
  EXPECT_TRUE(lax.check_address(ip::make_address("127.0.0.1")).ok());
  EXPECT_TRUE(lax.check_address(ip::make_address("::1")).ok());
  EXPECT_TRUE(lax.check_address(ip::make_address("192.168.0.1")).ok());
  // Never destinations, even for tests.
  EXPECT_FALSE(lax.check_address(ip::make_address("0.0.0.0")).ok());
  EXPECT_FALSE(lax.check_address(ip::make_address("::ffff:0.0.0.0")).ok());
  EXPECT_FALSE(lax.check_address(ip::make_address("::")).ok());
  EXPECT_FALSE(lax.check_address(ip::make_address("224.0.0.1")).ok());
  EXPECT_FALSE(lax.check_address(ip::make_address("ff02::1")).ok());
  EXPECT_FALSE(lax.check_address(ip::make_address("255.255.255.255")).ok());

  OutboundConfig allow;
  allow.allowed_networks = {Cidr::parse("127.0.0.0/8").value(), Cidr::parse("fd00::/8").value()};
  auto listed = policy(allow);
  EXPECT_TRUE(listed.check_address(ip::make_address("127.0.0.1")).ok());
  EXPECT_TRUE(listed.check_address(ip::make_address("::ffff:127.0.0.1")).ok());
  EXPECT_TRUE(listed.check_address(ip::make_address("fd00::5")).ok());
  EXPECT_FALSE(listed.check_address(ip::make_address("10.0.0.1")).ok());
  EXPECT_FALSE(listed.check_address(ip::make_address("::1")).ok());
  EXPECT_TRUE(listed.check_url("https://127.0.0.1/").ok());
}

TEST(OutboundPolicy, DirectoryAllowAndDenyLists) {
  OutboundConfig c;
  c.allowed_directories = {"https://agent.example", "https://cdn.example/agents/"};
  c.denied_directories = {"https://cdn.example/agents/evil/"};
  auto p = policy(c);
  EXPECT_TRUE(
      p.check_url("https://agent.example/.well-known/http-message-signatures-directory").ok());
  EXPECT_TRUE(p.check_url("https://AGENT.example/anything").ok());
  EXPECT_TRUE(p.check_url("https://cdn.example/agents/a/jwks.json").ok());
  EXPECT_FALSE(p.check_url("https://cdn.example/other/jwks.json").ok());
  EXPECT_FALSE(p.check_url("https://cdn.example/agents/evil/jwks.json").ok());
  // Dot segments cannot escape a prefix rule: normalized before matching.
  EXPECT_FALSE(p.check_url("https://cdn.example/agents/../other/jwks.json").ok());
  EXPECT_FALSE(p.check_url("https://cdn.example/agents/./evil/x").ok());
  // Origins are exact: no suffix or port confusion.
  EXPECT_FALSE(p.check_url("https://agent.example.evil.test/").ok());
  EXPECT_FALSE(p.check_url("https://sub.agent.example/").ok());

  OutboundConfig d;
  d.denied_directories = {"https://bad.example"};
  auto deny_only = policy(d);
  EXPECT_FALSE(deny_only.check_url("https://bad.example/x").ok());
  EXPECT_FALSE(deny_only.check_url("https://BAD.example./x").ok());
  EXPECT_TRUE(deny_only.check_url("https://good.example/x").ok());
  auto refused = deny_only.check_url("https://bad.example/x");
  EXPECT_NE(refused.error().detail.find("denied"), std::string::npos);
}

TEST(OutboundPolicy, BadPatternsRefusedAtStartup) {
  OutboundConfig c;
  c.allowed_directories = {"agent.example"};
  EXPECT_EQ(OutboundPolicy::make(c).reason(), Reason::invalid_argument);
  OutboundConfig d;
  d.denied_directories = {"https://u@agent.example/"};
  EXPECT_EQ(OutboundPolicy::make(d).reason(), Reason::invalid_argument);
}

}  // namespace
}  // namespace wbad::fetch

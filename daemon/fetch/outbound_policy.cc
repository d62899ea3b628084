#include "fetch/outbound_policy.h"

#include <algorithm>
#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace wbad::fetch {
namespace {

namespace ip = boost::asio::ip;
namespace urls = boost::urls;
using wba::Error;
using wba::Reason;

struct V4Range {
  std::uint32_t network;
  unsigned prefix;
  AddressClass cls;
  std::string_view name;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

// IANA IPv4 Special-Purpose Address Registry, every entry that is not globally reachable
// (ecosystem.md §3.2). 192.0.0.0/24 is refused whole: its two globally reachable exceptions
// (192.0.0.9, 192.0.0.10, anycast PCP/TURN) never host a key directory. Most specific first.
constexpr V4Range kV4Ranges[] = {
    {v4(255, 255, 255, 255), 32, AddressClass::broadcast, "255.255.255.255/32"},
    {v4(0, 0, 0, 0), 8, AddressClass::unspecified, "0.0.0.0/8"},
    {v4(10, 0, 0, 0), 8, AddressClass::private_use, "10.0.0.0/8"},
    {v4(100, 64, 0, 0), 10, AddressClass::shared_address, "100.64.0.0/10"},
    {v4(127, 0, 0, 0), 8, AddressClass::loopback, "127.0.0.0/8"},
    {v4(169, 254, 0, 0), 16, AddressClass::link_local, "169.254.0.0/16"},
    {v4(172, 16, 0, 0), 12, AddressClass::private_use, "172.16.0.0/12"},
    {v4(192, 0, 0, 0), 24, AddressClass::ietf_protocol, "192.0.0.0/24"},
    {v4(192, 0, 2, 0), 24, AddressClass::documentation, "192.0.2.0/24"},
    {v4(192, 88, 99, 0), 24, AddressClass::relay_anycast, "192.88.99.0/24"},
    {v4(192, 168, 0, 0), 16, AddressClass::private_use, "192.168.0.0/16"},
    {v4(198, 18, 0, 0), 15, AddressClass::benchmarking, "198.18.0.0/15"},
    {v4(198, 51, 100, 0), 24, AddressClass::documentation, "198.51.100.0/24"},
    {v4(203, 0, 113, 0), 24, AddressClass::documentation, "203.0.113.0/24"},
    {v4(224, 0, 0, 0), 4, AddressClass::multicast, "224.0.0.0/4"},
    {v4(240, 0, 0, 0), 4, AddressClass::reserved, "240.0.0.0/4"},
};

AddressVerdict classify_v4(std::uint32_t a) {
  for (const auto& r : kV4Ranges) {
    std::uint32_t mask = r.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - r.prefix);
    if ((a & mask) == r.network) return {r.cls, std::string(r.name)};
  }
  return {};
}

std::uint32_t v4_at(const ip::address_v6::bytes_type& b, std::size_t offset) {
  return (std::uint32_t{b[offset]} << 24) | (std::uint32_t{b[offset + 1]} << 16) |
         (std::uint32_t{b[offset + 2]} << 8) | b[offset + 3];
}

bool zero(const ip::address_v6::bytes_type& b, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

// The verdict for an IPv6 form that carries an IPv4 address: the embedded address decides
// when `follow` (mapped, NAT64 well-known prefix), otherwise the form is refused whole but the
// range still names what it embeds, so a log line shows the private target being attempted.
AddressVerdict embedded(AddressClass form, std::string_view prefix, std::uint32_t inner,
                        bool follow) {
  AddressVerdict in = classify_v4(inner);
  if (follow && in.global()) return {};
  std::string range(prefix);
  range += " embedding ";
  range += ip::address_v4(inner).to_string();
  if (!in.global()) {
    range += " (" + std::string(to_string(in.cls)) + ", " + in.range + ")";
  }
  return {form, std::move(range)};
}

AddressVerdict classify_v6(const ip::address_v6& address) {
  const auto b = address.to_bytes();
  if (zero(b, 0, 16)) return {AddressClass::unspecified, "::/128"};
  if (zero(b, 0, 15) && b[15] == 1) return {AddressClass::loopback, "::1/128"};
  if (zero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) {
    return embedded(AddressClass::ipv4_mapped, "::ffff:0:0/96", v4_at(b, 12), true);
  }
  if (zero(b, 0, 12)) {
    return embedded(AddressClass::ipv4_compatible, "::/96", v4_at(b, 12), false);
  }
  if (zero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) {
    return embedded(AddressClass::ipv4_translated, "::ffff:0:0:0/96", v4_at(b, 12), false);
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    if (zero(b, 4, 12)) {
      return embedded(AddressClass::nat64, "64:ff9b::/96", v4_at(b, 12), true);
    }
    if (b[4] == 0x00 && b[5] == 0x01) return {AddressClass::nat64_local, "64:ff9b:1::/48"};
  }
  if (b[0] == 0x01 && b[1] == 0x00 && zero(b, 2, 8)) {
    return {AddressClass::discard_only, "100::/64"};
  }
  if (b[0] == 0x20 && b[1] == 0x01) {
    if (b[2] == 0x0d && b[3] == 0xb8) return {AddressClass::documentation, "2001:db8::/32"};
    if (b[2] == 0x00 && b[3] == 0x02 && b[4] == 0x00 && b[5] == 0x00) {
      return {AddressClass::benchmarking, "2001:2::/48"};
    }
    if ((b[2] & 0xfe) == 0) return {AddressClass::ietf_protocol, "2001::/23"};
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return embedded(AddressClass::six_to_four, "2002::/16", v4_at(b, 2), false);
  }
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) {
    return {AddressClass::documentation, "3fff::/20"};
  }
  if (b[0] == 0x5f && b[1] == 0x00) return {AddressClass::srv6_sid, "5f00::/16"};
  if ((b[0] & 0xfe) == 0xfc) return {AddressClass::unique_local, "fc00::/7"};
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return {AddressClass::link_local, "fe80::/10"};
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return {AddressClass::site_local, "fec0::/10"};
  if (b[0] == 0xff) return {AddressClass::multicast, "ff00::/8"};
  // IANA allocates global unicast from 2000::/3 only; the rest of the space is reserved.
  if ((b[0] & 0xe0) != 0x20) return {AddressClass::reserved, "outside 2000::/3"};
  return {};
}

// The IPv4 address an IPv4-mapped IPv6 address carries; other addresses unchanged.
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

Error refused(std::string detail) {
  return Error(Reason::directory_unavailable, std::move(detail));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The parts of an absolute http(s) URL the policy looks at, normalized (RFC 3986 §6.2.2) so
// that "/a/../b" or "%7e" cannot slip past a prefix rule. `why` is filled on failure.
struct ParsedUrl {
  bool tls = true;
  std::string scheme, host, prefix;  // prefix: path ["?" query]
  std::uint16_t port = 0;
  bool has_userinfo = false;
  urls::host_type host_type = urls::host_type::name;
  std::string host_literal;  // IP literal without brackets
};

std::optional<ParsedUrl> parse_http_url(std::string_view text, std::string& why) {
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    // parse_absolute_uri refuses fragments; a fragment is never sent, so drop it and retry.
    auto with_fragment = urls::parse_uri(text);
    if (!with_fragment) {
      why = "not an absolute URI";
      return std::nullopt;
    }
    urls::url u(*with_fragment);
    u.remove_fragment();
    return parse_http_url(u.buffer(), why);
  }
  urls::url u(*parsed);
  u.normalize();
  ParsedUrl out;
  out.scheme = lower(u.scheme());
  if (out.scheme != "https" && out.scheme != "http") {
    why = "scheme '" + out.scheme + "' is not http(s)";
    return std::nullopt;
  }
  out.tls = out.scheme == "https";
  if (!u.has_authority() || u.encoded_host().empty()) {
    why = "no host";
    return std::nullopt;
  }
  out.has_userinfo = u.has_userinfo();
  out.host_type = u.host_type();
  switch (out.host_type) {
    case urls::host_type::ipv4:
      out.host_literal = u.host_ipv4_address().to_string();
      out.host = out.host_literal;
      break;
    case urls::host_type::ipv6:
      out.host_literal = u.host_ipv6_address().to_string();
      out.host = out.host_literal;
      break;
    case urls::host_type::name: {
      std::string_view h = u.encoded_host();
      if (h.find('%') != std::string_view::npos) {
        why = "percent-encoded host name";
        return std::nullopt;
      }
      out.host = lower(h);
      // "agent.example." is the same host as "agent.example": one spelling for the lists and
      // for SNI (RFC 6066 §3 forbids the trailing dot there).
      if (out.host.size() > 1 && out.host.back() == '.') out.host.pop_back();
      break;
    }
    default:
      why = "unsupported host form";
      return std::nullopt;
  }
  std::uint16_t port = out.tls ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    std::string_view p = u.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) {
      why = "invalid port '" + std::string(p) + "'";
      return std::nullopt;
    }
    port = static_cast<std::uint16_t>(value);
  }
  out.port = port;
  out.prefix = std::string(u.encoded_path());
  if (out.prefix.empty()) out.prefix = "/";
  if (u.has_query()) out.prefix += "?" + std::string(u.encoded_query());
  return out;
}

}  // namespace

std::string_view to_string(AddressClass c) noexcept {
  switch (c) {
    case AddressClass::global:
      return "global";
    case AddressClass::unspecified:
      return "unspecified";
    case AddressClass::loopback:
      return "loopback";
    case AddressClass::private_use:
      return "private-use";
    case AddressClass::shared_address:
      return "shared address space";
    case AddressClass::link_local:
      return "link-local";
    case AddressClass::multicast:
      return "multicast";
    case AddressClass::broadcast:
      return "broadcast";
    case AddressClass::documentation:
      return "documentation";
    case AddressClass::benchmarking:
      return "benchmarking";
    case AddressClass::reserved:
      return "reserved";
    case AddressClass::ietf_protocol:
      return "IETF protocol assignment";
    case AddressClass::relay_anycast:
      return "6to4 relay anycast";
    case AddressClass::ipv4_mapped:
      return "IPv4-mapped";
    case AddressClass::ipv4_compatible:
      return "IPv4-compatible";
    case AddressClass::ipv4_translated:
      return "IPv4-translated";
    case AddressClass::nat64:
      return "NAT64";
    case AddressClass::nat64_local:
      return "local-use NAT64";
    case AddressClass::discard_only:
      return "discard-only";
    case AddressClass::six_to_four:
      return "6to4";
    case AddressClass::unique_local:
      return "unique-local";
    case AddressClass::site_local:
      return "site-local";
    case AddressClass::srv6_sid:
      return "SRv6 SID";
  }
  return "unknown";
}

AddressVerdict classify(const ip::address& address) {
  if (address.is_v4()) return classify_v4(address.to_v4().to_uint());
  return classify_v6(address.to_v6());
}

// ---------------------------------------------------------------------------------------------
// Cidr

wba::Result<Cidr> Cidr::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error(Reason::invalid_argument,
                 "network '" + std::string(text) + "': " + std::string(why));
  };
  std::string_view addr_part = text;
  std::optional<unsigned> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr_part = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size()) return bad("bad prefix");
    prefix = value;
  }
  if (addr_part.find('%') != std::string_view::npos) return bad("scoped addresses not allowed");
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(addr_part), ec);
  if (ec) return bad("not an IP address");
  Cidr c;
  c.v6_ = address.is_v6();
  unsigned max = c.v6_ ? 128 : 32;
  c.prefix_ = prefix.value_or(max);
  if (c.prefix_ > max) return bad("prefix too long");
  if (c.v6_) {
    auto b = address.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), c.bytes_.begin());
  } else {
    auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), c.bytes_.begin());
  }
  for (unsigned bit = c.prefix_; bit < max; ++bit) {
    if (c.bytes_[bit / 8] & (0x80u >> (bit % 8))) return bad("host bits set after the prefix");
  }
  return c;
}

bool Cidr::contains(const ip::address& address) const noexcept {
  std::array<unsigned char, 16> a{};
  ip::address candidate = address;
  if (!v6_) {
    candidate = unmapped(address);
    if (!candidate.is_v4()) return false;
    auto b = candidate.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), a.begin());
  } else {
    if (candidate.is_v4()) candidate = ip::make_address_v6(ip::v4_mapped, candidate.to_v4());
    auto b = candidate.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), a.begin());
  }
  for (unsigned bit = 0; bit < prefix_; ++bit) {
    unsigned mask = 0x80u >> (bit % 8);
    if ((a[bit / 8] & mask) != (bytes_[bit / 8] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  std::string addr;
  if (v6_) {
    ip::address_v6::bytes_type b;
    std::copy(bytes_.begin(), bytes_.end(), b.begin());
    addr = ip::address_v6(b).to_string();
  } else {
    ip::address_v4::bytes_type b;
    std::copy(bytes_.begin(), bytes_.begin() + 4, b.begin());
    addr = ip::address_v4(b).to_string();
  }
  return addr + "/" + std::to_string(prefix_);
}

// ---------------------------------------------------------------------------------------------
// OutboundPolicy

wba::Result<OutboundPolicy> OutboundPolicy::make(OutboundConfig config) {
  OutboundPolicy policy;
  auto compile = [](const std::vector<std::string>& in, std::vector<Pattern>& out,
                    std::string_view list) -> wba::Status {
    for (const auto& entry : in) {
      std::string why;
      auto parsed = parse_http_url(entry, why);
      if (!parsed) {
        return Error(Reason::invalid_argument,
                     std::string(list) + " entry '" + entry + "': " + why);
      }
      if (parsed->has_userinfo) {
        return Error(Reason::invalid_argument,
                     std::string(list) + " entry '" + entry + "': userinfo not allowed");
      }
      Pattern p{parsed->scheme, parsed->host, parsed->port,
                parsed->prefix == "/" ? std::string() : parsed->prefix};
      out.push_back(std::move(p));
    }
    return {};
  };
  WBA_CHECK(compile(config.allowed_directories, policy.allowed_, "allowed_directories"));
  WBA_CHECK(compile(config.denied_directories, policy.denied_, "denied_directories"));
  policy.config_ = std::move(config);
  return policy;
}

bool OutboundPolicy::matches(const Pattern& p, const FetchTarget& t) noexcept {
  if (p.scheme != (t.tls ? "https" : "http") || p.host != t.host || p.port != t.port) return false;
  return p.prefix.empty() || t.target.compare(0, p.prefix.size(), p.prefix) == 0;
}

wba::Result<FetchTarget> OutboundPolicy::check_url(std::string_view url) const {
  const std::string shown = "directory URL '" + std::string(url) + "'";
  std::string why;
  auto parsed = parse_http_url(url, why);
  if (!parsed) return refused(shown + ": " + why);
  if (!parsed->tls && !config_.allow_http) {
    return refused(shown + ": plain http is not allowed (https only)");
  }
  if (parsed->has_userinfo) return refused(shown + ": userinfo is not allowed");
  bool port_ok = std::find(config_.allowed_ports.begin(), config_.allowed_ports.end(),
                           parsed->port) != config_.allowed_ports.end() ||
                 (!parsed->tls && config_.allow_http && parsed->port == 80);
  if (!port_ok) {
    return refused(shown + ": port " + std::to_string(parsed->port) + " is not allowed");
  }
  FetchTarget t;
  t.url = std::string(url);
  t.tls = parsed->tls;
  t.host = parsed->host;
  t.port = parsed->port;
  t.target = parsed->prefix;
  bool default_port = parsed->port == (parsed->tls ? 443 : 80);
  t.authority = parsed->host_type == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  if (!default_port) t.authority += ":" + std::to_string(parsed->port);
  for (const auto& p : denied_) {
    if (matches(p, t)) return refused(shown + ": denied by denied_directories");
  }
  if (!allowed_.empty() && std::none_of(allowed_.begin(), allowed_.end(),
                                        [&](const Pattern& p) { return matches(p, t); })) {
    return refused(shown + ": not in allowed_directories");
  }
  if (!parsed->host_literal.empty()) {
    boost::system::error_code ec;
    auto address = ip::make_address(parsed->host_literal, ec);
    if (ec) return refused(shown + ": bad IP literal");
    WBA_CHECK(check_address(address));
    t.ip_literal = address;
  }
  return t;
}

wba::Status OutboundPolicy::check_address(const ip::address& address) const {
  for (const auto& net : config_.allowed_networks) {
    if (net.contains(address)) return {};
  }
  AddressVerdict verdict = classify(address);
  if (verdict.global()) return {};
  if (config_.allow_private) {
    // Even in tests these are never a destination: 0.0.0.0 reaches the local host on Linux,
    // and multicast/broadcast are not unicast at all.
    AddressClass inner = classify(unmapped(address)).cls;
    if (inner != AddressClass::unspecified && inner != AddressClass::multicast &&
        inner != AddressClass::broadcast) {
      return {};
    }
  }
  return refused("address " + address.to_string() + " is not public (" +
                 std::string(to_string(verdict.cls)) + ", " + verdict.range + ")");
}

}  // namespace wbad::fetch

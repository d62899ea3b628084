// Outbound (SSRF) safety for key-directory fetches. The URL comes from an attacker-controlled
// Signature-Agent field, so the daemon must never be steered into its own network
// (draft-ietf-webbotauth-httpsig-protocol §6.11 "SSRF"; DIGEST §4.8; ecosystem.md §3.2):
//   - scheme: https only; plain http only when allow_http is set (tests, local development);
//   - no userinfo; ports from an allow-list;
//   - operator allow-list and deny-list of directories, by origin or by URL prefix;
//   - addresses: every address a host resolves to must be public unicast (classify() below),
//     unless allow_private (tests) or inside an allow-listed network. ANY refused address in a
//     DNS answer fails the fetch: rejecting mixed answers stops an attacker from steering which
//     address gets picked (ecosystem.md §3.2, michalskalski/envoy-web-bot-auth ssrf.rs).
// The transport connects only to the addresses vetted here (pinning, no second resolution).
//
// Defaults (documented for docs/CONFIG.md):
//   allow_http            false
//   allowed_ports         {443}; 80 is added implicitly only when allow_http is true
//   allow_private         false  (tests only: lets loopback/private/link-local through; the
//                                 unspecified address and multicast stay refused)
//   allowed_networks      {}     (CIDRs that bypass the address filter entirely)
//   allowed_directories   {}     (empty = any directory; else only those matching an entry)
//   denied_directories    {}     (always refused; checked before the allow-list)
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "wba/result.h"

namespace wbad::fetch {

// Why an address is or is not a public unicast destination. Ranges per the IANA IPv4/IPv6
// Special-Purpose Address Registries (RFC 6890 and updates); ecosystem.md §3.2 lists them.
enum class AddressClass {
  global,           // public unicast: fetchable
  unspecified,      // 0.0.0.0/8, ::/128 (connecting to 0.0.0.0 reaches the local host)
  loopback,         // 127.0.0.0/8, ::1/128
  private_use,      // 10/8, 172.16/12, 192.168/16 (RFC 1918)
  shared_address,   // 100.64.0.0/10 (RFC 6598, carrier-grade NAT)
  link_local,       // 169.254.0.0/16 (cloud metadata lives here), fe80::/10
  multicast,        // 224.0.0.0/4, ff00::/8
  broadcast,        // 255.255.255.255
  documentation,    // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  benchmarking,     // 198.18.0.0/15, 2001:2::/48 (inside 2001::/23)
  reserved,         // 240.0.0.0/4, and every IPv6 address outside 2000::/3 not named here
  ietf_protocol,    // 192.0.0.0/24, 2001::/23 (incl. Teredo 2001::/32, ORCHID)
  relay_anycast,    // 192.88.99.0/24 (deprecated 6to4 relays, RFC 7526)
  ipv4_mapped,      // ::ffff:0:0/96 whose embedded IPv4 is not global
  ipv4_compatible,  // ::/96 (deprecated, RFC 4291 §2.5.5.1)
  ipv4_translated,  // ::ffff:0:0:0/96 (SIIT, RFC 6145)
  nat64,            // 64:ff9b::/96 whose embedded IPv4 is not global (RFC 6052 §3.1)
  nat64_local,      // 64:ff9b:1::/48 (RFC 8215, local-use translation)
  discard_only,     // 100::/64 (RFC 6666)
  six_to_four,      // 2002::/16 (RFC 3056; deprecated, relays reach any IPv4; refused whole)
  unique_local,     // fc00::/7
  site_local,       // fec0::/10 (deprecated)
  srv6_sid,         // 5f00::/16 (RFC 9602)
};

std::string_view to_string(AddressClass c) noexcept;

struct AddressVerdict {
  AddressClass cls = AddressClass::global;
  // The matched range, e.g. "10.0.0.0/8", or for embedded forms
  // "::ffff:0:0/96 embedding 127.0.0.0/8 (loopback)"; empty for global addresses.
  std::string range;
  bool global() const noexcept { return cls == AddressClass::global; }
};

// Classifies one address. IPv4-mapped and NAT64 (64:ff9b::/96) addresses take the class of the
// IPv4 address they carry when that one is not global (a mapped public address is public);
// 6to4 and IPv4-compatible addresses are refused whatever they embed (deprecated mechanisms
// that can reach an arbitrary IPv4 address).
AddressVerdict classify(const boost::asio::ip::address& address);

// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128"; a bare address means a host route).
class Cidr {
 public:
  // Refuses host bits set beyond the prefix ("10.0.0.1/8") as a likely operator mistake.
  static wba::Result<Cidr> parse(std::string_view text);
  // An IPv4 network also contains the IPv4-mapped IPv6 form of its addresses.
  bool contains(const boost::asio::ip::address& address) const noexcept;
  std::string to_string() const;

 private:
  bool v6_ = false;
  std::array<unsigned char, 16> bytes_{};
  unsigned prefix_ = 0;
};

struct OutboundConfig {
  bool allow_http = false;
  std::vector<std::uint16_t> allowed_ports{443};
  bool allow_private = false;
  std::vector<Cidr> allowed_networks;
  // Entries are absolute http(s) URLs. An origin ("https://agent.example", path empty or "/")
  // matches every URL of that exact origin (scheme, host, port); anything longer is a prefix of
  // the normalized URL's path-and-query on that same origin ("https://cdn.example/agents/").
  std::vector<std::string> allowed_directories;
  std::vector<std::string> denied_directories;
};

// What the transport needs to fetch a URL that passed the policy.
struct FetchTarget {
  std::string url;   // the URL as given
  bool tls = true;   // https
  std::string host;  // lower-cased name, or the IP literal without brackets
  std::uint16_t port = 443;
  std::string authority;  // Host field: host[:port], port only when not the scheme default
  std::string target;     // origin-form request-target: path ["?" query], never empty
  std::optional<boost::asio::ip::address> ip_literal;  // when the host is an IP literal
};

class OutboundPolicy {
 public:
  // Errors: invalid_argument naming a directory pattern that is not an absolute http(s) URL.
  static wba::Result<OutboundPolicy> make(OutboundConfig config);

  // Checks everything that needs no DNS: scheme, userinfo, port, deny-list, allow-list, and an
  // IP-literal host against the address rules. Refusals are Reason::directory_unavailable
  // (the KeySource contract: "refused address" is a discovery failure), detail saying why.
  wba::Result<FetchTarget> check_url(std::string_view url) const;
  // One resolved (or literal) address against the address rules.
  wba::Status check_address(const boost::asio::ip::address& address) const;

  const OutboundConfig& config() const noexcept { return config_; }

 private:
  struct Pattern {
    std::string scheme, host;
    std::uint16_t port = 0;
    std::string prefix;  // empty: the whole origin
  };
  static bool matches(const Pattern& p, const FetchTarget& t) noexcept;

  OutboundConfig config_;
  std::vector<Pattern> allowed_;
  std::vector<Pattern> denied_;
};

}  // namespace wbad::fetch

#include "service/key_sources.h"

#include "metrics/metrics.h"

#include "fetch/beast_transport.h"
#include "fetch/outbound_policy.h"
#include "keys/directory_key_source.h"
#include "keys/static_key_source.h"

namespace wbad {

using wba::Error;
using wba::Reason;
using wba::Result;

Result<std::shared_ptr<KeySource>> make_key_source(
    const Config& config, boost::asio::io_context& ioc,
    std::shared_ptr<fetch::FetchMetrics> fetch_metrics) {
  fetch::OutboundConfig outbound;
  outbound.allow_http = config.allow_http_directories;
  if (outbound.allow_http) outbound.allowed_ports.push_back(80);
  outbound.allow_private = config.allow_private_fetch;
  for (auto port : config.directory_ports) outbound.allowed_ports.push_back(port);
  auto policy = fetch::OutboundPolicy::make(std::move(outbound));
  if (!policy) return Error(Reason::invalid_argument, "outbound policy: " + policy.error().detail);
  auto shared_policy = std::make_shared<const fetch::OutboundPolicy>(std::move(policy).value());
  fetch::TransportConfig transport_config;
  transport_config.ca_file = config.directory_ca_file;
  auto transport =
      fetch::BeastTransport::make(ioc.get_executor(), shared_policy, std::move(transport_config));
  if (!transport) {
    return Error(Reason::invalid_argument, "--directory-ca-file: " + transport.error().detail);
  }

  DirectoryKeySourceConfig source_config;
  source_config.checks.require_signatures = config.require_directory_signatures;
  source_config.checks.max_clock_skew = config.max_clock_skew;
  auto fetched =
      std::make_shared<DirectoryKeySource>(std::move(transport).value(), shared_policy,
                                           source_config, fetch::Clock::real(), fetch_metrics);
  std::vector<std::string> specs;
  for (const auto& t : config.trust) specs.push_back(t.url + "=" + t.jwks_file);
  auto source =
      StaticKeySource::from_specs(specs, fetched, {}, fetch::Clock::real(), fetch_metrics);
  if (!source) return Error(Reason::invalid_argument, "--trust: " + source.error().detail);
  return std::shared_ptr<KeySource>(std::move(source).value());
}

void render_fetch_metrics(const fetch::FetchMetrics& metrics, std::string& out) {
  metrics.for_each_counter([&out](std::string_view name, std::string_view help, std::uint64_t v) {
    append_metric(out, "wbad_directory_" + std::string(name) + "_total", "counter", help, v);
  });
  append_metric(out, "wbad_directory_cache_entries", "gauge",
                "Directories cached (keys or a cached failure).", metrics.cache_entries.load());
}

}  // namespace wbad

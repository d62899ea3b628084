// The daemon's key source, built from the configuration: statically trusted keys (--trust
// URL=JWKS_FILE) answer first and need no fetch; every other agent's keys come from its
// directory, fetched over HTTPS with the outbound safety rules and cached.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "config/config.h"
#include "fetch/metrics.h"
#include "keys/key_source.h"

namespace wbad {

// Errors name the option: an unreadable or invalid --trust JWKS file, a --trust URL that is not
// an agent or directory URL. `fetch_metrics` is shared across reloads so counters keep counting.
wba::Result<std::shared_ptr<KeySource>> make_key_source(
    const Config& config, boost::asio::io_context& ioc,
    std::shared_ptr<fetch::FetchMetrics> fetch_metrics);

// Appends the fetcher's counters to a Prometheus text page (wbad_directory_*).
void render_fetch_metrics(const fetch::FetchMetrics& metrics, std::string& out);

}  // namespace wbad

// The daemon's key source, built from the configuration: statically trusted keys (--trust
// URL=JWKS_FILE) answer first and need no fetch; other agents' keys come from their fetched
// and cached directories.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "config/config.h"
#include "keys/key_source.h"
#include "metrics/metrics.h"

namespace wbad {

// Errors name the option: an unreadable or invalid --trust JWKS file, a --trust URL that is not
// an agent or directory URL.
wba::Result<std::shared_ptr<KeySource>> make_key_source(const Config& config,
                                                        boost::asio::io_context& ioc,
                                                        Metrics& metrics);

}  // namespace wbad

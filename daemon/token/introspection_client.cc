#include "token/introspection_client.h"

#include "wba/encoding/base64.h"
#include "wba/token/token_exchange.h"

namespace wbad {

namespace {

using fetch::bump;
using wba::Error;
using wba::Reason;

Error unavailable(std::string detail) {
  return Error(Reason::introspection_unavailable, std::move(detail));
}

}  // namespace

wba::Result<std::pair<std::string, std::string>> parse_client_credentials(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == line.size()) {
      return Error(Reason::invalid_argument, "expected client_id:client_secret");
    }
    return std::pair{std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))};
  }
  return Error(Reason::invalid_argument, "no client_id:client_secret line");
}

std::shared_ptr<IntrospectionClient> IntrospectionClient::make(
    std::shared_ptr<fetch::HttpTransport> transport, std::size_t max_in_flight,
    std::shared_ptr<TokenMetrics> metrics) {
  return std::shared_ptr<IntrospectionClient>(
      new IntrospectionClient(std::move(transport), max_in_flight, std::move(metrics)));
}

IntrospectionClient::IntrospectionClient(std::shared_ptr<fetch::HttpTransport> transport,
                                         std::size_t max_in_flight,
                                         std::shared_ptr<TokenMetrics> metrics)
    : transport_(std::move(transport)),
      max_in_flight_(std::max<std::size_t>(max_in_flight, 1)),
      metrics_(metrics ? std::move(metrics) : std::make_shared<TokenMetrics>()) {}

void IntrospectionClient::introspect(const IntrospectionEndpoint& endpoint,
                                     const std::string& token, Callback done) {
  auto key = std::make_pair(endpoint.url, token);
  bool over_limit = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(key); it != waiting_.end()) {
      bump(metrics_->introspection_coalesced);
      it->second.push_back(std::move(done));
      return;
    }
    if (in_flight_.fetch_add(1) >= max_in_flight_) {
      in_flight_.fetch_sub(1);
      over_limit = true;
    } else {
      waiting_[key].push_back(std::move(done));
    }
  }
  if (over_limit) {  // answered outside the lock: the caller may introspect again
    bump(metrics_->introspection_failed);
    return done(unavailable("introspection not attempted: " + std::to_string(max_in_flight_) +
                            " already in flight"));
  }
  fetch::FetchRequest request;
  request.url = endpoint.url;
  request.method = "POST";
  request.body = "token=" + wba::token::form_urlencode(token) + "&token_type_hint=access_token";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.add("Accept", "application/json");
  if (!endpoint.client_id.empty()) {
    request.headers.add(
        "Authorization",
        "Basic " + wba::base64_encode(wba::token::form_urlencode(endpoint.client_id) + ":" +
                                      wba::token::form_urlencode(endpoint.client_secret)));
  }
  transport_->fetch(std::move(request), [self = shared_from_this(), url = endpoint.url,
                                         key = std::move(key)](fetch::FetchResult r) {
    self->in_flight_.fetch_sub(1);
    if (r.error != fetch::FetchError::none) {
      bump(self->metrics_->introspection_failed);
      return self->finish(
          key, unavailable("introspection " + url + ": " +
                           (r.detail.empty() ? std::string(fetch::to_string(r.error)) : r.detail)));
    }
    if (r.status != 200) {
      bump(self->metrics_->introspection_failed);
      std::string detail = "introspection " + url + ": status " + std::to_string(r.status);
      if (r.status == 401 || r.status == 403) detail += " (check --introspection-credentials)";
      if (r.status >= 300 && r.status < 400) detail += " (redirects are not followed)";
      return self->finish(key, unavailable(std::move(detail)));
    }
    bump(self->metrics_->introspection_ok);
    self->finish(key, std::move(r.body));
  });
}

void IntrospectionClient::finish(const std::pair<std::string, std::string>& key,
                                 wba::Result<std::string> result) {
  std::vector<Callback> callers;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;
    callers = std::move(it->second);
    waiting_.erase(it);
  }
  // Outside the lock: a caller may introspect again from its callback.
  for (std::size_t i = 0; i + 1 < callers.size(); ++i) callers[i](result);
  if (!callers.empty()) callers.back()(std::move(result));
}

}  // namespace wbad

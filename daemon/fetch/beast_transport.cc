#include "fetch/beast_transport.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "wba/directory/directory.h"

namespace wbad::fetch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

struct BeastTransport::Shared {
  TransportConfig config;
  std::shared_ptr<const OutboundPolicy> policy;
  // Only read after make(): streams create their SSL objects from it, which OpenSSL allows
  // concurrently.
  std::shared_ptr<ssl::context> tls;
  std::map<std::string, std::vector<asio::ip::address>, std::less<>> overrides;
};

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string endpoint_text(const tcp::endpoint& ep) {
  auto a = ep.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(ep.port());
}

// One directory fetch: resolve → vet → connect (pinned) → TLS → write → read. Kept alive by
// the handlers it has in flight (shared_from_this); every async step runs on its own strand
// with a deadline set just before it (aesthetics.md item 16).
class FetchOperation : public std::enable_shared_from_this<FetchOperation> {
 public:
  FetchOperation(asio::any_io_executor executor,
                 std::shared_ptr<const BeastTransport::Shared> shared, FetchTarget target,
                 FetchRequest request, FetchHandler done)
      : strand_(asio::make_strand(executor)),
        shared_(std::move(shared)),
        target_(std::move(target)),
        request_(std::move(request)),
        done_(std::move(done)),
        resolver_(strand_),
        timer_(strand_),
        buffer_(cfg().max_header_bytes + cfg().max_body_bytes + 8192) {}

  void start() {
    deadline_ = std::chrono::steady_clock::now() + cfg().total_timeout;
    // post, never dispatch: the KeySource contract allows inline completion, but the cache
    // must not be re-entered from its own fetch() call when it need not be.
    asio::post(strand_, [self = shared_from_this()] { self->resolve(); });
  }

 private:
  const TransportConfig& cfg() const { return shared_->config; }

  SteadyTime phase_deadline(std::chrono::milliseconds phase) const {
    return std::min(deadline_, std::chrono::steady_clock::now() + phase);
  }

  beast::tcp_stream& tcp_stream() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  template <class F>
  void with_stream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void fail(FetchError error, std::string detail) {
    FetchResult r;
    r.error = error;
    r.detail = "fetching " + target_.url + ": " + detail;
    finish(std::move(r));
  }

  void finish(FetchResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    if (tls_ || plain_) {
      // No TLS close_notify exchange: the request said Connection: close, the response is
      // complete (or abandoned), and waiting on a misbehaving peer's shutdown could only add
      // latency.
      beast::error_code ignored;
      tcp_stream().socket().shutdown(tcp::socket::shutdown_both, ignored);
      tcp_stream().socket().close(ignored);
    }
    result.peer = peer_;
    FetchHandler done = std::move(done_);
    done(std::move(result));
  }

  // -- 1. resolve ------------------------------------------------------------------------------

  void resolve() {
    if (target_.ip_literal) {  // vetted by OutboundPolicy::check_url already
      endpoints_.emplace_back(*target_.ip_literal, target_.port);
      return connect();
    }
    if (auto it = shared_->overrides.find(target_.host); it != shared_->overrides.end()) {
      return vet(it->second);
    }
    if (std::chrono::steady_clock::now() >= deadline_) return fail(FetchError::timeout, "timeout");
    timer_.expires_at(phase_deadline(cfg().resolve_timeout));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->finished_) return;
      // Fail now: a cancelled getaddrinfo still runs to its end on the resolver's thread, and
      // a slow DNS server must not stretch the fetch past its deadline.
      self->resolver_.cancel();
      self->fail(FetchError::timeout, "resolving " + self->target_.host + " timed out");
    });
    resolver_.async_resolve(
        target_.host, std::to_string(target_.port), tcp::resolver::numeric_service,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    timer_.cancel();
    if (finished_) return;
    if (ec)
      return fail(FetchError::resolve_failed, "resolving " + target_.host + ": " + ec.message());
    std::vector<asio::ip::address> addresses;
    for (const auto& entry : results) {
      auto a = entry.endpoint().address();
      if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) {
        addresses.push_back(a);
      }
    }
    vet(addresses);
  }

  // -- 2. vet every address --------------------------------------------------------------------

  void vet(const std::vector<asio::ip::address>& addresses) {
    if (addresses.empty()) {
      return fail(FetchError::resolve_failed, target_.host + " has no address");
    }
    if (addresses.size() > cfg().max_addresses) {
      return fail(FetchError::refused, target_.host + " resolves to " +
                                           std::to_string(addresses.size()) +
                                           " addresses, more than max_addresses");
    }
    // Any refused address fails the whole fetch (ecosystem.md §3.2): the attacker controls
    // the DNS answer, and a mixed answer would otherwise let it pick the private one.
    for (const auto& a : addresses) {
      auto ok = shared_->policy->check_address(a);
      if (!ok) {
        return fail(
            FetchError::refused,
            "host " + target_.host + " resolves to a refused address: " + ok.error().detail);
      }
    }
    for (const auto& a : addresses) endpoints_.emplace_back(a, target_.port);
    connect();
  }

  // -- 3. connect to the vetted addresses only ---------------------------------------------------

  void connect() {
    if (target_.tls) {
      tls_.emplace(strand_, *shared_->tls);
    } else {
      plain_.emplace(strand_);
    }
    phase_deadline_ = phase_deadline(cfg().connect_timeout);
    tcp_stream().expires_at(phase_deadline_);
    tcp_stream().async_connect(
        endpoints_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint& ep) {
          self->on_connect(ec, ep);
        });
  }

  void on_connect(beast::error_code ec, const tcp::endpoint& ep) {
    if (finished_) return;
    if (ec == beast::error::timeout) return fail(FetchError::timeout, "connect timed out");
    if (ec) return fail(FetchError::connect_failed, "connect: " + ec.message());
    peer_ = endpoint_text(ep);
    if (tls_) return handshake();
    write();
  }

  // -- 4. TLS ------------------------------------------------------------------------------------

  void handshake() {
    SSL* ssl = tls_->native_handle();
    bool ok = true;
    if (target_.ip_literal) {
      // RFC 6066 §3: no SNI for IP literals; the certificate must name the address instead.
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), target_.host.c_str()) == 1;
    } else {
      // SNI, and the name OpenSSL checks the certificate against during chain verification
      // (the same check asio::ssl::host_name_verification performs, made in the handshake).
      ok = SSL_set_tlsext_host_name(ssl, target_.host.c_str()) == 1 &&
           SSL_set1_host(ssl, target_.host.c_str()) == 1;
    }
    if (!ok) return fail(FetchError::tls_failed, "cannot set the TLS host name");
    tls_->set_verify_mode(ssl::verify_peer);
    tcp_stream().expires_at(phase_deadline_);
    tls_->async_handshake(
        ssl::stream_base::client,
        [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (finished_) return;
    if (ec == beast::error::timeout) return fail(FetchError::timeout, "TLS handshake timed out");
    if (ec) {
      std::string why = ec.message();
      long verify = SSL_get_verify_result(tls_->native_handle());
      if (verify != X509_V_OK) {
        why = std::string("certificate verification failed: ") +
              X509_verify_cert_error_string(verify);
      }
      return fail(FetchError::tls_failed, "TLS handshake with " + peer_ + ": " + why);
    }
    write();
  }

  // -- 5. request --------------------------------------------------------------------------------

  void write() {
    const bool post = request_.method == "POST";
    request_msg_.method(post ? bhttp::verb::post : bhttp::verb::get);
    request_msg_.target(target_.target);
    request_msg_.version(11);
    request_msg_.set(bhttp::field::host, target_.authority);
    request_msg_.set(bhttp::field::user_agent, cfg().user_agent);
    request_msg_.set(bhttp::field::accept,
                     std::string(wba::directory::kMediaType) +
                         ", application/jwk-set+json;q=0.9, application/json;q=0.8");
    request_msg_.set(bhttp::field::accept_encoding, "identity");
    request_msg_.set(bhttp::field::connection, "close");
    // A field the caller names replaces the default above (Accept for metadata and
    // introspection); framing and connection fields stay the transport's.
    std::set<std::string> replaced;
    for (const auto& [name, value] : request_.headers.lines()) {
      if (replaced.insert(lower(name)).second) request_msg_.erase(name);
      request_msg_.insert(name, value);
    }
    request_msg_.set(bhttp::field::host, target_.authority);
    request_msg_.set(bhttp::field::connection, "close");
    request_msg_.erase(bhttp::field::transfer_encoding);  // framing is ours alone
    request_msg_.erase(bhttp::field::content_length);
    if (post || !request_.body.empty()) {
      request_msg_.body() = std::move(request_.body);
      request_msg_.prepare_payload();  // Content-Length (also 0 for an empty POST)
      if (!request_msg_.count(bhttp::field::content_type)) {
        request_msg_.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
      }
    }
    phase_deadline_ = phase_deadline(cfg().read_timeout);
    tcp_stream().expires_at(phase_deadline_);
    with_stream([this](auto& stream) {
      bhttp::async_write(
          stream, request_msg_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    });
  }

  void on_write(beast::error_code ec) {
    if (finished_) return;
    if (ec == beast::error::timeout)
      return fail(FetchError::timeout, "sending the request timed out");
    if (ec) return fail(FetchError::io_error, "sending the request: " + ec.message());
    read();
  }

  // -- 6. response -------------------------------------------------------------------------------

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(cfg().max_header_bytes));
    parser_->body_limit(cfg().max_body_bytes);
    tcp_stream().expires_at(phase_deadline_);  // one deadline for the whole response: a
                                               // trickling body cannot extend it
    with_stream([this](auto& stream) {
      bhttp::async_read(
          stream, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    });
  }

  void on_read(beast::error_code ec) {
    if (finished_) return;
    if (ec == ssl::error::stream_truncated) {
      // A peer closing without close_notify: harmless once the framing says the message is
      // complete; for a body delimited by the end of the connection, that end is here.
      if (!parser_->is_done() && parser_->is_header_done() && !parser_->chunked() &&
          !parser_->content_length()) {
        beast::error_code eof_ec;
        parser_->put_eof(eof_ec);
      }
      if (parser_->is_done()) ec = {};
    }
    if (ec == bhttp::error::body_limit) {
      return fail(FetchError::too_large,
                  "response body exceeds " + std::to_string(cfg().max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return fail(FetchError::too_large,
                  "response header exceeds " + std::to_string(cfg().max_header_bytes) + " bytes");
    }
    if (ec == beast::error::timeout)
      return fail(FetchError::timeout, "reading the response timed out");
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
        ec != bhttp::error::end_of_stream) {
      return fail(FetchError::protocol_error, "malformed HTTP response: " + ec.message());
    }
    if (ec) return fail(FetchError::io_error, "reading the response: " + ec.message());

    auto& msg = parser_->get();
    FetchResult r;
    r.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) {
      r.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    for (auto ce : r.headers.values("content-encoding")) {
      if (!wba::http::iequals(ce, "identity")) {
        // We asked for identity: a coded body could hide any size behind the cap (the draft:
        // limit the size after content decoding), so we decode nothing.
        return fail(FetchError::protocol_error,
                    "unsupported Content-Encoding '" + std::string(ce) + "'");
      }
    }
    r.body = std::move(msg.body());
    finish(std::move(r));
  }

  asio::strand<asio::any_io_executor> strand_;
  std::shared_ptr<const BeastTransport::Shared> shared_;
  FetchTarget target_;
  FetchRequest request_;
  FetchHandler done_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::vector<tcp::endpoint> endpoints_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::optional<beast::tcp_stream> plain_;
  bhttp::request<bhttp::string_body> request_msg_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  SteadyTime deadline_{};
  SteadyTime phase_deadline_{};
  std::string peer_;
  bool finished_ = false;
};

}  // namespace

BeastTransport::BeastTransport(asio::any_io_executor executor, std::shared_ptr<const Shared> shared)
    : executor_(std::move(executor)), shared_(std::move(shared)) {}

wba::Result<std::shared_ptr<BeastTransport>> BeastTransport::make(
    asio::any_io_executor executor, std::shared_ptr<const OutboundPolicy> policy,
    TransportConfig config) {
  using wba::Error;
  using wba::Reason;
  if (!policy) return Error(Reason::invalid_argument, "no outbound policy");
  if (config.connect_timeout.count() <= 0 || config.read_timeout.count() <= 0 ||
      config.total_timeout.count() <= 0 || config.resolve_timeout.count() <= 0) {
    return Error(Reason::invalid_argument, "fetch timeouts must be positive");
  }
  if (config.max_header_bytes == 0 || config.max_body_bytes == 0 || config.max_addresses == 0) {
    return Error(Reason::invalid_argument, "fetch limits must be positive");
  }
  auto shared = std::make_shared<Shared>();
  for (const auto& [host, addresses] : config.host_overrides) {
    auto& out = shared->overrides[lower(host)];
    for (const auto& text : addresses) {
      beast::error_code ec;
      auto a = asio::ip::make_address(text, ec);
      if (ec) {
        return Error(Reason::invalid_argument,
                     "host_overrides: '" + text + "' for " + host + " is not an IP address");
      }
      out.push_back(a);
    }
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (config.use_system_ca) {
    ctx->set_default_verify_paths(ec);
    if (ec) return Error(Reason::invalid_argument, "system CA store: " + ec.message());
  }
  if (!config.ca_file.empty()) {
    ctx->load_verify_file(config.ca_file, ec);
    if (ec)
      return Error(Reason::invalid_argument, "ca_file " + config.ca_file + ": " + ec.message());
  }
  if (!config.ca_pem.empty()) {
    ctx->add_certificate_authority(asio::buffer(config.ca_pem), ec);
    if (ec) return Error(Reason::invalid_argument, "ca_pem: " + ec.message());
  }
  ctx->set_verify_mode(ssl::verify_peer);
  shared->config = std::move(config);
  shared->policy = std::move(policy);
  shared->tls = std::move(ctx);
  return std::shared_ptr<BeastTransport>(
      new BeastTransport(std::move(executor), std::move(shared)));
}

void BeastTransport::fetch(FetchRequest request, FetchHandler done) {
  auto target = shared_->policy->check_url(request.url);
  if (!target || (request.method != "GET" && request.method != "POST")) {
    FetchResult r;
    r.error = target ? FetchError::protocol_error : FetchError::refused;
    r.detail = target ? "fetching " + request.url + ": method '" + request.method +
                            "' is not supported (GET or POST)"
                      : target.error().detail;
    asio::post(executor_,
               [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    return;
  }
  std::make_shared<FetchOperation>(executor_, shared_, std::move(*target), std::move(request),
                                   std::move(done))
      ->start();
}

}  // namespace wbad::fetch

#include "service/key_sources.h"

#include <fstream>
#include <sstream>

#include "wba/directory/directory.h"
#include "wba/profile/signature_agent.h"
#include "wba/sig/signer.h"

namespace wbad {
namespace {

using wba::Error;
using wba::Reason;
using wba::Result;

// Keys configured for a Signature-Agent: matched by the directory URL the agent's member
// resolves to, then by thumbprint (never by keyid alone).
class TrustedKeySource final : public KeySource {
 public:
  TrustedKeySource(std::vector<wba::directory::Directory> directories,
                   std::shared_ptr<KeySource> next)
      : directories_(std::move(directories)), next_(std::move(next)) {}

  void find_key(const wba::profile::KeyQuery& query, KeyCallback done) override {
    if (query.agent) {
      for (const auto& d : directories_) {
        if (d.url() != query.agent->directory_url) continue;
        auto key = d.lookup(query.agent->directory_url, query.keyid, wba::sig::unix_now());
        if (key || !next_) return done(std::move(key));
        break;  // configured for this agent but without this key: the fetcher may know it
      }
    }
    if (next_) return next_->find_key(query, std::move(done));
    done(Error(Reason::key_not_found,
               query.agent ? "no trusted key for " + query.agent->directory_url
                           : std::string("no Signature-Agent and no key configured for it")));
  }

 private:
  std::vector<wba::directory::Directory> directories_;
  std::shared_ptr<KeySource> next_;
};

Result<wba::directory::Directory> load_trust(const TrustEntry& t) {
  std::ifstream in(t.jwks_file, std::ios::binary);
  if (!in) return Error(Reason::io_error, "--trust: cannot read '" + t.jwks_file + "'");
  std::stringstream text;
  text << in.rdbuf();
  // The URL names the agent the way its Signature-Agent member does: resolve it the same way
  // so that lookups compare directory URLs octet for octet.
  wba::profile::AgentUrlPolicy any;
  any.allow_http = true;
  auto location = wba::profile::resolve_agent(
      wba::profile::SignatureAgentMember{"", t.url, wba::profile::MemberType::directory, false},
      any);
  if (!location) return Error(Reason::invalid_argument, "--trust: " + location.error().detail);
  auto dir = wba::directory::parse_directory(text.str(), location->directory_url);
  if (!dir) {
    return Error(Reason::invalid_argument, "--trust: '" + t.jwks_file + "': " + dir.error().detail);
  }
  if (dir->keys().empty()) {
    return Error(Reason::invalid_argument, "--trust: '" + t.jwks_file + "' has no usable key");
  }
  return dir;
}

}  // namespace

Result<std::shared_ptr<KeySource>> make_key_source(const Config& config,
                                                   boost::asio::io_context& ioc, Metrics& metrics) {
  (void)ioc;
  (void)metrics;
  std::vector<wba::directory::Directory> trusted;
  for (const auto& t : config.trust) {
    WBA_TRY(auto d, load_trust(t));
    trusted.push_back(std::move(d));
  }
  std::shared_ptr<KeySource> fetched;  // the directory fetcher joins here
  return std::shared_ptr<KeySource>(
      std::make_shared<TrustedKeySource>(std::move(trusted), std::move(fetched)));
}

}  // namespace wbad

// Test support: runs the wbad executable as a child process on loopback, reads the port it
// bound from its "listening" log line, and talks HTTP/1.1 to it with a Beast client.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace wbad::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Response = bhttp::response<bhttp::string_body>;

class DaemonProcess {
 public:
  // Starts wbad with `args` (plus --listen 127.0.0.1:0 unless given); waits until it listens.
  explicit DaemonProcess(std::vector<std::string> args, std::filesystem::path log_file)
      : log_file_(std::move(log_file)) {
    bool has_listen = false;
    for (const auto& a : args) has_listen = has_listen || a.rfind("--listen", 0) == 0;
    if (!has_listen) {
      args.push_back("--listen");
      args.push_back("127.0.0.1:0");
    }
    std::filesystem::remove(log_file_);  // never read an earlier run's "listening" line
    pid_ = ::fork();
    if (pid_ == 0) {
      std::FILE* log = std::freopen(log_file_.c_str(), "w", stderr);
      (void)log;
      std::vector<char*> argv;
      std::string exe = WBAD_PATH;
      argv.push_back(exe.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& line : log_lines()) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("msg", "") == "listening") {
          port_ = j.value("port", 0);
          return;
        }
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  // The exit code when the process ended before listening (127: could not run WBAD_PATH).
  int early_exit_code() const { return exited_ ? exit_code_ : 0; }
  ~DaemonProcess() {
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool listening() const { return port_ != 0; }
  unsigned short port() const { return port_; }

  std::vector<std::string> log_lines() const {
    std::ifstream in(log_file_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::string log_text() const {
    std::string out;
    for (const auto& l : log_lines()) out += l + "\n";
    return out;
  }

  void signal(int sig) { ::kill(pid_, sig); }
  // Waits for the process to exit; returns its exit code (-1 on timeout or a signal).
  int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited_ && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exited_ ? exit_code_ : -1;
  }

  // One request on a fresh connection.
  Response request(bhttp::verb method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   const std::string& body = {}) const {
    net::io_context ioc;
    net::ip::tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port_});
    bhttp::request<bhttp::string_body> req{method, target, 11};
    bool has_host = false;
    for (const auto& [n, v] : headers) {
      req.insert(n, v);
      has_host = has_host || beast::iequals(n, "host");
    }
    if (!has_host) req.set(bhttp::field::host, "127.0.0.1");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    Response res;
    bhttp::read(socket, buffer, res);
    return res;
  }

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace wbad::testing

// wba: sign and verify HTTP messages with RFC 9421 signatures from the command line.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"

namespace {

constexpr const char* kHelp = R"(Usage: wba COMMAND [OPTIONS] …

Commands:
  keygen       generate a private key (JWK)
  pubkey       print the public JWK of a key
  thumbprint   print the RFC 7638 thumbprint of a key
  base         print the signature base of a message
  sign         add a signature to a message
  verify       verify the signatures of a message (JSON verdict)
  directory    print a signed key directory response for keys
  conformance  run conformance vector files (testvectors/webbotauth) and count passes

Run 'wba COMMAND --help' for a command's options. Exit codes: 0 success, 1 verification failed,
2 usage error or unreadable input.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace wba::cli;
  if (argc < 2) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") return std::cout << kHelp, 0;
  if (command == "keygen") return cmd_keygen(args);
  if (command == "pubkey") return cmd_pubkey(args);
  if (command == "thumbprint") return cmd_thumbprint(args);
  if (command == "base") return cmd_base(args);
  if (command == "sign") return cmd_sign(args);
  if (command == "verify") return cmd_verify(args);
  if (command == "directory") return cmd_directory(args);
  if (command == "conformance") return cmd_conformance(args);
  return usage_error("", "unknown command '" + command + "' (see 'wba --help')");
}

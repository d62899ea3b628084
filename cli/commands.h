// The `wba` commands. Each takes the arguments after its name and returns the exit code.
#pragma once

#include <string>
#include <vector>

namespace wba::cli {

int cmd_keygen(const std::vector<std::string>& args);
int cmd_pubkey(const std::vector<std::string>& args);
int cmd_thumbprint(const std::vector<std::string>& args);
int cmd_base(const std::vector<std::string>& args);
int cmd_sign(const std::vector<std::string>& args);
int cmd_verify(const std::vector<std::string>& args);
int cmd_directory(const std::vector<std::string>& args);
int cmd_conformance(const std::vector<std::string>& args);

}  // namespace wba::cli

// Test-only helpers to read the JSON test vectors under WBA_TESTVECTOR_DIR.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace wba::testing {

inline std::filesystem::path vector_path(const std::string& relative) {
  return std::filesystem::path(WBA_TESTVECTOR_DIR) / relative;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline nlohmann::json load_vectors(const std::string& relative) {
  return nlohmann::json::parse(read_text(vector_path(relative)));
}

}  // namespace wba::testing

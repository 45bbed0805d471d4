// Access to the golden data under tests/data (public reference traces, see tests/data/README.md).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace qlab::testing {

inline nlohmann::json LoadTestJson(const std::string& file) {
  std::ifstream in(std::string(QLAB_TEST_DATA_DIR) + "/" + file);
  if (!in) throw std::runtime_error("missing test data file " + file);
  return nlohmann::json::parse(in);
}

}  // namespace qlab::testing

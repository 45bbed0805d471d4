// Runs the qlab binary (QLAB_BINARY) for end-to-end tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace qlab::testing {

struct Result {
  int code = -1;
  std::string out, err;
};

// `env` is a prefix of shell variable assignments ("QLAB_TEST_HOOK=kill@step=5"); a process that
// dies by a signal reports code -1.
inline Result RunQlab(const std::string& args, const std::string& env = "") {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string err_path = (dir / ("qlab_cli_test_err_" + std::to_string(getpid()))).string();
  const std::string command =
      env + " " + std::string(QLAB_BINARY) + " " + args + " 2>" + err_path + " </dev/null";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  result.err.assign(std::istreambuf_iterator<char>(err), {});
  std::filesystem::remove(err_path);
  return result;
}

// A fresh, empty temporary folder per test process: /tmp/qlab_<suite>_<pid>/<name>.
inline std::string TestDir(const std::string& suite, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("qlab_" + suite + "_" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A run dir's metrics.jsonl without the wall-clock fields, which no two runs share.
inline std::string MetricsWithoutWallClock(const std::string& run_dir) {
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::string out, line;
  while (std::getline(in, line)) {
    auto json = nlohmann::json::parse(line);
    for (const char* key : {"wall_s", "env_steps_per_s", "updates_per_s"}) json.erase(key);
    out += json.dump() + "\n";
  }
  return out;
}

inline int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace qlab::testing

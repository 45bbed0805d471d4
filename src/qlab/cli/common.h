// Helpers shared by subcommands: integer flag checks, JSON forms of env parameters and
// observations, bootstrap flags.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "qlab/core/registry.h"

namespace qlab::cli {

// Validator for an integer flag: the value must be a whole number >= min, else CLI11 reports
// "--flag: must be an integer >= min, got 'x'". It checks the text, before CLI11 converts it, so
// '-1' for an unsigned seed is refused instead of wrapping to 2^64 - 1, and a flag whose
// unset default is a sentinel (0 or -1) can't be given that sentinel silently.
CLI::Validator IntAtLeast(int64_t min);

// {"sticky": 0.1, "ramping": true, "actions": "minimal", ...} with JSON types from the specs.
nlohmann::json ParamsJson(const ResolvedEnv& env);

// An observation row (raw bytes of spec.obs_dtype) as a flat JSON list in [C,H,W] order.
nlohmann::json ObsJson(const EnvSpec& spec, std::span<const uint8_t> row);

// Reads a file of action indices (one integer per line; blank lines and '#' comments skipped),
// each checked against the action count; UserError names the file and line.
std::vector<int32_t> ReadActionsFile(const std::string& path, int num_actions);

}  // namespace qlab::cli

// Bootstrap flags shared by `stats`, `report` and `compare`.
namespace qlab::stats {
struct BootstrapOptions;
}
namespace qlab::cli {

struct BootstrapArgs {
  int reps = 50000;
  uint64_t seed = 0;
  double ci = 0.95;
  std::string method = "percentile";
  std::string rng = "fast";
  bool task_bootstrap = false;
  stats::BootstrapOptions Options() const;  // validated; UserError names the bad value
};

void AddBootstrapFlags(CLI::App* cmd, BootstrapArgs& args);

// {"point": p, "ci": [lo, hi]}
nlohmann::json EstimateJson(double point, double lo, double hi);

}  // namespace qlab::cli

#include "qlab/cli/common.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <fstream>

#include "qlab/core/errors.h"
#include "qlab/stats/bootstrap.h"

namespace qlab::cli {

CLI::Validator IntAtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec == std::errc() && ptr == end && value >= min) return "";
        return fmt::format("must be an integer >= {}, got '{}'", min, text);
      },
      fmt::format(">= {}", min));
}

nlohmann::json ParamsJson(const ResolvedEnv& env) {
  nlohmann::json out = nlohmann::json::object();
  for (const ParamSpec& spec : env.entry->params) {
    switch (spec.type) {
      case ParamSpec::Type::kBool:
        out[spec.name] = env.params.GetBool(spec.name);
        break;
      case ParamSpec::Type::kInt:
        out[spec.name] = env.params.GetInt(spec.name);
        break;
      case ParamSpec::Type::kFloat:
        out[spec.name] = env.params.GetFloat(spec.name);
        break;
      case ParamSpec::Type::kChoice:
        out[spec.name] = env.params.GetString(spec.name);
        break;
    }
  }
  return out;
}

nlohmann::json ObsJson(const EnvSpec& spec, std::span<const uint8_t> row) {
  nlohmann::json out = nlohmann::json::array();
  if (spec.obs_dtype == DType::kUInt8) {
    for (uint8_t v : row) out.push_back(static_cast<int>(v));
  } else {
    for (size_t i = 0; i < row.size(); i += sizeof(float)) {
      float v;
      std::memcpy(&v, row.data() + i, sizeof(float));
      out.push_back(v);
    }
  }
  return out;
}

std::vector<int32_t> ReadActionsFile(const std::string& path, int num_actions) {
  std::ifstream in(path);
  if (!in)
    throw UserError(fmt::format("cannot read actions file '{}': {}", path, std::strerror(errno)));
  std::vector<int32_t> actions;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    auto end = line.find_last_not_of(" \t\r") + 1;
    int value = 0;
    auto [ptr, ec] = std::from_chars(line.data() + begin, line.data() + end, value);
    if (ec != std::errc() || ptr != line.data() + end)
      throw UserError(fmt::format("{}:{}: expected an action index, got '{}'", path, number,
                                  line.substr(begin, end - begin)));
    if (value < 0 || value >= num_actions)
      throw UserError(
          fmt::format("{}:{}: action {} out of range [0, {})", path, number, value, num_actions));
    actions.push_back(value);
  }
  if (actions.empty()) throw UserError(fmt::format("actions file '{}' holds no actions", path));
  return actions;
}

}  // namespace qlab::cli

namespace qlab::cli {

stats::BootstrapOptions BootstrapArgs::Options() const {
  stats::BootstrapOptions options;
  options.reps = reps;
  options.coverage = ci;
  options.method = stats::ParseCiMethod(method);
  options.task_bootstrap = task_bootstrap;
  options.Validate();
  stats::ParseRngKind(rng);
  return options;
}

void AddBootstrapFlags(CLI::App* cmd, BootstrapArgs& args) {
  cmd->add_option("--reps", args.reps, "bootstrap replicates")->capture_default_str();
  cmd->add_option("--seed", args.seed, "bootstrap seed")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--ci", args.ci, "confidence level of the intervals")->capture_default_str();
  cmd->add_option("--method", args.method, "interval method: percentile | basic | bc | bca")
      ->capture_default_str();
  cmd->add_option("--rng", args.rng,
                  "bootstrap stream: fast | numpy-legacy (replays rliable's np.random draws)")
      ->capture_default_str();
  cmd->add_flag("--task-bootstrap", args.task_bootstrap, "also resample tasks (not the default)");
}

nlohmann::json EstimateJson(double point, double lo, double hi) {
  return {{"point", point}, {"ci", {lo, hi}}};
}

}  // namespace qlab::cli

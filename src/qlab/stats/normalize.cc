#include "qlab/stats/normalize.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "qlab/core/errors.h"

namespace qlab::stats {

const ReferenceTable& BuiltinReferenceScores() {
  // DeepMind Control: returns lie in [0, 1000]; the literature (SimBa, SimbaV2) reports score /
  // 1000
  constexpr const char* kDmc = "DMC: 0 to the maximum return 1000";
  static const ReferenceTable table = {
      {"minatar/asterix", {0.4835, 17, "MinAtar paper DQN, 5M frames (approx.)"}},
      {"minatar/breakout", {0.5005, 10, "MinAtar paper DQN, 5M frames (approx.)"}},
      {"minatar/freeway", {0.1285, 50, "MinAtar paper DQN, 5M frames (approx.)"}},
      {"minatar/seaquest", {0.0965, 20, "MinAtar paper DQN, 5M frames (approx.)"}},
      {"minatar/space_invaders", {2.8705, 43, "MinAtar paper DQN, 5M frames (approx.)"}},
      {"classic/cartpole", {22.182, 475, "Gymnasium CartPole-v1 reward_threshold"}},
      {"classic/acrobot", {-498.5055, -100, "Gymnasium Acrobot-v1 reward_threshold"}},
      {"classic/mountain_car", {-200, -110, "Gymnasium MountainCar-v0 reward_threshold"}},
      {"dmc/pendulum_swingup", {0, 1000, kDmc}},
      {"dmc/cartpole_balance", {0, 1000, kDmc}},
      {"dmc/cartpole_swingup", {0, 1000, kDmc}},
      {"dmc/reacher_easy", {0, 1000, kDmc}},
      {"dmc/reacher_hard", {0, 1000, kDmc}},
      {"dmc/cheetah_run", {0, 1000, kDmc}},
      {"dmc/walker_stand", {0, 1000, kDmc}},
      {"dmc/walker_walk", {0, 1000, kDmc}},
      {"dmc/walker_run", {0, 1000, kDmc}},
      {"dmc/hopper_stand", {0, 1000, kDmc}},
      {"dmc/hopper_hop", {0, 1000, kDmc}},
  };
  return table;
}

ReferenceTable LoadReferenceTable(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw UserError(fmt::format("cannot read reference table '{}'", path));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  if (!json.is_object())
    throw UserError(
        fmt::format("{}: expected {{\"task\": {{\"random\": r, \"baseline\": b}}}}", path));
  ReferenceTable table;
  for (const auto& [task, entry] : json.items()) {
    if (!entry.is_object() || !entry.contains("random") || !entry.contains("baseline") ||
        !entry["random"].is_number() || !entry["baseline"].is_number())
      throw UserError(
          fmt::format("{}: task '{}' needs numeric 'random' and 'baseline'", path, task));
    ReferenceScores ref{entry["random"].get<double>(), entry["baseline"].get<double>(), path};
    if (ref.baseline == ref.random)
      throw UserError(fmt::format("{}: task '{}' has baseline == random", path, task));
    table[task] = ref;
  }
  return table;
}

ReferenceTable ReferenceTableOption(const std::string& option) {
  if (option == "builtin") return BuiltinReferenceScores();
  if (option == "none") return {};
  return LoadReferenceTable(option);
}

std::optional<ReferenceScores> FindReference(const ReferenceTable& table, const std::string& task) {
  if (auto it = table.find(task); it != table.end()) return it->second;
  if (auto paren = task.find('('); paren != std::string::npos)
    if (auto it = table.find(task.substr(0, paren)); it != table.end()) return it->second;
  return std::nullopt;
}

double Normalize(double score, const ReferenceScores& reference) {
  return (score - reference.random) / (reference.baseline - reference.random);
}

ScoreMatrix NormalizeScores(const ScoreMatrix& scores, const ReferenceTable& table) {
  if (static_cast<int>(scores.task_names.size()) != scores.tasks())
    throw UserError("cannot normalise scores without task names");
  ScoreMatrix out = scores;
  for (int t = 0; t < scores.tasks(); ++t) {
    const auto reference = FindReference(table, scores.task_names[t]);
    if (!reference)
      throw UserError(
          fmt::format("no reference score for task '{}' (pass a table with "
                      "--reference FILE)",
                      scores.task_names[t]));
    for (int r = 0; r < scores.runs(); ++r)
      for (int l = 0; l < scores.points(); ++l)
        out.at(r, t, l) = Normalize(scores.at(r, t, l), *reference);
  }
  return out;
}

}  // namespace qlab::stats

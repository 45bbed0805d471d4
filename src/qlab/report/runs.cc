#include "qlab/report/runs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "qlab/core/errors.h"
#include "qlab/core/multi_task.h"

namespace qlab::report {
namespace fs = std::filesystem;

namespace {

std::string ReadStatus(const fs::path& dir) {
  std::ifstream in(dir / "status");
  std::string line;
  if (!in || !std::getline(in, line)) return "unknown";
  return line;
}

// A multi-task run (env "a,b,..."; core/multi_task.h) becomes one run per task, with the task's
// canonical name as env and the task's score column (task/<id>/<score key>, the canonical name
// instead of the id where two tasks share it, as the runner writes them): reports then show,
// compare and aggregate the tasks like envs of single-task runs.
std::vector<RunData> SplitTasks(RunData run) {
  const std::vector<std::string> tasks = SplitEnvList(run.env);
  if (tasks.size() < 2) return {std::move(run)};
  std::vector<RunData> split;
  for (const std::string& task : tasks) {
    const std::string id = task.substr(0, task.find('('));
    auto column = run.metrics.find("task/" + id + "/" + run.score_key);
    if (column == run.metrics.end())
      column = run.metrics.find("task/" + task + "/" + run.score_key);
    RunData one = run;
    one.env = task;
    one.scores =
        column != run.metrics.end()
            ? column->second
            : std::vector<double>(run.env_steps.size(), std::numeric_limits<double>::quiet_NaN());
    split.push_back(std::move(one));
  }
  return split;
}

}  // namespace

RunData LoadRun(const std::string& dir) {
  RunData run;
  run.dir = dir;
  const fs::path meta_path = fs::path(dir) / "meta.json";
  std::ifstream meta_file(meta_path);
  if (!meta_file) throw UserError(fmt::format("{}: missing meta.json", dir));
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(meta_file);
    run.agent = meta.at("agent").get<std::string>();
    run.env = meta.at("env").get<std::string>();
    run.label = meta.value("label", run.agent);
    run.seed = meta.at("seed").get<uint64_t>();
    run.parameters = meta.value("parameters", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: malformed meta.json ({})", meta_path.string(), e.what()));
  }
  run.status = ReadStatus(dir);

  const fs::path metrics_path = fs::path(dir) / "metrics.jsonl";
  std::ifstream metrics(metrics_path);
  if (!metrics) throw UserError(fmt::format("{}: missing metrics.jsonl", dir));
  std::vector<nlohmann::json> rows;
  int line_number = 0;
  for (std::string line; std::getline(metrics, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      // a run killed mid-write can leave a torn last line: keep what came before it
      if (metrics.peek() == EOF) break;
      throw UserError(fmt::format("{}:{}: not a JSON object", metrics_path.string(), line_number));
    }
  }
  const bool has_eval = std::any_of(rows.begin(), rows.end(), [](const nlohmann::json& r) {
    return r.contains("eval_return_mean") && r["eval_return_mean"].is_number();
  });
  run.score_key = has_eval ? "eval_return_mean" : "train_return_mean";
  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (!row.is_object() || !row.contains("env_steps") || !row["env_steps"].is_number())
      throw UserError(
          fmt::format("{}: every line needs a numeric env_steps", metrics_path.string()));
    run.env_steps.push_back(row["env_steps"].get<int64_t>());
    for (const auto& [key, value] : row.items()) {
      if (!value.is_number()) continue;
      auto& column = run.metrics[key];
      column.resize(i, kMissing);  // a metric first logged at a later iteration
      column.push_back(value.get<double>());
    }
    for (auto& [key, column] : run.metrics) column.resize(i + 1, kMissing);
  }
  const auto scores = run.metrics.find(run.score_key);
  run.scores =
      scores != run.metrics.end() ? scores->second : std::vector<double>(rows.size(), kMissing);
  return run;
}

RunSet LoadRuns(const std::vector<std::string>& paths) {
  RunSet set;
  for (const auto& path : paths) {
    if (!fs::exists(path)) throw UserError(fmt::format("no such run directory '{}'", path));
    std::vector<fs::path> dirs;
    if (fs::exists(fs::path(path) / "meta.json")) {
      dirs.push_back(path);
    } else {
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file() && entry.path().filename() == "meta.json")
          dirs.push_back(entry.path().parent_path());
      std::sort(dirs.begin(), dirs.end());
    }
    if (dirs.empty())
      throw UserError(fmt::format("'{}' is not a run directory and holds none", path));
    for (const auto& dir : dirs) {
      try {
        RunData run = LoadRun(dir.string());
        if (run.scores.empty()) {
          set.problems.push_back(
              fmt::format("{}: no finished iteration yet (status {})", dir.string(), run.status));
          continue;
        }
        if (!run.finished())
          set.problems.push_back(fmt::format("{}: status '{}' after {} iterations", dir.string(),
                                             run.status, run.scores.size()));
        for (RunData& one : SplitTasks(std::move(run))) set.runs.push_back(std::move(one));
      } catch (const UserError& e) {
        set.problems.push_back(fmt::format("skipped: {}", e.what()));
      }
    }
  }
  return set;
}

std::vector<RunGroup> GroupRuns(const RunSet& set) {
  std::map<std::pair<std::string, std::string>, RunGroup> groups;
  for (const auto& run : set.runs) {
    RunGroup& g = groups[{run.label, run.env}];
    g.label = run.label;
    g.env = run.env;
    g.runs.push_back(&run);
  }
  std::vector<RunGroup> out;
  for (auto& [key, g] : groups) {
    std::sort(g.runs.begin(), g.runs.end(),
              [](const RunData* a, const RunData* b) { return a->seed < b->seed; });
    for (const RunData* r : g.runs)
      g.iterations = std::max(g.iterations, static_cast<int>(r->scores.size()));
    const auto short_run = [&](const RunData* r) {
      return static_cast<int>(r->scores.size()) < g.iterations;
    };
    std::copy_if(g.runs.begin(), g.runs.end(), std::back_inserter(g.partial), short_run);
    std::erase_if(g.runs, short_run);
    out.push_back(std::move(g));
  }
  return out;
}

const RunGroup* FindGroup(const std::vector<RunGroup>& groups, const std::string& label,
                          const std::string& env) {
  for (const auto& g : groups)
    if (g.label == label && g.env == env) return &g;
  return nullptr;
}

stats::ScoreMatrix LabelScores(const std::vector<RunGroup>& groups, const std::string& label,
                               const std::vector<std::string>& envs, bool curves,
                               const ScoreTransform& transform) {
  int runs = std::numeric_limits<int>::max(), points = std::numeric_limits<int>::max();
  for (const auto& env : envs) {
    const RunGroup* g = FindGroup(groups, label, env);
    runs = std::min(runs, static_cast<int>(g->runs.size()));
    points = std::min(points, g->iterations);
  }
  stats::ScoreMatrix m(runs, static_cast<int>(envs.size()), curves ? points : 1);
  for (size_t t = 0; t < envs.size(); ++t) {
    const RunGroup* g = FindGroup(groups, label, envs[t]);
    for (int r = 0; r < runs; ++r)
      for (int l = 0; l < m.points(); ++l) {
        const int iteration = curves ? l : g->iterations - 1;
        m.at(r, static_cast<int>(t), l) = transform(envs[t], g->runs[r]->scores[iteration]);
      }
  }
  m.task_names = envs;
  return m;
}

}  // namespace qlab::report

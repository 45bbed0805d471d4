// Reading run directories (format: docs/run_dir.md, DESIGN.md §7) for reports and comparisons.
// Readers are forgiving: a missing or partial run becomes a "problem" line in the report, never
// a crash; only an argument that is neither a run dir nor holds any is an error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "qlab/stats/score_matrix.h"

namespace qlab::report {

struct RunData {
  std::string dir, label, agent, env, status;
  uint64_t seed = 0;
  int64_t parameters = 0;          // trainable parameters (meta.json; 0 in older run dirs)
  std::string score_key;           // eval_return_mean, or train_return_mean without evaluation
  std::vector<int64_t> env_steps;  // per iteration
  std::vector<double> scores;      // score_key per iteration (NaN where null)
  // every numeric metric per iteration, by name (NaN where a line lacks it or has null)
  std::map<std::string, std::vector<double>> metrics;
  bool finished() const { return status == "done"; }
  double final_score() const { return scores.empty() ? 0.0 : scores.back(); }
};

struct RunSet {
  std::vector<RunData> runs;
  std::vector<std::string> problems;  // one line per unreadable or partial run
};

// Loads one run dir; throws UserError naming the file when meta.json or metrics.jsonl is
// missing or malformed.
RunData LoadRun(const std::string& dir);

// Loads every run in `paths`: a run dir (has meta.json) or a folder searched recursively for
// run dirs. Unreadable runs become problems. UserError if a path does not exist or holds no run.
// A multi-task run enters once per task, its env the task (scores of that task).
RunSet LoadRuns(const std::vector<std::string>& paths);

// Runs sharing (label, env), in label then env order, sorted by seed. `iterations` is the
// longest run's length; runs that have not reached it (still running, killed) are set aside in
// `partial`, so a straggler never truncates the others' curves and final scores.
struct RunGroup {
  std::string label, env;
  std::vector<const RunData*> runs, partial;
  int iterations = 0;
};
std::vector<RunGroup> GroupRuns(const RunSet& set);

// The group of (label, env), or nullptr.
const RunGroup* FindGroup(const std::vector<RunGroup>& groups, const std::string& label,
                          const std::string& env);

// A label's scores over `envs` (every env must have a group): runs x envs of final scores, or
// runs x envs x iterations when `curves`, using the lowest seeds, as many as every env has, and
// the iterations every run has. `transform(env, score)` maps each score (normalisation).
using ScoreTransform = std::function<double(const std::string& env, double score)>;
stats::ScoreMatrix LabelScores(const std::vector<RunGroup>& groups, const std::string& label,
                               const std::vector<std::string>& envs, bool curves,
                               const ScoreTransform& transform);

}  // namespace qlab::report

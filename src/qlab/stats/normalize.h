// Score normalisation: normalised = (score - random) / (baseline - random), so 0 is the random
// policy and 1 the reference agent (the Atari "human-normalised score" construction; rliable
// expects normalised scores and normalises nothing itself).
//
// The built-in reference table is the one documented place for these numbers (docs/statistics.md
// repeats it with its sources):
//  - random: mean return of the uniform random policy measured with qlab itself, 2000 episodes,
//    `qlab rollout --env ENV --episodes 2000 --seed 1 --json` (MinAtar with actions=full,
//    sticky 0.1, the Dopamine setting);
//  - baseline: MinAtar, the DQN returns after 5M frames of the MinAtar paper (Young & Tian 2019),
//    as quoted, rounded, in qlab's training issue; classic control, Gymnasium's reward_threshold
//    ("solved") of each env.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "qlab/stats/score_matrix.h"

namespace qlab::stats {

struct ReferenceScores {
  double random = 0, baseline = 1;
  std::string source;  // where the baseline comes from
};

using ReferenceTable = std::map<std::string, ReferenceScores>;

// The built-in table, keyed by env id without parameters ("minatar/breakout").
const ReferenceTable& BuiltinReferenceScores();

// The table a --normalize option names: "builtin", "none" (empty: no normalisation) or a JSON
// file (LoadReferenceTable).
ReferenceTable ReferenceTableOption(const std::string& option);

// A table from JSON {"task": {"random": r, "baseline": b}, ...}; UserError naming the file/key.
ReferenceTable LoadReferenceTable(const std::string& path);

// The entry for `task`: an exact key, else the key with its "(params)" suffix removed.
std::optional<ReferenceScores> FindReference(const ReferenceTable& table, const std::string& task);

double Normalize(double score, const ReferenceScores& reference);

// Normalises every column of `scores` by its task name; UserError naming a task without a
// reference (or when the matrix has no task names).
ScoreMatrix NormalizeScores(const ScoreMatrix& scores, const ReferenceTable& table);

}  // namespace qlab::stats

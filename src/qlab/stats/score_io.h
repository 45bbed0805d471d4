// Score files, one per algorithm (docs/statistics.md):
//  - CSV: a header row of task names, then one row of scores per run (runs x tasks);
//  - JSON: {"tasks": [...], "scores": [[...], ...]} (runs x tasks), or with a third level of
//    nesting for learning curves (runs x tasks x points); "tasks" is optional.
// Ragged rows, a task count that does not match the columns, or non-numbers are errors naming
// the file and the line/run.
#pragma once

#include <string>

#include "qlab/stats/score_matrix.h"

namespace qlab::stats {

ScoreMatrix LoadScoreFile(const std::string& path);
ScoreMatrix ParseScoreCsv(const std::string& text, const std::string& what);
ScoreMatrix ParseScoreJson(const std::string& text, const std::string& what);

}  // namespace qlab::stats

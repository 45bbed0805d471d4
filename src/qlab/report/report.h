// The results report: run dirs in, one self-contained HTML page out (no network requests; SVG
// figures inlined), with the evaluation protocol of Agarwal et al. 2021:
//  - aggregate table (mean, median, IQM, optimality gap with stratified-bootstrap CIs) over
//    normalised final scores, per label (agent label);
//  - per-env final-score table (mean return with the CI of the mean over runs);
//  - learning curves per env with 95% CI bands; the aggregate IQM sample-efficiency curve;
//  - performance profiles (run-score distribution) with CI bands;
//  - P(improvement) matrix between labels;
//  - a list of missing or partial runs (never fatal).
// Figures are also written as SVG files (with their gnuplot scripts) in <report>_files/.
#pragma once

#include <string>
#include <vector>

#include "qlab/report/runs.h"
#include "qlab/stats/bootstrap.h"
#include "qlab/stats/index_stream.h"

namespace qlab::report {

struct ReportOptions {
  stats::BootstrapOptions bootstrap;  // final-score intervals (default 50,000 reps)
  int curve_reps = 2000;              // per-point intervals of curves and profiles
  stats::RngKind rng = stats::RngKind::kFast;
  uint64_t seed = 0;
  std::string normalize = "builtin";  // builtin | none | a JSON reference table
  std::string title = "qlab report";
};

struct ReportSummary {
  std::vector<std::string> plots;     // SVG files written
  std::vector<std::string> problems;  // missing/partial runs, skipped figures
  int groups = 0, runs = 0;
};

ReportSummary WriteReport(const RunSet& runs, const std::string& html_path,
                          const ReportOptions& options);

}  // namespace qlab::report

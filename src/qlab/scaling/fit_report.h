// The outputs of `qlab fit`: a text summary, a JSON document, and an HTML page with the figures
// of Rybkin et al. 2025 (D_J(sigma) with its fit and held-out points, the data-compute Pareto
// frontier, the hyperparameter laws).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "qlab/scaling/scaling_fit.h"

namespace qlab::scaling {

struct FitContext {
  std::string source, env, metric;  // what was fitted: database, env, curve metric
  int runs = 0, smooth = 1, bootstrap = 0;
};

std::string FitText(const std::vector<ThresholdFit>& fits, const FitContext& context);
nlohmann::json FitJson(const std::vector<ThresholdFit>& fits, const FitContext& context);
// Writes the page (figures beside it in <page>_files/); returns problems (e.g. no gnuplot).
std::vector<std::string> WriteFitReport(const std::vector<ThresholdFit>& fits,
                                        const FitContext& context, const std::string& html_path);

}  // namespace qlab::scaling

// Scaling-law analysis of a UTD sweep (`qlab fit`, docs/scaling.md), after Rybkin et al. 2025,
// "Value-Based Deep RL Scales Predictably":
//  - D_J per configuration: env steps until the seed-mean learning curve (smoothed) first reaches
//    the return J, with a bootstrap over seeds for its uncertainty;
//  - the best configuration per sigma (the least data; this is what the hyperparameter laws
//    describe) and the fit D_J(sigma) = D_min + (beta/sigma)^alpha, with bootstrap intervals on
//    its parameters;
//  - compute C_J(sigma) = sigma * B * N * D_J(sigma) (gradient updates x batch size x parameters:
//    proportional to FLOPs), the data-compute Pareto frontier, and the sigma that minimises the
//    budget F = C + delta * D for each cost delta of one env step in compute units;
//  - power laws of the best batch size B*(sigma) and learning rate eta*(sigma) where the sweep
//    varies them;
//  - an extrapolation check: the law fitted without the held-out sigmas predicts their D_J.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qlab/scaling/scaling_law.h"

namespace qlab::scaling {

struct FitRun {
  std::string config;  // what the run's configuration is (its label): seeds of one config share it
  uint64_t seed = 0;
  double sigma = 0;                               // updates per env step
  double batch_size = 0, lr = 0, parameters = 0;  // 0: unknown
  std::vector<double> env_steps, score;           // the learning curve
};

struct FitOptions {
  std::vector<double> thresholds;  // returns J (one analysis each)
  int smooth = 1;                  // moving-average window over iterations
  int bootstrap = 200;             // replicates over seeds (0: none)
  uint64_t seed = 0;               // of the bootstrap
  std::vector<double> holdout;     // sigmas left out of the check fit; empty: the largest
  bool no_holdout = false;         // no extrapolation check
  std::vector<double> deltas;      // budget costs; empty: B * N * sigma for each swept sigma
};

struct Interval {
  double point = 0, lo = 0, hi = 0;  // lo/hi: 95% percentile bootstrap (NaN without bootstrap)
};

struct ConfigPoint {
  std::string config;
  double sigma = 0, batch_size = 0, lr = 0, parameters = 0;
  int seeds = 0;
  Interval data;       // D_J (point NaN: the config never reached J)
  double compute = 0;  // C_J = sigma * B * N * D_J (N = 1 when unknown)
  bool best = false;   // the least data at its sigma
};

struct HoldoutPoint {
  double sigma = 0, observed = 0, predicted = 0, relative_error = 0;
};

struct BudgetPoint {
  double delta = 0, sigma = 0, data = 0, compute = 0, total = 0;
};

struct ThresholdFit {
  double threshold = 0;
  std::vector<ConfigPoint> configs;  // by sigma, then config
  DataLaw law;                       // fitted on the best config of every sigma
  Interval d_min, beta, alpha;
  int bootstrap_used = 0;            // replicates whose fit succeeded
  std::vector<double> fit_sigmas;    // the sigmas the check law was fitted on
  std::optional<DataLaw> check_law;  // fitted without the held-out sigmas
  std::vector<HoldoutPoint> holdout;
  double compute_per_sample = 1;  // B * N used for the C_J(sigma) curve (median of best configs)
  std::vector<BudgetPoint> budget;
  std::optional<PowerLaw> batch_law, lr_law;
  std::vector<std::string> notes;  // dropped sigmas, unknown parameter counts, ...
};

// One ThresholdFit per threshold; UserError with the reason when a fit is impossible (no runs,
// one sigma, J never reached at >= 3 sigmas).
std::vector<ThresholdFit> FitScaling(const std::vector<FitRun>& runs, const FitOptions& options);

}  // namespace qlab::scaling

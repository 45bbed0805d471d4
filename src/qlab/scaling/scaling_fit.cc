#include "qlab/scaling/scaling_fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "qlab/core/errors.h"
#include "qlab/core/rng.h"

namespace qlab::scaling {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Config {
  std::string name;
  double sigma = 0, batch_size = 0, lr = 0, parameters = 0;
  std::vector<const FitRun*> runs;  // by seed
};

// D_J of the seed-mean curve of `runs` (with repeats: a bootstrap sample).
double DataToThreshold(const std::vector<const FitRun*>& runs, double threshold, int smooth) {
  size_t length = std::numeric_limits<size_t>::max();
  for (const FitRun* run : runs)
    length = std::min({length, run->env_steps.size(), run->score.size()});
  if (runs.empty() || length == 0) return kNaN;
  std::vector<double> mean(length, 0.0);
  for (size_t i = 0; i < length; ++i) {
    int n = 0;
    for (const FitRun* run : runs)
      if (std::isfinite(run->score[i])) mean[i] += run->score[i], ++n;
    mean[i] = n > 0 ? mean[i] / n : kNaN;
  }
  std::vector<double> x(runs[0]->env_steps.begin(), runs[0]->env_steps.begin() + length);
  return FirstCrossing(x, Smooth(mean, smooth), threshold);
}

// The best config's D_J per sigma (never-reached configs left out): sigma -> (D, config index).
std::map<double, std::pair<double, size_t>> BestPerSigma(const std::vector<Config>& configs,
                                                         const std::vector<double>& data) {
  std::map<double, std::pair<double, size_t>> best;
  for (size_t c = 0; c < configs.size(); ++c) {
    if (!std::isfinite(data[c])) continue;
    auto it = best.find(configs[c].sigma);
    if (it == best.end() || data[c] < it->second.first) best[configs[c].sigma] = {data[c], c};
  }
  return best;
}

// Percentile q of sorted values that may end in +inf (never reached): numpy's linear method, with
// inf wherever the interpolation touches an infinite value (inf - inf would give NaN).
double Percentile(const std::vector<double>& sorted, double q) {
  const double position = q / 100 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(position));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(lo);
  if (std::isinf(sorted[lo]) || (fraction > 0 && std::isinf(sorted[hi]))) return kInf;
  return sorted[lo] + fraction * (sorted[hi] - sorted[lo]);
}

// 95% percentile interval of the replicates; NaN ones (a fit that failed) are left out.
Interval Percentiles(std::vector<double> replicates, double point) {
  std::erase_if(replicates, [](double v) { return std::isnan(v); });
  if (replicates.empty()) return {point, kNaN, kNaN};
  std::sort(replicates.begin(), replicates.end());
  return {point, Percentile(replicates, 2.5), Percentile(replicates, 97.5)};
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Sigmas(const std::vector<double>& sigmas) {
  std::vector<std::string> parts;
  for (double s : sigmas) parts.push_back(fmt::format("{:g}", s));
  return fmt::format("{}", fmt::join(parts, ", "));
}

ThresholdFit FitThreshold(const std::vector<Config>& configs, double threshold,
                          const FitOptions& options, uint64_t stream) {
  ThresholdFit fit;
  fit.threshold = threshold;
  std::vector<double> data(configs.size());
  for (size_t c = 0; c < configs.size(); ++c)
    data[c] = DataToThreshold(configs[c].runs, threshold, options.smooth);
  const auto best = BestPerSigma(configs, data);

  std::set<double> all_sigmas;
  for (const auto& config : configs) all_sigmas.insert(config.sigma);
  std::vector<double> sigmas, best_data;
  for (double sigma : all_sigmas) {
    if (const auto it = best.find(sigma); it != best.end()) {
      sigmas.push_back(sigma);
      best_data.push_back(it->second.first);
    } else {
      fit.notes.push_back(
          fmt::format("sigma = {:g}: no configuration reaches J = {:g}; left out of the fit", sigma,
                      threshold));
    }
  }
  if (sigmas.size() < 3)
    throw UserError(fmt::format(
        "J = {:g}: reached at {} sigma value(s) ({}) of {}; D_J(sigma) needs >= 3 (lower the "
        "threshold, or run longer)",
        threshold, sigmas.size(), sigmas.empty() ? "none" : Sigmas(sigmas), all_sigmas.size()));
  fit.law = FitDataLaw(sigmas, best_data);

  // bootstrap over seeds, within each configuration
  std::vector<std::vector<double>> config_replicates(configs.size());
  std::vector<double> d_min, beta, alpha;
  Rng rng(DeriveSeed(options.seed, StreamId("fit/bootstrap") + stream));
  for (int r = 0; r < options.bootstrap; ++r) {
    std::vector<double> replicate(configs.size());
    for (size_t c = 0; c < configs.size(); ++c) {
      const auto& runs = configs[c].runs;
      std::vector<const FitRun*> sample(runs.size());
      for (auto& run : sample) run = runs[rng.UniformInt(static_cast<uint32_t>(runs.size()))];
      replicate[c] = DataToThreshold(sample, threshold, options.smooth);
      config_replicates[c].push_back(std::isfinite(replicate[c]) ? replicate[c] : kInf);
    }
    std::vector<double> s, d;
    for (const auto& [sigma, point] : BestPerSigma(configs, replicate)) {
      s.push_back(sigma);
      d.push_back(point.first);
    }
    if (std::set<double>(s.begin(), s.end()).size() < 3) continue;
    try {
      const DataLaw law = FitDataLaw(s, d);
      d_min.push_back(law.d_min);
      beta.push_back(law.beta);
      alpha.push_back(law.alpha);
    } catch (const UserError&) {
    }
  }
  fit.bootstrap_used = static_cast<int>(alpha.size());
  fit.d_min = Percentiles(d_min, fit.law.d_min);
  fit.beta = Percentiles(beta, fit.law.beta);
  fit.alpha = Percentiles(alpha, fit.law.alpha);

  // compute: B * N per sample of an update, from the best configurations
  std::vector<double> per_sample;
  bool unknown_batch = false, unknown_parameters = false;
  for (const auto& [sigma, point] : best) {
    const Config& config = configs[point.second];
    unknown_batch |= config.batch_size <= 0;
    unknown_parameters |= config.parameters <= 0;
    per_sample.push_back(std::max(config.batch_size, 1.0) * std::max(config.parameters, 1.0));
  }
  fit.compute_per_sample = Median(per_sample);
  if (unknown_batch) fit.notes.push_back("batch size unknown for some runs: taken as 1 in C_J");
  if (unknown_parameters)
    fit.notes.push_back(
        "parameter count unknown for some runs (older run dirs): taken as 1 in C_J");

  for (size_t c = 0; c < configs.size(); ++c) {
    const Config& config = configs[c];
    ConfigPoint point{config.name, config.sigma,      config.batch_size,
                      config.lr,   config.parameters, static_cast<int>(config.runs.size())};
    point.data = options.bootstrap > 0 ? Percentiles(config_replicates[c], data[c])
                                       : Interval{data[c], kNaN, kNaN};
    point.compute = config.sigma * std::max(config.batch_size, 1.0) *
                    std::max(config.parameters, 1.0) * data[c];
    const auto it = best.find(config.sigma);
    point.best = it != best.end() && it->second.second == c;
    fit.configs.push_back(point);
  }

  // extrapolation check: fit without the held-out sigmas, predict them
  if (!options.no_holdout) {
    std::vector<double> held = options.holdout;
    if (held.empty() && sigmas.size() >= 4) held = {sigmas.back()};
    for (double h : held)
      if (std::find(sigmas.begin(), sigmas.end(), h) == sigmas.end())
        throw UserError(fmt::format("--holdout {:g}: not a sigma that reaches J = {:g} ({})", h,
                                    threshold, Sigmas(sigmas)));
    if (held.empty()) {
      fit.notes.push_back(fmt::format(
          "no extrapolation check: it needs >= 4 sigmas reaching J (fit on 3, predict 1), got {}",
          sigmas.size()));
    } else {
      std::vector<double> s, d;
      for (size_t i = 0; i < sigmas.size(); ++i)
        if (std::find(held.begin(), held.end(), sigmas[i]) == held.end()) {
          s.push_back(sigmas[i]);
          d.push_back(best_data[i]);
        }
      if (s.size() < 3)
        throw UserError(
            fmt::format("the extrapolation check leaves {} sigma(s) to fit on: "
                        "hold out fewer (--holdout) or use --no-holdout",
                        s.size()));
      fit.fit_sigmas = s;
      fit.check_law = FitDataLaw(s, d);
      for (size_t i = 0; i < sigmas.size(); ++i)
        if (std::find(held.begin(), held.end(), sigmas[i]) != held.end()) {
          const double predicted = (*fit.check_law)(sigmas[i]);
          fit.holdout.push_back(
              {sigmas[i], best_data[i], predicted, (predicted - best_data[i]) / best_data[i]});
        }
    }
  }

  // budget F = C + delta * D over a log grid of sigma around the swept range
  std::vector<double> deltas = options.deltas;
  if (deltas.empty())
    for (double sigma : sigmas) deltas.push_back(fit.compute_per_sample * sigma);
  const double lo = std::log(sigmas.front() / 4), hi = std::log(sigmas.back() * 4);
  for (double delta : deltas) {
    BudgetPoint point{delta, kNaN, kNaN, kNaN, kInf};
    for (int i = 0; i <= 800; ++i) {
      const double sigma = std::exp(lo + (hi - lo) * i / 800.0);
      const double d = fit.law(sigma), c = sigma * fit.compute_per_sample * d;
      if (c + delta * d < point.total) point = {delta, sigma, d, c, c + delta * d};
    }
    fit.budget.push_back(point);
  }

  // hyperparameter laws from the best configuration of each sigma
  const auto law_of = [&](double ConfigPoint::*field) -> std::optional<PowerLaw> {
    std::set<double> swept;
    for (const auto& point : fit.configs) swept.insert(point.*field);
    if (swept.size() < 2 || *swept.begin() <= 0) return std::nullopt;
    std::vector<double> s, y;
    for (const auto& point : fit.configs)
      if (point.best) {
        s.push_back(point.sigma);
        y.push_back(point.*field);
      }
    if (std::set<double>(s.begin(), s.end()).size() < 2) return std::nullopt;
    return FitPowerLaw(s, y);
  };
  fit.batch_law = law_of(&ConfigPoint::batch_size);
  fit.lr_law = law_of(&ConfigPoint::lr);
  return fit;
}

}  // namespace

std::vector<ThresholdFit> FitScaling(const std::vector<FitRun>& runs, const FitOptions& options) {
  if (runs.empty()) throw UserError("qlab fit: no runs with a learning curve to fit");
  if (options.thresholds.empty())
    throw UserError("qlab fit: give a return threshold J (--threshold)");
  if (options.smooth < 1) throw UserError("qlab fit: --smooth must be >= 1");
  std::map<std::string, Config> by_name;
  for (const FitRun& run : runs) {
    if (!(run.sigma > 0) || !std::isfinite(run.sigma))
      throw UserError(
          fmt::format("qlab fit: run '{}' seed {} has no positive sigma", run.config, run.seed));
    Config& config = by_name[run.config];
    if (!config.runs.empty() && config.sigma != run.sigma)
      throw UserError(fmt::format("qlab fit: runs of '{}' have different sigmas ({:g}, {:g})",
                                  run.config, config.sigma, run.sigma));
    config.name = run.config;
    config.sigma = run.sigma;
    config.batch_size = run.batch_size;
    config.lr = run.lr;
    config.parameters = run.parameters;
    config.runs.push_back(&run);
  }
  std::vector<Config> configs;
  for (auto& [name, config] : by_name) configs.push_back(std::move(config));
  std::stable_sort(configs.begin(), configs.end(),
                   [](const Config& a, const Config& b) { return a.sigma < b.sigma; });
  std::set<double> sigmas;
  for (const auto& config : configs) sigmas.insert(config.sigma);
  if (sigmas.size() < 3)
    throw UserError(fmt::format(
        "qlab fit: the runs have {} sigma value(s) ({}); D_J(sigma) = D_min + (beta/sigma)^alpha "
        "needs a sweep over >= 3 UTD ratios",
        sigmas.size(), Sigmas({sigmas.begin(), sigmas.end()})));
  std::vector<ThresholdFit> fits;
  for (size_t j = 0; j < options.thresholds.size(); ++j)
    fits.push_back(FitThreshold(configs, options.thresholds[j], options, j));
  return fits;
}

}  // namespace qlab::scaling

#include "qlab/scaling/scaling_law.h"

#include <ceres/ceres.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <set>

#include "qlab/core/errors.h"

namespace qlab::scaling {
namespace {

// log D - log(D_min + (beta/sigma)^alpha), parameters (log D_min, log beta, log alpha) so that
// all three stay positive. The log of the sum is a log-sum-exp: no overflow for any parameters.
struct DataLawResidual {
  double log_sigma, log_data;
  template <typename T>
  bool operator()(const T* p, T* residual) const {
    using std::exp;
    using std::log1p;
    const T a = p[0];                               // log D_min
    const T b = exp(p[2]) * (p[1] - T(log_sigma));  // log (beta/sigma)^alpha
    const T log_model = a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
    residual[0] = T(log_data) - log_model;
    return true;
  }
};

// log y - (log c + e log x)
struct PowerLawResidual {
  double log_x, log_y;
  template <typename T>
  bool operator()(const T* p, T* residual) const {
    residual[0] = T(log_y) - (p[0] + p[1] * T(log_x));
    return true;
  }
};

// Solves `problem` quietly; returns the final cost (sum of squared residuals / 2).
double Solve(ceres::Problem& problem) {
  ceres::Solver::Options options;
  options.linear_solver_type = ceres::DENSE_QR;
  options.max_num_iterations = 500;
  options.function_tolerance = 1e-12;
  options.parameter_tolerance = 1e-12;
  options.logging_type = ceres::SILENT;
  options.minimizer_progress_to_stdout = false;
  options.num_threads = 1;
  ceres::Solver::Summary summary;
  ceres::Solve(options, &problem, &summary);
  return summary.IsSolutionUsable() ? summary.final_cost : std::numeric_limits<double>::infinity();
}

void CheckPositive(const std::vector<double>& x, const std::vector<double>& y, const char* what) {
  if (x.size() != y.size())
    throw UserError(fmt::format("{}: {} x values but {} y values", what, x.size(), y.size()));
  for (size_t i = 0; i < x.size(); ++i)
    if (!(x[i] > 0) || !(y[i] > 0) || !std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw UserError(
          fmt::format("{}: point ({}, {}) is not positive and finite", what, x[i], y[i]));
}

}  // namespace

double DataLaw::operator()(double sigma) const { return d_min + std::pow(beta / sigma, alpha); }

double PowerLaw::operator()(double x) const { return coef * std::pow(x, exponent); }

DataLaw FitDataLaw(const std::vector<double>& sigma, const std::vector<double>& data) {
  CheckPositive(sigma, data, "D_J(sigma) fit");
  if (std::set<double>(sigma.begin(), sigma.end()).size() < 3)
    throw UserError(fmt::format(
        "D_J(sigma) = D_min + (beta/sigma)^alpha has 3 parameters: it needs data at >= 3 "
        "distinct sigma values, got {}",
        std::set<double>(sigma.begin(), sigma.end()).size()));
  double min_data = data[0], sigma_of_max = sigma[0], max_data = data[0];
  for (size_t i = 0; i < data.size(); ++i) {
    min_data = std::min(min_data, data[i]);
    if (data[i] > max_data) max_data = data[i], sigma_of_max = sigma[i];
  }
  DataLaw best;
  double best_cost = std::numeric_limits<double>::infinity();
  // multi-start: the cost has flat valleys (alpha and beta trade off when few points are given)
  for (double alpha0 : {0.25, 0.5, 1.0, 2.0, 4.0})
    for (double fraction : {0.1, 0.5, 0.9}) {
      const double d_min0 = fraction * min_data;
      const double excess = std::max(max_data - d_min0, 1e-12 * max_data);
      double p[3] = {std::log(d_min0), std::log(sigma_of_max) + std::log(excess) / alpha0,
                     std::log(alpha0)};
      ceres::Problem problem;
      for (size_t i = 0; i < sigma.size(); ++i)
        problem.AddResidualBlock(new ceres::AutoDiffCostFunction<DataLawResidual, 1, 3>(
                                     new DataLawResidual{std::log(sigma[i]), std::log(data[i])}),
                                 nullptr, p);
      // D_min below the least data seen (it is the asymptote), alpha in [0.01, 100]
      problem.SetParameterLowerBound(p, 0, std::log(1e-9 * min_data));
      problem.SetParameterUpperBound(p, 0, std::log(min_data));
      problem.SetParameterLowerBound(p, 2, std::log(0.01));
      problem.SetParameterUpperBound(p, 2, std::log(100.0));
      const double cost = Solve(problem);
      if (cost < best_cost) {
        best_cost = cost;
        best = {std::exp(p[0]), std::exp(p[1]), std::exp(p[2]), 0};
      }
    }
  if (!std::isfinite(best_cost)) throw UserError("D_J(sigma) fit: the solver found no solution");
  best.rmse_log = std::sqrt(2 * best_cost / static_cast<double>(sigma.size()));
  return best;
}

PowerLaw FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y) {
  CheckPositive(x, y, "power-law fit");
  if (std::set<double>(x.begin(), x.end()).size() < 2)
    throw UserError("power-law fit: needs >= 2 distinct x values");
  double p[2] = {0, 0};
  ceres::Problem problem;
  for (size_t i = 0; i < x.size(); ++i)
    problem.AddResidualBlock(new ceres::AutoDiffCostFunction<PowerLawResidual, 1, 2>(
                                 new PowerLawResidual{std::log(x[i]), std::log(y[i])}),
                             nullptr, p);
  const double cost = Solve(problem);
  if (!std::isfinite(cost)) throw UserError("power-law fit: the solver found no solution");
  return {std::exp(p[0]), p[1], std::sqrt(2 * cost / static_cast<double>(x.size()))};
}

std::vector<double> Smooth(const std::vector<double>& y, int window) {
  if (window <= 1) return y;
  std::vector<double> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    double sum = 0;
    int n = 0;
    for (size_t j = i + 1 > static_cast<size_t>(window) ? i + 1 - window : 0; j <= i; ++j)
      if (std::isfinite(y[j])) sum += y[j], ++n;
    out[i] = n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

double FirstCrossing(const std::vector<double>& x, const std::vector<double>& y, double threshold) {
  double prev_x = std::numeric_limits<double>::quiet_NaN(), prev_y = prev_x;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!std::isfinite(y[i])) continue;
    if (y[i] >= threshold) {
      if (!std::isfinite(prev_y)) return x[i];
      return prev_x + (threshold - prev_y) / (y[i] - prev_y) * (x[i] - prev_x);
    }
    prev_x = x[i];
    prev_y = y[i];
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace qlab::scaling

#include "qlab/stats/bootstrap.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

// bca's acceleration from jackknife values: a = sum u^3 / (6 (sum u^2)^1.5), u = mean - jk.
double Acceleration(std::span<const double> jackknife) {
  if (jackknife.size() < 2) return 0.0;
  double mean = 0;
  for (double v : jackknife) mean += v;
  mean /= static_cast<double>(jackknife.size());
  double u2 = 0, u3 = 0;
  for (double v : jackknife) {
    const double u = mean - v;
    u2 += u * u;
    u3 += u * u * u;
  }
  return u2 > 0 ? u3 / (6.0 * std::pow(u2, 1.5)) : 0.0;
}

// Rows of `scores` at `point` except `skip` (a leave-one-run-out jackknife sample).
void CopyWithoutRun(const ScoreMatrix& scores, int point, int skip, std::vector<double>& out) {
  out.clear();
  for (int r = 0; r < scores.runs(); ++r)
    if (r != skip)
      for (int t = 0; t < scores.tasks(); ++t) out.push_back(scores.at(r, t, point));
}

}  // namespace

CiMethod ParseCiMethod(const std::string& name) {
  for (CiMethod m : {CiMethod::kPercentile, CiMethod::kBasic, CiMethod::kBc, CiMethod::kBca})
    if (name == CiMethodName(m)) return m;
  throw UserError(fmt::format("unknown CI method '{}' (valid: percentile, basic, bc, bca)", name));
}

const char* CiMethodName(CiMethod method) {
  switch (method) {
    case CiMethod::kPercentile:
      return "percentile";
    case CiMethod::kBasic:
      return "basic";
    case CiMethod::kBc:
      return "bc";
    case CiMethod::kBca:
      return "bca";
  }
  return "?";
}

void BootstrapOptions::Validate() const {
  if (reps < 1) throw UserError(fmt::format("bootstrap reps must be >= 1, got {}", reps));
  if (!(coverage > 0 && coverage < 1))
    throw UserError(fmt::format("CI coverage must be in (0, 1), got {}", coverage));
}

double NumpyPercentile(std::span<double> values, double q) {
  QLAB_CHECK(!values.empty());
  const size_t n = values.size();
  const double h = static_cast<double>(n - 1) * (q / 100.0);
  const double below = std::floor(h);
  const size_t lo = std::min(static_cast<size_t>(std::max(below, 0.0)), n - 1);
  const size_t hi = std::min(lo + 1, n - 1);
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  const double a = values[lo];
  const double b = hi == lo ? a : *std::min_element(values.begin() + hi, values.end());
  // numpy's _lerp: interpolate from whichever end is nearer (exact at t = 0 and t = 1)
  const double t = h - below, diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on erfc.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = NormalCdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

Estimate ConfidenceInterval(std::span<double> replicates, double point,
                            const BootstrapOptions& options, double acceleration) {
  const double a = (1.0 - options.coverage) / 2.0;
  double q_lo = 100.0 * a, q_hi = 100.0 * (1.0 - a);
  if (options.method == CiMethod::kBc || options.method == CiMethod::kBca) {
    size_t below = 0;
    for (double v : replicates) below += v < point;
    if (below == 0 || below == replicates.size()) {
      // every replicate equals the estimate (one run, constant scores): a zero-width interval
      if (std::all_of(replicates.begin(), replicates.end(), [&](double v) { return v == point; }))
        return {point, point, point};
      throw UserError(fmt::format(
          "--method {}: all bootstrap replicates lie on one side of the estimate {}; the bias "
          "correction is undefined (use --method percentile)",
          CiMethodName(options.method), point));
    }
    const double bias = NormalQuantile(static_cast<double>(below) / replicates.size());
    const double accel = options.method == CiMethod::kBca ? acceleration : 0.0;
    const auto adjust = [&](double q) {
      const double z = NormalQuantile(q);
      return 100.0 * NormalCdf(bias + (bias + z) / (1.0 - accel * (bias + z)));
    };
    q_lo = adjust(a);
    q_hi = adjust(1.0 - a);
  }
  Estimate e{point, NumpyPercentile(replicates, q_lo), NumpyPercentile(replicates, q_hi)};
  if (options.method == CiMethod::kBasic) e = {point, 2 * point - e.hi, 2 * point - e.lo};
  return e;
}

std::vector<std::vector<Estimate>> StratifiedBootstrap(const ScoreMatrix& scores,
                                                       Statistic& statistic,
                                                       const BootstrapOptions& options,
                                                       IndexStream& stream) {
  options.Validate();
  const int runs = scores.runs(), tasks = scores.tasks(), points = scores.points();
  const int outputs = statistic.num_outputs(), reps = options.reps;
  const size_t cells = static_cast<size_t>(runs) * tasks;
  QLAB_CHECK(cells > 0);

  // point estimates on the original data
  std::vector<double> estimates(static_cast<size_t>(points) * outputs);
  std::vector<ScoreMatrix> slices;
  for (int l = 0; l < points; ++l) {
    slices.push_back(scores.Slice(l));
    statistic.Compute(slices.back().view(),
                      {&estimates[l * outputs], static_cast<size_t>(outputs)});
  }

  // each original cell's rank among its point's sorted cells (see MatrixView)
  std::vector<double> sorted(cells * points);
  std::vector<uint32_t> rank(cells * points);
  for (int l = 0; l < points; ++l) {
    std::vector<uint32_t> order(cells);
    for (uint32_t c = 0; c < cells; ++c) order[c] = c;
    const double* values = slices[l].data().data();
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
    for (uint32_t k = 0; k < cells; ++k) {
      sorted[l * cells + k] = values[order[k]];
      rank[l * cells + order[k]] = k;
    }
  }

  // replicates, component-major: replicates[(l * outputs + p) * reps + rep]
  std::vector<double> replicates(static_cast<size_t>(points) * outputs * reps);
  std::vector<uint32_t> run_index(cells * points), task_index(tasks),
      resampled_rank(cells * points);
  std::vector<double> resampled(cells * points), out(outputs);
  for (int rep = 0; rep < reps; ++rep) {
    stream.Fill(runs, run_index);
    if (options.task_bootstrap) stream.Fill(tasks, task_index);
    size_t i = 0;
    for (int r = 0; r < runs; ++r)
      for (int t = 0; t < tasks; ++t) {
        const int source_task = options.task_bootstrap ? static_cast<int>(task_index[t]) : t;
        for (int l = 0; l < points; ++l, ++i) {
          const size_t source = static_cast<size_t>(run_index[i]) * tasks + source_task;
          resampled[l * cells + r * tasks + t] = scores.at(run_index[i], source_task, l);
          resampled_rank[l * cells + r * tasks + t] = rank[l * cells + source];
        }
      }
    for (int l = 0; l < points; ++l) {
      statistic.Compute({&resampled[l * cells], runs, tasks, &resampled_rank[l * cells],
                         &sorted[l * cells], static_cast<int>(cells)},
                        out);
      for (int p = 0; p < outputs; ++p)
        replicates[(static_cast<size_t>(l) * outputs + p) * reps + rep] = out[p];
    }
  }

  // jackknife accelerations (bca only)
  std::vector<double> acceleration(static_cast<size_t>(points) * outputs, 0.0);
  if (options.method == CiMethod::kBca && runs > 1) {
    std::vector<double> without, jackknife(static_cast<size_t>(outputs) * runs);
    for (int l = 0; l < points; ++l) {
      for (int skip = 0; skip < runs; ++skip) {
        CopyWithoutRun(scores, l, skip, without);
        statistic.Compute({without.data(), runs - 1, tasks}, out);
        for (int p = 0; p < outputs; ++p) jackknife[p * runs + skip] = out[p];
      }
      for (int p = 0; p < outputs; ++p)
        acceleration[l * outputs + p] = Acceleration({&jackknife[p * runs], size_t(runs)});
    }
  }

  std::vector<std::vector<Estimate>> result(points, std::vector<Estimate>(outputs));
  for (int l = 0; l < points; ++l)
    for (int p = 0; p < outputs; ++p) {
      const size_t c = static_cast<size_t>(l) * outputs + p;
      result[l][p] = ConfidenceInterval({&replicates[c * reps], static_cast<size_t>(reps)},
                                        estimates[c], options, acceleration[c]);
    }
  return result;
}

std::vector<Estimate> IndependentBootstrap(const ScoreMatrix& x, const ScoreMatrix& y,
                                           PairStatistic& statistic,
                                           const BootstrapOptions& options, IndexStream& stream) {
  options.Validate();
  QLAB_CHECK(!x.is_curve() && !y.is_curve());
  QLAB_CHECK_EQ(x.tasks(), y.tasks());
  const int tasks = x.tasks(), outputs = statistic.num_outputs(), reps = options.reps;
  std::vector<double> estimates(outputs), out(outputs);
  statistic.Compute(x.view(), y.view(), estimates);

  std::vector<double> replicates(static_cast<size_t>(outputs) * reps);
  std::vector<uint32_t> x_index(x.data().size()), y_index(y.data().size());
  std::vector<double> x_resampled(x_index.size()), y_resampled(y_index.size());
  const auto gather = [tasks](const ScoreMatrix& m, std::span<const uint32_t> index,
                              std::vector<double>& into) {
    for (size_t i = 0; i < index.size(); ++i) into[i] = m.at(index[i], i % tasks);
  };
  for (int rep = 0; rep < reps; ++rep) {
    stream.Fill(x.runs(), x_index);
    stream.Fill(y.runs(), y_index);
    gather(x, x_index, x_resampled);
    gather(y, y_index, y_resampled);
    statistic.Compute({x_resampled.data(), x.runs(), tasks}, {y_resampled.data(), y.runs(), tasks},
                      out);
    for (int p = 0; p < outputs; ++p) replicates[static_cast<size_t>(p) * reps + rep] = out[p];
  }

  // bca: jackknife leaving out one run of X, then one run of Y
  std::vector<double> acceleration(outputs, 0.0);
  if (options.method == CiMethod::kBca && x.runs() + y.runs() > 2) {
    std::vector<std::vector<double>> jackknife(outputs);
    std::vector<double> without;
    for (int skip = 0; skip < x.runs() && x.runs() > 1; ++skip) {
      CopyWithoutRun(x, 0, skip, without);
      statistic.Compute({without.data(), x.runs() - 1, tasks}, y.view(), out);
      for (int p = 0; p < outputs; ++p) jackknife[p].push_back(out[p]);
    }
    for (int skip = 0; skip < y.runs() && y.runs() > 1; ++skip) {
      CopyWithoutRun(y, 0, skip, without);
      statistic.Compute(x.view(), {without.data(), y.runs() - 1, tasks}, out);
      for (int p = 0; p < outputs; ++p) jackknife[p].push_back(out[p]);
    }
    for (int p = 0; p < outputs; ++p) acceleration[p] = Acceleration(jackknife[p]);
  }

  std::vector<Estimate> result(outputs);
  for (int p = 0; p < outputs; ++p)
    result[p] =
        ConfidenceInterval({&replicates[static_cast<size_t>(p) * reps], static_cast<size_t>(reps)},
                           estimates[p], options, acceleration[p]);
  return result;
}

}  // namespace qlab::stats

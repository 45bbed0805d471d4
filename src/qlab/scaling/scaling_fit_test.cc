#include "qlab/scaling/scaling_fit.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "qlab/core/errors.h"

namespace qlab::scaling {
namespace {

const DataLaw kTruth{5.0e3, 2.0e3, 1.2};
constexpr double kJ = 100;
constexpr double kParameters = 1000;

// Seeds of one config whose mean curve is linear and reaches J at exactly `data` env steps;
// each seed is off by a seed-specific factor that averages out over the 3 seeds.
std::vector<FitRun> Config(const std::string& name, double sigma, double batch, double data) {
  std::vector<FitRun> runs;
  const double offsets[] = {-0.2, 0.0, 0.2};
  for (uint64_t seed = 0; seed < 3; ++seed) {
    FitRun run{name, seed, sigma, batch, 1e-3, kParameters, {}, {}};
    for (int i = 1; i <= 400; ++i) {
      const double steps = 250.0 * i;
      run.env_steps.push_back(steps);
      run.score.push_back(kJ * steps / data * (1 + offsets[seed]));
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

// sigma in {0.25 .. 8}; at each sigma a batch size B*(sigma) = 512 sigma^-1 reaches J on the law,
// and batch 64 needs 1.5x the data
std::vector<FitRun> Sweep() {
  std::vector<FitRun> runs;
  for (double sigma : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    const double best_batch = 512 / sigma;
    for (const auto& [batch, factor] : {std::pair{best_batch, 1.0}, std::pair{64.0, 1.5}}) {
      if (batch == 64 && factor == 1.5 && best_batch == 64) continue;
      const auto config =
          Config(fmt::format("s{}_b{}", sigma, batch), sigma, batch, kTruth(sigma) * factor);
      runs.insert(runs.end(), config.begin(), config.end());
    }
  }
  return runs;
}

TEST(ScalingFit, RecoversTheLawTheBestConfigsAndTheHyperparameterLaws) {
  FitOptions options;
  options.thresholds = {kJ};
  options.bootstrap = 50;
  const auto fits = FitScaling(Sweep(), options);
  ASSERT_EQ(fits.size(), 1u);
  const ThresholdFit& fit = fits[0];
  EXPECT_NEAR(fit.law.alpha, kTruth.alpha, 0.02);
  EXPECT_NEAR(fit.law.d_min / kTruth.d_min, 1.0, 0.05);
  EXPECT_NEAR(fit.law.beta / kTruth.beta, 1.0, 0.05);
  for (const auto& c : fit.configs) {
    EXPECT_EQ(c.best, c.batch_size == 512 / c.sigma) << c.config;
    const double expected = kTruth(c.sigma) * (c.best ? 1.0 : 1.5);
    EXPECT_NEAR(c.data.point / expected, 1.0, 1e-3) << c.config;  // linear: exact interpolation
    EXPECT_LE(c.data.lo, c.data.point);
    EXPECT_GE(c.data.hi, c.data.point);
    EXPECT_NEAR(c.compute, c.sigma * c.batch_size * kParameters * c.data.point, 1e-6 * c.compute);
  }
  // the bootstrap resamples seeds, whose curves differ: a real interval around the estimate
  EXPECT_EQ(fit.bootstrap_used, 50);
  EXPECT_LT(fit.alpha.lo, fit.alpha.hi);
  // B*(sigma) = 512 / sigma
  ASSERT_TRUE(fit.batch_law.has_value());
  EXPECT_NEAR(fit.batch_law->exponent, -1.0, 1e-6);
  EXPECT_NEAR(fit.batch_law->coef, 512, 1e-3);
  EXPECT_FALSE(fit.lr_law.has_value());  // one learning rate: nothing to fit
  // extrapolation: the largest sigma held out and predicted from the others
  ASSERT_EQ(fit.holdout.size(), 1u);
  EXPECT_EQ(fit.holdout[0].sigma, 8.0);
  EXPECT_LT(std::abs(fit.holdout[0].relative_error), 0.02);
  EXPECT_EQ(fit.fit_sigmas, (std::vector<double>{0.25, 0.5, 1, 2, 4}));
}

TEST(ScalingFit, BudgetOptimumMinimisesComputePlusDeltaData) {
  FitOptions options;
  options.thresholds = {kJ};
  options.bootstrap = 0;
  options.deltas = {1e5, 1e7};
  const ThresholdFit fit = FitScaling(Sweep(), options)[0];
  ASSERT_EQ(fit.budget.size(), 2u);
  for (const auto& b : fit.budget) {
    const auto total = [&](double sigma) {
      return (sigma * fit.compute_per_sample + b.delta) * fit.law(sigma);
    };
    EXPECT_NEAR(b.total, total(b.sigma), 1e-6 * b.total);
    for (double s : {b.sigma * 0.9, b.sigma * 1.1}) EXPECT_LE(b.total, total(s) * (1 + 1e-9));
  }
  EXPECT_LT(fit.budget[0].sigma, fit.budget[1].sigma);  // costlier data: more updates per step
}

TEST(ScalingFit, BootstrapIsReproducibleUnderItsSeed) {
  FitOptions options;
  options.thresholds = {kJ};
  options.bootstrap = 20;
  options.seed = 3;
  const auto a = FitScaling(Sweep(), options)[0], b = FitScaling(Sweep(), options)[0];
  EXPECT_EQ(a.alpha.lo, b.alpha.lo);
  EXPECT_EQ(a.configs[0].data.hi, b.configs[0].data.hi);
  options.seed = 4;
  EXPECT_NE(FitScaling(Sweep(), options)[0].configs[0].data.hi, a.configs[0].data.hi);
}

TEST(ScalingFit, DegenerateSweepsAreClearErrors) {
  FitOptions options;
  options.thresholds = {kJ};
  const auto message = [&](const std::vector<FitRun>& runs, const FitOptions& o) {
    try {
      FitScaling(runs, o);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({}, options).find("no runs"), std::string::npos);
  EXPECT_NE(message(Config("one", 1.0, 64, 1e4), options).find("1 sigma value(s) (1)"),
            std::string::npos);
  FitOptions unreachable = options;
  unreachable.thresholds = {1e9};
  EXPECT_NE(message(Sweep(), unreachable).find("reached at 0 sigma value(s) (none)"),
            std::string::npos);
  FitOptions bad_holdout = options;
  bad_holdout.holdout = {3.0};
  EXPECT_NE(message(Sweep(), bad_holdout).find("--holdout 3: not a sigma"), std::string::npos);
  // reached at two sigmas only (4 and 8): more than sigma 2 reaches in 100k steps
  FitOptions two = options;
  two.thresholds = {kJ * 100000 / kTruth(2.0) * 1.05};
  EXPECT_NE(message(Sweep(), two).find("reached at 2 sigma value(s) (4, 8) of 6"),
            std::string::npos)
      << message(Sweep(), two);
}

}  // namespace
}  // namespace qlab::scaling

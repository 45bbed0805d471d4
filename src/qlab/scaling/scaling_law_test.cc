#include "qlab/scaling/scaling_law.h"

#include <gtest/gtest.h>

#include <cmath>

#include "qlab/core/errors.h"
#include "qlab/core/rng.h"

namespace qlab::scaling {
namespace {

const DataLaw kTruth{1.0e4, 2.0e4, 1.3};

std::vector<double> Sigmas() { return {0.25, 0.5, 1, 2, 4, 8, 16}; }

TEST(DataLaw, RecoversExactParameters) {
  std::vector<double> data;
  for (double s : Sigmas()) data.push_back(kTruth(s));
  const DataLaw law = FitDataLaw(Sigmas(), data);
  EXPECT_NEAR(law.d_min / kTruth.d_min, 1.0, 1e-4);
  EXPECT_NEAR(law.beta / kTruth.beta, 1.0, 1e-4);
  EXPECT_NEAR(law.alpha / kTruth.alpha, 1.0, 1e-4);
  EXPECT_LT(law.rmse_log, 1e-6);
}

TEST(DataLaw, RecoversParametersFromNoisyData) {
  // 3% multiplicative noise, three noisy repeats per sigma
  Rng rng(7);
  std::vector<double> sigma, data;
  for (int repeat = 0; repeat < 3; ++repeat)
    for (double s : Sigmas()) {
      sigma.push_back(s);
      data.push_back(kTruth(s) * std::exp(0.03 * (2 * rng.Uniform() - 1)));
    }
  const DataLaw law = FitDataLaw(sigma, data);
  EXPECT_NEAR(law.alpha, kTruth.alpha, 0.1 * kTruth.alpha);
  EXPECT_NEAR(law.d_min, kTruth.d_min, 0.25 * kTruth.d_min);
  for (double s : Sigmas()) EXPECT_NEAR(law(s) / kTruth(s), 1.0, 0.03) << "sigma " << s;
  EXPECT_GT(law.rmse_log, 0.005);
  EXPECT_LT(law.rmse_log, 0.03);
}

TEST(DataLaw, DegenerateInputsAreClearErrors) {
  EXPECT_THROW(FitDataLaw({1, 1, 1}, {5, 6, 7}), UserError);  // one sigma
  try {
    FitDataLaw({1, 2}, {5, 6});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(">= 3 distinct sigma"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FitDataLaw({1, 2, 4}, {5, -6, 7}), UserError);
  EXPECT_THROW(FitDataLaw({1, 2, 4}, {5, NAN, 7}), UserError);
}

TEST(PowerLaw, RecoversExponentAndCoefficient) {
  std::vector<double> x = {0.5, 1, 2, 4, 8}, y;
  for (double v : x) y.push_back(256 * std::pow(v, -0.6));
  const PowerLaw law = FitPowerLaw(x, y);
  EXPECT_NEAR(law.coef, 256, 1e-6);
  EXPECT_NEAR(law.exponent, -0.6, 1e-9);
  EXPECT_THROW(FitPowerLaw({2, 2}, {1, 3}), UserError);
}

TEST(Curves, FirstCrossingInterpolates) {
  const std::vector<double> x = {100, 200, 300, 400};
  EXPECT_DOUBLE_EQ(FirstCrossing(x, {0, 10, 30, 50}, 20), 250);   // between 200 and 300
  EXPECT_DOUBLE_EQ(FirstCrossing(x, {25, 10, 30, 50}, 20), 100);  // already at the first point
  EXPECT_DOUBLE_EQ(FirstCrossing(x, {0, 30, 0, 50}, 20), 100 + 100 * 20.0 / 30);  // the first
  EXPECT_DOUBLE_EQ(FirstCrossing(x, {0, NAN, 40, 50}, 20), 200);  // NaN skipped: 100 -> 300
  EXPECT_TRUE(std::isnan(FirstCrossing(x, {0, 10, 15, 19.9}, 20)));
}

TEST(Curves, TrailingMovingAverage) {
  const auto s = Smooth({1, 2, 3, 4, 5}, 3);
  const std::vector<double> expected = {1, 1.5, 2, 3, 4};
  EXPECT_EQ(s, expected);
  EXPECT_EQ(Smooth({1, 5}, 1), (std::vector<double>{1, 5}));
}

}  // namespace
}  // namespace qlab::scaling

// Tolerance-shaped rewards of the DeepMind Control Suite (Tassa et al. 2018, dm_control's
// `rewards.tolerance`): 1 inside [lower, upper]; outside, a sigmoid of the distance to the nearer
// bound measured in units of `margin`, equal to `value_at_margin` one margin away. margin 0 gives
// the binary indicator of the interval.
#pragma once

#include <cmath>
#include <numbers>

namespace qlab::mujoco {

enum class Sigmoid {
  kGaussian,
  kHyperbolic,
  kLongTail,
  kReciprocal,
  kCosine,
  kLinear,
  kQuadratic,
  kTanhSquared
};

// The sigmoid of distance x >= 0 (in margins) with value 1 at 0 and `value_at_1` at 1.
inline double SigmoidOf(double x, double value_at_1, Sigmoid sigmoid) {
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(value_at_1));
      return std::exp(-0.5 * (x * scale) * (x * scale));
    }
    case Sigmoid::kHyperbolic:
      return 1.0 / std::cosh(x * std::acosh(1.0 / value_at_1));
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1.0 / value_at_1 - 1.0);
      return 1.0 / ((x * scale) * (x * scale) + 1.0);
    }
    case Sigmoid::kReciprocal:
      return 1.0 / (std::abs(x) * (1.0 / value_at_1 - 1.0) + 1.0);
    case Sigmoid::kCosine: {
      const double scaled = x * std::acos(2.0 * value_at_1 - 1.0) / std::numbers::pi;
      return std::abs(scaled) < 1.0 ? (1.0 + std::cos(std::numbers::pi * scaled)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scaled = x * (1.0 - value_at_1);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scaled = x * std::sqrt(1.0 - value_at_1);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double t = std::tanh(x * std::atanh(std::sqrt(1.0 - value_at_1)));
      return 1.0 - t * t;
    }
  }
  return 0.0;
}

struct ToleranceShape {
  double lower = 0.0, upper = 0.0;
  double margin = 0.0;
  Sigmoid sigmoid = Sigmoid::kGaussian;
  double value_at_margin = 0.1;
};

inline double Tolerance(double x, const ToleranceShape& shape) {
  if (x >= shape.lower && x <= shape.upper) return 1.0;
  if (shape.margin <= 0.0) return 0.0;
  const double distance = (x < shape.lower ? shape.lower - x : x - shape.upper) / shape.margin;
  return SigmoidOf(distance, shape.value_at_margin, shape.sigmoid);
}

}  // namespace qlab::mujoco

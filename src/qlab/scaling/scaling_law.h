// The scaling laws of "Value-Based Deep RL Scales Predictably" (Rybkin et al., ICML 2025) and the
// curve arithmetic they are fitted from. Fits are nonlinear least squares in log space (relative
// errors: data requirements span orders of magnitude) solved with Ceres, from several starts.
//
//   D_J(sigma) = D_min + (beta / sigma)^alpha    env steps to reach return J at UTD ratio sigma
//   y(x) = c * x^e                               best batch size B*(sigma), learning rate
//   eta*(sigma)
#pragma once

#include <vector>

namespace qlab::scaling {

struct DataLaw {
  double d_min = 0, beta = 0, alpha = 0;
  double rmse_log = 0;  // root mean square of the log residuals of the fit
  double operator()(double sigma) const;
};

// Needs >= 3 points with sigma > 0 and data > 0 (UserError otherwise).
DataLaw FitDataLaw(const std::vector<double>& sigma, const std::vector<double>& data);

struct PowerLaw {
  double coef = 0, exponent = 0;
  double rmse_log = 0;
  double operator()(double x) const;
};

// Needs >= 2 points with distinct x > 0 and y > 0.
PowerLaw FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y);

// Trailing moving average over `window` points (the first points average what there is).
std::vector<double> Smooth(const std::vector<double>& y, int window);

// The first x where the curve reaches `threshold`, linearly interpolated between the points
// around the crossing; NaN when it never does. Non-finite y are skipped.
double FirstCrossing(const std::vector<double>& x, const std::vector<double>& y, double threshold);

}  // namespace qlab::scaling

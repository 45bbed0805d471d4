#include "qlab/envs/classic/classic_control.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "qlab/envs/builtin.h"

namespace qlab::classic {
namespace {

EnvSpec VectorSpec(const char* id, const char* version, std::vector<std::string> labels,
                   std::vector<std::string> actions, double reward_min, double reward_max) {
  EnvSpec spec;
  spec.id = id;
  spec.version = version;
  spec.obs_shape = {static_cast<int>(labels.size())};
  spec.obs_dtype = DType::kFloat32;
  spec.obs_labels = std::move(labels);
  spec.action_space.n = static_cast<int>(actions.size());
  spec.action_space.names = std::move(actions);
  spec.reward_min = reward_min;
  spec.reward_max = reward_max;
  return spec;
}

}  // namespace

// ---- CartPole ----------------------------------------------------------------------------------

EnvSpec CartPole::MakeSpec() const {
  return VectorSpec("classic/cartpole", "CartPole-v1 (Gymnasium 1.4.0)",
                    {"x", "x_dot", "theta", "theta_dot"}, {"left", "right"}, 0.0, 1.0);
}

void CartPole::Reset(Rng& rng) {
  for (double& v : state) v = rng.Uniform(-0.05, 0.05);
  terminated_before = false;
}

CartPole::State CartPole::Next(const State& s, int action) {
  constexpr double kGravity = 9.8, kMassPole = 0.1, kTotalMass = 1.0 + 0.1, kLength = 0.5;
  constexpr double kPoleMassLength = kMassPole * kLength, kForceMag = 10.0, kTau = 0.02;
  const auto [x, x_dot, theta, theta_dot] = s;
  const double force = action == 1 ? kForceMag : -kForceMag;
  const double costheta = std::cos(theta), sintheta = std::sin(theta);
  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc = (kGravity * sintheta - costheta * temp) /
                          (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
  // explicit Euler: positions advance with the old velocities
  return {x + kTau * x_dot, x_dot + kTau * xacc, theta + kTau * theta_dot,
          theta_dot + kTau * thetaacc};
}

bool CartPole::Terminated(const State& s) {
  constexpr double kXThreshold = 2.4;
  constexpr double kThetaThreshold = 12 * 2 * std::numbers::pi / 360;
  return s[0] < -kXThreshold || s[0] > kXThreshold || s[2] < -kThetaThreshold ||
         s[2] > kThetaThreshold;
}

StepOutcome CartPole::Step(int action, Rng& /*rng*/) {
  state = Next(state, action);
  const bool terminated = Terminated(state);
  const double reward = terminated_before ? 0.0 : 1.0;
  terminated_before = terminated_before || terminated;
  return {reward, terminated};
}

void CartPole::WriteObs(float* out) const {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<float>(state[i]);
}

// ---- Acrobot -----------------------------------------------------------------------------------

EnvSpec Acrobot::MakeSpec() const {
  return VectorSpec("classic/acrobot", "Acrobot-v1 (Gymnasium 1.4.0)",
                    {"cos_theta1", "sin_theta1", "cos_theta2", "sin_theta2", "dtheta1", "dtheta2"},
                    {"torque-1", "torque0", "torque+1"}, -1.0, 0.0);
}

void Acrobot::Reset(Rng& rng) {
  // Gymnasium draws float64 uniforms and casts them to float32
  for (double& v : state) v = static_cast<float>(rng.Uniform(-0.1, 0.1));
}

namespace {

using Augmented = std::array<double, 5>;  // state + torque

Augmented AcrobotDerivatives(const Augmented& sa) {
  constexpr double m1 = 1.0, m2 = 1.0, l1 = 1.0, lc1 = 0.5, lc2 = 0.5, I1 = 1.0, I2 = 1.0;
  constexpr double g = 9.8, pi = std::numbers::pi;
  const double a = sa[4];
  const double theta1 = sa[0], theta2 = sa[1], dtheta1 = sa[2], dtheta2 = sa[3];
  const double d1 =
      m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * std::cos(theta2)) + I1 + I2;
  const double d2 = m2 * ((lc2 * lc2) + l1 * lc2 * std::cos(theta2)) + I2;
  const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - pi / 2.0);
  const double phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * std::sin(theta2) -
                      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - pi / 2) + phi2;
  // "book" variant: includes the -m2 l1 lc2 dtheta1^2 sin(theta2) term
  const double ddtheta2 =
      (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * std::sin(theta2) - phi2) /
      (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
}

double Wrap(double x, double low, double high) {
  const double diff = high - low;
  while (x > high) x = x - diff;
  while (x < low) x = x + diff;
  return x;
}

}  // namespace

Acrobot::State Acrobot::Next(const State& s, int action) {
  constexpr double kDt = 0.2, kHalf = kDt / 2.0;
  constexpr double kMaxVel1 = 4 * std::numbers::pi, kMaxVel2 = 9 * std::numbers::pi;
  const Augmented y0 = {s[0], s[1], s[2], s[3], static_cast<double>(action - 1)};
  auto offset = [&](const Augmented& k, double h) {
    Augmented y;
    for (int i = 0; i < 5; ++i) y[i] = y0[i] + h * k[i];
    return y;
  };
  const Augmented k1 = AcrobotDerivatives(y0);
  const Augmented k2 = AcrobotDerivatives(offset(k1, kHalf));
  const Augmented k3 = AcrobotDerivatives(offset(k2, kHalf));
  const Augmented k4 = AcrobotDerivatives(offset(k3, kDt));
  State next;
  for (int i = 0; i < 4; ++i) next[i] = y0[i] + kDt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  next[0] = Wrap(next[0], -std::numbers::pi, std::numbers::pi);
  next[1] = Wrap(next[1], -std::numbers::pi, std::numbers::pi);
  next[2] = std::clamp(next[2], -kMaxVel1, kMaxVel1);
  next[3] = std::clamp(next[3], -kMaxVel2, kMaxVel2);
  return next;
}

bool Acrobot::Terminated(const State& s) { return -std::cos(s[0]) - std::cos(s[1] + s[0]) > 1.0; }

StepOutcome Acrobot::Step(int action, Rng& /*rng*/) {
  state = Next(state, action);
  const bool terminated = Terminated(state);
  return {terminated ? 0.0 : -1.0, terminated};
}

void Acrobot::WriteObs(float* out) const {
  const double values[6] = {std::cos(state[0]), std::sin(state[0]), std::cos(state[1]),
                            std::sin(state[1]), state[2],           state[3]};
  for (int i = 0; i < 6; ++i) out[i] = static_cast<float>(values[i]);
}

// ---- MountainCar -------------------------------------------------------------------------------

EnvSpec MountainCar::MakeSpec() const {
  return VectorSpec("classic/mountain_car", "MountainCar-v0 (Gymnasium 1.4.0)",
                    {"position", "velocity"}, {"left", "none", "right"}, -1.0, -1.0);
}

void MountainCar::Reset(Rng& rng) { state = {rng.Uniform(-0.6, -0.4), 0.0}; }

MountainCar::State MountainCar::Next(const State& s, int action) {
  constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07;
  constexpr double kForce = 0.001, kGravity = 0.0025;
  double position = s[0], velocity = s[1];
  velocity += (action - 1) * kForce + std::cos(3 * position) * (-kGravity);
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  if (position == kMinPosition && velocity < 0) velocity = 0;
  return {position, velocity};
}

bool MountainCar::Terminated(const State& s) { return s[0] >= 0.5 && s[1] >= 0.0; }

StepOutcome MountainCar::Step(int action, Rng& /*rng*/) {
  state = Next(state, action);
  return {-1.0, Terminated(state)};
}

void MountainCar::WriteObs(float* out) const {
  out[0] = static_cast<float>(state[0]);
  out[1] = static_cast<float>(state[1]);
}

}  // namespace qlab::classic

namespace qlab {

void RegisterClassicEnvs(Registry& registry) {
  const std::string reference = "Gymnasium 1.4.0 classic control; shared/ref/classic_control.md";
  registry.Add({.name = "classic/cartpole",
                .description = "balance a pole on a cart (CartPole-v1)",
                .reference = reference,
                .default_max_steps = classic::CartPole::kMaxEpisodeSteps,
                .make = MakeEnvFactory<classic::CartPole>(
                    [](const Params&) { return classic::CartPole{}; })});
  registry.Add(
      {.name = "classic/acrobot",
       .description = "swing a two-link pendulum above the bar (Acrobot-v1)",
       .reference = reference,
       .default_max_steps = classic::Acrobot::kMaxEpisodeSteps,
       .make = MakeEnvFactory<classic::Acrobot>([](const Params&) { return classic::Acrobot{}; })});
  registry.Add({.name = "classic/mountain_car",
                .description = "drive an underpowered car up a hill (MountainCar-v0)",
                .reference = reference,
                .default_max_steps = classic::MountainCar::kMaxEpisodeSteps,
                .make = MakeEnvFactory<classic::MountainCar>(
                    [](const Params&) { return classic::MountainCar{}; })});
}

}  // namespace qlab

// Classic control with Gymnasium 1.4.0's dynamics (shared/ref/classic_control.md): CartPole-v1,
// Acrobot-v1 and MountainCar-v0. State is float64, observations float32, and every arithmetic
// expression keeps Gymnasium's operation order so states match its trajectories to ~1e-15.
// The time limits (500, 500, 200) are the registry's default `max_steps` and end episodes as
// `truncated`. Each env exposes its pure dynamics (`Next`) for teacher-forced reference tests.
#pragma once

#include <array>

#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab::classic {

// Barto, Sutton & Anderson 1983 cart-pole, Gymnasium CartPole-v1 (Euler integrator).
struct CartPole {
  using Obs = float;
  using State = std::array<double, 4>;  // x, x_dot, theta, theta_dot
  static constexpr int kMaxEpisodeSteps = 500;

  State state{};
  bool terminated_before = false;  // Gymnasium pays 0 reward for steps after termination

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(int action, Rng& rng);
  void WriteObs(float* out) const;
  static State Next(const State& s, int action);
  static bool Terminated(const State& s);
};

// Sutton 1996 acrobot, Gymnasium Acrobot-v1 ("book" dynamics, one RK4 step of 0.2 s).
struct Acrobot {
  using Obs = float;
  using State = std::array<double, 4>;  // theta1, theta2, dtheta1, dtheta2
  static constexpr int kMaxEpisodeSteps = 500;

  State state{};

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(int action, Rng& rng);
  void WriteObs(float* out) const;
  static State Next(const State& s, int action);
  static bool Terminated(const State& s);
};

// Moore 1990 mountain car, Gymnasium MountainCar-v0.
struct MountainCar {
  using Obs = float;
  using State = std::array<double, 2>;  // position, velocity
  static constexpr int kMaxEpisodeSteps = 200;

  State state{};

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(int action, Rng& rng);
  void WriteObs(float* out) const;
  static State Next(const State& s, int action);
  static bool Terminated(const State& s);
};

}  // namespace qlab::classic

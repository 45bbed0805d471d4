// Probe environments: tiny MDPs whose optimal values are known in closed form, to test learners
// one ingredient at a time (after Andy Jones, "Debugging RL, without the agonizing pain", 2021).
// Observations are float32 vectors; every episode ends with `terminated`. Optimal Q-values (gamma
// is the agent's discount) are listed in docs/envs.md and returned by OptimalQ() for tests.
//
//   probe/constant      1 obs, 1 action, reward +1, one step.          Q* = 1
//   probe/obs_reward    obs +-1 at random, reward = obs, one step.     Q*(s) = s
//   probe/two_step      obs 0 then obs 1, reward +1 at the end.        Q*(0) = gamma, Q*(1) = 1
//   probe/action_reward 2 actions, reward +1 for action 1, -1 for 0.   Q*(a) = [-1, +1]
//   probe/obs_action    obs +-1, reward +1 if action matches obs sign (action 1 for +1), else -1.
//                                                                      Q*(s,a) = +1 match, -1 not
//   probe/chain(length=L) obs = one-hot position, reward +1 on reaching the end after L steps
//                       under action 1; action 0 ends with 0. Q*(k, 1) = gamma^(L-1-k), Q*(k,0)=0
//   probe/stochastic    one step, reward +1 or -1 with probability 1/2 each (for distributional
//                       agents: return distribution {-1: 0.5, +1: 0.5}, Q* = 0)
//   probe/box_target(dims=D) continuous actions a in [-1, 1]^D; obs s ~ U[-1, 1]^D; one step,
//                       reward 1 - mean_d (a_d - s_d)^2 (actions clipped to the box).
//                       a*(s) = s, Q*(s, a) = 1 - mean_d (a_d - s_d)^2, V* = 1; a uniform
//                       random policy earns 1/3 on average. Tests actor-critic learners (SAC).
// Every discrete probe takes `image=S` (S > 0): each observation component becomes a constant S x S
// plane, observations [D, S, S], for agents that need images (convolutional torsos, augmentation; a
// constant plane is unchanged by random shifts, so the optimal values stay the same).
#pragma once

#include <array>
#include <span>
#include <vector>

#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab::probe {

enum class Kind { kConstant, kObsReward, kTwoStep, kActionReward, kObsAction, kChain, kStochastic };
constexpr int kMaxChainLength = 16;

struct Probe {
  using Obs = float;

  Kind kind = Kind::kConstant;
  int length = 1;     // chain length (kChain only)
  int position = 0;   // step within the episode
  float sign = 1.0f;  // the random observation of kObsReward / kObsAction
  int image = 0;      // > 0: observations as [D, image, image] planes

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(int action, Rng& rng);
  void WriteObs(float* out) const;

 private:
  void WriteVector(float* out) const;  // the [D] form
};

// probe/box_target: the continuous-action probe (above).
struct TargetProbe {
  using Obs = float;
  static constexpr int kMaxDims = 8;

  int dims = 1;
  std::array<float, kMaxDims> target{};  // the observation, which is the optimal action

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(std::span<const float> action, Rng& rng);
  void WriteObs(float* out) const;
};

// Optimal Q-values of `probe` for discount `gamma`: Q[obs_index][action], where obs_index is the
// position (two_step, chain) or 0 for obs -1 and 1 for obs +1 (obs_reward, obs_action).
std::vector<std::vector<double>> OptimalQ(const Probe& probe, double gamma);

}  // namespace qlab::probe

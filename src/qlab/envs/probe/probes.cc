#include "qlab/envs/probe/probes.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "qlab/envs/builtin.h"

namespace qlab::probe {

EnvSpec Probe::MakeSpec() const {
  EnvSpec spec;
  spec.version = "qlab probes 1";
  spec.obs_dtype = DType::kFloat32;
  spec.action_space.n = 1;
  spec.action_space.names = {"act"};
  spec.obs_shape = {1};
  spec.obs_labels = {"obs"};
  spec.reward_min = 0.0;
  spec.reward_max = 1.0;
  switch (kind) {
    case Kind::kConstant:
      spec.id = "probe/constant";
      break;
    case Kind::kObsReward:
      spec.id = "probe/obs_reward";
      spec.reward_min = -1.0;
      break;
    case Kind::kTwoStep:
      spec.id = "probe/two_step";
      break;
    case Kind::kActionReward:
      spec.id = "probe/action_reward";
      spec.reward_min = -1.0;
      spec.action_space.n = 2;
      spec.action_space.names = {"a0", "a1"};
      break;
    case Kind::kObsAction:
      spec.id = "probe/obs_action";
      spec.reward_min = -1.0;
      spec.action_space.n = 2;
      spec.action_space.names = {"a0", "a1"};
      break;
    case Kind::kChain:
      spec.id = "probe/chain";
      spec.obs_shape = {length};
      spec.obs_labels.clear();
      for (int k = 0; k < length; ++k) spec.obs_labels.push_back("at" + std::to_string(k));
      spec.action_space.n = 2;
      spec.action_space.names = {"quit", "advance"};
      break;
    case Kind::kStochastic:
      spec.id = "probe/stochastic";
      spec.reward_min = -1.0;
      break;
  }
  if (image > 0) spec.obs_shape = {spec.obs_shape[0], image, image};
  return spec;
}

void Probe::Reset(Rng& rng) {
  position = 0;
  if (kind == Kind::kObsReward || kind == Kind::kObsAction)
    sign = rng.Uniform() < 0.5 ? -1.0f : 1.0f;
}

StepOutcome Probe::Step(int action, Rng& rng) {
  switch (kind) {
    case Kind::kConstant:
      return {1.0, true};
    case Kind::kObsReward:
      return {sign, true};
    case Kind::kTwoStep:
      position += 1;
      return position == 1 ? StepOutcome{0.0, false} : StepOutcome{1.0, true};
    case Kind::kActionReward:
      return {action == 1 ? 1.0 : -1.0, true};
    case Kind::kObsAction:
      return {(action == 1) == (sign > 0) ? 1.0 : -1.0, true};
    case Kind::kChain:
      if (action == 0) return {0.0, true};
      position += 1;
      return position == length ? StepOutcome{1.0, true} : StepOutcome{0.0, false};
    case Kind::kStochastic:
      return {rng.Uniform() < 0.5 ? -1.0 : 1.0, true};
  }
  return {};
}

void Probe::WriteObs(float* out) const {
  if (image > 0) {
    // the vector observation, then each component spread over its plane (last first: in place)
    WriteVector(out);
    const int planes = kind == Kind::kChain ? length : 1;
    const int area = image * image;
    for (int d = planes - 1; d >= 0; --d) std::fill(out + d * area, out + (d + 1) * area, out[d]);
    return;
  }
  WriteVector(out);
}

void Probe::WriteVector(float* out) const {
  switch (kind) {
    case Kind::kObsReward:
    case Kind::kObsAction:
      out[0] = sign;
      break;
    case Kind::kTwoStep:
      out[0] = static_cast<float>(position);
      break;
    case Kind::kChain:
      for (int k = 0; k < length; ++k) out[k] = k == position ? 1.0f : 0.0f;
      break;
    default:
      out[0] = 0.0f;
  }
}

std::vector<std::vector<double>> OptimalQ(const Probe& probe, double gamma) {
  switch (probe.kind) {
    case Kind::kConstant:
      return {{1.0}};
    case Kind::kObsReward:
      return {{-1.0}, {1.0}};
    case Kind::kTwoStep:
      return {{gamma}, {1.0}};
    case Kind::kActionReward:
      return {{-1.0, 1.0}};
    case Kind::kObsAction:
      return {{1.0, -1.0}, {-1.0, 1.0}};
    case Kind::kChain: {
      std::vector<std::vector<double>> q;
      for (int k = 0; k < probe.length; ++k)
        q.push_back({0.0, std::pow(gamma, probe.length - 1 - k)});
      return q;
    }
    case Kind::kStochastic:
      return {{0.0}};
  }
  return {};
}

EnvSpec TargetProbe::MakeSpec() const {
  EnvSpec spec;
  spec.id = "probe/box_target";
  spec.version = "qlab probes 1";
  spec.obs_dtype = DType::kFloat32;
  spec.obs_shape = {dims};
  spec.action_space.kind = ActionSpace::Kind::kBox;
  spec.action_space.low.assign(dims, -1.0f);
  spec.action_space.high.assign(dims, 1.0f);
  for (int d = 0; d < dims; ++d) {
    spec.obs_labels.push_back("target" + std::to_string(d));
    spec.action_space.names.push_back("a" + std::to_string(d));
  }
  spec.reward_min = -3.0;  // |a - s| <= 2
  spec.reward_max = 1.0;
  return spec;
}

void TargetProbe::Reset(Rng& rng) {
  for (int d = 0; d < dims; ++d) target[d] = static_cast<float>(2.0 * rng.Uniform() - 1.0);
}

StepOutcome TargetProbe::Step(std::span<const float> action, Rng& rng) {
  double squared = 0.0;
  for (int d = 0; d < dims; ++d) {
    const double error = std::clamp(static_cast<double>(action[d]), -1.0, 1.0) - target[d];
    squared += error * error;
  }
  return {1.0 - squared / dims, true};
}

void TargetProbe::WriteObs(float* out) const { std::copy_n(target.begin(), dims, out); }

}  // namespace qlab::probe

namespace qlab {

void RegisterProbeEnvs(Registry& registry) {
  using probe::Kind;
  const ParamSpec image{.name = "image",
                        .type = ParamSpec::Type::kInt,
                        .default_value = "0",
                        .doc = "S > 0: observations as constant S x S planes [D, S, S]",
                        .min = 0,
                        .max = 64};
  auto add = [&](const char* name, Kind kind, const char* description) {
    registry.Add({.name = name,
                  .description = description,
                  .reference = "qlab probe; optimal values in docs/envs.md",
                  .default_max_steps = 0,
                  .params = {image},
                  .make = MakeEnvFactory<probe::Probe>([kind](const Params& params) {
                    return probe::Probe{.kind = kind, .image = params.GetInt("image")};
                  })});
  };
  add("probe/constant", Kind::kConstant, "one step, reward +1: tests value fitting");
  add("probe/obs_reward", Kind::kObsReward, "reward equals the observation: tests the torso");
  add("probe/two_step", Kind::kTwoStep, "delayed reward: tests bootstrapping and discounting");
  add("probe/action_reward", Kind::kActionReward, "reward depends on the action: tests the head");
  add("probe/obs_action", Kind::kObsAction, "reward depends on obs and action: tests both");
  add("probe/stochastic", Kind::kStochastic, "reward +-1 at random: tests return distributions");
  registry.Add({.name = "probe/box_target",
                .description = "continuous action must equal the observation: tests actor-critics",
                .reference = "qlab probe; optimal values in docs/envs.md",
                .default_max_steps = 0,
                .params = {{.name = "dims",
                            .type = ParamSpec::Type::kInt,
                            .default_value = "1",
                            .doc = "action and observation dimensions",
                            .min = 1,
                            .max = probe::TargetProbe::kMaxDims}},
                .make = MakeEnvFactory<probe::TargetProbe>([](const Params& params) {
                  return probe::TargetProbe{.dims = params.GetInt("dims")};
                })});
  registry.Add({.name = "probe/chain",
                .description = "advance L steps for a final +1: tests discounting over a horizon",
                .reference = "qlab probe; optimal values in docs/envs.md",
                .default_max_steps = 0,
                .params = {{.name = "length",
                            .type = ParamSpec::Type::kInt,
                            .default_value = "3",
                            .doc = "number of steps to the reward",
                            .min = 1,
                            .max = probe::kMaxChainLength},
                           image},
                .make = MakeEnvFactory<probe::Probe>([](const Params& params) {
                  return probe::Probe{.kind = Kind::kChain,
                                      .length = params.GetInt("length"),
                                      .image = params.GetInt("image")};
                })});
}

}  // namespace qlab

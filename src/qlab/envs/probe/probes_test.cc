#include "qlab/envs/probe/probes.h"

#include <gtest/gtest.h>

#include <cmath>

#include "qlab/envs/builtin.h"

namespace qlab::probe {
namespace {

TEST(Probes, TwoStepAndChainDynamics) {
  auto env = BuiltinEnvs().Make("probe/two_step", {.num_envs = 1});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  const int32_t action = 0;
  EXPECT_EQ(batch.obs_row<float>(0)[0], 0.0f);
  env->Step({&action, 1}, batch);
  EXPECT_EQ(batch.reward[0], 0.0f);
  EXPECT_EQ(batch.obs_row<float>(0)[0], 1.0f);
  EXPECT_FALSE(batch.done(0));
  env->Step({&action, 1}, batch);
  EXPECT_EQ(batch.reward[0], 1.0f);
  EXPECT_TRUE(batch.terminated[0]);

  auto chain = BuiltinEnvs().Make("probe/chain(length=4)", {.num_envs = 1});
  StepBatch cb = chain->MakeBatch();
  chain->Reset(cb);
  const int32_t advance = 1, quit = 0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(cb.obs_row<float>(0)[k], 1.0f);
    chain->Step({&advance, 1}, cb);
    EXPECT_FALSE(cb.done(0));
  }
  chain->Step({&advance, 1}, cb);
  EXPECT_TRUE(cb.terminated[0]);
  EXPECT_EQ(cb.episode_return[0], 1.0);
  chain->Step({&quit, 1}, cb);
  EXPECT_TRUE(cb.terminated[0]);
  EXPECT_EQ(cb.episode_return[0], 0.0);
}

TEST(Probes, ObsAndActionDependentRewards) {
  auto env = BuiltinEnvs().Make("probe/obs_action", {.num_envs = 64, .seed = 1});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  std::vector<int32_t> actions(64);
  for (int i = 0; i < 64; ++i) actions[i] = batch.obs_row<float>(i)[0] > 0 ? 1 : 0;
  env->Step(actions, batch);
  for (float r : batch.reward) EXPECT_EQ(r, 1.0f);
  for (int i = 0; i < 64; ++i) actions[i] = batch.obs_row<float>(i)[0] > 0 ? 0 : 1;
  env->Step(actions, batch);
  for (float r : batch.reward) EXPECT_EQ(r, -1.0f);
}

TEST(Probes, StochasticRewardHasMeanZero) {
  auto env = BuiltinEnvs().Make("probe/stochastic", {.num_envs = 100, .seed = 2});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  std::vector<int32_t> actions(100, 0);
  double sum = 0;
  for (int t = 0; t < 200; ++t) {
    env->Step(actions, batch);
    for (float r : batch.reward) {
      ASSERT_TRUE(r == 1.0f || r == -1.0f);
      sum += r;
    }
  }
  EXPECT_NEAR(sum / 20000, 0.0, 0.03);
}

TEST(Probes, BoxTargetRewardsTheActionThatEqualsTheObservation) {
  constexpr int n = 500, dims = 3;
  auto env = BuiltinEnvs().Make("probe/box_target(dims=3)", {.num_envs = n, .seed = 4});
  ASSERT_FALSE(env->spec().action_space.discrete());
  EXPECT_EQ(env->spec().action_space.dims(), dims);
  EXPECT_EQ(env->spec().obs_shape, std::vector<int>{dims});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  // the optimal action earns exactly 1 and ends the episode
  std::vector<float> actions(n * dims);
  std::vector<float> targets(n * dims);
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < dims; ++d) {
      targets[i * dims + d] = batch.obs_row<float>(i)[d];
      actions[i * dims + d] = targets[i * dims + d];
      EXPECT_LE(std::abs(targets[i * dims + d]), 1.0f);
    }
  env->StepBox(actions, batch);
  for (int i = 0; i < n; ++i) {
    EXPECT_FLOAT_EQ(batch.reward[i], 1.0f);
    EXPECT_TRUE(batch.terminated[i]);
  }
  // 1 - mean squared error, with actions clipped to [-1, 1]: a = s + 0.5 in one dimension
  // (clipped at 1) and a = 5 (clipped to 1) in another
  for (int i = 0; i < n; ++i) {
    const auto s = batch.obs_row<float>(i);
    actions[i * dims] = s[0] + 0.5f;
    actions[i * dims + 1] = 5.0f;
    actions[i * dims + 2] = s[2];
    const double e0 = std::min(1.0, s[0] + 0.5) - s[0], e1 = 1.0 - s[1];
    targets[i] = static_cast<float>(1.0 - (e0 * e0 + e1 * e1) / dims);
  }
  env->StepBox(actions, batch);
  for (int i = 0; i < n; ++i) EXPECT_NEAR(batch.reward[i], targets[i], 1e-6);
  // uniform random actions earn 1 - 2/3 on average
  Rng rng(9);
  double sum = 0.0;
  for (int t = 0; t < 20; ++t) {
    for (float& a : actions) a = static_cast<float>(2.0 * rng.Uniform() - 1.0);
    env->StepBox(actions, batch);
    for (float r : batch.reward) sum += r;
  }
  EXPECT_NEAR(sum / (20.0 * n), 1.0 / 3.0, 0.01);
}

TEST(Probes, OptimalQValues) {
  EXPECT_EQ(OptimalQ({.kind = Kind::kTwoStep}, 0.9),
            (std::vector<std::vector<double>>{{0.9}, {1.0}}));
  const auto chain = OptimalQ({.kind = Kind::kChain, .length = 3}, 0.5);
  EXPECT_DOUBLE_EQ(chain[0][1], 0.25);
  EXPECT_DOUBLE_EQ(chain[2][1], 1.0);
  EXPECT_DOUBLE_EQ(chain[1][0], 0.0);
  EXPECT_EQ(OptimalQ({.kind = Kind::kObsAction}, 0.9)[1][1], 1.0);
}

}  // namespace
}  // namespace qlab::probe

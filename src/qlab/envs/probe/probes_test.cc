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

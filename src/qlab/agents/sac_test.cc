// SAC learns the continuous-action probe's known optimum (probe/box_target: a*(s) = s,
// Q*(s, a) = 1 - mean (a - s)^2) and keeps its actions inside the env's box.
#include "qlab/agents/sac.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/train/train_config.h"

namespace qlab {
namespace {

struct Trained {
  ConfigSchema schema;
  std::unique_ptr<Config> config;
  std::unique_ptr<Sac> agent;
};

Trained TrainSac(const std::string& env_name, const std::vector<std::string>& sets,
                 int vector_steps, int num_envs = 8) {
  Trained t{TrainSchema("sac"), nullptr, nullptr};
  t.config = std::make_unique<Config>(t.schema);
  for (const char* s : {"agent.min_replay_history=256", "agent.batch_size=64",
                        "agent.actor_lr=0.001", "network.widths=[64, 64]", "replay.capacity=8192"})
    t.config->Set(s);
  for (const auto& s : sets) t.config->Set(s);
  auto env = BuiltinEnvs().Make(env_name, {.num_envs = num_envs, .seed = 1});
  const AgentContext context{.config = t.config.get(),
                             .spec = env->spec(),
                             .num_envs = num_envs,
                             .num_eval_envs = 1,
                             .seed = 1};
  t.agent = std::make_unique<Sac>(context, SacOptions::FromConfig(*t.config));
  StepBatch current = env->MakeBatch(), next = env->MakeBatch();
  env->Reset(current);
  std::vector<uint8_t> start(num_envs, 1);
  std::vector<float> actions(static_cast<size_t>(num_envs) * env->spec().action_space.dims());
  Rng rng(2);
  const auto& space = env->spec().action_space;
  for (int step = 0; step < vector_steps; ++step) {
    t.agent->ActBox(current.obs.data(), start, ActMode::kTrain, rng, actions);
    for (size_t i = 0; i < actions.size(); ++i) {
      EXPECT_GE(actions[i], space.low[i % space.dims()]);
      EXPECT_LE(actions[i], space.high[i % space.dims()]);
    }
    env->StepBox(actions, next);
    t.agent->ObserveBox(current.obs.data(), actions, next);
    for (int i = 0; i < num_envs; ++i) start[i] = next.done(i);
    std::swap(current, next);
  }
  return t;
}

TEST(SacProbes, LearnsTheActionThatEqualsTheObservation) {
  Trained t = TrainSac("probe/box_target(dims=2)", {}, 400);
  EXPECT_GT(t.agent->updates(), 2500);
  // a grid of observations: the deterministic policy follows them, the critic knows Q*
  std::vector<float> grid;
  for (float x : {-0.8f, -0.3f, 0.0f, 0.4f, 0.8f})
    for (float y : {-0.6f, 0.2f, 0.7f}) grid.insert(grid.end(), {x, y});
  const torch::Tensor obs = torch::tensor(grid).view({-1, 2});
  const torch::Tensor mean = t.agent->MeanAction(obs);
  EXPECT_LT((mean - obs).abs().max().item<double>(), 0.15) << mean;
  const torch::Tensor q_best = t.agent->QValue(obs, obs);
  EXPECT_LT((q_best - 1.0).abs().max().item<double>(), 0.15) << q_best;
  // half a unit off in both dimensions: Q* = 1 - 0.25
  const torch::Tensor off = (obs + 0.5).clamp(-1.0, 1.0);
  const torch::Tensor q_off = t.agent->QValue(obs, off);
  const torch::Tensor q_star = 1.0 - (off - obs).square().mean(1);
  EXPECT_LT((q_off - q_star).abs().max().item<double>(), 0.15) << q_off << q_star;
  // the temperature fell toward the target entropy (-2)
  const TrainStats stats = t.agent->TakeStats();
  EXPECT_LT(t.agent->alpha(), 0.5);
  ASSERT_TRUE(stats.loss_mean.has_value());
}

// SimbaV2's SAC: hyperspherical torsos, one categorical critic on scaled rewards, a narrower actor.
TEST(SacProbes, SimbaV2CategoricalCriticLearnsTheProbe) {
  Trained t =
      TrainSac("probe/box_target(dims=2)",
               {"agent.critic=categorical", "agent.num_atoms=51", "agent.reward_scaling=true",
                "agent.clipped_double_q=false", "agent.gamma=0", "network.torso=simbav2",
                "network.widths=[64]", "network.simba_blocks=1", "agent.actor_widths=[32]"},
               400);
  const std::string described = t.agent->Describe();
  EXPECT_NE(described.find("critics 1 x"), std::string::npos) << described;
  EXPECT_NE(described.find("51 atoms"), std::string::npos) << described;
  std::vector<float> grid;
  for (float x : {-0.8f, -0.3f, 0.0f, 0.4f, 0.8f})
    for (float y : {-0.6f, 0.2f, 0.7f}) grid.insert(grid.end(), {x, y});
  const torch::Tensor obs = torch::tensor(grid).view({-1, 2});
  EXPECT_LT((t.agent->MeanAction(obs) - obs).abs().max().item<double>(), 0.15);
  // the critic learns scaled returns: Q* / divisor
  const double divisor = t.agent->reward_divisor();
  EXPECT_GT(divisor, 0.1);
  const torch::Tensor q_best = t.agent->QValue(obs, obs) * divisor;
  EXPECT_LT((q_best - 1.0).abs().max().item<double>(), 0.15) << q_best;
}

TEST(RewardScaler, DividesByTheReturnsStdButNeverBelowTheSupportBound) {
  // gamma 0.5, one env: rewards 1, 1 (episode ends), 2 -> returns 1, 1.5, 2: std sqrt(1/6)
  const float rewards[] = {1, 1, 2};
  const uint8_t done[] = {0, 1, 0};
  RewardScaler tight(1, 0.5, /*g_max=*/2.0), loose(1, 0.5, /*g_max=*/100.0);
  EXPECT_EQ(tight.divisor(), 1.0);  // no statistics yet
  for (int t = 0; t < 3; ++t) {
    tight.Observe(std::span(rewards + t, 1), std::span(done + t, 1));
    loose.Observe(std::span(rewards + t, 1), std::span(done + t, 1));
  }
  // floor r_max / ((1 - gamma) G_max): 2 / (0.5 * 2) = 2 beats the std
  EXPECT_NEAR(tight.divisor(), 2.0, 1e-12);
  EXPECT_NEAR(loose.divisor(), std::sqrt(1.0 / 6.0 + 1e-8), 1e-12);
  // state round trip
  RewardScaler copy(1, 0.5, 100.0);
  copy.Restore(loose.state(), loose.returns());
  EXPECT_EQ(copy.divisor(), loose.divisor());
  EXPECT_EQ(copy.returns(), std::vector<double>{2.0});
}

TEST(Sac, RefusesEnvsOfDiscreteActions) {
  ConfigSchema schema = TrainSchema("sac");
  Config config(schema);
  for (const std::string env_name : {"classic/cartpole", "minatar/breakout"}) {
    auto env = BuiltinEnvs().Make(env_name, {.num_envs = 1});
    const AgentContext context{.config = &config, .spec = env->spec()};
    try {
      Sac agent(context, SacOptions::FromConfig(config));
      ADD_FAILURE() << env_name;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("Box"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace qlab

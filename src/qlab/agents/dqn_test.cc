// DQN learns the documented optimal Q-values of the probe envs (docs/envs.md), one ingredient at
// a time: value regression, bootstrapping through gamma, action dependence, n-step returns,
// prioritized replay, double Q, dueling heads and the optimisers.
#include "qlab/agents/dqn.h"

#include <gtest/gtest.h>

#include "qlab/envs/builtin.h"
#include "qlab/envs/probe/probes.h"
#include "qlab/train/train_config.h"

namespace qlab {
namespace {

struct Trained {
  ConfigSchema schema;
  std::unique_ptr<Config> config;
  std::unique_ptr<Dqn> agent;
};

Trained Train(const std::string& env_name, const std::vector<std::string>& sets, int vector_steps,
              int num_envs = 8) {
  Trained t{TrainSchema("dqn"), nullptr, nullptr};
  t.config = std::make_unique<Config>(t.schema);
  for (const char* s : {"agent.gamma=0.9", "agent.min_replay_history=64", "agent.update_period=1",
                        "agent.target_update_period=64", "agent.lr=0.003",
                        "agent.optimizer_eps=1e-8", "agent.epsilon_start=1.0",
                        "agent.epsilon_end=1.0", "network.widths=[32]", "replay.capacity=4096"})
    t.config->Set(s);
  for (const auto& s : sets) t.config->Set(s);
  auto env = BuiltinEnvs().Make(env_name, {.num_envs = num_envs, .seed = 1});
  AgentContext context{.config = t.config.get(),
                       .spec = env->spec(),
                       .num_envs = num_envs,
                       .num_eval_envs = 1,
                       .seed = 1};
  t.agent = std::make_unique<Dqn>(context, DqnOptions::FromConfig(*t.config));
  StepBatch current = env->MakeBatch(), next = env->MakeBatch();
  env->Reset(current);
  std::vector<uint8_t> start(num_envs, 1);
  std::vector<int32_t> actions(num_envs);
  Rng rng(2);
  for (int step = 0; step < vector_steps; ++step) {
    t.agent->Act(current.obs.data(), start, ActMode::kTrain, rng, actions);
    env->Step(actions, next);
    t.agent->Observe(current.obs.data(), actions, next);
    for (int i = 0; i < num_envs; ++i) start[i] = next.done(i);
    std::swap(current, next);
  }
  return t;
}

torch::Tensor QOf(Dqn& agent, std::vector<float> obs, int64_t dims) {
  torch::NoGradGuard no_grad;
  const auto rows = static_cast<int64_t>(obs.size()) / dims;
  return agent.online()->forward(torch::from_blob(obs.data(), {rows, dims}).clone());
}

void ExpectNear(const torch::Tensor& q, const std::vector<std::vector<double>>& want, double tol) {
  ASSERT_EQ(q.size(0), static_cast<int64_t>(want.size()));
  for (size_t s = 0; s < want.size(); ++s)
    for (size_t a = 0; a < want[s].size(); ++a)
      EXPECT_NEAR(q[s][a].item<double>(), want[s][a], tol) << "state " << s << " action " << a;
}

TEST(DqnProbes, LearnsValuesThatDependOnObservationAndAction) {
  Trained t = Train("probe/obs_action", {}, 400);
  probe::Probe p{.kind = probe::Kind::kObsAction};
  ExpectNear(QOf(*t.agent, {-1.0f, 1.0f}, 1), probe::OptimalQ(p, 0.9), 0.1);
}

TEST(DqnProbes, BootstrapsThroughTheDiscount) {
  for (const std::string& variant : {"plain", "double_dueling", "huber_rmsprop", "sgd"}) {
    std::vector<std::string> sets;
    if (variant == "double_dueling") sets = {"agent.double_q=true", "network.head=dueling"};
    if (variant == "huber_rmsprop")
      sets = {"agent.loss=huber", "agent.optimizer=rmsprop", "agent.lr=0.001",
              "agent.optimizer_eps=0.01"};
    if (variant == "sgd") sets = {"agent.optimizer=sgd", "agent.lr=0.05", "agent.momentum=0.9"};
    SCOPED_TRACE(variant);
    Trained t = Train("probe/two_step", sets, 600);
    probe::Probe p{.kind = probe::Kind::kTwoStep};
    ExpectNear(QOf(*t.agent, {0.0f, 1.0f}, 1), probe::OptimalQ(p, 0.9), 0.1);
  }
}

TEST(DqnProbes, NStepPrioritizedAndPolyakLearnTheChain) {
  for (const std::string& variant : {"one_step", "n_step_per_polyak"}) {
    std::vector<std::string> sets;
    if (variant == "n_step_per_polyak")
      // n-step targets follow the behaviour policy, so it must become greedy to reach Q*
      sets = {"agent.n_step=3",
              "replay.prioritized=true",
              "replay.beta_steps=4000",
              "agent.target_update_period=0",
              "agent.tau=0.05",
              "agent.epsilon_end=0.0",
              "agent.epsilon_decay_start=0",
              "agent.epsilon_decay_steps=6000"};
    SCOPED_TRACE(variant);
    Trained t = Train("probe/chain(length=4)", sets, 1500);
    probe::Probe p{.kind = probe::Kind::kChain, .length = 4};
    std::vector<float> obs(16, 0.0f);
    for (int k = 0; k < 4; ++k) obs[k * 4 + k] = 1.0f;
    ExpectNear(QOf(*t.agent, obs, 4), probe::OptimalQ(p, 0.9), 0.1);
  }
}

TEST(Dqn, EpsilonScheduleIsLinearAfterItsStart) {
  Trained t = Train("probe/constant",
                    {"agent.epsilon_start=1.0", "agent.epsilon_end=0.1",
                     "agent.epsilon_decay_steps=100", "agent.epsilon_decay_start=20"},
                    0, 1);
  EXPECT_DOUBLE_EQ(t.agent->Epsilon(), 1.0);
  std::vector<uint8_t> start = {1};
  std::vector<int32_t> action = {0};
  auto env = BuiltinEnvs().Make("probe/constant", {.num_envs = 1});
  StepBatch current = env->MakeBatch(), next = env->MakeBatch();
  env->Reset(current);
  for (int step = 0; step < 70; ++step) {
    env->Step(action, next);
    t.agent->Observe(current.obs.data(), action, next);
  }
  EXPECT_NEAR(t.agent->Epsilon(), 1.0 - 0.9 * 50 / 100.0, 1e-12);
}

TEST(Dqn, ReplayRatioCountsUpdatesPerEnvStep) {
  // 8 envs x 100 vector steps = 800 env steps; 64 warm-up; 0.5 updates per env step
  Trained t = Train("probe/constant", {"agent.update_period=4", "agent.updates_per_step=2"}, 100);
  EXPECT_EQ(t.agent->updates(), (800 - 64) / 2);
}

TEST(Dqn, RejectsUnusableConfigurations) {
  EXPECT_THROW(Train("minatar/breakout", {"network.torso=nature_cnn"}, 0), UserError);
  EXPECT_THROW(Train("probe/constant", {"network.torso=minatar_cnn"}, 0), UserError);
  EXPECT_THROW(Train("probe/constant", {"replay.capacity=10"}, 0), UserError);
}

}  // namespace
}  // namespace qlab

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
              int num_envs = 8, const std::string& variant = "dqn") {
  Trained t{TrainSchema(variant), nullptr, nullptr};
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
  t.agent = std::make_unique<Dqn>(context, DqnOptions::FromConfig(*t.config, variant));
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
  Rng rng(3);
  return agent.QValues(torch::from_blob(obs.data(), {rows, dims}).clone(), rng);
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

// SimbaV2's torso learns the probes, and the agent keeps its weights on the unit sphere.
TEST(DqnProbes, SimbaV2TorsoBootstrapsWithUnitNormWeights) {
  Trained t = Train("probe/two_step", {"network.torso=simbav2", "network.simba_blocks=1"}, 600);
  ExpectNear(QOf(*t.agent, {0.0f, 1.0f}, 1), probe::OptimalQ({.kind = probe::Kind::kTwoStep}, 0.9),
             0.1);
  auto params = t.agent->online()->named_parameters();
  ASSERT_TRUE(params.contains("simbav2.block1_up"));
  const torch::Tensor rows = params["simbav2.block1_up"].norm(2, 1);
  EXPECT_TRUE(rows.allclose(torch::ones_like(rows), 1e-5, 1e-5));
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

// --- the other variants of the family (dqn.h) on the same probes ---

// Distributional heads need a support that covers the probe returns.
std::vector<std::string> VariantSets(const std::string& variant) {
  if (variant == "c51" || variant == "rainbow")
    return {"agent.v_min=-2", "agent.v_max=2", "agent.num_atoms=21"};
  if (variant == "qrdqn") return {"agent.num_quantiles=16"};
  if (variant == "iqn") return {"agent.num_tau_samples=16", "agent.num_tau_prime_samples=16"};
  return {};
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(DqnFamilyProbes, EveryVariantLearnsActionValuesAndBootstraps) {
  for (const std::string variant : {"c51", "rainbow", "qrdqn", "iqn", "mdqn"}) {
    SCOPED_TRACE(variant);
    Trained action = Train("probe/obs_action", VariantSets(variant), 400, 8, variant);
    probe::Probe p{.kind = probe::Kind::kObsAction};
    auto want = probe::OptimalQ(p, 0.9);
    if (variant == "mdqn")
      // Munchausen's fixed point: the worse action (gap 2 >> tau) pays the clipped bonus
      // alpha * clip(tau log pi, -1, 0) = -0.9; the greedy one pays ~0 (Vieillard et al. 2020)
      for (auto& row : want)
        for (double& q : row) q = q < 0 ? q - 0.9 : q;
    ExpectNear(QOf(*action.agent, {-1.0f, 1.0f}, 1), want, 0.1);

    Trained chain = Train("probe/two_step", VariantSets(variant), 600, 8, variant);
    ExpectNear(QOf(*chain.agent, {0.0f, 1.0f}, 1),
               probe::OptimalQ({.kind = probe::Kind::kTwoStep}, 0.9), 0.1);
  }
}

TEST(DqnFamilyProbes, FullRainbowLearnsTheChain) {
  // every Rainbow component on: n-step 3, prioritized, dueling, noisy, double, C51
  Trained t = Train(
      "probe/chain(length=4)",
      Concat(VariantSets("rainbow"), {"agent.epsilon_end=0.0", "agent.epsilon_decay_start=0",
                                      "agent.epsilon_decay_steps=6000", "replay.beta_steps=4000"}),
      1500, 8, "rainbow");
  std::vector<float> obs(16, 0.0f);
  for (int k = 0; k < 4; ++k) obs[k * 4 + k] = 1.0f;
  ExpectNear(QOf(*t.agent, obs, 4),
             probe::OptimalQ({.kind = probe::Kind::kChain, .length = 4}, 0.9), 0.1);
}

// probe/stochastic returns -1 or +1 with probability 1/2 (docs/envs.md): the distributional
// variants must learn that distribution, not only its mean 0.
TEST(DqnFamilyProbes, CategoricalLearnsTheReturnDistribution) {
  Trained t = Train("probe/stochastic", {"agent.v_min=-2", "agent.v_max=2", "agent.num_atoms=5"},
                    500, 8, "c51");
  torch::NoGradGuard no_grad;
  const torch::Tensor probs = torch::softmax(t.agent->online()->forward(torch::zeros({1, 1})), 2);
  // atoms [-2, -1, 0, 1, 2]
  const std::vector<double> want = {0.0, 0.5, 0.0, 0.5, 0.0};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(probs[0][0][i].item<double>(), want[i], 0.08) << i;
}

TEST(DqnFamilyProbes, QuantileRegressionLearnsTheReturnDistribution) {
  // kappa 0: the plain quantile loss, whose minimisers are the true quantiles (Huber ones are not)
  Trained t =
      Train("probe/stochastic", {"agent.num_quantiles=4", "agent.kappa=0"}, 500, 8, "qrdqn");
  torch::NoGradGuard no_grad;
  const torch::Tensor quantiles = t.agent->online()->forward(torch::zeros({1, 1}));
  // fractions 1/8, 3/8 -> -1; 5/8, 7/8 -> +1
  const std::vector<double> want = {-1.0, -1.0, 1.0, 1.0};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(quantiles[0][0][i].item<double>(), want[i], 0.15) << i;
}

TEST(DqnFamilyProbes, ImplicitQuantilesLearnTheReturnDistribution) {
  Trained t =
      Train("probe/stochastic", Concat(VariantSets("iqn"), {"agent.kappa=0"}), 500, 8, "iqn");
  torch::NoGradGuard no_grad;
  const torch::Tensor quantiles =
      t.agent->online()->forward(torch::zeros({1, 1}), torch::tensor({{0.2f, 0.8f}}));
  EXPECT_NEAR(quantiles[0][0][0].item<double>(), -1.0, 0.25);
  EXPECT_NEAR(quantiles[0][0][1].item<double>(), 1.0, 0.25);
}

// --- the data-efficient variants (der, drq_eps, spr) on image probes (augmentation needs images)

std::vector<std::string> DataEfficientSets(const std::string& variant) {
  std::vector<std::string> sets = {"network.torso=minatar_cnn", "augment.pad=1", "agent.n_step=1",
                                   "agent.max_grad_norm=0"};
  if (variant != "drq_eps")
    sets = Concat(sets, {"agent.v_min=-2", "agent.v_max=2", "agent.num_atoms=21"});
  if (variant == "spr" || variant == "bbf")
    sets = Concat(sets, {"spr.steps=2", "spr.projection_dim=16", "spr.transition_width=8"});
  if (variant == "bbf")
    // a small BBF with every ingredient on: n 3 -> 1 and gamma 0.5 -> 0.9 over 200 updates,
    // resets every 1000 updates (the last one 1000+ updates before the end), EMA target, AdamW
    sets = Concat(sets, {"network.width_scale=1", "agent.updates_per_step=1",
                         "agent.n_step_start=3", "agent.gamma_start=0.5", "agent.anneal_steps=200",
                         "reset.period=1000", "agent.target_update_period=0"});
  return sets;
}

// Q-values of observations given as rows of `planes` values, each spread over a side x side plane
// (the probes' image=S form).
torch::Tensor ImageQOf(Dqn& agent, std::vector<float> values, int64_t planes, int64_t side) {
  const auto rows = static_cast<int64_t>(values.size()) / planes;
  const torch::Tensor obs = torch::from_blob(values.data(), {rows, planes, 1, 1})
                                .expand({rows, planes, side, side})
                                .contiguous();
  torch::NoGradGuard no_grad;
  Rng rng(3);
  return agent.QValues(obs, rng);
}

TEST(DataEfficientProbes, DerDrqEpsSprAndBbfLearnImageProbes) {
  for (const std::string variant : {"der", "drq_eps", "spr", "bbf"}) {
    SCOPED_TRACE(variant);
    Trained action =
        Train("probe/obs_action(image=4)", DataEfficientSets(variant), 400, 8, variant);
    ExpectNear(ImageQOf(*action.agent, {-1.0f, 1.0f}, 1, 4),
               probe::OptimalQ({.kind = probe::Kind::kObsAction}, 0.9), 0.1);
    Trained chain = Train("probe/two_step(image=4)", DataEfficientSets(variant), 600, 8, variant);
    ExpectNear(ImageQOf(*chain.agent, {0.0f, 1.0f}, 1, 4),
               probe::OptimalQ({.kind = probe::Kind::kTwoStep}, 0.9), 0.1);
  }
}

TEST(DataEfficient, VariantsDefaultsAndAugmentationNeedsImages) {
  ConfigSchema der_schema = TrainSchema("der");
  Config der(der_schema);
  EXPECT_EQ(der.GetInt("agent.n_step"), 10);
  EXPECT_EQ(der.GetInt("agent.update_period"), 1);
  EXPECT_EQ(der.GetInt("agent.target_update_period"), 2000);
  EXPECT_TRUE(der.GetBool("network.noisy"));
  EXPECT_EQ(der.GetString("augment.kind"), "none");
  ConfigSchema drq_schema = TrainSchema("drq_eps");
  Config drq(drq_schema);
  EXPECT_EQ(drq.GetString("augment.kind"), "shift");
  EXPECT_EQ(drq.GetInt("agent.target_update_period"), 1);
  EXPECT_FALSE(drq.GetBool("network.noisy"));
  ConfigSchema spr_schema = TrainSchema("spr");
  Config spr(spr_schema);
  EXPECT_EQ(spr.GetInt("spr.steps"), 5);
  EXPECT_EQ(spr.GetString("augment.kind"), "shift_intensity");
  // augmentation of vector observations, SPR with IQN: one clear error each
  EXPECT_THROW(Train("probe/constant", {"augment.kind=shift"}, 0), UserError);
  EXPECT_THROW(Train("probe/constant", {"spr.steps=3"}, 0, 1, "iqn"), UserError);
}

TEST(DataEfficient, BbfDefaultsAreThePapers) {
  ConfigSchema schema = TrainSchema("bbf");
  Config bbf(schema);
  EXPECT_EQ(bbf.GetString("network.torso"), "impala");
  EXPECT_EQ(bbf.GetFloat("network.width_scale"), 4.0);
  EXPECT_EQ(bbf.GetIntList("network.widths"), std::vector<int64_t>{512});
  EXPECT_FALSE(bbf.GetBool("network.noisy"));
  EXPECT_EQ(bbf.GetFloat("agent.updates_per_step"), 8.0);
  EXPECT_EQ(bbf.GetString("agent.optimizer"), "adamw");
  EXPECT_EQ(bbf.GetFloat("agent.weight_decay"), 0.1);
  EXPECT_EQ(bbf.GetInt("agent.target_update_period"), 0);
  EXPECT_EQ(bbf.GetFloat("agent.tau"), 0.005);
  EXPECT_TRUE(bbf.GetBool("agent.act_with_target"));
  EXPECT_EQ(bbf.GetInt("agent.n_step_start"), 10);
  EXPECT_EQ(bbf.GetInt("agent.n_step"), 3);
  EXPECT_EQ(bbf.GetFloat("agent.gamma_start"), 0.97);
  EXPECT_EQ(bbf.GetFloat("agent.gamma"), 0.997);
  EXPECT_EQ(bbf.GetInt("agent.anneal_steps"), 10000);
  EXPECT_EQ(bbf.GetInt("reset.period"), 40000);
  EXPECT_EQ(bbf.GetInt("reset.layers"), -1);
  EXPECT_EQ(bbf.GetFloat("reset.shrink"), 0.5);
  EXPECT_EQ(bbf.GetInt("spr.steps"), 5);
  EXPECT_EQ(bbf.GetFloat("spr.weight"), 5.0);
  EXPECT_TRUE(bbf.GetBool("agent.double_q"));
  EXPECT_EQ(bbf.GetString("network.head"), "dueling");
  EXPECT_EQ(bbf.GetString("augment.kind"), "shift_intensity");
}

// The BBF schedule (the authors' exponential one): n = round(10 * 0.3^u),
// 1 - gamma = 0.03 * 0.1^u, restarting at every reset.
TEST(DataEfficient, NStepAndGammaAnnealAndRestartAtEveryReset) {
  DqnOptions o;
  o.n_step_start = 10;
  o.n_step = 3;
  o.gamma_start = 0.97;
  o.gamma = 0.997;
  EXPECT_EQ(AnnealedReturns(o, 0.0), std::make_pair(10, 0.97));
  const auto [n_half, gamma_half] = AnnealedReturns(o, 0.5);
  EXPECT_EQ(n_half, 5);  // 10 * sqrt(0.3) = 5.48
  EXPECT_NEAR(gamma_half, 1.0 - 0.03 * std::sqrt(0.1), 1e-12);
  EXPECT_EQ(AnnealedReturns(o, 1.0).first, 3);
  EXPECT_NEAR(AnnealedReturns(o, 1.0).second, 0.997, 1e-12);
  EXPECT_EQ(AnnealedReturns(o, 7.0), AnnealedReturns(o, 1.0));

  // 8 envs x 150 steps - 64 warm-up = 1136 updates; resets at 500 and 1000; 200 annealing updates
  Trained t =
      Train("probe/constant",
            {"network.torso=mlp", "network.width_scale=1", "augment.kind=none", "spr.steps=0",
             "agent.updates_per_step=1", "agent.n_step_start=4", "agent.n_step=1",
             "agent.gamma_start=0.5", "agent.anneal_steps=200", "reset.period=500"},
            150, 8, "bbf");
  ASSERT_EQ(t.agent->updates(), 1136);
  const auto [n, gamma] = t.agent->ReturnHorizon();
  DqnOptions small;
  small.n_step_start = 4;
  small.n_step = 1;
  small.gamma_start = 0.5;
  small.gamma = 0.9;
  const auto [n_want, gamma_want] = AnnealedReturns(small, (1136 - 1000) / 200.0);
  EXPECT_EQ(n, n_want);
  EXPECT_NEAR(gamma, gamma_want, 1e-12);
  EXPECT_LT(gamma, 0.9);  // restarted: without the restart it would have reached 0.9
}

// QDagger's lambda_t: lambda_0 until `return_window` student episodes ended, then lambda_0 times
// the student's remaining gap to the teacher, clipped to [0, 1].
TEST(Qdagger, DistillationWeightDecaysWithTheStudentsReturn) {
  TeacherOptions o{.run = "t", .distill_weight = 2.0, .return_window = 2};
  DistillationSchedule schedule(o, /*teacher_return=*/100.0);
  EXPECT_EQ(schedule.weight(), 2.0);
  schedule.AddEpisode(20.0);
  EXPECT_EQ(schedule.weight(), 2.0);  // one episode: the window is not full yet
  schedule.AddEpisode(40.0);
  EXPECT_DOUBLE_EQ(schedule.weight(), 2.0 * (1.0 - 30.0 / 100.0));
  schedule.AddEpisode(160.0);  // window {160, 40}: better than the teacher -> 0
  EXPECT_EQ(schedule.weight(), 0.0);
  schedule.AddEpisode(-500.0);  // window {160, -500}: clipped at lambda_0
  EXPECT_EQ(schedule.weight(), 2.0);
  o.decay = "none";
  DistillationSchedule constant(o, 100.0);
  for (int i = 0; i < 5; ++i) constant.AddEpisode(100.0);
  EXPECT_EQ(constant.weight(), 2.0);
  // a ratio to a non-positive teacher return means nothing: a clear error
  o.decay = "return_ratio";
  EXPECT_THROW(DistillationSchedule(o, 0.0), UserError);
  // qdagger without a teacher run
  EXPECT_THROW(Train("probe/constant", {}, 0, 1, "qdagger"), UserError);
}

TEST(DqnFamily, VariantsHaveTheirOwnKeysAndDefaults) {
  ConfigSchema rainbow = TrainSchema("rainbow");
  Config config(rainbow);
  EXPECT_EQ(config.GetInt("agent.n_step"), 3);
  EXPECT_TRUE(config.GetBool("network.noisy"));
  EXPECT_EQ(config.GetString("network.head"), "dueling");
  EXPECT_TRUE(config.GetBool("replay.prioritized"));
  EXPECT_TRUE(config.GetBool("agent.double_q"));
  EXPECT_EQ(config.GetInt("agent.num_atoms"), 51);
  // keys of other variants are unknown, with a clear error
  EXPECT_THROW(config.Set("agent.num_quantiles=10"), UserError);
  ConfigSchema dqn = TrainSchema("dqn");
  EXPECT_FALSE(Config(dqn).GetBool("network.noisy"));
  EXPECT_THROW(Train("probe/constant", {"agent.v_min=1", "agent.v_max=1"}, 0, 1, "c51"), UserError);
}

}  // namespace
}  // namespace qlab

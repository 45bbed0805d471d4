// End-to-end tests of `qlab train`: the run dir contract (docs/run_dir.md), exact resume after a
// kill -9 (exit code 137 through the shell) or SIGINT at awkward moments, divergence, bad input,
// and CartPole solved by the CleanRL preset.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "qlab/core/archive.h"
#include "qlab/core/files.h"
#include "qlab_process.h"

namespace qlab {
namespace {

namespace fs = std::filesystem;
using testing::RunQlab;

// a fresh folder whose parent exists (qlab train creates the run dir itself)
std::string TempDir(const std::string& name) {
  const std::string dir = testing::TestDir("train_test", name);
  fs::remove_all(dir);
  return dir;
}

std::string Metrics(const std::string& dir) { return testing::MetricsWithoutWallClock(dir); }

std::string LastCheckpoint(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& f : fs::directory_iterator(dir + "/checkpoints")) paths.push_back(f.path());
  std::sort(paths.begin(), paths.end());
  return paths.empty() ? "" : paths.back();
}

// A resumed run `dir` equals the uninterrupted `reference`: status, logs, config, and the named
// checkpoint blobs (weights, replay, RNGs) bit for bit. Two blobs are not comparable byte for
// byte: libtorch keys the optimiser state by tensor addresses, and env states carry struct
// padding; their content shows in the weights of later updates and in identical logs.
void ExpectSameRun(const std::string& dir, const std::string& reference,
                   const std::vector<std::string>& blobs) {
  EXPECT_EQ(ReadFile(dir + "/status"), "done\n");
  EXPECT_EQ(Metrics(dir), Metrics(reference));
  EXPECT_EQ(ReadFile(dir + "/episodes.csv"), ReadFile(reference + "/episodes.csv"));
  EXPECT_EQ(ReadFile(dir + "/config.toml"), ReadFile(reference + "/config.toml"));
  const Archive a = Archive::Load(LastCheckpoint(dir));
  const Archive b = Archive::Load(LastCheckpoint(reference));
  for (const auto& name : blobs)
    EXPECT_TRUE(a.GetBytes(name) == b.GetBytes(name)) << name << " differs";
}

// Runs `run` into `dir` and returns its metrics.jsonl lines, parsed (empty after a failure).
std::vector<nlohmann::json> TrainAndReadMetrics(const std::string& run, const std::string& dir) {
  const auto r = RunQlab(run + " --out " + dir);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<nlohmann::json> lines;
  std::ifstream metrics(dir + "/metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// Starts `run` in a fresh dir named `name`, kills it (kill -9) at `hook`, resumes it, and expects
// everything equal to the uninterrupted `reference` (ExpectSameRun).
void ExpectKilledRunResumesExactly(const std::string& run, const std::string& name,
                                   const std::string& hook, const std::string& reference,
                                   const std::vector<std::string>& blobs) {
  const std::string dir = TempDir(name);
  const auto first = RunQlab(run + " --out " + dir, "QLAB_TEST_HOOK=" + hook);
  ASSERT_EQ(first.code, 137) << first.err;
  const auto resumed = RunQlab("train --quiet --resume " + dir);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  ExpectSameRun(dir, reference, blobs);
}

// Small but complete: MinAtar images, 2 envs, updates, target syncs, evaluation phases.
const std::string kSmallRun =
    "train --env minatar/breakout --config dqn/dopamine_minatar --iterations 3 "
    "--steps-per-iteration 600 --num-envs 2 --seed 7 --quiet --set run.schedule=train_and_eval "
    "--set eval.episodes=2 --set agent.min_replay_history=200 --set agent.epsilon_decay_steps=800 "
    "--set agent.target_update_period=100 --set replay.capacity=4000 --set replay.prioritized=true";

class Resume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reference_ = new std::string(TempDir("reference"));
    const auto r = RunQlab(kSmallRun + " --out " + *reference_);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete reference_; }

  // Interrupts a run with `hook`, resumes it, and expects everything equal to the reference.
  void InterruptAndResume(const std::string& hook, int expected_code) {
    const std::string dir = TempDir(hook);
    const auto first = RunQlab(kSmallRun + " --out " + dir, "QLAB_TEST_HOOK=" + hook);
    ASSERT_EQ(first.code, expected_code) << first.err;
    const auto resumed = RunQlab("train --quiet --resume " + dir);
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    ExpectSameRun(
        dir, *reference_,
        {"agent/online", "agent/target", "replay/obs", "replay/priorities", "replay/flags",
         "agent/replay_rng", "runner/act_rng", "runner/obs", "agent/updates"});
  }
  static std::string* reference_;
};
std::string* Resume::reference_ = nullptr;

TEST_F(Resume, WritesTheRunDirContract) {
  const std::string& dir = *reference_;
  for (const char* file : {"config.toml", "meta.json", "metrics.jsonl", "episodes.csv", "status"})
    EXPECT_TRUE(fs::exists(dir + "/" + file)) << file;
  const auto meta = nlohmann::json::parse(ReadFile(dir + "/meta.json"));
  EXPECT_EQ(meta["agent"], "dqn");
  EXPECT_EQ(meta["seed"], 7);
  EXPECT_EQ(meta["env"], "minatar/breakout(actions=full,max_steps=0,ramping=true,sticky=0.1)");
  std::istringstream lines(ReadFile(dir + "/metrics.jsonl"));
  std::string line;
  int iteration = 0;
  while (std::getline(lines, line)) {
    const auto m = nlohmann::json::parse(line);
    for (const char* key :
         {"iteration", "env_steps", "frames", "updates", "wall_s", "env_steps_per_s",
          "updates_per_s", "train_episodes", "train_return_mean", "eval_episodes",
          "eval_return_mean", "eval_return_std", "loss", "q_mean", "epsilon"})
      EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_EQ(m["iteration"], iteration);
    EXPECT_EQ(m["env_steps"], 600 * (iteration + 1));
    EXPECT_EQ(m["eval_episodes"], 2);
    // (600 * (i + 1) - 200 warm-up) / 4 updates
    EXPECT_EQ(m["updates"], (600 * (iteration + 1) - 200) / 4);
    ++iteration;
  }
  EXPECT_EQ(iteration, 3);
  EXPECT_EQ(ReadFile(dir + "/status"), "done\n");
  // the config written is complete and reruns the same numbers
  const std::string rerun = TempDir("rerun");
  const auto r = RunQlab("train --quiet --config " + dir + "/config.toml --out " + rerun);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Metrics(rerun), Metrics(dir));
  // the report reads it
  const std::string html = TempDir("report.html");
  const auto report =
      RunQlab("report " + dir + " --output " + html + " --reps 200 --curve-reps 100");
  EXPECT_EQ(report.code, 0) << report.err;
  EXPECT_NE(ReadFile(html).find("minatar/breakout"), std::string::npos);
}

TEST_F(Resume, AfterKillMidTraining) { InterruptAndResume("kill@step=700", 137); }
TEST_F(Resume, AfterKillBeforeTheFirstCheckpoint) { InterruptAndResume("kill@step=50", 137); }
TEST_F(Resume, AfterKillBetweenLogsAndCheckpoint) { InterruptAndResume("kill@logged=1", 137); }
TEST_F(Resume, AfterKillDuringEvaluation) { InterruptAndResume("kill@eval=2", 137); }
TEST_F(Resume, AfterSigintMidTraining) { InterruptAndResume("sigint@step=1000", 130); }
TEST_F(Resume, AfterSigintDuringEvaluation) { InterruptAndResume("sigint@eval=0", 130); }

// Every intervention at once (SoftMoE, pruning, ReDo, shrink-and-perturb resets): the diagnostics
// are logged each iteration, the final sparsity is reached, and a kill mid-run resumes exactly.
TEST(TrainPlasticity, InterventionsAreLoggedAndResumeExactly) {
  const std::string run =
      kSmallRun +
      " --set network.moe.type=softmoe --set network.moe.num_experts=2"
      " --set network.moe.expert_width=16 --set prune.sparsity=0.8 --set prune.period=50"
      " --set redo.period=100 --set reset.period=300 --set reset.shrink=0.8";
  const std::string reference = TempDir("plasticity_reference");
  const auto lines = TrainAndReadMetrics(run, reference);
  ASSERT_FALSE(lines.empty());
  const auto& m = lines.back();
  const std::string last = m.dump();
  for (const char* key :
       {"dormant", "dormant0", "dormant_conv1", "dormant_moe", "srank", "feature_norm",
        "weight_norm", "grad_norm", "expert_usage_0", "expert_usage_1", "routing_entropy",
        "recycled_units", "resets", "parameters", "parameters_nonzero", "flops_per_update"})
    EXPECT_TRUE(m.contains(key) && m[key].is_number()) << key << " in " << last;
  EXPECT_NEAR(m["sparsity"].get<double>(), 0.8, 1e-3);
  EXPECT_LT(m["parameters_nonzero"].get<double>(), 0.3 * m["parameters"].get<double>());
  EXPECT_EQ(m["resets"].get<double>(), 1.0);
  EXPECT_NEAR(m["expert_usage_0"].get<double>() + m["expert_usage_1"].get<double>(), 1.0, 1e-5);
  // the report plots them
  const auto report = RunQlab("report " + reference + " -o " + reference + "_report.html");
  ASSERT_EQ(report.code, 0) << report.err;
  const std::string html = ReadFile(reference + "_report.html");
  for (const char* figure : {"id=diagnostics", "diag_dormant_", "diag_srank_", "diag_sparsity_",
                             "diag_routing_entropy_"})
    EXPECT_NE(html.find(figure), std::string::npos) << figure;

  ExpectKilledRunResumesExactly(run, "plasticity_resumed", "kill@step=1000", reference,
                                {"agent/online", "agent/target", "plasticity/prune/masks",
                                 "plasticity/rng", "agent/diagnostics_rng"});
}

// Neuroplastic Expansion on MinAtar: the network grows from 90% sparsity every 20 updates
// (LeCun-initialised connections, drawn from the plasticity stream), the fraction of active units
// gates experience review, and a kill mid-growth resumes exactly (masks, counters, review draws).
TEST(TrainExpansion, GrowsReviewsAndResumesExactly) {
  const std::string run =
      "train --env minatar/breakout --config dqn/dopamine_minatar --iterations 3 "
      "--steps-per-iteration 600 --num-envs 2 --seed 7 --quiet --set run.schedule=continuous_train "
      "--set agent.min_replay_history=200 --set agent.epsilon_decay_steps=800 "
      "--set agent.target_update_period=100 --set replay.capacity=4000 "
      "--set grow.initial_sparsity=0.9 --set grow.final_sparsity=0.5 --set grow.period=20 "
      "--set grow.schedule=constant --set grow.rate=0.05 --set grow.review_fau=0.95 "
      "--set grow.init=lecun";
  const std::string reference = TempDir("expansion_reference");
  std::vector<double> sparsity;
  for (const auto& m : TrainAndReadMetrics(run, reference)) {
    for (const char* key : {"fau", "grown_connections", "pruned_connections", "review_probability",
                            "reviewed_fraction", "parameters_nonzero"})
      ASSERT_TRUE(m.contains(key) && m[key].is_number()) << key << " in " << m.dump();
    sparsity.push_back(m["sparsity"].get<double>());
    EXPECT_GT(m["grown_connections"].get<double>(), m["pruned_connections"].get<double>());
    // review happens about as often as the gate says
    if (m["review_probability"].get<double>() > 0.0) EXPECT_GT(m["reviewed_fraction"], 0.2);
  }
  ASSERT_EQ(sparsity.size(), 3u);
  EXPECT_LT(sparsity[0], 0.9);
  EXPECT_LT(sparsity[2], sparsity[1]);
  EXPECT_LT(sparsity[1], sparsity[0]);
  EXPECT_GE(sparsity[2], 0.5 - 1e-3);

  ExpectKilledRunResumesExactly(run, "expansion_resumed", "kill@step=700", reference,
                                {"agent/online", "agent/target", "plasticity/grow/masks",
                                 "plasticity/rng", "agent/replay_rng"});
}

// SAC on Box actions: its metrics, and a kill mid-training resumes exactly (acting and update
// Gaussian draws, float actions in replay, the temperature and its optimiser) across a reset of
// actor and critics, with ReDo on.
TEST(TrainSac, LogsItsTemperatureAndResumesExactly) {
  const std::string run =
      "train --agent sac --env 'probe/box_target(dims=2)' --iterations 2 "
      "--steps-per-iteration 400 --num-envs 2 --seed 3 --quiet --set eval.episodes=4 "
      "--set agent.min_replay_history=100 --set agent.batch_size=32 "
      "--set network.widths=[32,32] --set replay.capacity=2000 --set reset.period=250 "
      "--set reset.layers=3 --set redo.period=100";
  const std::string reference = TempDir("sac_reference");
  const auto metrics = TrainAndReadMetrics(run, reference);
  ASSERT_EQ(metrics.size(), 2u);
  for (const auto& m : metrics)
    for (const char* key : {"alpha", "entropy", "actor_loss", "loss", "q_mean", "eval_return_mean",
                            "actor_dormant", "critic_srank", "critic_recycled_units"})
      ASSERT_TRUE(m.contains(key) && m[key].is_number()) << key << " in " << m.dump();
  EXPECT_EQ(metrics[1]["updates"].get<int64_t>(), 800 - 100);
  // full resets of actor and critics every 250 updates (Nikishin et al. 2022): at 250 and 500
  EXPECT_EQ(metrics[0]["actor_resets"].get<int>(), 1);
  EXPECT_EQ(metrics[1]["actor_resets"].get<int>(), 2);
  EXPECT_EQ(metrics[1]["critic_resets"].get<int>(), 2);
  ExpectKilledRunResumesExactly(
      run, "sac_resumed", "kill@step=500", reference,
      {"agent/actor", "agent/q1", "agent/q2_target", "agent/log_alpha", "agent/update_rng",
       "replay/box_action", "runner/act_rng", "plasticity/actor/rng", "plasticity/critic2/resets"});
}

// SimbaV2's SAC on a MuJoCo task: one categorical critic, reward scaling, a narrower actor,
// decaying learning rates; a kill mid-training resumes exactly (the physics state, the return
// statistics, the critic).
TEST(TrainSac, SimbaV2CriticOnAMujocoTaskResumesExactly) {
  const std::string run =
      "train --agent sac --env 'dmc/cartpole_swingup(action_repeat=4)' --iterations 2 "
      "--steps-per-iteration 150 --num-envs 2 --seed 3 --quiet --set eval.episodes=1 "
      "--set agent.min_replay_history=60 --set agent.batch_size=16 --set agent.critic=categorical "
      "--set agent.num_atoms=21 --set agent.reward_scaling=true --set agent.clipped_double_q=false "
      "--set network.torso=simbav2 --set network.widths=[32] --set network.simba_blocks=1 "
      "--set agent.actor_widths=[16] --set replay.capacity=1000 --set agent.lr_end_scale=0.5";
  const std::string reference = TempDir("sac_simbav2_reference");
  const auto metrics = TrainAndReadMetrics(run, reference);
  ASSERT_EQ(metrics.size(), 2u);
  for (const auto& m : metrics)
    ASSERT_TRUE(m.contains("reward_divisor") && m["reward_divisor"].get<double>() > 0) << m.dump();
  // SimbaV2's linear decay: halfway through training 3/4 of critic_lr (1e-3), at the end 1/2
  EXPECT_DOUBLE_EQ(metrics[0]["critic_lr"].get<double>(), 7.5e-4);
  EXPECT_DOUBLE_EQ(metrics[1]["critic_lr"].get<double>(), 5e-4);
  ExpectKilledRunResumesExactly(
      run, "sac_simbav2_resumed", "kill@step=200", reference,
      {"agent/actor", "agent/q1", "agent/q1_target", "agent/reward_scaler",
       "agent/reward_scaler_returns", "replay/box_action", "runner/act_rng"});
}

// The DMC presets (SAC, SimBa, SimbaV2 at their paper sizes) build, train and evaluate.
TEST(TrainSac, DmcPresetsTrainAndEvaluate) {
  for (const char* preset : {"sac/dmc", "sac/simba_dmc", "sac/simbav2_dmc"}) {
    const auto metrics = TrainAndReadMetrics(
        fmt::format("train --config {} --env 'dmc/cartpole_swingup(action_repeat=8)' "
                    "--iterations 1 --steps-per-iteration 40 --set agent.min_replay_history=30 "
                    "--set replay.capacity=1000 --set eval.episodes=1 --quiet",
                    preset),
        TempDir(std::string("preset_") + (std::strchr(preset, '/') + 1)));
    ASSERT_EQ(metrics.size(), 1u) << preset;
    EXPECT_EQ(metrics[0]["updates"].get<int64_t>(), std::string(preset) == "sac/dmc" ? 10 : 20)
        << preset;
    EXPECT_TRUE(metrics[0]["eval_return_mean"].is_number()) << preset;
  }
}

// BBF's two MinAtar-100k presets: the paper's scale (for a GPU) and bbf_small (for a CPU) build,
// train at their replay ratios (8 and 1) and differ in size as documented
// (docs/sample_efficient.md).
TEST(TrainBbf, PaperAndSmallMinAtarPresets) {
  const auto train = [](const std::string& preset) {
    const auto metrics = TrainAndReadMetrics(
        "train --config " + preset +
            " --env minatar/breakout --iterations 1 --steps-per-iteration 40 "
            "--set agent.min_replay_history=30 --set replay.capacity=1000 --set eval.episodes=1 "
            "--quiet",
        TempDir("preset_" + preset.substr(preset.find('/') + 1)));
    EXPECT_EQ(metrics.size(), 1u) << preset;
    EXPECT_TRUE(metrics.back()["eval_return_mean"].is_number()) << preset;
    return metrics.back();
  };
  const auto paper = train("bbf/minatar100k"), small = train("bbf/minatar100k_small");
  EXPECT_EQ(paper["updates"].get<int64_t>(), 80);  // 10 steps after the warm-up, 8 updates each
  EXPECT_EQ(small["updates"].get<int64_t>(), 10);
  // width 4x vs 0.5x, dense 2048 vs 256, projection 2048 vs 256, transition 128 vs 16 channels
  EXPECT_GT(paper["flops_per_update"].get<double>(),
            40.0 * small["flops_per_update"].get<double>());
  EXPECT_GT(paper["parameters"].get<double>(), 20.0 * small["parameters"].get<double>());
}

// Multi-task training (`--env a,b`): per-task returns logged beside their mean, each task
// evaluated with eval.episodes episodes on its own envs, the report reads the run, and a kill
// mid-run resumes exactly.
TEST(TrainMultiTask, LogsEveryTaskAndResumesExactly) {
  const auto run_with = [](int num_envs) {
    return "train --env minatar/breakout,minatar/freeway --config dqn/dopamine_minatar "
           "--iterations 2 --steps-per-iteration 600 --num-envs " +
           std::to_string(num_envs) +
           " --seed 7 --quiet --set run.schedule=train_and_eval --set eval.episodes=2 "
           "--set eval.num_envs=1 --set agent.min_replay_history=200 "
           "--set agent.target_update_period=100 --set replay.capacity=4000";
  };
  const std::string run = run_with(2);
  const std::string reference = TempDir("multitask_reference");
  const auto lines = TrainAndReadMetrics(run, reference);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& m : lines) {
    const std::string dump = m.dump();
    for (const char* task : {"minatar/breakout", "minatar/freeway"})
      for (const char* key : {"/train_return_mean", "/train_episodes", "/eval_return_mean"})
        ASSERT_TRUE(m.contains(std::string("task/") + task + key)) << task << key << dump;
    // eval.num_envs rounds up to one env per task; each task plays eval.episodes episodes
    EXPECT_EQ(m["eval_episodes"], 4) << dump;
    const double breakout = m["task/minatar/breakout/eval_return_mean"].get<double>();
    const double freeway = m["task/minatar/freeway/eval_return_mean"].get<double>();
    EXPECT_NEAR(m["eval_return_mean"].get<double>(), (breakout + freeway) / 2, 1e-9) << dump;
  }
  // breakout episodes are short, freeway's last 2500 steps: only breakout finished in training
  EXPECT_GT(lines.back()["task/minatar/breakout/train_episodes"].get<int>(), 0);
  // the report shows the tasks as envs of their own
  const auto report = RunQlab("report " + reference + " -o " + reference + "_report.html");
  EXPECT_EQ(report.code, 0) << report.err;
  EXPECT_NE(report.out.find("2 runs in 2 groups"), std::string::npos) << report.out;
  const std::string html = ReadFile(reference + "_report.html");
  for (const char* task : {"minatar/breakout(actions=full", "minatar/freeway(actions=full"})
    EXPECT_NE(html.find(task), std::string::npos) << task;
  ExpectKilledRunResumesExactly(run, "multitask_resumed", "kill@step=700", reference,
                                {"agent/online", "replay/obs", "agent/replay_rng"});
  // the task list must split the envs evenly: a one-line error naming the fix
  const auto odd = RunQlab(run_with(3) + " --out " + TempDir("multitask_odd"));
  EXPECT_NE(odd.code, 0);
  EXPECT_NE(odd.err.find("use a multiple of 2"), std::string::npos) << odd.err;
}

// SPR (augmentation draws, subsequence sampling, the transition model and its target): the
// predictions align with their targets on a deterministic chain, and a kill mid-run resumes
// exactly.
TEST(TrainSpr, PredictionsAlignAndResumeExactly) {
  const std::string run =
      "train --agent spr --env 'probe/chain(length=4,image=4)' --iterations 3 "
      "--steps-per-iteration 400 --num-envs 2 --seed 3 --quiet --set run.schedule=continuous_train "
      "--set network.torso=minatar_cnn --set network.widths=[32] --set augment.pad=1 "
      "--set agent.min_replay_history=100 --set agent.v_min=-2 --set agent.v_max=2 "
      "--set spr.projection_dim=16 --set spr.transition_width=8 --set spr.steps=3 "
      "--set replay.capacity=2000";
  const std::string reference = TempDir("spr_reference");
  std::vector<double> cosine;
  for (const auto& m : TrainAndReadMetrics(run, reference)) {
    ASSERT_TRUE(m.contains("spr_loss") && m.contains("spr_cosine")) << m.dump();
    cosine.push_back(m["spr_cosine"].get<double>());
  }
  ASSERT_EQ(cosine.size(), 3u);
  // predictions of the next latents align with the target encoder's (from ~0.7 at the start)
  EXPECT_GT(cosine.back(), cosine.front() + 0.1);
  EXPECT_GT(cosine.back(), 0.9);

  ExpectKilledRunResumesExactly(run, "spr_resumed", "kill@step=700", reference,
                                {"agent/online", "agent/target", "agent/spr", "agent/spr_target",
                                 "agent/update_rng", "replay/obs"});
}

// BBF at toy size on MinAtar Breakout: resets every 250 updates (4 in the run, 2 of them after
// the kill), n and gamma annealed over 100 updates after each, EMA target that acts, AdamW; the
// killed run resumes exactly across the reset boundary.
TEST(TrainBbf, ResetsRestartTheAnnealingAndResumeExactly) {
  const std::string run =
      "train --agent bbf --env minatar/breakout --iterations 3 --steps-per-iteration 400 "
      "--num-envs 2 --seed 3 --quiet --set run.schedule=continuous_train "
      "--set network.width_scale=0.25 --set network.widths=[32] --set agent.updates_per_step=1 "
      "--set agent.min_replay_history=100 --set reset.period=250 --set agent.anneal_steps=100 "
      "--set spr.projection_dim=16 --set spr.transition_width=8 --set replay.capacity=2000";
  const std::string reference = TempDir("bbf_reference");
  std::vector<double> resets, n_step;
  for (const auto& m : TrainAndReadMetrics(run, reference)) {
    resets.push_back(m["resets"].get<double>());
    n_step.push_back(m["n_step"].get<double>());
    EXPECT_GT(m["gamma"].get<double>(), 0.97 - 1e-9);
  }
  // updates 300, 700, 1100 at the iteration ends: resets at 250, 500, 750 and 1000
  EXPECT_EQ(resets, (std::vector<double>{1, 2, 4}));
  // 50, 200 and 100 updates after the last reset: n = round(10 * 0.3^u)
  EXPECT_EQ(n_step, (std::vector<double>{5, 3, 3}));
  ExpectKilledRunResumesExactly(run, "bbf_resumed", "kill@step=700", reference,
                                {"agent/online", "agent/target", "agent/spr", "agent/spr_target",
                                 "agent/anneal_start", "plasticity/rng"});
}

// QDagger end to end: a CleanRL-DQN teacher on CartPole, then a student pretrained on the teacher's
// replay. Its first evaluation comes before any online update (min replay 10,000 > 5,000 steps),
// so it measures the pretraining alone: near the teacher, where the same student without
// pretraining is not. The logs carry the distillation weight and the teacher-normalised score; a
// kill mid-run resumes exactly; bad teachers are one-line errors.
TEST(TrainQdagger, StudentStartsFromTheTeacherAndResumesExactly) {
  const std::string teacher = TempDir("qdagger_teacher");
  const auto trained = RunQlab(
      "train --config dqn/cleanrl_classic --env classic/cartpole --iterations 8 "
      "--steps-per-iteration 10000 --seed 0 --quiet --out " +
      teacher);
  ASSERT_EQ(trained.code, 0) << trained.err;
  auto student_run = [&](int iterations, int pretrain_updates) {
    return fmt::format(
        "train --agent qdagger --config dqn/cleanrl_classic --env classic/cartpole --iterations {} "
        "--steps-per-iteration 5000 --seed 1 --quiet --set teacher.pretrain_updates={} "
        "--set teacher.run={}",
        iterations, pretrain_updates, teacher);
  };
  const std::string student = student_run(3, 2000);
  const std::string reference = TempDir("qdagger_student");
  const auto metrics = TrainAndReadMetrics(student, reference);
  ASSERT_EQ(metrics.size(), 3u);
  const double teacher_return = metrics[0]["teacher_return"].get<double>();
  EXPECT_GT(teacher_return, 150.0);
  for (const auto& m : metrics)
    EXPECT_NEAR(m["eval_teacher_normalized"].get<double>(),
                m["eval_return_mean"].get<double>() / teacher_return, 1e-9);
  EXPECT_GT(metrics[0]["eval_teacher_normalized"].get<double>(), 0.5);
  ASSERT_TRUE(metrics[2].contains("distill_weight")) << metrics[2].dump();
  EXPECT_LE(metrics[2]["distill_weight"].get<double>(), 1.0);
  const auto scratch = TrainAndReadMetrics(student_run(1, 0), TempDir("qdagger_scratch"));
  ASSERT_EQ(scratch.size(), 1u);
  EXPECT_LT(scratch[0]["eval_teacher_normalized"].get<double>(), 0.3);

  ExpectKilledRunResumesExactly(
      student, "qdagger_resumed", "kill@step=12000", reference,
      {"agent/online", "agent/target", "agent/distill/recent", "agent/teacher_rng", "replay/obs"});

  const auto not_a_run = RunQlab(
      "train --agent qdagger --env classic/cartpole --quiet "
      "--set teacher.run=/nonexistent/run --out " +
      TempDir("qdagger_bad"));
  EXPECT_EQ(not_a_run.code, 2);
  EXPECT_NE(not_a_run.err.find("'/nonexistent/run' is not a run dir"), std::string::npos)
      << not_a_run.err;
  const auto other_env = RunQlab(
      "train --agent qdagger --env classic/acrobot --quiet "
      "--set teacher.run=" +
      teacher + " --out " + TempDir("qdagger_other_env"));
  EXPECT_EQ(other_env.code, 2);
  EXPECT_NE(other_env.err.find("was trained on classic/cartpole"), std::string::npos)
      << other_env.err;
}

TEST_F(Resume, SkipsACorruptCheckpointAndRefusesWhenNoneIsReadable) {
  const std::string dir = TempDir("corrupt");
  ASSERT_EQ(RunQlab(kSmallRun + " --out " + dir, "QLAB_TEST_HOOK=kill@step=1300").code, 137);
  {
    std::fstream f(LastCheckpoint(dir), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  const auto resumed = RunQlab("train --quiet --resume " + dir);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("skipping corrupt checkpoint"), std::string::npos) << resumed.err;
  EXPECT_EQ(Metrics(dir), Metrics(*reference_));

  const std::string broken = TempDir("all_corrupt");
  ASSERT_EQ(RunQlab(kSmallRun + " --out " + broken, "QLAB_TEST_HOOK=kill@step=1300").code, 137);
  for (const auto& f : fs::directory_iterator(broken + "/checkpoints"))
    std::ofstream(f.path(), std::ios::trunc) << "garbage";
  const auto refused = RunQlab("train --quiet --resume " + broken);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("no readable checkpoint"), std::string::npos) << refused.err;
}

// A full disk, stood in for by a file-size limit (writes past it fail with EFBIG): the run stops
// with one line naming the file, its status says failed (not "running"), the checkpoint it had
// stays, and --resume finishes the run as if nothing had happened.
TEST_F(Resume, AFullDiskFailsTheRunCleanlyAndResumeFinishesIt) {
  const std::string dir = TempDir("disk_full");
  ASSERT_EQ(RunQlab(kSmallRun + " --out " + dir, "QLAB_TEST_HOOK=kill@step=1300").code, 137);
  const std::string kept = LastCheckpoint(dir);
  const std::string kept_bytes = ReadFile(kept);
  // 300 blocks (512 or 1024 bytes by shell): status and log lines fit, a ~450 KB checkpoint not
  const auto full = RunQlab("train --quiet --resume " + dir, "trap '' XFSZ; ulimit -f 300;");
  EXPECT_EQ(full.code, 2) << full.err;
  EXPECT_EQ(testing::Lines(full.err), 1) << full.err;
  EXPECT_NE(full.err.find("qlab: error: cannot write '" + dir + "/checkpoints/"), std::string::npos)
      << full.err;
  EXPECT_EQ(ReadFile(dir + "/status").rfind("failed: cannot write", 0), 0u)
      << ReadFile(dir + "/status");
  EXPECT_EQ(LastCheckpoint(dir), kept);
  EXPECT_EQ(ReadFile(kept), kept_bytes);
  for (const auto& f : fs::directory_iterator(dir + "/checkpoints"))
    EXPECT_EQ(f.path().extension(), ".qlab") << f.path();  // no temp file left behind

  const auto resumed = RunQlab("train --quiet --resume " + dir);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  ExpectSameRun(dir, *reference_, {"agent/online", "agent/target", "replay/obs", "agent/updates"});
}

TEST(Train, DivergenceStopsTheRunWithStatusDiverged) {
  const std::string dir = TempDir("diverge");
  const auto r = RunQlab(
      "train --env probe/constant --quiet --iterations 3 --steps-per-iteration 200 --out " + dir +
      " --set agent.lr=10 --set agent.optimizer=sgd --set agent.min_replay_history=10 "
      "--set agent.update_period=1");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("diverged: loss is not finite"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(dir + "/status").rfind("diverged: ", 0), 0u) << ReadFile(dir + "/status");
}

TEST(Train, BadInputIsOneClearLine) {
  const std::string dir = TempDir("bad");
  struct Case {
    std::string args, message;
  };
  const std::string bad_toml = TempDir("bad.toml");
  std::ofstream(bad_toml) << "[agent]\nbatch_size = \"big\"\n";
  const std::vector<Case> cases = {
      {"train --env minatar/breakout --set agent.gama=0.9",
       "--set: unknown key 'agent.gama'; did you mean 'agent.gamma'"},
      {"train --env minatar/breakout --set agent.gamma=2",
       "--set: key 'agent.gamma' = 2 is out of range [0, 1]"},
      {"train --env minatar/breakout --config " + bad_toml,
       bad_toml + ": key 'agent.batch_size' must be an integer"},
      {"train --env minatar/breakout --config dqn/nope", "config 'dqn/nope' is neither a file"},
      {"train --agent dqm --env minatar/breakout", "unknown agent 'dqm'; did you mean 'dqn'"},
      {"train --env minatar/brekout --out " + dir, "unknown env 'minatar/brekout'"},
      {"train --set agent.gamma=0.9", "no env: give --env NAME"},
      {"train --env classic/cartpole --num-envs 3 --steps-per-iteration 100 --out " + dir,
       "run.training_steps = 100 must be a multiple of run.num_envs = 3"},
      {"train --resume " + TempDir("missing"), "cannot read config file"},
      {"train --resume " + dir + " --seed 3", "--resume continues a run with its own config.toml"},
      {"train --agent sac --env classic/cartpole --out " + TempDir("sac_discrete"),
       "sac acts in continuous (Box) action spaces; classic/cartpole has 2 discrete actions"},
      {"train --env probe/constant --device gpu --out " + TempDir("gpu"),
       "run.device = 'gpu': not a device (cpu, cuda or cuda:N)"},
      {"agents dqnn", "unknown agent 'dqnn'"},
  };
  for (const auto& c : cases) {
    const auto r = RunQlab(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_EQ(testing::Lines(r.err), 1) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  // an existing run is never overwritten
  ASSERT_EQ(RunQlab("train --env probe/constant --quiet --iterations 1 --steps-per-iteration 20 "
                    "--out " +
                    dir)
                .code,
            0);
  const std::string metrics = ReadFile(dir + "/metrics.jsonl");
  const auto again = RunQlab("train --env probe/constant --quiet --out " + dir);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("exists and is not empty"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir + "/metrics.jsonl"), metrics);
  const auto done = RunQlab("train --quiet --resume " + dir);
  EXPECT_EQ(done.code, 2);
  EXPECT_NE(done.err.find("already done"), std::string::npos) << done.err;
  // a bad device on resume is refused before the run's config changes
  const std::string config = ReadFile(dir + "/config.toml");
  EXPECT_EQ(RunQlab("train --quiet --resume " + dir + " --iterations 2 --device cuda:x").code, 2);
  EXPECT_EQ(ReadFile(dir + "/config.toml"), config);
  // --iterations extends a finished run (--device moves it; the CPU here)
  EXPECT_EQ(RunQlab("train --quiet --resume " + dir + " --iterations 2 --device cpu").code, 0);
  EXPECT_EQ(testing::Lines(ReadFile(dir + "/metrics.jsonl")), 2);
}

TEST(Train, AgentsListsKeysAndPresets) {
  const auto r = RunQlab("agents --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 12u);
  std::vector<std::string> agents;
  for (const auto& a : list) agents.push_back(a["agent"]);
  EXPECT_EQ(agents, (std::vector<std::string>{"dqn", "mdqn", "c51", "rainbow", "qrdqn", "iqn",
                                              "der", "drq_eps", "spr", "bbf", "qdagger", "sac"}));
  // each variant has its own keys: rainbow's atoms, iqn's fractions
  auto has_key = [&](int agent, const std::string& key) {
    for (const auto& k : list[agent]["keys"])
      if (k["key"] == key) return true;
    return false;
  };
  EXPECT_TRUE(has_key(3, "agent.num_atoms"));
  EXPECT_FALSE(has_key(0, "agent.num_atoms"));
  EXPECT_TRUE(has_key(5, "agent.num_tau_prime_samples"));
  EXPECT_TRUE(has_key(8, "spr.steps"));  // SPR's keys belong to the whole family
  EXPECT_TRUE(has_key(0, "augment.kind"));
  EXPECT_TRUE(has_key(11, "agent.target_entropy_scale"));  // sac's own keys, not the DQN family's
  EXPECT_FALSE(has_key(11, "agent.double_q"));
  std::vector<std::string> presets;
  for (const auto& p : list[0]["presets"]) presets.push_back(p["name"]);
  EXPECT_EQ(presets, (std::vector<std::string>{"dqn/cleanrl_classic", "dqn/dopamine_minatar",
                                               "dqn/minatar_paper", "dqn/sb3_lunar_lander"}));
  bool documented = true;
  for (const auto& k : list[0]["keys"])
    documented = documented && !k["doc"].get<std::string>().empty();
  EXPECT_TRUE(documented);
  EXPECT_GT(list[0]["keys"].size(), 40u);
}

// CartPole-v1 solved (mean evaluation return >= 475) by the CleanRL preset with seed 0, within
// 300k env steps (30 iterations of the preset's 10k).
TEST(TrainLearning, CleanRlPresetSolvesCartPole) {
  const std::string dir = TempDir("cartpole");
  const auto r = RunQlab(
      "train --config dqn/cleanrl_classic --env classic/cartpole --seed 0 "
      "--iterations 30 --quiet --out " +
      dir);
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(ReadFile(dir + "/metrics.jsonl"));
  std::string line, last;
  while (std::getline(lines, line)) last = line;
  const auto m = nlohmann::json::parse(last);
  EXPECT_EQ(m["env_steps"], 300000);
  EXPECT_GE(m["eval_return_mean"].get<double>(), 475.0) << last;
}

// Every agent of the DQN family resumes exactly after a kill -9 mid-phase: weights, noise, replay,
// sampler, RNG streams (noisy nets and IQN fractions included) and all logs.
class ResumeEveryAgent : public ::testing::TestWithParam<std::string> {};

TEST_P(ResumeEveryAgent, AfterKillMidTraining) {
  const std::string agent = GetParam();
  const bool data_efficient = agent == "der" || agent == "drq_eps";
  const std::string run = "train --config " + agent +
                          (data_efficient ? "/minatar100k" : "/dopamine_minatar") +
                          " --env minatar/breakout --iterations 2 "
                          "--steps-per-iteration 500 --num-envs 2 --seed 3 --quiet "
                          "--set run.schedule=train_and_eval --set eval.episodes=1 "
                          "--set agent.min_replay_history=200 --set agent.target_update_period=100 "
                          "--set replay.capacity=2000 --set agent.update_period=8" +
                          std::string(agent == "iqn" ? " --set agent.num_tau_samples=8 "
                                                       "--set agent.num_tau_prime_samples=8 "
                                                       "--set agent.num_quantile_samples=8"
                                                     : "") +
                          std::string(agent == "qrdqn" ? " --set agent.num_quantiles=20" : "");
  const std::string reference = TempDir("resume_ref_" + agent);
  ASSERT_EQ(RunQlab(run + " --out " + reference).code, 0);
  ExpectKilledRunResumesExactly(
      run, "resume_" + agent, "kill@step=700", reference,
      {"agent/online", "agent/target", "agent/update_rng", "agent/replay_rng", "replay/obs",
       "replay/flags", "runner/act_rng"});
}

INSTANTIATE_TEST_SUITE_P(DqnFamily, ResumeEveryAgent,
                         ::testing::Values("c51", "rainbow", "qrdqn", "iqn", "mdqn"));
// augmentation draws included (SPR: TrainSpr above)
INSTANTIATE_TEST_SUITE_P(DataEfficient, ResumeEveryAgent, ::testing::Values("der", "drq_eps"));

// CartPole-v1 solved (a mean evaluation return >= 475 over 10 greedy episodes) by each agent's
// classic-control preset with seed 0 within a stated budget of env steps (docs/agents.md).
struct CartPoleBudget {
  std::string agent;
  int iterations;            // of 5000 env steps
  double threshold = 475.0;  // best mean evaluation return to reach
  friend void PrintTo(const CartPoleBudget& b, std::ostream* os) { *os << b.agent; }
};

class SolvesCartPole : public ::testing::TestWithParam<CartPoleBudget> {};

TEST_P(SolvesCartPole, WithinTheBudget) {
  const auto& [agent, iterations, threshold] = GetParam();
  const std::string dir = TempDir("cartpole_" + agent);
  const auto r = RunQlab("train --config " + agent + "/classic --env classic/cartpole --seed 0 " +
                         "--iterations " + std::to_string(iterations) + " --quiet --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(ReadFile(dir + "/metrics.jsonl"));
  std::string line;
  double best = 0.0;
  int64_t steps = 0;
  while (std::getline(lines, line)) {
    const auto m = nlohmann::json::parse(line);
    best = std::max(best, m["eval_return_mean"].get<double>());
    steps = m["env_steps"];
  }
  EXPECT_EQ(steps, 5000 * iterations);
  EXPECT_GE(best, threshold) << agent << ": best evaluation return " << best;
}

// The same seed gives other numbers on other CPUs (the learning curves in docs/agents.md and
// docs/sample_efficient.md differ between two 2-core AMD EPYC machines), so each budget is the
// larger of the two machines' and a test passes on both: the best evaluation so far can only grow
// with the budget. IQN learns CartPole on both but reaches 475 on one only, hence its threshold.
INSTANTIATE_TEST_SUITE_P(DqnFamily, SolvesCartPole,
                         ::testing::Values(CartPoleBudget{"c51", 8}, CartPoleBudget{"rainbow", 5},
                                           CartPoleBudget{"qrdqn", 6},
                                           CartPoleBudget{"iqn", 8, 400.0},
                                           CartPoleBudget{"mdqn", 5}),
                         [](const auto& info) { return info.param.agent; });
// DrQ(eps) keeps its defining "no target lag" (target period 1) on CartPole, where it learns but
// stays below 475 (best 472 in 60,000 steps with seed 0; docs/sample_efficient.md). BBF's resets
// keep it near 470-480 from 30,000 steps on, so 475 would be a coin flip: its threshold is 450.
INSTANTIATE_TEST_SUITE_P(DataEfficient, SolvesCartPole,
                         ::testing::Values(CartPoleBudget{"der", 7}, CartPoleBudget{"spr", 7},
                                           CartPoleBudget{"bbf", 7, 450.0},
                                           CartPoleBudget{"drq_eps", 8, 400.0}),
                         [](const auto& info) { return info.param.agent; });

// `qlab bench train` on the hand-written kernel and on libtorch: the JSON contract, the same
// protocol (updates = (steps - 1000 warm-up) / 4), and a bad --kernel refused.
TEST(BenchTrain, JsonOnBothKernels) {
  for (const std::string kernel : {"auto", "torch"}) {
    SCOPED_TRACE(kernel);
    const auto r = RunQlab("bench train --steps 3000 --json --kernel " + kernel);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto json = nlohmann::json::parse(r.out);
    EXPECT_EQ(json["kernel"], kernel);
    EXPECT_EQ(json["env_steps"], 3000);
    EXPECT_EQ(json["updates"], 500);
    EXPECT_GT(json["env_steps_per_s"].get<double>(), 0.0);
    EXPECT_FALSE(json.contains("ratio_vs_python"));
  }
  const auto bad = RunQlab("bench train --kernel fast");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--kernel"), std::string::npos) << bad.err;
}

// `qlab bench agents --ops N`: each agent's row carries its N costliest ops of a profiled run;
// C51's update is libtorch's, so its distribution loss and matrix products are among them.
TEST(BenchAgents, OpsListsTheCostliestOpsPerUpdate) {
  const auto r = RunQlab("bench agents --agent c51 --steps 1300 --ops 12 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  const auto& profile = json["agents"].at(0)["profile"];
  EXPECT_GE(profile["stalls"].get<int64_t>(), 0);
  const auto& ops = profile["ops"];
  ASSERT_EQ(ops.size(), 12u);
  double share = 0.0, previous = 1e300;
  bool matrix_product = false;
  for (const auto& op : ops) {
    const double ms = op["self_ms_per_update"];
    EXPECT_LE(ms, previous) << op;  // costliest first
    EXPECT_GT(op["calls_per_update"].get<double>(), 0.0) << op;
    previous = ms;
    share += op["share"].get<double>();
    const std::string name = op["op"];
    matrix_product |= name == "aten::addmm" || name == "aten::mm";
  }
  EXPECT_TRUE(matrix_product) << ops;
  EXPECT_GT(share, 0.3);
  EXPECT_LE(share, 1.0 + 1e-9);
  EXPECT_NE(RunQlab("bench agents --agent c51 --ops -1").code, 0);
}

}  // namespace
}  // namespace qlab

// Conformance suite (DESIGN.md §4): every registered env, under default and non-default
// parameters, must be deterministic under a seed, independent of the thread count, keep
// observations and rewards within its spec, truncate exactly at the horizon, report finished
// episodes consistently with auto-reset, and restore its state exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "qlab/envs/builtin.h"

namespace qlab {
namespace {

std::vector<std::string> ConformanceNames() {
  std::vector<std::string> names = BuiltinEnvs().names();
  // non-default parameters too
  names.push_back("minatar/breakout(actions=full,sticky=0)");
  names.push_back("minatar/asterix(ramping=false)");
  names.push_back("minatar/seaquest(actions=full,sticky=0.25)");
  names.push_back("minatar/space_invaders(ramping=false,sticky=0)");
  names.push_back("probe/chain(length=5)");
  names.push_back("box2d/lunar_lander(continuous=true)");
  names.push_back("box2d/lunar_lander(wind=true)");
  names.push_back("dmc/walker_walk(action_repeat=2)");
  return names;
}

// Steps `env` with seeded random actions and records everything it writes.
struct Recording {
  std::vector<uint8_t> obs, final_obs, flags;
  std::vector<float> rewards;
  std::vector<double> returns;
};

Recording Record(AnyVecEnv& env, int steps, uint64_t action_seed) {
  Recording rec;
  StepBatch batch = env.MakeBatch();
  env.Reset(batch);
  rec.obs.assign(batch.obs.begin(), batch.obs.end());
  Rng rng(action_seed);
  ActionBatch actions(env);
  for (int t = 0; t < steps; ++t) {
    actions.Randomize(rng);
    actions.StepOn(env, batch);
    rec.obs.insert(rec.obs.end(), batch.obs.begin(), batch.obs.end());
    rec.rewards.insert(rec.rewards.end(), batch.reward.begin(), batch.reward.end());
    for (int i = 0; i < env.num_envs(); ++i) {
      rec.flags.push_back(batch.terminated[i] * 2 + batch.truncated[i]);
      if (batch.done(i)) {
        auto row = batch.final_obs.begin() + i * batch.obs_bytes;
        rec.final_obs.insert(rec.final_obs.end(), row, row + batch.obs_bytes);
        rec.returns.push_back(batch.episode_return[i]);
      }
    }
  }
  return rec;
}

bool operator==(const Recording& a, const Recording& b) {
  return a.obs == b.obs && a.final_obs == b.final_obs && a.flags == b.flags &&
         a.rewards == b.rewards && a.returns == b.returns;
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, SameSeedSameTrajectoryForAnyThreadCount) {
  ThreadPool two(2), three(3);
  auto serial = BuiltinEnvs().Make(GetParam(), {.num_envs = 7, .seed = 11});
  auto parallel = BuiltinEnvs().Make(GetParam(), {.num_envs = 7, .seed = 11, .pool = &two});
  auto parallel3 = BuiltinEnvs().Make(GetParam(), {.num_envs = 7, .seed = 11, .pool = &three});
  const Recording a = Record(*serial, 400, 1), b = Record(*parallel, 400, 1),
                  c = Record(*parallel3, 400, 1);
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a == c);
}

TEST_P(Conformance, ObservationsAndRewardsWithinSpec) {
  auto env = BuiltinEnvs().Make(GetParam(), {.num_envs = 8, .seed = 2});
  const EnvSpec& spec = env->spec();
  ASSERT_EQ(spec.obs_labels.size(), static_cast<size_t>(spec.obs_shape[0]));
  if (spec.action_space.discrete()) {
    ASSERT_EQ(spec.action_space.names.size(), static_cast<size_t>(spec.action_space.n));
  } else {
    ASSERT_GT(spec.action_space.dims(), 0);
    ASSERT_EQ(spec.action_space.high.size(), spec.action_space.low.size());
  }
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  Rng rng(3);
  ActionBatch actions(*env);
  for (int t = 0; t < 3000; ++t) {
    actions.Randomize(rng);
    actions.StepOn(*env, batch);
    for (int i = 0; i < 8; ++i) {
      ASSERT_GE(batch.reward[i], spec.reward_min);
      ASSERT_LE(batch.reward[i], spec.reward_max);
      ASSERT_FALSE(batch.terminated[i] && batch.truncated[i]);
    }
    if (spec.obs_dtype == DType::kUInt8) {
      for (uint8_t v : batch.obs) ASSERT_LE(v, 1) << "MinAtar observations are binary";
    } else {
      for (int i = 0; i < 8; ++i)
        for (float v : batch.obs_row<float>(i)) ASSERT_TRUE(std::isfinite(v));
    }
  }
}

TEST_P(Conformance, TruncatesExactlyAtTheHorizon) {
  constexpr int kHorizon = 7;
  const std::string base = GetParam();
  const std::string name = base.back() == ')' ? base.substr(0, base.size() - 1) + ",max_steps=7)"
                                              : base + "(max_steps=7)";
  auto env = BuiltinEnvs().Make(name, {.num_envs = 5, .seed = 4});
  ASSERT_EQ(env->spec().max_episode_steps, kHorizon);
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  std::vector<int> length(5, 0);
  std::vector<double> episode_return(5, 0.0);
  ActionBatch actions(*env);
  Rng rng(9);
  int truncations = 0;
  for (int t = 0; t < 200; ++t) {
    actions.Randomize(rng);
    actions.StepOn(*env, batch);
    for (int i = 0; i < 5; ++i) {
      ++length[i];
      episode_return[i] += batch.reward[i];
      ASSERT_LE(length[i], kHorizon);
      ASSERT_EQ(batch.truncated[i] != 0, length[i] == kHorizon && !batch.terminated[i]);
      if (batch.done(i)) {
        // reported episode statistics match what we counted; counters restart
        ASSERT_EQ(batch.episode_length[i], length[i]);
        // the env sums its double rewards; the float reward channel rounds each (LunarLander's
        // shaping differences are not floats): equal up to that rounding
        ASSERT_NEAR(batch.episode_return[i], episode_return[i],
                    1e-6 * length[i] * std::max(1.0, std::abs(episode_return[i])));
        truncations += batch.truncated[i];
        length[i] = 0;
        episode_return[i] = 0.0;
      }
    }
  }
  // games and control tasks reach the horizon in 200 random steps; probe episodes are shorter
  if (env->spec().id.rfind("probe/", 0) != 0) EXPECT_GT(truncations, 0);
}

TEST_P(Conformance, ResetAfterTerminalStartsAFreshEpisode) {
  auto env = BuiltinEnvs().Make(GetParam(), {.num_envs = 4, .seed = 6});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  ActionBatch actions(*env);
  Rng rng(10);
  int finished = 0;
  for (int t = 0; t < 20000 && finished < 4; ++t) {
    actions.Randomize(rng);
    actions.StepOn(*env, batch);
    for (int i = 0; i < 4; ++i) {
      if (!batch.done(i)) continue;
      ++finished;
      EXPECT_GE(batch.episode_length[i], 1);
    }
  }
  EXPECT_GT(finished, 0) << "no episode ended under a random policy";
}

TEST_P(Conformance, SaveAndLoadStateContinueExactly) {
  auto env = BuiltinEnvs().Make(GetParam(), {.num_envs = 3, .seed = 8});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  ActionBatch actions(*env);
  Rng rng(12);
  auto run = [&](int steps, Rng action_rng) {
    std::vector<uint8_t> trace;
    for (int t = 0; t < steps; ++t) {
      actions.Randomize(action_rng);
      actions.StepOn(*env, batch);
      trace.insert(trace.end(), batch.obs.begin(), batch.obs.end());
      for (float r : batch.reward) trace.push_back(static_cast<uint8_t>(r * 7 + 64));
    }
    return trace;
  };
  run(57, Rng(1));
  const std::string state = env->SaveState();
  const auto first = run(300, Rng(2));
  env->LoadState(state);
  EXPECT_EQ(first, run(300, Rng(2)));
  EXPECT_THROW(env->LoadState(state.substr(1)), UserError);
}

INSTANTIATE_TEST_SUITE_P(AllEnvs, Conformance, ::testing::ValuesIn(ConformanceNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name;
                           for (char c : info.param)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(ConformanceRegistry, EveryFamilyIsRegistered) {
  const auto names = BuiltinEnvs().names();
  for (const char* expected :
       {"minatar/breakout", "minatar/asterix", "minatar/freeway", "minatar/seaquest",
        "minatar/space_invaders", "classic/cartpole", "classic/acrobot", "classic/mountain_car",
        "probe/constant", "probe/two_step", "box2d/lunar_lander", "dmc/walker_walk",
        "dmc/cheetah_run"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(ConformanceRegistry, DifferentSeedsGiveDifferentEpisodes) {
  auto a = BuiltinEnvs().Make("minatar/asterix", {.num_envs = 4, .seed = 1});
  auto b = BuiltinEnvs().Make("minatar/asterix", {.num_envs = 4, .seed = 2});
  EXPECT_FALSE(Record(*a, 300, 5) == Record(*b, 300, 5));
}

}  // namespace
}  // namespace qlab

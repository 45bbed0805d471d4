// Classic control against Gymnasium 1.4.0 trajectories (shared/ref/classic_control.md):
// teacher-forced one-step dynamics for every recorded step (states to 1e-9, flags exactly),
// open-loop episodes through the batched engine (auto-reset, time limit), and a closed-loop
// truncation check.
#include <gtest/gtest.h>

#include <cmath>

#include "qlab/envs/builtin.h"
#include "qlab/envs/classic/classic_control.h"
#include "test_data.h"

namespace qlab::classic {
namespace {

constexpr double kStateTolerance = 1e-9;

template <class State>
State ToState(const nlohmann::json& values) {
  State s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = values.at(i).get<double>();
  return s;
}

template <class Env>
void CheckTeacherForced(const nlohmann::json& c) {
  using State = typename Env::State;
  const auto& raw = c["raw"];
  const auto& actions = c["actions"];
  State previous = ToState<State>(c["init_state"]);
  bool terminated_before = false;
  Rng unused(0);
  for (size_t t = 0; t < actions.size(); ++t) {
    SCOPED_TRACE(::testing::Message() << c["name"] << " step " << t);
    Env env;
    env.state = previous;
    if constexpr (std::is_same_v<Env, CartPole>) env.terminated_before = terminated_before;
    const StepOutcome outcome = env.Step(actions[t].get<int>(), unused);
    const State expected = ToState<State>(raw["state"][t]);
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_NEAR(env.state[i], expected[i], kStateTolerance) << "state[" << i << "]";
    ASSERT_EQ(outcome.terminated, raw["terminated"][t].get<bool>());
    ASSERT_EQ(outcome.reward, raw["reward"][t].get<double>());
    float obs[8];
    env.state = expected;  // observation of the recorded state
    env.WriteObs(obs);
    for (size_t i = 0; i < raw["obs"][t].size(); ++i)
      ASSERT_EQ(obs[i], raw["obs"][t][i].get<float>()) << "obs[" << i << "]";
    terminated_before = terminated_before || outcome.terminated;
    previous = expected;
  }
}

template <class Env>
void CheckEpisode(const nlohmann::json& c, int max_steps) {
  const auto& episode = c["episode"];
  VecEnv<Env> venv(Env{}, "test", max_steps, {.num_envs = 1});
  StepBatch batch = venv.MakeBatch();
  venv.Reset(batch);
  venv.env(0).state = ToState<typename Env::State>(c["init_state"]);
  const int length = episode["length"].get<int>();
  for (int t = 0; t < length; ++t) {
    SCOPED_TRACE(::testing::Message() << c["name"] << " episode step " << t);
    const int32_t action = c["actions"][t].get<int>();
    venv.Step({&action, 1}, batch);
    ASSERT_EQ(batch.reward[0], episode["reward"][t].get<float>());
    ASSERT_EQ(batch.terminated[0] != 0, episode["terminated"][t].get<bool>());
    ASSERT_EQ(batch.truncated[0] != 0, episode["truncated"][t].get<bool>());
    const bool done = batch.done(0);
    const auto row = done ? batch.final_obs_row<float>(0) : batch.obs_row<float>(0);
    for (size_t i = 0; i < row.size(); ++i)
      ASSERT_NEAR(row[i], episode["obs"][t][i].get<float>(), 1e-6) << "obs[" << i << "]";
    if (!done) {
      const auto expected = ToState<typename Env::State>(episode["state"][t]);
      for (size_t i = 0; i < expected.size(); ++i)
        ASSERT_NEAR(venv.env(0).state[i], expected[i], kStateTolerance);
    } else {
      ASSERT_EQ(t + 1, length) << "episode ended early";
      ASSERT_EQ(batch.episode_length[0], length);
      ASSERT_DOUBLE_EQ(batch.episode_return[0], episode["ret"].get<double>());
    }
  }
}

template <class Env>
void CheckEnv(const std::string& gym_id) {
  const nlohmann::json data = qlab::testing::LoadTestJson("classic_control_traj_public.json");
  const auto& cases = data["envs"][gym_id]["cases"];
  ASSERT_EQ(cases.size(), 3u);
  const int max_steps = data["envs"][gym_id]["max_episode_steps"].get<int>();
  EXPECT_EQ(max_steps, Env::kMaxEpisodeSteps);
  for (const auto& c : cases) {
    CheckTeacherForced<Env>(c);
    CheckEpisode<Env>(c, max_steps);
  }
}

TEST(ClassicGolden, CartPoleMatchesGymnasium) { CheckEnv<CartPole>("CartPole-v1"); }
TEST(ClassicGolden, AcrobotMatchesGymnasium) { CheckEnv<Acrobot>("Acrobot-v1"); }
TEST(ClassicGolden, MountainCarMatchesGymnasium) { CheckEnv<MountainCar>("MountainCar-v0"); }

TEST(ClassicControl, CartPoleBalancedByAControllerIsTruncatedAt500) {
  auto env = BuiltinEnvs().Make("classic/cartpole", {.num_envs = 1, .seed = 3});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  for (int t = 1; t <= 500; ++t) {
    const auto obs = batch.obs_row<float>(0);
    // push towards where the pole falls, damped by the cart's drift
    const int32_t action = obs[2] + 0.5f * obs[3] + 0.01f * obs[0] + 0.1f * obs[1] > 0 ? 1 : 0;
    env->Step({&action, 1}, batch);
    ASSERT_EQ(batch.terminated[0], 0) << "fell at step " << t;
    ASSERT_EQ(batch.truncated[0] != 0, t == 500) << "step " << t;
  }
  EXPECT_EQ(batch.episode_length[0], 500);
  EXPECT_EQ(batch.episode_return[0], 500.0);
}

TEST(ClassicControl, TimeLimitsFollowGymnasium) {
  EXPECT_EQ(BuiltinEnvs().Make("classic/cartpole", {})->spec().max_episode_steps, 500);
  EXPECT_EQ(BuiltinEnvs().Make("classic/acrobot", {})->spec().max_episode_steps, 500);
  EXPECT_EQ(BuiltinEnvs().Make("classic/mountain_car", {})->spec().max_episode_steps, 200);
  // Dopamine's CartPole-v0 protocol is a parameter away
  EXPECT_EQ(BuiltinEnvs().Make("classic/cartpole(max_steps=200)", {})->spec().max_episode_steps,
            200);
}

TEST(ClassicControl, ResetDistributions) {
  Rng rng(5);
  for (int i = 0; i < 1000; ++i) {
    CartPole cartpole;
    cartpole.Reset(rng);
    for (double v : cartpole.state) ASSERT_TRUE(v >= -0.05 && v < 0.05);
    Acrobot acrobot;
    acrobot.Reset(rng);
    for (double v : acrobot.state) {
      ASSERT_TRUE(v >= -0.1 && v <= 0.1);
      ASSERT_EQ(v, static_cast<double>(static_cast<float>(v))) << "Gymnasium casts to float32";
    }
    MountainCar car;
    car.Reset(rng);
    ASSERT_TRUE(car.state[0] >= -0.6 && car.state[0] < -0.4);
    ASSERT_EQ(car.state[1], 0.0);
  }
}

}  // namespace
}  // namespace qlab::classic

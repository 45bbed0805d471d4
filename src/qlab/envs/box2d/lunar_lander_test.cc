// LunarLander rules: the start, the reward as shaping differences minus fuel, what the engines
// do, crash and rest termination, leg contacts, and Gymnasium's heuristic pilot landing it (the
// reference solves the task with it: return >= 200).
#include "qlab/envs/box2d/lunar_lander.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "qlab/envs/builtin.h"

namespace qlab::box2d {
namespace {

using Obs = std::array<float, 8>;

Obs Observe(const LunarLander& env) {
  Obs o;
  env.WriteObs(o.data());
  return o;
}

double Shaping(const Obs& s) {
  return -100 * std::sqrt(double(s[0]) * s[0] + double(s[1]) * s[1]) -
         100 * std::sqrt(double(s[2]) * s[2] + double(s[3]) * s[3]) - 100 * std::abs(double(s[4])) +
         10 * s[6] + 10 * s[7];
}

// Gymnasium's demo pilot (heuristic() in lunar_lander.py), discrete version.
int Heuristic(const Obs& s) {
  double angle_target = std::clamp(s[0] * 0.5 + s[2] * 1.0, -0.4, 0.4);
  const double hover_target = 0.55 * std::abs(s[0]);
  double angle_todo = (angle_target - s[4]) * 0.5 - s[5] * 1.0;
  double hover_todo = (hover_target - s[1]) * 0.5 - s[3] * 0.5;
  if (s[6] != 0.0f || s[7] != 0.0f) {
    angle_todo = 0;
    hover_todo = -s[3] * 0.5;
  }
  if (hover_todo > std::abs(angle_todo) && hover_todo > 0.05) return 2;
  if (angle_todo < -0.05) return 3;
  if (angle_todo > 0.05) return 1;
  return 0;
}

TEST(LunarLander, StartsAtTheTopCentreWithoutContact) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    LunarLander env;
    Rng rng(seed);
    env.Reset(rng);
    const Obs s = Observe(env);
    // y: (400/30 - (100/30 + 18/30)) / (200/30) = 1.41, after one 20 ms step
    EXPECT_NEAR(s[1], 1.41, 0.02) << seed;
    EXPECT_LT(std::abs(s[0]), 0.02) << seed;
    EXPECT_EQ(s[6], 0.0f);
    EXPECT_EQ(s[7], 0.0f);
    EXPECT_DOUBLE_EQ(env.helipad_y(), 400.0 / 30 / 4);
  }
}

TEST(LunarLander, RewardIsTheShapingDifferenceMinusFuel) {
  LunarLander env;
  Rng rng(3), actions(4);
  env.Reset(rng);
  Obs before = Observe(env);
  int checked[4] = {0, 0, 0, 0};
  for (int t = 0; t < 300; ++t) {
    const int a = static_cast<int>(actions.UniformInt(4));
    const StepOutcome out = env.Step(a, rng);
    const Obs after = Observe(env);
    if (out.terminated) break;
    const double fuel = a == 2 ? 0.30 : (a == 1 || a == 3 ? 0.03 : 0.0);
    ASSERT_NEAR(out.reward, Shaping(after) - Shaping(before) - fuel, 1e-9) << "step " << t;
    ++checked[a];
    before = after;
  }
  for (int a = 0; a < 4; ++a) EXPECT_GT(checked[a], 5) << a;
}

TEST(LunarLander, MainEngineLiftsAndSideEnginesTurnOppositeWays) {
  LunarLander env;
  Rng rng(5);
  env.Reset(rng);
  Rng noop_rng = rng;
  LunarLander noop(env), main(env), left(env), right(env);
  Rng r1 = rng, r2 = rng, r3 = rng;
  noop.Step(0, noop_rng);
  main.Step(2, r1);
  left.Step(1, r2);
  right.Step(3, r3);
  const Obs n = Observe(noop), m = Observe(main), l = Observe(left), r = Observe(right);
  EXPECT_GT(m[3], n[3] + 0.01);  // vertical speed
  // the side engines push the angular velocity to opposite sides of the unpowered one
  EXPECT_LT((l[5] - n[5]) * (r[5] - n[5]), 0.0);
}

TEST(LunarLander, FreeFallCrashesWithMinusHundred) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    LunarLander env;
    Rng rng(seed);
    env.Reset(rng);
    StepOutcome out;
    int t = 0;
    for (; t < 1000 && !out.terminated; ++t) out = env.Step(0, rng);
    ASSERT_TRUE(out.terminated) << seed;
    EXPECT_EQ(out.reward, -100.0) << seed;  // the body hits the ground (or leaves the screen)
    EXPECT_LT(t, 300) << seed;
  }
}

TEST(LunarLander, TheHeuristicPilotLandsOnBothLegsAndComesToRest) {
  double total = 0.0;
  int landed = 0, on_both_legs = 0;
  constexpr int kEpisodes = 20;
  for (uint64_t seed = 0; seed < kEpisodes; ++seed) {
    LunarLander env;
    Rng rng(100 + seed);
    env.Reset(rng);
    double ret = 0.0;
    StepOutcome out;
    bool both_legs = false;
    for (int t = 0; t < 1000 && !out.terminated; ++t) {
      out = env.Step(Heuristic(Observe(env)), rng);
      ret += out.reward;
      const Obs s = Observe(env);
      both_legs = both_legs || (s[6] == 1.0f && s[7] == 1.0f);
      EXPECT_EQ(s[6] == 1.0f, env.leg_contact(0));
    }
    if (out.terminated && out.reward == 100.0) {
      ++landed;
      on_both_legs += both_legs;  // legs may bounce, but a landing mostly touches with both
    }
    total += ret;
  }
  // Gymnasium's pilot scores about 200-300 per episode
  EXPECT_GE(landed, kEpisodes * 8 / 10);
  EXPECT_GE(on_both_legs, landed * 3 / 4);
  EXPECT_GT(total / kEpisodes, 200.0);
}

// Continuous actions (LunarLanderContinuous): main throttle off below 0, else 50%..100%; the side
// engines off within +-0.5, else 50%..100% toward the sign; fuel in proportion.
TEST(LunarLander, ContinuousThrottlesAndTheirFuel) {
  LunarLander env({.continuous = true});
  EXPECT_FALSE(env.MakeSpec().action_space.discrete());
  EXPECT_EQ(env.MakeSpec().action_space.dims(), 2);
  Rng rng(11), actions(12);
  env.Reset(rng);
  Obs before = Observe(env);
  for (int t = 0; t < 200; ++t) {
    const float a[2] = {static_cast<float>(actions.Uniform(-1.5, 1.5)),
                        static_cast<float>(actions.Uniform(-1.5, 1.5))};
    const StepOutcome out = env.Step(std::span<const float>(a, 2), rng);
    const Obs after = Observe(env);
    if (out.terminated) break;
    const double main = std::clamp(double(a[0]), -1.0, 1.0);
    const double lateral = std::clamp(double(a[1]), -1.0, 1.0);
    const double m_power = main > 0 ? (main + 1) / 2 : 0.0;
    const double s_power = std::abs(lateral) > 0.5 ? std::abs(lateral) : 0.0;
    ASSERT_NEAR(out.reward, Shaping(after) - Shaping(before) - 0.3 * m_power - 0.03 * s_power, 1e-9)
        << "step " << t;
    before = after;
  }
  // Gymnasium's continuous pilot lands too
  double total = 0.0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    LunarLander pilot({.continuous = true});
    Rng r(200 + seed);
    pilot.Reset(r);
    StepOutcome out;
    for (int t = 0; t < 1000 && !out.terminated; ++t) {
      const Obs s = Observe(pilot);
      double angle_target = std::clamp(s[0] * 0.5 + s[2] * 1.0, -0.4, 0.4);
      double angle_todo = (angle_target - s[4]) * 0.5 - s[5] * 1.0;
      double hover_todo = (0.55 * std::abs(s[0]) - s[1]) * 0.5 - s[3] * 0.5;
      if (s[6] != 0.0f || s[7] != 0.0f) angle_todo = 0, hover_todo = -s[3] * 0.5;
      const float a[2] = {static_cast<float>(std::clamp(hover_todo * 20 - 1, -1.0, 1.0)),
                          static_cast<float>(std::clamp(-angle_todo * 20, -1.0, 1.0))};
      out = pilot.Step(std::span<const float>(a, 2), r);
      total += out.reward;
    }
  }
  EXPECT_GT(total / 10, 200.0);
}

TEST(LunarLander, CopiesAndSavedStatesReplayTheEpisode) {
  LunarLander env({.enable_wind = true});
  Rng rng(7), actions(8);
  env.Reset(rng);
  for (int t = 0; t < 40; ++t) env.Step(static_cast<int>(actions.UniformInt(4)), rng);
  LunarLander copy(env);
  std::string bytes;
  env.Save(bytes);
  LunarLander loaded({.enable_wind = true});  // options come from the env's parameters
  loaded.Load(bytes);
  Rng r1 = rng, r2 = rng;
  for (int t = 0; t < 40; ++t) {
    const int a = static_cast<int>(actions.UniformInt(4));
    const StepOutcome x = env.Step(a, rng), y = copy.Step(a, r1), z = loaded.Step(a, r2);
    ASSERT_EQ(Observe(env), Observe(copy)) << t;
    ASSERT_EQ(Observe(env), Observe(loaded)) << t;
    ASSERT_EQ(x.reward, y.reward);
    ASSERT_EQ(x.reward, z.reward);
  }
  EXPECT_THROW(loaded.Load(bytes.substr(0, bytes.size() - 1)), UserError);
  // continuous episodes replay their float actions
  LunarLander box({.continuous = true});
  box.Reset(rng);
  for (int t = 0; t < 30; ++t) {
    const float a[2] = {static_cast<float>(actions.Uniform(-1, 1)),
                        static_cast<float>(actions.Uniform(-1, 1))};
    box.Step(std::span<const float>(a, 2), rng);
  }
  LunarLander box_copy(box);
  EXPECT_EQ(Observe(box), Observe(box_copy));
  std::string box_bytes;
  box.Save(box_bytes);
  EXPECT_THROW(loaded.Load(box_bytes), UserError);  // a discrete env cannot take them
}

TEST(LunarLander, RegisteredWithItsParameters) {
  auto env = BuiltinEnvs().Make("box2d/lunar_lander(gravity=-5,wind=true)", {.num_envs = 2});
  EXPECT_EQ(env->spec().max_episode_steps, 1000);
  EXPECT_EQ(env->spec().action_space.n, 4);
  EXPECT_THROW(BuiltinEnvs().Make("box2d/lunar_lander(gravity=3)", {}), UserError);
}

}  // namespace
}  // namespace qlab::box2d

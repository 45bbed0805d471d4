// The DMC-style suite: models compile, tolerance shapes, each task's observation and reward on
// hand-set states, action repeat, shared models, exact copies. (Determinism, spec bounds,
// truncation and save/load for every task: tests/conformance_test.cc.)
#include "qlab/envs/mujoco/control_suite.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/envs/mujoco/mjcf.h"
#include "qlab/envs/mujoco/tolerance.h"

namespace qlab::mujoco {
namespace {

constexpr double kPi = std::numbers::pi;

ControlEnv MakeEnv(const char* task, int action_repeat = 1) {
  return ControlEnv(MakeTask(task), action_repeat);
}

// Puts `env` in its model's default pose with the given joint values, at rest.
void SetPose(ControlEnv& env, std::initializer_list<std::pair<const char*, double>> joints) {
  const mjModel* m = env.task().model();
  mj_resetData(m, env.data());
  for (const auto& [joint, value] : joints)
    env.data()->qpos[m->jnt_qposadr[IdOf(m, mjOBJ_JOINT, joint)]] = value;
  env.Forward();
}

std::vector<float> Obs(const ControlEnv& env) {
  std::vector<float> obs(env.MakeSpec().obs_size());
  env.WriteObs(obs.data());
  return obs;
}

TEST(Mjcf, EveryModelCompilesAndIsShared) {
  for (const std::string& name : ModelNames()) {
    auto model = SharedModel(name);
    ASSERT_NE(model, nullptr) << name;
    EXPECT_EQ(model.get(), SharedModel(name).get()) << "compiled once per process";
  }
  EXPECT_EQ(ModelNames().size(), 6u);
}

TEST(Mjcf, BrokenXmlIsAUserErrorWithMujocosMessage) {
  try {
    CompileModel("broken", "<mujoco><worldbody><body><joint type='nonsense'/></body></worldbody>");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'broken' does not compile"), std::string::npos);
  }
  EXPECT_THROW(ModelXml("no_such_model"), UserError);
  EXPECT_THROW(MakeTask("walker_fly"), UserError);
}

TEST(Tolerance, MatchesHandComputedValues) {
  EXPECT_EQ(Tolerance(0.5, {.lower = 0, .upper = 1}), 1.0);
  EXPECT_EQ(Tolerance(1.01, {.lower = 0, .upper = 1}), 0.0);  // margin 0: indicator
  // one margin away: value_at_margin, whatever the sigmoid
  for (Sigmoid s :
       {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail, Sigmoid::kReciprocal,
        Sigmoid::kCosine, Sigmoid::kLinear, Sigmoid::kQuadratic, Sigmoid::kTanhSquared})
    EXPECT_NEAR(
        Tolerance(3.0, {.lower = 0, .upper = 1, .margin = 2, .sigmoid = s, .value_at_margin = 0.3}),
        0.3, 1e-12);
  // gaussian at half a margin: exp(-0.5 * 0.25 * (-2 ln 0.1)) = 0.1^(1/4)
  EXPECT_NEAR(Tolerance(-1.0, {.margin = 2}), std::pow(0.1, 0.25), 1e-12);
  // linear to 0 at one margin: cheetah's speed / 10
  const ToleranceShape speed{.lower = 10,
                             .upper = INFINITY,
                             .margin = 10,
                             .sigmoid = Sigmoid::kLinear,
                             .value_at_margin = 0};
  EXPECT_NEAR(Tolerance(4.0, speed), 0.4, 1e-12);
  EXPECT_EQ(Tolerance(-3.0, speed), 0.0);
  EXPECT_EQ(Tolerance(25.0, speed), 1.0);
  // quadratic small control: 1 - u^2
  EXPECT_NEAR(Tolerance(0.5, {.margin = 1, .sigmoid = Sigmoid::kQuadratic, .value_at_margin = 0}),
              0.75, 1e-12);
}

TEST(ControlSuite, ObservationAndActionSizesAsDocumented) {
  const std::pair<const char*, std::pair<int, int>> expected[] = {
      {"pendulum_swingup", {3, 1}}, {"cartpole_balance", {5, 1}}, {"cartpole_swingup", {5, 1}},
      {"reacher_easy", {6, 2}},     {"reacher_hard", {6, 2}},     {"cheetah_run", {17, 6}},
      {"walker_stand", {24, 6}},    {"walker_walk", {24, 6}},     {"walker_run", {24, 6}},
      {"hopper_stand", {15, 4}},    {"hopper_hop", {15, 4}}};
  ASSERT_EQ(TaskNames().size(), std::size(expected));
  for (const auto& [task, sizes] : expected) {
    const EnvSpec spec = MakeEnv(task).MakeSpec();
    EXPECT_EQ(spec.obs_shape, std::vector<int>{sizes.first}) << task;
    EXPECT_EQ(spec.action_space.dims(), sizes.second) << task;
    for (int i = 0; i < sizes.second; ++i) {
      EXPECT_EQ(spec.action_space.low[i], -1.0f);
      EXPECT_EQ(spec.action_space.high[i], 1.0f);
    }
    EXPECT_EQ(spec.reward_max, 1.0);
  }
}

TEST(ControlSuite, UprightPendulumPaysOneAndHangingPaysNothing) {
  ControlEnv env = MakeEnv("pendulum_swingup");
  SetPose(env, {{"hinge", 0.0}});
  EXPECT_EQ(env.Reward(), 1.0);
  const auto obs = Obs(env);
  EXPECT_NEAR(obs[0], 1.0, 1e-6);  // cos
  EXPECT_NEAR(obs[1], 0.0, 1e-6);  // sin
  SetPose(env, {{"hinge", 7.0 * kPi / 180}});
  EXPECT_EQ(env.Reward(), 1.0);  // within 8 degrees
  SetPose(env, {{"hinge", 9.0 * kPi / 180}});
  EXPECT_EQ(env.Reward(), 0.0);
  SetPose(env, {{"hinge", kPi}});
  EXPECT_EQ(env.Reward(), 0.0);
  EXPECT_NEAR(Obs(env)[0], -1.0, 1e-6);
}

TEST(ControlSuite, PendulumMotorCannotHoldTheMassHorizontal) {
  // the swing-up is a task only because full torque (1 N m) < gravity's (1 kg * 9.81 * 0.5 m)
  ControlEnv env = MakeEnv("pendulum_swingup");
  SetPose(env, {{"hinge", kPi / 2}});
  const float push_up = -1.0f;  // toward upright
  for (int t = 0; t < 50; ++t) {
    Rng unused;
    env.Step(std::span(&push_up, 1), unused);
  }
  EXPECT_GT(std::abs(env.data()->qpos[0]), kPi / 2) << "it falls despite full torque";
}

TEST(ControlSuite, CartpoleRewardTerms) {
  ControlEnv env = MakeEnv("cartpole_balance");
  SetPose(env, {});
  EXPECT_NEAR(env.Reward(), 1.0, 1e-12);  // upright, centred, still, no control
  SetPose(env, {{"hinge_1", kPi / 2}});
  EXPECT_NEAR(env.Reward(), 0.5, 1e-12);  // horizontal: upright term (cos + 1) / 2
  SetPose(env, {{"slider", 1.0}});
  // off centre by half a margin: (1 + 0.1^(1/4)) / 2
  EXPECT_NEAR(env.Reward(), (1 + std::pow(0.1, 0.25)) / 2, 1e-12);
  SetPose(env, {});
  env.data()->ctrl[0] = 1.0;
  EXPECT_NEAR(env.Reward(), 0.8, 1e-12);  // full control: (4 + 0) / 5
  const auto obs = Obs(env);
  EXPECT_EQ(obs[0], 0.0f);
  EXPECT_NEAR(obs[1], 1.0, 1e-6);
}

TEST(ControlSuite, CartpoleSwingupStartsHangingAndBalanceUpright) {
  Rng rng(3);
  ControlEnv swingup = MakeEnv("cartpole_swingup"), balance = MakeEnv("cartpole_balance");
  for (int i = 0; i < 20; ++i) {
    swingup.Reset(rng);
    balance.Reset(rng);
    EXPECT_LT(Obs(swingup)[1], -0.99);
    EXPECT_GT(Obs(balance)[1], 0.99);
  }
}

TEST(ControlSuite, ReacherPaysOnTargetOnly) {
  ControlEnv easy = MakeEnv("reacher_easy"), hard = MakeEnv("reacher_hard");
  for (ControlEnv* env : {&easy, &hard}) {
    SetPose(*env, {{"shoulder", 0.0}, {"wrist", 0.0}});  // fingertip at (0.24, 0)
    env->vars().target = {0.24, 0.0};
    EXPECT_EQ(env->Reward(), 1.0);
    env->vars().target = {0.24, 0.05};
    const auto obs = Obs(*env);
    EXPECT_NEAR(obs[2], 0.0, 1e-6);
    EXPECT_NEAR(obs[3], 0.05, 1e-6);
  }
  EXPECT_EQ(easy.Reward(), 1.0);  // 5 cm off: within 0.05 + 0.01
  EXPECT_EQ(hard.Reward(), 0.0);  // not within 0.015 + 0.01
  Rng rng(4);
  for (int i = 0; i < 50; ++i) {
    easy.Reset(rng);
    const double radius = std::hypot(easy.vars().target[0], easy.vars().target[1]);
    EXPECT_GE(radius, 0.05);
    EXPECT_LE(radius, 0.20);
  }
}

TEST(ControlSuite, CheetahRewardIsSpeedOverTen) {
  ControlEnv env = MakeEnv("cheetah_run");
  SetPose(env, {});
  env.data()->qvel[0] = 5.0;  // rootx velocity: the whole body moves at 5 m/s
  env.Forward();
  EXPECT_NEAR(env.Reward(), 0.5, 1e-9);
  env.data()->qvel[0] = 12.0;
  env.Forward();
  EXPECT_EQ(env.Reward(), 1.0);
  env.data()->qvel[0] = -1.0;
  env.Forward();
  EXPECT_EQ(env.Reward(), 0.0);
}

TEST(ControlSuite, WalkerStandingPaysAndLyingDoesNot) {
  ControlEnv stand = MakeEnv("walker_stand"), walk = MakeEnv("walker_walk");
  SetPose(stand, {});
  EXPECT_NEAR(stand.Reward(), 1.0, 1e-12);  // torso at 1.3 m, upright
  EXPECT_NEAR(Obs(stand)[14], 1.3, 1e-6);   // height
  SetPose(walk, {});
  EXPECT_NEAR(walk.Reward(), 1.0 / 6, 1e-12);  // standing still: no move reward
  walk.data()->qvel[1] = 1.0;                  // rootx: walking at 1 m/s
  walk.Forward();
  EXPECT_NEAR(walk.Reward(), 1.0, 1e-9);
  // lying on its back at ground level: standing ~0, upright 0.5
  SetPose(stand, {{"rootz", -1.2}, {"rooty", kPi / 2}});
  EXPECT_LT(stand.Reward(), 0.2);
  EXPECT_GT(stand.Reward(), 0.12);
}

TEST(ControlSuite, WalkerOnItsFeetStaysUpForAMomentWithoutControl) {
  ControlEnv env = MakeEnv("walker_stand");
  SetPose(env, {});
  const std::vector<float> zero(6, 0.0f);
  Rng unused;
  double total = 0;
  for (int t = 0; t < 10; ++t) total += env.Step(zero, unused).reward;
  EXPECT_GT(total, 9.0) << "the feet rest on the floor: no fall in the first 0.25 s";
}

TEST(ControlSuite, HopperStandsAndIsStillWithoutControl) {
  ControlEnv stand = MakeEnv("hopper_stand"), hop = MakeEnv("hopper_hop");
  SetPose(stand, {});
  EXPECT_NEAR(stand.Reward(), 1.0, 1e-12);
  stand.data()->ctrl[0] = 1.0;  // one of four actuators at full: small control (4 + 0.75) / 5
  EXPECT_NEAR(stand.Reward(), 0.95, 1e-12);
  SetPose(hop, {});
  EXPECT_EQ(hop.Reward(), 0.0);  // standing but not moving
  hop.data()->qvel[0] = 2.5;
  hop.Forward();
  EXPECT_EQ(hop.Reward(), 1.0);
  // the foot on the floor: the touch sensors feel the weight after a few steps
  const std::vector<float> zero(4, 0.0f);
  Rng unused;
  for (int t = 0; t < 20; ++t) stand.Step(zero, unused);
  const auto obs = Obs(stand);
  EXPECT_GT(obs[13] + obs[14], 0.1) << "log1p of toe and heel touch";
}

TEST(ControlSuite, ActionRepeatHoldsTheActionAndSumsRewards) {
  ControlEnv once = MakeEnv("cartpole_swingup", 1), twice = MakeEnv("cartpole_swingup", 2);
  Rng a(5), b(5);
  once.Reset(a);
  twice.Reset(b);
  const float action = 0.7f;
  double sum = 0;
  for (int t = 0; t < 2; ++t) sum += once.Step(std::span(&action, 1), a).reward;
  EXPECT_EQ(twice.Step(std::span(&action, 1), b).reward, sum);
  EXPECT_EQ(Obs(once), Obs(twice));
  EXPECT_EQ(twice.MakeSpec().reward_max, 2.0);
  EXPECT_EQ(twice.MakeSpec().frames_per_step, 2);
}

TEST(ControlSuite, HorizonFollowsTheActionRepeatUnlessGiven) {
  EXPECT_EQ(BuiltinEnvs().Make("dmc/walker_walk", {})->spec().max_episode_steps, 1000);
  EXPECT_EQ(BuiltinEnvs().Make("dmc/walker_walk(action_repeat=2)", {})->spec().max_episode_steps,
            500);
  EXPECT_EQ(BuiltinEnvs().Canonicalize("dmc/cheetah_run(action_repeat=4)"),
            "dmc/cheetah_run(action_repeat=4,max_steps=250)");
  EXPECT_EQ(BuiltinEnvs()
                .Make("dmc/walker_walk(action_repeat=2,max_steps=30)", {})
                ->spec()
                .max_episode_steps,
            30);
  EXPECT_THROW(BuiltinEnvs().Make("dmc/walker_walk(action_repeat=0)", {}), UserError);
}

TEST(ControlSuite, EnvsOfABatchShareOneModelAndOwnTheirData) {
  auto any = BuiltinEnvs().Make("dmc/hopper_hop", {.num_envs = 3, .seed = 1});
  auto& env = dynamic_cast<VecEnv<ControlEnv>&>(*any);
  EXPECT_EQ(env.env(0).task().model(), env.env(2).task().model());
  EXPECT_NE(env.env(0).data(), env.env(2).data());
}

TEST(ControlSuite, ACopyContinuesExactly) {
  ControlEnv env = MakeEnv("walker_walk");
  Rng rng(6);
  env.Reset(rng);
  std::vector<float> action(6);
  for (int t = 0; t < 30; ++t) {
    for (float& a : action) a = static_cast<float>(rng.Uniform(-1, 1));
    env.Step(action, rng);
  }
  ControlEnv copy = env;
  for (int t = 0; t < 100; ++t) {
    for (float& a : action) a = static_cast<float>(rng.Uniform(-1, 1));
    EXPECT_EQ(env.Step(action, rng).reward, copy.Step(action, rng).reward);
  }
  EXPECT_EQ(Obs(env), Obs(copy));
}

}  // namespace
}  // namespace qlab::mujoco

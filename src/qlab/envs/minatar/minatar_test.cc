// The MinAtar wrapper: action sets, sticky actions, observation layout.
#include "qlab/envs/minatar/minatar.h"

#include <gtest/gtest.h>

#include "qlab/envs/minatar/breakout.h"
#include "qlab/envs/minatar/seaquest.h"

namespace qlab::minatar {
namespace {

TEST(MinAtarWrapper, MinimalActionsMapToFullSetIndices) {
  MinAtar<Breakout> env({.sticky = 0.0, .ramping = true, .minimal_actions = true});
  Rng rng(0);
  env.Reset(rng);
  env.Step(2, rng);  // minimal index 2 = right (3)
  EXPECT_EQ(env.last_action(), kRight);
  EXPECT_EQ(env.game().paddle, 5);
  EXPECT_EQ(env.MakeSpec().action_space.n, 3);
  MinAtar<Breakout> full({.sticky = 0.0, .ramping = true, .minimal_actions = false});
  EXPECT_EQ(full.MakeSpec().action_space.n, 6);
}

TEST(MinAtarWrapper, StickyOneAlwaysRepeatsTheInitialNoop) {
  MinAtar<Breakout> env({.sticky = 1.0, .ramping = true, .minimal_actions = false});
  Rng rng(0);
  env.Reset(rng);
  for (int i = 0; i < 20; ++i) env.Step(kRight, rng);
  EXPECT_EQ(env.game().paddle, 4);
}

TEST(MinAtarWrapper, StickyProbabilityAndCarryOverAcrossEpisodes) {
  constexpr double kSticky = 0.3;
  MinAtar<Seaquest> env({.sticky = kSticky, .ramping = true, .minimal_actions = false});
  Rng rng(5), policy(6);
  env.Reset(rng);
  int overridden = 0, repeats_possible = 0;
  for (int t = 0; t < 100000; ++t) {
    const int previous = env.last_action();
    const int requested = static_cast<int>(policy.UniformInt(6));
    if (env.Step(requested, rng).terminated) env.Reset(rng);
    if (requested != previous) {
      ++repeats_possible;
      overridden += env.last_action() != requested;
    }
  }
  EXPECT_NEAR(static_cast<double>(overridden) / repeats_possible, kSticky, 0.01);

  MinAtar<Breakout> breakout({.sticky = 0.0, .ramping = true, .minimal_actions = false});
  breakout.Reset(rng);
  breakout.Step(kLeft, rng);
  breakout.Reset(rng);
  EXPECT_EQ(breakout.last_action(), kLeft) << "the last action survives reset, as in the reference";
}

TEST(MinAtarWrapper, ObservationIsClearedEachWrite) {
  MinAtar<Breakout> env({.sticky = 0.0, .ramping = true, .minimal_actions = true});
  Rng rng(0);
  env.Reset(rng);
  std::vector<uint8_t> obs(400, 7);
  env.WriteObs(obs.data());
  int ones = 0;
  for (uint8_t v : obs) {
    ASSERT_LE(v, 1);
    ones += v;
  }
  EXPECT_EQ(ones, 1 + 1 + 1 + 30);  // paddle, ball, trail, bricks
}

}  // namespace
}  // namespace qlab::minatar

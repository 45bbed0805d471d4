#include "qlab/envs/minatar/seaquest.h"

#include <gtest/gtest.h>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {

Seaquest Quiet() {  // no spawns for a while
  Seaquest game;
  Rng rng(0);
  game.Reset(rng);
  game.enemy_spawn_timer = 10000;
  game.diver_spawn_timer = 10000;
  return game;
}

TEST(Seaquest, OxygenRunsOutOnThe201stUnderwaterFrame) {
  Rng rng(0);
  Seaquest game = Quiet();
  EXPECT_FALSE(game.Act(kDown, rng).terminated);
  EXPECT_EQ(game.oxygen, 199);
  std::vector<uint8_t> obs(1000, 0);
  game.Render(obs.data());
  int gauge = 0;
  for (int x = 0; x < 10; ++x) gauge += obs[7 * 100 + 90 + x];
  EXPECT_EQ(gauge, 9);
  for (int frame = 2; frame <= 200; ++frame) ASSERT_FALSE(game.Act(kNoop, rng).terminated) << frame;
  EXPECT_TRUE(game.Act(kNoop, rng).terminated);
}

TEST(Seaquest, SurfacingWithoutDiversEndsTheEpisode) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.Act(kDown, rng);
  EXPECT_TRUE(game.Act(kUp, rng).terminated);
}

TEST(Seaquest, SurfacingWithDiversRefillsOxygenAndRamps) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.Act(kDown, rng);
  game.Act(kNoop, rng);
  game.diver_count = 2;
  const StepOutcome out = game.Act(kUp, rng);
  EXPECT_FALSE(out.terminated);
  EXPECT_EQ(out.reward, 0.0);
  EXPECT_EQ(game.oxygen, 200);
  EXPECT_EQ(game.diver_count, 1);
  EXPECT_EQ(game.ramp_index, 1);
  EXPECT_EQ(game.enemy_spawn_speed, 19);
  // staying at the surface is safe
  for (int i = 0; i < 500; ++i) ASSERT_FALSE(game.Act(kNoop, rng).terminated);
}

TEST(Seaquest, SixDiversPayTheOxygenBonusAndLeaveMinusOne) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.Act(kDown, rng);
  game.diver_count = 6;
  game.oxygen = 100;
  const StepOutcome out = game.Act(kUp, rng);
  EXPECT_EQ(out.reward, 5.0);       // 100 * 10 // 200
  EXPECT_EQ(game.diver_count, -1);  // the reference's quirk
  game.Act(kDown, rng);
  EXPECT_FALSE(game.Act(kUp, rng).terminated);  // -1 is not 0: no termination
  EXPECT_EQ(game.diver_count, -2);
}

TEST(Seaquest, BulletKillsFishAndCoolDown) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.sub_x = 5, game.sub_y = 3, game.sub_right = true, game.surface = false;
  game.fish.push_back({.x = 7, .y = 3, .right = false, .move_timer = 3, .shot_timer = 0});
  StepOutcome out = game.Act(kFire, rng);
  EXPECT_EQ(out.reward, 0.0);
  ASSERT_EQ(game.friendly_bullets.size(), 1);
  EXPECT_EQ(game.friendly_bullets[0].x, 6);
  game.Act(kFire, rng);  // cool-down: no second bullet
  EXPECT_EQ(game.friendly_bullets.size(), 0);
  EXPECT_EQ(game.fish.size(), 0);
}

TEST(Seaquest, EnemySubShootsAndBulletKills) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.sub_x = 0, game.sub_y = 4, game.surface = false;
  game.subs.push_back({.x = 3, .y = 4, .right = false, .move_timer = 100, .shot_timer = 0});
  game.Act(kNoop, rng);  // bullet created at (3, 4), moved to (2, 4) in the same frame
  ASSERT_EQ(game.enemy_bullets.size(), 1);
  EXPECT_EQ(game.enemy_bullets[0].x, 2);
  EXPECT_FALSE(game.Act(kNoop, rng).terminated);  // (1, 4)
  EXPECT_TRUE(game.Act(kNoop, rng).terminated);   // reaches the player at (0, 4)
}

TEST(Seaquest, DiverPickup) {
  Rng rng(0);
  Seaquest game = Quiet();
  game.sub_x = 4, game.sub_y = 2, game.surface = false;
  game.divers.push_back({.x = 5, .y = 2, .right = false, .move_timer = 0, .shot_timer = 0});
  game.Act(kNoop, rng);
  EXPECT_EQ(game.diver_count, 1);
  EXPECT_EQ(game.divers.size(), 0);
}

}  // namespace
}  // namespace qlab::minatar

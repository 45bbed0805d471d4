#include "qlab/envs/minatar/space_invaders.h"

#include <gtest/gtest.h>

#include <numeric>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {

SpaceInvaders Start(bool ramping = true) {
  SpaceInvaders game;
  game.ramping = ramping;
  Rng rng(0);
  game.Reset(rng);
  return game;
}

int Count(const SpaceInvaders::Map& map) { return std::accumulate(map.begin(), map.end(), 0); }

TEST(SpaceInvaders, NoopPolicyTimeline) {
  Rng rng(0);
  SpaceInvaders game = Start();
  EXPECT_EQ(Count(game.aliens), 24);
  const auto initial = game.aliens;
  for (int frame = 1; frame <= 17; ++frame) {
    const StepOutcome out = game.Act(kNoop, rng);
    if (frame < 11) ASSERT_EQ(Count(game.enemy_bullets), 0) << frame;
    if (frame == 11) ASSERT_EQ(Count(game.enemy_bullets), 1) << "first shot on frame 11";
    if (frame < 13) ASSERT_EQ(game.aliens, initial) << frame;
    if (frame == 13) ASSERT_NE(game.aliens, initial) << "first formation move on frame 13";
    ASSERT_EQ(out.terminated, frame == 17) << frame;
  }
}

TEST(SpaceInvaders, ClearedWaveRespawnsFasterWhenRamping) {
  for (bool ramping : {true, false}) {
    Rng rng(0);
    SpaceInvaders game = Start(ramping);
    game.aliens.fill(0);
    game.aliens[2 * 10 + 5] = 1;
    game.friendly_bullets[3 * 10 + 5] = 1;  // moves into the alien this frame
    game.pos = 0;
    const StepOutcome out = game.Act(kNoop, rng);
    EXPECT_EQ(out.reward, 1.0);
    EXPECT_EQ(Count(game.aliens), 24);
    EXPECT_EQ(game.enemy_move_interval, ramping ? 11 : 12);
    EXPECT_EQ(game.ramp_index, ramping ? 1 : 0);
  }
}

TEST(SpaceInvaders, FireCoolDownAndMovement) {
  Rng rng(0);
  SpaceInvaders game = Start();
  game.Act(kFire, rng);
  EXPECT_EQ(game.friendly_bullets[8 * 10 + 5], 1);  // appears in row 8
  EXPECT_EQ(game.shot_timer, 4);
  game.Act(kFire, rng);  // cool-down: nothing, and no move
  EXPECT_EQ(Count(game.friendly_bullets), 1);
  EXPECT_EQ(game.pos, 5);
  game.Act(kLeft, rng);
  EXPECT_EQ(game.pos, 4);
}

TEST(SpaceInvaders, FormationStepsDownAtTheEdgeAndFlips) {
  Rng rng(0);
  SpaceInvaders game = Start();
  game.aliens.fill(0);
  game.aliens[1 * 10 + 0] = 1;
  game.aliens[0 * 10 + 3] = 1;
  game.alien_move_timer = 0;
  game.alien_shot_timer = 5;
  game.Act(kNoop, rng);
  EXPECT_EQ(game.alien_dir, 1);
  EXPECT_EQ(game.aliens[2 * 10 + 0], 1);
  EXPECT_EQ(game.aliens[1 * 10 + 3], 1);
  EXPECT_EQ(game.alien_move_timer, 1);  // min(2 aliens, 12) reloaded, then decremented
}

TEST(SpaceInvaders, NearestColumnShootsFromItsLowestAlien) {
  Rng rng(0);
  SpaceInvaders game = Start();
  game.aliens.fill(0);
  game.aliens[1 * 10 + 3] = 1;
  game.aliens[4 * 10 + 3] = 1;
  game.aliens[2 * 10 + 7] = 1;  // same distance from pos 5 as column 3: smaller column wins
  game.alien_shot_timer = 0;
  game.alien_move_timer = 5;
  game.Act(kNoop, rng);
  EXPECT_EQ(game.enemy_bullets[4 * 10 + 3], 1);
  EXPECT_EQ(Count(game.enemy_bullets), 1);
}

}  // namespace
}  // namespace qlab::minatar

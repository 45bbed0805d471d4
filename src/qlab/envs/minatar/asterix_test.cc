#include "qlab/envs/minatar/asterix.h"

#include <gtest/gtest.h>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {

bool AnyActive(const Asterix& game) {
  for (const auto& e : game.entities)
    if (e.active) return true;
  return false;
}

TEST(Asterix, FirstSpawnOnFrame11) {
  Asterix game;
  Rng rng(1);
  game.Reset(rng);
  for (int frame = 1; frame <= 10; ++frame) {
    game.Act(kNoop, rng);
    ASSERT_FALSE(AnyActive(game)) << frame;
  }
  game.Act(kNoop, rng);
  EXPECT_TRUE(AnyActive(game));
}

TEST(Asterix, RampingScheduleKeptAlive) {
  Asterix game;
  Rng rng(2);
  game.Reset(rng);
  const std::vector<std::pair<int, int>> expected = {{9, 5}, {8, 4}, {7, 4}, {6, 3}, {5, 3},
                                                     {4, 2}, {3, 2}, {2, 1}, {1, 1}};
  for (int frame = 1; frame <= 1000; ++frame) {
    game.Act(kNoop, rng);
    game.terminal = false;  // forced-alive run
    if (frame % 102 == 0 && frame <= 918) {
      const auto [spawn, move] = expected[frame / 102 - 1];
      ASSERT_EQ(game.spawn_speed, spawn) << frame;
      ASSERT_EQ(game.move_speed, move) << frame;
      ASSERT_EQ(game.ramp_index, frame / 102);
    }
    if (frame % 102 == 101 && frame < 918) ASSERT_EQ(game.ramp_index, frame / 102);
  }
  EXPECT_EQ(game.ramp_index, 9);

  Asterix flat;
  flat.ramping = false;
  flat.Reset(rng);
  EXPECT_FALSE(flat.ramping);
  for (int frame = 0; frame < 500; ++frame) {
    flat.Act(kNoop, rng);
    flat.terminal = false;
  }
  EXPECT_EQ(flat.spawn_speed, 10);
  EXPECT_EQ(flat.ramp_index, 0);
}

TEST(Asterix, GoldPaysAndEnemyKills) {
  Rng rng(0);
  Asterix game;
  game.Reset(rng);
  game.entities[4] = {.x = 6, .active = true, .moving_right = false, .gold = true};  // row 5
  StepOutcome out = game.Act(kRight, rng);  // the player steps onto the gold
  EXPECT_EQ(out.reward, 1.0);
  EXPECT_FALSE(out.terminated);
  EXPECT_FALSE(game.entities[4].active);
  game.entities[2] = {.x = 6, .active = true, .moving_right = true, .gold = false};  // row 3
  game.player_y = 3;
  EXPECT_TRUE(game.Act(kNoop, rng).terminated);
}

TEST(Asterix, EntitiesMoveEveryMoveSpeedFramesAndLeaveTheBoard) {
  Rng rng(0);
  Asterix game;
  game.Reset(rng);
  game.spawn_timer = 1000;
  game.entities[7] = {.x = 9, .active = true, .moving_right = true, .gold = false};  // row 8
  for (int frame = 1; frame <= 5; ++frame) game.Act(kNoop, rng);
  EXPECT_TRUE(game.entities[7].active);
  game.Act(kNoop, rng);  // frame 6: first move, off the board
  EXPECT_FALSE(game.entities[7].active);
}

TEST(Asterix, PlayerStaysOnRows1To8) {
  Rng rng(0);
  Asterix game;
  game.Reset(rng);
  game.spawn_timer = 1000;
  for (int i = 0; i < 10; ++i) game.Act(kUp, rng);
  EXPECT_EQ(game.player_y, 1);
  for (int i = 0; i < 10; ++i) game.Act(kDown, rng);
  EXPECT_EQ(game.player_y, 8);
}

}  // namespace
}  // namespace qlab::minatar

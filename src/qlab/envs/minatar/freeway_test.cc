#include "qlab/envs/minatar/freeway.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {

TEST(Freeway, EveryEpisodeLasts2501Frames) {
  Rng rng(3);
  for (int episode = 0; episode < 3; ++episode) {
    Freeway game;
    game.Reset(rng);
    int frames = 0;
    while (!game.Act(static_cast<int>(rng.UniformInt(6)), rng).terminated) ++frames;
    EXPECT_EQ(frames + 1, 2501);
  }
}

TEST(Freeway, CarHitSendsTheChickenBack) {
  Rng rng(0);
  Freeway game;
  game.Reset(rng);
  game.pos = 5;  // row 5 is car 4's lane
  for (auto& car : game.cars) car.timer = 100;
  game.cars[4] = {.x = 3, .timer = 0, .speed = 1};
  const StepOutcome out = game.Act(kNoop, rng);
  EXPECT_EQ(game.cars[4].x, 4);
  EXPECT_EQ(game.pos, 9);
  EXPECT_EQ(out.reward, 0.0);  // no penalty, no termination
  EXPECT_FALSE(out.terminated);
}

TEST(Freeway, CrossingPaysAndRerandomizesSpeedsKeepingColumns) {
  Rng rng(0);
  Freeway game;
  game.Reset(rng);
  game.pos = 1;
  game.move_timer = 0;
  for (int i = 0; i < 8; ++i) game.cars[i].x = (i == 0) ? 7 : i;  // nothing on column 4 of row 1
  std::array<int, 8> columns{};
  for (int i = 0; i < 8; ++i) columns[i] = game.cars[i].x;
  const StepOutcome out = game.Act(kUp, rng);
  EXPECT_EQ(out.reward, 1.0);
  EXPECT_EQ(game.pos, 9);
  for (int i = 0; i < 8; ++i) {
    EXPECT_LE(std::abs(game.cars[i].x - columns[i]) % 8, 1)
        << "columns are kept (a car may move once)";
    EXPECT_TRUE(std::abs(game.cars[i].speed) >= 1 && std::abs(game.cars[i].speed) <= 5);
  }
}

TEST(Freeway, CarWithSpeedKMovesEveryKPlusOneFramesAndWraps) {
  Rng rng(0);
  Freeway game;
  game.Reset(rng);
  game.cars[2] = {.x = 8, .timer = 3, .speed = 3};
  int moves = 0, last = game.cars[2].x;
  for (int frame = 0; frame < 40; ++frame) {
    game.Act(kNoop, rng);
    if (game.cars[2].x != last) ++moves;
    last = game.cars[2].x;
  }
  EXPECT_EQ(moves, 10);
  EXPECT_EQ(game.cars[2].x, (8 + 10) % 10);
}

TEST(Freeway, ChickenMovesAtMostEveryThreeFrames) {
  Rng rng(0);
  Freeway game;
  game.Reset(rng);
  for (auto& car : game.cars) car = {.x = 0, .timer = 1000, .speed = 5};  // parked, out of the way
  std::vector<int> rows;
  for (int frame = 1; frame <= 10; ++frame) {
    game.Act(kUp, rng);
    rows.push_back(game.pos);
  }
  // first move on frame 4, then frames 7 and 10
  EXPECT_EQ(rows, (std::vector<int>{9, 9, 9, 8, 8, 8, 7, 7, 7, 6}));
}

}  // namespace
}  // namespace qlab::minatar

#include "qlab/envs/minatar/breakout.h"

#include <gtest/gtest.h>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {

Breakout Start() {
  Breakout game;
  Rng rng(0);
  game.Reset(rng);
  return game;
}

TEST(Breakout, ResetLayout) {
  Breakout game = Start();
  EXPECT_EQ(game.paddle, 4);
  EXPECT_EQ(game.ball_y, 3);
  EXPECT_TRUE((game.ball_x == 0 && game.ball_dir == 2) || (game.ball_x == 9 && game.ball_dir == 3));
  int bricks = 0;
  for (uint8_t b : game.bricks) bricks += b;
  EXPECT_EQ(bricks, 30);
}

TEST(Breakout, BrickBounceAndReward) {
  Breakout game = Start();
  Rng rng(0);
  game.ball_x = 4, game.ball_y = 4, game.ball_dir = 0;  // up-left into the brick at (3, 3)
  StepOutcome out = game.Act(kNoop, rng);
  EXPECT_EQ(out.reward, 1.0);
  EXPECT_FALSE(out.terminated);
  EXPECT_EQ(game.bricks[3 * 10 + 3], 0);
  EXPECT_EQ(game.ball_x, 3);
  EXPECT_EQ(game.ball_y, 4);    // stays out of the brick row
  EXPECT_EQ(game.ball_dir, 3);  // now down-left
  EXPECT_TRUE(game.strike);
  out = game.Act(kNoop, rng);
  EXPECT_EQ(out.reward, 0.0);
  EXPECT_FALSE(game.strike);
  EXPECT_EQ(game.ball_x, 2);
  EXPECT_EQ(game.ball_y, 5);
}

TEST(Breakout, ConsecutiveBrickContactQuirk) {
  Breakout game = Start();
  Rng rng(0);
  game.ball_x = 4, game.ball_y = 4, game.ball_dir = 0;
  game.bricks[5 * 10 + 2] = 1;  // a brick where the bounced ball goes next
  game.Act(kNoop, rng);
  const StepOutcome out = game.Act(kNoop, rng);
  EXPECT_EQ(out.reward, 0.0);  // strike still set: nothing happens
  EXPECT_EQ(game.bricks[5 * 10 + 2], 1);
  EXPECT_EQ(game.ball_x, 2);
  EXPECT_EQ(game.ball_y, 5);  // the ball shares the brick's cell
  EXPECT_EQ(game.ball_dir, 3);
  EXPECT_TRUE(game.strike);
}

TEST(Breakout, SideWallAndCeiling) {
  Breakout game = Start();
  Rng rng(0);
  game.ball_x = 0, game.ball_y = 6, game.ball_dir = 0;
  game.Act(kNoop, rng);
  EXPECT_EQ(game.ball_x, 0);
  EXPECT_EQ(game.ball_y, 5);
  EXPECT_EQ(game.ball_dir, 1);
  game.bricks.fill(0);
  game.ball_x = 5, game.ball_y = 0, game.ball_dir = 1;
  game.Act(kNoop, rng);
  EXPECT_EQ(game.ball_y, 0);
  EXPECT_EQ(game.ball_x, 6);
  EXPECT_EQ(game.ball_dir, 2);
}

TEST(Breakout, PaddleBouncesAndMiss) {
  Rng rng(0);
  Breakout game = Start();
  game.ball_x = 3, game.ball_y = 8, game.ball_dir = 2, game.paddle = 3;  // above the paddle
  EXPECT_FALSE(game.Act(kNoop, rng).terminated);
  EXPECT_EQ(game.ball_dir, 1);
  EXPECT_EQ(game.ball_x, 4);
  EXPECT_EQ(game.ball_y, 8);

  game = Start();
  game.ball_x = 3, game.ball_y = 8, game.ball_dir = 2, game.paddle = 4;  // corner hit
  EXPECT_FALSE(game.Act(kNoop, rng).terminated);
  EXPECT_EQ(game.ball_dir, 0);
  EXPECT_EQ(game.ball_y, 8);

  game = Start();
  game.ball_x = 3, game.ball_y = 8, game.ball_dir = 2, game.paddle = 8;
  EXPECT_TRUE(game.Act(kNoop, rng).terminated);
  EXPECT_EQ(game.ball_y, 9);
  EXPECT_TRUE(game.Act(kNoop, rng).terminated);  // stays terminal
}

TEST(Breakout, BricksRefillWhenTheBallReachesThePaddleRow) {
  Rng rng(0);
  Breakout game = Start();
  game.bricks.fill(0);
  game.ball_x = 3, game.ball_y = 8, game.ball_dir = 2, game.paddle = 3;
  game.Act(kNoop, rng);
  int bricks = 0;
  for (uint8_t b : game.bricks) bricks += b;
  EXPECT_EQ(bricks, 30);
}

TEST(Breakout, PaddleMovesAndClamps) {
  Rng rng(0);
  Breakout game = Start();
  for (int i = 0; i < 7; ++i) game.Act(kRight, rng);
  EXPECT_EQ(game.paddle, 9);
  game.Act(kUp, rng);  // unused actions are no-ops
  EXPECT_EQ(game.paddle, 9);
}

TEST(Breakout, RenderChannels) {
  Breakout game = Start();
  game.ball_x = 9, game.ball_y = 3, game.last_x = 9, game.last_y = 3;
  std::vector<uint8_t> obs(400, 0);
  game.Render(obs.data());
  EXPECT_EQ(obs[0 * 100 + 9 * 10 + 4], 1);  // paddle
  EXPECT_EQ(obs[1 * 100 + 3 * 10 + 9], 1);  // ball
  EXPECT_EQ(obs[2 * 100 + 3 * 10 + 9], 1);  // trail
  EXPECT_EQ(obs[3 * 100 + 1 * 10 + 0], 1);  // brick
  EXPECT_EQ(obs[3 * 100 + 4 * 10 + 0], 0);
}

}  // namespace
}  // namespace qlab::minatar

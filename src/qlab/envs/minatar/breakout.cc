#include "qlab/envs/minatar/breakout.h"

#include <algorithm>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {
constexpr std::array<int, 4> kMirrorVertical = {3, 2, 1, 0};
constexpr std::array<int, 4> kMirrorHorizontal = {1, 0, 3, 2};
constexpr std::array<int, 4> kReverse = {2, 3, 0, 1};

void FillBricks(std::array<uint8_t, 100>& bricks) {
  std::fill(bricks.begin(), bricks.end(), 0);
  std::fill(bricks.begin() + 10, bricks.begin() + 40, 1);  // rows 1-3
}
}  // namespace

void Breakout::SetStartSide(int side) {
  ball_y = 3;
  ball_x = side == 0 ? 0 : 9;
  ball_dir = side == 0 ? 2 : 3;
  last_x = ball_x;
  last_y = ball_y;
}

void Breakout::Reset(Rng& rng) {
  SetStartSide(static_cast<int>(rng.UniformInt(2)));
  paddle = 4;
  FillBricks(bricks);
  strike = false;
  terminal = false;
}

StepOutcome Breakout::Act(int action, Rng& /*rng*/) {
  if (terminal) return {0.0, true};
  double reward = 0.0;
  if (action == kLeft) paddle = std::max(0, paddle - 1);
  if (action == kRight) paddle = std::min(9, paddle + 1);

  last_x = ball_x;
  last_y = ball_y;
  int dx = (ball_dir == 1 || ball_dir == 2) ? 1 : -1;
  int dy = (ball_dir == 0 || ball_dir == 1) ? -1 : 1;
  int new_x = ball_x + dx, new_y = ball_y + dy;

  // side walls
  if (new_x < 0 || new_x > 9) {
    new_x = std::clamp(new_x, 0, 9);
    ball_dir = kMirrorHorizontal[ball_dir];
  }
  bool touched_brick = false;
  if (new_y < 0) {  // ceiling
    new_y = 0;
    ball_dir = kMirrorVertical[ball_dir];
  } else if (bricks[new_y * 10 + new_x]) {
    touched_brick = true;
    // quirk: a second consecutive brick contact does nothing (the ball enters the brick cell)
    if (!strike) {
      reward += 1.0;
      strike = true;
      bricks[new_y * 10 + new_x] = 0;
      new_y = last_y;
      ball_dir = kMirrorVertical[ball_dir];
    }
  } else if (new_y == 9) {
    if (std::all_of(bricks.begin(), bricks.end(), [](uint8_t b) { return b == 0; }))
      FillBricks(bricks);
    if (ball_x == paddle) {
      ball_dir = kMirrorVertical[ball_dir];
      new_y = last_y;
    } else if (new_x == paddle) {
      ball_dir = kReverse[ball_dir];
      new_y = last_y;
    } else {
      terminal = true;
    }
  }
  if (!touched_brick) strike = false;
  ball_x = new_x;
  ball_y = new_y;
  return {reward, terminal};
}

void Breakout::Render(uint8_t* obs) const {
  SetCell(obs, 0, 9, paddle);
  SetCell(obs, 1, ball_y, ball_x);
  SetCell(obs, 2, last_y, last_x);
  std::copy(bricks.begin(), bricks.end(), obs + 3 * 100);
}

}  // namespace qlab::minatar

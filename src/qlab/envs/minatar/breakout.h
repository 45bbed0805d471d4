// MinAtar Breakout (minatar_spec.md §1): a paddle in row 9 bounces a ball into three rows of
// bricks; +1 per brick, the episode ends when the ball reaches row 9 past the paddle.
// Channels: paddle, ball, trail, brick. No ramping; one random draw per reset (start side).
#pragma once

#include <array>
#include <cstdint>

#include "qlab/core/rng.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

struct Breakout {
  static constexpr const char* kName = "breakout";
  static constexpr int kChannels = 4;
  static constexpr std::array<const char*, kChannels> kChannelNames = {"paddle", "ball", "trail",
                                                                       "brick"};
  static constexpr std::array<int, 3> kMinimalActions = {0, 1, 3};
  static constexpr double kMaxReward = 1.0;

  // ball direction: 0 up-left, 1 up-right, 2 down-right, 3 down-left
  int ball_x = 0, ball_y = 3, ball_dir = 2;
  int last_x = 0, last_y = 3;
  int paddle = 4;
  bool strike = false;
  bool terminal = false;
  bool ramping = true;                // unused by Breakout
  std::array<uint8_t, 100> bricks{};  // [y * 10 + x]

  void Reset(Rng& rng);
  // Puts the ball at its start on the left (side 0: column 0, moving down-right) or the right
  // (side 1: column 9, moving down-left); Reset draws the side.
  void SetStartSide(int side);
  StepOutcome Act(int action, Rng& rng);
  void Render(uint8_t* obs) const;
  int RampIndex() const { return 0; }
};

}  // namespace qlab::minatar

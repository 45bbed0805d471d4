// MinAtar Asterix (minatar_spec.md §2): the player moves on rows 1-8 while enemies and gold cross
// the board, one slot per row; +1 per gold, the episode ends on contact with an enemy.
// Channels: player, enemy, trail, gold. Spawn and move periods ramp down every 102 frames.
#pragma once

#include <array>
#include <cstdint>

#include "qlab/core/rng.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

struct Asterix {
  static constexpr const char* kName = "asterix";
  static constexpr int kChannels = 4;
  static constexpr std::array<const char*, kChannels> kChannelNames = {"player", "enemy", "trail",
                                                                       "gold"};
  static constexpr std::array<int, 5> kMinimalActions = {0, 1, 2, 3, 4};
  static constexpr double kMaxReward = 1.0;

  struct Entity {
    int x = 0;
    bool active = false;
    bool moving_right = false;
    bool gold = false;
  };

  int player_x = 5, player_y = 5;
  std::array<Entity, 8> entities{};  // slot i lives on row i + 1
  int spawn_speed = 10, spawn_timer = 10;
  int move_speed = 5, move_timer = 5;
  int ramp_timer = 100, ramp_index = 0;
  bool terminal = false;
  bool ramping = true;

  void Reset(Rng& rng);
  StepOutcome Act(int action, Rng& rng);
  void Render(uint8_t* obs) const;
  int RampIndex() const { return ramp_index; }

 private:
  void Spawn(Rng& rng);
};

}  // namespace qlab::minatar

// MinAtar Space Invaders (minatar_spec.md §5): a cannon in row 9 shoots a descending alien
// formation (+1 per alien); the episode ends when an enemy bullet or alien reaches the cannon.
// Cleared waves respawn faster when ramping. No randomness at all.
// Channels: cannon, alien, alien_left, alien_right, friendly_bullet, enemy_bullet.
#pragma once

#include <array>
#include <cstdint>

#include "qlab/core/rng.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

struct SpaceInvaders {
  static constexpr const char* kName = "space_invaders";
  static constexpr int kChannels = 6;
  static constexpr std::array<const char*, kChannels> kChannelNames = {
      "cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"};
  static constexpr std::array<int, 4> kMinimalActions = {0, 1, 3, 5};
  static constexpr double kMaxReward = 2.0;  // a 5-frame cool-down leaves at most 2 bullets up
  using Map = std::array<uint8_t, 100>;      // [y * 10 + x]

  int pos = 5;
  Map aliens{}, friendly_bullets{}, enemy_bullets{};
  int alien_dir = -1;
  int enemy_move_interval = 12;
  int alien_move_timer = 12;
  int alien_shot_timer = 10;
  int ramp_index = 0;
  int shot_timer = 0;
  bool terminal = false;
  bool ramping = true;

  void Reset(Rng& rng);
  StepOutcome Act(int action, Rng& rng);
  void Render(uint8_t* obs) const;
  int RampIndex() const { return ramp_index; }

 private:
  void MoveFormation();
  void Shoot();
};

}  // namespace qlab::minatar

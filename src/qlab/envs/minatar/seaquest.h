// MinAtar Seaquest (minatar_spec.md §4): a submarine shoots fish and enemy subs (+1 each), rescues
// divers and must surface before its oxygen runs out; surfacing with 6 divers pays an oxygen
// bonus (0..10). Ramping is driven by surfacing. The entity lists are fixed-capacity so the state
// stays plain data; capacities follow from the spawn and move periods.
#pragma once

#include <array>
#include <cstdint>

#include "qlab/core/rng.h"
#include "qlab/core/small_vector.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

struct Seaquest {
  static constexpr const char* kName = "seaquest";
  static constexpr int kChannels = 10;
  static constexpr std::array<const char*, kChannels> kChannelNames = {
      "sub_front",  "sub_back",  "friendly_bullet", "trail",       "enemy_bullet",
      "enemy_fish", "enemy_sub", "oxygen_gauge",    "diver_gauge", "diver"};
  static constexpr std::array<int, 6> kMinimalActions = {0, 1, 2, 3, 4, 5};
  static constexpr double kMaxReward = 13.0;  // at most 3 bullets alive (3 kills) + bonus 10
  static constexpr int kMaxOxygen = 200;

  struct Bullet {
    int x, y;
    bool right;
  };
  struct Enemy {  // fish, enemy sub or diver
    int x, y;
    bool right;
    int move_timer;
    int shot_timer;  // enemy subs only
  };

  int sub_x = 5, sub_y = 0;
  bool sub_right = false;  // facing
  int oxygen = kMaxOxygen;
  int diver_count = 0;
  SmallVector<Bullet, 16> friendly_bullets;
  SmallVector<Bullet, 128> enemy_bullets;
  SmallVector<Enemy, 64> fish;
  SmallVector<Enemy, 64> subs;
  SmallVector<Enemy, 16> divers;
  int enemy_spawn_speed = 20, enemy_spawn_timer = 20;
  int diver_spawn_timer = 30;
  int move_speed = 5;
  int ramp_index = 0;
  int shot_timer = 0;
  bool surface = true;
  bool terminal = false;
  bool ramping = true;

  void Reset(Rng& rng);
  StepOutcome Act(int action, Rng& rng);
  void Render(uint8_t* obs) const;
  int RampIndex() const { return ramp_index; }

 private:
  void SpawnEnemy(Rng& rng);
  void SpawnDiver(Rng& rng);
  bool AtSub(int x, int y) const { return x == sub_x && y == sub_y; }
  // Removes the first friendly bullet on (x, y); true if there was one.
  bool HitByFriendlyBullet(int x, int y);
  // One frame of a fish's or enemy sub's movement; true if it must be removed (off the board or
  // shot on arrival).
  bool MoveEnemy(Enemy& e, double& reward);
  void Surface(double& reward);
};

}  // namespace qlab::minatar

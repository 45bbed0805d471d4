// MinAtar Freeway (minatar_spec.md §3): a chicken crosses eight lanes of cars; +1 per crossing,
// being hit sends it back to the bottom. Every episode lasts exactly 2501 frames (the reference
// reports this limit as termination). Channels: chicken, car, speed1..speed5 (car trails).
#pragma once

#include <array>
#include <cstdint>

#include "qlab/core/rng.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

struct Freeway {
  static constexpr const char* kName = "freeway";
  static constexpr int kChannels = 7;
  static constexpr std::array<const char*, kChannels> kChannelNames = {
      "chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"};
  static constexpr std::array<int, 3> kMinimalActions = {0, 2, 4};
  static constexpr double kMaxReward = 1.0;
  static constexpr int kTimeLimit = 2500;

  struct Car {
    int x = 0;
    int timer = 0;
    int speed = 1;  // signed: magnitude 1..5 (moves every |speed|+1 frames), + moves right
  };

  int pos = 9;                // chicken row; the chicken is always in column 4
  std::array<Car, 8> cars{};  // car i drives on row i + 1
  int move_timer = 3;
  int terminate_timer = kTimeLimit;
  bool terminal = false;
  bool ramping = true;  // unused by Freeway

  void Reset(Rng& rng);
  StepOutcome Act(int action, Rng& rng);
  void Render(uint8_t* obs) const;
  int RampIndex() const { return 0; }

 private:
  void RandomizeCars(Rng& rng, bool initial);
};

}  // namespace qlab::minatar

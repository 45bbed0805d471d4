#include "qlab/envs/minatar/freeway.h"

#include <algorithm>
#include <cstdlib>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {

void Freeway::RandomizeCars(Rng& rng, bool initial) {
  // all eight magnitudes first, then all eight directions (the reference's draw order)
  std::array<int, 8> magnitude{};
  for (int& m : magnitude) m = rng.UniformInt(1, 6);
  for (int i = 0; i < 8; ++i) {
    const int direction = rng.Uniform() < 0.5 ? -1 : 1;
    cars[i].speed = magnitude[i] * direction;
    cars[i].timer = magnitude[i];
    if (initial) cars[i].x = 0;
  }
}

void Freeway::Reset(Rng& rng) {
  pos = 9;
  move_timer = 3;
  terminate_timer = kTimeLimit;
  terminal = false;
  RandomizeCars(rng, /*initial=*/true);
}

StepOutcome Freeway::Act(int action, Rng& rng) {
  if (terminal) return {0.0, true};
  double reward = 0.0;
  if (action == kUp && move_timer == 0) {
    move_timer = 3;
    pos = std::max(0, pos - 1);
  } else if (action == kDown && move_timer == 0) {
    move_timer = 3;
    pos = std::min(9, pos + 1);
  }
  if (pos == 0) {
    reward += 1.0;
    RandomizeCars(rng, /*initial=*/false);
    pos = 9;
  }
  for (int i = 0; i < 8; ++i) {
    Car& car = cars[i];
    const int row = i + 1;
    if (car.x == 4 && row == pos) pos = 9;
    if (car.timer == 0) {
      car.timer = std::abs(car.speed);
      car.x = (car.x + (car.speed > 0 ? 1 : -1) + 10) % 10;
      if (car.x == 4 && row == pos) pos = 9;
    } else {
      car.timer -= 1;
    }
  }
  if (move_timer > 0) move_timer -= 1;
  terminate_timer -= 1;
  if (terminate_timer < 0) terminal = true;
  return {reward, terminal};
}

void Freeway::Render(uint8_t* obs) const {
  SetCell(obs, 0, pos, 4);
  for (int i = 0; i < 8; ++i) {
    const Car& car = cars[i];
    SetCell(obs, 1, i + 1, car.x);
    const int trail = (car.x - (car.speed > 0 ? 1 : -1) + 10) % 10;  // trails wrap around
    SetCell(obs, 1 + std::abs(car.speed), i + 1, trail);
  }
}

}  // namespace qlab::minatar

#include "qlab/envs/minatar/asterix.h"

#include <algorithm>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {

void Asterix::Reset(Rng& /*rng*/) { RestoreStartState(*this); }

void Asterix::Spawn(Rng& rng) {
  // both draws happen even when no slot is free
  const bool moving_right = rng.Uniform() < 0.5;
  const bool gold = rng.Uniform() < 1.0 / 3.0;
  std::array<int, 8> empty{};
  int num_empty = 0;
  for (int i = 0; i < 8; ++i)
    if (!entities[i].active) empty[num_empty++] = i;
  if (num_empty == 0) return;
  Entity& slot = entities[empty[rng.UniformInt(static_cast<uint32_t>(num_empty))]];
  slot = {.x = moving_right ? 0 : 9, .active = true, .moving_right = moving_right, .gold = gold};
}

StepOutcome Asterix::Act(int action, Rng& rng) {
  if (terminal) return {0.0, true};
  double reward = 0.0;
  if (spawn_timer == 0) {
    Spawn(rng);
    spawn_timer = spawn_speed;
  }
  if (action == kLeft) player_x = std::max(0, player_x - 1);
  if (action == kRight) player_x = std::min(9, player_x + 1);
  if (action == kUp) player_y = std::max(1, player_y - 1);
  if (action == kDown) player_y = std::min(8, player_y + 1);

  // contact before entities move, then after they move
  auto touch = [&](Entity& e) {
    if (e.gold) {
      e.active = false;
      reward += 1.0;
    } else {
      terminal = true;
    }
  };
  for (int i = 0; i < 8; ++i) {
    Entity& e = entities[i];
    if (e.active && e.x == player_x && i + 1 == player_y) touch(e);
  }
  if (move_timer == 0) {
    move_timer = move_speed;
    for (int i = 0; i < 8; ++i) {
      Entity& e = entities[i];
      if (!e.active) continue;
      e.x += e.moving_right ? 1 : -1;
      if (!OnBoard(e.x)) {
        e.active = false;
      } else if (e.x == player_x && i + 1 == player_y) {
        touch(e);
      }
    }
  }
  spawn_timer -= 1;
  move_timer -= 1;

  if (ramping && (spawn_speed > 1 || move_speed > 1)) {
    if (ramp_timer >= 0) {
      ramp_timer -= 1;
    } else {
      if (move_speed > 1 && ramp_index % 2 == 1) move_speed -= 1;
      if (spawn_speed > 1) spawn_speed -= 1;
      ramp_index += 1;
      ramp_timer = 100;
    }
  }
  return {reward, terminal};
}

void Asterix::Render(uint8_t* obs) const {
  SetCell(obs, 0, player_y, player_x);
  for (int i = 0; i < 8; ++i) {
    const Entity& e = entities[i];
    if (!e.active) continue;
    SetCell(obs, e.gold ? 3 : 1, i + 1, e.x);
    const int trail = e.moving_right ? e.x - 1 : e.x + 1;
    if (OnBoard(trail)) SetCell(obs, 2, i + 1, trail);
  }
}

}  // namespace qlab::minatar

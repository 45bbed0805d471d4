#include "qlab/envs/minatar/space_invaders.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {
constexpr int kShotCoolDown = 5;
constexpr int kAlienShotInterval = 10;
constexpr int kMinMoveInterval = 6;

void SpawnWave(SpaceInvaders::Map& aliens) {
  aliens.fill(0);
  for (int y = 0; y < 4; ++y)
    for (int x = 2; x < 8; ++x) aliens[y * 10 + x] = 1;
}
bool AnyInColumn(const SpaceInvaders::Map& map, int x) {
  for (int y = 0; y < 10; ++y)
    if (map[y * 10 + x]) return true;
  return false;
}
bool AnyInRow(const SpaceInvaders::Map& map, int y) {
  return std::any_of(map.begin() + y * 10, map.begin() + y * 10 + 10, [](uint8_t v) { return v; });
}
}  // namespace

void SpaceInvaders::Reset(Rng& /*rng*/) {
  RestoreStartState(*this);
  SpawnWave(aliens);
}

void SpaceInvaders::MoveFormation() {
  const int count = std::accumulate(aliens.begin(), aliens.end(), 0);
  alien_move_timer = std::min(count, enemy_move_interval);
  if ((alien_dir < 0 && AnyInColumn(aliens, 0)) || (alien_dir > 0 && AnyInColumn(aliens, 9))) {
    alien_dir = -alien_dir;
    if (AnyInRow(aliens, 9)) terminal = true;
    std::rotate(aliens.begin(), aliens.begin() + 90, aliens.end());  // down one row (cyclic)
  } else {
    Map shifted{};
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x) shifted[y * 10 + (x + alien_dir + 10) % 10] = aliens[y * 10 + x];
    aliens = shifted;
  }
  if (aliens[90 + pos]) terminal = true;
}

void SpaceInvaders::Shoot() {
  // nearest non-empty column to the cannon (ties: smaller column), its lowest alien shoots
  for (int distance = 0; distance < 10; ++distance) {
    for (int x : {pos - distance, pos + distance}) {
      if (!OnBoard(x)) continue;
      for (int y = 9; y >= 0; --y) {
        if (aliens[y * 10 + x]) {
          enemy_bullets[y * 10 + x] = 1;
          return;
        }
      }
    }
  }
}

StepOutcome SpaceInvaders::Act(int action, Rng& /*rng*/) {
  if (terminal) return {0.0, true};
  double reward = 0.0;
  if (action == kFire) {
    if (shot_timer == 0) {
      friendly_bullets[90 + pos] = 1;
      shot_timer = kShotCoolDown;
    }
  } else if (action == kLeft) {
    pos = std::max(0, pos - 1);
  } else if (action == kRight) {
    pos = std::min(9, pos + 1);
  }

  // bullets move: friendly up (row 0 leaves), enemy down (row 9 leaves)
  std::copy(friendly_bullets.begin() + 10, friendly_bullets.end(), friendly_bullets.begin());
  std::fill(friendly_bullets.begin() + 90, friendly_bullets.end(), 0);
  std::copy_backward(enemy_bullets.begin(), enemy_bullets.begin() + 90, enemy_bullets.end());
  std::fill(enemy_bullets.begin(), enemy_bullets.begin() + 10, 0);
  if (enemy_bullets[90 + pos]) terminal = true;
  if (aliens[90 + pos]) terminal = true;

  if (alien_move_timer == 0) MoveFormation();
  if (alien_shot_timer == 0) {
    alien_shot_timer = kAlienShotInterval;
    Shoot();
  }
  for (int cell = 0; cell < 100; ++cell) {
    if (aliens[cell] && friendly_bullets[cell]) {
      aliens[cell] = friendly_bullets[cell] = 0;
      reward += 1.0;
    }
  }
  if (shot_timer > 0) shot_timer -= 1;
  alien_move_timer -= 1;
  alien_shot_timer -= 1;

  if (std::all_of(aliens.begin(), aliens.end(), [](uint8_t v) { return v == 0; })) {
    if (ramping && enemy_move_interval > kMinMoveInterval) {
      enemy_move_interval -= 1;
      ramp_index += 1;
    }
    SpawnWave(aliens);
  }
  return {reward, terminal};
}

void SpaceInvaders::Render(uint8_t* obs) const {
  SetCell(obs, 0, 9, pos);
  std::copy(aliens.begin(), aliens.end(), obs + 100);
  std::copy(aliens.begin(), aliens.end(), obs + (alien_dir < 0 ? 200 : 300));
  std::copy(friendly_bullets.begin(), friendly_bullets.end(), obs + 400);
  std::copy(enemy_bullets.begin(), enemy_bullets.end(), obs + 500);
}

}  // namespace qlab::minatar

#include "qlab/envs/minatar/seaquest.h"

#include <algorithm>

#include "qlab/envs/minatar/minatar.h"

namespace qlab::minatar {
namespace {
constexpr int kShotCoolDown = 5;
constexpr int kEnemyShotInterval = 10;
constexpr int kDiverSpawnInterval = 30;
constexpr int kDiverMoveInterval = 5;
constexpr int kMaxDivers = 6;
}  // namespace

void Seaquest::Reset(Rng& /*rng*/) { RestoreStartState(*this); }

void Seaquest::SpawnEnemy(Rng& rng) {
  const bool right = rng.Uniform() < 0.5;
  const bool is_sub = rng.Uniform() < 1.0 / 3.0;
  const int row = rng.UniformInt(1, 9);
  // no spawn into a row where something moves the other way
  auto opposite = [&](const Enemy& e) { return e.y == row && e.right != right; };
  if (std::any_of(fish.begin(), fish.end(), opposite) ||
      std::any_of(subs.begin(), subs.end(), opposite))
    return;
  Enemy enemy{.x = right ? 0 : 9,
              .y = row,
              .right = right,
              .move_timer = move_speed,
              .shot_timer = kEnemyShotInterval};
  if (is_sub) {
    subs.push_back(enemy);
  } else {
    fish.push_back(enemy);
  }
}

void Seaquest::SpawnDiver(Rng& rng) {
  const bool right = rng.Uniform() < 0.5;
  const int row = rng.UniformInt(1, 9);
  divers.push_back({.x = right ? 0 : 9,
                    .y = row,
                    .right = right,
                    .move_timer = kDiverMoveInterval,
                    .shot_timer = 0});
}

bool Seaquest::HitByFriendlyBullet(int x, int y) {
  for (int j = 0; j < friendly_bullets.size(); ++j) {
    if (friendly_bullets[j].x == x && friendly_bullets[j].y == y) {
      friendly_bullets.erase(j);
      return true;
    }
  }
  return false;
}

bool Seaquest::MoveEnemy(Enemy& e, double& reward) {
  if (AtSub(e.x, e.y)) terminal = true;
  if (e.move_timer != 0) {
    e.move_timer -= 1;
    return false;
  }
  e.move_timer = move_speed;
  e.x += e.right ? 1 : -1;
  if (!OnBoard(e.x)) return true;
  if (AtSub(e.x, e.y)) {
    terminal = true;
    return false;
  }
  if (HitByFriendlyBullet(e.x, e.y)) {
    reward += 1.0;
    return true;
  }
  return false;
}

void Seaquest::Surface(double& reward) {
  if (diver_count == kMaxDivers) {
    diver_count = 0;
    reward += oxygen * 10 / kMaxOxygen;
  }
  oxygen = kMaxOxygen;
  diver_count -= 1;  // quirk: leaves -1 after a 6-diver surfacing
  surface = true;
  if (ramping && (enemy_spawn_speed > 1 || move_speed > 2)) {
    if (move_speed > 2 && ramp_index % 2 == 1) move_speed -= 1;
    if (enemy_spawn_speed > 1) enemy_spawn_speed -= 1;
    ramp_index += 1;
  }
}

StepOutcome Seaquest::Act(int action, Rng& rng) {
  if (terminal) return {0.0, true};
  double reward = 0.0;
  if (enemy_spawn_timer == 0) {
    SpawnEnemy(rng);
    enemy_spawn_timer = enemy_spawn_speed;
  }
  if (diver_spawn_timer == 0) {
    SpawnDiver(rng);
    diver_spawn_timer = kDiverSpawnInterval;
  }

  // player
  if (action == kFire) {
    if (shot_timer == 0) {
      friendly_bullets.push_back({sub_x, sub_y, sub_right});
      shot_timer = kShotCoolDown;
    }
  } else if (action == kLeft) {
    sub_x = std::max(0, sub_x - 1);
    sub_right = false;
  } else if (action == kRight) {
    sub_x = std::min(9, sub_x + 1);
    sub_right = true;
  } else if (action == kUp) {
    sub_y = std::max(0, sub_y - 1);
  } else if (action == kDown) {
    sub_y = std::min(8, sub_y + 1);
  }

  // friendly bullets, newest first: a bullet kills at most one fish (first) or sub
  for (int i = friendly_bullets.size() - 1; i >= 0; --i) {
    Bullet& b = friendly_bullets[i];
    b.x += b.right ? 1 : -1;
    if (!OnBoard(b.x)) {
      friendly_bullets.erase(i);
      continue;
    }
    auto at = [&](const Enemy& e) { return e.x == b.x && e.y == b.y; };
    if (auto* f = std::find_if(fish.begin(), fish.end(), at); f != fish.end()) {
      fish.erase(static_cast<int>(f - fish.begin()));
      friendly_bullets.erase(i);
      reward += 1.0;
    } else if (auto* s = std::find_if(subs.begin(), subs.end(), at); s != subs.end()) {
      subs.erase(static_cast<int>(s - subs.begin()));
      friendly_bullets.erase(i);
      reward += 1.0;
    }
  }

  // divers, newest first
  for (int i = divers.size() - 1; i >= 0; --i) {
    Enemy& d = divers[i];
    if (AtSub(d.x, d.y) && diver_count < kMaxDivers) {
      divers.erase(i);
      diver_count += 1;
      continue;
    }
    if (d.move_timer == 0) {
      d.move_timer = kDiverMoveInterval;
      d.x += d.right ? 1 : -1;
      if (!OnBoard(d.x)) {
        divers.erase(i);
      } else if (AtSub(d.x, d.y) && diver_count < kMaxDivers) {
        divers.erase(i);
        diver_count += 1;
      }
    } else {
      d.move_timer -= 1;
    }
  }

  // enemy subs, newest first; a sub shoots from its new cell even on the frame it is removed
  for (int i = subs.size() - 1; i >= 0; --i) {
    Enemy sub = subs[i];
    const bool removed = MoveEnemy(sub, reward);
    if (sub.shot_timer == 0) {
      sub.shot_timer = kEnemyShotInterval;
      enemy_bullets.push_back({sub.x, sub.y, sub.right});
    } else {
      sub.shot_timer -= 1;
    }
    if (removed) {
      subs.erase(i);
    } else {
      subs[i] = sub;
    }
  }

  // enemy bullets, newest first
  for (int i = enemy_bullets.size() - 1; i >= 0; --i) {
    Bullet& b = enemy_bullets[i];
    if (AtSub(b.x, b.y)) terminal = true;
    b.x += b.right ? 1 : -1;
    if (!OnBoard(b.x)) {
      enemy_bullets.erase(i);
    } else if (AtSub(b.x, b.y)) {
      terminal = true;
    }
  }

  for (int i = fish.size() - 1; i >= 0; --i)
    if (MoveEnemy(fish[i], reward)) fish.erase(i);

  if (enemy_spawn_timer > 0) enemy_spawn_timer -= 1;
  if (diver_spawn_timer > 0) diver_spawn_timer -= 1;
  if (shot_timer > 0) shot_timer -= 1;

  if (oxygen <= 0) terminal = true;
  if (sub_y > 0) {
    oxygen -= 1;
    surface = false;
  } else if (!surface) {
    if (diver_count == 0) {
      terminal = true;
    } else {
      Surface(reward);
    }
  }
  return {reward, terminal};
}

void Seaquest::Render(uint8_t* obs) const {
  SetCell(obs, 0, sub_y, sub_x);
  const int back = sub_right ? sub_x - 1 : sub_x + 1;
  if (OnBoard(back)) SetCell(obs, 1, sub_y, back);
  const int oxygen_cells = std::max(0, oxygen) * 10 / kMaxOxygen;
  for (int x = 0; x < oxygen_cells; ++x) SetCell(obs, 7, 9, x);
  for (int x = 9 - diver_count; x < 9 && x >= 0; ++x) SetCell(obs, 8, 9, x);
  for (const Bullet& b : friendly_bullets) SetCell(obs, 2, b.y, b.x);
  for (const Bullet& b : enemy_bullets) SetCell(obs, 4, b.y, b.x);
  auto draw = [&](const Enemy& e, int channel) {
    SetCell(obs, channel, e.y, e.x);
    const int trail = e.right ? e.x - 1 : e.x + 1;
    if (OnBoard(trail)) SetCell(obs, 3, e.y, trail);
  };
  for (const Enemy& e : fish) draw(e, 5);
  for (const Enemy& e : subs) draw(e, 6);
  for (const Enemy& e : divers) draw(e, 9);
}

}  // namespace qlab::minatar

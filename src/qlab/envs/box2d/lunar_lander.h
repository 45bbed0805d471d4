// LunarLander-v3 (Gymnasium 1.x, box2d/lunar_lander.py by Oleg Klimov) on Box2D 2.4 (Debian's
// libbox2d): land a craft on the pad at the origin. Discrete actions: noop, left engine, main
// engine, right engine. Observation (8, float32): x and y relative to the pad (scaled by half
// the viewport), their velocities, the angle, the angular velocity (scaled as Gymnasium), and one
// ground-contact flag per leg. Reward: the change of the shaping
//   -100 |(x, y)| - 100 |(vx, vy)| - 100 |angle| + 10 contact_left + 10 contact_right
// minus 0.3 per frame of main engine and 0.03 per frame of a side engine; a crash (the body
// touches the ground) or |x| >= 1 ends the episode with reward -100, coming to rest (the body
// asleep) with +100. Time limit 1000 steps (`max_steps`). Wind and turbulence as Gymnasium's
// `enable_wind`, `wind_power`, `turbulence_power` (offsets drawn at every reset, as v3).
//
// Faithful in rules, not bit-exact with Gymnasium: Gymnasium runs pybox2d (Box2D 2.3.x) and
// numpy's generator; qlab runs Box2D 2.4.1 and the run seed's stream (docs/envs.md lists the
// differences). Engine particles, pure decoration in Gymnasium (they collide with the ground
// only, never with the craft), are not simulated.
//
// State: a Box2D world is a heap graph that cannot be copied byte for byte, so an episode is
// stored as the RNG state at its reset plus its actions, and restored by replaying them (Box2D is
// deterministic for the same calls on the same build). A copy of the env is such a replay too.
#pragma once

#include <box2d/b2_world.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab::box2d {

struct LunarLanderOptions {
  double gravity = -10.0;
  bool enable_wind = false;
  double wind_power = 15.0;
  double turbulence_power = 1.5;
  bool continuous = false;  // Box(2) actions: main throttle, lateral throttle
};

class LunarLander {
 public:
  using Obs = float;
  static constexpr int kMaxEpisodeSteps = 1000;

  explicit LunarLander(const LunarLanderOptions& options = {});
  LunarLander(const LunarLander& other);  // replays the other's episode
  LunarLander& operator=(const LunarLander& other);
  ~LunarLander();

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(int action, Rng& rng);                     // discrete
  StepOutcome Step(std::span<const float> action, Rng& rng);  // continuous
  void WriteObs(float* out) const;

  // The episode as bytes (RNG at reset, actions) and back (VecEnv's SaveState / LoadState).
  void Save(std::string& out) const;
  void Load(std::string_view bytes);

  // For tests: the bodies, and the state behind the last observation.
  b2Body* lander() const { return lander_; }
  b2Body* leg(int i) const { return legs_[i]; }
  bool leg_contact(int i) const { return leg_contact_[i]; }
  double helipad_y() const { return helipad_y_; }

 private:
  class Contacts;
  // Applies the wind and the engines (main at m_power, a side engine at s_power toward
  // `direction` -1 / +1; Gymnasium's names), steps the world, returns the reward and sets the
  // observation.
  StepOutcome Advance(double m_power, double s_power, double direction, Rng& rng);

  LunarLanderOptions options_;
  std::unique_ptr<Contacts> contacts_;  // declared first: the world goes before its listener
  std::optional<b2World> world_;        // in place: no operator new per episode
  b2Body* moon_ = nullptr;
  b2Body* lander_ = nullptr;
  b2Body* legs_[2] = {nullptr, nullptr};
  bool leg_contact_[2] = {false, false};
  bool game_over_ = false;
  double helipad_y_ = 0.0;
  double prev_shaping_ = 0.0;
  bool has_prev_shaping_ = false;
  int64_t wind_index_ = 0, torque_index_ = 0;
  float state_[8] = {};
  // replay record of the episode (reserved for a full episode: no growth within the time limit)
  Rng reset_rng_;
  std::vector<uint8_t> actions_;    // discrete
  std::vector<float> box_actions_;  // continuous, 2 per step
};

}  // namespace qlab::box2d

// MinAtar (Young & Tian 2019, "MinAtar: An Atari-inspired testbed for thorough and reproducible
// reinforcement learning experiments"), reference implementation kenjyoung/MinAtar 1.0.15.
// Behaviour follows the rule-by-rule description in shared/ref/minatar_spec.md.
//
// MinAtar<Game> is the reference's `Environment` wrapper around one game: the action set (minimal
// by default, or the full 6 actions), sticky actions (prob. `sticky`, default 0.1: one uniform draw
// on every step, the previously executed action repeated when it is below `sticky`; the last action
// starts as no-op and carries over episodes), and difficulty ramping passed to the game.
// Observation: [C, 10, 10] uint8 in {0, 1}, channels in the reference's order (channel-first here).
// There is no time limit (the reference has none); use the `max_steps` parameter for one.
//
// A Game provides: kName, kChannels, kChannelNames, kMinimalActions, kMaxReward, a `ramping`
// member, Reset(Rng&), Act(full_action, Rng&) -> StepOutcome, Render(uint8_t* zeroed_obs),
// RampIndex().
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab::minatar {

constexpr int kSize = 10;  // the board is 10 x 10
constexpr int kNumFullActions = 6;
enum Action : int { kNoop = 0, kLeft = 1, kUp = 2, kRight = 3, kDown = 4, kFire = 5 };
inline constexpr std::array<const char*, kNumFullActions> kActionNames = {"noop",  "left", "up",
                                                                          "right", "down", "fire"};

// Sets cell (y, x) of channel c in a [C, 10, 10] observation.
inline void SetCell(uint8_t* obs, int channel, int y, int x) {
  obs[(channel * kSize + y) * kSize + x] = 1;
}
inline bool OnBoard(int x) { return x >= 0 && x < kSize; }

// Puts a game back in its start state; `ramping` is a setting, not state, so it survives.
template <class Game>
void RestoreStartState(Game& game) {
  const bool ramping = game.ramping;
  game = Game{};
  game.ramping = ramping;
}

struct Options {
  double sticky = 0.1;
  bool ramping = true;
  bool minimal_actions = true;
};

template <class Game>
class MinAtar {
 public:
  using Obs = uint8_t;

  explicit MinAtar(const Options& options)
      : sticky_(options.sticky), minimal_actions_(options.minimal_actions) {
    game_.ramping = options.ramping;
  }

  EnvSpec MakeSpec() const {
    EnvSpec spec;
    spec.id = std::string("minatar/") + Game::kName;
    spec.version = "MinAtar 1.0.15";
    spec.obs_shape = {Game::kChannels, kSize, kSize};
    spec.obs_dtype = DType::kUInt8;
    spec.obs_binary = true;
    spec.obs_labels.assign(Game::kChannelNames.begin(), Game::kChannelNames.end());
    spec.action_space.kind = ActionSpace::Kind::kDiscrete;
    if (minimal_actions_) {
      for (int a : Game::kMinimalActions) spec.action_space.names.push_back(kActionNames[a]);
    } else {
      spec.action_space.names.assign(kActionNames.begin(), kActionNames.end());
    }
    spec.action_space.n = static_cast<int>(spec.action_space.names.size());
    spec.reward_min = 0.0;
    spec.reward_max = Game::kMaxReward;
    return spec;
  }

  void Reset(Rng& rng) { game_.Reset(rng); }

  StepOutcome Step(int action, Rng& rng) {
    int executed = minimal_actions_ ? Game::kMinimalActions[action] : action;
    if (rng.Uniform() < sticky_) executed = last_action_;
    last_action_ = executed;
    return game_.Act(executed, rng);
  }

  void WriteObs(uint8_t* out) const {
    std::memset(out, 0, Game::kChannels * kSize * kSize);
    game_.Render(out);
  }

  int last_action() const { return last_action_; }  // the last executed full-set action
  Game& game() { return game_; }
  const Game& game() const { return game_; }

 private:
  Game game_;
  double sticky_;
  bool minimal_actions_;
  int last_action_ = kNoop;
};

}  // namespace qlab::minatar

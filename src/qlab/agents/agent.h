// Agent: what the runner needs from a learner (DESIGN.md §1, §5). The runner owns the envs and
// the run dir; an agent owns its networks, optimiser, replay and schedules, and decides when to
// update from the env steps it observes. Agents register by name with their config keys.
//
//   runner: Act(obs) -> step envs -> Observe(obs, actions, next) -> ... -> TakeStats() per
//   iteration
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "qlab/core/archive.h"
#include "qlab/core/config.h"
#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab {

enum class ActMode { kTrain, kEval };

// Training statistics since the last TakeStats() (absent values stay empty, never made up).
struct TrainStats {
  int64_t updates = 0;  // in this window
  std::optional<double> loss_mean, q_mean;
  double epsilon = 0.0;  // exploration rate at the end of the window
  // named network diagnostics at the end of the window (dormant units, srank, ...; plasticity/)
  std::vector<std::pair<std::string, double>> diagnostics;
};

// Thrown by an agent when the loss or Q-values stop being finite (the runner marks the run
// `diverged` and keeps the last checkpoint).
class DivergedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Agent {
 public:
  virtual ~Agent() = default;

  // Chooses one action per env from `obs` (N raw rows of spec.obs_dtype). Randomness comes only
  // from `rng`, so a phase's actions are a function of the weights and that stream.
  // `episode_start[i]` tells agents that keep per-env history (frame stacks) that row i begins an
  // episode.
  virtual void Act(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode,
                   Rng& rng, std::span<int32_t> actions) = 0;
  // Training only: stores the step and runs the updates that became due.
  virtual void Observe(const uint8_t* obs, std::span<const int32_t> actions,
                       const StepBatch& next) = 0;
  // Box action spaces (continuous control): `actions` holds N rows of spec.action_space.dims()
  // floats within the box. Agents of discrete actions refuse Box envs when they are made, so
  // the runner never calls these on them.
  virtual void ActBox(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode,
                      Rng& rng, std::span<float> actions) {
    (void)obs, (void)episode_start, (void)mode, (void)rng, (void)actions;
    throw std::logic_error("ActBox on an agent of discrete actions");
  }
  virtual void ObserveBox(const uint8_t* obs, std::span<const float> actions,
                          const StepBatch& next) {
    (void)obs, (void)actions, (void)next;
    throw std::logic_error("ObserveBox on an agent of discrete actions");
  }
  virtual TrainStats TakeStats() = 0;
  virtual int64_t updates() const = 0;

  // Everything needed to continue exactly: weights, optimiser, replay, RNG streams, counters.
  virtual void Save(Archive& archive) const = 0;
  virtual void Load(const Archive& archive) = 0;

  // Work before the first training step of a fresh run (QDagger's pretraining on the teacher's
  // data); `progress(done, total)` is called now and then.
  virtual void Prepare(const std::function<void(int64_t, int64_t)>& progress) { (void)progress; }

  virtual std::string Describe() const = 0;
  // trainable parameters of the network that acts (for compute estimates: qlab fit)
  virtual int64_t num_parameters() const = 0;  // one line: network size, replay memory
};

// A trained run whose agent teaches this one (reincarnating RL, `teacher.run`; agents/teacher.h):
// its resolved config, its newest readable checkpoint and its score, loaded by the runner.
struct TeacherRun {
  std::string dir;
  std::string agent;
  std::shared_ptr<const ConfigSchema> schema;  // the config points into it
  std::shared_ptr<const Config> config;
  std::shared_ptr<const Archive> checkpoint;
  double score = 0.0;  // its last evaluation return (or training return without evaluations)
};

struct AgentContext {
  const Config* config = nullptr;
  EnvSpec spec;
  int num_envs = 1;       // training envs (replay keeps one ring per env)
  int num_eval_envs = 1;  // for per-env history in evaluation
  uint64_t seed = 0;
  int64_t total_env_steps = 0;  // of the whole run (schedules over the fraction of training)
  std::string device = "cpu";   // where networks train (run.device: cpu, cuda, cuda:N)
  std::shared_ptr<const TeacherRun> teacher;  // null unless teacher.run is set
};

struct AgentEntry {
  std::string name;
  std::string description;  // one line, with the paper
  std::function<void(ConfigSchema&)> add_keys;
  std::function<std::unique_ptr<Agent>(const AgentContext&)> make;
};

const std::vector<AgentEntry>& Agents();
const AgentEntry& FindAgent(const std::string& name);  // UserError with "did you mean"

}  // namespace qlab

// A DeepMind-Control-style suite on MuJoCo (Tassa et al. 2018, "DeepMind Control Suite"; the
// task definitions of dm_control 1.0), with qlab's own MJCF models (models/*.xml, written from the
// published model descriptions) and reward definitions: tolerance-shaped rewards in [0, 1] per
// control step, 1000 control steps per episode, never a terminal state (the time limit truncates).
// Tasks: pendulum_swingup, cartpole_balance, cartpole_swingup, reacher_easy, reacher_hard,
// cheetah_run, walker_stand, walker_walk, walker_run, hopper_stand, hopper_hop (docs/envs.md
// lists each one's observation, action and reward, and how it differs from dm_control's).
//
// Each env owns its mjData; the compiled mjModel is shared read-only by every env (mjcf.h), so a
// batch steps in parallel on the thread pool. `action_repeat` k holds an action for k control
// steps and sums their rewards (episodes of 1000 / k agent steps).
#pragma once

#include <mujoco/mujoco.h>

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"

namespace qlab::mujoco {

// Per-episode task variables that are not physics state (the reacher's target, drawn per episode:
// the model is shared, so it cannot live in the model as in dm_control).
struct TaskVars {
  std::array<double, 2> target{};
};

// What one task adds to its model: the episode's start, the observation, the reward.
class ControlTask {
 public:
  ControlTask(std::string name, std::string_view model, double control_timestep);
  virtual ~ControlTask() = default;

  const std::string& name() const { return name_; }  // "walker_walk"
  const mjModel* model() const { return model_.get(); }
  int substeps() const { return substeps_; }  // physics steps per control step

  virtual std::vector<std::string> ObsLabels() const = 0;
  // Sets the start state: `data` holds the model's defaults (mj_resetData) when called.
  virtual void InitializeEpisode(mjData* data, TaskVars& vars, Rng& rng) const = 0;
  // Observation and reward of a state whose position and velocity stages are computed.
  virtual void WriteObs(const mjData* data, const TaskVars& vars, float* out) const = 0;
  virtual double Reward(const mjData* data, const TaskVars& vars) const = 0;

 protected:
  // dm_control's randomize_limited_and_rotational_joints: a limited joint uniform in its range,
  // an unlimited hinge uniform in [-pi, pi); unlimited slides keep their value.
  void RandomizeJoints(mjData* data, Rng& rng, bool rotational) const;
  int QposOf(const char* joint) const;
  int SensorOf(const char* sensor) const;  // address in sensordata

 private:
  std::string name_;
  std::shared_ptr<const mjModel> model_;
  int substeps_;
};

// The tasks of the suite by name ("walker_walk"); UserError for unknown names.
std::shared_ptr<const ControlTask> MakeTask(std::string_view name);
std::vector<std::string> TaskNames();

class ControlEnv {
 public:
  using Obs = float;
  static constexpr int kControlSteps = 1000;  // the suite's horizon, in control steps

  ControlEnv(std::shared_ptr<const ControlTask> task, int action_repeat);
  ControlEnv(const ControlEnv& other);
  ControlEnv& operator=(const ControlEnv& other);
  ~ControlEnv();

  EnvSpec MakeSpec() const;
  void Reset(Rng& rng);
  StepOutcome Step(std::span<const float> action, Rng& rng);
  void WriteObs(float* out) const;

  // Physics state, task variables and time as bytes, and back (VecEnv's SaveState / LoadState).
  void Save(std::string& out) const;
  void Load(std::string_view bytes);

  // For tests: set a state by hand, then Forward() to recompute what observations read.
  const ControlTask& task() const { return *task_; }
  mjData* data() { return data_; }
  TaskVars& vars() { return vars_; }
  void Forward();
  double Reward() const { return task_->Reward(data_, vars_); }

 private:
  std::shared_ptr<const ControlTask> task_;
  int action_repeat_;
  mjData* data_ = nullptr;
  TaskVars vars_;
};

}  // namespace qlab::mujoco

#include "qlab/envs/mujoco/control_suite.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numbers>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/core/registry.h"
#include "qlab/envs/mujoco/mjcf.h"
#include "qlab/envs/mujoco/tolerance.h"

namespace qlab {
namespace mujoco {
namespace {

constexpr double kPi = std::numbers::pi;

// Row-major 3x3 orientation of a body: column z's x and z components, etc.
double XmatOf(const mjData* data, int body, int entry) { return data->xmat[9 * body + entry]; }
constexpr int kXX = 0, kXZ = 2, kZZ = 8;

// dm_control's small-control term: 1 at zero control, 0 at full control (quadratic), averaged.
double SmallControl(const mjModel* model, const mjData* data) {
  double sum = 0.0;
  for (int i = 0; i < model->nu; ++i)
    sum += Tolerance(data->ctrl[i],
                     {.margin = 1.0, .sigmoid = Sigmoid::kQuadratic, .value_at_margin = 0.0});
  return sum / model->nu;
}

// --- pendulum: swing the pole up and keep it within 8 degrees of vertical --------------------

class PendulumSwingup final : public ControlTask {
 public:
  PendulumSwingup() : ControlTask("pendulum_swingup", "pendulum", 0.02) {
    pole_ = IdOf(model(), mjOBJ_BODY, "pole");
    hinge_ = QposOf("hinge");
  }
  std::vector<std::string> ObsLabels() const override {
    return {"pole_cos", "pole_sin", "hinge_velocity"};
  }
  void InitializeEpisode(mjData* data, TaskVars&, Rng& rng) const override {
    data->qpos[hinge_] = rng.Uniform(-kPi, kPi);
  }
  void WriteObs(const mjData* data, const TaskVars&, float* out) const override {
    out[0] = static_cast<float>(XmatOf(data, pole_, kZZ));
    out[1] = static_cast<float>(XmatOf(data, pole_, kXZ));
    out[2] = static_cast<float>(data->qvel[0]);
  }
  double Reward(const mjData* data, const TaskVars&) const override {
    static const double kCosine8 = std::cos(8.0 * kPi / 180.0);
    return Tolerance(XmatOf(data, pole_, kZZ), {.lower = kCosine8, .upper = 1.0});
  }

 private:
  int pole_, hinge_;
};

// --- cartpole: balance (start upright) or swing up (start hanging), smooth reward ------------

class Cartpole final : public ControlTask {
 public:
  explicit Cartpole(bool swing_up)
      : ControlTask(swing_up ? "cartpole_swingup" : "cartpole_balance", "cartpole", 0.01),
        swing_up_(swing_up) {
    pole_ = IdOf(model(), mjOBJ_BODY, "pole_1");
    slider_ = QposOf("slider");
    hinge_ = QposOf("hinge_1");
  }
  std::vector<std::string> ObsLabels() const override {
    return {"cart_position", "pole_cos", "pole_sin", "cart_velocity", "pole_angular_velocity"};
  }
  void InitializeEpisode(mjData* data, TaskVars&, Rng& rng) const override {
    if (swing_up_) {
      data->qpos[slider_] = 0.01 * rng.Normal();
      data->qpos[hinge_] = kPi + 0.01 * rng.Normal();
    } else {
      data->qpos[slider_] = rng.Uniform(-0.1, 0.1);
      data->qpos[hinge_] = rng.Uniform(-0.034, 0.034);
    }
    for (int i = 0; i < model()->nv; ++i) data->qvel[i] = 0.01 * rng.Normal();
  }
  void WriteObs(const mjData* data, const TaskVars&, float* out) const override {
    out[0] = static_cast<float>(data->qpos[slider_]);
    out[1] = static_cast<float>(XmatOf(data, pole_, kZZ));
    out[2] = static_cast<float>(XmatOf(data, pole_, kXZ));
    out[3] = static_cast<float>(data->qvel[0]);
    out[4] = static_cast<float>(data->qvel[1]);
  }
  double Reward(const mjData* data, const TaskVars&) const override {
    const double upright = (XmatOf(data, pole_, kZZ) + 1.0) / 2.0;
    const double centered = (1.0 + Tolerance(data->qpos[slider_], {.margin = 2.0})) / 2.0;
    const double small_control = (4.0 + SmallControl(model(), data)) / 5.0;
    const double small_velocity = (1.0 + Tolerance(data->qvel[1], {.margin = 5.0})) / 2.0;
    return upright * centered * small_control * small_velocity;
  }

 private:
  bool swing_up_;
  int pole_, slider_, hinge_;
};

// --- reacher: put the fingertip on a target drawn per episode ---------------------------------

class Reacher final : public ControlTask {
 public:
  explicit Reacher(bool easy)
      : ControlTask(easy ? "reacher_easy" : "reacher_hard", "reacher", 0.02),
        radius_((easy ? 0.05 : 0.015) + 0.01) {  // target size + finger size
    finger_ = IdOf(model(), mjOBJ_BODY, "finger");
  }
  std::vector<std::string> ObsLabels() const override {
    return {"shoulder",          "wrist",         "to_target_x", "to_target_y",
            "shoulder_velocity", "wrist_velocity"};
  }
  void InitializeEpisode(mjData* data, TaskVars& vars, Rng& rng) const override {
    RandomizeJoints(data, rng, /*rotational=*/true);
    const double angle = rng.Uniform(0.0, 2.0 * kPi);
    const double radius = rng.Uniform(0.05, 0.20);
    vars.target = {radius * std::sin(angle), radius * std::cos(angle)};
  }
  void WriteObs(const mjData* data, const TaskVars& vars, float* out) const override {
    out[0] = static_cast<float>(data->qpos[0]);
    out[1] = static_cast<float>(data->qpos[1]);
    out[2] = static_cast<float>(vars.target[0] - data->xpos[3 * finger_]);
    out[3] = static_cast<float>(vars.target[1] - data->xpos[3 * finger_ + 1]);
    out[4] = static_cast<float>(data->qvel[0]);
    out[5] = static_cast<float>(data->qvel[1]);
  }
  double Reward(const mjData* data, const TaskVars& vars) const override {
    const double dx = vars.target[0] - data->xpos[3 * finger_];
    const double dy = vars.target[1] - data->xpos[3 * finger_ + 1];
    return Tolerance(std::hypot(dx, dy), {.lower = 0.0, .upper = radius_});
  }

 private:
  double radius_;
  int finger_;
};

// --- cheetah: run forward; reward linear in speed up to 10 m/s ---------------------------------

class CheetahRun final : public ControlTask {
 public:
  CheetahRun() : ControlTask("cheetah_run", "cheetah", 0.01) {
    velocity_ = SensorOf("torso_subtreelinvel");
  }
  std::vector<std::string> ObsLabels() const override {
    std::vector<std::string> labels;
    for (int j = 1; j < model()->nq; ++j) labels.push_back(fmt::format("qpos_{}", JointName(j)));
    for (int j = 0; j < model()->nv; ++j) labels.push_back(fmt::format("qvel_{}", JointName(j)));
    return labels;
  }
  void InitializeEpisode(mjData* data, TaskVars&, Rng& rng) const override {
    RandomizeJoints(data, rng, /*rotational=*/false);
    for (int i = 0; i < 200; ++i) mj_step(model(), data);  // settle on the ground, as dm_control
    data->time = 0.0;
  }
  void WriteObs(const mjData* data, const TaskVars&, float* out) const override {
    for (int j = 1; j < model()->nq; ++j) *out++ = static_cast<float>(data->qpos[j]);
    for (int j = 0; j < model()->nv; ++j) *out++ = static_cast<float>(data->qvel[j]);
  }
  double Reward(const mjData* data, const TaskVars&) const override {
    return Tolerance(data->sensordata[velocity_], {.lower = 10.0,
                                                   .upper = INFINITY,
                                                   .margin = 10.0,
                                                   .sigmoid = Sigmoid::kLinear,
                                                   .value_at_margin = 0.0});
  }

 private:
  std::string JointName(int j) const { return mj_id2name(model(), mjOBJ_JOINT, j); }
  int velocity_;
};

// --- walker: stand (torso above 1.2 m, upright), walk (1 m/s) or run (8 m/s) -------------------

class Walker final : public ControlTask {
 public:
  Walker(std::string name, double move_speed)
      : ControlTask(std::move(name), "walker", 0.025), move_speed_(move_speed) {
    torso_ = IdOf(model(), mjOBJ_BODY, "torso");
    velocity_ = SensorOf("torso_subtreelinvel");
  }
  std::vector<std::string> ObsLabels() const override {
    std::vector<std::string> labels;
    for (int b = 1; b < model()->nbody; ++b) {
      const char* body = mj_id2name(model(), mjOBJ_BODY, b);
      labels.push_back(fmt::format("{}_xx", body));
      labels.push_back(fmt::format("{}_xz", body));
    }
    labels.emplace_back("torso_height");
    for (int j = 0; j < model()->nv; ++j)
      labels.push_back(fmt::format("qvel_{}", mj_id2name(model(), mjOBJ_JOINT, j)));
    return labels;
  }
  void InitializeEpisode(mjData* data, TaskVars&, Rng& rng) const override {
    RandomizeJoints(data, rng, /*rotational=*/true);
  }
  void WriteObs(const mjData* data, const TaskVars&, float* out) const override {
    for (int b = 1; b < model()->nbody; ++b) {
      *out++ = static_cast<float>(XmatOf(data, b, kXX));
      *out++ = static_cast<float>(XmatOf(data, b, kXZ));
    }
    *out++ = static_cast<float>(data->xpos[3 * torso_ + 2]);
    for (int j = 0; j < model()->nv; ++j) *out++ = static_cast<float>(data->qvel[j]);
  }
  double Reward(const mjData* data, const TaskVars&) const override {
    constexpr double kStandHeight = 1.2;
    const double standing =
        Tolerance(data->xpos[3 * torso_ + 2],
                  {.lower = kStandHeight, .upper = INFINITY, .margin = kStandHeight / 2});
    const double upright = (1.0 + XmatOf(data, torso_, kZZ)) / 2.0;
    const double stand_reward = (3.0 * standing + upright) / 4.0;
    if (move_speed_ == 0.0) return stand_reward;
    const double move_reward = Tolerance(data->sensordata[velocity_], {.lower = move_speed_,
                                                                       .upper = INFINITY,
                                                                       .margin = move_speed_ / 2,
                                                                       .sigmoid = Sigmoid::kLinear,
                                                                       .value_at_margin = 0.5});
    return stand_reward * (5.0 * move_reward + 1.0) / 6.0;
  }

 private:
  double move_speed_;
  int torso_, velocity_;
};

// --- hopper: stand (torso 0.6..2 m above the foot, little control) or hop forward at 2 m/s ------

class Hopper final : public ControlTask {
 public:
  explicit Hopper(bool hop)
      : ControlTask(hop ? "hopper_hop" : "hopper_stand", "hopper", 0.02), hop_(hop) {
    torso_ = IdOf(model(), mjOBJ_BODY, "torso");
    foot_ = IdOf(model(), mjOBJ_BODY, "foot");
    velocity_ = SensorOf("torso_subtreelinvel");
    toe_ = SensorOf("touch_toe");
    heel_ = SensorOf("touch_heel");
  }
  std::vector<std::string> ObsLabels() const override {
    std::vector<std::string> labels;
    for (int j = 1; j < model()->nq; ++j)
      labels.push_back(fmt::format("qpos_{}", mj_id2name(model(), mjOBJ_JOINT, j)));
    for (int j = 0; j < model()->nv; ++j)
      labels.push_back(fmt::format("qvel_{}", mj_id2name(model(), mjOBJ_JOINT, j)));
    labels.emplace_back("touch_toe");
    labels.emplace_back("touch_heel");
    return labels;
  }
  void InitializeEpisode(mjData* data, TaskVars&, Rng& rng) const override {
    RandomizeJoints(data, rng, /*rotational=*/true);
  }
  void WriteObs(const mjData* data, const TaskVars&, float* out) const override {
    for (int j = 1; j < model()->nq; ++j) *out++ = static_cast<float>(data->qpos[j]);
    for (int j = 0; j < model()->nv; ++j) *out++ = static_cast<float>(data->qvel[j]);
    *out++ = static_cast<float>(std::log1p(data->sensordata[toe_]));  // dm_control's log1p
    *out++ = static_cast<float>(std::log1p(data->sensordata[heel_]));
  }
  double Reward(const mjData* data, const TaskVars&) const override {
    const double height = data->xipos[3 * torso_ + 2] - data->xipos[3 * foot_ + 2];
    const double standing = Tolerance(height, {.lower = 0.6, .upper = 2.0});
    if (!hop_) return standing * (SmallControl(model(), data) + 4.0) / 5.0;
    const double hopping = Tolerance(data->sensordata[velocity_], {.lower = 2.0,
                                                                   .upper = INFINITY,
                                                                   .margin = 1.0,
                                                                   .sigmoid = Sigmoid::kLinear,
                                                                   .value_at_margin = 0.5});
    return standing * hopping;
  }

 private:
  bool hop_;
  int torso_, foot_, velocity_, toe_, heel_;
};

struct TaskEntry {
  const char* name;
  const char* description;
  std::function<std::shared_ptr<const ControlTask>()> make;
};

const std::vector<TaskEntry>& TaskEntries() {
  static const std::vector<TaskEntry> entries = {
      {"pendulum_swingup", "swing a torque-limited pendulum up and hold it (binary reward)",
       [] { return std::make_shared<PendulumSwingup>(); }},
      {"cartpole_balance", "keep a pole upright on a cart, starting upright (smooth reward)",
       [] { return std::make_shared<Cartpole>(false); }},
      {"cartpole_swingup", "swing a pole up on a cart and balance it (smooth reward)",
       [] { return std::make_shared<Cartpole>(true); }},
      {"reacher_easy", "two-link arm: fingertip on a 5 cm target (binary reward)",
       [] { return std::make_shared<Reacher>(true); }},
      {"reacher_hard", "two-link arm: fingertip on a 1.5 cm target (binary reward)",
       [] { return std::make_shared<Reacher>(false); }},
      {"cheetah_run", "planar half-cheetah: run forward (reward linear up to 10 m/s)",
       [] { return std::make_shared<CheetahRun>(); }},
      {"walker_stand", "planar biped: stand up tall and upright",
       [] { return std::make_shared<Walker>("walker_stand", 0.0); }},
      {"walker_walk", "planar biped: walk forward at 1 m/s while upright",
       [] { return std::make_shared<Walker>("walker_walk", 1.0); }},
      {"walker_run", "planar biped: run forward at 8 m/s while upright",
       [] { return std::make_shared<Walker>("walker_run", 8.0); }},
      {"hopper_stand", "one-legged hopper: stand up with little control",
       [] { return std::make_shared<Hopper>(false); }},
      {"hopper_hop", "one-legged hopper: hop forward at 2 m/s",
       [] { return std::make_shared<Hopper>(true); }},
  };
  return entries;
}

}  // namespace

// --- ControlTask --------------------------------------------------------------------------------

ControlTask::ControlTask(std::string name, std::string_view model, double control_timestep)
    : name_(std::move(name)), model_(SharedModel(model)) {
  substeps_ = static_cast<int>(std::lround(control_timestep / model_->opt.timestep));
  QLAB_CHECK(substeps_ >= 1);
}

int ControlTask::QposOf(const char* joint) const {
  return model_->jnt_qposadr[IdOf(model_.get(), mjOBJ_JOINT, joint)];
}

int ControlTask::SensorOf(const char* sensor) const {
  return model_->sensor_adr[IdOf(model_.get(), mjOBJ_SENSOR, sensor)];
}

void ControlTask::RandomizeJoints(mjData* data, Rng& rng, bool rotational) const {
  const mjModel* m = model_.get();
  for (int j = 0; j < m->njnt; ++j) {
    const int address = m->jnt_qposadr[j];
    const bool hinge = m->jnt_type[j] == mjJNT_HINGE;
    QLAB_CHECK(hinge || m->jnt_type[j] == mjJNT_SLIDE);  // the suite's models are planar
    if (m->jnt_limited[j]) {
      data->qpos[address] = rng.Uniform(m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    } else if (hinge && rotational) {
      data->qpos[address] = rng.Uniform(-kPi, kPi);
    }
  }
}

std::shared_ptr<const ControlTask> MakeTask(std::string_view name) {
  for (const TaskEntry& entry : TaskEntries())
    if (entry.name == name) return entry.make();
  throw UserError(
      fmt::format("no control task named '{}' (tasks: {})", name, fmt::join(TaskNames(), ", ")));
}

std::vector<std::string> TaskNames() {
  std::vector<std::string> names;
  for (const TaskEntry& entry : TaskEntries()) names.emplace_back(entry.name);
  return names;
}

// --- ControlEnv ---------------------------------------------------------------------------------

ControlEnv::ControlEnv(std::shared_ptr<const ControlTask> task, int action_repeat)
    : task_(std::move(task)), action_repeat_(action_repeat) {
  QLAB_CHECK(action_repeat_ >= 1);
  data_ = mj_makeData(task_->model());
  QLAB_CHECK(data_ != nullptr);
  Forward();
}

ControlEnv::ControlEnv(const ControlEnv& other)
    : task_(other.task_), action_repeat_(other.action_repeat_), vars_(other.vars_) {
  data_ = mj_copyData(nullptr, task_->model(), other.data_);
  QLAB_CHECK(data_ != nullptr);
}

ControlEnv& ControlEnv::operator=(const ControlEnv& other) {
  if (this == &other) return *this;
  if (task_->model() != other.task_->model()) {
    mj_deleteData(data_);
    data_ = mj_makeData(other.task_->model());
  }
  task_ = other.task_;
  action_repeat_ = other.action_repeat_;
  vars_ = other.vars_;
  mj_copyData(data_, task_->model(), other.data_);
  return *this;
}

ControlEnv::~ControlEnv() { mj_deleteData(data_); }

EnvSpec ControlEnv::MakeSpec() const {
  const mjModel* m = task_->model();
  EnvSpec spec;
  spec.id = "dmc/" + task_->name();
  spec.version =
      fmt::format("DMC-style {} (qlab MJCF, MuJoCo {})", task_->name(), mj_versionString());
  spec.obs_labels = task_->ObsLabels();
  spec.obs_shape = {static_cast<int>(spec.obs_labels.size())};
  spec.obs_dtype = DType::kFloat32;
  spec.action_space.kind = ActionSpace::Kind::kBox;
  for (int i = 0; i < m->nu; ++i) {
    spec.action_space.low.push_back(static_cast<float>(m->actuator_ctrlrange[2 * i]));
    spec.action_space.high.push_back(static_cast<float>(m->actuator_ctrlrange[2 * i + 1]));
  }
  spec.reward_min = 0.0;
  spec.reward_max = action_repeat_;  // at most 1 per control step
  spec.frames_per_step = action_repeat_;
  return spec;
}

void ControlEnv::Forward() { mj_forward(task_->model(), data_); }

void ControlEnv::Reset(Rng& rng) {
  mj_resetData(task_->model(), data_);
  vars_ = TaskVars{};
  task_->InitializeEpisode(data_, vars_, rng);
  Forward();
}

StepOutcome ControlEnv::Step(std::span<const float> action, Rng& /*rng*/) {
  const mjModel* m = task_->model();
  for (int i = 0; i < m->nu; ++i)
    data_->ctrl[i] = std::clamp<double>(action[i], m->actuator_ctrlrange[2 * i],
                                        m->actuator_ctrlrange[2 * i + 1]);
  double reward = 0.0;
  for (int repeat = 0; repeat < action_repeat_; ++repeat) {
    // step2 then step1 (dm_control's order): after a step, positions, velocities and the
    // sensors computed from them describe the new state that observation and reward read
    for (int k = 0; k < task_->substeps(); ++k) {
      mj_step2(m, data_);
      mj_step1(m, data_);
    }
    reward += task_->Reward(data_, vars_);
  }
  return {.reward = reward, .terminated = false};
}

void ControlEnv::WriteObs(float* out) const { task_->WriteObs(data_, vars_, out); }

namespace {

// The fields that determine what follows: the integrated state, the solver's warm start, and the
// sensor values of the acceleration stage (touch) that the next observation reads.
template <class Visit>
void ForEachStateField(const mjModel* m, mjData* d, Visit&& visit) {
  visit(&d->time, 1);
  visit(d->qpos, m->nq);
  visit(d->qvel, m->nv);
  visit(d->act, m->na);
  visit(d->ctrl, m->nu);
  visit(d->qacc_warmstart, m->nv);
  visit(d->sensordata, m->nsensordata);
}

}  // namespace

void ControlEnv::Save(std::string& out) const {
  out.append(reinterpret_cast<const char*>(&vars_), sizeof(vars_));
  ForEachStateField(task_->model(), data_, [&](const mjtNum* field, int n) {
    out.append(reinterpret_cast<const char*>(field), n * sizeof(mjtNum));
  });
}

void ControlEnv::Load(std::string_view bytes) {
  size_t expected = sizeof(vars_);
  ForEachStateField(task_->model(), data_,
                    [&](const mjtNum*, int n) { expected += n * sizeof(mjtNum); });
  if (bytes.size() != expected)
    throw UserError(fmt::format("dmc/{} state has {} bytes, expected {} (another task?)",
                                task_->name(), bytes.size(), expected));
  const char* cursor = bytes.data();
  std::memcpy(&vars_, cursor, sizeof(vars_));
  cursor += sizeof(vars_);
  ForEachStateField(task_->model(), data_, [&](mjtNum* field, int n) {
    std::memcpy(field, cursor, n * sizeof(mjtNum));
    cursor += n * sizeof(mjtNum);
  });
  // recompute the position and velocity stages; acceleration-stage sensors keep their saved values
  mj_step1(task_->model(), data_);
}

}  // namespace mujoco

void RegisterMujocoEnvs(Registry& registry) {
  for (const auto& entry : mujoco::TaskEntries()) {
    const std::string task = entry.name;
    registry.Add(
        {.name = "dmc/" + task,
         .description = entry.description,
         .reference = "DeepMind Control Suite task (dm_control 1.0) on qlab's MJCF, MuJoCo 2.2 "
                      "(docs/envs.md)",
         .default_max_steps = mujoco::ControlEnv::kControlSteps,
         .max_steps_of =
             [](const Params& params) {
               return mujoco::ControlEnv::kControlSteps / params.GetInt("action_repeat");
             },
         .params = {{.name = "action_repeat",
                     .type = ParamSpec::Type::kInt,
                     .default_value = "1",
                     .doc = "control steps per agent step, rewards summed (the horizon becomes "
                            "1000 / action_repeat steps)",
                     .min = 1,
                     .max = 1000}},
         .make = MakeEnvFactory<mujoco::ControlEnv>([task](const Params& params) {
           return mujoco::ControlEnv(mujoco::MakeTask(task), params.GetInt("action_repeat"));
         })});
  }
}

}  // namespace qlab

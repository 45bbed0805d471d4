// Multi-task batched environments: `--env a,b,c` trains one agent on several envs at once (as in
// Willi et al. 2024, "Mixture of Experts in a Mixture of RL settings", and the multi-task MinAtar
// setups it follows).
//
// The N envs are split into T equal contiguous blocks, block t running task t (N must be a
// multiple of T). Every observation is embedded in one common shape: image tasks [C, H, W] are
// zero-padded to the largest C, H and W (top-left aligned) and get T task-id planes (plane t all
// ones for task t); vector tasks [D] are zero-padded to the largest D and get a T-dim one-hot. So
// any torso sees the task. The tasks must share the observation dtype, the observation rank and
// the number of discrete actions (MinAtar: `actions=full` gives every game the same 6); each
// keeps its own dynamics, time limit, seeds and episode statistics. Per-env RNG streams are those
// of one N-env vector env, so results do not depend on the thread count.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qlab/core/vec_env.h"

namespace qlab {

// "a(x=1,y=2),b" -> {"a(x=1,y=2)", "b"}: the commas outside parentheses separate tasks.
std::vector<std::string> SplitEnvList(std::string_view text);

class MultiTaskVecEnv final : public AnyVecEnv {
 public:
  // `tasks[t]` holds N / T envs; `name` is the canonical list. UserError when the tasks cannot
  // share one observation and action space.
  MultiTaskVecEnv(std::vector<std::unique_ptr<AnyVecEnv>> tasks, std::string name);

  int num_tasks() const override { return static_cast<int>(tasks_.size()); }
  int task_of(int env) const override { return env / per_task_; }
  std::string task_name(int task) const override;

  void Reset(StepBatch& out) override;
  void Step(std::span<const int32_t> actions, StepBatch& out) override;
  void StepBox(std::span<const float>, StepBatch&) override {
    QLAB_CHECK(false && "multi-task envs have discrete actions");
  }
  std::string SaveState() const override;
  void LoadState(std::string_view bytes) override;

 private:
  // Writes task t's observation `in` (its own shape) into `out` (the common shape).
  void Embed(int task, const uint8_t* in, uint8_t* out) const;

  std::vector<std::unique_ptr<AnyVecEnv>> tasks_;
  std::vector<StepBatch> batches_;  // one per task, reused every step
  int per_task_;
  size_t element_size_;
};

}  // namespace qlab

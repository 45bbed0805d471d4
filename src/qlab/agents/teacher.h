// Reincarnating RL with QDagger (Agarwal et al. 2022, "Reincarnating Reinforcement Learning:
// Reusing Prior Computation to Accelerate Progress", section 4): a student of the DQN family
// starts from a trained teacher run (any DQN-family agent's run dir, `teacher.run`):
//   1. pretraining: `teacher.pretrain_updates` updates on the teacher's replay buffer (from its
//      newest checkpoint) with the student's TD loss + lambda * distillation loss;
//   2. online: the student acts and learns from its own replay with the same loss, lambda decayed
//      with the student's progress: lambda_t = lambda_0 * clip(1 - G_student / G_teacher, 0, 1),
//      G_student the mean of its last `teacher.return_window` training episode returns (lambda_0
//      until that many ended), G_teacher the teacher run's last evaluation return.
// Distillation: KL(softmax(q_T / T) || softmax(q_S / T)) on the sampled states (losses.h).
// The runner reports the teacher-normalised score eval_return_mean / G_teacher.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qlab/core/archive.h"

namespace qlab {

class Config;
class ConfigSchema;

struct TeacherOptions {
  std::string run;  // the teacher's run dir; "" switches reincarnation off
  int64_t pretrain_updates = 0;
  double temperature = 1.0;
  double distill_weight = 1.0;         // lambda_0
  std::string decay = "return_ratio";  // or "none": lambda_0 throughout
  int64_t return_window = 10;
  bool enabled() const { return !run.empty(); }

  static void AddKeys(ConfigSchema& schema);  // [teacher] section
  static TeacherOptions FromConfig(const Config& config);
};

// lambda_t of the online phase, from the student's finished training episodes.
class DistillationSchedule {
 public:
  DistillationSchedule(const TeacherOptions& options, double teacher_return);
  void AddEpisode(double episode_return);
  double weight() const;
  double teacher_return() const { return teacher_return_; }

  void Save(Archive& archive, const std::string& prefix) const;
  void Load(const Archive& archive, const std::string& prefix);

 private:
  TeacherOptions options_;
  double teacher_return_;
  std::vector<double> recent_;  // ring of the last return_window returns
  int64_t seen_ = 0;            // episodes so far
};

}  // namespace qlab

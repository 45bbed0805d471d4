#include "qlab/agents/teacher.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "qlab/core/config.h"
#include "qlab/core/errors.h"

namespace qlab {

void TeacherOptions::AddKeys(ConfigSchema& schema) {
  schema
      .String("teacher.run", "",
              "QDagger (Agarwal et al. 2022): run dir of a trained DQN-family teacher (\"\": off)")
      .Int("teacher.pretrain_updates", 0,
           "QDagger: updates on the teacher's replay before the online phase", {0, 1e12})
      .Float("teacher.temperature", 1.0, "QDagger: softmax temperature of the distillation",
             {1e-6, 1e6})
      .Float("teacher.distill_weight", 1.0, "QDagger: distillation weight lambda_0", {0.0, 1e6})
      .String("teacher.decay", "return_ratio",
              "QDagger: lambda_0 * clip(1 - student / teacher return, 0, 1), or none",
              {"return_ratio", "none"})
      .Int("teacher.return_window", 10, "QDagger: student episodes averaged for the decay",
           {1, 100000});
}

TeacherOptions TeacherOptions::FromConfig(const Config& c) {
  return {.run = c.GetString("teacher.run"),
          .pretrain_updates = c.GetInt("teacher.pretrain_updates"),
          .temperature = c.GetFloat("teacher.temperature"),
          .distill_weight = c.GetFloat("teacher.distill_weight"),
          .decay = c.GetString("teacher.decay"),
          .return_window = c.GetInt("teacher.return_window")};
}

DistillationSchedule::DistillationSchedule(const TeacherOptions& options, double teacher_return)
    : options_(options), teacher_return_(teacher_return) {
  if (options.decay == "return_ratio" && !(teacher_return > 0.0))
    throw UserError(fmt::format(
        "teacher.decay = return_ratio needs a positive teacher return (the teacher run scored {}); "
        "set teacher.decay = none",
        teacher_return));
  recent_.assign(options.return_window, 0.0);
}

void DistillationSchedule::AddEpisode(double episode_return) {
  recent_[seen_ % options_.return_window] = episode_return;
  ++seen_;
}

double DistillationSchedule::weight() const {
  if (options_.decay == "none" || seen_ < options_.return_window) return options_.distill_weight;
  const double mean = std::accumulate(recent_.begin(), recent_.end(), 0.0) / recent_.size();
  return options_.distill_weight * std::clamp(1.0 - mean / teacher_return_, 0.0, 1.0);
}

void DistillationSchedule::Save(Archive& archive, const std::string& prefix) const {
  archive.PutVector(prefix + "recent", recent_);
  archive.Put(prefix + "seen", seen_);
}

void DistillationSchedule::Load(const Archive& archive, const std::string& prefix) {
  archive.GetVector(prefix + "recent", recent_);
  seen_ = archive.Get<int64_t>(prefix + "seen");
}

}  // namespace qlab

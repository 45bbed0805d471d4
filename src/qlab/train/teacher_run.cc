#include "qlab/train/teacher_run.h"

#include <fmt/format.h>

#include <cmath>

#include "qlab/core/errors.h"
#include "qlab/report/runs.h"
#include "qlab/train/run_dir.h"
#include "qlab/train/train_config.h"

namespace qlab {

TeacherRun LoadTeacherRun(const std::string& dir) {
  const RunDir run(dir);
  if (run.ReadStatus().empty())
    throw UserError(fmt::format("teacher.run = '{}' is not a run dir (no status file)", dir));
  TeacherRun teacher;
  teacher.dir = dir;
  TrainConfig config = LoadRunConfig(run.File("config.toml"));
  teacher.agent = config.config->GetString("run.agent");
  teacher.schema = std::move(config.schema);
  teacher.config = std::move(config.config);

  const auto checkpoints = run.Checkpoints();
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend() && !teacher.checkpoint; ++it) {
    try {
      teacher.checkpoint = std::make_shared<Archive>(Archive::Load(*it));
    } catch (const UserError&) {
      // damaged: an older one may read
    }
  }
  if (!teacher.checkpoint)
    throw UserError(fmt::format("teacher run '{}' has no readable checkpoint", dir));

  // the run's score as reports define it (docs/run_dir.md): its last logged score
  const report::RunData data = report::LoadRun(dir);
  if (data.scores.empty() || !std::isfinite(data.final_score()))
    throw UserError(fmt::format("teacher run '{}' has no logged return in metrics.jsonl", dir));
  teacher.score = data.final_score();
  return teacher;
}

}  // namespace qlab

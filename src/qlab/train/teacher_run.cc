#include "qlab/train/teacher_run.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"
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

  bool scored = false;
  std::istringstream lines(ReadFile(run.File("metrics.jsonl")));
  std::string line;
  while (std::getline(lines, line)) {
    const auto m = nlohmann::json::parse(line, nullptr, false);
    if (m.is_discarded()) continue;
    for (const char* key : {"eval_return_mean", "train_return_mean"}) {
      if (m.contains(key) && m[key].is_number()) {
        teacher.score = m[key].get<double>();
        scored = true;
        break;
      }
    }
  }
  if (!scored)
    throw UserError(fmt::format("teacher run '{}' has no logged return in metrics.jsonl", dir));
  return teacher;
}

}  // namespace qlab

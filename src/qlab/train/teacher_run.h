// Loading a finished run as a teacher (reincarnating RL, agents/teacher.h): its config.toml, its
// newest readable checkpoint and its score (its last score as reports define it: evaluation
// return, or training return for runs without evaluations; report::LoadRun).
#pragma once

#include <string>

#include "qlab/agents/agent.h"

namespace qlab {

// UserError naming the dir when it is not a run, has no readable checkpoint or no metrics.
TeacherRun LoadTeacherRun(const std::string& dir);

}  // namespace qlab

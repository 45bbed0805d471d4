// Loading a finished run as a teacher (reincarnating RL, agents/teacher.h): its config.toml, its
// newest readable checkpoint and its score (the last logged evaluation return, else the last
// training return).
#pragma once

#include <string>

#include "qlab/agents/agent.h"

namespace qlab {

// UserError naming the dir when it is not a run, has no readable checkpoint or no metrics.
TeacherRun LoadTeacherRun(const std::string& dir);

}  // namespace qlab

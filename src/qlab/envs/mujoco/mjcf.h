// qlab's own MJCF models (models/*.xml, embedded in the binary at build time) and the one place
// MuJoCo models are compiled. A model is compiled once per process and shared, read-only, by every
// env that uses it: each env owns only its mjData (MuJoCo's model/data split makes that safe
// across threads).
#pragma once

#include <mujoco/mujoco.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qlab::mujoco {

// The XML text of an embedded model ("walker"); UserError for unknown names.
std::string_view ModelXml(std::string_view name);
std::vector<std::string> ModelNames();

// The compiled model of `name`, compiled on first use (thread-safe) and kept for the process.
std::shared_ptr<const mjModel> SharedModel(std::string_view name);

// Compiles XML text (UserError with MuJoCo's message when it does not compile).
std::shared_ptr<const mjModel> CompileModel(std::string_view name, std::string_view xml);

// mj_name2id that throws (a programming error in a task: the model lacks the named object).
int IdOf(const mjModel* model, mjtObj type, const char* name);

}  // namespace qlab::mujoco

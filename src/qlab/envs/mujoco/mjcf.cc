#include "qlab/envs/mujoco/mjcf.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include "qlab/core/errors.h"
#include "qlab/envs/mujoco/model_files.h"

namespace qlab::mujoco {
namespace {

// MuJoCo's default handlers also append to MUJOCO_LOG.TXT in the working directory; qlab's write
// to stderr only (a run directory stays as the runner wrote it).
void WarnOnStderr(const char* message) {
  std::fprintf(stderr, "qlab: MuJoCo warning: %s\n", message);
}

void InstallHandlers() {
  static std::once_flag once;
  std::call_once(once, [] { mju_user_warning = WarnOnStderr; });
}

}  // namespace

std::string_view ModelXml(std::string_view name) {
  for (const EmbeddedModel& model : kEmbeddedModels)
    if (model.name == name) return model.xml;
  throw UserError(
      fmt::format("no MuJoCo model named '{}' (models: {})", name, fmt::join(ModelNames(), ", ")));
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const EmbeddedModel& model : kEmbeddedModels) names.emplace_back(model.name);
  return names;
}

std::shared_ptr<const mjModel> CompileModel(std::string_view name, std::string_view xml) {
  InstallHandlers();
  // MuJoCo compiles from files; a virtual file system holds the text (2 MB struct: on the heap)
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const std::string file = std::string(name) + ".xml";
  if (mj_makeEmptyFileVFS(vfs.get(), file.c_str(), static_cast<int>(xml.size())) != 0)
    throw UserError(fmt::format("MuJoCo model '{}': cannot stage its XML", name));
  std::memcpy(vfs->filedata[mj_findFileVFS(vfs.get(), file.c_str())], xml.data(), xml.size());
  char error[1024] = "";
  mjModel* model = mj_loadXML(file.c_str(), vfs.get(), error, sizeof(error));
  mj_deleteVFS(vfs.get());
  if (model == nullptr)
    throw UserError(fmt::format("MuJoCo model '{}' does not compile: {}", name, error));
  return std::shared_ptr<const mjModel>(
      model, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
}

std::shared_ptr<const mjModel> SharedModel(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const mjModel>, std::less<>> compiled;
  std::lock_guard lock(mutex);
  auto it = compiled.find(name);
  if (it == compiled.end()) it = compiled.emplace(name, CompileModel(name, ModelXml(name))).first;
  return it->second;
}

int IdOf(const mjModel* model, mjtObj type, const char* name) {
  const int id = mj_name2id(model, type, name);
  if (id < 0) throw std::logic_error(fmt::format("MuJoCo model lacks '{}'", name));
  return id;
}

}  // namespace qlab::mujoco

# Writes OUTPUT, a C++ source holding every MODEL_DIR/*.xml as a string constant (model_files.h).
# Run by the build (src/qlab/CMakeLists.txt) whenever a model file changes.
file(GLOB files ${MODEL_DIR}/*.xml)
list(SORT files)
set(entries "")
foreach(file ${files})
  get_filename_component(name ${file} NAME_WE)
  file(READ ${file} xml)
  string(APPEND entries "    {\"${name}\", R\"qlab_mjcf(${xml})qlab_mjcf\"},\n")
endforeach()
file(WRITE ${OUTPUT}.new "// Generated from src/qlab/envs/mujoco/models/*.xml by embed_models.cmake: do not edit.
#include \"qlab/envs/mujoco/model_files.h\"

namespace qlab::mujoco {
namespace {
constexpr EmbeddedModel kModels[] = {
${entries}};
}  // namespace
const std::span<const EmbeddedModel> kEmbeddedModels(kModels);
}  // namespace qlab::mujoco
")
file(COPY_FILE ${OUTPUT}.new ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.new)

// The embedded model files (generated at configure time from models/*.xml by embed_models.cmake).
#pragma once

#include <span>
#include <string_view>

namespace qlab::mujoco {

struct EmbeddedModel {
  std::string_view name;  // file name without ".xml"
  std::string_view xml;
};

extern const std::span<const EmbeddedModel> kEmbeddedModels;

}  // namespace qlab::mujoco

#include "qlab/core/spec.h"

#include <fmt/format.h>

#include <functional>
#include <numeric>

namespace qlab {

const char* DTypeName(DType dtype) { return dtype == DType::kUInt8 ? "uint8" : "float32"; }
size_t DTypeSize(DType dtype) { return dtype == DType::kUInt8 ? 1 : 4; }

size_t EnvSpec::obs_size() const {
  return std::accumulate(obs_shape.begin(), obs_shape.end(), size_t{1}, std::multiplies<>());
}

std::string DescribeObs(const EnvSpec& spec) {
  return fmt::format("[{}] {}", fmt::join(spec.obs_shape, ","), DTypeName(spec.obs_dtype));
}

std::string DescribeActions(const EnvSpec& spec) {
  const ActionSpace& space = spec.action_space;
  if (space.discrete()) return fmt::format("{} ({})", space.n, fmt::join(space.names, ","));
  return fmt::format("box[{}]", space.dims());
}

}  // namespace qlab

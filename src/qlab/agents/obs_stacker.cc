#include "qlab/agents/obs_stacker.h"

#include <algorithm>
#include <cstring>

#include "qlab/core/check.h"

namespace qlab {

ObsStacker::ObsStacker(const EnvSpec& spec, int num_envs, int stack)
    : dtype_(spec.obs_dtype),
      num_envs_(num_envs),
      stack_(stack),
      obs_size_(static_cast<int64_t>(spec.obs_size())) {
  QLAB_CHECK_GE(stack, 1);
  frames_.assign(static_cast<size_t>(num_envs) * stack * obs_size_, 0.0f);
}

void ObsStacker::Push(const uint8_t* obs, std::span<const uint8_t> episode_start) {
  QLAB_CHECK_EQ(static_cast<int>(episode_start.size()), num_envs_);
  const int64_t row_size = stack_ * obs_size_;
  const size_t obs_bytes = obs_size_ * (dtype_ == DType::kUInt8 ? 1 : sizeof(float));
  for (int i = 0; i < num_envs_; ++i) {
    float* row = frames_.data() + i * row_size;
    if (stack_ > 1) {
      if (episode_start[i]) {
        std::fill(row, row + row_size - obs_size_, 0.0f);
      } else {
        std::memmove(row, row + obs_size_, (row_size - obs_size_) * sizeof(float));
      }
    }
    float* newest = row + row_size - obs_size_;
    const uint8_t* source = obs + i * obs_bytes;
    if (dtype_ == DType::kUInt8) {
      for (int64_t k = 0; k < obs_size_; ++k) newest[k] = source[k];
    } else {
      std::memcpy(newest, source, obs_bytes);
    }
  }
}

}  // namespace qlab

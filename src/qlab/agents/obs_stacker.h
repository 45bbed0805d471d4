// ObsStacker: turns the env's raw observation rows into the float network input of N envs,
// keeping the last `stack` frames per env (channels oldest first, zeros before an episode start),
// the same layout the replay rebuilds at sample time. With stack = 1 it only converts.
#pragma once

#include <cstdint>
#include <span>

#include "qlab/core/aligned.h"
#include "qlab/core/archive.h"
#include "qlab/core/spec.h"

namespace qlab {

class ObsStacker {
 public:
  ObsStacker(const EnvSpec& spec, int num_envs, int stack);

  // Pushes one row per env; rows with episode_start[i] drop their older frames.
  void Push(const uint8_t* obs, std::span<const uint8_t> episode_start);
  const float* data() const { return frames_.data(); }  // [N, stack * obs_size]
  float* data() { return frames_.data(); }

  void Save(Archive& archive, const std::string& name) const { archive.PutVector(name, frames_); }
  void Load(const Archive& archive, const std::string& name) { archive.GetVector(name, frames_); }

 private:
  DType dtype_;
  int num_envs_;
  int stack_;
  int64_t obs_size_;
  AlignedVector<float> frames_;
};

}  // namespace qlab

#include "qlab/core/vec_env.h"

namespace qlab {

StepBatch AnyVecEnv::MakeBatch() const {
  StepBatch batch;
  batch.num_envs = num_envs_;
  batch.obs_bytes = spec_.obs_bytes();
  batch.obs.assign(num_envs_ * batch.obs_bytes, 0);
  batch.final_obs.assign(num_envs_ * batch.obs_bytes, 0);
  batch.reward.assign(num_envs_, 0.0f);
  batch.terminated.assign(num_envs_, 0);
  batch.truncated.assign(num_envs_, 0);
  batch.episode_return.assign(num_envs_, 0.0);
  batch.episode_length.assign(num_envs_, 0);
  return batch;
}

}  // namespace qlab

#include "qlab/core/vec_env.h"

namespace qlab {

StepBatch StepBatch::Make(int num_envs, size_t obs_bytes) {
  StepBatch batch;
  batch.num_envs = num_envs;
  batch.obs_bytes = obs_bytes;
  batch.obs.assign(num_envs * obs_bytes, 0);
  batch.final_obs.assign(num_envs * obs_bytes, 0);
  batch.reward.assign(num_envs, 0.0f);
  batch.terminated.assign(num_envs, 0);
  batch.truncated.assign(num_envs, 0);
  batch.episode_return.assign(num_envs, 0.0);
  batch.episode_length.assign(num_envs, 0);
  return batch;
}

StepBatch AnyVecEnv::MakeBatch() const { return StepBatch::Make(num_envs_, spec_.obs_bytes()); }

}  // namespace qlab

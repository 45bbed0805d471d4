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

ActionBatch::ActionBatch(const AnyVecEnv& env) : space(env.spec().action_space) {
  if (space.discrete()) {
    index.assign(env.num_envs(), 0);
  } else {
    box.assign(static_cast<size_t>(env.num_envs()) * space.dims(), 0.0f);
  }
}

void ActionBatch::RandomizeRow(int row, Rng& rng) {
  if (space.discrete()) {
    index[row] = static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(space.n)));
    return;
  }
  const int dims = space.dims();
  for (int d = 0; d < dims; ++d)
    box[static_cast<size_t>(row) * dims + d] =
        static_cast<float>(rng.Uniform(space.low[d], space.high[d]));
}

void ActionBatch::Randomize(Rng& rng) {
  const size_t rows = space.discrete() ? index.size() : box.size() / space.dims();
  for (size_t i = 0; i < rows; ++i) RandomizeRow(static_cast<int>(i), rng);
}

void ActionBatch::StepOn(AnyVecEnv& env, StepBatch& out) const {
  if (space.discrete()) {
    env.Step(index, out);
  } else {
    env.StepBox(box, out);
  }
}

}  // namespace qlab

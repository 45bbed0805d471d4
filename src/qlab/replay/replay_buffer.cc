#include "qlab/replay/replay_buffer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab {

ReplayBuffer::ReplayBuffer(const EnvSpec& spec, int num_envs, const ReplayOptions& options)
    : spec_(spec),
      options_(options),
      num_envs_(num_envs),
      per_env_(options.capacity / num_envs),
      capacity_(per_env_ * num_envs),
      obs_size_(static_cast<int64_t>(spec.obs_size())),
      packed_(spec.obs_binary && spec.obs_dtype == DType::kUInt8),
      tree_(options.prioritized ? std::max<int64_t>(1, per_env_ * num_envs) : 1) {
  QLAB_CHECK_GE(num_envs, 1);
  if (spec.action_space.discrete() && spec.action_space.n > 256)
    throw UserError(fmt::format("replay: env {} has more than 256 discrete actions", spec.id));
  if (!spec.action_space.discrete()) box_dims_ = spec.action_space.dims();
  if (options.n_step < 1 || options.stack < 1)
    throw UserError("replay: n_step and stack must be >= 1");
  // a ring must hold a whole n-step window plus the stack it looks back to
  const int64_t min_per_env = options.n_step + options.stack + 2;
  if (per_env_ < min_per_env)
    throw UserError(fmt::format(
        "replay.capacity = {} is too small for {} envs: each env's ring needs >= {} slots",
        options.capacity, num_envs, min_per_env));
  row_bytes_ = packed_ ? (obs_size_ + 7) / 8 : static_cast<int64_t>(spec.obs_bytes());
  obs_.assign(capacity_ * row_bytes_, 0);
  action_.assign(capacity_, 0);
  box_action_.assign(capacity_ * box_dims_, 0.0f);
  reward_.assign(capacity_, 0.0f);
  flags_.assign(capacity_, 0);
  written_.assign(num_envs, 0);
  pending_.assign(num_envs, 0);
  next_is_start_.assign(num_envs, 1);
}

size_t ReplayBuffer::memory_bytes() const {
  return obs_.size() + action_.size() + (box_action_.size() + reward_.size()) * sizeof(float) +
         flags_.size() +
         (options_.prioritized ? 2 * sizeof(double) * static_cast<size_t>(capacity_) : 0);
}

void ReplayBuffer::Add(const uint8_t* obs, std::span<const int32_t> actions,
                       const StepBatch& next) {
  QLAB_CHECK(box_dims_ == 0);
  QLAB_CHECK_EQ(static_cast<int>(actions.size()), num_envs_);
  AddStep(obs, next,
          [&](int env, int64_t slot) { action_[slot] = static_cast<uint8_t>(actions[env]); });
}

void ReplayBuffer::AddBox(const uint8_t* obs, std::span<const float> actions,
                          const StepBatch& next) {
  QLAB_CHECK(box_dims_ > 0);
  QLAB_CHECK_EQ(static_cast<int64_t>(actions.size()), int64_t{num_envs_} * box_dims_);
  AddStep(obs, next, [&](int env, int64_t slot) {
    std::copy_n(actions.data() + env * box_dims_, box_dims_, box_action_.data() + slot * box_dims_);
  });
}

template <class WriteAction>
void ReplayBuffer::AddStep(const uint8_t* obs, const StepBatch& next, WriteAction write_action) {
  QLAB_CHECK_EQ(next.num_envs, num_envs_);
  const size_t obs_bytes = spec_.obs_bytes();
  for (int env = 0; env < num_envs_; ++env) {
    uint8_t flags = next_is_start_[env] ? kStart : 0;
    if (next.terminated[env]) flags |= kTerminated;
    if (next.truncated[env]) flags |= kTruncated;
    write_action(env, Write(env, obs + env * obs_bytes, next.reward[env], flags));
    next_is_start_[env] = 0;
    if (next.done(env)) {
      Write(env, next.final_obs.data() + env * obs_bytes, 0.0f, kFinal);
      next_is_start_[env] = 1;
    }
  }
}

int64_t ReplayBuffer::Write(int env, const uint8_t* obs_row, float reward, uint8_t flags) {
  const int64_t w = written_[env];
  const int64_t slot = Slot(env, w);
  // the slot's old content goes, and so do the stacks that look back into it
  if (w >= per_env_) {
    Unmark(slot);
    for (int j = 1; j < options_.stack; ++j) {
      const int64_t later = Slot(env, w - per_env_ + j);
      if (flags_[later] & kStart) break;
      Unmark(later);
    }
  }
  uint8_t* row = obs_.data() + slot * row_bytes_;
  if (packed_) {
    std::fill(row, row + row_bytes_, 0);
    for (int64_t i = 0; i < obs_size_; ++i) {
      QLAB_CHECK(obs_row[i] <= 1);
      row[i >> 3] |= static_cast<uint8_t>(obs_row[i] << (i & 7));
    }
  } else {
    std::copy(obs_row, obs_row + row_bytes_, row);
  }
  action_[slot] = 0;  // the caller stores the action that leaves the observation
  reward_[slot] = reward;
  flags_[slot] = flags;
  written_[env] = w + 1;

  // slots whose n-step window is now complete become sampleable
  if (flags & kFinal) {
    for (int64_t t = pending_[env]; t < w; ++t) Mark(Slot(env, t));
    pending_[env] = w + 1;
  } else {
    for (; pending_[env] + options_.n_step <= w; ++pending_[env]) Mark(Slot(env, pending_[env]));
  }
  return slot;
}

void ReplayBuffer::Mark(int64_t slot) {
  QLAB_CHECK(!(flags_[slot] & (kSampleable | kFinal)));
  flags_[slot] |= kSampleable;
  ++num_sampleable_;
  if (options_.prioritized) tree_.Set(slot, max_priority_);
}

void ReplayBuffer::Unmark(int64_t slot) {
  if (!(flags_[slot] & kSampleable)) return;
  flags_[slot] &= ~kSampleable;
  --num_sampleable_;
  if (options_.prioritized) tree_.Set(slot, 0.0);
}

ReplayBatch ReplayBuffer::MakeBatch(int batch_size, int sequence) const {
  QLAB_CHECK_GE(sequence, 0);
  if (sequence >= per_env_)
    throw UserError(fmt::format("replay: subsequences of {} steps need rings of more than {} slots",
                                sequence, per_env_));
  ReplayBatch batch;
  batch.size = batch_size;
  batch.sequence = sequence;
  batch.seq_obs.assign(static_cast<size_t>(batch_size) * sequence * stacked_obs_size(), 0.0f);
  batch.seq_action.assign(static_cast<size_t>(batch_size) * sequence, 0);
  batch.seq_valid.assign(static_cast<size_t>(batch_size) * sequence, 0.0f);
  batch.obs.assign(batch_size * stacked_obs_size(), 0.0f);
  batch.next_obs.assign(batch_size * stacked_obs_size(), 0.0f);
  batch.action.assign(batch_size, 0);
  batch.box_action.assign(static_cast<size_t>(batch_size) * box_dims_, 0.0f);
  batch.reward.assign(batch_size, 0.0f);
  batch.discount.assign(batch_size, 0.0f);
  batch.weight.assign(batch_size, 1.0f);
  batch.index.assign(batch_size, 0);
  SetReturns(batch, options_.n_step, options_.gamma);
  return batch;
}

void ReplayBuffer::SetReturns(ReplayBatch& batch, int n, double gamma) const {
  QLAB_CHECK(n >= 1 && n <= options_.n_step);
  batch.n_step = n;
  batch.gamma_powers.resize(n + 1);
  for (int k = 0; k <= n; ++k) batch.gamma_powers[k] = std::pow(gamma, k);
}

void ReplayBuffer::Sample(Rng& rng, double beta, ReplayBatch& batch) const {
  QLAB_CHECK_GT(num_sampleable_, 0);
  QLAB_CHECK_EQ(static_cast<int64_t>(batch.obs.size()), batch.size * stacked_obs_size());
  if (!options_.prioritized) {
    // uniform over sampleable slots: rejection over the filled part of the rings
    int64_t filled = 0;
    for (int64_t w : written_) filled = std::max(filled, std::min(w, per_env_));
    for (int i = 0; i < batch.size; ++i) {
      const int64_t slot = UniformSlot(rng, filled);
      batch.index[i] = slot;
      batch.weight[i] = 1.0f;
      Gather(slot, i, batch);
    }
    return;
  }
  // proportional: one draw per equal stratum of the total priority mass
  const double total = tree_.total();
  const double stratum = total / batch.size;
  double max_weight = 0.0;
  for (int i = 0; i < batch.size; ++i) {
    const double mass = std::min((i + rng.Uniform()) * stratum, std::nextafter(total, 0.0));
    const int64_t slot = tree_.Find(mass);
    const double probability = tree_.Get(slot) / total;
    const double weight = std::pow(static_cast<double>(num_sampleable_) * probability, -beta);
    max_weight = std::max(max_weight, weight);
    batch.index[i] = slot;
    batch.weight[i] = static_cast<float>(weight);
    Gather(slot, i, batch);
  }
  for (int i = 0; i < batch.size; ++i)
    batch.weight[i] = static_cast<float>(batch.weight[i] / max_weight);
}

int64_t ReplayBuffer::UniformSlot(Rng& rng, int64_t filled) const {
  // rejection over the filled part of the rings
  int64_t slot;
  do {
    const int64_t draw = rng.UniformInt(0, static_cast<int>(filled * num_envs_));
    slot = (draw / filled) * per_env_ + draw % filled;
  } while (!(flags_[slot] & kSampleable));
  return slot;
}

void ReplayBuffer::SampleOldest(Rng& rng, double fraction, ReplayBatch& batch) const {
  QLAB_CHECK_GT(num_sampleable_, 0);
  QLAB_CHECK_EQ(static_cast<int64_t>(batch.obs.size()), batch.size * stacked_obs_size());
  // per env: stored written indices [first, written), the oldest `fraction` of them
  std::vector<int64_t> first(num_envs_), oldest(num_envs_);
  int64_t total = 0, filled = 0;
  for (int e = 0; e < num_envs_; ++e) {
    const int64_t stored = std::min(written_[e], per_env_);
    first[e] = written_[e] - stored;
    oldest[e] = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(stored)));
    total += oldest[e];
    filled = std::max(filled, stored);
  }
  constexpr int kTries = 64;  // then the item is drawn from the whole buffer
  for (int i = 0; i < batch.size; ++i) {
    int64_t slot = -1;
    for (int t = 0; t < kTries && slot < 0; ++t) {
      int64_t draw = rng.UniformInt(0, static_cast<int>(total));
      int e = 0;
      while (draw >= oldest[e]) draw -= oldest[e++];
      const int64_t candidate = Slot(e, first[e] + draw);
      if (flags_[candidate] & kSampleable) slot = candidate;
    }
    if (slot < 0) slot = UniformSlot(rng, filled);
    batch.index[i] = slot;
    batch.weight[i] = 1.0f;
    Gather(slot, i, batch);
  }
}

void ReplayBuffer::Gather(int64_t slot, int row, ReplayBatch& batch) const {
  const int64_t base = slot - slot % per_env_;
  auto ring = [&](int64_t s, int64_t k) { return base + (s - base + k) % per_env_; };
  double ret = 0.0;
  const int n = batch.n_step;
  const std::vector<double>& gamma_powers = batch.gamma_powers;
  double discount = gamma_powers[n];
  int64_t next = ring(slot, n);
  for (int k = 0; k < n; ++k) {
    const int64_t s = ring(slot, k);
    QLAB_CHECK(!(flags_[s] & kFinal));
    ret += gamma_powers[k] * reward_[s];
    if (flags_[s] & (kTerminated | kTruncated)) {
      discount = (flags_[s] & kTerminated) ? 0.0 : gamma_powers[k + 1];
      next = ring(s, 1);
      break;
    }
  }
  batch.action[row] = action_[slot];
  if (box_dims_ > 0)
    std::copy_n(box_action_.data() + slot * box_dims_, box_dims_,
                batch.box_action.data() + static_cast<int64_t>(row) * box_dims_);
  batch.reward[row] = static_cast<float>(ret);
  batch.discount[row] = static_cast<float>(discount);
  WriteStack(slot, batch.obs.data() + row * stacked_obs_size());
  WriteStack(next, batch.next_obs.data() + row * stacked_obs_size());
  if (batch.sequence > 0) GatherSequence(slot, row, batch);
}

void ReplayBuffer::GatherSequence(int64_t slot, int row, ReplayBatch& batch) const {
  const int64_t base = slot - slot % per_env_;
  const int env = static_cast<int>(slot / per_env_);
  // slots written after this one in its ring (it is sampleable, so among the last per_env_)
  const int64_t ahead = ((written_[env] - 1 - (slot - base)) % per_env_ + per_env_) % per_env_;
  const int k_max = batch.sequence;
  float* obs = batch.seq_obs.data() + static_cast<int64_t>(row) * k_max * stacked_obs_size();
  int64_t* action = batch.seq_action.data() + static_cast<int64_t>(row) * k_max;
  float* valid = batch.seq_valid.data() + static_cast<int64_t>(row) * k_max;
  int64_t current = slot;
  bool alive = true;
  for (int k = 0; k < k_max; ++k) {
    // step k + 1 exists if a transition leaves `current` and its result is already stored
    alive = alive && !(flags_[current] & kFinal) && k + 1 <= ahead;
    float* out = obs + k * stacked_obs_size();
    if (!alive) {
      std::fill(out, out + stacked_obs_size(), 0.0f);
      action[k] = 0;
      valid[k] = 0.0f;
      continue;
    }
    action[k] = action_[current];
    valid[k] = 1.0f;
    current = base + (current - base + 1) % per_env_;
    WriteStack(current, out);
  }
}

void ReplayBuffer::WriteStack(int64_t slot, float* out) const {
  const int64_t base = slot - slot % per_env_;
  int64_t current = slot;
  for (int frame = options_.stack - 1; frame >= 0; --frame) {
    Unpack(current, out + frame * obs_size_);
    if (flags_[current] & kStart) {
      std::fill(out, out + frame * obs_size_, 0.0f);
      return;
    }
    current = base + (current - base + per_env_ - 1) % per_env_;
  }
}

void ReplayBuffer::Unpack(int64_t slot, float* out) const {
  const uint8_t* row = obs_.data() + slot * row_bytes_;
  if (packed_) {
    for (int64_t i = 0; i < obs_size_; ++i)
      out[i] = static_cast<float>((row[i >> 3] >> (i & 7)) & 1);
  } else if (spec_.obs_dtype == DType::kUInt8) {
    for (int64_t i = 0; i < obs_size_; ++i) out[i] = row[i];
  } else {
    std::memcpy(out, row, obs_size_ * sizeof(float));
  }
}

void ReplayBuffer::UpdatePriorities(std::span<const int64_t> index, std::span<const float> td_abs) {
  QLAB_CHECK(options_.prioritized);
  QLAB_CHECK_EQ(index.size(), td_abs.size());
  for (size_t i = 0; i < index.size(); ++i) {
    // a slot overwritten since it was sampled keeps its new (max) priority
    if (!(flags_[index[i]] & kSampleable)) continue;
    QLAB_CHECK(std::isfinite(td_abs[i]));
    const double priority =
        std::pow(static_cast<double>(td_abs[i]) + options_.priority_eps, options_.alpha);
    max_priority_ = std::max(max_priority_, priority);
    tree_.Set(index[i], priority);
  }
}

void ReplayBuffer::Save(Archive& archive, const std::string& prefix) const {
  archive.PutVector(prefix + "obs", obs_);
  archive.PutVector(prefix + "action", action_);
  if (box_dims_ > 0) archive.PutVector(prefix + "box_action", box_action_);
  archive.PutVector(prefix + "reward", reward_);
  archive.PutVector(prefix + "flags", flags_);
  archive.PutVector(prefix + "written", written_);
  archive.PutVector(prefix + "pending", pending_);
  archive.PutVector(prefix + "next_is_start", next_is_start_);
  archive.Put(prefix + "num_sampleable", num_sampleable_);
  archive.Put(prefix + "max_priority", max_priority_);
  if (options_.prioritized) archive.PutVector(prefix + "priorities", tree_.Leaves());
}

void ReplayBuffer::Load(const Archive& archive, const std::string& prefix) {
  archive.GetVector(prefix + "obs", obs_);
  archive.GetVector(prefix + "action", action_);
  if (box_dims_ > 0) archive.GetVector(prefix + "box_action", box_action_);
  archive.GetVector(prefix + "reward", reward_);
  archive.GetVector(prefix + "flags", flags_);
  archive.GetVector(prefix + "written", written_);
  archive.GetVector(prefix + "pending", pending_);
  archive.GetVector(prefix + "next_is_start", next_is_start_);
  num_sampleable_ = archive.Get<int64_t>(prefix + "num_sampleable");
  max_priority_ = archive.Get<double>(prefix + "max_priority");
  if (options_.prioritized) {
    std::vector<double> leaves(tree_.size());
    archive.GetVector(prefix + "priorities", leaves);
    tree_.SetLeaves(leaves);
  }
}

}  // namespace qlab

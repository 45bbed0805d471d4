// ReplayBuffer: fixed-capacity experience replay for N parallel envs (DESIGN.md §5).
//
// Storage is struct-of-arrays and split into one ring per env, so transitions of different envs
// never mix. Each slot holds one observation and the transition that leaves it (action, reward,
// terminated/truncated); the next observation is the next slot of the same ring. When an episode
// ends, one extra "final" slot holds the last observation (StepBatch::final_obs), so truncated
// episodes bootstrap from it and terminated ones stop there. Binary observations (EnvSpec::
// obs_binary, e.g. MinAtar) are stored bit-packed: 1M Breakout transitions take ~53 MiB.
//
// n-step returns are computed at sample time: R = sum_k gamma^k r_{t+k} until n steps or the end
// of the episode; discount = gamma^(k+1) for a truncation or n full steps, 0 for a termination
// (DESIGN.md §4). A batch may use a shorter horizon and another gamma than the buffer's
// (SetReturns: BBF anneals both). Frame stacks (stack > 1) are rebuilt at sample time from
// consecutive slots, zero-filled before the episode start (as Dopamine does).
//
// A slot becomes sampleable once its whole n-step window is stored, and stops being sampleable
// when it, or a frame its stack looks back to, is overwritten. Samplers see only that flag and
// priorities: uniform (rejection over the filled rings) or proportional prioritized (Schaul et al.
// 2016: P(i) = p_i^alpha / sum_j p_j^alpha, new items at the max priority, importance weights
// (N P(i))^-beta normalised by the batch maximum, stratified sampling over the sum tree).
// Batches can also carry the K steps that follow each sampled one (subsequence sampling of SPR,
// Schwarzer et al. 2021), with validity masks at episode ends.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "qlab/core/aligned.h"
#include "qlab/core/archive.h"
#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/vec_env.h"
#include "qlab/replay/sum_tree.h"

namespace qlab {

struct ReplayOptions {
  int64_t capacity = 100000;  // slots over all envs (each env gets capacity / num_envs)
  int n_step = 1;
  double gamma = 0.99;
  int stack = 1;  // frames per observation, rebuilt at sample time
  bool prioritized = false;
  double alpha = 0.5;          // priority exponent
  double priority_eps = 1e-6;  // added to |TD error| so no item starves
};

// One sampled batch, preallocated and reused; observations as float32 [B, stack * C, ...].
struct ReplayBatch {
  int size = 0;
  AlignedVector<float> obs, next_obs;
  AlignedVector<int64_t> action;    // discrete spaces
  AlignedVector<float> box_action;  // Box spaces: [B, dims], as the env took them
  AlignedVector<float> reward;      // n-step return
  AlignedVector<float> discount;    // gamma^k of the bootstrap, 0 after a termination
  AlignedVector<float> weight;      // importance weight (1 without prioritization)
  AlignedVector<int64_t> index;     // slots, for UpdatePriorities
  // the returns' horizon n and gamma^k, k = 0..n (MakeBatch: the buffer's; SetReturns changes)
  int n_step = 1;
  std::vector<double> gamma_powers;
  // Subsequences (SPR, BBF; MakeBatch with sequence K > 0): the K observations after `obs` of the
  // same episode [B, K, stack * C, ...], the actions taken from `obs` on [B, K], and validity
  // [B, K] (1 while the step exists: 0 after the episode's last observation, or not yet stored).
  int sequence = 0;
  AlignedVector<float> seq_obs;
  AlignedVector<int64_t> seq_action;
  AlignedVector<float> seq_valid;
};

class ReplayBuffer {
 public:
  ReplayBuffer(const EnvSpec& spec, int num_envs, const ReplayOptions& options);

  // Stores one vector step: `obs` holds the N observations the actions were chosen on (raw bytes
  // of spec.obs_dtype), `next` the result of stepping them.
  void Add(const uint8_t* obs, std::span<const int32_t> actions, const StepBatch& next);
  // The same for Box action spaces: N rows of spec.action_space.dims() floats.
  void AddBox(const uint8_t* obs, std::span<const float> actions, const StepBatch& next);

  int64_t num_sampleable() const { return num_sampleable_; }
  int64_t capacity() const { return capacity_; }
  size_t memory_bytes() const;
  const ReplayOptions& options() const { return options_; }
  // floats of one stacked observation (stack * obs_size)
  int64_t stacked_obs_size() const { return static_cast<int64_t>(options_.stack) * obs_size_; }

  ReplayBatch MakeBatch(int batch_size, int sequence = 0) const;
  // Later samples into `batch` use n-step returns with horizon n (1..options().n_step) and gamma.
  void SetReturns(ReplayBatch& batch, int n, double gamma) const;
  // Draws batch.size items (with replacement); needs num_sampleable() > 0. `beta` is the
  // importance-sampling exponent (ignored without prioritization).
  void Sample(Rng& rng, double beta, ReplayBatch& batch) const;
  // Draws uniformly among the oldest `fraction` of each env's stored slots (Neuroplastic
  // Expansion's experience review; importance weights 1, priorities ignored). Falls back to
  // Sample's uniform draw for an item when that part holds nothing sampleable.
  void SampleOldest(Rng& rng, double fraction, ReplayBatch& batch) const;
  // New priorities from |TD errors| of a sampled batch (prioritized only).
  void UpdatePriorities(std::span<const int64_t> index, std::span<const float> td_abs);

  void Save(Archive& archive, const std::string& prefix) const;
  void Load(const Archive& archive, const std::string& prefix);

 private:
  enum Flag : uint8_t {
    kTerminated = 1,
    kTruncated = 2,
    kFinal = 4,  // holds a final observation only, no transition leaves it
    kStart = 8,  // first observation of an episode
    kSampleable = 16,
  };

  int64_t Slot(int env, int64_t written_index) const {
    return env * per_env_ + written_index % per_env_;
  }
  // Stores one observation and the transition leaving it; returns its slot.
  int64_t Write(int env, const uint8_t* obs_row, float reward, uint8_t flags);
  // Add's body; `write_action(env, slot)` stores env's action at the slot just written.
  template <class WriteAction>
  void AddStep(const uint8_t* obs, const StepBatch& next, WriteAction write_action);
  void Mark(int64_t slot);
  void Unmark(int64_t slot);
  void WriteStack(int64_t slot, float* out) const;
  void Unpack(int64_t slot, float* out) const;
  // A sampleable slot drawn uniformly, `filled` the longest ring's stored length.
  int64_t UniformSlot(Rng& rng, int64_t filled) const;
  void Gather(int64_t slot, int row, ReplayBatch& batch) const;
  void GatherSequence(int64_t slot, int row, ReplayBatch& batch) const;

  EnvSpec spec_;
  ReplayOptions options_;
  int num_envs_;
  int64_t per_env_;
  int64_t capacity_;
  int64_t obs_size_;   // elements of one observation
  int64_t row_bytes_;  // stored bytes of one observation
  bool packed_;

  AlignedVector<uint8_t> obs_;  // [capacity, row_bytes]
  AlignedVector<uint8_t> action_;
  int box_dims_ = 0;                 // Box spaces: floats per action (0: discrete)
  AlignedVector<float> box_action_;  // [capacity, box_dims]
  AlignedVector<float> reward_;
  AlignedVector<uint8_t> flags_;

  // per env: slots written so far, first slot whose n-step window is incomplete, next is a start
  std::vector<int64_t> written_;
  std::vector<int64_t> pending_;
  std::vector<uint8_t> next_is_start_;
  int64_t num_sampleable_ = 0;

  SumTree tree_;
  double max_priority_ = 1.0;  // in p^alpha units
};

}  // namespace qlab

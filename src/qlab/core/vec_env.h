// Batched environments (DESIGN.md §4).
//
// A concrete env E is a small copyable class with this shape (see docs/adding_an_env.md):
//   using Obs = uint8_t or float;                  // observation element type
//   EnvSpec MakeSpec() const;                      // built once per VecEnv, not per step
//   void Reset(Rng& rng);
//   StepOutcome Step(int action, Rng& rng);        // discrete action index, or for Box spaces
//   StepOutcome Step(std::span<const float> action, Rng& rng);  // one action row
//   void WriteObs(Obs* out) const;                 // writes spec.obs_size() elements, CHW order
// An E that is not plain data (a physics engine's world) also provides
//   void Save(std::string& out) const;  void Load(std::string_view bytes);
// and a copy constructor that makes an equal env; VecEnv then snapshots it through those.
// VecEnv<E> steps N copies of E on a ThreadPool with no virtual call and no allocation per step;
// AnyVecEnv is the type-erased boundary the rest of qlab uses, one virtual call per batch.
//
// Step semantics: `terminated` is a true end (bootstrap with 0); `truncated` is the time limit
// (bootstrap from final_obs). A finished env is reset in the same step: its `obs` row holds the
// first observation of the new episode and its `final_obs` row the last observation of the old
// one, with episode_return/episode_length of the finished episode. Rows of final_obs,
// episode_return and episode_length are only written for envs that finished in this step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "qlab/core/aligned.h"
#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/core/rng.h"
#include "qlab/core/spec.h"
#include "qlab/core/thread_pool.h"

namespace qlab {

struct StepOutcome {
  double reward = 0.0;
  bool terminated = false;
};

// Caller-owned buffers for one batch of N envs; allocated once by AnyVecEnv::MakeBatch().
struct StepBatch {
  int num_envs = 0;
  size_t obs_bytes = 0;                   // bytes of one observation
  AlignedVector<uint8_t> obs;             // [N, obs...] raw bytes of spec.obs_dtype
  AlignedVector<uint8_t> final_obs;       // [N, obs...], rows of finished envs only
  AlignedVector<float> reward;            // [N]
  AlignedVector<uint8_t> terminated;      // [N] 0/1
  AlignedVector<uint8_t> truncated;       // [N] 0/1
  AlignedVector<double> episode_return;   // [N], rows of finished envs only
  AlignedVector<int32_t> episode_length;  // [N], rows of finished envs only

  // Zeroed buffers for `num_envs` rows of `obs_bytes`-byte observations.
  static StepBatch Make(int num_envs, size_t obs_bytes);

  bool done(int i) const { return terminated[i] != 0 || truncated[i] != 0; }
  template <class T>
  std::span<const T> obs_row(int i) const {
    return {reinterpret_cast<const T*>(obs.data() + i * obs_bytes), obs_bytes / sizeof(T)};
  }
  template <class T>
  std::span<const T> final_obs_row(int i) const {
    return {reinterpret_cast<const T*>(final_obs.data() + i * obs_bytes), obs_bytes / sizeof(T)};
  }
};

struct VecEnvOptions {
  int num_envs = 1;
  uint64_t seed = 0;
  uint64_t stream = StreamId("env");  // distinct streams for train and eval envs of one run
  ThreadPool* pool = nullptr;         // nullptr: step on the calling thread
};

class AnyVecEnv {
 public:
  virtual ~AnyVecEnv() = default;

  const EnvSpec& spec() const { return spec_; }
  const std::string& name() const { return name_; }  // canonical name with every parameter
  int num_envs() const { return num_envs_; }

  StepBatch MakeBatch() const;

  // Resets every env (fresh episodes; per-env RNG streams continue) and writes `obs`.
  virtual void Reset(StepBatch& out) = 0;
  // One step of every env; actions[i] is an index into the env's action set (discrete spaces).
  virtual void Step(std::span<const int32_t> actions, StepBatch& out) = 0;
  // The same for Box action spaces: actions holds N rows of action_space.dims() floats.
  virtual void StepBox(std::span<const float> actions, StepBatch& out) = 0;

  // Multi-task envs (multi_task.h) run several tasks side by side; a plain env is one task.
  virtual int num_tasks() const { return 1; }
  virtual int task_of(int /*env*/) const { return 0; }
  virtual std::string task_name(int /*task*/) const { return name_; }
  // Everything needed to continue bit-exactly: env states, RNG streams, episode counters.
  virtual std::string SaveState() const = 0;
  virtual void LoadState(std::string_view bytes) = 0;  // throws UserError if it does not fit

 protected:
  AnyVecEnv(EnvSpec spec, std::string name, int num_envs)
      : spec_(std::move(spec)), name_(std::move(name)), num_envs_(num_envs) {}

  EnvSpec spec_;
  std::string name_;
  int num_envs_;
};

// One batch of actions of either kind (indices for discrete spaces, N rows of dims() floats for
// Box spaces), for tools and tests that act without an agent.
struct ActionBatch {
  ActionSpace space;
  std::vector<int32_t> index;
  std::vector<float> box;

  ActionBatch() = default;
  explicit ActionBatch(const AnyVecEnv& env);
  // Row i uniformly at random: an index in [0, n) (one UniformInt draw, as random policies always
  // drew) or each float uniform in [low, high].
  void RandomizeRow(int row, Rng& rng);
  void Randomize(Rng& rng);  // every row, in order, from one stream
  void StepOn(AnyVecEnv& env, StepBatch& out) const;
};

template <class E>
class VecEnv final : public AnyVecEnv {
 public:
  using Obs = typename E::Obs;
  // a snapshot is a byte copy of plain-data envs, else the env's own Save / Load
  static constexpr bool kPlainData = std::is_trivially_copyable_v<E>;
  static_assert(
      kPlainData ||
          requires(const E& e, E& m, std::string& out, std::string_view in) {
            e.Save(out);
            m.Load(in);
          },
      "env state must be plain data (a copy is a snapshot) or have Save / Load");
  // an env takes discrete actions, continuous ones (a float span per step), or either
  static constexpr bool kDiscrete = requires(E & e, Rng& rng) { e.Step(0, rng); };
  static constexpr bool kBox = requires(E & e, std::span<const float> a, Rng& rng) {
    e.Step(a, rng);
  };
  static_assert(kDiscrete || kBox,
                "env needs Step(int, Rng&) or Step(std::span<const float>, Rng&)");

  // `max_episode_steps` overrides the spec's time limit (0 = none).
  VecEnv(const E& prototype, std::string name, int max_episode_steps, const VecEnvOptions& options)
      : AnyVecEnv(prototype.MakeSpec(), std::move(name), options.num_envs), pool_(options.pool) {
    QLAB_CHECK_GE(options.num_envs, 1);
    spec_.max_episode_steps = max_episode_steps;
    QLAB_CHECK_EQ(spec_.obs_bytes(), spec_.obs_size() * sizeof(Obs));
    envs_.assign(num_envs_, prototype);
    for (int i = 0; i < num_envs_; ++i)
      rngs_.emplace_back(DeriveSeed(options.seed, options.stream + i));
    counters_.assign(num_envs_, Counters{});
  }

  void Reset(StepBatch& out) override {
    CheckBatch(out);
    ForEachChunk([&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        envs_[i].Reset(rngs_[i]);
        counters_[i] = Counters{};
        envs_[i].WriteObs(Row(out.obs, i));
        out.reward[i] = 0.0f;
        out.terminated[i] = out.truncated[i] = 0;
      }
    });
  }

  void Step(std::span<const int32_t> actions, StepBatch& out) override {
    if constexpr (kDiscrete) {
      QLAB_CHECK(spec_.action_space.discrete());
      QLAB_CHECK_EQ(actions.size(), static_cast<size_t>(num_envs_));
      const int num_actions = spec_.action_space.n;
      StepEach(out, [&](int i) {
        const int action = actions[i];
        QLAB_CHECK(action >= 0 && action < num_actions);
        return envs_[i].Step(action, rngs_[i]);
      });
    } else {
      QLAB_CHECK(false && "Step with indices on an env with continuous actions: use StepBox");
    }
  }

  void StepBox(std::span<const float> actions, StepBatch& out) override {
    if constexpr (kBox) {
      QLAB_CHECK(!spec_.action_space.discrete());
      const size_t dims = spec_.action_space.low.size();
      QLAB_CHECK_EQ(actions.size(), num_envs_ * dims);
      StepEach(out,
               [&](int i) { return envs_[i].Step(actions.subspan(i * dims, dims), rngs_[i]); });
    } else {
      QLAB_CHECK(false && "StepBox on an env with discrete actions: use Step");
    }
  }

  std::string SaveState() const override {
    std::string bytes;
    if constexpr (kPlainData) Append(bytes, envs_);  // first: the layout of older checkpoints
    Append(bytes, rngs_);
    Append(bytes, counters_);
    if constexpr (!kPlainData) {
      for (const E& env : envs_) {  // each env's bytes after their length
        std::string state;
        env.Save(state);
        const uint64_t size = state.size();
        bytes.append(reinterpret_cast<const char*>(&size), sizeof(size));
        bytes += state;
      }
    }
    return bytes;
  }

  void LoadState(std::string_view bytes) override {
    const size_t fixed = num_envs_ * (sizeof(Rng) + sizeof(Counters));
    const size_t expected = fixed + (kPlainData ? num_envs_ * sizeof(E) : 0);
    const bool fits = kPlainData ? bytes.size() == expected : bytes.size() >= expected;
    if (!fits)
      throw UserError("env state of " + name_ + " does not fit: " + std::to_string(bytes.size()) +
                      " bytes, expected " + std::to_string(expected) +
                      " (other env, params or num_envs?)");
    const char* cursor = bytes.data();
    if constexpr (kPlainData) Read(cursor, envs_);
    Read(cursor, rngs_);
    Read(cursor, counters_);
    if constexpr (!kPlainData) {
      std::string_view rest = bytes.substr(fixed);
      for (E& env : envs_) {
        uint64_t size = 0;
        if (rest.size() < sizeof(size)) throw UserError("env state of " + name_ + " is truncated");
        std::memcpy(&size, rest.data(), sizeof(size));
        rest.remove_prefix(sizeof(size));
        if (rest.size() < size) throw UserError("env state of " + name_ + " is truncated");
        env.Load(rest.substr(0, size));
        rest.remove_prefix(size);
      }
      if (!rest.empty()) throw UserError("env state of " + name_ + " holds more envs than the run");
    }
  }

  // Direct access for tests and tools that need a concrete env (e.g. forcing a start state).
  E& env(int i) { return envs_[i]; }

 private:
  struct Counters {
    double episode_return = 0.0;
    int episode_length = 0;
  };

  // One step of every env: `step(i)` moves env i; then counters, time limit, same-step reset.
  template <class StepOne>
  void StepEach(StepBatch& out, StepOne&& step) {
    CheckBatch(out);
    const int limit = spec_.max_episode_steps;
    ForEachChunk([&](int begin, int end) {
      // Flags of 64 envs share one cache line: stage them and store each block once, so threads
      // stepping neighbouring chunks do not bounce that line on every env (false sharing).
      constexpr int kBlock = 64;
      uint8_t terminated[kBlock], truncated[kBlock];
      for (int block = begin; block < end; block += kBlock) {
        const int block_end = std::min(end, block + kBlock);
        for (int i = block; i < block_end; ++i) {
          E& env = envs_[i];
          Counters& counter = counters_[i];
          const StepOutcome outcome = step(i);
          counter.episode_return += outcome.reward;
          counter.episode_length += 1;
          const bool truncate = !outcome.terminated && limit > 0 && counter.episode_length >= limit;
          out.reward[i] = static_cast<float>(outcome.reward);
          terminated[i - block] = outcome.terminated;
          truncated[i - block] = truncate;
          if (outcome.terminated || truncate) {
            env.WriteObs(Row(out.final_obs, i));
            out.episode_return[i] = counter.episode_return;
            out.episode_length[i] = counter.episode_length;
            env.Reset(rngs_[i]);
            counter = Counters{};
          }
          env.WriteObs(Row(out.obs, i));
        }
        std::memcpy(out.terminated.data() + block, terminated, block_end - block);
        std::memcpy(out.truncated.data() + block, truncated, block_end - block);
      }
    });
  }

  Obs* Row(AlignedVector<uint8_t>& buffer, int i) const {
    return reinterpret_cast<Obs*>(buffer.data() + static_cast<size_t>(i) * spec_.obs_bytes());
  }
  void CheckBatch(const StepBatch& out) const {
    QLAB_CHECK_EQ(out.num_envs, num_envs_);
    QLAB_CHECK_EQ(out.obs_bytes, spec_.obs_bytes());
  }
  template <class F>
  void ForEachChunk(F&& body) {
    if (pool_ != nullptr) {
      pool_->ParallelFor(num_envs_, body);
    } else {
      body(0, num_envs_);
    }
  }
  template <class T>
  static void Append(std::string& bytes, const AlignedVector<T>& items) {
    bytes.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(T));
  }
  template <class T>
  static void Read(const char*& cursor, AlignedVector<T>& items) {
    std::memcpy(static_cast<void*>(items.data()), cursor, items.size() * sizeof(T));
    cursor += items.size() * sizeof(T);
  }

  ThreadPool* pool_;
  AlignedVector<E> envs_;
  AlignedVector<Rng> rngs_;
  AlignedVector<Counters> counters_;
};

}  // namespace qlab

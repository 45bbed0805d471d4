#include "qlab/replay/replay_buffer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <span>

#include "qlab/core/errors.h"

namespace qlab {
namespace {

EnvSpec ScalarSpec(int actions = 3) {
  EnvSpec spec;
  spec.id = "test/scalar";
  spec.obs_shape = {1};
  spec.obs_dtype = DType::kFloat32;
  spec.action_space.n = actions;
  return spec;
}

StepBatch MakeBatch(const EnvSpec& spec, int n) { return StepBatch::Make(n, spec.obs_bytes()); }

// A scripted stream of transitions with unique observation ids and an oracle for n-step targets.
struct Step {
  float obs, reward, next_obs;  // next_obs: the final observation when the episode ended
  int action;
  bool terminated, truncated;
};

class Oracle {
 public:
  Oracle(int n_step, double gamma) : n_(n_step), gamma_(gamma) {}
  void Add(int env, const Step& step) { steps_[env].push_back(step); }
  // The same history checked for returns of another horizon and gamma.
  Oracle WithReturns(int n_step, double gamma) const {
    Oracle other = *this;
    other.n_ = n_step;
    other.gamma_ = gamma;
    return other;
  }

  // Checks one sampled row against the stored history of the env its observation belongs to.
  void Check(float obs, int64_t action, float reward, float discount, float next_obs) const {
    for (const auto& [env, steps] : steps_) {
      for (size_t t = 0; t < steps.size(); ++t) {
        if (steps[t].obs != obs) continue;
        double ret = 0.0, disc = std::pow(gamma_, n_);
        float next = 0;
        bool ended = false;
        for (int k = 0; k < n_; ++k) {
          ASSERT_LT(t + k, steps.size()) << "sampled a window that is not complete";
          const Step& s = steps[t + k];
          ret += std::pow(gamma_, k) * s.reward;
          if (s.terminated || s.truncated) {
            disc = s.terminated ? 0.0 : std::pow(gamma_, k + 1);
            next = s.next_obs;
            ended = true;
            break;
          }
        }
        if (!ended) next = steps[t + n_].obs;
        EXPECT_EQ(action, steps[t].action);
        EXPECT_NEAR(reward, ret, 1e-5) << "obs " << obs;
        EXPECT_NEAR(discount, disc, 1e-6) << "obs " << obs;
        if (disc > 0) EXPECT_EQ(next_obs, next) << "obs " << obs;
        return;
      }
    }
    ADD_FAILURE() << "sampled an unknown observation " << obs;
  }

  // Checks the K steps that follow a sampled observation: the observations and actions of its
  // episode, valid through the episode's final observation, and masked (zeros) after it or past
  // the newest stored observation.
  void CheckSequence(float obs, std::span<const float> seq_obs, std::span<const int64_t> action,
                     std::span<const float> valid) const {
    for (const auto& [env, steps] : steps_) {
      for (size_t t = 0; t < steps.size(); ++t) {
        if (steps[t].obs != obs) continue;
        bool alive = true;
        for (size_t k = 0; k < seq_obs.size(); ++k) {
          const size_t j = t + k;
          // the newest observation of a running episode is not stored yet
          alive = alive && j < steps.size() &&
                  (j + 1 < steps.size() || steps[j].terminated || steps[j].truncated);
          EXPECT_EQ(valid[k], alive ? 1.0f : 0.0f) << "obs " << obs << " step " << k;
          if (alive) {
            EXPECT_EQ(action[k], steps[j].action) << "obs " << obs << " step " << k;
            EXPECT_EQ(seq_obs[k], steps[j].next_obs) << "obs " << obs << " step " << k;
            alive = !(steps[j].terminated || steps[j].truncated);
          } else {
            EXPECT_EQ(seq_obs[k], 0.0f);
            EXPECT_EQ(action[k], 0);
          }
        }
        return;
      }
    }
    ADD_FAILURE() << "sampled an unknown observation " << obs;
  }

 private:
  int n_;
  double gamma_;
  std::map<int, std::vector<Step>> steps_;
};

// Feeds `num_steps` vector steps of `num_envs` envs; env e ends an episode every (3 + e) steps,
// alternating termination and truncation.
void Feed(ReplayBuffer& replay, Oracle& oracle, int num_envs, int num_steps, float& next_id) {
  const EnvSpec spec = ScalarSpec();
  StepBatch next = MakeBatch(spec, num_envs);
  std::vector<float> obs(num_envs);
  static std::map<int, int> episode_len;
  for (int e = 0; e < num_envs; ++e) obs[e] = next_id++;
  for (int t = 0; t < num_steps; ++t) {
    std::vector<int32_t> actions(num_envs);
    for (int e = 0; e < num_envs; ++e) {
      actions[e] = (t + e) % 3;
      const int len = ++episode_len[e];
      const bool end = len % (3 + e) == 0;
      const bool terminated = end && (len / (3 + e)) % 2 == 1;
      next.reward[e] = static_cast<float>(t % 5) + 0.5f * e;
      next.terminated[e] = terminated;
      next.truncated[e] = end && !terminated;
      const float new_obs = next_id++;
      float final_obs = 0;
      if (end) {
        final_obs = -(next_id++);
        reinterpret_cast<float*>(next.final_obs.data())[e] = final_obs;
      }
      reinterpret_cast<float*>(next.obs.data())[e] = new_obs;
      oracle.Add(e, {obs[e], next.reward[e], end ? final_obs : new_obs, actions[e], terminated,
                     end && !terminated});
    }
    replay.Add(reinterpret_cast<const uint8_t*>(obs.data()), actions, next);
    for (int e = 0; e < num_envs; ++e) obs[e] = reinterpret_cast<float*>(next.obs.data())[e];
  }
}

TEST(ReplayBuffer, NStepReturnsStopAtEpisodeEndsAndNeverMixEnvs) {
  for (int n_step : {1, 3, 5}) {
    const int num_envs = 3;
    ReplayBuffer replay(ScalarSpec(), num_envs, {.capacity = 3000, .n_step = n_step, .gamma = 0.9});
    Oracle oracle(n_step, 0.9);
    float id = 1;
    Feed(replay, oracle, num_envs, 200, id);
    ASSERT_GT(replay.num_sampleable(), 0);
    ReplayBatch batch = replay.MakeBatch(64);
    Rng rng(1);
    std::set<float> seen;
    for (int round = 0; round < 200; ++round) {
      replay.Sample(rng, 0.0, batch);
      for (int i = 0; i < batch.size; ++i) {
        oracle.Check(batch.obs[i], batch.action[i], batch.reward[i], batch.discount[i],
                     batch.next_obs[i]);
        seen.insert(batch.obs[i]);
        EXPECT_EQ(batch.weight[i], 1.0f);
      }
    }
    // every transition with a complete window is sampleable: 600 steps minus the open windows
    EXPECT_EQ(replay.num_sampleable(), static_cast<int64_t>(seen.size()));
    EXPECT_GE(replay.num_sampleable(), 600 - num_envs * n_step);
  }
}

// BBF anneals n and gamma: a batch may ask a buffer built for 5-step returns for shorter ones with
// another gamma, and later batches switch back.
TEST(ReplayBuffer, BatchesChooseTheirReturnHorizonAndGamma) {
  const int num_envs = 2;
  ReplayBuffer replay(ScalarSpec(), num_envs, {.capacity = 2000, .n_step = 5, .gamma = 0.9});
  Oracle five(5, 0.9);
  float id = 1;
  Feed(replay, five, num_envs, 150, id);
  const Oracle two = five.WithReturns(2, 0.5);
  const Oracle* oracles[] = {&five, &two};
  ReplayBatch batch = replay.MakeBatch(64);
  EXPECT_EQ(batch.n_step, 5);
  Rng rng(2);
  for (int round = 0; round < 60; ++round) {
    const bool short_returns = round % 2 == 1;
    if (short_returns) {
      replay.SetReturns(batch, 2, 0.5);
    } else {
      replay.SetReturns(batch, 5, 0.9);
    }
    replay.Sample(rng, 0.0, batch);
    for (int i = 0; i < batch.size; ++i)
      oracles[short_returns ? 1 : 0]->Check(batch.obs[i], batch.action[i], batch.reward[i],
                                            batch.discount[i], batch.next_obs[i]);
  }
}

TEST(ReplayBuffer, SubsequencesStayInTheirEpisodeAndMaskItsEnd) {
  // a large ring, and a small one that wraps many times
  for (int64_t capacity : {3000, 60}) {
    SCOPED_TRACE(capacity);
    const int num_envs = 3, k_max = 4;
    ReplayBuffer replay(ScalarSpec(), num_envs, {.capacity = capacity, .n_step = 2, .gamma = 0.9});
    Oracle oracle(2, 0.9);
    float id = 1;
    Feed(replay, oracle, num_envs, 200, id);
    ReplayBatch batch = replay.MakeBatch(64, k_max);
    Rng rng(3);
    int masked = 0, finals = 0;
    for (int round = 0; round < 50; ++round) {
      replay.Sample(rng, 0.0, batch);
      for (int i = 0; i < batch.size; ++i) {
        const size_t at = static_cast<size_t>(i) * k_max;
        oracle.CheckSequence(batch.obs[i], {batch.seq_obs.data() + at, k_max},
                             {batch.seq_action.data() + at, k_max},
                             {batch.seq_valid.data() + at, k_max});
        for (int k = 0; k < k_max; ++k) {
          masked += batch.seq_valid[at + k] == 0.0f;
          finals += batch.seq_obs[at + k] < 0.0f;  // final observations have negative ids
        }
      }
    }
    EXPECT_GT(masked, 0);
    EXPECT_GT(finals, 0);
  }
  ReplayBuffer small(ScalarSpec(), 1, {.capacity = 8});
  EXPECT_THROW(small.MakeBatch(4, 8), UserError);
}

TEST(ReplayBuffer, OverwrittenSlotsAreNeverSampled) {
  const int num_envs = 2;
  ReplayBuffer replay(ScalarSpec(), num_envs, {.capacity = 40, .n_step = 3, .gamma = 0.5});
  Oracle oracle(3, 0.5);
  float id = 1;
  Feed(replay, oracle, num_envs, 500, id);  // the rings wrap many times
  ReplayBatch batch = replay.MakeBatch(256);
  Rng rng(3);
  replay.Sample(rng, 0.0, batch);
  // only recent observations: ids grow over time, so stale data would show as small ids
  for (int i = 0; i < batch.size; ++i) {
    EXPECT_GT(std::abs(batch.obs[i]), id - 3 * 40);
    oracle.Check(batch.obs[i], batch.action[i], batch.reward[i], batch.discount[i],
                 batch.next_obs[i]);
  }
  EXPECT_LE(replay.num_sampleable(), 40);
}

// Experience review (Neuroplastic Expansion): draws only from the oldest part of each env's ring,
// still with correct returns, and reaches all of that part.
TEST(ReplayBuffer, OldestSamplesComeFromTheOldestPartOfEveryRing) {
  const int num_envs = 2;
  ReplayBuffer replay(ScalarSpec(), num_envs, {.capacity = 200, .n_step = 2, .gamma = 0.5});
  Oracle oracle(2, 0.5);
  float id = 1;
  Feed(replay, oracle, num_envs, 300, id);  // each ring (100 slots) wrapped: ids ~ 600 .. 825
  ReplayBatch oldest = replay.MakeBatch(512), all = replay.MakeBatch(512);
  Rng rng(4);
  replay.SampleOldest(rng, 0.25, oldest);
  replay.Sample(rng, 0.0, all);
  std::set<float> distinct;
  float max_all = 0.0f;
  for (int i = 0; i < all.size; ++i) max_all = std::max(max_all, std::abs(all.obs[i]));
  for (int i = 0; i < oldest.size; ++i) {
    // the oldest quarter of every ring: ids below the newest ones by at least 3/4 of a ring
    EXPECT_LT(std::abs(oldest.obs[i]), max_all - 0.6f * 100 * num_envs) << i;
    EXPECT_EQ(oldest.weight[i], 1.0f);
    oracle.Check(oldest.obs[i], oldest.action[i], oldest.reward[i], oldest.discount[i],
                 oldest.next_obs[i]);
    distinct.insert(oldest.obs[i]);
  }
  EXPECT_GT(distinct.size(), 30u);  // ~50 slots, few of them final or unsampleable
  // fraction 1: the whole buffer again
  replay.SampleOldest(rng, 1.0, oldest);
  float max_oldest = 0.0f;
  for (int i = 0; i < oldest.size; ++i) max_oldest = std::max(max_oldest, std::abs(oldest.obs[i]));
  EXPECT_GT(max_oldest, max_all - 20.0f);
}

TEST(ReplayBuffer, BitPackedObservationsRoundTrip) {
  EnvSpec spec;
  spec.id = "test/binary";
  spec.obs_shape = {4, 10, 10};
  spec.obs_dtype = DType::kUInt8;
  spec.obs_binary = true;
  spec.action_space.n = 6;
  ReplayBuffer replay(spec, 1, {.capacity = 100, .n_step = 1});
  EXPECT_EQ(replay.memory_bytes(), 100 * (50 + 1 + 4 + 1));  // 400 bits -> 50 bytes
  StepBatch next = MakeBatch(spec, 1);
  Rng rng(5);
  std::vector<std::vector<uint8_t>> history;
  std::vector<uint8_t> obs(400);
  for (auto& x : obs) x = rng.Bernoulli(0.3);
  for (int t = 0; t < 20; ++t) {
    history.push_back(obs);
    for (auto& x : next.obs) x = rng.Bernoulli(0.3);
    const std::vector<int32_t> action = {t % 6};
    replay.Add(obs.data(), action, next);
    obs.assign(next.obs.begin(), next.obs.end());
  }
  ReplayBatch batch = replay.MakeBatch(32);
  replay.Sample(rng, 0.0, batch);
  for (int i = 0; i < batch.size; ++i) {
    const int t = static_cast<int>(batch.action[i]);  // action t % 6 identifies candidates
    bool match = false;
    for (size_t s = t; s < history.size() && !match; s += 6) {
      bool same = true;
      for (int k = 0; k < 400; ++k) same = same && batch.obs[i * 400 + k] == history[s][k];
      bool next_same = true;
      const auto& next_obs = s + 1 < history.size() ? history[s + 1] : obs;
      for (int k = 0; k < 400; ++k)
        next_same = next_same && batch.next_obs[i * 400 + k] == next_obs[k];
      match = same && next_same;
    }
    EXPECT_TRUE(match) << "row " << i;
  }
}

TEST(ReplayBuffer, MillionMinAtarTransitionsFitIn64MiB) {
  EnvSpec spec;
  spec.id = "minatar-like";
  spec.obs_shape = {4, 10, 10};  // Breakout's 4 channels
  spec.obs_dtype = DType::kUInt8;
  spec.obs_binary = true;
  spec.action_space.n = 6;
  ReplayBuffer replay(spec, 1, {.capacity = 1000000});
  EXPECT_LE(replay.memory_bytes(), 64u << 20);
}

TEST(ReplayBuffer, FrameStacksAreRebuiltWithZerosBeforeTheEpisodeStart) {
  const EnvSpec spec = ScalarSpec();
  ReplayBuffer replay(spec, 1, {.capacity = 100, .n_step = 1, .gamma = 1.0, .stack = 3});
  StepBatch next = MakeBatch(spec, 1);
  // episode A: obs 1, 2, 3 (terminated after the third step, final obs 4), episode B: 5, 6, 7
  float obs = 1;
  for (int t = 0; t < 6; ++t) {
    const bool end = t == 2;
    next.terminated[0] = end;
    reinterpret_cast<float*>(next.final_obs.data())[0] = 4;
    reinterpret_cast<float*>(next.obs.data())[0] = end ? 5 : obs + 1;
    const std::vector<int32_t> action = {0};
    replay.Add(reinterpret_cast<const uint8_t*>(&obs), action, next);
    obs = reinterpret_cast<float*>(next.obs.data())[0];
  }
  ReplayBatch batch = replay.MakeBatch(200);
  Rng rng(9);
  replay.Sample(rng, 0.0, batch);
  const std::map<float, std::vector<float>> expected = {{1, {0, 0, 1, 0, 1, 2}},
                                                        {2, {0, 1, 2, 1, 2, 3}},
                                                        {3, {1, 2, 3, 2, 3, 4}},
                                                        {5, {0, 0, 5, 0, 5, 6}},
                                                        {6, {0, 5, 6, 5, 6, 7}}};
  std::set<float> seen;
  for (int i = 0; i < batch.size; ++i) {
    const float newest = batch.obs[i * 3 + 2];
    seen.insert(newest);
    ASSERT_TRUE(expected.contains(newest)) << newest;
    const auto& want = expected.at(newest);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(batch.obs[i * 3 + k], want[k]) << newest;
      if (newest != 3) EXPECT_EQ(batch.next_obs[i * 3 + k], want[3 + k]) << newest;
    }
  }
  EXPECT_EQ(seen.size(), expected.size());
}

TEST(ReplayBuffer, PrioritizedSamplingFollowsPrioritiesAndWeights) {
  const EnvSpec spec = ScalarSpec();
  ReplayBuffer replay(
      spec, 1,
      {.capacity = 100, .n_step = 1, .prioritized = true, .alpha = 1.0, .priority_eps = 0.0});
  StepBatch next = MakeBatch(spec, 1);
  float obs = 0;
  for (int t = 0; t < 5; ++t) {  // 4 complete transitions with obs 0..3 (the 5th is open)
    reinterpret_cast<float*>(next.obs.data())[0] = obs + 1;
    const std::vector<int32_t> action = {0};
    replay.Add(reinterpret_cast<const uint8_t*>(&obs), action, next);
    obs += 1;
  }
  ASSERT_EQ(replay.num_sampleable(), 4);  // the 5th window completes with the next step
  ReplayBatch batch = replay.MakeBatch(4);
  Rng rng(11);
  replay.Sample(rng, 0.0, batch);  // new items share the max priority
  // priorities 1, 2, 3, 4 -> probabilities 0.1 ... 0.4
  const std::vector<int64_t> slots = {0, 1, 2, 3};
  const std::vector<float> td = {1, 2, 3, 4};
  replay.UpdatePriorities(slots, td);
  std::map<float, int> counts;
  ReplayBatch big = replay.MakeBatch(1000);
  for (int round = 0; round < 20; ++round) {
    replay.Sample(rng, 1.0, big);
    for (int i = 0; i < big.size; ++i) {
      counts[big.obs[i]]++;
      // beta = 1: w = (N P)^-1 / max over the batch; max is at the rarest item (P = 0.1)
      const double p = (big.obs[i] + 1) / 10.0;
      EXPECT_NEAR(big.weight[i], 0.1 / p, 1e-5);
    }
  }
  EXPECT_EQ(counts.count(4.0f), 0u);
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(counts[static_cast<float>(k)] / 20000.0, (k + 1) / 10.0, 0.01);
}

TEST(ReplayBuffer, SaveAndLoadContinueTheSameSamples) {
  for (bool prioritized : {false, true}) {
    const int num_envs = 2;
    const ReplayOptions options{
        .capacity = 64, .n_step = 2, .gamma = 0.9, .prioritized = prioritized};
    ReplayBuffer replay(ScalarSpec(), num_envs, options);
    Oracle oracle(2, 0.9);
    float id = 1;
    Feed(replay, oracle, num_envs, 100, id);
    if (prioritized) {
      const std::vector<int64_t> slots = {1, 2, 3};
      const std::vector<float> td = {0.5f, 2.0f, 7.0f};
      replay.UpdatePriorities(slots, td);
    }
    Archive archive;
    replay.Save(archive, "replay/");
    ReplayBuffer copy(ScalarSpec(), num_envs, options);
    copy.Load(Archive::Deserialize(archive.Serialize(), "mem"), "replay/");
    ReplayBatch a = replay.MakeBatch(32), b = copy.MakeBatch(32);
    Rng rng_a(4), rng_b(4);
    replay.Sample(rng_a, 0.5, a);
    copy.Sample(rng_b, 0.5, b);
    EXPECT_EQ(a.obs, b.obs);
    EXPECT_EQ(a.reward, b.reward);
    EXPECT_EQ(a.weight, b.weight);
    EXPECT_EQ(copy.num_sampleable(), replay.num_sampleable());
  }
}

// Box action spaces: each transition's float action row comes back with its observation, across
// envs and episode ends, and survives save/load.
TEST(ReplayBuffer, BoxActionsTravelWithTheirObservations) {
  EnvSpec spec = ScalarSpec();
  spec.action_space = {.kind = ActionSpace::Kind::kBox, .low = {-1, -2}, .high = {1, 2}};
  const int num_envs = 3;
  ReplayBuffer replay(spec, num_envs, {.capacity = 300, .n_step = 1, .gamma = 0.9});
  StepBatch next = MakeBatch(spec, num_envs);
  std::vector<float> obs(num_envs), actions(num_envs * 2);
  float id = 1;
  for (int t = 0; t < 60; ++t) {
    for (int e = 0; e < num_envs; ++e) {
      obs[e] = id++;
      // the action is a function of the observation it leaves: (obs / 1000, -obs / 100)
      actions[e * 2] = obs[e] / 1000.0f;
      actions[e * 2 + 1] = -obs[e] / 100.0f;
      next.reward[e] = 0.0f;
      next.terminated[e] = (t + e) % 7 == 6;
      next.truncated[e] = 0;
      reinterpret_cast<float*>(next.final_obs.data())[e] = -1.0f;
    }
    replay.AddBox(reinterpret_cast<const uint8_t*>(obs.data()), actions, next);
  }
  auto check = [](const ReplayBatch& batch) {
    for (int i = 0; i < batch.size; ++i) {
      EXPECT_FLOAT_EQ(batch.box_action[i * 2], batch.obs[i] / 1000.0f) << batch.obs[i];
      EXPECT_FLOAT_EQ(batch.box_action[i * 2 + 1], -batch.obs[i] / 100.0f) << batch.obs[i];
    }
  };
  ReplayBatch batch = replay.MakeBatch(64);
  ASSERT_EQ(batch.box_action.size(), 128u);
  Rng rng(5);
  replay.Sample(rng, 1.0, batch);
  check(batch);
  Archive archive;
  replay.Save(archive, "replay/");
  ReplayBuffer copy(spec, num_envs, {.capacity = 300, .n_step = 1, .gamma = 0.9});
  copy.Load(archive, "replay/");
  ReplayBatch again = copy.MakeBatch(64);
  Rng same(5);
  copy.Sample(same, 1.0, again);
  EXPECT_EQ(again.box_action, batch.box_action);
  check(again);
}

}  // namespace
}  // namespace qlab

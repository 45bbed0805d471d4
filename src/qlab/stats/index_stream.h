// IndexStream: the uniform integer draws behind every bootstrap.
//
// Two streams:
//  - kFast (default): qlab's xoshiro256** Rng seeded with DeriveSeed(seed, StreamId("bootstrap")).
//  - kNumpyLegacy: exactly what `np.random.seed(seed); np.random.choice(n, shape)` draws
//    (statistics_spec.md §3.6): MT19937 seeded with init_genrand(seed) (== std::mt19937(seed)),
//    each index by masked rejection (mask = smallest 2^b - 1 >= n - 1; redraw 32-bit outputs
//    until (v & mask) <= n - 1), no draw at all when n == 1, indices in C order. With the same
//    draw order as rliable this reproduces its intervals to summation-order rounding (~1e-12).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>

#include "qlab/core/rng.h"

namespace qlab::stats {

enum class RngKind { kFast, kNumpyLegacy };

RngKind ParseRngKind(const std::string& name);  // "fast" | "numpy-legacy"; UserError otherwise
const char* RngKindName(RngKind kind);

class IndexStream {
 public:
  virtual ~IndexStream() = default;
  // Fills `out` with i.i.d. uniform integers in [0, n), in order.
  virtual void Fill(uint32_t n, std::span<uint32_t> out) = 0;
};

class FastIndexStream final : public IndexStream {
 public:
  explicit FastIndexStream(uint64_t seed);
  void Fill(uint32_t n, std::span<uint32_t> out) override;

 private:
  Rng rng_;
};

class NumpyLegacyIndexStream final : public IndexStream {
 public:
  explicit NumpyLegacyIndexStream(uint32_t seed) : mt_(seed) {}
  void Fill(uint32_t n, std::span<uint32_t> out) override;
  // numpy's legacy RandomState.permutation(n) (Fisher-Yates from the back, masked draws), for
  // AdaStop's random permutations.
  void Permutation(std::span<int> out);

 private:
  uint32_t Bounded(uint32_t max);  // uniform in [0, max] by masked rejection
  std::mt19937 mt_;
};

// A stream of `kind` seeded from `seed`; numpy-legacy needs 0 <= seed < 2^32 (UserError otherwise,
// as numpy raises).
std::unique_ptr<IndexStream> MakeIndexStream(RngKind kind, uint64_t seed);

}  // namespace qlab::stats

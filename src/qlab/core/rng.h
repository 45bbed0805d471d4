// Rng: the one random-number generator of qlab, xoshiro256** (Blackman & Vigna 2018,
// "Scrambled linear pseudorandom number generators"), seeded through SplitMix64.
//
// Every random stream in qlab is derived from the run seed and a purpose-specific stream id with
// DeriveSeed(seed, stream), e.g. env i of the training envs uses DeriveSeed(seed, kEnvStream + i),
// so results never depend on thread counts or on the order in which streams are created.
// The state is plain data: copying an Rng snapshots it, which checkpoints rely on.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace qlab {

// SplitMix64 step (Steele, Lea & Flood 2014): a strong 64-bit mixer for seeding.
constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for stream `stream` of run seed `seed` (independent-looking for every pair).
constexpr uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed;
  uint64_t mixed = SplitMix64(state);
  state = mixed ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return SplitMix64(state);
}

// A stream id from a name, for readable stream namespaces ("env", "eval_env", "policy").
constexpr uint64_t StreamId(std::string_view name) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { Seed(seed); }

  void Seed(uint64_t seed) {
    uint64_t state = seed;
    for (auto& word : s_) word = SplitMix64(state);
  }

  uint64_t NextU64() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform double in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }

  // Uniform integer in [0, n), unbiased (Lemire 2019, nearly divisionless).
  uint32_t UniformInt(uint32_t n) {
    uint64_t m = static_cast<uint64_t>(static_cast<uint32_t>(NextU64() >> 32)) * n;
    auto low = static_cast<uint32_t>(m);
    if (low < n) {
      const uint32_t threshold = -n % n;
      while (low < threshold) {
        m = static_cast<uint64_t>(static_cast<uint32_t>(NextU64() >> 32)) * n;
        low = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }
  // Uniform integer in [low, high).
  int UniformInt(int low, int high) {
    return low + static_cast<int>(UniformInt(static_cast<uint32_t>(high - low)));
  }

  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal (Marsaglia polar method; no cached spare, so the state stays one array).
  double Normal() {
    while (true) {
      double u = 2.0 * Uniform() - 1.0;
      double v = 2.0 * Uniform() - 1.0;
      double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
    }
  }

  const std::array<uint64_t, 4>& state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& state) { s_ = state; }
  friend bool operator==(const Rng&, const Rng&) = default;

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

}  // namespace qlab

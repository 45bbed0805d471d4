#include "qlab/stats/index_stream.h"

#include <fmt/format.h>

#include <utility>

#include "qlab/core/errors.h"

namespace qlab::stats {

RngKind ParseRngKind(const std::string& name) {
  if (name == "fast") return RngKind::kFast;
  if (name == "numpy-legacy") return RngKind::kNumpyLegacy;
  throw UserError(fmt::format("unknown bootstrap rng '{}' (valid: fast, numpy-legacy)", name));
}

const char* RngKindName(RngKind kind) { return kind == RngKind::kFast ? "fast" : "numpy-legacy"; }

FastIndexStream::FastIndexStream(uint64_t seed) : rng_(DeriveSeed(seed, StreamId("bootstrap"))) {}

void FastIndexStream::Fill(uint32_t n, std::span<uint32_t> out) {
  for (auto& v : out) v = rng_.UniformInt(n);
}

uint32_t NumpyLegacyIndexStream::Bounded(uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t v;
  do {
    v = static_cast<uint32_t>(mt_()) & mask;
  } while (v > max);
  return v;
}

void NumpyLegacyIndexStream::Fill(uint32_t n, std::span<uint32_t> out) {
  for (auto& v : out) v = Bounded(n - 1);
}

void NumpyLegacyIndexStream::Permutation(std::span<int> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int>(i);
  for (size_t i = out.size(); i-- > 1;) std::swap(out[i], out[Bounded(static_cast<uint32_t>(i))]);
}

std::unique_ptr<IndexStream> MakeIndexStream(RngKind kind, uint64_t seed) {
  if (kind == RngKind::kFast) return std::make_unique<FastIndexStream>(seed);
  if (seed > 0xFFFFFFFFULL)
    throw UserError(fmt::format("--rng numpy-legacy needs a seed in [0, 2^32 - 1], got {}", seed));
  return std::make_unique<NumpyLegacyIndexStream>(static_cast<uint32_t>(seed));
}

}  // namespace qlab::stats

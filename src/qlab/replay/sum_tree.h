// SumTree: a complete binary tree of non-negative priorities whose inner nodes hold the sums of
// their children, for proportional prioritized sampling in O(log n) (Schaul et al. 2016,
// "Prioritized Experience Replay", appendix B.2.1). Inner nodes are always recomputed from their
// children (never updated by deltas), so the tree is a pure function of its leaves: rebuilding it
// from saved leaves gives bit-identical sums, which exact resume relies on.
#pragma once

#include <cstdint>
#include <vector>

namespace qlab {

class SumTree {
 public:
  explicit SumTree(int64_t size);

  void Set(int64_t index, double priority);
  double Get(int64_t index) const { return nodes_[leaves_ + index]; }
  double total() const { return nodes_[1]; }
  int64_t size() const { return size_; }

  // The leaf where the running sum of priorities passes `mass` (0 <= mass < total()); it always
  // has a positive priority.
  int64_t Find(double mass) const;

  std::vector<double> Leaves() const;
  void SetLeaves(const std::vector<double>& leaves);  // rebuilds every inner node

 private:
  int64_t size_;
  int64_t leaves_;  // power of two >= size_; leaf i lives at nodes_[leaves_ + i]
  std::vector<double> nodes_;
};

}  // namespace qlab

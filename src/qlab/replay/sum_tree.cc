#include "qlab/replay/sum_tree.h"

#include "qlab/core/check.h"

namespace qlab {

SumTree::SumTree(int64_t size) : size_(size), leaves_(1) {
  QLAB_CHECK_GE(size, 1);
  while (leaves_ < size) leaves_ *= 2;
  nodes_.assign(2 * leaves_, 0.0);
}

void SumTree::Set(int64_t index, double priority) {
  QLAB_CHECK(index >= 0 && index < size_);
  QLAB_CHECK(priority >= 0.0);
  int64_t node = leaves_ + index;
  nodes_[node] = priority;
  for (node /= 2; node >= 1; node /= 2) nodes_[node] = nodes_[2 * node] + nodes_[2 * node + 1];
}

int64_t SumTree::Find(double mass) const {
  QLAB_CHECK(total() > 0.0);
  int64_t node = 1;
  while (node < leaves_) {
    const int64_t left = 2 * node;
    // go right only when the right subtree has mass: rounding can leave `mass` a hair above the
    // left sum when everything to the right is zero
    if (mass < nodes_[left] || nodes_[left + 1] <= 0.0) {
      node = left;
    } else {
      mass -= nodes_[left];
      node = left + 1;
    }
  }
  QLAB_CHECK(nodes_[node] > 0.0);
  return node - leaves_;
}

std::vector<double> SumTree::Leaves() const {
  return {nodes_.begin() + leaves_, nodes_.begin() + leaves_ + size_};
}

void SumTree::SetLeaves(const std::vector<double>& leaves) {
  QLAB_CHECK_EQ(static_cast<int64_t>(leaves.size()), size_);
  std::fill(nodes_.begin(), nodes_.end(), 0.0);
  std::copy(leaves.begin(), leaves.end(), nodes_.begin() + leaves_);
  for (int64_t node = leaves_ - 1; node >= 1; --node)
    nodes_[node] = nodes_[2 * node] + nodes_[2 * node + 1];
}

}  // namespace qlab

// SmallVector<T, N>: an ordered list of at most N trivially copyable items stored inline, so env
// states that hold lists (Seaquest's fish, bullets, divers) stay plain data with no allocation.
// Exceeding N is an invariant violation: capacities are derived from the game's rules.
#pragma once

#include <array>
#include <type_traits>

#include "qlab/core/check.h"

namespace qlab {

template <class T, int N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](int i) { return items_[i]; }
  const T& operator[](int i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }

  void push_back(const T& item) {
    QLAB_CHECK_LT(size_, N);
    items_[size_++] = item;
  }
  // Removes item i, keeping the order of the others.
  void erase(int i) {
    for (int j = i + 1; j < size_; ++j) items_[j - 1] = items_[j];
    --size_;
  }
  void clear() { size_ = 0; }

 private:
  std::array<T, N> items_{};
  int size_ = 0;
};

}  // namespace qlab

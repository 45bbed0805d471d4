#include "qlab/replay/sum_tree.h"

#include <gtest/gtest.h>

namespace qlab {
namespace {

TEST(SumTree, SumsAndFindsByPrefixMass) {
  SumTree tree(5);
  const std::vector<double> p = {1.0, 0.0, 2.0, 3.0, 4.0};
  for (int i = 0; i < 5; ++i) tree.Set(i, p[i]);
  EXPECT_DOUBLE_EQ(tree.total(), 10.0);
  EXPECT_EQ(tree.Find(0.0), 0);
  EXPECT_EQ(tree.Find(0.999), 0);
  EXPECT_EQ(tree.Find(1.0), 2);  // leaf 1 has no mass and is never found
  EXPECT_EQ(tree.Find(2.999), 2);
  EXPECT_EQ(tree.Find(3.0), 3);
  EXPECT_EQ(tree.Find(6.0), 4);
  EXPECT_EQ(tree.Find(9.999999), 4);
  EXPECT_EQ(tree.Find(10.0), 4);  // rounding at the top end lands on the last positive leaf
  tree.Set(4, 0.0);
  EXPECT_EQ(tree.Find(6.5), 3);
}

TEST(SumTree, RebuildingFromLeavesGivesIdenticalSums) {
  SumTree tree(1000);
  for (int i = 0; i < 1000; ++i) tree.Set(i, 0.1 * ((i * 7919) % 101));
  for (int i = 0; i < 1000; i += 3) tree.Set(i, 0.37 * i);
  SumTree copy(1000);
  copy.SetLeaves(tree.Leaves());
  EXPECT_EQ(copy.total(), tree.total());  // bit-identical, not just close
  for (double mass : {0.0, 1.5, 777.7, tree.total() * 0.999})
    EXPECT_EQ(copy.Find(mass), tree.Find(mass));
}

}  // namespace
}  // namespace qlab

#include "qlab/core/errors.h"

#include <gtest/gtest.h>

namespace qlab {
namespace {

TEST(DidYouMean, SuggestsCloseNames) {
  const std::vector<std::string> names = {"minatar/breakout", "minatar/asterix",
                                          "classic/cartpole"};
  EXPECT_EQ(DidYouMean("minatar/brekout", names), "; did you mean 'minatar/breakout'?");
  EXPECT_EQ(DidYouMean("cartpole", names), "; did you mean 'classic/cartpole'?");
  EXPECT_EQ(DidYouMean("zzzzzzzz", names), "");
}

}  // namespace
}  // namespace qlab

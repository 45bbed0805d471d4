#include "qlab/nets/op_profile.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace qlab {
namespace {

const OpTime* Find(const std::vector<OpTime>& ops, const std::string& name) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const OpTime& op) { return op.name == name; });
  return it == ops.end() ? nullptr : &*it;
}

TEST(OpProfile, CountsCallsAndSplitsSelfFromTotalTime) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({64, 256});
  const torch::Tensor w = torch::randn({256, 256});
  torch::mm(x, w);  // first-call set-up outside the profile
  OpProfile profile;
  for (int i = 0; i < 3; ++i) torch::mm(x, w);
  for (int i = 0; i < 2; ++i) torch::matmul(x, w);  // matmul -> mm for matrices
  const std::vector<OpTime> ops = profile.Stop();

  const OpTime* mm = Find(ops, "aten::mm");
  const OpTime* matmul = Find(ops, "aten::matmul");
  ASSERT_NE(mm, nullptr);
  ASSERT_NE(matmul, nullptr);
  EXPECT_EQ(matmul->calls, 2);
  EXPECT_EQ(mm->calls, 5);
  // matmul's total holds the products it calls; its own part is small
  EXPECT_LT(matmul->self_us, 0.5 * matmul->total_us);
  for (const OpTime& op : ops) {
    EXPECT_GE(op.self_us, -1e-6) << op.name;
    EXPECT_LE(op.self_us, op.total_us + 1e-6) << op.name;
  }
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end(), [](const OpTime& a, const OpTime& b) {
    return a.self_us > b.self_us;
  }));
  // the matrix products are the work: they lead the table
  EXPECT_NE(ops.front().name.find("mm"), std::string::npos) << ops.front().name;
}

TEST(OpProfile, RecordsNothingOnceStopped) {
  OpProfile profile;
  profile.Stop();
  OpProfile again;  // a second profile starts cleanly after the first
  torch::relu(torch::ones({4}));
  const std::vector<OpTime> ops = again.Stop();
  ASSERT_NE(Find(ops, "aten::relu"), nullptr);
  EXPECT_EQ(Find(ops, "aten::relu")->calls, 1);
}

// One call of an op that usually takes microseconds ran 30 ms (the machine paused it): counted as
// a stall, out of the op's self time; the ordinary calls stay in.
TEST(OpProfile, LeavesAStalledCallOutOfTheOpsTime) {
  OpProfile profile;
  for (int i = 0; i < 21; ++i) {
    RECORD_FUNCTION("qlab::test_op", std::vector<c10::IValue>());
    if (i == 7) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  const std::vector<OpTime> ops = profile.Stop();
  const OpTime* op = Find(ops, "qlab::test_op");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->calls, 21);
  EXPECT_EQ(op->stalled_calls, 1);
  EXPECT_GE(op->stalled_us, 30'000.0);
  EXPECT_LT(op->self_us, 10'000.0);
  EXPECT_LT(op->max_self_us, 10'000.0);
  EXPECT_NEAR(op->total_us, op->self_us + op->stalled_us, 1.0);  // no children: all its own
}

}  // namespace
}  // namespace qlab

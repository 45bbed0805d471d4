// The hand-written minatar_cnn kernel against libtorch's autograd on the same network: outputs,
// every parameter's gradient, weights changed behind its back, and what it refuses.
#include "qlab/nets/minatar_cnn_kernel.h"

#include <gtest/gtest.h>

#include <vector>

namespace qlab {
namespace {

NetworkOptions Options(const std::string& padding, std::vector<int64_t> widths, double scale) {
  NetworkOptions o;
  o.torso = "minatar_cnn";
  o.conv_padding = padding;
  o.widths = std::move(widths);
  o.obs_scale = scale;
  return o;
}

// Sparse inputs like MinAtar's (about 15 % non-zero), some not binary, one sample all zeros.
torch::Tensor SparseObs(int64_t n, const std::vector<int64_t>& shape) {
  std::vector<int64_t> full = {n};
  full.insert(full.end(), shape.begin(), shape.end());
  const torch::Tensor mask = torch::rand(full) < 0.15;
  torch::Tensor obs =
      mask.to(torch::kFloat32) *
      torch::where(torch::rand(full) < 0.8, torch::ones(full), torch::rand(full) * 3);
  obs[0].zero_();
  return obs.contiguous();
}

struct Case {
  std::string padding;
  std::vector<int64_t> widths;
  double scale;
};

class KernelCase : public ::testing::TestWithParam<Case> {};

TEST_P(KernelCase, MatchesAutogradOutputsAndGradients) {
  const Case& c = GetParam();
  torch::manual_seed(3);
  // a non-square image with 3 channels catches swapped axes
  const std::vector<int64_t> shape = {3, 7, 9};
  const int64_t actions = 5, n = 6;
  QNetwork net(shape, actions, Options(c.padding, c.widths, c.scale));
  ASSERT_EQ(MinatarCnnKernel::Unsupported(net->options(), {}, torch::kCPU), "");
  MinatarCnnKernel kernel(*net, shape, actions);
  const torch::Tensor obs = SparseObs(n, shape);
  const torch::Tensor dq = torch::randn({n, actions});

  // reference: autograd's gradients of sum(dq * q)
  const torch::Tensor q_ref = net->forward(obs).view({n, actions});
  (q_ref * dq).sum().backward();
  std::vector<torch::Tensor> grad_ref;
  for (const auto& p : net->parameters()) {
    grad_ref.push_back(p.grad().clone());
    p.mutable_grad().fill_(123.0F);  // the kernel must overwrite, not accumulate
  }

  torch::Tensor q = torch::empty({n, actions});
  kernel.Forward(obs.data_ptr<float>(), static_cast<int>(n), q.data_ptr<float>());
  EXPECT_TRUE(torch::allclose(q, q_ref.detach(), 1e-5, 1e-5)) << q << q_ref;
  kernel.Backward(dq.data_ptr<float>());
  const auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(torch::allclose(params[i].grad(), grad_ref[i], 1e-4, 1e-5))
        << (params[i].grad() - grad_ref[i]).abs().max();
    // not vacuous: every parameter gets some gradient
    EXPECT_GT(grad_ref[i].abs().sum().item<double>(), 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(MinatarCnnKernel, KernelCase,
                         ::testing::Values(Case{"same", {}, 1.0},         // Dopamine's network
                                           Case{"valid", {16}, 1.0},      // the MinAtar paper's
                                           Case{"same", {12, 8}, 0.5}));  // deeper, scaled inputs

TEST(MinatarCnnKernel, SeesWeightsChangedByOptimiserTargetSyncAndLoad) {
  torch::manual_seed(4);
  const std::vector<int64_t> shape = {4, 10, 10};
  QNetwork net(shape, 6, Options("same", {}, 1.0)), other(shape, 6, Options("same", {}, 1.0));
  MinatarCnnKernel kernel(*net, shape, 6);
  const torch::Tensor obs = SparseObs(3, shape);
  auto agrees = [&] {
    torch::Tensor q = torch::empty({3, 6});
    kernel.Forward(obs.data_ptr<float>(), 3, q.data_ptr<float>());
    torch::NoGradGuard no_grad;
    return torch::allclose(q, net->forward(obs).view({3, 6}), 1e-5, 1e-5);
  };
  EXPECT_TRUE(agrees());
  // an optimiser step on every parameter
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.5));
  for (auto& p : net->parameters()) p.mutable_grad() = torch::randn_like(p);
  sgd.step();
  EXPECT_TRUE(agrees());
  UpdateTarget(*net, *other, 1.0);  // a target sync into this network
  EXPECT_TRUE(agrees());
  torch::manual_seed(5);
  QNetwork third(shape, 6, Options("same", {}, 1.0));
  LoadModuleBytes(*net, ModuleBytes(*third), "test network");  // a checkpoint load
  EXPECT_TRUE(agrees());
}

TEST(MinatarCnnKernel, RefusesWhatItDoesNotCompute) {
  const NetworkOptions plain = Options("same", {}, 1.0);
  EXPECT_EQ(MinatarCnnKernel::Unsupported(plain, {}, torch::kCPU), "");
  EXPECT_NE(MinatarCnnKernel::Unsupported(plain, {}, torch::Device(torch::kCUDA)), "");
  EXPECT_NE(MinatarCnnKernel::Unsupported(plain, {.atoms = 51}, torch::kCPU), "");
  EXPECT_NE(MinatarCnnKernel::Unsupported(plain, {.tau_embedding = 64}, torch::kCPU), "");
  NetworkOptions o = plain;
  o.head = "dueling";
  EXPECT_NE(MinatarCnnKernel::Unsupported(o, {}, torch::kCPU), "");
  o = plain;
  o.noisy = true;
  EXPECT_NE(MinatarCnnKernel::Unsupported(o, {}, torch::kCPU), "");
  o = plain;
  o.torso = "nature_cnn";
  EXPECT_NE(MinatarCnnKernel::Unsupported(o, {}, torch::kCPU), "");
  o = plain;
  o.depth_scale = 2;
  EXPECT_NE(MinatarCnnKernel::Unsupported(o, {}, torch::kCPU), "");
}

}  // namespace
}  // namespace qlab

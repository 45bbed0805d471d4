// Neuroplastic Expansion: the Erdos-Renyi allocation, the sparse start, growth by potential
// gradient with the function unchanged, dormant-first pruning, the end of growth and rewiring,
// the experience-review gate and checkpoints.
#include "qlab/plasticity/expansion.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

#include "qlab/core/errors.h"
#include "qlab/plasticity/diagnostics.h"
#include "qlab/plasticity/interventions.h"
#include "qlab/plasticity/plasticity.h"

namespace qlab {
namespace {

TEST(Expansion, ErdosRenyiAllocationKeepsSmallLayersDenser) {
  // densities eps * (I + O) / (I O): the 10x10 layer would exceed 1, so it stays dense and the
  // 100x100 layer takes all the sparsity: 0.5 * 10100 = 5050 masked weights
  const auto s = ErdosRenyiSparsities({{10, 10}, {100, 100}}, 0.5);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], 0.0);
  EXPECT_NEAR(s[1], 0.505, 1e-12);
  // no layer capped: the overall sparsity holds and the ratio of densities is the ERK one
  const auto t = ErdosRenyiSparsities({{100, 100}, {200, 200}}, 0.9);
  EXPECT_NEAR(t[0] * 1e4 + t[1] * 4e4, 0.9 * 5e4, 1e-6);
  EXPECT_NEAR((1 - t[0]) / (1 - t[1]), (200.0 / 1e4) / (400.0 / 4e4), 1e-9);
  // conv kernels count their kernel dims (ERK)
  const auto k = ErdosRenyiSparsities({{16, 4, 3, 3}, {64, 64}}, 0.5);
  EXPECT_GT(k[1], k[0]);
  EXPECT_EQ(ErdosRenyiSparsities({{8, 8}}, 0.0), std::vector<double>{0.0});
}

NetworkOptions Mlp(std::vector<int64_t> widths) {
  NetworkOptions o;
  o.widths = std::move(widths);
  return o;
}

// gradient of a random regression loss in every parameter
void Backward(QNetwork& net, const torch::Tensor& x) {
  for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
  net->forward(x).square().sum().backward();
}

void Capture(QNetwork& net, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  net->set_capture(true);
  net->forward(x);
  net->set_capture(false);
}

TEST(Expansion, StartsSparseWithTheLargestInitialWeightsOnlineAndTarget) {
  torch::manual_seed(1);
  QNetwork net(std::vector<int64_t>{6}, 3, Mlp({32, 32})),
      target(std::vector<int64_t>{6}, 3, Mlp({32, 32}));
  UpdateTarget(*target, *net, 1.0);
  NeuroplasticExpansion ne({.initial_sparsity = 0.8, .final_sparsity = 0.2}, net, target);
  const WeightMasks& masks = ne.masks();
  ASSERT_EQ(masks.size(), 3u);  // dense1, dense2, head
  EXPECT_NEAR(masks.sparsity(), 0.8, 0.01);
  const auto initial =
      ErdosRenyiSparsities({{32, 6}, {32, 32}, {3, 32}}, 0.8);  // the allocation it used
  WeightMasks target_masks = WeightMasks::Of(*target);
  for (size_t i = 0; i < masks.size(); ++i) {
    const torch::Tensor& w = masks.weight(i);
    const int64_t zero = (w == 0).sum().item<int64_t>();
    EXPECT_EQ(zero, static_cast<int64_t>(std::floor(initial[i] * w.numel()))) << i;
    EXPECT_TRUE(target_masks.weight(i).equal(w)) << i;  // the same subnetwork
    if (zero > 0 && zero < w.numel()) {
      const torch::Tensor kept = w.abs().masked_select(masks.mask(i));
      EXPECT_GT(kept.min().item<double>(), 0.0);
    }
  }
}

TEST(Expansion, GrowthFollowsThePotentialGradientAndKeepsTheFunction) {
  torch::manual_seed(2);
  QNetwork net(std::vector<int64_t>{6}, 3, Mlp({16, 16}));
  const ExpansionOptions o{.initial_sparsity = 0.8,
                           .final_sparsity = 0.2,
                           .schedule = "constant",
                           .rate = 0.1,
                           .prune_ratio = 0.0};
  NeuroplasticExpansion ne(o, net, QNetwork(nullptr));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::randn({64, 6});
  Backward(net, x);
  adam.step();
  ne.ApplyMasks();
  Backward(net, x);  // the potential gradient of the sparse network
  torch::Tensor q_before;
  {
    torch::NoGradGuard no_grad;
    q_before = net->forward(x);
  }
  std::vector<torch::Tensor> masks_before, grads;
  for (size_t i = 0; i < ne.masks().size(); ++i) {
    masks_before.push_back(ne.masks().mask(i).clone());
    grads.push_back(ne.masks().weight(i).grad().abs().clone());
  }
  Capture(net, x);
  at::Generator generator = at::detail::createCPUGenerator(3);
  ne.TopologyStep(/*progress=*/0.1, adam, generator);
  const auto initial = ErdosRenyiSparsities({{16, 6}, {16, 16}, {3, 16}}, 0.8);
  const auto final = ErdosRenyiSparsities({{16, 6}, {16, 16}, {3, 16}}, 0.2);
  int64_t grown = 0;
  for (size_t i = 0; i < ne.masks().size(); ++i) {
    SCOPED_TRACE(i);
    const torch::Tensor& mask = ne.masks().mask(i);
    const auto n = static_cast<double>(mask.numel());
    const auto expected = static_cast<int64_t>(
        std::ceil((std::floor(initial[i] * n) - std::floor(final[i] * n)) * 0.1));
    const torch::Tensor added = mask & ~masks_before[i];
    EXPECT_EQ(added.sum().item<int64_t>(), expected);
    EXPECT_TRUE((masks_before[i] & ~mask).sum().item<int64_t>() == 0);  // nothing pruned
    // the grown ones have the largest |gradient| among the inactive connections
    const torch::Tensor still_inactive = ~mask;
    if (still_inactive.any().item<bool>() && expected > 0)
      EXPECT_GE(grads[i].masked_select(added).min().item<double>(),
                grads[i].masked_select(still_inactive).max().item<double>());
    // new connections start at zero with zero moments
    EXPECT_EQ(ne.masks().weight(i).masked_select(added).abs().sum().item<double>(), 0.0);
    auto* state =
        static_cast<torch::optim::AdamParamState*>(OptimizerStateOf(adam, ne.masks().weight(i)));
    EXPECT_EQ(state->exp_avg().masked_select(added).abs().sum().item<double>(), 0.0);
    grown += expected;
  }
  EXPECT_EQ(ne.grown(), grown);
  // zero-initialised growth: the network computes the same function
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(net->forward(x).equal(q_before));
}

TEST(Expansion, PrunesConnectionsOfDormantUnitsFirst) {
  torch::manual_seed(4);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8}));
  NeuroplasticExpansion ne({.initial_sparsity = 0.5,
                            .final_sparsity = 0.1,
                            .schedule = "constant",
                            .rate = 0.5,
                            .prune_ratio = 0.4},
                           net, QNetwork(nullptr));
  auto params = net->named_parameters();
  torch::Tensor w1 = params["trunk.1.weight"], b1 = params["trunk.1.bias"];
  {
    // unit 3 never fires: its incoming connections are the dormant ones, large as they are
    torch::NoGradGuard no_grad;
    w1[3].copy_(torch::where(ne.masks().mask(0)[3], torch::full({4}, 5.0), torch::zeros({4})));
    b1[3].fill_(-100.0);
  }
  const int64_t dormant_active = ne.masks().mask(0)[3].sum().item<int64_t>();
  ASSERT_GT(dormant_active, 0);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::randn({32, 4});
  Backward(net, x);
  Capture(net, x);
  ASSERT_TRUE(DormantUnits(net->captured()[0], 0.0)[3].item<bool>());
  const torch::Tensor before = ne.masks().mask(0).clone();
  at::Generator generator = at::detail::createCPUGenerator(5);
  ne.TopologyStep(0.0, adam, generator);
  const torch::Tensor removed = before & ~ne.masks().mask(0);
  const int64_t n_removed = removed.sum().item<int64_t>();
  ASSERT_GT(n_removed, 0);
  // the dormant unit's connections go before any (smaller) connection of a live unit
  EXPECT_EQ(removed[3].sum().item<int64_t>(), std::min(n_removed, dormant_active));
  EXPECT_LT(ne.fau(), 1.0);  // measured on the captured batch
  EXPECT_GT(ne.fau(), 0.0);
}

TEST(Expansion, GrowthEndsAtTheFinalSparsityThenRewiresAtConstantSize) {
  torch::manual_seed(6);
  QNetwork net(std::vector<int64_t>{6}, 3, Mlp({16}));
  NeuroplasticExpansion ne(
      {.initial_sparsity = 0.8, .final_sparsity = 0.3, .schedule = "constant", .rate = 0.3}, net,
      QNetwork(nullptr));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::randn({32, 6});
  at::Generator generator = at::detail::createCPUGenerator(7);
  double last = ne.masks().sparsity();
  int steps = 0;
  while (ne.growing() && steps < 100) {
    Backward(net, x);
    adam.step();
    Capture(net, x);
    ne.TopologyStep(0.01 * steps, adam, generator);
    ne.ApplyMasks();
    EXPECT_LT(ne.masks().sparsity(), last);  // net growth every step (60% of the grown stay)
    last = ne.masks().sparsity();
    ++steps;
  }
  ASSERT_FALSE(ne.growing()) << "growth never ended";
  for (size_t i = 0; i < ne.masks().size(); ++i) {
    const torch::Tensor& m = ne.masks().mask(i);
    EXPECT_EQ((~m).sum().item<int64_t>(),
              static_cast<int64_t>(std::floor(ne.final_sparsities()[i] * m.numel())));
  }
  // rewiring: the same number of connections, some of them elsewhere
  const torch::Tensor before = ne.masks().mask(0).clone();
  const int64_t pruned_before = ne.pruned();
  Backward(net, x);
  adam.step();
  Capture(net, x);
  ne.TopologyStep(0.5, adam, generator);
  EXPECT_EQ(ne.masks().mask(0).sum().item<int64_t>(), before.sum().item<int64_t>());
  EXPECT_GT(ne.pruned(), pruned_before);
}

TEST(Expansion, ReviewGateFollowsTheFractionOfActiveUnits) {
  torch::manual_seed(8);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8}));
  ExpansionOptions o{.initial_sparsity = 0.5, .final_sparsity = 0.1, .review_fau = 0.9};
  NeuroplasticExpansion ne(o, net, QNetwork(nullptr));
  EXPECT_EQ(ne.review_probability(), 0.0);  // not measured yet
  auto params = net->named_parameters();
  {
    torch::NoGradGuard no_grad;  // 4 of the 8 units never fire: FAU 0.5 (+ the head's units)
    for (int64_t u = 0; u < 4; ++u) params["trunk.1.bias"][u].fill_(-100.0);
  }
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::randn({32, 4});
  Backward(net, x);
  Capture(net, x);
  at::Generator generator = at::detail::createCPUGenerator(9);
  ne.TopologyStep(0.0, adam, generator);
  const double fau = ne.fau();
  ASSERT_LE(fau, 0.5 + 1e-9);
  EXPECT_NEAR(ne.review_probability(), 1.0 - 1.0 / (1.0 + 0.9 * std::exp(0.9 - fau)), 1e-12);
  o.review_fau = 0.0;  // off
  NeuroplasticExpansion off(o, net, QNetwork(nullptr));
  EXPECT_EQ(off.review_probability(), 0.0);
}

TEST(Expansion, CheckpointRestoresMasksAndCounters) {
  torch::manual_seed(10);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8}));
  NeuroplasticExpansion ne({.initial_sparsity = 0.6, .final_sparsity = 0.1}, net,
                           QNetwork(nullptr));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::randn({16, 4});
  Backward(net, x);
  Capture(net, x);
  at::Generator generator = at::detail::createCPUGenerator(11);
  ne.TopologyStep(0.2, adam, generator);
  Archive archive;
  ne.Save(archive, "g/");
  torch::manual_seed(12);
  QNetwork other(std::vector<int64_t>{4}, 2, Mlp({8}));
  NeuroplasticExpansion restored({.initial_sparsity = 0.6, .final_sparsity = 0.1}, other,
                                 QNetwork(nullptr));
  restored.Load(archive, "g/");
  for (size_t i = 0; i < ne.masks().size(); ++i)
    EXPECT_TRUE(restored.masks().mask(i).equal(ne.masks().mask(i))) << i;
  EXPECT_EQ(restored.grown(), ne.grown());
  EXPECT_EQ(restored.fau(), ne.fau());
  QNetwork wider(std::vector<int64_t>{4}, 2, Mlp({9}));
  NeuroplasticExpansion mismatched({.initial_sparsity = 0.6, .final_sparsity = 0.1}, wider,
                                   QNetwork(nullptr));
  EXPECT_THROW(mismatched.Load(archive, "g/"), UserError);
}

TEST(Expansion, ConfigRejectsShrinkingAndCombiningWithPruning) {
  ConfigSchema schema;
  PlasticityOptions::AddKeys(schema);
  auto options = [&](const std::vector<std::string>& sets) {
    Config config(schema);
    for (const auto& s : sets) config.Set(s);
    return PlasticityOptions::FromConfig(config);
  };
  EXPECT_TRUE(options({"grow.initial_sparsity=0.8"}).grow.enabled());
  EXPECT_FALSE(options({}).grow.enabled());
  EXPECT_THROW(options({"grow.initial_sparsity=0.2", "grow.final_sparsity=0.5"}), UserError);
  EXPECT_THROW(options({"grow.initial_sparsity=0.8", "prune.sparsity=0.5"}), UserError);
}

}  // namespace
}  // namespace qlab

// Diagnostics on hand-built activations, the pruning schedule and masks, ReDo and resets.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "qlab/plasticity/diagnostics.h"
#include "qlab/plasticity/interventions.h"
#include "qlab/plasticity/plasticity.h"
#include "qlab/plasticity/pruning.h"

namespace qlab {
namespace {

TEST(Diagnostics, DormantRatioOfKnownActivations) {
  // unit means |h|: 0, 0.1, 1.9, 2.0 -> layer mean 1.0, scores 0, 0.1, 1.9, 2.0
  const torch::Tensor h = torch::tensor({{0.0f, 0.0f, 1.9f, 1.0f}, {0.0f, 0.2f, 1.9f, 3.0f}});
  EXPECT_TRUE(UnitScores(h).allclose(torch::tensor({0.0f, 0.1f, 1.9f, 2.0f}), 1e-5, 1e-6));
  EXPECT_DOUBLE_EQ(DormantFraction(h, 0.0), 0.25);
  EXPECT_DOUBLE_EQ(DormantFraction(h, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(DormantFraction(h, 1.95), 0.75);
  // conv maps: a channel is a unit, averaged over positions
  torch::Tensor maps = torch::zeros({2, 3, 2, 2});
  maps.select(1, 1).fill_(1.0);
  EXPECT_NEAR(DormantFraction(maps, 0.0), 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(DormantFraction(torch::zeros({4, 5}), 0.0), 1.0);
}

TEST(Diagnostics, EffectiveRankOfKnownSpectra) {
  EXPECT_EQ(EffectiveRank(torch::diag(torch::tensor({1.0, 1.0, 1.0, 0.0}))), 3);
  // 100 / 101.1 < 0.99 <= 101 / 101.1
  EXPECT_EQ(EffectiveRank(torch::diag(torch::tensor({100.0, 1.0, 0.1}))), 2);
  EXPECT_EQ(EffectiveRank(torch::diag(torch::tensor({100.0, 1.0, 0.1})), 0.0005), 3);
  // rotating the features keeps the rank
  const torch::Tensor q = std::get<0>(torch::linalg_qr(torch::randn({6, 6}, torch::kFloat64)));
  EXPECT_EQ(EffectiveRank(torch::matmul(
                q, torch::diag(torch::tensor({5.0, 5.0, 5.0, 0.0, 0.0, 0.0}).to(torch::kFloat64)))),
            3);
  EXPECT_EQ(EffectiveRank(torch::zeros({4, 4})), 0);
}

TEST(Pruning, ScheduleIsZhuAndGuptasCubic) {
  const PruneOptions o{.sparsity = 0.9, .start = 0.2, .end = 0.8};
  EXPECT_DOUBLE_EQ(PruneSchedule(o, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(PruneSchedule(o, 0.2), 0.0);
  EXPECT_NEAR(PruneSchedule(o, 0.5), 0.9 * (1 - 0.125), 1e-12);
  EXPECT_NEAR(PruneSchedule(o, 0.8), 0.9, 1e-12);
  EXPECT_NEAR(PruneSchedule(o, 1.0), 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(PruneSchedule({.sparsity = 0.0}, 0.9), 0.0);
}

TEST(Pruning, MasksKeepTheLargestWeightsAndPersist) {
  torch::Tensor a = torch::tensor({0.1f, -5.0f, 0.3f, 2.0f});
  torch::Tensor b = torch::tensor({{-0.2f, 4.0f}, {1.0f, 0.05f}});
  MagnitudePruner global({.sparsity = 0.5, .scope = "global"}, {a, b}, {{}, {}});
  global.Prune(0.5);  // 4 of 8 go: 0.05, 0.1, -0.2, 0.3
  EXPECT_TRUE(a.equal(torch::tensor({0.0f, -5.0f, 0.0f, 2.0f})));
  EXPECT_TRUE(b.equal(torch::tensor({{0.0f, 4.0f}, {1.0f, 0.0f}})));
  EXPECT_EQ(global.pruned(), 4);
  EXPECT_DOUBLE_EQ(global.sparsity(), 0.5);
  // an optimiser step moves pruned weights; the masks put them back to zero
  a.add_(1.0);
  global.Apply();
  EXPECT_TRUE(a.equal(torch::tensor({0.0f, -4.0f, 0.0f, 3.0f})));
  // masks survive a checkpoint
  Archive archive;
  global.Save(archive, "p/");
  torch::Tensor a2 = torch::ones({4}), b2 = torch::ones({2, 2});
  MagnitudePruner restored({.sparsity = 0.5}, {a2, b2}, {{}, {}});
  restored.Load(archive, "p/");
  restored.Apply();
  EXPECT_TRUE(a2.equal(torch::tensor({0.0f, 1.0f, 0.0f, 1.0f})));
  EXPECT_TRUE(b2.equal(torch::tensor({{0.0f, 1.0f}, {1.0f, 0.0f}})));
  torch::Tensor wrong = torch::ones({3});
  MagnitudePruner mismatched({.sparsity = 0.5}, {wrong}, {{}});
  EXPECT_THROW(mismatched.Load(archive, "p/"), UserError);

  // per layer: each layer at the target, here 1 of 4 and 1 of 4
  torch::Tensor c = torch::tensor({0.1f, -5.0f, 0.3f, 2.0f});
  torch::Tensor d = torch::tensor({{-0.2f, 4.0f}, {1.0f, 0.05f}});
  torch::Tensor tied = torch::ones({2, 2});
  MagnitudePruner per_layer({.sparsity = 0.25, .scope = "per_layer"}, {c, d}, {{}, tied});
  per_layer.Prune(0.25);
  EXPECT_TRUE(c.equal(torch::tensor({0.0f, -5.0f, 0.3f, 2.0f})));
  EXPECT_TRUE(d.equal(torch::tensor({{-0.2f, 4.0f}, {1.0f, 0.0f}})));
  EXPECT_TRUE(tied.equal(torch::tensor({{1.0f, 1.0f}, {1.0f, 0.0f}})));
}

TEST(Pruning, FollowsTheScheduleDuringTraining) {
  torch::manual_seed(0);
  torch::Tensor w = torch::randn({100});
  MagnitudePruner pruner({.sparsity = 0.9, .start = 0.2, .end = 0.8, .period = 10}, {w}, {{}});
  pruner.AfterStep(10, 0.1);
  EXPECT_EQ(pruner.pruned(), 0);
  pruner.AfterStep(15, 0.5);  // not a mask update
  EXPECT_EQ(pruner.pruned(), 0);
  pruner.AfterStep(20, 0.5);
  EXPECT_EQ(pruner.pruned(), 78);  // floor(0.7875 * 100)
  pruner.AfterStep(23, 0.85);      // past the end: the final sparsity at once
  EXPECT_EQ(pruner.pruned(), 90);
  EXPECT_EQ((w == 0).sum().item<int64_t>(), 90);
}

NetworkOptions Mlp(std::vector<int64_t> widths) {
  NetworkOptions o;
  o.widths = std::move(widths);
  return o;
}

// One Adam step on a random regression, so every parameter has moments.
std::unique_ptr<torch::optim::Adam> Stepped(QNetwork& net, const torch::Tensor& x) {
  auto adam =
      std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-3));
  net->forward(x).square().sum().backward();
  adam->step();
  return adam;
}

torch::Tensor ExpAvg(torch::optim::Adam& adam, const torch::Tensor& p) {
  auto* state = OptimizerStateOf(adam, p);
  return state == nullptr ? torch::Tensor()
                          : static_cast<torch::optim::AdamParamState*>(state)->exp_avg();
}

TEST(ReDo, RecyclesExactlyTheDormantUnitsAndTheirOptimiserState) {
  torch::manual_seed(1);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8, 6}));
  const torch::Tensor x = torch::randn({64, 4});
  auto params = net->named_parameters();
  torch::Tensor w1 = params["trunk.1.weight"], b1 = params["trunk.1.bias"];
  torch::Tensor w2 = params["post.0.weight"];
  {
    // units 2 and 5 of dense1 never fire
    torch::NoGradGuard no_grad;
    for (int64_t u : {2, 5}) {
      w1[u].fill_(0.0);
      b1[u].fill_(-1.0);
    }
  }
  auto adam = Stepped(net, x);
  const torch::Tensor w1_before = w1.detach().clone(), w2_before = w2.detach().clone();
  torch::Tensor q_before;
  {
    torch::NoGradGuard no_grad;
    net->set_capture(true);
    q_before = net->forward(x);
    net->set_capture(false);
  }
  // units 2 and 5 and whatever else the random init left dead
  const torch::Tensor expected = DormantUnits(net->captured()[0], 0.0);
  ASSERT_TRUE(expected[2].item<bool>() && expected[5].item<bool>());
  const int64_t total =
      expected.sum().item<int64_t>() + DormantUnits(net->captured()[1], 0.0).sum().item<int64_t>();
  at::Generator generator = at::detail::createCPUGenerator(7);
  EXPECT_EQ(RecycleDormantUnits(net, 0.0, *adam, generator), total);
  for (int64_t u = 0; u < 8; ++u) {
    const bool dormant = expected[u].item<bool>();
    EXPECT_EQ(w1[u].equal(w1_before[u]), !dormant) << u;
    EXPECT_EQ(w2.select(1, u).abs().sum().item<double>() == 0.0, dormant) << u;
    EXPECT_EQ(ExpAvg(*adam, w1)[u].abs().sum().item<double>() == 0.0, dormant) << u;
    EXPECT_EQ(ExpAvg(*adam, w2).select(1, u).abs().sum().item<double>() == 0.0, dormant) << u;
  }
  // fresh weights come from the initial distribution: U(-1/2, 1/2) for fan-in 4
  EXPECT_LE(w1[2].abs().max().item<double>(), 0.5);
  // zero outgoing weights: the function is unchanged at the moment of recycling
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(net->forward(x).allclose(q_before, 1e-6, 1e-6));
}

TEST(ReDo, ConvChannelsZeroTheirBlockOfFlattenedColumns) {
  torch::manual_seed(2);
  NetworkOptions o = Mlp({8});
  o.torso = "minatar_cnn";
  o.conv_padding = "valid";
  QNetwork net(std::vector<int64_t>{2, 5, 5}, 3, o);
  const auto& conv = net->unit_layers()[0];
  EXPECT_EQ(conv.block, 9);  // 3x3 output maps
  auto params = net->named_parameters();
  torch::Tensor cw = params["trunk.0.weight"], cb = params["trunk.0.bias"];
  torch::Tensor dense = params["post.0.weight"];
  {
    torch::NoGradGuard no_grad;
    cw[4].fill_(0.0);
    cb[4].fill_(-1.0);
  }
  const torch::Tensor x = torch::rand({16, 2, 5, 5});
  auto adam = Stepped(net, x);
  {
    torch::NoGradGuard no_grad;
    net->set_capture(true);
    net->forward(x);
    net->set_capture(false);
  }
  const torch::Tensor dead = DormantUnits(net->captured()[0], 0.0);
  ASSERT_TRUE(dead[4].item<bool>());
  at::Generator generator = at::detail::createCPUGenerator(3);
  EXPECT_GE(RecycleDormantUnits(net, 0.0, *adam, generator), 1);
  // channel c's 3x3 map is read by flattened columns 9c .. 9c + 8
  for (int64_t c = 0; c < 16; ++c)
    EXPECT_EQ(dense.slice(1, 9 * c, 9 * c + 9).abs().sum().item<double>() == 0.0,
              dead[c].item<bool>())
        << c;
}

TEST(Resets, RedrawTheLastLayersAndShrinkTheRest) {
  torch::manual_seed(3);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8, 8})),
      target(std::vector<int64_t>{4}, 2, Mlp({8, 8}));
  const torch::Tensor x = torch::rand({8, 4});
  auto adam = Stepped(net, x);
  auto before = net->named_parameters();
  std::map<std::string, torch::Tensor> old;
  for (auto& p : before) old[p.key()] = p.value().detach().clone();
  at::Generator generator = at::detail::createCPUGenerator(4);
  ResetLayers(net, &target, /*last_layers=*/1, /*shrink=*/1.0, *adam, generator);
  auto after = net->named_parameters();
  EXPECT_TRUE(after["trunk.1.weight"].equal(old["trunk.1.weight"]));
  EXPECT_TRUE(after["post.0.weight"].equal(old["post.0.weight"]));
  EXPECT_FALSE(after["q.0.weight"].equal(old["q.0.weight"]));
  EXPECT_EQ(ExpAvg(*adam, after["q.0.weight"]).abs().sum().item<double>(), 0.0);
  EXPECT_GT(ExpAvg(*adam, after["post.0.weight"]).abs().sum().item<double>(), 0.0);
  // the target takes the reset head, not the rest
  EXPECT_TRUE(target->named_parameters()["q.0.weight"].equal(after["q.0.weight"]));
  EXPECT_FALSE(target->named_parameters()["post.0.weight"].equal(after["post.0.weight"]));

  // shrink and perturb: 0.5 * old + 0.5 * fresh, fresh within the init bound 1/sqrt(8)
  for (auto& p : after) old[p.key()] = p.value().detach().clone();
  ResetLayers(net, nullptr, /*last_layers=*/0, /*shrink=*/0.5, *adam, generator);
  const torch::Tensor w = net->named_parameters()["post.0.weight"];
  const torch::Tensor fresh = (w - 0.5 * old["post.0.weight"]) * 2.0;
  EXPECT_FALSE(w.equal(old["post.0.weight"]));
  EXPECT_LE(fresh.abs().max().item<double>(), 1.0 / std::sqrt(8.0) + 1e-6);
}

// BBF's reset (Schwarzer et al. 2023): the encoder (here the mlp's first layer, the latent SPR
// reads) moves halfway to a fresh draw with its optimiser moments kept; every later layer is drawn
// afresh with zeroed moments; the target takes the same steps toward the same draws.
TEST(Resets, BbfShrinksTheEncoderAndRedrawsEverythingAfterIt) {
  torch::manual_seed(5);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8, 8})),
      target(std::vector<int64_t>{4}, 2, Mlp({8, 8}));
  ASSERT_EQ(net->encoder_layers(), 1);
  const torch::Tensor x = torch::rand({8, 4});
  auto adam = Stepped(net, x);
  std::map<std::string, torch::Tensor> old, old_target, old_moment;
  for (auto& p : net->named_parameters()) {
    old[p.key()] = p.value().detach().clone();
    old_moment[p.key()] = ExpAvg(*adam, p.value()).clone();
  }
  for (auto& p : target->named_parameters()) old_target[p.key()] = p.value().detach().clone();
  at::Generator generator = at::detail::createCPUGenerator(6);
  ResetLayers(net, &target, /*last_layers=*/-1, /*shrink=*/0.5, *adam, generator);
  auto now = net->named_parameters();
  auto now_target = target->named_parameters();
  for (const auto& [name, before] : old) {
    SCOPED_TRACE(name);
    const torch::Tensor p = now[name];
    EXPECT_FALSE(p.equal(before));
    if (name.rfind("trunk.", 0) == 0) {
      // theta' = 0.5 theta + 0.5 fresh, moments untouched
      const torch::Tensor fresh = (p - 0.5 * before) * 2.0;
      EXPECT_TRUE(now_target[name].allclose(0.5 * old_target[name] + 0.5 * fresh, 1e-5, 1e-6));
      EXPECT_TRUE(ExpAvg(*adam, p).equal(old_moment[name]));
      if (name == "trunk.1.weight")  // fresh within the init bound 1/sqrt(fan-in 4)
        EXPECT_LE(fresh.abs().max().item<double>(), 0.5 + 1e-5);
    } else {
      EXPECT_TRUE(now_target[name].equal(p));
      EXPECT_EQ(ExpAvg(*adam, p).abs().sum().item<double>(), 0.0);
    }
  }
}

// Plasticity schedules the resets: modules outside the Q-network (SPR's transition model and
// heads) reset with it, and none happen from reset.until on.
TEST(Resets, AuxiliaryModulesResetWithTheNetworkUntilTheCutoff) {
  torch::manual_seed(8);
  QNetwork net(std::vector<int64_t>{4}, 2, Mlp({8})), target(std::vector<int64_t>{4}, 2, Mlp({8}));
  torch::nn::Linear transition(8, 8), head(8, 3), head_target(8, 3);
  std::vector<torch::Tensor> params = net->parameters();
  for (const auto& p : transition->parameters()) params.push_back(p);
  for (const auto& p : head->parameters()) params.push_back(p);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::rand({8, 4});
  (net->forward(x).square().sum() + head(transition(net->Encode(x))).square().sum()).backward();
  adam.step();
  PlasticityOptions o;
  o.reset_period = 2;
  o.reset_layers = -1;
  o.reset_shrink = 0.5;
  o.reset_until = 0.5;
  Plasticity plasticity(o, net, target, /*seed=*/1,
                        {{transition.ptr(), nullptr, /*with_encoder=*/true},
                         {head.ptr(), head_target.ptr(), /*with_encoder=*/false}});
  const torch::Tensor t0 = transition->weight.detach().clone(), h0 = head->weight.detach().clone();
  const torch::Tensor t_moment = ExpAvg(adam, transition->weight).clone();
  const auto no_capture = [] {};
  EXPECT_FALSE(plasticity.AfterStep(1, 0.1, adam, no_capture));  // not a multiple of 2
  EXPECT_TRUE(transition->weight.equal(t0));
  EXPECT_TRUE(plasticity.AfterStep(2, 0.2, adam, no_capture));
  EXPECT_TRUE(ExpAvg(adam, transition->weight).equal(t_moment));  // shrunk: moments kept
  EXPECT_LE(((transition->weight - 0.5 * t0) * 2.0).abs().max().item<double>(),
            1.0 / std::sqrt(8.0) + 1e-6);
  EXPECT_FALSE(transition->weight.equal(t0));
  EXPECT_FALSE(head->weight.equal(h0));
  EXPECT_EQ(ExpAvg(adam, head->weight).abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(head_target->weight.equal(head->weight));
  // past reset.until: no reset even on the period
  const torch::Tensor h1 = head->weight.detach().clone();
  EXPECT_FALSE(plasticity.AfterStep(4, 0.5, adam, no_capture));
  EXPECT_TRUE(head->weight.equal(h1));
  double resets = -1.0;
  for (const auto& [name, value] : plasticity.Diagnostics(x))
    if (name == "resets") resets = value;
  EXPECT_EQ(resets, 1.0);
}

}  // namespace
}  // namespace qlab

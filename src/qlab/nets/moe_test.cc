// Mixtures of experts, tokenisation, SimBa, simplicial embeddings and scaling keys of the value
// network: shapes, the routing invariants of each paper, and gradients against finite differences.
#include "qlab/nets/moe.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"
#include "qlab/nets/network.h"

namespace qlab {
namespace {

torch::Tensor Image(int64_t b, int64_t c, int64_t h, int64_t w) {
  torch::manual_seed(0);
  return torch::randn({b, c, h, w});
}

TEST(Tokenize, EachModeMakesTheTokensOfItsPaper) {
  const torch::Tensor x = Image(2, 3, 4, 6);
  const torch::Tensor conv = Tokenize(x, "per_conv", 2);
  ASSERT_EQ(conv.sizes().vec(), (std::vector<int64_t>{2, 24, 3}));
  // token h * W + w holds the channels at (h, w)
  EXPECT_TRUE(conv[1][1 * 6 + 4].equal(x[1].select(1, 1).select(1, 4)));
  const torch::Tensor feature = Tokenize(x, "per_feature", 2);
  ASSERT_EQ(feature.sizes().vec(), (std::vector<int64_t>{2, 3, 24}));
  EXPECT_TRUE(feature[0][2].equal(x[0][2].flatten()));
  const torch::Tensor patch = Tokenize(x, "per_patch", 2);
  ASSERT_EQ(patch.sizes().vec(), (std::vector<int64_t>{2, 6, 12}));
  // patch (row 1, col 2) covers rows 2..3, cols 4..5; values ordered (dy, dx, channel)
  const torch::Tensor want = x[1].slice(1, 2, 4).slice(2, 4, 6).permute({1, 2, 0}).flatten();
  EXPECT_TRUE(patch[1][1 * 3 + 2].equal(want));
  EXPECT_EQ(Tokenize(x, "flat", 2).sizes().vec(), (std::vector<int64_t>{2, 1, 72}));
  EXPECT_EQ(Tokenize(torch::ones({2, 5}), "per_feature", 2).sizes().vec(),
            (std::vector<int64_t>{2, 5, 1}));
  EXPECT_EQ(TokenShape({3, 4, 6}, "per_patch", 2), (std::pair<int64_t, int64_t>{6, 12}));
  EXPECT_THROW(TokenShape({3, 4, 6}, "per_patch", 4), UserError);
  EXPECT_THROW(TokenShape({5}, "per_conv", 2), UserError);
}

MoeOptions Options(const std::string& type, int64_t experts = 4) {
  MoeOptions o;
  o.type = type;
  o.num_experts = experts;
  o.expert_width = 5;
  o.slots_per_expert = 2;
  return o;
}

TEST(SoftMoe, DispatchMixesTokensAndCombineMixesSlots) {
  torch::manual_seed(1);
  MixtureOfExperts moe(6, Options("softmoe"));
  const torch::Tensor tokens = torch::randn({3, 7, 6});
  const torch::Tensor out = moe->forward(tokens);
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{3, 7, 5}));
  ASSERT_EQ(moe->dispatch().sizes().vec(), (std::vector<int64_t>{3, 7, 8}));
  // dispatch: a distribution over tokens for every slot; combine: over slots for every token
  EXPECT_TRUE(moe->dispatch().sum(1).allclose(torch::ones({3, 8}), 1e-5, 1e-6));
  EXPECT_TRUE(moe->combine().sum(2).allclose(torch::ones({3, 7}), 1e-5, 1e-6));
  const RoutingStats routing = moe->routing();
  EXPECT_NEAR(routing.usage.sum().item<double>(), 1.0, 1e-5);
  EXPECT_GT(routing.entropy, 0.0);
  EXPECT_LE(routing.entropy, std::log(4.0) + 1e-6);
  // one sample's output does not depend on the rest of the batch
  EXPECT_TRUE(moe->forward(tokens.slice(0, 0, 1)).allclose(out.slice(0, 0, 1), 1e-5, 1e-6));
}

TEST(TopKMoe, RoutesEachTokenToItsMostProbableExpert) {
  torch::manual_seed(2);
  MixtureOfExperts moe(6, Options("top_k", 3));
  const torch::Tensor tokens = torch::randn({2, 5, 6});
  const torch::Tensor out = moe->forward(tokens);
  torch::NoGradGuard no_grad;
  const auto named = moe->named_parameters();
  const torch::Tensor probs = torch::softmax(
      torch::nn::functional::linear(tokens, named["router.weight"], named["router.bias"]), 2);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 5; ++t) {
      const int64_t e = probs[b][t].argmax().item<int64_t>();
      const torch::Tensor want =
          probs[b][t][e] * torch::relu(moe->expert(e)->forward(tokens[b][t]));
      EXPECT_TRUE(out[b][t].allclose(want, 1e-5, 1e-6)) << b << "," << t;
    }
  // Switch's loss is E * sum f_e P_e: exactly 1 for a uniform router
  for (auto& p : moe->named_parameters())
    if (p.key().rfind("router", 0) == 0) p.value().zero_();
  moe->forward(tokens);
  EXPECT_NEAR(moe->aux_loss().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(moe->routing().entropy, std::log(3.0), 1e-5);
}

TEST(ExpertChoiceMoe, EachExpertTakesItsCapacityOfTokensPerSample) {
  torch::manual_seed(3);
  MoeOptions o = Options("expert_choice", 2);
  o.capacity = 1.0;  // 8 tokens, 2 experts: 4 tokens each
  MixtureOfExperts moe(4, o);
  // experts with positive outputs everywhere: a token is zero exactly when no expert took it
  torch::NoGradGuard no_grad;
  for (int64_t e = 0; e < 2; ++e) {
    moe->expert(e)->weight.zero_();
    moe->expert(e)->bias.fill_(1.0);
  }
  const torch::Tensor out = moe->forward(torch::randn({3, 8, 4}));
  const torch::Tensor taken = out.abs().sum(2) > 0;  // [B, T]
  for (int64_t b = 0; b < 3; ++b) {
    EXPECT_GE(taken[b].sum().item<int64_t>(), 4);
    EXPECT_LE(taken[b].sum().item<int64_t>(), 8);
  }
  EXPECT_NEAR(moe->routing().usage.sum().item<double>(), 1.0, 1e-6);
}

// Central finite differences of sum(out * w) against autograd, in double precision.
void ExpectGradientsMatch(torch::nn::Module& module,
                          const std::function<torch::Tensor()>& forward) {
  module.to(torch::kFloat64);
  torch::manual_seed(4);
  const torch::Tensor probe = forward().detach().clone().normal_();
  module.zero_grad();
  (forward() * probe).sum().backward();
  for (auto& p : module.named_parameters()) {
    torch::Tensor flat = p.value().detach().view(-1);
    // a parameter the forward never reached (an expert no token chose) has no gradient: zero
    const torch::Tensor grad =
        p.value().grad().defined() ? p.value().grad().view(-1) : torch::zeros_like(flat);
    for (int64_t i = 0; i < std::min<int64_t>(flat.numel(), 5); ++i) {
      const int64_t k = (i * 7919) % flat.numel();
      const double h = 1e-6, saved = flat[k].item<double>();
      torch::NoGradGuard no_grad;
      flat[k] = saved + h;
      const double up = (forward() * probe).sum().item<double>();
      flat[k] = saved - h;
      const double down = (forward() * probe).sum().item<double>();
      flat[k] = saved;
      EXPECT_NEAR(grad[k].item<double>(), (up - down) / (2 * h), 1e-5)
          << p.key() << "[" << k << "]";
    }
  }
}

TEST(MixtureGradients, MatchFiniteDifferences) {
  for (const std::string& type : {"softmoe", "top_k", "expert_choice"}) {
    SCOPED_TRACE(type);
    torch::manual_seed(5);
    MixtureOfExperts moe(4, Options(type, 2));
    const torch::Tensor tokens = torch::randn({2, 6, 4}, torch::kFloat64);
    ExpectGradientsMatch(*moe, [&] { return moe->forward(tokens); });
  }
}

NetworkOptions Net(const std::string& torso, std::vector<int64_t> widths) {
  NetworkOptions o;
  o.torso = torso;
  o.widths = std::move(widths);
  return o;
}

TEST(QNetworkModules, MixturesReplaceThePenultimateLayer) {
  for (const std::string& type : {"softmoe", "top_k", "expert_choice"})
    for (const std::string& tokens : {"per_conv", "per_feature", "per_patch", "flat"}) {
      SCOPED_TRACE(type + " " + tokens);
      NetworkOptions o = Net("minatar_cnn", {});
      o.moe = Options(type, 2);
      o.moe.tokenize = tokens;
      o.moe.patch = 5;
      QNetwork net(std::vector<int64_t>{4, 10, 10}, 3, o);
      const torch::Tensor q = net->forward(torch::rand({5, 4, 10, 10}));
      EXPECT_EQ(q.sizes().vec(), (std::vector<int64_t>{5, 3, 1}));
      EXPECT_GT(net->forward_macs(), 0);
    }
  NetworkOptions o = Net("minatar_cnn", {128});
  o.moe = Options("softmoe");
  EXPECT_THROW(QNetwork(std::vector<int64_t>{4, 10, 10}, 3, o),
               UserError);  // widths must be empty with a conv torso
  o = Net("mlp", {16});
  o.moe = Options("softmoe");
  o.moe.tokenize = "per_conv";
  EXPECT_THROW(QNetwork(std::vector<int64_t>{4}, 2, o), UserError);
  o.moe.tokenize = "per_feature";
  o.moe.aggregate = "mean";
  QNetwork mlp(std::vector<int64_t>{4}, 2, o);
  EXPECT_EQ(mlp->forward(torch::rand({3, 4})).sizes().vec(), (std::vector<int64_t>{3, 2, 1}));
  ExpectGradientsMatch(*mlp,
                       [&, x = torch::rand({3, 4}, torch::kFloat64)] { return mlp->forward(x); });
}

TEST(QNetworkModules, SimbaNormalisesWithRunningStatistics) {
  NetworkOptions o = Net("simba", {16});
  o.simba_blocks = 2;
  QNetwork net(std::vector<int64_t>{3}, 2, o);
  EXPECT_EQ(net->unit_layers().size(), 2u);
  torch::manual_seed(6);
  const torch::Tensor a = torch::randn({50, 3}) * 3 + 1, b = torch::randn({30, 3}) - 2;
  net->ObserveInputs(a);
  net->ObserveInputs(b);
  const torch::Tensor all = torch::cat({a, b});
  const auto buffers = net->named_buffers();
  EXPECT_TRUE(buffers["obs_mean"].allclose(all.mean(0), 1e-4, 1e-5));
  EXPECT_TRUE(buffers["obs_var"].allclose(all.var(0, /*unbiased=*/false), 1e-4, 1e-5));
  EXPECT_EQ(net->forward(all).sizes().vec(), (std::vector<int64_t>{80, 2, 1}));
  ExpectGradientsMatch(*net, [&, x = all.to(torch::kFloat64)] { return net->forward(x); });
  EXPECT_THROW(QNetwork(std::vector<int64_t>{3}, 2, Net("simba", {16, 16})), UserError);
  EXPECT_THROW(QNetwork(std::vector<int64_t>{1, 4, 4}, 2, Net("simba", {16})), UserError);
}

// SimbaV2 (Lee et al. 2025): features on the unit sphere after every block, weights back on it
// after each optimiser step, the input shift keeps the observations' magnitude, alpha = 0 leaves
// the embedding untouched.
TEST(QNetworkModules, SimbaV2KeepsFeaturesAndWeightsOnTheSphere) {
  torch::manual_seed(4);
  SimbaV2 torso(3, 8, 2);
  const torch::Tensor x = torch::randn({16, 3});
  std::vector<torch::Tensor> inner;
  const torch::Tensor h = torso->Run(x, &inner);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{16, 8}));
  EXPECT_TRUE(h.norm(2, 1).allclose(torch::ones({16}), 1e-5, 1e-5));
  ASSERT_EQ(inner.size(), 2u);
  EXPECT_EQ(inner[0].size(1), 32);  // 4x inner width
  // x and 2x point the same way: only the shift coordinate tells them apart
  EXPECT_FALSE(torso->forward(2 * x).allclose(h, 1e-4, 1e-4));

  torch::optim::Adam adam(torso->parameters(), torch::optim::AdamOptions(0.05));
  torso->forward(x).sum().backward();
  adam.step();
  EXPECT_FALSE(torso->up_weight(0).norm(2, 1).allclose(torch::ones({32}), 1e-3, 1e-3));
  torso->ProjectWeights();
  for (int64_t l = 0; l < 2; ++l) {
    EXPECT_TRUE(torso->up_weight(l).norm(2, 1).allclose(torch::ones({32}), 1e-5, 1e-5));
    EXPECT_TRUE(torso->down_weight(l).norm(2, 1).allclose(torch::ones({8}), 1e-5, 1e-5));
  }

  // alpha = 0: every block keeps its input, so the output is the embedding h_0
  {
    torch::NoGradGuard no_grad;
    for (auto& p : torso->named_parameters())
      if (p.key().find("alpha") != std::string::npos) p.value().zero_();
  }
  SimbaV2 no_blocks(3, 8, 0);
  {
    torch::NoGradGuard no_grad;
    auto to = no_blocks->named_parameters();
    to["embed"].copy_(torso->named_parameters()["embed"]);
    to["embed_scaler"].copy_(torso->named_parameters()["embed_scaler"]);
  }
  EXPECT_TRUE(torso->forward(x).allclose(no_blocks->forward(x), 1e-5, 1e-6));

  // as a Q-network torso: RSNorm inputs, block units scored (not recycled), gradients right
  NetworkOptions o = Net("simbav2", {16});
  QNetwork net(std::vector<int64_t>{3}, 2, o);
  EXPECT_EQ(net->unit_layers().size(), 2u);
  EXPECT_FALSE(net->unit_layers()[0].recyclable);
  net->set_capture(true);
  EXPECT_EQ(net->forward(x).sizes().vec(), (std::vector<int64_t>{16, 2, 1}));
  EXPECT_EQ(net->captured().size(), 2u);
  net->set_capture(false);
  ExpectGradientsMatch(*net, [&, x64 = x.to(torch::kFloat64)] { return net->forward(x64); });
  EXPECT_THROW(QNetwork(std::vector<int64_t>{1, 4, 4}, 2, Net("simbav2", {16})), UserError);
}

TEST(QNetworkModules, SimplicialEmbeddingIsAProductOfSimplices) {
  NetworkOptions o = Net("mlp", {16});
  o.simplicial_groups = 3;
  o.simplicial_dim = 4;
  o.simplicial_tau = 0.5;
  QNetwork net(std::vector<int64_t>{5}, 2, o);
  net->set_capture(true);
  net->forward(torch::rand({6, 5}));
  const torch::Tensor f = net->features().view({6, 3, 4});
  EXPECT_TRUE(f.sum(2).allclose(torch::ones({6, 3}), 1e-5, 1e-6));
  EXPECT_TRUE((f >= 0).all().item<bool>());
}

TEST(QNetworkModules, WidthAndDepthScaleEveryTorso) {
  NetworkOptions o = Net("minatar_cnn", {32});
  o.conv_padding = "valid";
  QNetwork base(std::vector<int64_t>{4, 10, 10}, 3, o);
  o.width_scale = 2.0;
  o.depth_scale = 2;
  QNetwork big(std::vector<int64_t>{4, 10, 10}, 3, o);
  // conv 4->32 (3x3), extra conv 32->32, flatten 32*8*8 -> 64 twice, head 64 -> 3
  const int64_t want =
      (4 * 9 * 32 + 32) + (32 * 9 * 32 + 32) + (32 * 64 * 64 + 64) + (64 * 64 + 64) + (64 * 3 + 3);
  EXPECT_EQ(big->num_parameters(), want);
  EXPECT_GT(big->forward_macs(), base->forward_macs());
  std::vector<std::string> names;
  for (const auto& layer : big->unit_layers()) names.push_back(layer.name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv1", "conv2", "dense1", "dense2"}));
  EXPECT_EQ(big->forward(torch::rand({2, 4, 10, 10})).sizes().vec(),
            (std::vector<int64_t>{2, 3, 1}));
}

}  // namespace
}  // namespace qlab

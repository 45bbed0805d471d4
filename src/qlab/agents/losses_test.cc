// The losses of the DQN family on hand-computed cases (numbers worked out in the comments).
#include "qlab/agents/losses.h"

#include <gtest/gtest.h>

#include <cmath>

#include "qlab/nets/network.h"

namespace qlab {
namespace {

torch::Tensor T(std::vector<float> values) { return torch::tensor(values); }
torch::Tensor T2(std::vector<std::vector<float>> rows) {
  std::vector<torch::Tensor> out;
  for (auto& row : rows) out.push_back(T(row));
  return torch::stack(out);
}

void ExpectTensorNear(const torch::Tensor& got, const torch::Tensor& want, double tol = 1e-5) {
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_TRUE(torch::allclose(got, want, 0.0, tol)) << "got\n" << got << "\nwant\n" << want;
}

TEST(CategoricalProjection, IsTheIdentityForZeroRewardAndUnitDiscount) {
  const torch::Tensor support = T({-1, 0, 1});
  ExpectTensorNear(CategoricalProjection(support, T2({{0.2, 0.3, 0.5}}), T({0}), T({1})),
                   T2({{0.2, 0.3, 0.5}}));
}

TEST(CategoricalProjection, SplitsMassBetweenNeighbouringAtoms) {
  // T z = -0.25 + 0.5 z = [-0.75, -0.25, 0.25]:
  //   -0.75 -> 0.75 on -1, 0.25 on 0;  -0.25 -> 0.25 on -1, 0.75 on 0;  0.25 -> 0.75 on 0, 0.25 on
  //   1 m = [0.75*0.2 + 0.25*0.3, 0.25*0.2 + 0.75*0.3 + 0.75*0.5, 0.25*0.5] = [0.225, 0.65, 0.125]
  ExpectTensorNear(
      CategoricalProjection(T({-1, 0, 1}), T2({{0.2, 0.3, 0.5}}), T({-0.25}), T({0.5})),
      T2({{0.225, 0.65, 0.125}}));
}

TEST(CategoricalProjection, PilesMassBeyondTheSupportOnTheEdgeAtoms) {
  // T z = 1 + z = [0, 1, 2 -> clipped to 1]; and r = -5 puts everything on the lowest atom
  ExpectTensorNear(CategoricalProjection(T({-1, 0, 1}), T2({{0.2, 0.3, 0.5}, {0.2, 0.3, 0.5}}),
                                         T({1, -5}), T({1, 1})),
                   T2({{0.0, 0.2, 0.8}, {1.0, 0.0, 0.0}}));
}

TEST(CategoricalProjection, TerminalTransitionsIgnoreTheNextDistribution) {
  // discount 0: a point mass at r = 0.5, half on atom 0 and half on atom 1, whatever p is
  ExpectTensorNear(CategoricalProjection(T({-1, 0, 1}), T2({{1, 0, 0}}), T({0.5}), T({0})),
                   T2({{0.0, 0.5, 0.5}}));
}

TEST(CategoricalLoss, IsTheCrossEntropy) {
  // uniform logits: -log(1/3) whatever the target
  EXPECT_NEAR(CategoricalLoss(T2({{0, 0, 0}}), T2({{0, 1, 0}}))[0].item<double>(), std::log(3.0),
              1e-6);
  // logits [log 1, log 3] -> p = [0.25, 0.75]; target [0.5, 0.5]: -(0.5 log 0.25 + 0.5 log 0.75)
  EXPECT_NEAR(CategoricalLoss(T2({{0.0f, std::log(3.0f)}}), T2({{0.5, 0.5}}))[0].item<double>(),
              -(0.5 * std::log(0.25) + 0.5 * std::log(0.75)), 1e-6);
}

TEST(QuantileHuberLoss, WeighsErrorsByTheirSideOfTheQuantile) {
  // tau 0.25, pred 0: a target above costs 0.25 |u|, a target below 0.75 |u| (kappa 0)
  EXPECT_NEAR(QuantileHuberLoss(T2({{0}}), T({0.25}), T2({{1}}), 0.0)[0].item<double>(), 0.25,
              1e-6);
  EXPECT_NEAR(QuantileHuberLoss(T2({{0}}), T({0.25}), T2({{-1}}), 0.0)[0].item<double>(), 0.75,
              1e-6);
}

TEST(QuantileHuberLoss, UsesTheHuberLossDividedByKappa) {
  // kappa 1, u 0.5: 0.5 u^2 = 0.125, times 0.25; u 3: 3 - 0.5 = 2.5, times 0.25
  EXPECT_NEAR(QuantileHuberLoss(T2({{0}}), T({0.25}), T2({{0.5}}), 1.0)[0].item<double>(), 0.03125,
              1e-6);
  EXPECT_NEAR(QuantileHuberLoss(T2({{0}}), T({0.25}), T2({{3}}), 1.0)[0].item<double>(), 0.625,
              1e-6);
  // kappa 2, u 3: 2 (3 - 1) / 2 = 2, times 0.25
  EXPECT_NEAR(QuantileHuberLoss(T2({{0}}), T({0.25}), T2({{3}}), 2.0)[0].item<double>(), 0.5, 1e-6);
}

TEST(QuantileHuberLoss, SumsOverPredictionsAndAveragesOverTargets) {
  // pred [0, 1] at taus [0.25, 0.75], targets [0.5, 2], kappa 0:
  //   i = 0: u = [0.5, 2]  -> 0.25 * (0.5 + 2) / 2          = 0.3125
  //   i = 1: u = [-0.5, 1] -> (0.25 * 0.5 + 0.75 * 1) / 2    = 0.4375
  const torch::Tensor pred = T2({{0, 1}, {0, 1}});
  const torch::Tensor loss =
      QuantileHuberLoss(pred, T2({{0.25, 0.75}, {0.25, 0.75}}), T2({{0.5, 2}, {0.5, 2}}), 0.0);
  ExpectTensorNear(loss, T({0.75, 0.75}));
  // fractions per sample ([B, N]) and shared ones ([N]) agree
  ExpectTensorNear(QuantileHuberLoss(pred, T({0.25, 0.75}), T2({{0.5, 2}, {0.5, 2}}), 0.0), loss);
}

TEST(QuantileHuberLoss, GradientDescentFindsTheQuantiles) {
  // minimising over samples {0, 1, 2, 3, 4} moves the prediction at tau = 0.5 to the median 2
  torch::Tensor pred = torch::zeros({1, 1}, torch::requires_grad());
  const torch::Tensor target = T2({{0, 1, 2, 3, 4}});
  for (int step = 0; step < 400; ++step) {
    torch::Tensor loss = QuantileHuberLoss(pred, T({0.5}), target, 0.1).sum();
    pred.mutable_grad() = torch::Tensor();
    loss.backward();
    torch::NoGradGuard no_grad;
    pred -= 0.05 * pred.grad();
  }
  EXPECT_NEAR(pred.item<double>(), 2.0, 0.1);
}

TEST(QuantileHuberLoss, FusedCpuPassMatchesTheCompositeFormAndItsGradient) {
  // On the CPU the loss is one fused pass with a hand-written gradient; the composite form runs
  // when targets need gradients (and on GPUs). Both on random cases with ties (u = 0, |u| = k).
  torch::manual_seed(3);
  for (const double kappa : {0.0, 0.5, 1.0}) {
    for (const bool per_sample : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << "kappa " << kappa << ", per-sample fractions " << per_sample);
      const torch::Tensor pred = torch::randn({6, 7});
      // ties: u = 0.5 for every sample's first prediction, u = 0 for its second
      const torch::Tensor target = torch::cat(
          {torch::randn({6, 8}), pred.narrow(1, 0, 1) + 0.5F, pred.narrow(1, 1, 1)}, /*dim=*/1);
      const torch::Tensor taus = per_sample ? torch::rand({6, 7}) : QuantileMidpoints(7);
      const torch::Tensor upstream = torch::rand({6});
      torch::Tensor fused_pred = pred.clone().requires_grad_(true);
      const torch::Tensor fused = QuantileHuberLoss(fused_pred, taus, target, kappa);
      (fused * upstream).sum().backward();
      torch::Tensor ref_pred = pred.clone().requires_grad_(true);
      const torch::Tensor ref =
          QuantileHuberLoss(ref_pred, taus, target.clone().requires_grad_(true), kappa);
      (ref * upstream).sum().backward();
      // the two paths really are different ones
      EXPECT_NE(fused.grad_fn()->name().find("FusedQuantileHuber"), std::string::npos);
      EXPECT_EQ(ref.grad_fn()->name().find("FusedQuantileHuber"), std::string::npos);
      ExpectTensorNear(fused, ref.detach(), 1e-5);
      ExpectTensorNear(fused_pred.grad(), ref_pred.grad(), 1e-6);
      EXPECT_GT(fused_pred.grad().abs().sum().item<double>(), 0.0);
    }
  }
}

TEST(QuantileMidpoints, AreTheCentresOfNEqualBins) {
  ExpectTensorNear(QuantileMidpoints(4), T({0.125, 0.375, 0.625, 0.875}));
}

TEST(CosineTauFeatures, AreCosinesOfMultiplesOfPiTau) {
  // tau 0.5: cos(pi/2) = 0, cos(pi) = -1, cos(3pi/2) = 0; tau 0: all ones
  ExpectTensorNear(CosineTauFeatures(T2({{0.5, 0.0}}), 3), T2({{0, -1, 0}, {1, 1, 1}}).unsqueeze(0),
                   1e-6);
}

TEST(MunchausenTarget, AddsTheClippedLogPolicyBonusAndTheSoftValue) {
  // q(s) = [1, 0], tau 1: log pi(1|s) = -log(1 + e) = -1.3133 -> clipped to -1, bonus -0.9;
  // q(s') = [0, 0]: soft value = sum_a 0.5 (0 - log 0.5) = log 2.
  // target = 1 - 0.9 + 0.5 log 2
  const torch::Tensor target = MunchausenTarget(T2({{1, 0}}), T2({{0, 0}}), torch::tensor({1L}),
                                                T({1}), T({0.5}), 0.9, 1.0, -1.0);
  EXPECT_NEAR(target[0].item<double>(), 1.0 - 0.9 + 0.5 * std::log(2.0), 1e-5);
  // unclipped: action 0, log pi(0|s) = 1 - log(1 + e) = -0.3133, bonus 0.9 * -0.3133
  const torch::Tensor unclipped = MunchausenTarget(T2({{1, 0}}), T2({{0, 0}}), torch::tensor({0L}),
                                                   T({1}), T({0}), 0.9, 1.0, -1.0);
  EXPECT_NEAR(unclipped[0].item<double>(), 1.0 + 0.9 * (1.0 - std::log(1.0 + std::exp(1.0))), 1e-5);
}

TEST(MunchausenTarget, BecomesTheDqnTargetAsTheTemperatureVanishes) {
  const torch::Tensor target = MunchausenTarget(T2({{1, 0}}), T2({{1, 2}}), torch::tensor({0L}),
                                                T({0.5}), T({0.9}), 0.0, 1e-4, -1.0);
  EXPECT_NEAR(target[0].item<double>(), 0.5 + 0.9 * 2.0, 1e-3);
}

TEST(TakeAction, PicksOneRowPerSample) {
  const torch::Tensor x = torch::arange(12, torch::kFloat32).view({2, 3, 2});
  ExpectTensorNear(TakeAction(x, torch::tensor({2L, 0L})), T2({{4, 5}, {6, 7}}));
}

TEST(NoisyLinear, IsItsMeanWithoutNoiseAndResamplesReproducibly) {
  torch::manual_seed(0);
  NoisyLinear a(3, 2, 0.5), b(3, 2, 0.5);
  b->weight_mu.data().copy_(a->weight_mu);
  b->bias_mu.data().copy_(a->bias_mu);
  // sigma0 / sqrt(fan_in)
  EXPECT_NEAR(a->weight_sigma[0][0].item<double>(), 0.5 / std::sqrt(3.0), 1e-7);
  const torch::Tensor x = torch::ones({1, 3});
  const torch::Tensor mean = torch::nn::functional::linear(x, a->weight_mu, a->bias_mu);
  a->set_noise_enabled(false);
  ExpectTensorNear(a->forward(x), mean);
  a->set_noise_enabled(true);
  ExpectTensorNear(a->forward(x), mean);  // no noise drawn yet: eps = 0
  Rng r1(7), r2(7);
  a->ResampleNoise(r1);
  b->ResampleNoise(r2);
  const torch::Tensor noisy = a->forward(x);
  EXPECT_FALSE(torch::allclose(noisy, mean));
  ExpectTensorNear(b->forward(x), noisy);  // same stream, same noise
  // sigma learns: the gradient reaches it
  noisy.sum().backward();
  EXPECT_GT(a->weight_sigma.grad().abs().sum().item<double>(), 0.0);
}

// Acting on one observation (no gradients) takes the factorised form; every path must be the
// same function as the materialised noisy weight: one row, a batch, more dims, with and without
// gradients.
TEST(NoisyLinear, FactorisedNoGradForwardIsTheMaterialisedWeightsFunction) {
  torch::manual_seed(1);
  NoisyLinear layer(40, 7, 0.5);
  Rng rng(3);
  layer->ResampleNoise(rng);
  const torch::Tensor weight =
      layer->weight_mu + layer->weight_sigma * torch::outer(layer->eps_out(), layer->eps_in());
  const torch::Tensor bias = layer->bias_mu + layer->bias_sigma * layer->eps_out();
  for (const auto& shape : {std::vector<int64_t>{1, 40}, {32, 40}, {4, 5, 40}}) {
    const torch::Tensor x = torch::randn(shape);
    const torch::Tensor expected = torch::nn::functional::linear(x, weight, bias).detach();
    const torch::Tensor with_grad = layer->forward(x);
    ASSERT_TRUE(with_grad.requires_grad());
    ExpectTensorNear(with_grad.detach(), expected, 1e-5);
    torch::NoGradGuard no_grad;
    const torch::Tensor without = layer->forward(x);
    EXPECT_FALSE(without.requires_grad());
    ExpectTensorNear(without, expected, 1e-5);
  }
}

// QDagger's distillation: KL(p_T || p_S) with p = softmax(q / T).
TEST(DistillationLoss, IsTheKlOfTheTemperedPolicies) {
  // teacher [0, ln 3] -> p_T = [1/4, 3/4]; student [0, 0] -> p_S = [1/2, 1/2]:
  // KL = 1/4 ln(1/2) + 3/4 ln(3/2)
  const double kl = 0.25 * std::log(0.5) + 0.75 * std::log(1.5);
  torch::Tensor student = T2({{0.0f, 0.0f}, {1.0f, -2.0f}}).requires_grad_(true);
  const torch::Tensor teacher = T2({{0.0f, static_cast<float>(std::log(3.0))}, {1.0f, -2.0f}});
  const torch::Tensor loss = DistillationLoss(student, teacher, 1.0);
  ExpectTensorNear(loss, T({static_cast<float>(kl), 0.0f}));
  // temperature 2 on doubled Q-values is the same policy
  ExpectTensorNear(DistillationLoss(student.detach() * 2, teacher * 2, 2.0), loss.detach());
  // the gradient moves the student toward the teacher: d KL / d q_S = (p_S - p_T) / T
  loss.sum().backward();
  ExpectTensorNear(student.grad()[0], T({0.25f, -0.25f}));
  ExpectTensorNear(student.grad()[1], T({0.0f, 0.0f}));
}

}  // namespace
}  // namespace qlab

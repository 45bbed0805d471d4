// Augmentations (DrQ shifts, SPR intensity), the IMPALA torso and the SPR model and loss.
#include "qlab/nets/augment.h"

#include <gtest/gtest.h>

#include <set>

#include "qlab/core/errors.h"
#include "qlab/nets/network.h"
#include "qlab/nets/spr.h"
#include "qlab/plasticity/diagnostics.h"

namespace qlab {
namespace {

torch::Tensor RandomImages(int64_t b, int64_t c, int64_t h, int64_t w, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({b, c, h, w});
}

// The (dy, dx) in [0, 2 pad]^2 whose crop of the replicate-padded `image` equals `out`, or
// (-1, -1) if none does.
std::pair<int, int> ShiftOf(const torch::Tensor& image, const torch::Tensor& out, int64_t pad) {
  const torch::Tensor padded = torch::nn::functional::pad(
      image.unsqueeze(0),
      torch::nn::functional::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReplicate))[0];
  const int64_t h = image.size(1), w = image.size(2);
  for (int dy = 0; dy <= 2 * pad; ++dy)
    for (int dx = 0; dx <= 2 * pad; ++dx)
      if (torch::equal(padded.slice(1, dy, dy + h).slice(2, dx, dx + w), out)) return {dy, dx};
  return {-1, -1};
}

TEST(Augment, RandomShiftCropsEachSampleOfItsOwnPaddedImage) {
  const torch::Tensor images = RandomImages(32, 3, 10, 10, 1);
  Rng rng(5);
  const torch::Tensor out = RandomShift(images, 2, rng);
  ASSERT_EQ(out.sizes(), images.sizes());
  std::set<std::pair<int, int>> shifts;
  for (int64_t i = 0; i < 32; ++i) {
    // each output is a shift of its own input (no leakage across the batch), channels together
    const auto shift = ShiftOf(images[i], out[i], 2);
    EXPECT_NE(shift.first, -1) << "sample " << i;
    shifts.insert(shift);
  }
  EXPECT_GT(shifts.size(), 8u);  // independent draws per sample (25 possible shifts)
  // same stream, same shifts; another stream, other shifts; pad 0 is the identity
  Rng again(5), other(6);
  EXPECT_TRUE(torch::equal(RandomShift(images, 2, again), out));
  EXPECT_FALSE(torch::equal(RandomShift(images, 2, other), out));
  EXPECT_TRUE(torch::equal(RandomShift(images, 0, rng), images));
}

TEST(Augment, IntensityScalesEachSampleByOneBoundedFactor) {
  const torch::Tensor images = RandomImages(64, 2, 5, 5, 2) + 0.5;
  Rng rng(7);
  const torch::Tensor out = IntensityJitter(images, 0.05, rng);
  const torch::Tensor ratio = (out / images).flatten(1);
  const torch::Tensor low = std::get<0>(ratio.min(1)), high = std::get<0>(ratio.max(1));
  EXPECT_LT((high - low).abs().max().item<double>(), 1e-5);  // one factor per sample
  EXPECT_GE(low.min().item<double>(), 1.0 - 0.1 - 1e-5);     // 1 + 0.05 * [-2, 2]
  EXPECT_LE(high.max().item<double>(), 1.0 + 0.1 + 1e-5);
  EXPECT_GT(low.std().item<double>(), 0.01);  // factors differ across samples

  Rng a(9), b(9);
  const AugmentOptions both{.kind = "shift_intensity", .pad = 1};
  EXPECT_TRUE(torch::equal(Augment(images, both, a), Augment(images, both, b)));
  EXPECT_TRUE(torch::equal(Augment(images, {.kind = "none"}, a), images));
}

TEST(Impala, ShapesUnitLayersAndDiagnostics) {
  NetworkOptions options{.torso = "impala", .widths = {32}, .width_scale = 2.0};
  QNetwork net(std::vector<int64_t>{4, 10, 10}, 3, options);
  const torch::Tensor obs = torch::rand({5, 4, 10, 10});
  EXPECT_EQ(net->forward(obs).sizes(), (std::vector<int64_t>{5, 3, 1}));
  // 10 -> 5 -> 3 -> 2; 32 * 2 channels at the end
  EXPECT_EQ(net->latent_shape(), (std::vector<int64_t>{64, 2, 2}));
  EXPECT_EQ(net->Encode(obs).sizes(), (std::vector<int64_t>{5, 256}));
  // two residual units per stage, the torso output, the dense layer
  std::vector<std::string> names;
  for (const auto& layer : net->unit_layers()) names.push_back(layer.name);
  EXPECT_EQ(names, (std::vector<std::string>{"impala1a", "impala1b", "impala2a", "impala2b",
                                             "impala3a", "impala3b", "impala_out", "dense1"}));
  net->set_capture(true);
  net->forward(obs);
  net->set_capture(false);
  ASSERT_EQ(net->captured().size(), names.size());
  EXPECT_EQ(net->captured()[0].size(1), 32);  // stage 1: 16 x 2 channels
  const auto values = Diagnose(net, obs, {});
  bool found = false;
  for (const auto& [name, value] : values) found = found || name == "dormant_impala2a";
  EXPECT_TRUE(found);
  // Atari frames: 84 -> 42 -> 21 -> 11
  QNetwork atari(std::vector<int64_t>{4, 84, 84}, 6,
                 NetworkOptions{.torso = "impala", .widths = {}});
  EXPECT_EQ(atari->latent_shape(), (std::vector<int64_t>{32, 11, 11}));
  EXPECT_THROW(QNetwork(std::vector<int64_t>{4}, 2, NetworkOptions{.torso = "impala"}), UserError);
}

TEST(Spr, LossIsTheMaskedNegativeCosine) {
  const torch::Tensor a = torch::tensor({1.0f, 0.0f}), b = torch::tensor({0.0f, 2.0f});
  // sample 0: identical, orthogonal, opposite; sample 1: identical but the last two masked
  const torch::Tensor predictions =
      torch::stack({torch::stack({a, a, a}), torch::stack({a, a, a})});
  const torch::Tensor targets =
      torch::stack({torch::stack({a * 3, b, -a}), torch::stack({a, b, -a})});
  const torch::Tensor valid = torch::tensor({{1.0f, 1.0f, 1.0f}, {1.0f, 0.0f, 0.0f}});
  const torch::Tensor loss = SprLoss(predictions, targets, valid);
  EXPECT_NEAR(loss[0].item<double>(), -1.0 + 0.0 + 1.0, 1e-6);
  EXPECT_NEAR(loss[1].item<double>(), -1.0, 1e-6);
}

TEST(Spr, TransitionModelShapesAndRenormalisation) {
  const SprOptions options{.steps = 3, .projection_dim = 8, .transition_width = 6};
  SprModel conv(std::vector<int64_t>{4, 3, 3}, 5, options);
  const torch::Tensor latent = torch::randn({2, 36});
  const torch::Tensor next = conv->Step(conv->Normalize(latent), torch::tensor({0, 4}));
  EXPECT_EQ(next.sizes(), (std::vector<int64_t>{2, 36}));
  // renormalised per sample to [0, 1]
  EXPECT_NEAR(std::get<0>(next.min(1))[0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(std::get<0>(next.max(1))[1].item<double>(), 1.0, 1e-3);
  EXPECT_EQ(conv->Predict(conv->Project(next)).sizes(), (std::vector<int64_t>{2, 8}));
  // the action matters
  const torch::Tensor other = conv->Step(conv->Normalize(latent), torch::tensor({1, 4}));
  EXPECT_FALSE(torch::allclose(next[0], other[0]));
  EXPECT_TRUE(torch::allclose(next[1], other[1]));
  // flat latents (vector observations) take a dense transition model
  SprModel flat(std::vector<int64_t>{7}, 2, options);
  EXPECT_EQ(flat->Step(torch::randn({3, 7}), torch::tensor({0, 1, 1})).sizes(),
            (std::vector<int64_t>{3, 7}));
}

}  // namespace
}  // namespace qlab

// Image augmentations of sampled batches, as the data-efficient agents use them:
//   shift      DrQ (Kostrikov et al. 2021, "Image Augmentation Is All You Need"): pad every side
//              by `pad` pixels replicating the border, then crop back to H x W at a random offset,
//              independently per sample (+-4 pixels on 84 x 84 Atari frames; +-1 on MinAtar's
//              10 x 10 grids keeps the same 5-10 % share of the image).
//   intensity  SPR (Schwarzer et al. 2021, appendix): each sample multiplied by
//              1 + scale * clip(N(0, 1), -2, 2).
// The draws come from the caller's Rng (the agent's update stream), so augmented batches are
// reproducible and resume exactly. Batched: two gathers per shift, one multiply per jitter.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "qlab/core/rng.h"

namespace qlab {

class Config;
class ConfigSchema;

struct AugmentOptions {
  std::string kind = "none";  // none, shift, intensity or shift_intensity
  int64_t pad = 4;
  double intensity_scale = 0.05;
  bool enabled() const { return kind != "none"; }

  static void AddKeys(ConfigSchema& schema);  // [augment] section
  static AugmentOptions FromConfig(const Config& config);
};

// images [B, C, H, W] float -> same shape, each sample shifted by (dy, dx) in [-pad, pad]^2.
torch::Tensor RandomShift(const torch::Tensor& images, int64_t pad, Rng& rng);
// images [B, ...] -> each sample scaled by 1 + scale * clip(N(0, 1), -2, 2).
torch::Tensor IntensityJitter(const torch::Tensor& images, double scale, Rng& rng);
// `options.kind` applied to a batch of images (none: the input itself).
torch::Tensor Augment(const torch::Tensor& images, const AugmentOptions& options, Rng& rng);

}  // namespace qlab

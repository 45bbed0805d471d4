#include "qlab/nets/augment.h"

#include <algorithm>

#include "qlab/core/check.h"
#include "qlab/core/config.h"

namespace qlab {

void AugmentOptions::AddKeys(ConfigSchema& schema) {
  schema
      .String("augment.kind", "none",
              "augment sampled image batches: none, shift (DrQ), intensity or shift_intensity "
              "(SPR)",
              {"none", "shift", "intensity", "shift_intensity"})
      .Int("augment.pad", 4, "random shift: pixels padded on each side (+-pad shifts)", {0, 1024})
      .Float("augment.intensity_scale", 0.05, "intensity: scale of the per-sample jitter",
             {0.0, 10.0});
}

AugmentOptions AugmentOptions::FromConfig(const Config& config) {
  return {.kind = config.GetString("augment.kind"),
          .pad = config.GetInt("augment.pad"),
          .intensity_scale = config.GetFloat("augment.intensity_scale")};
}

torch::Tensor RandomShift(const torch::Tensor& images, int64_t pad, Rng& rng) {
  QLAB_CHECK_EQ(images.dim(), 4);
  if (pad == 0) return images;
  const int64_t b = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  // offsets of the crop in the padded image: 0 .. 2 * pad
  torch::Tensor offsets = torch::empty({2, b}, torch::kInt64);
  int64_t* o = offsets.data_ptr<int64_t>();
  const auto span = static_cast<uint32_t>(2 * pad + 1);
  for (int64_t i = 0; i < b; ++i) {
    o[i] = rng.UniformInt(span);      // rows
    o[b + i] = rng.UniformInt(span);  // columns
  }
  const torch::Tensor padded = torch::nn::functional::pad(
      images, torch::nn::functional::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReplicate));
  offsets = offsets.to(images.device());
  const auto index = offsets.options();
  const torch::Tensor rows = (offsets[0].unsqueeze(1) + torch::arange(h, index)).view({b, 1, h, 1});
  const torch::Tensor cols = (offsets[1].unsqueeze(1) + torch::arange(w, index)).view({b, 1, 1, w});
  const torch::Tensor cropped_rows = padded.gather(2, rows.expand({b, c, h, w + 2 * pad}));
  return cropped_rows.gather(3, cols.expand({b, c, h, w}));
}

torch::Tensor IntensityJitter(const torch::Tensor& images, double scale, Rng& rng) {
  const int64_t b = images.size(0);
  torch::Tensor factor = torch::empty({b}, torch::kFloat32);
  float* f = factor.data_ptr<float>();
  for (int64_t i = 0; i < b; ++i)
    f[i] = static_cast<float>(1.0 + scale * std::clamp(rng.Normal(), -2.0, 2.0));
  std::vector<int64_t> shape(static_cast<size_t>(images.dim()), 1);
  shape[0] = b;
  return images * factor.view(shape).to(images.device(), images.scalar_type());
}

torch::Tensor Augment(const torch::Tensor& images, const AugmentOptions& options, Rng& rng) {
  torch::Tensor out = images;
  if (options.kind == "shift" || options.kind == "shift_intensity")
    out = RandomShift(out, options.pad, rng);
  if (options.kind == "intensity" || options.kind == "shift_intensity")
    out = IntensityJitter(out, options.intensity_scale, rng);
  return out;
}

}  // namespace qlab

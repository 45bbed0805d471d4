#include "qlab/nets/spr.h"

#include "qlab/core/check.h"
#include "qlab/core/config.h"

namespace qlab {

void SprOptions::AddKeys(ConfigSchema& schema) {
  schema
      .Int("spr.steps", 0,
           "SPR (Schwarzer et al. 2021): K steps the transition model predicts (0: off)", {0, 64})
      .Float("spr.weight", 2.0, "SPR: weight of the self-predictive loss (lambda)", {0.0, 1e6})
      .Int("spr.projection_dim", 512, "SPR: units of the projection", {1, 1 << 20})
      .Int("spr.transition_width", 64,
           "SPR: transition model channels (conv latents) or units (flat latents)", {1, 1 << 20})
      .Bool("spr.renormalize", true, "SPR: min-max renormalise latents per sample");
}

SprOptions SprOptions::FromConfig(const Config& config) {
  return {.steps = config.GetInt("spr.steps"),
          .weight = config.GetFloat("spr.weight"),
          .projection_dim = config.GetInt("spr.projection_dim"),
          .transition_width = config.GetInt("spr.transition_width"),
          .renormalize = config.GetBool("spr.renormalize")};
}

SprModelImpl::SprModelImpl(const std::vector<int64_t>& latent_shape, int64_t num_actions,
                           const SprOptions& options)
    : options_(options),
      latent_shape_(latent_shape),
      num_actions_(num_actions),
      conv_(latent_shape.size() == 3) {
  QLAB_CHECK(latent_shape.size() == 3 || latent_shape.size() == 1);
  const int64_t width = options.transition_width;
  transition_ = torch::nn::Sequential();
  int64_t features = 1;
  for (int64_t d : latent_shape) features *= d;
  if (conv_) {
    const int64_t c = latent_shape[0];
    using torch::nn::Conv2dOptions;
    transition_->push_back(torch::nn::Conv2d(Conv2dOptions(c + num_actions, width, 3).padding(1)));
    transition_->push_back(torch::nn::ReLU());
    transition_->push_back(torch::nn::Conv2d(Conv2dOptions(width, c, 3).padding(1)));
  } else {
    transition_->push_back(torch::nn::Linear(features + num_actions, width));
    transition_->push_back(torch::nn::ReLU());
    transition_->push_back(torch::nn::Linear(width, features));
  }
  transition_->push_back(torch::nn::ReLU());
  register_module("transition", transition_);
  projection_ = register_module("projection", torch::nn::Linear(features, options.projection_dim));
  prediction_ = register_module("prediction",
                                torch::nn::Linear(options.projection_dim, options.projection_dim));
  // multiply-adds of one rolled-out step: transition (two convs over the maps, or two dense
  // layers), projection, prediction
  const int64_t positions = conv_ ? latent_shape[1] * latent_shape[2] : 1;
  const int64_t in = conv_ ? latent_shape[0] : features;
  const int64_t kernel = conv_ ? 9 : 1;
  step_macs_ = positions * kernel * ((in + num_actions) * width + width * in) +
               features * options.projection_dim + options.projection_dim * options.projection_dim;
}

torch::Tensor SprModelImpl::Normalize(const torch::Tensor& latent) const {
  if (!options_.renormalize) return latent;
  const torch::Tensor low = std::get<0>(latent.min(/*dim=*/1, /*keepdim=*/true));
  const torch::Tensor high = std::get<0>(latent.max(/*dim=*/1, /*keepdim=*/true));
  return (latent - low) / (high - low + 1e-5);
}

torch::Tensor SprModelImpl::Step(const torch::Tensor& latent, const torch::Tensor& action) {
  const int64_t b = latent.size(0);
  const torch::Tensor one_hot =
      torch::one_hot(action, num_actions_).to(latent.scalar_type());  // [B, A]
  torch::Tensor next;
  if (conv_) {
    const int64_t h = latent_shape_[1], w = latent_shape_[2];
    const torch::Tensor maps = latent.view({b, latent_shape_[0], h, w});
    const torch::Tensor planes =
        one_hot.view({b, num_actions_, 1, 1}).expand({b, num_actions_, h, w});
    next = transition_->forward(torch::cat({maps, planes}, /*dim=*/1)).flatten(1);
  } else {
    next = transition_->forward(torch::cat({latent, one_hot}, /*dim=*/1));
  }
  return Normalize(next);
}

torch::Tensor SprModelImpl::Project(const torch::Tensor& latent) {
  return torch::relu(projection_->forward(latent));
}

torch::Tensor SprModelImpl::Predict(const torch::Tensor& projected) {
  return prediction_->forward(projected);
}

torch::Tensor SprLoss(const torch::Tensor& predictions, const torch::Tensor& targets,
                      const torch::Tensor& valid) {
  QLAB_CHECK_EQ(predictions.dim(), 3);
  const torch::Tensor cosine = torch::nn::functional::cosine_similarity(
      predictions, targets, torch::nn::functional::CosineSimilarityFuncOptions().dim(2));
  return -(cosine * valid).sum(/*dim=*/1);
}

}  // namespace qlab

#include "qlab/nets/network.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "qlab/core/config.h"
#include "qlab/core/errors.h"

namespace qlab {

void NetworkOptions::AddKeys(ConfigSchema& schema) {
  schema
      .String("network.torso", "mlp", "torso: mlp, minatar_cnn or nature_cnn",
              {"mlp", "minatar_cnn", "nature_cnn"})
      .IntList("network.widths", {64, 64}, "dense layer widths after the torso's convolutions",
               {.min = 1, .max = 1 << 20})
      .String("network.conv_padding", "same",
              "minatar_cnn padding: same (Dopamine) or valid (MinAtar paper)", {"same", "valid"})
      .String("network.head", "q", "head: q or dueling (Wang et al. 2016)", {"q", "dueling"})
      .String("network.init", "torch_default",
              "initialiser: torch_default or xavier_uniform (zero biases)",
              {"torch_default", "xavier_uniform"})
      .Float("network.obs_scale", 1.0, "observations are multiplied by this first",
             {.min = 0.0, .max = 1e6})
      .Bool("network.noisy", false,
            "noisy nets (Fortunato et al. 2018): dense layers after the convs are NoisyLinear")
      .Float("network.noisy_sigma0", 0.5, "noisy nets: initial sigma * sqrt(fan_in)",
             {.min = 0.0, .max = 100.0});
}

NetworkOptions NetworkOptions::FromConfig(const Config& config) {
  return {.torso = config.GetString("network.torso"),
          .widths = config.GetIntList("network.widths"),
          .conv_padding = config.GetString("network.conv_padding"),
          .head = config.GetString("network.head"),
          .init = config.GetString("network.init"),
          .obs_scale = config.GetFloat("network.obs_scale"),
          .noisy = config.GetBool("network.noisy"),
          .noisy_sigma0 = config.GetFloat("network.noisy_sigma0")};
}

namespace {

using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;

void AddConv(torch::nn::Sequential& seq, int64_t& channels, int64_t out, int64_t kernel,
             int64_t stride, bool same) {
  auto options = Conv2dOptions(channels, out, kernel).stride(stride);
  if (same) options.padding(torch::kSame);
  seq->push_back(Conv2d(options));
  seq->push_back(torch::nn::ReLU());
  channels = out;
}

}  // namespace

QNetworkImpl::QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
                           const NetworkOptions& options, HeadShape head)
    : options_(options), head_(head), num_actions_(num_actions) {
  trunk_ = torch::nn::Sequential();
  post_ = torch::nn::Sequential();
  const bool image = obs_shape.size() == 3;
  if (options.torso != "mlp" && !image)
    throw UserError(
        fmt::format("network.torso = {} needs image observations [C, H, W]", options.torso));
  int64_t channels = image ? obs_shape[0] : 0;
  if (options.torso == "minatar_cnn") {
    AddConv(trunk_, channels, 16, 3, 1, options.conv_padding == "same");
  } else if (options.torso == "nature_cnn") {
    AddConv(trunk_, channels, 32, 8, 4, false);
    AddConv(trunk_, channels, 64, 4, 2, false);
    AddConv(trunk_, channels, 64, 3, 1, false);
  }
  trunk_->push_back(torch::nn::Flatten());
  // feature size after the convolutions, from one dummy forward
  std::vector<int64_t> dummy_shape = {1};
  dummy_shape.insert(dummy_shape.end(), obs_shape.begin(), obs_shape.end());
  int64_t features;
  try {
    torch::NoGradGuard no_grad;
    features = trunk_->forward(torch::zeros(dummy_shape)).size(1);
  } catch (const c10::Error&) {
    throw UserError(fmt::format("network.torso = {} does not fit observations of shape [{}]",
                                options.torso, fmt::join(obs_shape, ", ")));
  }
  auto dense = [&](torch::nn::Sequential& seq, int64_t in, int64_t out) {
    if (options.noisy) {
      noisy_layers_.push_back(NoisyLinear(in, out, options.noisy_sigma0));
      seq->push_back(noisy_layers_.back());
    } else {
      seq->push_back(torch::nn::Linear(in, out));
    }
  };
  // IQN merges the fraction embedding where the torso first has learned features: after the
  // convolutions, or after the first dense layer of an mlp torso
  const size_t merge_at = options.torso == "mlp" ? std::min<size_t>(1, options.widths.size()) : 0;
  auto add_widths = [&](torch::nn::Sequential& seq, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      dense(seq, features, options.widths[i]);
      seq->push_back(torch::nn::ReLU());
      features = options.widths[i];
    }
  };
  add_widths(trunk_, 0, merge_at);
  if (head.tau_embedding > 0)
    tau_embedding_ =
        register_module("tau_embedding", torch::nn::Linear(head.tau_embedding, features));
  add_widths(post_, merge_at, options.widths.size());
  register_module("trunk", trunk_);
  register_module("post", post_);
  const int64_t per_action = head.tau_embedding > 0 ? 1 : head.atoms;
  advantage_ = torch::nn::Sequential();
  dense(advantage_, features, num_actions * per_action);
  register_module("q", advantage_);
  if (options.head == "dueling") {
    value_ = torch::nn::Sequential();
    dense(value_, features, per_action);
    register_module("value", value_);
  }

  if (options.init == "xavier_uniform") {
    torch::NoGradGuard no_grad;
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<torch::nn::Linear>()) {
        torch::nn::init::xavier_uniform_(linear->weight);
        torch::nn::init::zeros_(linear->bias);
      } else if (auto* conv = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::xavier_uniform_(conv->weight);
        torch::nn::init::zeros_(conv->bias);
      }
    }
  }
}

torch::Tensor CosineTauFeatures(const torch::Tensor& taus, int64_t dim) {
  const torch::Tensor i = torch::arange(1, dim + 1, taus.options());
  return torch::cos(M_PI * taus.unsqueeze(-1) * i);
}

torch::Tensor QNetworkImpl::forward(torch::Tensor obs, const torch::Tensor& taus) {
  if (options_.obs_scale != 1.0) obs = obs * options_.obs_scale;
  torch::Tensor features = trunk_->forward(obs);
  const int64_t batch = features.size(0);
  int64_t per_action = head_.atoms;
  if (tau_embedding_) {
    // [B, F] x [B, N, F] -> [B * N, F]: one row per (sample, fraction)
    const int64_t n = taus.size(1);
    torch::Tensor embedding =
        torch::relu(tau_embedding_->forward(CosineTauFeatures(taus, head_.tau_embedding)));
    features = (features.unsqueeze(1) * embedding).reshape({batch * n, -1});
    per_action = n;
  }
  if (!post_->is_empty()) features = post_->forward(features);
  auto shaped = [&](torch::Tensor out, int64_t actions) {
    if (tau_embedding_) return out.view({batch, per_action, actions}).permute({0, 2, 1});
    return out.view({batch, actions, per_action});
  };
  torch::Tensor q = shaped(advantage_->forward(features), num_actions_);
  if (value_) q = shaped(value_->forward(features), 1) + q - q.mean(/*dim=*/1, /*keepdim=*/true);
  return q;
}

void QNetworkImpl::ResampleNoise(Rng& rng) {
  for (auto& layer : noisy_layers_) layer->ResampleNoise(rng);
}

void QNetworkImpl::SetNoiseEnabled(bool enabled) {
  for (auto& layer : noisy_layers_) layer->set_noise_enabled(enabled);
}

int64_t QNetworkImpl::num_parameters() const {
  int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

void UpdateTarget(torch::nn::Module& to, const torch::nn::Module& from, double tau) {
  torch::NoGradGuard no_grad;
  auto to_params = to.parameters();
  auto from_params = from.parameters();
  TORCH_CHECK(to_params.size() == from_params.size());
  for (size_t i = 0; i < to_params.size(); ++i) {
    if (tau >= 1.0) {
      to_params[i].copy_(from_params[i]);
    } else {
      to_params[i].lerp_(from_params[i], tau);
    }
  }
  auto to_buffers = to.buffers();
  auto from_buffers = from.buffers();
  for (size_t i = 0; i < to_buffers.size(); ++i) to_buffers[i].copy_(from_buffers[i]);
}

std::string ModuleBytes(const torch::nn::Module& module) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void LoadModuleBytes(torch::nn::Module& module, const std::string& bytes, const std::string& what) {
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("cannot load {} from the checkpoint (other network config?): {}",
                                what, e.msg().substr(0, e.msg().find('\n'))));
  }
}

}  // namespace qlab

#include "qlab/nets/network.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "qlab/core/check.h"
#include "qlab/core/config.h"
#include "qlab/core/errors.h"
#include "qlab/nets/dense.h"
#include "qlab/nets/device.h"
#include "qlab/nets/impala.h"

namespace qlab {

void NetworkOptions::AddKeys(ConfigSchema& schema) {
  schema
      .String("network.torso", "mlp",
              "torso: mlp, minatar_cnn, nature_cnn, impala, simba or simbav2",
              {"mlp", "minatar_cnn", "nature_cnn", "impala", "simba", "simbav2"})
      .IntList("network.widths", {64, 64},
               "dense layer widths after the torso's convolutions (simba: its one width)",
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
             {.min = 0.0, .max = 100.0})
      .Float("network.width_scale", 1.0,
             "multiplies every conv's channels, dense width and expert width (scaling studies)",
             {.min = 1e-3, .max = 1e3})
      .Int("network.depth_scale", 1,
           "k: each hidden dense layer k times, k - 1 extra 3x3 convs after each conv", {1, 64})
      .Int("network.simba_blocks", 2,
           "simba / simbav2 torso: residual blocks (Lee et al. 2024, 2025)", {0, 64})
      .String("network.moe.type", "none",
              "replace the penultimate dense layer: none, softmoe (Puigcerver et al. 2023), "
              "top_k or expert_choice (Obando-Ceron et al. 2024)",
              {"none", "softmoe", "top_k", "expert_choice"})
      .Int("network.moe.num_experts", 4, "experts", {1, 4096})
      .Int("network.moe.expert_width", 0,
           "units of each expert's dense layer (0: the last of network.widths, else 512)",
           {0, 1 << 20})
      .String("network.moe.tokenize", "per_conv",
              "tokens: per_conv (spatial positions), per_feature (feature maps / features), "
              "per_patch, flat (one token)",
              {"per_conv", "per_feature", "per_patch", "flat"})
      .Int("network.moe.patch", 2, "per_patch: side of a square patch", {1, 1024})
      .Int("network.moe.slots_per_expert", 1, "softmoe: slots per expert", {1, 4096})
      .Bool("network.moe.normalize", true,
            "softmoe: L2-normalise tokens and Phi, learned logit scale (Puigcerver et al. §2.3)")
      .Int("network.moe.top_k", 1, "top_k: experts per token", {1, 4096})
      .Float("network.moe.capacity", 1.0,
             "expert_choice: capacity factor (tokens per expert = capacity * T / E)", {1e-3, 1e3})
      .Float("network.moe.aux_loss", 0.01, "top_k: coefficient of the load-balancing loss",
             {0.0, 1e3})
      .String("network.moe.aggregate", "flatten",
              "expert outputs into the head: flatten (Obando-Ceron et al.) or mean over tokens "
              "(Sokar et al. 2024)",
              {"flatten", "mean"})
      .Int("network.simplicial_groups", 0,
           "simplicial embedding before the head: L groups (0: off; Lavoie et al. 2022)",
           {0, 1 << 16})
      .Int("network.simplicial_dim", 8, "simplicial embedding: V units per group", {2, 1 << 16})
      .Float("network.simplicial_tau", 1.0, "simplicial embedding: softmax temperature",
             {1e-6, 1e6})
      .String("network.kernel", "auto",
              "auto: DQN's minatar_cnn networks run on a hand-written CPU forward/backward "
              "(nets/minatar_cnn_kernel.h) where it fits; torch: always libtorch's",
              {"auto", "torch"});
}

NetworkOptions NetworkOptions::FromConfig(const Config& config) {
  NetworkOptions o{.torso = config.GetString("network.torso"),
                   .widths = config.GetIntList("network.widths"),
                   .conv_padding = config.GetString("network.conv_padding"),
                   .head = config.GetString("network.head"),
                   .init = config.GetString("network.init"),
                   .obs_scale = config.GetFloat("network.obs_scale"),
                   .noisy = config.GetBool("network.noisy"),
                   .noisy_sigma0 = config.GetFloat("network.noisy_sigma0"),
                   .width_scale = config.GetFloat("network.width_scale"),
                   .depth_scale = config.GetInt("network.depth_scale"),
                   .simba_blocks = config.GetInt("network.simba_blocks")};
  o.moe = {.type = config.GetString("network.moe.type"),
           .num_experts = config.GetInt("network.moe.num_experts"),
           .expert_width = config.GetInt("network.moe.expert_width"),
           .tokenize = config.GetString("network.moe.tokenize"),
           .patch = config.GetInt("network.moe.patch"),
           .slots_per_expert = config.GetInt("network.moe.slots_per_expert"),
           .normalize = config.GetBool("network.moe.normalize"),
           .top_k = config.GetInt("network.moe.top_k"),
           .capacity = config.GetFloat("network.moe.capacity"),
           .aux_loss = config.GetFloat("network.moe.aux_loss"),
           .aggregate = config.GetString("network.moe.aggregate")};
  o.simplicial_groups = config.GetInt("network.simplicial_groups");
  o.kernel = config.GetString("network.kernel");
  o.simplicial_dim = config.GetInt("network.simplicial_dim");
  o.simplicial_tau = config.GetFloat("network.simplicial_tau");
  return o;
}

namespace {

using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;

int64_t Product(const std::vector<int64_t>& shape, size_t from = 0) {
  int64_t n = 1;
  for (size_t i = from; i < shape.size(); ++i) n *= shape[i];
  return n;
}

// How a fresh layer of this shape is drawn (see the header's initialisers).
struct InitRule {
  std::string init;
  double sigma0;
  double WeightBound(int64_t fan_in, int64_t fan_out) const {
    if (init == "xavier_uniform") return std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    return 1.0 / std::sqrt(static_cast<double>(fan_in));  // kaiming_uniform(a = sqrt(5))
  }
  double BiasBound(int64_t fan_in) const {
    return init == "xavier_uniform" ? 0.0 : 1.0 / std::sqrt(static_cast<double>(fan_in));
  }
};

// Incoming tensors (rows = units) of a conv, dense or noisy layer, with their initialisation.
std::vector<UnitLayer::Incoming> IncomingOf(torch::nn::Module& module, const InitRule& rule) {
  if (auto* noisy = module.as<NoisyLinear>()) {
    const int64_t in = noisy->weight_mu.size(1);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    return {{noisy->weight_mu, bound},
            {noisy->bias_mu, bound},
            {noisy->weight_sigma, 0.0, rule.sigma0 * bound},
            {noisy->bias_sigma, 0.0, rule.sigma0 * bound}};
  }
  torch::Tensor weight, bias;
  if (auto* linear = module.as<torch::nn::Linear>()) {
    weight = linear->weight;
    bias = linear->bias;
  } else {
    auto* conv = module.as<torch::nn::Conv2d>();
    QLAB_CHECK(conv != nullptr);
    weight = conv->weight;
    bias = conv->bias;
  }
  const int64_t receptive = Product(weight.sizes().vec(), 2);
  const int64_t fan_in = weight.size(1) * receptive, fan_out = weight.size(0) * receptive;
  return {{weight, rule.WeightBound(fan_in, fan_out)}, {bias, rule.BiasBound(fan_in)}};
}

// The weight that reads a layer's units (dense/conv weight; mu of a noisy layer).
torch::Tensor ReaderWeight(torch::nn::Module& module) {
  if (auto* noisy = module.as<NoisyLinear>()) return noisy->weight_mu;
  if (auto* linear = module.as<torch::nn::Linear>()) return linear->weight;
  return module.as<torch::nn::Conv2d>()->weight;
}

}  // namespace

void ReinitializeModule(torch::nn::Module& module, const std::string& init, double sigma0,
                        at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const InitRule rule{init, sigma0};
  auto draw = [&](const UnitLayer::Incoming& in) {
    if (in.bound > 0.0) {
      DrawOnCpu(in.tensor, [&](torch::Tensor& t) { t.uniform_(-in.bound, in.bound, generator); });
    } else {
      in.tensor.fill_(in.fill);
    }
  };
  if (module.as<NoisyLinear>() || module.as<torch::nn::Linear>() ||
      module.as<torch::nn::Conv2d>()) {
    auto incoming = IncomingOf(module, rule);
    for (const auto& in : incoming) draw(in);
    return;
  }
  if (auto* norm = module.as<torch::nn::LayerNorm>()) {
    norm->weight.fill_(1.0);
    norm->bias.fill_(0.0);
    return;
  }
  if (auto* v2 = module.as<SimbaV2>()) {
    v2->Reinitialize(generator);
    return;
  }
  if (auto* moe = module.as<MixtureOfExperts>()) {
    for (auto& item : moe->named_parameters(/*recurse=*/false)) {
      torch::Tensor& p = item.value();
      if (item.key() == "phi") {
        const double std = 1.0 / std::sqrt(static_cast<double>(p.size(0)));
        DrawOnCpu(p, [&](torch::Tensor& t) { t.normal_(0.0, std, generator); });
      } else {
        p.fill_(1.0);  // scale
      }
    }
  }
  for (auto& child : module.children()) ReinitializeModule(*child, init, sigma0, generator);
}

QNetworkImpl::QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
                           const NetworkOptions& options, HeadShape head)
    : options_(options), head_(head), num_actions_(num_actions) {
  trunk_ = torch::nn::Sequential();
  post_ = torch::nn::Sequential();
  const bool image = obs_shape.size() == 3;
  const bool simbav2 = options.torso == "simbav2";
  const bool simba = options.torso == "simba" || simbav2;  // both: vector inputs, RSNorm, one width
  const bool mixture = options.moe.type != "none";
  if (options.torso != "mlp" && !simba && !image)
    throw UserError(
        fmt::format("network.torso = {} needs image observations [C, H, W]", options.torso));
  if (simba && image)
    throw UserError("network.torso = simba needs vector observations (use an mlp or cnn torso)");
  if (simba && options.widths.size() != 1)
    throw UserError(fmt::format("network.torso = simba takes one width (network.widths = [{}])",
                                fmt::join(options.widths, ", ")));
  if (mixture && head.tau_embedding > 0)
    throw UserError("network.moe does not combine with IQN's fraction embedding");
  if (mixture && image && !options.widths.empty())
    throw UserError(
        "network.moe replaces the dense layers after the convolutions: set network.widths = []");
  auto scaled = [&](int64_t width) {
    return std::max<int64_t>(1, std::llround(static_cast<double>(width) * options.width_scale));
  };
  const InitRule rule{options.init, options.noisy_sigma0};
  // units after each ReLU, in forward order; `readers` are filled once the next layer exists
  std::vector<std::shared_ptr<torch::nn::Module>> producers;
  std::vector<int64_t> spatial;  // H * W of conv outputs, 1 for dense

  int64_t channels = image ? obs_shape[0] : 0;
  std::vector<int64_t> shape = obs_shape;  // one sample, through the convs
  auto add_conv = [&](int64_t out, int64_t kernel, int64_t stride, bool same) {
    auto conv_options = Conv2dOptions(channels, out, kernel).stride(stride);
    if (same) conv_options.padding(torch::kSame);
    Conv2d conv(conv_options);
    trunk_->push_back(conv);
    trunk_->push_back(torch::nn::ReLU());
    const int64_t h = same ? shape[1] : (shape[1] - kernel) / stride + 1;
    const int64_t w = same ? shape[2] : (shape[2] - kernel) / stride + 1;
    if (h < 1 || w < 1)
      throw UserError(fmt::format("network.torso = {} does not fit observations of shape [{}]",
                                  options.torso, fmt::join(obs_shape, ", ")));
    macs_ += out * h * w * channels * kernel * kernel;
    shape = {out, h, w};
    channels = out;
    producers.push_back(conv.ptr());
    spatial.push_back(h * w);
    unit_layers_.push_back({.name = fmt::format("conv{}", unit_layers_.size() + 1),
                            .incoming = IncomingOf(*conv, rule)});
    layers_.push_back({unit_layers_.back().name, {conv.ptr()}});
    for (int64_t k = 1; k < options.depth_scale; ++k) {
      // extra same-padded 3x3 conv of the same width (depth scaling)
      const int64_t c = channels;
      Conv2d extra(Conv2dOptions(c, c, 3).padding(torch::kSame));
      trunk_->push_back(extra);
      trunk_->push_back(torch::nn::ReLU());
      macs_ += c * shape[1] * shape[2] * c * 9;
      producers.push_back(extra.ptr());
      spatial.push_back(shape[1] * shape[2]);
      unit_layers_.push_back({.name = fmt::format("conv{}", unit_layers_.size() + 1),
                              .incoming = IncomingOf(*extra, rule)});
      layers_.push_back({unit_layers_.back().name, {extra.ptr()}});
    }
  };
  if (options.torso == "minatar_cnn") {
    add_conv(scaled(16), 3, 1, options.conv_padding == "same");
  } else if (options.torso == "nature_cnn") {
    add_conv(scaled(32), 8, 4, false);
    add_conv(scaled(64), 4, 2, false);
    add_conv(scaled(64), 3, 1, false);
  } else if (options.torso == "impala") {
    if (options.depth_scale != 1)
      throw UserError("network.depth_scale does not apply to the impala torso (fixed depth)");
    for (int64_t base : {16, 32, 32}) {
      const int64_t out = scaled(base);
      ImpalaStage stage(channels, out);
      trunk_->push_back(stage);
      const int64_t h = ImpalaStageSide(shape[1]), w = ImpalaStageSide(shape[2]);
      macs_ += out * shape[1] * shape[2] * channels * 9 + 4 * out * out * 9 * h * w;
      shape = {out, h, w};
      channels = out;
      const std::string name = fmt::format("impala{}", layers_.size() + 1);
      // each residual block's inner units: read only by the block's second conv
      for (size_t i = 0; i < stage->inner.size(); ++i) {
        unit_layers_.push_back({.name = fmt::format("{}{}", name, static_cast<char>('a' + i)),
                                .incoming = IncomingOf(*stage->inner[i], rule),
                                .outgoing = {stage->outer[i]->weight}});
        producers.push_back(nullptr);
        spatial.push_back(h * w);
      }
      layers_.push_back({name, {stage.ptr()}});
    }
    trunk_->push_back(torch::nn::ReLU());
    // the torso output is a sum of residual streams: scored, never recycled
    unit_layers_.push_back({.name = "impala_out", .recyclable = false});
    producers.push_back(nullptr);
    spatial.push_back(shape[1] * shape[2]);
  }
  torso_shape_ = shape;
  trunk_->push_back(torch::nn::Flatten());
  int64_t features = Product(shape);
  auto dense = [&](torch::nn::Sequential& seq, int64_t in, int64_t out) {
    macs_ += in * out;
    if (options.noisy) {
      noisy_layers_.push_back(NoisyLinear(in, out, options.noisy_sigma0));
      seq->push_back(noisy_layers_.back());
      return std::shared_ptr<torch::nn::Module>(noisy_layers_.back().ptr());
    }
    Dense linear(in, out);
    seq->push_back(linear);
    return std::shared_ptr<torch::nn::Module>(linear.ptr());
  };
  std::vector<int64_t> widths;
  if (!simba)
    for (int64_t width : options.widths)
      for (int64_t k = 0; k < options.depth_scale; ++k) widths.push_back(scaled(width));
  // IQN merges the fraction embedding where the torso first has learned features: after the
  // convolutions, or after the first dense layer of an mlp torso
  const size_t merge_at = options.torso == "mlp" ? std::min<size_t>(1, widths.size()) : 0;
  int dense_count = 0;
  auto add_widths = [&](torch::nn::Sequential& seq, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      auto layer = dense(seq, features, widths[i]);
      seq->push_back(torch::nn::ReLU());
      features = widths[i];
      producers.push_back(layer);
      spatial.push_back(1);
      unit_layers_.push_back(
          {.name = fmt::format("dense{}", ++dense_count), .incoming = IncomingOf(*layer, rule)});
      layers_.push_back({unit_layers_.back().name, {layer}});
    }
  };
  add_widths(trunk_, 0, merge_at);
  encoder_layers_ = static_cast<int64_t>(layers_.size());
  latent_shape_ = merge_at > 0 ? std::vector<int64_t>{features} : shape;
  if (head.tau_embedding > 0)
    tau_embedding_ =
        register_module("tau_embedding", torch::nn::Linear(head.tau_embedding, features));
  if (tau_embedding_) layers_.push_back({"tau_embedding", {tau_embedding_.ptr()}});
  add_widths(post_, merge_at, widths.size());
  register_module("trunk", trunk_);
  register_module("post", post_);
  if (!widths.empty()) torso_shape_ = {features};

  if (simba) {
    // RSNorm statistics start at the identity transform (mean 0, variance 1)
    obs_mean_ = register_buffer("obs_mean", torch::zeros({features}));
    obs_var_ = register_buffer("obs_var", torch::ones({features}));
    obs_count_ = register_buffer("obs_count", torch::zeros({}, torch::kFloat64));
    const int64_t width = scaled(options.widths[0]);
    if (simbav2) {
      simbav2_ = register_module("simbav2", SimbaV2(features, width, options.simba_blocks));
      layers_.push_back({"simbav2", {simbav2_.ptr()}});
      macs_ += simbav2_->macs();
      // block units: scored, not recycled (ReDo's zeroed readers would leave the sphere)
      for (int64_t i = 0; i < options.simba_blocks; ++i)
        unit_layers_.push_back({.name = fmt::format("simbav2_{}", i + 1), .recyclable = false});
      features = width;
      torso_shape_ = {features};
    }
  }
  if (simba && !simbav2) {
    const int64_t width = scaled(options.widths[0]);
    simba_embed_ = register_module("simba_embed", torch::nn::Linear(features, width));
    layers_.push_back({"simba_embed", {simba_embed_.ptr()}});
    macs_ += features * width;
    for (int64_t i = 0; i < options.simba_blocks; ++i) {
      torch::nn::Sequential block(torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})),
                                  torch::nn::Linear(width, 4 * width), torch::nn::ReLU(),
                                  torch::nn::Linear(4 * width, width));
      simba_blocks_.push_back(register_module(fmt::format("simba_block{}", i + 1), block));
      macs_ += 8 * width * width;
      auto& inner = *block[1];
      unit_layers_.push_back({.name = fmt::format("simba{}", i + 1),
                              .incoming = IncomingOf(inner, rule),
                              .outgoing = {block[3]->as<torch::nn::Linear>()->weight}});
      layers_.push_back({unit_layers_.back().name, {block.ptr()}});
    }
    simba_norm_ =
        register_module("simba_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    layers_.push_back({"simba_norm", {simba_norm_.ptr()}});
    features = width;
    torso_shape_ = {features};
  }

  if (mixture) {
    MoeOptions moe = options.moe;
    if (moe.expert_width == 0)
      moe.expert_width = options.widths.empty() ? 512 : options.widths.back();
    moe.expert_width = scaled(moe.expert_width);
    const auto [tokens, token_dim] = TokenShape(torso_shape_, moe.tokenize, moe.patch);
    moe_ = register_module("moe", MixtureOfExperts(token_dim, moe));
    const int64_t e = moe.num_experts, w = moe.expert_width;
    if (moe.type == "softmoe") {
      const int64_t slots = e * moe.slots_per_expert;
      macs_ += 2 * tokens * token_dim * slots + slots * token_dim * w + tokens * slots * w;
    } else if (moe.type == "top_k") {
      macs_ += tokens * token_dim * e + tokens * std::min(moe.top_k, e) * token_dim * w;
    } else {
      const int64_t capacity = std::clamp<int64_t>(
          std::llround(moe.capacity * static_cast<double>(tokens) / static_cast<double>(e)), 1,
          tokens);
      macs_ += tokens * token_dim * e + e * capacity * token_dim * w;
    }
    unit_layers_.push_back({.name = "moe", .recyclable = false});
    layers_.push_back({"moe", {moe_.ptr()}});
    features = moe.aggregate == "mean" ? w : tokens * w;
  }
  if (options.simplicial_groups > 0) {
    const int64_t units = options.simplicial_groups * options.simplicial_dim;
    simplicial_ = register_module("simplicial", torch::nn::Linear(features, units));
    layers_.push_back({"simplicial", {simplicial_.ptr()}});
    macs_ += features * units;
    features = units;
  }

  const int64_t per_action = head.tau_embedding > 0 ? 1 : head.atoms;
  advantage_ = torch::nn::Sequential();
  std::vector<std::shared_ptr<torch::nn::Module>> head_layers = {
      dense(advantage_, features, num_actions * per_action)};
  register_module("q", advantage_);
  if (options.head == "dueling") {
    value_ = torch::nn::Sequential();
    head_layers.push_back(dense(value_, features, per_action));
    register_module("value", value_);
  }
  layers_.push_back({"head", {advantage_.ptr()}});
  if (value_) layers_.back().modules.push_back(value_.ptr());

  // who reads each conv/dense layer's units: the next such layer, or the head (block = the
  // producer's spatial size when a flatten sits between conv maps and a dense reader)
  const bool direct_head = !simba && !mixture && options.simplicial_groups == 0;
  for (size_t i = 0; i < producers.size(); ++i) {
    if (!producers[i]) continue;  // linked where it was built (impala)
    UnitLayer& layer = unit_layers_[i];
    if (i + 1 < producers.size()) {
      auto& reader = *producers[i + 1];
      layer.outgoing = {ReaderWeight(reader)};
      if (!reader.as<torch::nn::Conv2d>()) layer.block = spatial[i];
    } else if (direct_head) {
      for (auto& h : head_layers) layer.outgoing.push_back(ReaderWeight(*h));
      layer.block = spatial[i];
    } else {
      layer.recyclable = false;  // read by SimBa, a mixture or a simplicial embedding
    }
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
  macs_ += features * num_actions * per_action + (value_ ? features * per_action : 0);
}

torch::Tensor CosineTauFeatures(const torch::Tensor& taus, int64_t dim) {
  const torch::Tensor i = torch::arange(1, dim + 1, taus.options());
  return torch::cos(M_PI * taus.unsqueeze(-1) * i);
}

torch::Tensor QNetworkImpl::RunCapturing(torch::nn::Sequential& seq, torch::Tensor x) {
  if (!capture_) return seq->forward(x);
  for (auto& module : *seq) {
    if (auto* stage = module.ptr()->as<ImpalaStage>()) {
      x = stage->Run(x, &captured_);
      continue;
    }
    x = module.forward(x);
    if (module.ptr()->as<torch::nn::ReLU>()) captured_.push_back(x);
  }
  return x;
}

torch::Tensor QNetworkImpl::forward(torch::Tensor obs, const torch::Tensor& taus) {
  return FromLatent(Encode(std::move(obs)), taus);
}

torch::Tensor QNetworkImpl::Encode(torch::Tensor obs) {
  if (options_.obs_scale != 1.0) obs = obs * options_.obs_scale;
  if (capture_) captured_.clear();
  if (obs_mean_.defined()) obs = (obs.flatten(1) - obs_mean_) * torch::rsqrt(obs_var_ + 1e-8);
  return RunCapturing(trunk_, obs);
}

torch::Tensor QNetworkImpl::FromLatent(torch::Tensor features, const torch::Tensor& taus) {
  auto run = [&](torch::nn::Sequential& seq, torch::Tensor x) {
    return RunCapturing(seq, std::move(x));
  };
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
  if (!post_->is_empty()) features = run(post_, features);
  if (simbav2_) features = simbav2_->Run(features, capture_ ? &captured_ : nullptr);
  if (simba_embed_) {
    features = simba_embed_->forward(features);
    for (auto& block : simba_blocks_) features = features + run(block, features);
    features = simba_norm_->forward(features);
  }
  if (moe_) {
    std::vector<int64_t> shape = {batch};
    shape.insert(shape.end(), torso_shape_.begin(), torso_shape_.end());
    const MoeOptions& moe = moe_->options();
    torch::Tensor tokens = moe_->forward(Tokenize(features.view(shape), moe.tokenize, moe.patch));
    if (capture_) captured_.push_back(tokens);
    features = moe.aggregate == "mean" ? tokens.mean(/*dim=*/1) : tokens.flatten(1);
  }
  if (simplicial_) {
    const torch::Tensor logits = simplicial_->forward(features).view(
        {batch, options_.simplicial_groups, options_.simplicial_dim});
    features = torch::softmax(logits / options_.simplicial_tau, /*dim=*/2).flatten(1);
  }
  if (capture_) features_ = features;
  auto shaped = [&](torch::Tensor out, int64_t actions) {
    if (tau_embedding_) return out.view({batch, per_action, actions}).permute({0, 2, 1});
    return out.view({batch, actions, per_action});
  };
  torch::Tensor q = shaped(advantage_->forward(features), num_actions_);
  if (value_) q = shaped(value_->forward(features), 1) + q - q.mean(/*dim=*/1, /*keepdim=*/true);
  return q;
}

void QNetworkImpl::ObserveInputs(const torch::Tensor& obs) {
  if (!obs_mean_.defined()) return;
  // Chan et al.'s parallel update of the running mean and (population) variance
  torch::NoGradGuard no_grad;
  torch::Tensor x = obs.flatten(1).to(torch::kFloat64);
  if (options_.obs_scale != 1.0) x = x * options_.obs_scale;
  const double n = static_cast<double>(x.size(0));
  const double count = obs_count_.item<double>();
  const torch::Tensor mean = obs_mean_.to(torch::kFloat64), var = obs_var_.to(torch::kFloat64);
  const torch::Tensor batch_mean = x.mean(0), batch_var = x.var(0, /*unbiased=*/false);
  const double total = count + n;
  const torch::Tensor delta = batch_mean - mean;
  const torch::Tensor new_mean = mean + delta * (n / total);
  // the initial variance 1 carries no weight: the first batch replaces it
  const torch::Tensor new_var =
      count == 0.0 ? batch_var
                   : (var * count + batch_var * n + delta.square() * (count * n / total)) / total;
  obs_mean_.copy_(new_mean);
  obs_var_.copy_(new_var);
  obs_count_.fill_(total);
}

torch::Tensor QNetworkImpl::aux_loss() const {
  if (!moe_ || moe_->options().type != "top_k" || options_.moe.aux_loss == 0.0)
    return torch::zeros({});
  return moe_->aux_loss() * options_.moe.aux_loss;
}

void QNetworkImpl::ResampleNoise(Rng& rng) {
  for (auto& layer : noisy_layers_) layer->ResampleNoise(rng);
}

void QNetworkImpl::SetNoiseEnabled(bool enabled) {
  for (auto& layer : noisy_layers_) layer->set_noise_enabled(enabled);
}

void QNetworkImpl::ProjectWeights() {
  if (simbav2_) simbav2_->ProjectWeights();
}

int64_t QNetworkImpl::num_parameters() const { return NumParameters(*this); }

int64_t NumParameters(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
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
    // onto the module's device, whichever device wrote the checkpoint
    const auto params = module.parameters();
    archive.load_from(in, params.empty() ? torch::Device(torch::kCPU) : params[0].device());
    module.load(archive);
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("cannot load {} from the checkpoint (other network config?): {}",
                                what, e.msg().substr(0, e.msg().find('\n'))));
  }
}

std::string OptimizerBytes(const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void LoadOptimizerBytes(torch::optim::Optimizer& optimizer, const std::string& bytes,
                        torch::Device device, const std::string& what) {
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in, device);  // whichever device wrote the checkpoint
    optimizer.load(archive);
  } catch (const c10::Error&) {
    throw UserError(
        fmt::format("cannot load the {} state from the checkpoint (other optimizer?)", what));
  }
}

}  // namespace qlab

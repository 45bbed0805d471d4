#include "qlab/plasticity/interventions.h"

#include <sstream>

#include "qlab/core/check.h"
#include "qlab/nets/device.h"
#include "qlab/plasticity/diagnostics.h"

namespace qlab {

namespace {

// The optimiser's state of `param`. The key is the TensorImpl's address, printed (libtorch 1.x)
// or as a pointer (2.x).
template <class State>
torch::optim::OptimizerParamState* FindState(State& state, const torch::Tensor& param) {
  using Key = typename State::key_type;
  Key key;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream out;
    out << param.unsafeGetTensorImpl();
    key = out.str();
  } else {
    key = param.unsafeGetTensorImpl();
  }
  auto it = state.find(key);
  return it == state.end() ? nullptr : it->second.get();
}

void ZeroWhere(const torch::Tensor& moment, const torch::Tensor& mask) {
  if (!moment.defined() || moment.numel() == 0) return;
  if (mask.defined()) {
    moment.masked_fill_(mask, 0.0);
  } else {
    moment.zero_();
  }
}

}  // namespace

torch::optim::OptimizerParamState* OptimizerStateOf(torch::optim::Optimizer& optimizer,
                                                    const torch::Tensor& param) {
  return FindState(optimizer.state(), param);
}

void ZeroOptimizerState(torch::optim::Optimizer& optimizer, const torch::Tensor& param,
                        const torch::Tensor& mask) {
  using namespace torch::optim;
  torch::NoGradGuard no_grad;
  OptimizerParamState* state = OptimizerStateOf(optimizer, param);
  if (state == nullptr) return;  // no step taken yet
  if (auto* adam = dynamic_cast<AdamParamState*>(state)) {
    ZeroWhere(adam->exp_avg(), mask);
    ZeroWhere(adam->exp_avg_sq(), mask);
    ZeroWhere(adam->max_exp_avg_sq(), mask);
  } else if (auto* adamw = dynamic_cast<AdamWParamState*>(state)) {
    ZeroWhere(adamw->exp_avg(), mask);
    ZeroWhere(adamw->exp_avg_sq(), mask);
    ZeroWhere(adamw->max_exp_avg_sq(), mask);
  } else if (auto* rmsprop = dynamic_cast<RMSpropParamState*>(state)) {
    ZeroWhere(rmsprop->square_avg(), mask);
    ZeroWhere(rmsprop->grad_avg(), mask);
    ZeroWhere(rmsprop->momentum_buffer(), mask);
  } else if (auto* sgd = dynamic_cast<SGDParamState*>(state)) {
    ZeroWhere(sgd->momentum_buffer(), mask);
  }
}

namespace {

// Mask over a tensor selecting units `units` ([U] bool) on `dim`, each unit covering `block`
// consecutive indices.
torch::Tensor UnitMask(const torch::Tensor& tensor, const torch::Tensor& units, int64_t dim,
                       int64_t block) {
  torch::Tensor along = units.repeat_interleave(block);
  QLAB_CHECK(along.numel() == tensor.size(dim));
  std::vector<int64_t> shape(tensor.dim(), 1);
  shape[dim] = along.numel();
  return along.view(shape).expand_as(tensor);
}

}  // namespace

int64_t RecycleDormantUnits(QNetwork& network, double tau, torch::optim::Optimizer& optimizer,
                            at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const auto& layers = network->unit_layers();
  const auto& captured = network->captured();
  QLAB_CHECK(layers.size() == captured.size());
  // fresh incoming weights first, then zero outgoing ones: a recycled unit that reads another
  // recycled unit gets a zero weight from it, and the function stays unchanged on this batch
  std::vector<torch::Tensor> dormant(layers.size());
  int64_t recycled = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].recyclable) continue;
    dormant[i] = DormantUnits(captured[i], tau);
    const int64_t count = dormant[i].sum().item<int64_t>();
    if (count == 0) {
      dormant[i] = torch::Tensor();
      continue;
    }
    recycled += count;
    for (const auto& in : layers[i].incoming) {
      const torch::Tensor mask = UnitMask(in.tensor, dormant[i], /*dim=*/0, /*block=*/1);
      torch::Tensor fresh = torch::empty_like(in.tensor);
      if (in.bound > 0.0) {
        DrawOnCpu(fresh, [&](torch::Tensor& t) { t.uniform_(-in.bound, in.bound, generator); });
      } else {
        fresh.fill_(in.fill);
      }
      in.tensor.copy_(torch::where(mask, fresh, in.tensor));
      ZeroOptimizerState(optimizer, in.tensor, mask);
    }
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!dormant[i].defined()) continue;
    for (const auto& out : layers[i].outgoing) {
      const torch::Tensor mask = UnitMask(out, dormant[i], /*dim=*/1, layers[i].block);
      out.masked_fill_(mask, 0.0);
      ZeroOptimizerState(optimizer, out, mask);
    }
  }
  return recycled;
}

void ShrinkPerturb(torch::nn::Module& module, torch::nn::Module* target, double shrink,
                   const std::string& init, double sigma0, torch::optim::Optimizer& optimizer,
                   at::Generator& generator) {
  if (shrink >= 1.0) return;
  torch::NoGradGuard no_grad;
  auto params = module.parameters();
  std::vector<torch::Tensor> old;
  for (const auto& p : params) old.push_back(p.clone());
  ReinitializeModule(module, init, sigma0, generator);  // params now hold the fresh draw
  std::vector<torch::Tensor> to;
  if (target != nullptr) to = target->parameters();
  QLAB_CHECK(to.empty() || to.size() == params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    // theta <- shrink * theta + (1 - shrink) * fresh, for the target with the same fresh draw
    if (!to.empty()) to[k].mul_(shrink).add_(params[k], 1.0 - shrink);
    if (shrink == 0.0) {
      ZeroOptimizerState(optimizer, params[k]);
    } else {
      params[k].mul_(1.0 - shrink).add_(old[k], shrink);
    }
  }
}

void ResetLayers(QNetwork& network, QNetwork* target, int64_t last_layers, double shrink,
                 torch::optim::Optimizer& optimizer, at::Generator& generator) {
  const auto& layers = network->layers();
  const auto& options = network->options();
  const auto count = static_cast<int64_t>(layers.size());
  const int64_t reset_from =
      last_layers < 0 ? network->encoder_layers() : std::max<int64_t>(0, count - last_layers);
  for (int64_t i = 0; i < count; ++i) {
    const double factor = i >= reset_from ? 0.0 : shrink;
    for (size_t m = 0; m < layers[i].modules.size(); ++m) {
      torch::nn::Module* to = target != nullptr ? (*target)->layers()[i].modules[m].get() : nullptr;
      ShrinkPerturb(*layers[i].modules[m], to, factor, options.init, options.noisy_sigma0,
                    optimizer, generator);
    }
  }
}

}  // namespace qlab

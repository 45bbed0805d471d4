#include "qlab/plasticity/diagnostics.h"

#include <fmt/format.h>

#include "qlab/core/check.h"

namespace qlab {

torch::Tensor UnitScores(const torch::Tensor& activation) {
  torch::Tensor mean_abs;
  const torch::Tensor a = activation.detach().abs().to(torch::kFloat32);
  switch (a.dim()) {
    case 2:
      mean_abs = a.mean(/*dim=*/0);
      break;
    case 3:
      mean_abs = a.mean(/*dim=*/std::vector<int64_t>{0, 1});
      break;
    case 4:
      mean_abs = a.mean(/*dim=*/std::vector<int64_t>{0, 2, 3});
      break;
    default:
      QLAB_CHECK(false && "activations are [B, U], [B, T, U] or [B, C, H, W]");
  }
  const double layer_mean = mean_abs.mean().item<double>();
  if (layer_mean <= 0.0) return torch::zeros_like(mean_abs);
  return mean_abs / layer_mean;
}

torch::Tensor DormantUnits(const torch::Tensor& activation, double tau) {
  return UnitScores(activation) <= tau;
}

double DormantFraction(const torch::Tensor& activation, double tau) {
  return DormantUnits(activation, tau).to(torch::kFloat64).mean().item<double>();
}

int64_t EffectiveRank(const torch::Tensor& features, double delta) {
  const torch::Tensor sigma = at::linalg_svdvals(features.detach().to(torch::kFloat64));
  const double total = sigma.sum().item<double>();
  if (total <= 0.0) return 0;
  const torch::Tensor cumulative = sigma.cumsum(/*dim=*/0) / total;
  // first k (1-based) whose share reaches 1 - delta
  return (cumulative < 1.0 - delta - 1e-12).sum().item<int64_t>() + 1;
}

NamedValues Diagnose(QNetwork& network, const torch::Tensor& obs, const torch::Tensor& taus) {
  torch::NoGradGuard no_grad;
  network->set_capture(true);
  network->forward(obs, taus);
  network->set_capture(false);
  const auto& layers = network->unit_layers();
  const auto& captured = network->captured();
  QLAB_CHECK(layers.size() == captured.size());
  NamedValues values;
  double dormant = 0.0, dormant0 = 0.0, units = 0.0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const torch::Tensor scores = UnitScores(captured[i]);
    const double n = static_cast<double>(scores.numel());
    const double d = (scores <= 0.1).sum().item<double>();
    const double d0 = (scores <= 0.0).sum().item<double>();
    values.emplace_back("dormant_" + layers[i].name, d / n);
    values.emplace_back("dormant0_" + layers[i].name, d0 / n);
    dormant += d;
    dormant0 += d0;
    units += n;
  }
  if (units > 0) {
    values.emplace_back("dormant", dormant / units);
    values.emplace_back("dormant0", dormant0 / units);
  }
  const torch::Tensor& features = network->features();
  values.emplace_back("srank", static_cast<double>(EffectiveRank(features)));
  values.emplace_back("feature_norm", features.norm(2, /*dim=*/1).mean().item<double>());
  double squares = 0.0;
  for (const auto& p : network->parameters()) squares += p.square().sum().item<double>();
  values.emplace_back("weight_norm", std::sqrt(squares));
  if (auto moe = network->mixture()) {
    const RoutingStats routing = moe->routing();
    for (int64_t e = 0; e < routing.usage.numel(); ++e)
      values.emplace_back(fmt::format("expert_usage_{}", e), routing.usage[e].item<double>());
    values.emplace_back("routing_entropy", routing.entropy);
  }
  return values;
}

}  // namespace qlab

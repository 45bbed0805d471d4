#include "qlab/nets/impala.h"

#include <fmt/format.h>

namespace qlab {

namespace {
torch::nn::Conv2d SameConv(int64_t in, int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
}
}  // namespace

ImpalaStageImpl::ImpalaStageImpl(int64_t in_channels, int64_t out_channels) {
  conv = register_module("conv", SameConv(in_channels, out_channels));
  pool_ = register_module(
      "pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  for (int i = 0; i < 2; ++i) {
    inner.push_back(
        register_module(fmt::format("block{}_conv1", i + 1), SameConv(out_channels, out_channels)));
    outer.push_back(
        register_module(fmt::format("block{}_conv2", i + 1), SameConv(out_channels, out_channels)));
  }
}

torch::Tensor ImpalaStageImpl::Run(torch::Tensor x, std::vector<torch::Tensor>* captured) {
  x = pool_->forward(conv->forward(x));
  for (size_t i = 0; i < inner.size(); ++i) {
    torch::Tensor units = torch::relu(inner[i]->forward(torch::relu(x)));
    if (captured != nullptr) captured->push_back(units);
    x = x + outer[i]->forward(units);
  }
  return x;
}

}  // namespace qlab

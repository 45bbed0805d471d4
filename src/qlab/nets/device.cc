#include "qlab/nets/device.h"

#include <fmt/format.h>

#include "qlab/core/errors.h"

namespace qlab {

torch::Device ParseDevice(const std::string& name) {
  std::optional<torch::Device> device;
  try {
    device = torch::Device(name);
  } catch (const c10::Error&) {
    throw UserError(fmt::format("run.device = '{}': not a device (cpu, cuda or cuda:N)", name));
  }
  if (device->is_cpu()) return *device;
  if (!device->is_cuda())
    throw UserError(fmt::format("run.device = '{}': qlab trains on cpu or cuda devices", name));
  const int64_t visible = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  if (visible == 0)
    throw UserError(fmt::format(
        "run.device = '{}': this libtorch sees no CUDA GPU (a CPU-only build, or no GPU here); "
        "use run.device = cpu",
        name));
  if (device->has_index() && device->index() >= visible)
    throw UserError(fmt::format("run.device = '{}': only {} CUDA GPU(s) visible", name, visible));
  return *device;
}

torch::Tensor HostToDevice(const void* data, c10::IntArrayRef shape, torch::Dtype dtype,
                           torch::Device device) {
  return torch::from_blob(const_cast<void*>(data), shape, dtype).to(device);
}

void DrawOnCpu(torch::Tensor tensor, const std::function<void(torch::Tensor&)>& draw) {
  if (tensor.is_cpu()) {
    draw(tensor);
    return;
  }
  torch::Tensor host = torch::empty(tensor.sizes(), tensor.options().device(torch::kCPU));
  draw(host);
  tensor.copy_(host);
}

}  // namespace qlab

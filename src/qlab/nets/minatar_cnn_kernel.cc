#include "qlab/nets/minatar_cnn_kernel.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "qlab/core/check.h"

// The hot loops are compiled twice, with AVX2 and for baseline x86-64, and the loader picks the
// clone the CPU runs (function multi-versioning): one binary runs everywhere and uses wide
// vectors where they exist. No FMA: every lane does the same mul and add in both clones, so
// their numbers are identical.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// (Clones inline only always_inline callees.)
#define QLAB_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#define QLAB_INLINE __attribute__((always_inline))
#else
#define QLAB_VECTOR_CLONES
#define QLAB_INLINE
#endif

namespace qlab {
namespace {

constexpr int64_t kTaps = 9;  // 3 x 3

// Eight floats as one value (GCC/Clang vector extension): an AVX register in the AVX2 clone, two
// SSE registers in the baseline one, the same lane arithmetic in both.
typedef float Float8 __attribute__((vector_size(32)));
// (Load8 returns one; it is always inlined, so the ABI note about passing it does not apply.)
#pragma GCC diagnostic ignored "-Wpsabi"

QLAB_INLINE inline Float8 Load8(const float* p) {
  Float8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// sum_k a[k] b[k] in 32 interleaved partial sums (four independent chains of eight lanes, so the
// adds' latency overlaps) added in a fixed order: vectorised without -ffast-math, and the same
// number whatever the CPU's vector width.
QLAB_INLINE inline float Dot(const float* a, const float* b, int64_t n) {
  Float8 s0 = {}, s1 = {}, s2 = {}, s3 = {};
  int64_t k = 0;
  for (; k + 32 <= n; k += 32) {
    s0 += Load8(a + k) * Load8(b + k);
    s1 += Load8(a + k + 8) * Load8(b + k + 8);
    s2 += Load8(a + k + 16) * Load8(b + k + 16);
    s3 += Load8(a + k + 24) * Load8(b + k + 24);
  }
  for (; k + 8 <= n; k += 8) s0 += Load8(a + k) * Load8(b + k);
  const Float8 s = (s0 + s1) + (s2 + s3);
  float sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; k < n; ++k) sum += a[k] * b[k];
  return sum;
}

// y += alpha x
QLAB_INLINE inline void Axpy(float* y, float alpha, const float* x, int64_t n) {
  for (int64_t k = 0; k < n; ++k) y[k] += alpha * x[k];
}

// dst [cols][rows] = src [rows][cols]: the kernel's weight layouts to and from torch's.
QLAB_INLINE inline void Transpose(const float* src, int64_t rows, int64_t cols, float* dst) {
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = 0; r < rows; ++r) dst[c * rows + r] = src[r * cols + c];
}

float* GradOf(torch::Tensor& parameter) {
  if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
  return parameter.mutable_grad().data_ptr<float>();
}

}  // namespace

std::string MinatarCnnKernel::Unsupported(const NetworkOptions& options, const HeadShape& head,
                                          torch::Device device) {
  if (!device.is_cpu()) return "it runs on the CPU only";
  if (options.torso != "minatar_cnn") return "network.torso is not minatar_cnn";
  if (options.depth_scale != 1) return "network.depth_scale is not 1";
  if (options.head != "q") return "network.head is not q";
  if (options.noisy) return "network.noisy is on";
  if (options.moe.type != "none") return "network.moe.type is not none";
  if (options.simplicial_groups > 0) return "network.simplicial_groups is not 0";
  if (head.atoms != 1 || head.tau_embedding > 0) return "the head is distributional";
  return "";
}

MinatarCnnKernel::MinatarCnnKernel(QNetworkImpl& net, const std::vector<int64_t>& obs_shape,
                                   int64_t num_actions) {
  const NetworkOptions& options = net.options();
  QLAB_CHECK(Unsupported(options, {}, torch::kCPU).empty());
  QLAB_CHECK_EQ(obs_shape.size(), 3U);
  channels_ = obs_shape[0];
  height_ = obs_shape[1];
  width_ = obs_shape[2];
  pad_ = options.conv_padding == "same" ? 1 : 0;
  out_h_ = height_ + 2 * pad_ - 2;
  out_w_ = width_ + 2 * pad_ - 2;
  obs_scale_ = static_cast<float>(options.obs_scale);
  // parameters in registration order: conv weight and bias, then (weight, bias) per dense layer
  std::vector<torch::Tensor> parameters = net.parameters();
  QLAB_CHECK(parameters.size() >= 4 && parameters.size() % 2 == 0);
  for (const torch::Tensor& p : parameters) {
    QLAB_CHECK(p.scalar_type() == torch::kFloat32 && p.is_contiguous() && p.device().is_cpu());
  }
  conv_weight_ = parameters[0];
  conv_bias_ = parameters[1];
  filters_ = conv_weight_.size(0);
  QLAB_CHECK(conv_weight_.dim() == 4 && conv_weight_.size(1) == channels_ &&
             conv_weight_.size(2) == 3 && conv_weight_.size(3) == 3);
  int64_t in = filters_ * out_h_ * out_w_;
  for (size_t i = 2; i < parameters.size(); i += 2) {
    const torch::Tensor& weight = parameters[i];
    QLAB_CHECK(weight.dim() == 2 && weight.size(1) == in);
    dense_.push_back({weight, parameters[i + 1], in, weight.size(0)});
    in = weight.size(0);
  }
  QLAB_CHECK_EQ(dense_.back().out, num_actions);
  taps_.resize(channels_ * kTaps * filters_);
  first_weight_.resize(dense_[0].out * dense_[0].in);
  first_grad_.resize(dense_[0].out * dense_[0].in);
  acts_.resize(dense_.size());
}

void MinatarCnnKernel::PrepareWeights() {
  // redone at every Forward: the weights may have changed in any way (an optimiser step, a target
  // sync, a checkpoint load), and torch's version counters do not see all of them (C++ optimisers
  // write through .data()); a few microseconds against the rest of a batch.
  const Dense& first = dense_[0];
  const int64_t o_count = filters_, positions = out_h_ * out_w_, taps = channels_ * kTaps;
  Transpose(conv_weight_.data_ptr<float>(), o_count, taps, taps_.data());
  // the first dense layer's columns from torch's [O][H'][W'] flatten order to [H'][W'][O]
  const float* w = first.weight.data_ptr<float>();
  for (int64_t k = 0; k < first.out; ++k)
    Transpose(&w[k * first.in], o_count, positions, &first_weight_[k * first.in]);
}

template <class Visit>
QLAB_INLINE inline void MinatarCnnKernel::ForEachTap(int s, Visit visit) const {
  const int64_t plane = height_ * width_;
  for (int64_t k = sample_start_[s]; k < sample_start_[s + 1]; ++k) {
    const auto [index, v] = nonzeros_[k];
    const int64_t c = index / plane, i = index % plane / width_, j = index % width_;
    for (int64_t di = 0; di < 3; ++di) {
      const int64_t oi = i - di + pad_;
      if (oi < 0 || oi >= out_h_) continue;
      for (int64_t dj = 0; dj < 3; ++dj) {
        const int64_t oj = j - dj + pad_;
        if (oj < 0 || oj >= out_w_) continue;
        visit(v, (c * 3 + di) * 3 + dj, oi * out_w_ + oj);
      }
    }
  }
}

QLAB_VECTOR_CLONES void MinatarCnnKernel::Forward(const float* obs, int n, float* q) {
  PrepareWeights();
  const int64_t o_count = filters_, positions = out_h_ * out_w_, plane = height_ * width_;
  const float* bias = conv_bias_.data_ptr<float>();
  n_ = n;
  acts_[0].resize(n * o_count * positions);
  nonzeros_.clear();
  sample_start_.assign(n + 1, 0);
  for (int s = 0; s < n; ++s) {
    float* a = &acts_[0][s * o_count * positions];
    for (int64_t p = 0; p < positions; ++p) std::copy_n(bias, o_count, &a[p * o_count]);
    // scatter: every non-zero input adds its taps' weight vectors to the outputs it reaches
    const float* x = obs + s * channels_ * plane;
    for (int64_t index = 0; index < channels_ * plane; ++index)
      if (x[index] != 0.0F) nonzeros_.push_back({index, x[index] * obs_scale_});
    sample_start_[s + 1] = static_cast<int64_t>(nonzeros_.size());
    ForEachTap(s, [&](float v, int64_t tap, int64_t position) QLAB_INLINE {
      Axpy(&a[position * o_count], v, &taps_[tap * o_count], o_count);
    });
    for (int64_t i = 0; i < o_count * positions; ++i) a[i] = std::max(a[i], 0.0F);
  }
  for (size_t l = 0; l < dense_.size(); ++l) {
    const Dense& layer = dense_[l];
    const bool head = l + 1 == dense_.size();
    float* out = q;
    if (!head) {
      acts_[l + 1].resize(n * layer.out);
      out = acts_[l + 1].data();
    }
    const float* w = l == 0 ? first_weight_.data() : layer.weight.data_ptr<float>();
    const float* b = layer.bias.data_ptr<float>();
    for (int s = 0; s < n; ++s) {
      float* z = &out[s * layer.out];
      const float* in = &acts_[l][s * layer.in];
      for (int64_t k = 0; k < layer.out; ++k) {
        const float sum = b[k] + Dot(&w[k * layer.in], in, layer.in);
        z[k] = head ? sum : std::max(sum, 0.0F);
      }
    }
  }
}

QLAB_VECTOR_CLONES void MinatarCnnKernel::Backward(const float* dq) {
  const int n = n_;
  const int64_t o_count = filters_, positions = out_h_ * out_w_;
  grad_.assign(dq, dq + n * dense_.back().out);
  for (size_t l = dense_.size(); l-- > 0;) {
    Dense& layer = dense_[l];
    // the first layer's weight gradient in the kernel's column order first, then torch's
    float* dw = l == 0 ? first_grad_.data() : GradOf(layer.weight);
    float* db = GradOf(layer.bias);
    std::fill_n(dw, layer.out * layer.in, 0.0F);
    std::fill_n(db, layer.out, 0.0F);
    const float* w = l == 0 ? first_weight_.data() : layer.weight.data_ptr<float>();
    const float* in = acts_[l].data();
    grad_prev_.resize(n * layer.in);
    for (int s = 0; s < n; ++s) {
      float* back = &grad_prev_[s * layer.in];
      const float* x = &in[s * layer.in];
      std::fill_n(back, layer.in, 0.0F);
      for (int64_t k = 0; k < layer.out; ++k) {
        const float g = grad_[s * layer.out + k];
        if (g == 0.0F) continue;  // DQN: one taken action per sample
        db[k] += g;
        Axpy(&dw[k * layer.in], g, x, layer.in);
        Axpy(back, g, &w[k * layer.in], layer.in);
      }
      // through the ReLU that produced this layer's input (a select, so it vectorises)
      for (int64_t i = 0; i < layer.in; ++i) back[i] = x[i] > 0.0F ? back[i] : 0.0F;
    }
    std::swap(grad_, grad_prev_);
  }
  const Dense& first = dense_[0];
  float* first_grad = GradOf(dense_[0].weight);
  for (int64_t k = 0; k < first.out; ++k)
    Transpose(&first_grad_[k * first.in], positions, o_count, &first_grad[k * first.in]);
  // grad_ is now d/d(conv output) as [n][H'][W'][O]
  bias_grad_.assign(o_count, 0.0F);
  tap_grad_.assign(channels_ * kTaps * o_count, 0.0F);
  for (int s = 0; s < n; ++s) {
    const float* g = &grad_[s * o_count * positions];
    for (int64_t p = 0; p < positions; ++p) Axpy(bias_grad_.data(), 1.0F, &g[p * o_count], o_count);
    // gather: each non-zero input's taps collect the output gradients it reached
    ForEachTap(s, [&](float v, int64_t tap, int64_t position) QLAB_INLINE {
      Axpy(&tap_grad_[tap * o_count], v, &g[position * o_count], o_count);
    });
  }
  std::copy(bias_grad_.begin(), bias_grad_.end(), GradOf(conv_bias_));
  Transpose(tap_grad_.data(), channels_ * kTaps, o_count, GradOf(conv_weight_));
}

}  // namespace qlab

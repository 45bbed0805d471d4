// A hand-written CPU forward and backward pass of the `minatar_cnn` Q-network: one 3x3 conv
// (stride 1, same or valid padding) + ReLU, dense layers + ReLU, a linear Q head -- Dopamine's
// MinAtar network (conv 16 -> dense A) and the MinAtar paper's (conv 16 valid -> 128 -> A).
//
// Why: at this size a libtorch update is framework overhead (dispatcher, autograd graph, tensor
// allocation: ~0.6 ms for 7M multiply-adds), not arithmetic (docs/benchmarks.md, issue #4). Two
// facts make the direct pass cheap: MinAtar observations are binary and sparse (Breakout ~35 of
// 400 cells), so the conv is a scatter of weight columns from the non-zero inputs (and its weight
// gradient a gather into them), and DQN's loss gradient has one non-zero per sample.
//
// The kernel owns no parameters: it reads the network's tensors at every Forward (so optimiser
// steps, target syncs, resets and checkpoint loads are seen at once) and writes their .grad()
// in Backward, where the optimiser (torch's) finds them. The arithmetic is the network's up to
// float rounding (other summation order; kernel tests bound the difference); one thread and a
// fixed order, so a seed gives the same numbers on the same build.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "qlab/nets/network.h"

namespace qlab {

class MinatarCnnKernel {
 public:
  // Why the kernel cannot compute a network with these options on `device` ("" when it can).
  static std::string Unsupported(const NetworkOptions& options, const HeadShape& head,
                                 torch::Device device);

  // `net` (built from options that Unsupported() accepts) must outlive the kernel.
  MinatarCnnKernel(QNetworkImpl& net, const std::vector<int64_t>& obs_shape, int64_t num_actions);

  // q [n, A] = net(obs [n, C, H, W]); keeps the activations that Backward reads.
  void Forward(const float* obs, int n, float* q);
  // Sets every parameter's .grad() to d(sum_{s,a} dq[s, a] q[s, a]) / d(parameter) at the last
  // Forward's batch (dq [n, A]).
  void Backward(const float* dq);

 private:
  struct Dense {
    torch::Tensor weight, bias;  // [out, in], [out]
    int64_t in, out;
  };
  // visit(value, tap (c * 3 + di) * 3 + dj, output position oi * W' + oj) for every non-zero
  // input of sample s and every conv output it reaches
  template <class Visit>
  void ForEachTap(int s, Visit visit) const;
  void PrepareWeights();  // taps_ and first_weight_ from the current weights

  int64_t channels_, height_, width_;  // input
  int64_t out_h_, out_w_, filters_, pad_;
  float obs_scale_;
  torch::Tensor conv_weight_, conv_bias_;  // [O, C, 3, 3], [O]
  std::vector<Dense> dense_;               // hidden layers, then the head
  // The conv's activations are kept as [H'][W'][O] (one contiguous O-vector per position, what
  // the scatter adds into), so the first dense layer's columns are permuted to match.
  std::vector<float> taps_;          // conv weights as [C][3][3][O]: one O-vector per tap
  std::vector<float> first_weight_;  // first dense weight, columns in [H'][W'][O] order
  // activations of the last Forward: acts_[0] = ReLU(conv) as [n][H'][W'][O], acts_[l] = the
  // l-th dense layer's output ([n][out])
  std::vector<std::vector<float>> acts_;
  // the last Forward's non-zero inputs (index in [C][H][W], scaled value), sample s's from
  // sample_start_[s]
  struct NonZero {
    int64_t index;
    float value;
  };
  std::vector<NonZero> nonzeros_;
  std::vector<int64_t> sample_start_;
  int n_ = 0;
  std::vector<float> grad_, grad_prev_, first_grad_, tap_grad_, bias_grad_;  // Backward's scratch
};

}  // namespace qlab

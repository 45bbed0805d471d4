// Where an update's time goes, op by op: every libtorch op (and autograd node) this thread runs
// between construction and Stop(), observed through libtorch's RecordFunction callbacks and
// summed as self and total time per op name, like the "self CPU" table of PyTorch's profiler.
// `qlab bench agents --ops N` prints it for an agent's training iteration; the profiled totals
// match timed runs within a few percent (docs/benchmarks.md). A call far longer than its op
// usually takes (over 10 ms and 20x the op's median) is a stall of the machine (a paused virtual
// CPU, a page-fault storm), not the op's cost: it is counted apart, so that one pause does not
// make an elementwise op look like the hot spot. Times are host times: on a GPU, where kernels
// run asynchronously, they show launches and synchronisations, not kernel durations.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qlab {

struct OpTime {
  std::string name;  // "aten::addmm", "ConvolutionBackward0", ...
  int64_t calls = 0;
  double self_us = 0.0;       // time in this op minus the ops it called
  double total_us = 0.0;      // time in this op, the ops it called included
  double max_self_us = 0.0;   // the longest call's own time, stalls excluded
  int64_t stalled_calls = 0;  // calls left out of self_us as stalls (see above)
  double stalled_us = 0.0;
};

// Records every op of this thread from construction to Stop(); one profile per thread at a time.
class OpProfile {
 public:
  OpProfile();
  ~OpProfile();  // stops observing if Stop() was not called
  OpProfile(const OpProfile&) = delete;
  OpProfile& operator=(const OpProfile&) = delete;

  // Ends recording; ops sorted by self time (stalls excluded), largest first.
  std::vector<OpTime> Stop();

 private:
  struct State;
  bool running() const;
  void Detach();  // stops observing ops
  std::unique_ptr<State> state_;
};

}  // namespace qlab

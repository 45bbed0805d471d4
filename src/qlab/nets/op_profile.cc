#include "qlab/nets/op_profile.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "qlab/core/check.h"

namespace qlab {
namespace {

using Clock = std::chrono::steady_clock;

// a call counts as a stall above both (header comment)
constexpr double kStallMinUs = 10'000.0;
constexpr double kStallOverMedian = 20.0;

// The running profile of this thread. Ops are summed as they end (no event list is kept: the
// legacy profiler's list grew to gigabytes over an agent's run and its reallocations showed up
// as op time).
struct Recorder {
  struct Open {
    Clock::time_point start;
    double children_us = 0.0;
  };
  struct Op {
    double total_us = 0.0;
    std::vector<float> self_us;  // per call, for the median that defines a stall
  };
  std::vector<Open> stack;
  std::unordered_map<std::string, Op> ops;
};

thread_local Recorder* active = nullptr;

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction&) {
  if (active) active->stack.push_back({Clock::now(), 0.0});
  return nullptr;
}

void OnEnd(const at::RecordFunction& fn, at::ObserverContext*) {
  if (!active || active->stack.empty()) return;
  const Recorder::Open open = active->stack.back();
  active->stack.pop_back();
  const double total = std::chrono::duration<double, std::micro>(Clock::now() - open.start).count();
  Recorder::Op& op = active->ops[fn.name()];
  op.total_us += total;
  op.self_us.push_back(static_cast<float>(total - open.children_us));
  if (!active->stack.empty()) active->stack.back().children_us += total;
}

}  // namespace

struct OpProfile::State {
  Recorder recorder;
  at::CallbackHandle handle = 0;
};

OpProfile::OpProfile() : state_(std::make_unique<State>()) {
  QLAB_CHECK(active == nullptr);  // one profile per thread at a time
  active = &state_->recorder;
  state_->handle = at::addThreadLocalCallback(at::RecordFunctionCallback(&OnStart, &OnEnd));
}

OpProfile::~OpProfile() {
  if (running()) Detach();  // nobody reads the ops (an exception left the profiled code)
}

bool OpProfile::running() const { return state_->handle != 0; }

void OpProfile::Detach() {
  at::removeCallback(state_->handle);
  state_->handle = 0;
  active = nullptr;
}

std::vector<OpTime> OpProfile::Stop() {
  QLAB_CHECK(running());
  Detach();
  std::vector<OpTime> sorted;
  for (auto& [name, recorded] : state_->recorder.ops) {
    OpTime op{.name = name,
              .calls = static_cast<int64_t>(recorded.self_us.size()),
              .total_us = recorded.total_us};
    std::vector<float> order = recorded.self_us;
    std::nth_element(order.begin(), order.begin() + order.size() / 2, order.end());
    const double stall_us = std::max(kStallMinUs, kStallOverMedian * order[order.size() / 2]);
    for (const double t : recorded.self_us) {
      if (t > stall_us) {
        op.stalled_calls += 1;
        op.stalled_us += t;
      } else {
        op.self_us += t;
        op.max_self_us = std::max(op.max_self_us, t);
      }
    }
    sorted.push_back(std::move(op));
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const OpTime& a, const OpTime& b) { return a.self_us > b.self_us; });
  return sorted;
}

}  // namespace qlab

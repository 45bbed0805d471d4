#include "qlab/core/multi_task.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace qlab {

std::vector<std::string> SplitEnvList(std::string_view text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

namespace {

std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

// The common spec of the tasks (multi_task.h); UserError naming the mismatch.
EnvSpec CommonSpec(const std::vector<std::unique_ptr<AnyVecEnv>>& tasks) {
  QLAB_CHECK(tasks.size() >= 2);
  const EnvSpec& first = tasks[0]->spec();
  const auto num_tasks = static_cast<int>(tasks.size());
  std::vector<std::string> ids, versions, names;
  EnvSpec spec = first;
  spec.obs_shape.assign(first.obs_shape.size(), 0);
  for (const auto& task : tasks) {
    const EnvSpec& s = task->spec();
    names.push_back(task->name());
    ids.push_back(s.id);
    if (std::find(versions.begin(), versions.end(), s.version) == versions.end())
      versions.push_back(s.version);
    if (s.obs_shape.size() != first.obs_shape.size() || s.obs_dtype != first.obs_dtype)
      throw UserError(
          fmt::format("multi-task envs must share the observation kind: {} has {}, {} has {}",
                      tasks[0]->name(), DescribeObs(first), task->name(), DescribeObs(s)));
    if (!s.action_space.discrete())
      throw UserError(fmt::format("multi-task envs need discrete actions; {} has {}", task->name(),
                                  DescribeActions(s)));
    if (s.action_space.n != first.action_space.n)
      throw UserError(
          fmt::format("multi-task envs must share the action set: {} has {}, {} has {} (MinAtar: "
                      "actions=full gives every game the same 6)",
                      tasks[0]->name(), DescribeActions(first), task->name(), DescribeActions(s)));
    for (size_t d = 0; d < s.obs_shape.size(); ++d)
      spec.obs_shape[d] = std::max(spec.obs_shape[d], s.obs_shape[d]);
    spec.obs_binary = spec.obs_binary && s.obs_binary;
    spec.reward_min = std::min(spec.reward_min, s.reward_min);
    spec.reward_max = std::max(spec.reward_max, s.reward_max);
    spec.max_episode_steps = std::max(spec.max_episode_steps, s.max_episode_steps);
    if (s.action_space.names != first.action_space.names) spec.action_space.names.clear();
  }
  // labels: each channel (component) names what it holds in every task, then the task ids
  const int slots = spec.obs_shape[0];
  spec.obs_labels.assign(slots, "");
  for (int c = 0; c < slots; ++c) {
    std::vector<std::string> held;
    for (const auto& task : tasks) {
      const auto& labels = task->spec().obs_labels;
      const std::string label = c < static_cast<int>(labels.size()) ? labels[c] : "-";
      if (std::find(held.begin(), held.end(), label) == held.end()) held.push_back(label);
    }
    spec.obs_labels[c] = Join(held, "|");
  }
  spec.obs_shape[0] += num_tasks;
  for (const auto& task : tasks) spec.obs_labels.push_back("task=" + task->spec().id);
  spec.id = Join(ids, ",");
  spec.version = Join(versions, "; ");
  return spec;
}

int TotalEnvs(const std::vector<std::unique_ptr<AnyVecEnv>>& tasks) {
  int n = 0;
  for (const auto& task : tasks) n += task->num_envs();
  return n;
}

}  // namespace

MultiTaskVecEnv::MultiTaskVecEnv(std::vector<std::unique_ptr<AnyVecEnv>> tasks, std::string name)
    : AnyVecEnv(CommonSpec(tasks), std::move(name), TotalEnvs(tasks)),
      tasks_(std::move(tasks)),
      per_task_(tasks_[0]->num_envs()),
      element_size_(DTypeSize(spec_.obs_dtype)) {
  for (const auto& task : tasks_) {
    QLAB_CHECK_EQ(task->num_envs(), per_task_);
    batches_.push_back(task->MakeBatch());
  }
}

std::string MultiTaskVecEnv::task_name(int task) const {
  // the short id, unless two tasks share it (then the full canonical name)
  const std::string& id = tasks_[task]->spec().id;
  for (int t = 0; t < num_tasks(); ++t)
    if (t != task && tasks_[t]->spec().id == id) return tasks_[task]->name();
  return id;
}

void MultiTaskVecEnv::Embed(int task, const uint8_t* in, uint8_t* out) const {
  const std::vector<int>& from = tasks_[task]->spec().obs_shape;
  const std::vector<int>& to = spec_.obs_shape;
  const size_t e = element_size_;
  std::memset(out, 0, spec_.obs_bytes());
  auto set_one = [&](size_t index) {
    if (spec_.obs_dtype == DType::kUInt8) {
      out[index] = 1;
    } else {
      const float one = 1.0f;
      std::memcpy(out + index * e, &one, e);
    }
  };
  const int tasks_offset = to[0] - num_tasks();  // first task-id plane / component
  if (to.size() == 1) {
    std::memcpy(out, in, static_cast<size_t>(from[0]) * e);
    set_one(tasks_offset + task);
    return;
  }
  const int h = from[1], w = from[2], height = to[1], width = to[2];
  for (int c = 0; c < from[0]; ++c)
    for (int r = 0; r < h; ++r)
      std::memcpy(out + ((static_cast<size_t>(c) * height + r) * width) * e,
                  in + ((static_cast<size_t>(c) * h + r) * w) * e, static_cast<size_t>(w) * e);
  const size_t plane = static_cast<size_t>(height) * width;
  for (size_t k = 0; k < plane; ++k) set_one((tasks_offset + task) * plane + k);
}

void MultiTaskVecEnv::Reset(StepBatch& out) {
  for (int t = 0; t < num_tasks(); ++t) {
    StepBatch& b = batches_[t];
    tasks_[t]->Reset(b);
    for (int i = 0; i < per_task_; ++i) {
      const int j = t * per_task_ + i;
      Embed(t, b.obs.data() + i * b.obs_bytes, out.obs.data() + j * out.obs_bytes);
      out.reward[j] = 0.0f;
      out.terminated[j] = out.truncated[j] = 0;
    }
  }
}

void MultiTaskVecEnv::Step(std::span<const int32_t> actions, StepBatch& out) {
  QLAB_CHECK_EQ(actions.size(), static_cast<size_t>(num_envs_));
  for (int t = 0; t < num_tasks(); ++t) {
    StepBatch& b = batches_[t];
    tasks_[t]->Step(actions.subspan(t * per_task_, per_task_), b);
    for (int i = 0; i < per_task_; ++i) {
      const int j = t * per_task_ + i;
      Embed(t, b.obs.data() + i * b.obs_bytes, out.obs.data() + j * out.obs_bytes);
      out.reward[j] = b.reward[i];
      out.terminated[j] = b.terminated[i];
      out.truncated[j] = b.truncated[i];
      if (b.done(i)) {
        Embed(t, b.final_obs.data() + i * b.obs_bytes, out.final_obs.data() + j * out.obs_bytes);
        out.episode_return[j] = b.episode_return[i];
        out.episode_length[j] = b.episode_length[i];
      }
    }
  }
}

std::string MultiTaskVecEnv::SaveState() const {
  // per task: its state's length (8 bytes) and the state
  std::string bytes;
  for (const auto& task : tasks_) {
    const std::string state = task->SaveState();
    const uint64_t size = state.size();
    bytes.append(reinterpret_cast<const char*>(&size), sizeof(size));
    bytes += state;
  }
  return bytes;
}

void MultiTaskVecEnv::LoadState(std::string_view bytes) {
  for (const auto& task : tasks_) {
    uint64_t size = 0;
    if (bytes.size() < sizeof(size))
      throw UserError("saved multi-task env state is truncated (other env list?)");
    std::memcpy(&size, bytes.data(), sizeof(size));
    bytes.remove_prefix(sizeof(size));
    if (bytes.size() < size)
      throw UserError("saved multi-task env state is truncated (other env list?)");
    task->LoadState(bytes.substr(0, size));
    bytes.remove_prefix(size);
  }
  if (!bytes.empty()) throw UserError("saved multi-task env state holds more tasks than the run");
}

}  // namespace qlab

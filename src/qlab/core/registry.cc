#include "qlab/core/registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "qlab/core/check.h"
#include "qlab/core/multi_task.h"

namespace qlab {

void Registry::Add(EnvEntry entry) {
  for (const auto& existing : entries_) QLAB_CHECK(existing.name != entry.name);
  entry.params.push_back({.name = "max_steps",
                          .type = ParamSpec::Type::kInt,
                          .default_value = std::to_string(entry.default_max_steps),
                          .doc = "time limit in env steps, reported as truncated (0 = none)",
                          .min = 0,
                          .max = 1e9});
  entries_.push_back(std::move(entry));
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> result;
  for (const auto& entry : entries_) result.push_back(entry.name);
  return result;
}

const EnvEntry& Registry::Find(std::string_view name) const {
  for (const auto& entry : entries_)
    if (entry.name == name) return entry;
  throw UserError(
      fmt::format("unknown env '{}'{} (see `qlab envs`)", name, DidYouMean(name, names())));
}

ResolvedEnv Registry::Resolve(std::string_view full_name) const {
  if (SplitEnvList(full_name).size() > 1)
    throw UserError(
        fmt::format("'{}' is a multi-task env list; this command takes one env", full_name));
  ParsedName parsed = ParseEnvName(full_name);
  ResolvedEnv resolved;
  resolved.entry = &Find(parsed.name);
  resolved.params = ResolveParams(resolved.entry->name, resolved.entry->params, parsed.args);
  const bool max_steps_given =
      std::any_of(parsed.args.begin(), parsed.args.end(),
                  [](const auto& arg) { return arg.first == "max_steps"; });
  if (resolved.entry->max_steps_of && !max_steps_given)
    resolved.params.Set("max_steps", std::to_string(resolved.entry->max_steps_of(resolved.params)));
  resolved.canonical = CanonicalName(resolved.entry->name, resolved.params);
  return resolved;
}

std::string Registry::Canonicalize(std::string_view full_name) const {
  std::vector<std::string> canonical;
  for (const std::string& task : SplitEnvList(full_name))
    canonical.push_back(Resolve(task).canonical);
  std::string joined;
  for (size_t i = 0; i < canonical.size(); ++i) joined += (i ? "," : "") + canonical[i];
  return joined;
}

std::unique_ptr<AnyVecEnv> Registry::Make(std::string_view full_name,
                                          const VecEnvOptions& options) const {
  if (options.num_envs < 1)
    throw UserError(fmt::format("num_envs must be at least 1, got {}", options.num_envs));
  const std::vector<std::string> tasks = SplitEnvList(full_name);
  if (tasks.size() == 1) {
    ResolvedEnv resolved = Resolve(full_name);
    return resolved.entry->make(resolved.params, resolved.canonical,
                                resolved.params.GetInt("max_steps"), options);
  }
  const auto num_tasks = static_cast<int>(tasks.size());
  if (options.num_envs % num_tasks != 0)
    throw UserError(fmt::format(
        "{} envs cannot be split evenly over the {} tasks of '{}' (use a multiple of {})",
        options.num_envs, num_tasks, full_name, num_tasks));
  // task t's envs take the RNG streams env t * k + i of one N-env vector env would
  const int per_task = options.num_envs / num_tasks;
  std::vector<std::unique_ptr<AnyVecEnv>> made;
  for (int t = 0; t < num_tasks; ++t) {
    VecEnvOptions task_options = options;
    task_options.num_envs = per_task;
    task_options.stream = options.stream + static_cast<uint64_t>(t) * per_task;
    made.push_back(Make(tasks[t], task_options));
  }
  return std::make_unique<MultiTaskVecEnv>(std::move(made), Canonicalize(full_name));
}

}  // namespace qlab

#include "qlab/core/registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "qlab/core/check.h"

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
  ParsedName parsed = ParseEnvName(full_name);
  ResolvedEnv resolved;
  resolved.entry = &Find(parsed.name);
  resolved.params = ResolveParams(resolved.entry->name, resolved.entry->params, parsed.args);
  resolved.canonical = CanonicalName(resolved.entry->name, resolved.params);
  return resolved;
}

std::string Registry::Canonicalize(std::string_view full_name) const {
  return Resolve(full_name).canonical;
}

std::unique_ptr<AnyVecEnv> Registry::Make(std::string_view full_name,
                                          const VecEnvOptions& options) const {
  if (options.num_envs < 1)
    throw UserError(fmt::format("num_envs must be at least 1, got {}", options.num_envs));
  ResolvedEnv resolved = Resolve(full_name);
  return resolved.entry->make(resolved.params, resolved.canonical,
                              resolved.params.GetInt("max_steps"), options);
}

}  // namespace qlab

// Registry of environments by name. Each entry declares its parameters; the registry adds the
// universal `max_steps` parameter (time limit reported as `truncated`, 0 = none) to every entry.
//   auto env = BuiltinEnvs().Make("minatar/breakout(sticky=0)", {.num_envs = 64, .seed = 1});
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qlab/core/params.h"
#include "qlab/core/vec_env.h"

namespace qlab {

struct EnvEntry {
  std::string name;         // "minatar/breakout"
  std::string description;  // one line
  std::string reference;    // the behaviour it reproduces
  int default_max_steps = 0;
  // Optional: the time limit when the name gives no max_steps, from the other parameters (a
  // horizon in control steps with an action repeat); default_max_steps is its value by default.
  std::function<int(const Params& params)> max_steps_of;
  std::vector<ParamSpec> params;  // env-specific parameters (max_steps is added by the registry)
  // Builds the env with validated params, the resolved time limit and the canonical name.
  std::function<std::unique_ptr<AnyVecEnv>(const Params& params, const std::string& canonical_name,
                                           int max_steps, const VecEnvOptions& options)>
      make;
};

// Convenience for entries whose env is built from the params alone.
template <class E>
auto MakeEnvFactory(std::function<E(const Params&)> build) {
  return [build = std::move(build)](const Params& params, const std::string& canonical_name,
                                    int max_steps, const VecEnvOptions& options) {
    return std::unique_ptr<AnyVecEnv>(
        std::make_unique<VecEnv<E>>(build(params), canonical_name, max_steps, options));
  };
}

// A parsed, validated env name.
struct ResolvedEnv {
  const EnvEntry* entry = nullptr;
  Params params;          // every parameter, defaults filled in
  std::string canonical;  // "name(k=v,...)" with every parameter
};

class Registry {
 public:
  void Add(EnvEntry entry);  // adds max_steps; duplicate names are a programming error

  // The entry for a bare name; UserError with "did you mean" for unknown names.
  const EnvEntry& Find(std::string_view name) const;
  const std::vector<EnvEntry>& entries() const { return entries_; }
  std::vector<std::string> names() const;

  // Parses and validates "name(k=v,...)".
  ResolvedEnv Resolve(std::string_view full_name) const;
  // Parses "name(k=v,...)", validates it, and builds the batched env; a comma-separated list of
  // names builds a multi-task env (multi_task.h) with options.num_envs split evenly.
  std::unique_ptr<AnyVecEnv> Make(std::string_view full_name, const VecEnvOptions& options) const;
  // The canonical name of "name(k=v,...)" or of each name in a list (validated), for run configs.
  std::string Canonicalize(std::string_view full_name) const;

 private:
  std::vector<EnvEntry> entries_;
};

}  // namespace qlab

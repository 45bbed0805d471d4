// qlab envs [--json]: every registered env with its spec and parameters.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/envs/builtin.h"

namespace qlab::cli {

void AddEnvsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("envs", "list every environment with its spec and parameters");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print a JSON list");
  cmd->callback([json] {
    nlohmann::json list = nlohmann::json::array();
    for (const EnvEntry& entry : BuiltinEnvs().entries()) {
      const EnvSpec spec = BuiltinEnvs().Make(entry.name, {})->spec();
      if (*json) {
        nlohmann::json params = nlohmann::json::array();
        for (const auto& p : entry.params)
          params.push_back({{"name", p.name},
                            {"type", p.TypeName()},
                            {"default", p.default_value},
                            {"doc", p.doc}});
        list.push_back({{"env", entry.name},
                        {"description", entry.description},
                        {"version", spec.version},
                        {"obs_shape", spec.obs_shape},
                        {"obs_dtype", DTypeName(spec.obs_dtype)},
                        {"obs_labels", spec.obs_labels},
                        {"actions", spec.action_space.names},
                        {"reward_range", {spec.reward_min, spec.reward_max}},
                        {"max_episode_steps", spec.max_episode_steps},
                        {"reference", entry.reference},
                        {"params", params}});
        continue;
      }
      fmt::print("{:<22} {}\n", entry.name, entry.description);
      fmt::print("    obs {}   actions {}   reward [{}, {}]   time limit {}   ({})\n",
                 DescribeObs(spec), DescribeActions(spec), spec.reward_min, spec.reward_max,
                 spec.max_episode_steps == 0 ? std::string("none")
                                             : std::to_string(spec.max_episode_steps),
                 spec.version);
      for (const auto& p : entry.params)
        fmt::print("    {:<10} {:<14} = {:<8} {}\n", p.name, p.TypeName(), p.default_value, p.doc);
    }
    if (*json) fmt::print("{}\n", list.dump(2));
  });
}

}  // namespace qlab::cli

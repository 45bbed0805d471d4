// qlab agents [NAME] [--json]: every agent with its documented config keys and presets.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "qlab/agents/agent.h"
#include "qlab/cli/commands.h"
#include "qlab/train/train_config.h"

namespace qlab::cli {

void AddAgentsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("agents", "list agents, their config keys and presets");
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("agent", *name, "show only this agent");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([name, json] {
    if (!name->empty()) FindAgent(*name);  // unknown names: one clear error
    nlohmann::json list = nlohmann::json::array();
    for (const AgentEntry& entry : Agents()) {
      if (!name->empty() && entry.name != *name) continue;
      const ConfigSchema schema = TrainSchema(entry.name);
      const auto presets = ListPresets(entry.name);
      if (*json) {
        nlohmann::json keys = nlohmann::json::array();
        for (const auto& key : schema.keys())
          keys.push_back({{"key", key.name},
                          {"type", key.TypeName()},
                          {"default", ConfigValueText(key.default_value)},
                          {"doc", key.doc}});
        nlohmann::json preset_list = nlohmann::json::array();
        for (const auto& [preset, doc] : presets)
          preset_list.push_back({{"name", preset}, {"doc", doc}});
        list.push_back({{"agent", entry.name},
                        {"description", entry.description},
                        {"keys", keys},
                        {"presets", preset_list}});
        continue;
      }
      fmt::print("{}  {}\n  presets (qlab train --config NAME):\n", entry.name, entry.description);
      for (const auto& [preset, doc] : presets) fmt::print("    {:<26} {}\n", preset, doc);
      fmt::print("  keys (--set key=value, or [section] key = value in a TOML file):\n");
      for (const auto& key : schema.keys())
        fmt::print("    {:<28} = {:<12} {}\n", key.name, ConfigValueText(key.default_value),
                   key.doc);
    }
    if (*json) fmt::print("{}\n", list.dump(2));
  });
}

}  // namespace qlab::cli

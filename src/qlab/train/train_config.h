// The configuration of a training run: the runner's keys ([run], [eval]) plus the agent's own
// ([agent], [replay], [network], ...), resolved from layers (DESIGN.md §6):
//   defaults in code < --config files in order (presets first) < --set key=value < flags.
// Presets are files under configs/<agent>/; `--config dqn/cleanrl_classic` finds one by name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qlab/core/config.h"

namespace qlab {

struct TrainLayers {
  std::string agent;                      // --agent ("" = from the files, else dqn)
  std::vector<std::string> config_files;  // --config, in order
  std::vector<std::string> sets;          // --set key=value, in order
  std::vector<std::pair<std::string, ConfigValue>> flags;  // --seed, --env, ... (last word)
};

// A resolved config owns its schema (the Config points into it).
struct TrainConfig {
  std::unique_ptr<ConfigSchema> schema;
  std::unique_ptr<Config> config;
};

void AddRunKeys(ConfigSchema& schema);               // [run] and [eval]
ConfigSchema TrainSchema(const std::string& agent);  // run keys + the agent's keys
TrainConfig ResolveTrainConfig(const TrainLayers& layers);
TrainConfig LoadRunConfig(const std::string& path);  // a run dir's config.toml

// Directory of the shipped presets (configs/), and a preset name -> path ("" if none).
std::string PresetDir();
std::string FindPreset(const std::string& name_or_path);
// Presets of one agent: (name, first comment line = what it reproduces).
std::vector<std::pair<std::string, std::string>> ListPresets(const std::string& agent);

// "minatar/breakout(sticky=0)" + "actions=full,sticky=0.1" -> name params win over defaults.
std::string MergeEnvParams(const std::string& env, const std::string& defaults);

}  // namespace qlab

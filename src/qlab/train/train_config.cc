#include "qlab/train/train_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "qlab/agents/agent.h"
#include "qlab/core/errors.h"
#include "qlab/core/multi_task.h"
#include "qlab/core/params.h"

#ifndef QLAB_CONFIG_DIR
#define QLAB_CONFIG_DIR "configs"
#endif

namespace qlab {

namespace fs = std::filesystem;

void AddRunKeys(ConfigSchema& schema) {
  constexpr double kBig = 1e15;
  schema.String("run.agent", "dqn", "agent name (qlab agents)")
      .String("run.env", "",
              "env name with parameters, e.g. minatar/breakout(sticky=0) (qlab envs)")
      .String("run.env_params", "",
              "default env parameters (k=v,...) of the preset; parameters in run.env win")
      .Int("run.seed", 0, "run seed: every random stream derives from it", {0, 9.2e18})
      .String("run.label", "", "label that groups runs in reports (default: the agent name)")
      .Int("run.iterations", 10, "iterations (each: training phase, then evaluation)", {1, 1e9})
      .Int("run.training_steps", 1000000, "env steps (all envs) per training phase", {1, kBig})
      .String("run.schedule", "train_and_eval",
              "train_and_eval, or continuous_train (no eval phase; report training returns)",
              {"train_and_eval", "continuous_train"})
      .Int("run.num_envs", 1, "parallel training envs", {1, 1 << 16})
      .Int("run.env_threads", 1, "threads stepping the envs (1: the calling thread)", {1, 256})
      .Int("run.torch_threads", 1, "libtorch intra-op threads", {1, 256})
      .String("run.device", "cpu",
              "where networks train: cpu, cuda or cuda:N (a CUDA libtorch; docs/gpu.md)")
      .Bool("run.mkldnn", true,
            "use libtorch's oneDNN CPU kernels (1.6x faster on the MinAtar DQN update here)")
      .Int("run.checkpoint_keep", 2, "checkpoints kept in checkpoints/", {1, 1000})
      .Float("run.progress_interval", 10.0, "seconds between progress lines when not a terminal",
             {0.0, 1e6});
  schema.Int("eval.episodes", 10, "episodes per evaluation phase (split over eval envs)", {1, 1e9})
      .Int("eval.steps", 0, "if > 0: evaluate for this many env steps instead (Dopamine)",
           {0, kBig})
      .Int("eval.num_envs", 1, "parallel evaluation envs", {1, 1 << 16});
}

ConfigSchema TrainSchema(const std::string& agent) {
  ConfigSchema schema;
  AddRunKeys(schema);
  FindAgent(agent).add_keys(schema);
  return schema;
}

std::string PresetDir() {
  if (const char* dir = std::getenv("QLAB_CONFIG_DIR")) return dir;
  return QLAB_CONFIG_DIR;
}

std::string FindPreset(const std::string& name) {
  if (fs::is_regular_file(name)) return name;
  const fs::path preset = fs::path(PresetDir()) / (name + ".toml");
  if (fs::is_regular_file(preset)) return preset.string();
  std::vector<std::string> known;
  if (fs::is_directory(PresetDir()))
    for (const auto& agent : fs::directory_iterator(PresetDir()))
      if (agent.is_directory())
        for (const auto& known_preset : ListPresets(agent.path().filename().string()))
          known.push_back(known_preset.first);
  throw UserError(
      fmt::format("config '{}' is neither a file nor a preset{}", name, DidYouMean(name, known)));
}

std::vector<std::pair<std::string, std::string>> ListPresets(const std::string& agent) {
  std::vector<std::pair<std::string, std::string>> presets;
  const fs::path dir = fs::path(PresetDir()) / agent;
  if (!fs::is_directory(dir)) return presets;
  for (const auto& file : fs::directory_iterator(dir)) {
    if (file.path().extension() != ".toml") continue;
    std::ifstream in(file.path());
    std::string first;
    std::getline(in, first);
    if (first.rfind("# ", 0) == 0) first = first.substr(2);
    presets.emplace_back(agent + "/" + file.path().stem().string(), first);
  }
  std::sort(presets.begin(), presets.end());
  return presets;
}

std::string MergeEnvParams(const std::string& env, const std::string& defaults) {
  if (defaults.empty()) return env;
  if (const auto tasks = SplitEnvList(env); tasks.size() > 1) {
    std::string merged;  // each task takes the defaults
    for (size_t i = 0; i < tasks.size(); ++i)
      merged += (i ? "," : "") + MergeEnvParams(tasks[i], defaults);
    return merged;
  }
  ParsedName parsed = ParseEnvName(env);
  const ParsedName extra = ParseEnvName("x(" + defaults + ")");
  for (const auto& [key, value] : extra.args) {
    bool given = false;
    for (const auto& arg : parsed.args) given = given || arg.first == key;
    if (!given) parsed.args.emplace_back(key, value);
  }
  std::string merged = parsed.name + "(";
  for (size_t i = 0; i < parsed.args.size(); ++i)
    merged += (i ? "," : "") + parsed.args[i].first + "=" + parsed.args[i].second;
  return merged + ")";
}

TrainConfig ResolveTrainConfig(const TrainLayers& layers) {
  std::vector<std::string> files;
  for (const auto& name : layers.config_files) files.push_back(FindPreset(name));
  // the agent decides the schema: --agent, else the last file that names one, else dqn
  std::string agent = layers.agent;
  if (agent.empty())
    for (const auto& file : files)
      if (std::string named = PeekTomlString(file, "run.agent"); !named.empty()) agent = named;
  if (agent.empty()) agent = "dqn";
  TrainConfig resolved;
  resolved.schema = std::make_unique<ConfigSchema>(TrainSchema(agent));
  resolved.config = std::make_unique<Config>(*resolved.schema);
  Config& config = *resolved.config;
  for (const auto& file : files) config.MergeFile(file);
  for (const auto& assignment : layers.sets) config.Set(assignment);
  config.SetValue("run.agent", agent, "--agent");
  for (const auto& [key, value] : layers.flags)
    config.SetValue(key, value, "--" + key.substr(key.find('.') + 1));
  if (config.GetString("run.env").empty())
    throw UserError("no env: give --env NAME or set run.env in the config (qlab envs lists them)");
  return resolved;
}

TrainConfig LoadRunConfig(const std::string& path) {
  const std::string agent = PeekTomlString(path, "run.agent");
  if (agent.empty()) throw UserError(fmt::format("{}: run.agent is missing", path));
  TrainConfig resolved;
  resolved.schema = std::make_unique<ConfigSchema>(TrainSchema(agent));
  resolved.config = std::make_unique<Config>(*resolved.schema);
  resolved.config->MergeFile(path);
  return resolved;
}

}  // namespace qlab

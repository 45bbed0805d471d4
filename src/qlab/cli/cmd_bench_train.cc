// qlab bench train: training throughput of the Dopamine MinAtar DQN protocol (Breakout, one env,
// update period 4, batch 32) measured through the real runner, with the projected time of the
// full 10M-step protocol (docs/benchmarks.md).
// qlab bench agents: the cost of one update of each agent of the DQN family on its MinAtar preset
// (update period 1, so updates dominate), as updates/s and as a ratio to DQN's.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "qlab/agents/agent.h"
#include "qlab/cli/commands.h"
#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/machine.h"
#include "qlab/train/runner.h"

namespace qlab::cli {
namespace {

struct BenchTrainArgs {
  int64_t steps = 50000;
  std::string env = "minatar/breakout";
  int threads = 1;
  bool json = false;
  bool mkldnn = true;
  std::string device = "cpu";
};

// One iteration of continuous training with `layers` (env steps `steps` on `env`) in a temporary
// run dir; returns that iteration's metrics line.
nlohmann::json TrainOneIteration(TrainLayers layers, const std::string& env, int64_t steps,
                                 const std::string& what) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("qlab_bench_{}", getpid());
  fs::remove_all(dir);
  layers.flags.insert(layers.flags.end(), {{"run.env", env},
                                           {"run.iterations", int64_t{1}},
                                           {"run.training_steps", steps},
                                           {"run.schedule", std::string("continuous_train")}});
  const TrainConfig resolved = ResolveTrainConfig(layers);
  const RunResult result = RunTraining(*resolved.config, {.run_dir = dir.string(), .quiet = true});
  if (result.outcome != RunOutcome::kDone) throw UserError(what + ": " + result.message);
  auto metrics = nlohmann::json::parse(ReadFile((dir / "metrics.jsonl").string()));
  fs::remove_all(dir);
  return metrics;
}

void RunBenchTrain(const BenchTrainArgs& args) {
  TrainLayers layers{.config_files = {"dqn/dopamine_minatar"}};
  layers.flags = {{"run.env_threads", int64_t{1}},
                  {"run.torch_threads", int64_t{args.threads}},
                  {"run.mkldnn", args.mkldnn},
                  {"run.device", args.device}};
  const auto metrics = TrainOneIteration(layers, args.env, args.steps, "bench train");
  const double env_rate = metrics["env_steps_per_s"];
  const double update_rate = metrics["updates_per_s"];
  const double wall = metrics["wall_s"];
  // the full protocol: 10M env steps and (10M - 1000) / 4 updates; its time is the training-
  // phase time per update (acting and stepping included) times the updates
  const double full_updates = (10e6 - 1000) / 4;
  const double projected = full_updates / update_rate;
  if (args.json) {
    fmt::print("{}\n", nlohmann::json{{"env_steps_per_s", env_rate},
                                      {"updates_per_s", update_rate},
                                      {"env_steps", metrics["env_steps"]},
                                      {"updates", metrics["updates"]},
                                      {"wall_s", wall},
                                      {"projected_10m_s", projected},
                                      {"device", args.device},
                                      {"machine", MachineDescription()}}
                           .dump());
    return;
  }
  fmt::print(
      "qlab bench train: Dopamine MinAtar DQN protocol on {} ({} torch threads, device {})\n",
      args.env, args.threads, args.device);
  fmt::print("machine: {}\n", MachineDescription());
  fmt::print("{} env steps, {} updates in {:.1f} s: {:.0f} env steps/s, {:.0f} updates/s\n",
             metrics["env_steps"].get<int64_t>(), metrics["updates"].get<int64_t>(), wall, env_rate,
             update_rate);
  fmt::print("full protocol (10M env steps, 2.5M updates) projected: {:.1f} min (goal <= 30)\n",
             projected / 60.0);
}

struct BenchAgentsArgs {
  std::vector<std::string> agents = {"dqn",  "c51", "rainbow", "qrdqn", "iqn",
                                     "mdqn", "der", "drq_eps", "spr",   "bbf"};
  int64_t steps = 6000;
  std::string env = "minatar/breakout";
  bool json = false;
  std::string device = "cpu";
  std::vector<std::string> sets;  // extra overrides for every agent (e.g. network width)
};

// Training-phase updates/s of `preset` with one update per env step after 1000 warm-up steps.
double UpdatesPerSecond(const std::string& preset, const BenchAgentsArgs& args) {
  TrainLayers layers{.config_files = {preset}, .sets = {"agent.update_period=1"}};
  layers.sets.insert(layers.sets.end(), args.sets.begin(), args.sets.end());
  layers.flags = {{"run.device", args.device}};
  return TrainOneIteration(layers, args.env, args.steps, "bench agents")["updates_per_s"];
}

void RunBenchAgents(const BenchAgentsArgs& args) {
  if (args.steps <= 1000)
    throw UserError("bench agents: --steps must exceed the 1000 warm-up steps");
  nlohmann::json rows = nlohmann::json::array();
  double dqn_rate = 0.0;
  if (!args.json) {
    fmt::print(
        "qlab bench agents: one update per env step on {}, MinAtar presets, 1 thread, "
        "device {}{}\n",
        args.env, args.device,
        args.sets.empty() ? "" : fmt::format(", --set {}", fmt::join(args.sets, " ")));
    fmt::print("machine: {}\n", MachineDescription());
    fmt::print("{:<10} {:<30} {:>10} {:>12} {:>14}\n", "agent", "preset", "updates/s", "ms/update",
               "cost vs dqn");
  }
  for (const auto& agent : args.agents) {
    FindAgent(agent);
    // the agent's Dopamine MinAtar preset, or its MinAtar-100k one (der, drq_eps, spr, bbf)
    std::string preset = agent + "/dopamine_minatar";
    for (const auto& [name, description] : ListPresets(agent))
      if (name == agent + "/minatar100k") preset = name;
    const double rate = UpdatesPerSecond(preset, args);
    if (agent == "dqn") dqn_rate = rate;
    const double cost = dqn_rate > 0.0 ? dqn_rate / rate : 0.0;
    rows.push_back({{"agent", agent},
                    {"preset", preset},
                    {"updates_per_s", rate},
                    {"cost_vs_dqn", dqn_rate > 0.0 ? nlohmann::json(cost) : nlohmann::json()}});
    if (!args.json)
      fmt::print("{:<10} {:<30} {:>10.0f} {:>12.3f} {:>14}\n", agent, preset, rate, 1000.0 / rate,
                 dqn_rate > 0.0 ? fmt::format("{:.2f}x", cost) : std::string("-"));
  }
  if (args.json)
    fmt::print("{}\n", nlohmann::json{{"agents", rows},
                                      {"device", args.device},
                                      {"sets", args.sets},
                                      {"machine", MachineDescription()}}
                           .dump());
}

}  // namespace

void AddBenchAgentsCommand(CLI::App* bench) {
  auto args = std::make_shared<BenchAgentsArgs>();
  auto* cmd = bench->add_subcommand(
      "agents", "update cost of each DQN-family agent on its MinAtar preset, relative to DQN");
  cmd->add_option("--agent", args->agents, "agents to time (repeatable; DQN first for ratios)")
      ->capture_default_str();
  cmd->add_option("--steps", args->steps, "env steps per agent (1000 of them warm-up)")
      ->capture_default_str();
  cmd->add_option("--env", args->env, "MinAtar env")->capture_default_str();
  cmd->add_option("--device", args->device, "run.device: cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->add_option("--set", args->sets, "extra key=value for every agent (repeatable)");
  cmd->add_flag("--json", args->json, "one JSON object: agents [{agent, updates_per_s, ...}]");
  cmd->callback([args] { RunBenchAgents(*args); });
}

void AddBenchTrainCommand(CLI::App* bench) {
  auto args = std::make_shared<BenchTrainArgs>();
  auto* cmd =
      bench->add_subcommand("train", "training throughput of the Dopamine MinAtar DQN protocol");
  cmd->add_option("--steps", args->steps, "env steps to run")->capture_default_str();
  cmd->add_option("--env", args->env, "MinAtar env")->capture_default_str();
  cmd->add_option("--threads", args->threads, "libtorch threads")->capture_default_str();
  cmd->add_option("--device", args->device, "run.device: cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->add_flag("!--no-mkldnn", args->mkldnn, "without libtorch's oneDNN kernels");
  cmd->add_flag("--json", args->json,
                "one JSON object: env_steps_per_s, updates_per_s, env_steps, updates, wall_s");
  cmd->callback([args] { RunBenchTrain(*args); });
}

}  // namespace qlab::cli

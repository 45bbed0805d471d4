// qlab bench train: training throughput of the Dopamine MinAtar DQN protocol (Breakout, one env,
// update period 4, batch 32) measured through the real runner, with the projected time of the
// full 10M-step protocol (docs/benchmarks.md); --vs-python also runs bench/python_dqn_loop.py (the
// same loop in Python PyTorch) and prints the ratio.
// qlab bench agents: the cost of one update of each agent of the DQN family on its MinAtar preset
// (update period 1, so updates dominate), as updates/s and as a ratio to DQN's; --ops N adds, per
// agent, a second (profiled) run's N costliest libtorch ops per update.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "qlab/agents/agent.h"
#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/machine.h"
#include "qlab/nets/op_profile.h"
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
  std::string kernel = "auto";
  bool vs_python = false;
};

// env steps/s of bench/python_dqn_loop.py over `steps` env steps, run by Debian's interpreter
// (python3-torch installs for /usr/bin/python3).
double PythonLoopRate(int64_t steps) {
  const std::string command =
      fmt::format("/usr/bin/python3 '{}' --steps {} 2>&1", QLAB_PYTHON_DQN_LOOP, steps);
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw UserError("bench train --vs-python: cannot start python3");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  const size_t line = output.rfind("{\"env_steps_per_s\"");
  if (status != 0 || line == std::string::npos)
    throw UserError(
        fmt::format("bench train --vs-python: '{}' failed (Debian's python3-torch installed?): {}",
                    command, output.substr(0, output.find('\n'))));
  return nlohmann::json::parse(output.substr(line))["env_steps_per_s"].get<double>();
}

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
  layers.sets = {"network.kernel=" + args.kernel};
  const auto metrics = TrainOneIteration(layers, args.env, args.steps, "bench train");
  const double env_rate = metrics["env_steps_per_s"];
  const double update_rate = metrics["updates_per_s"];
  const double wall = metrics["wall_s"];
  // the full protocol: 10M env steps and (10M - 1000) / 4 updates; its time is the training-
  // phase time per update (acting and stepping included) times the updates
  const double full_updates = (10e6 - 1000) / 4;
  const double projected = full_updates / update_rate;
  const double python_rate = args.vs_python ? PythonLoopRate(args.steps) : 0.0;
  if (args.json) {
    nlohmann::json out = {{"env_steps_per_s", env_rate},
                          {"updates_per_s", update_rate},
                          {"env_steps", metrics["env_steps"]},
                          {"updates", metrics["updates"]},
                          {"wall_s", wall},
                          {"projected_10m_s", projected},
                          {"device", args.device},
                          {"kernel", args.kernel},
                          {"machine", MachineDescription()}};
    if (args.vs_python) {
      out["python_env_steps_per_s"] = python_rate;
      out["ratio_vs_python"] = env_rate / python_rate;
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print(
      "qlab bench train: Dopamine MinAtar DQN protocol on {} ({} torch threads, device {}, "
      "network.kernel {})\n",
      args.env, args.threads, args.device, args.kernel);
  fmt::print("machine: {}\n", MachineDescription());
  fmt::print("{} env steps, {} updates in {:.1f} s: {:.0f} env steps/s, {:.0f} updates/s\n",
             metrics["env_steps"].get<int64_t>(), metrics["updates"].get<int64_t>(), wall, env_rate,
             update_rate);
  fmt::print("full protocol (10M env steps, 2.5M updates) projected: {:.1f} min (goal <= 30)\n",
             projected / 60.0);
  if (args.vs_python)
    fmt::print(
        "Python PyTorch loop (bench/python_dqn_loop.py): {:.0f} env steps/s; qlab is {:.2f}x "
        "(goal >= 5)\n",
        python_rate, env_rate / python_rate);
}

struct BenchAgentsArgs {
  std::vector<std::string> agents = {"dqn",  "c51", "rainbow", "qrdqn", "iqn",
                                     "mdqn", "der", "drq_eps", "spr",   "bbf"};
  int64_t steps = 6000;
  std::string env = "minatar/breakout";
  bool json = false;
  std::string device = "cpu";
  std::vector<std::string> sets;  // extra overrides for every agent (e.g. network width)
  int ops = 0;                    // > 0: print this many costliest ops of a profiled run
};

TrainLayers AgentLayers(const std::string& preset, const BenchAgentsArgs& args) {
  TrainLayers layers{.config_files = {preset}, .sets = {"agent.update_period=1"}};
  layers.sets.insert(layers.sets.end(), args.sets.begin(), args.sets.end());
  layers.flags = {{"run.device", args.device}};
  return layers;
}

// Training-phase updates/s of `preset` with one update per env step after 1000 warm-up steps.
double UpdatesPerSecond(const std::string& preset, const BenchAgentsArgs& args) {
  return TrainOneIteration(AgentLayers(preset, args), args.env, args.steps,
                           "bench agents")["updates_per_s"];
}

// The same run again under the op profiler: its `count` costliest ops, self time per update
// (acting, replay and warm-up included in the total, so shares of the whole iteration), and the
// stalls left out of them (op_profile.h).
nlohmann::json CostliestOps(const std::string& preset, const BenchAgentsArgs& args, int count) {
  OpProfile profile;
  const auto metrics =
      TrainOneIteration(AgentLayers(preset, args), args.env, args.steps, "bench agents --ops");
  const std::vector<OpTime> ops = profile.Stop();
  const double updates = std::max<double>(1.0, metrics["updates"].get<double>());
  double all_us = 0.0, stalled_us = 0.0;
  int64_t stalls = 0;
  for (const OpTime& op : ops) {
    all_us += op.self_us;
    stalled_us += op.stalled_us;
    stalls += op.stalled_calls;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < ops.size() && i < static_cast<size_t>(count); ++i)
    rows.push_back({{"op", ops[i].name},
                    {"calls_per_update", static_cast<double>(ops[i].calls) / updates},
                    {"self_ms_per_update", ops[i].self_us / 1000.0 / updates},
                    {"share", all_us > 0.0 ? ops[i].self_us / all_us : 0.0},
                    {"longest_ms", ops[i].max_self_us / 1000.0}});
  return {{"ops", rows},
          {"profiled_ms_per_update", all_us / 1000.0 / updates},
          {"stalls", stalls},
          {"stalled_s", stalled_us / 1e6}};
}

void PrintOps(const nlohmann::json& profile) {
  fmt::print("  {:<40} {:>8} {:>14} {:>7} {:>11}\n", "op (profiled run)", "calls/u",
             "self ms/update", "share", "longest ms");
  for (const auto& op : profile["ops"])
    fmt::print("  {:<40} {:>8.1f} {:>14.3f} {:>6.1f}% {:>11.3f}\n", op["op"].get<std::string>(),
               op["calls_per_update"].get<double>(), op["self_ms_per_update"].get<double>(),
               100.0 * op["share"].get<double>(), op["longest_ms"].get<double>());
  fmt::print(
      "  all ops: {:.3f} ms/update under the profiler; {} stalled calls left out ({:.2f} s)\n",
      profile["profiled_ms_per_update"].get<double>(), profile["stalls"].get<int64_t>(),
      profile["stalled_s"].get<double>());
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
    // the agent's Dopamine MinAtar preset, or its MinAtar-100k one (der, drq_eps, spr), or the
    // CPU-sized one where the paper's scale is for a GPU (bbf)
    std::string preset = agent + "/dopamine_minatar";
    for (const std::string suffix : {"/minatar100k", "/minatar100k_small"})
      for (const auto& [name, description] : ListPresets(agent))
        if (name == agent + suffix) preset = name;
    const double rate = UpdatesPerSecond(preset, args);
    if (agent == "dqn") dqn_rate = rate;
    const double cost = dqn_rate > 0.0 ? dqn_rate / rate : 0.0;
    nlohmann::json row = {
        {"agent", agent},
        {"preset", preset},
        {"updates_per_s", rate},
        {"cost_vs_dqn", dqn_rate > 0.0 ? nlohmann::json(cost) : nlohmann::json()}};
    if (!args.json)
      fmt::print("{:<10} {:<30} {:>10.0f} {:>12.3f} {:>14}\n", agent, preset, rate, 1000.0 / rate,
                 dqn_rate > 0.0 ? fmt::format("{:.2f}x", cost) : std::string("-"));
    if (args.ops > 0) {
      row["profile"] = CostliestOps(preset, args, args.ops);
      if (!args.json) PrintOps(row["profile"]);
    }
    rows.push_back(std::move(row));
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
  cmd->add_option("--ops", args->ops,
                  "also profile each agent's run again and print its N costliest libtorch ops")
      ->check(CLI::Range(0, 1000));
  cmd->add_flag("--json", args->json,
                "one JSON object: agents [{agent, updates_per_s, ..., profile (with --ops)}]");
  cmd->callback([args] { RunBenchAgents(*args); });
}

void AddBenchTrainCommand(CLI::App* bench) {
  auto args = std::make_shared<BenchTrainArgs>();
  auto* cmd =
      bench->add_subcommand("train", "training throughput of the Dopamine MinAtar DQN protocol");
  cmd->add_option("--steps", args->steps, "env steps to run")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--env", args->env, "MinAtar env")->capture_default_str();
  cmd->add_option("--threads", args->threads, "libtorch threads")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--device", args->device, "run.device: cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->add_flag("!--no-mkldnn", args->mkldnn, "without libtorch's oneDNN kernels");
  cmd->add_option("--kernel", args->kernel,
                  "network.kernel: auto (the hand-written MinAtar kernel) or torch")
      ->check(CLI::IsMember({"auto", "torch"}))
      ->capture_default_str();
  cmd->add_flag("--vs-python", args->vs_python,
                "also run bench/python_dqn_loop.py (needs python3-torch) and print the ratio");
  cmd->add_flag("--json", args->json,
                "one JSON object: env_steps_per_s, updates_per_s, env_steps, updates, wall_s, "
                "(--vs-python) python_env_steps_per_s, ratio_vs_python");
  cmd->callback([args] { RunBenchTrain(*args); });
}

}  // namespace qlab::cli

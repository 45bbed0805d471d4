// qlab train: one training run into a run dir (docs/training.md); --resume continues one exactly.
#include <fmt/format.h>

#include <filesystem>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/envs/builtin.h"
#include "qlab/nets/device.h"
#include "qlab/train/runner.h"

namespace qlab::cli {
namespace {

struct TrainArgs {
  std::string agent, env, out, resume, label, device;
  std::vector<std::string> configs, sets;
  int64_t seed = -1, num_envs = 0, threads = 0, iterations = 0, steps_per_iteration = 0;
  bool quiet = false;
};

std::string DefaultOutDir(const Config& config) {
  std::string env = ParseEnvName(config.GetString("run.env")).name;
  std::replace(env.begin(), env.end(), '/', '-');
  return fmt::format("runs/{}_{}_s{}", config.GetString("run.agent"), env,
                     config.GetInt("run.seed"));
}

// The flags a resumed run also accepts, as config keys.
std::vector<std::pair<std::string, ConfigValue>> ResumeOverrides(const TrainArgs& args) {
  std::vector<std::pair<std::string, ConfigValue>> flags;
  if (args.iterations > 0) flags.emplace_back("run.iterations", args.iterations);
  if (args.threads > 0) {
    flags.emplace_back("run.env_threads", args.threads);
    flags.emplace_back("run.torch_threads", args.threads);
  }
  // checkpoints load onto any device: a run begun on the CPU may go on on a GPU
  if (!args.device.empty()) flags.emplace_back("run.device", args.device);
  return flags;
}

void RunTrain(const TrainArgs& args) {
  TrainConfig resolved;
  RunOptions options{.quiet = args.quiet};
  if (!args.resume.empty()) {
    if (!args.agent.empty() || !args.env.empty() || !args.configs.empty() || !args.sets.empty() ||
        args.seed >= 0 || args.num_envs > 0 || args.steps_per_iteration > 0)
      throw UserError(
          "--resume continues a run with its own config.toml; only --iterations, --threads, "
          "--device and --quiet may be given with it");
    options.run_dir = args.resume;
    options.resume = true;
    if (!args.device.empty()) ParseDevice(args.device);  // before config.toml takes it
    resolved = LoadRunConfig(args.resume + "/config.toml");
    const auto overrides = ResumeOverrides(args);
    for (const auto& [key, value] : overrides)
      resolved.config->SetValue(key, value, "--" + key.substr(key.find('.') + 1));
    if (!overrides.empty())
      WriteFileAtomic(args.resume + "/config.toml", resolved.config->ToToml());
  } else {
    TrainLayers layers{.agent = args.agent, .config_files = args.configs, .sets = args.sets};
    layers.flags = ResumeOverrides(args);
    if (!args.env.empty()) layers.flags.emplace_back("run.env", args.env);
    if (args.seed >= 0) layers.flags.emplace_back("run.seed", args.seed);
    if (!args.label.empty()) layers.flags.emplace_back("run.label", args.label);
    if (args.num_envs > 0) layers.flags.emplace_back("run.num_envs", args.num_envs);
    if (args.steps_per_iteration > 0)
      layers.flags.emplace_back("run.training_steps", args.steps_per_iteration);
    resolved = ResolveTrainConfig(layers);
    options.run_dir = args.out.empty() ? DefaultOutDir(*resolved.config) : args.out;
  }
  InstallStopHandlers();
  const RunResult result = RunTraining(*resolved.config, options);
  if (result.outcome == RunOutcome::kDone) {
    if (!args.quiet)
      fmt::print(stderr, "qlab train: {}\n  report: qlab report {}\n", result.message,
                 options.run_dir);
    return;
  }
  fmt::print(stderr, "qlab train: {}{}\n",
             result.outcome == RunOutcome::kDiverged ? "diverged: " : "", result.message);
  std::exit(result.exit_code());
}

}  // namespace

void AddTrainCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train an agent; writes a run dir (docs/run_dir.md)");
  auto args = std::make_shared<TrainArgs>();
  cmd->add_option("--agent", args->agent, "agent (qlab agents); default: from --config, else dqn");
  cmd->add_option("--env", args->env, "env with parameters, e.g. minatar/breakout (qlab envs)");
  cmd->add_option("--config", args->configs,
                  "TOML file or preset name (dqn/dopamine_minatar); repeatable, later wins");
  cmd->add_option("--set", args->sets, "override one key: --set agent.lr=1e-4 (repeatable)");
  cmd->add_option("--seed", args->seed, "run seed")->check(IntAtLeast(0));
  cmd->add_option("--out", args->out, "run dir (default runs/<agent>_<env>_s<seed>)");
  cmd->add_option("--label", args->label, "label for reports (default: the agent)");
  cmd->add_option("--num-envs", args->num_envs, "parallel training envs")->check(IntAtLeast(1));
  cmd->add_option("--threads", args->threads, "env-stepping and libtorch threads")
      ->check(IntAtLeast(1));
  cmd->add_option("--device", args->device, "where networks train: cpu, cuda, cuda:N");
  cmd->add_option("--iterations", args->iterations, "iterations")->check(IntAtLeast(1));
  cmd->add_option("--steps-per-iteration", args->steps_per_iteration,
                  "training env steps per iteration")
      ->check(IntAtLeast(1));
  cmd->add_option("--resume", args->resume, "continue the run in this dir exactly");
  cmd->add_flag("--quiet", args->quiet, "no progress lines");
  cmd->callback([args] { RunTrain(*args); });
}

}  // namespace qlab::cli

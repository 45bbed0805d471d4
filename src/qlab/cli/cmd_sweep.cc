// qlab sweep SPEC.toml: many training runs from one spec (src/qlab/sweep, docs/sweeps.md);
// qlab sweep status SPEC.toml: where each run stands; qlab sweep task: one Slurm array task.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/nets/device.h"
#include "qlab/report/runs.h"
#include "qlab/sweep/local_executor.h"
#include "qlab/sweep/processes.h"
#include "qlab/sweep/results_db.h"
#include "qlab/sweep/slurm_executor.h"
#include "qlab/sweep/sweep_spec.h"
#include "qlab/train/train_config.h"

namespace qlab::cli {
namespace {

namespace fs = std::filesystem;

struct SweepArgs {
  std::string spec, executor, device;
  std::vector<std::string> only;  // label patterns: run just these runs of the spec
  bool dry_run = false, quiet = false, json = false, wait = false;
  int workers = 0;
  double progress_interval = 60.0;
};

// Resolves every run's config before anything starts: a typo in an axis fails now, naming the
// run, not after hours of the runs before it.
void Validate(const sweep::SweepSpec& spec) {
  for (const auto& run : spec.runs) {
    TrainLayers layers{.agent = run.agent, .config_files = run.config_files};
    for (const auto& [key, value] : run.sets) layers.sets.push_back(key + "=" + value);
    layers.flags = {{"run.env", run.env}, {"run.seed", static_cast<int64_t>(run.seed)}};
    try {
      BuiltinEnvs().Canonicalize(run.env);
      ResolveTrainConfig(layers);
    } catch (const UserError& e) {
      throw UserError(fmt::format("sweep {}: run {} ({}, {}, seed {}): {}", spec.name, run.id,
                                  run.label, run.env, run.seed, e.what()));
    }
  }
}

// --only: the runs whose label matches one of `patterns` (shell globs, e.g. 'spr*'); the others
// are left alone (not run, not counted), so part of a study can run on another machine.
void KeepOnly(sweep::SweepSpec& spec, const std::vector<std::string>& patterns) {
  std::set<std::string> labels;
  for (const auto& run : spec.runs) labels.insert(run.label);
  std::erase_if(spec.runs, [&](const sweep::SweepRun& run) {
    return std::none_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
      return fnmatch(pattern.c_str(), run.label.c_str(), 0) == 0;
    });
  });
  if (spec.runs.empty())
    throw UserError(fmt::format("sweep {}: --only {} matches no run's label (labels: {})",
                                spec.name, fmt::join(patterns, " "), fmt::join(labels, ", ")));
}

std::string SelfPath() {
  std::error_code error;
  const auto path = fs::read_symlink("/proc/self/exe", error);
  if (error) throw UserError("qlab sweep: cannot find the qlab executable (/proc/self/exe)");
  return path.string();
}

// Status of a run from its dir: pending when it has not started.
std::string Status(const sweep::SweepSpec& spec, const sweep::SweepRun& run) {
  const std::string status = sweep::RunStatus(spec.run_dir(run));
  return status.empty() ? "pending" : status;
}

// `slurm`: run id -> Slurm state, shown where the executor is Slurm.
void PrintRuns(const sweep::SweepSpec& spec, bool with_progress,
               const std::map<std::string, std::string>* slurm = nullptr) {
  fmt::print("{:<40} {:<10} {:>5}  {}{}\n", "id", "status", with_progress ? "iters" : "seed",
             slurm != nullptr ? fmt::format("{:<24} ", "slurm") : "", "label");
  for (const auto& run : spec.runs) {
    std::string status = Status(spec, run);
    std::string column = std::to_string(run.seed);
    if (with_progress && status != "pending") {
      try {
        column = std::to_string(report::LoadRun(spec.run_dir(run)).env_steps.size());
      } catch (const UserError&) {
        column = "?";
      }
    }
    if (status.size() > 10) status = status.substr(0, status.find(':'));
    std::string slurm_state;
    if (slurm != nullptr) {
      const auto it = slurm->find(run.id);
      slurm_state = fmt::format("{:<24} ", it == slurm->end() ? "-" : it->second);
    }
    fmt::print("{:<40} {:<10} {:>5}  {}{}\n", run.id, status, column, slurm_state, run.label);
  }
}

void SubmitToSlurm(const sweep::SweepSpec& spec, const SweepArgs& args) {
  const sweep::SlurmSubmission submission = sweep::SubmitSlurmSweep(
      spec, {.qlab_binary = SelfPath(), .wait = args.wait, .quiet = args.quiet});
  if (submission.job_id.empty()) {
    fmt::print(stderr, "qlab sweep {}: nothing to submit ({} finished, {} queued or running)\n",
               spec.name, submission.finished, submission.active);
    return;
  }
  if (submission.interrupted) {
    fmt::print(stderr,
               "qlab sweep {}: stopped waiting; job {} keeps running (qlab sweep status {}; "
               "scancel {})\n",
               spec.name, submission.job_id, args.spec, submission.job_id);
    std::exit(130);
  }
  if (!submission.waited) {
    fmt::print(stderr, "  follow it with: qlab sweep status {}\n", args.spec);
    return;
  }
  sweep::SweepSummary outcomes;  // the local executor's tally: one Count per run
  for (const auto& run : spec.runs)
    outcomes.Count(sweep::Outcome(sweep::RunStatus(spec.run_dir(run))));
  fmt::print(stderr,
             "qlab sweep {}: job {} ended: {} runs: {} done, {} diverged, {} stopped, {} not "
             "finished\n  results: {}  (qlab query {}; qlab report --sweep {})\n",
             spec.name, submission.job_id, spec.runs.size(), outcomes.done, outcomes.diverged,
             outcomes.stopped, outcomes.failed, spec.db_path(), spec.db_path(), spec.db_path());
  if (outcomes.failed > 0 || outcomes.stopped > 0) std::exit(1);
}

void RunSweep(const SweepArgs& args) {
  sweep::SweepSpec spec = sweep::LoadSweepSpec(args.spec);
  if (!args.executor.empty()) spec.executor = args.executor;
  if (!args.device.empty()) spec.device = args.device;
  if (!args.only.empty()) KeepOnly(spec, args.only);
  Validate(spec);
  // The local runs start here: a GPU this build or machine lacks fails now, not in every run.
  // (Slurm runs start on the cluster's nodes, which the submitting machine cannot speak for.)
  if (!spec.device.empty() && spec.executor == "local") {
    try {
      ParseDevice(spec.device);
    } catch (const UserError& e) {
      throw UserError(fmt::format("sweep {}: {}", spec.name, e.what()));
    }
  }
  if (args.dry_run) {
    fmt::print("sweep {}: {} runs into {} (results {})\n", spec.name, spec.runs.size(), spec.out,
               spec.db_path());
    PrintRuns(spec, false);
    return;
  }
  if (spec.executor == "slurm") return SubmitToSlurm(spec, args);
  const sweep::SweepSummary summary =
      sweep::RunLocalSweep(spec, {.qlab_binary = SelfPath(),
                                  .workers = args.workers,
                                  .quiet = args.quiet,
                                  .progress_interval = args.progress_interval});
  fmt::print(stderr,
             "qlab sweep {}: {} runs: {} done now, {} finished before, {} diverged, {} stopped, {} "
             "failed{}\n  results: {}  (qlab query {}; qlab report --sweep {})\n",
             spec.name, summary.total, summary.done, summary.skipped, summary.diverged,
             summary.stopped, summary.failed,
             summary.interrupted ? "; interrupted: run the same command to continue" : "",
             spec.db_path(), spec.db_path(), spec.db_path());
  if (summary.interrupted) std::exit(130);
  if (summary.failed > 0) std::exit(1);
}

void RunStatus(const SweepArgs& args) {
  const sweep::SweepSpec spec = sweep::LoadSweepSpec(args.spec);
  std::map<std::string, int> counts;
  for (const auto& run : spec.runs) {
    const std::string status = Status(spec, run);
    ++counts[status.substr(0, status.find(':'))];
  }
  if (args.json) {
    nlohmann::json out = {{"sweep", spec.name}, {"runs", spec.runs.size()}, {"counts", counts}};
    for (const auto& run : spec.runs) out["status"][run.id] = Status(spec, run);
    if (spec.executor == "slurm") out["slurm"] = sweep::SlurmStates(spec);
    fmt::print("{}\n", out.dump(2));
    return;
  }
  std::vector<std::string> parts;
  for (const auto& [status, count] : counts) parts.push_back(fmt::format("{} {}", count, status));
  fmt::print("sweep {}: {} runs: {}\n", spec.name, spec.runs.size(), fmt::join(parts, ", "));
  if (spec.executor == "slurm") {
    const auto slurm = sweep::SlurmStates(spec);
    PrintRuns(spec, true, &slurm);
  } else {
    PrintRuns(spec, true);
  }
}

}  // namespace

void AddSweepCommand(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "run a sweep of training runs (docs/sweeps.md)");
  cmd->add_option("spec", args->spec, "sweep spec (TOML)");
  cmd->add_flag("--dry-run", args->dry_run, "validate every run and list them; run nothing");
  cmd->add_option("--workers", args->workers, "parallel runs (default: cores / threads per run)")
      ->check(IntAtLeast(1));
  cmd->add_flag("--quiet", args->quiet, "no progress lines");
  cmd->add_option("--progress-interval", args->progress_interval,
                  "seconds between progress lines (each running run's iterations, ETA); 0: a "
                  "line only when a run ends")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  cmd->add_option("--only", args->only,
                  "run only the runs whose label matches (a glob, e.g. 'spr*'; repeatable)");
  cmd->add_option("--device", args->device,
                  "where every run's networks train (cpu, cuda, cuda:N); overrides the spec's");
  cmd->add_option("--executor", args->executor, "override the spec's executor")
      ->check(CLI::IsMember({"local", "slurm"}));
  cmd->add_flag("--wait", args->wait, "slurm: wait for the job array to end, showing progress");
  cmd->callback([args, cmd] {
    if (cmd->get_subcommands().empty()) {
      if (args->spec.empty())
        throw UserError("qlab sweep: give a spec file (qlab sweep SPEC.toml)");
      RunSweep(*args);
    }
  });

  auto status_args = std::make_shared<SweepArgs>();
  auto* status = cmd->add_subcommand("status", "status of every run of a sweep");
  status->add_option("spec", status_args->spec, "sweep spec (TOML)")->required();
  status->add_flag("--json", status_args->json, "print one JSON object");
  status->callback([status_args] { RunStatus(*status_args); });

  // what each Slurm array task runs (written into the batch script by the Slurm executor)
  auto task_file = std::make_shared<std::string>();
  auto task_index = std::make_shared<int>(-1);
  auto* task = cmd->add_subcommand("task", "run one Slurm array task of a sweep (internal)");
  task->add_option("tasks", *task_file, "the task list (slurm/tasks_<k>.jsonl)")->required();
  task->add_option("index", *task_index, "the array index ($SLURM_ARRAY_TASK_ID)")->required();
  task->callback([task_file, task_index] {
    const int code = sweep::RunSlurmTask(*task_file, *task_index, SelfPath());
    if (code != 0) std::exit(code);
  });
}

}  // namespace qlab::cli

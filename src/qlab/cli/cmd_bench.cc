// qlab bench envs: env steps per second of the batched engine, one thread and all threads, with
// the ratio to the Python reference MinAtar (figures quoted in issue #2 for this machine class,
// not measured here) and the multi-thread scaling. Random actions are pre-generated so the
// measurement is the engine alone (observation written).
// qlab bench stats: the bootstrap of the four rliable aggregates, against rliable's time.
// qlab bench python: bench/python_envs.py, the same engine stepped from Python.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/core/machine.h"
#include "qlab/envs/builtin.h"
#include "qlab/envs/minatar/python_reference.h"
#include "qlab/stats/bootstrap.h"

namespace qlab::cli {
namespace {

const std::map<std::string, double>& kPythonReference = minatar::PythonReferenceStepsPerSecond();

struct BenchArgs {
  std::vector<std::string> envs;
  double seconds = 1.0;
  int num_envs = 64;
  int threads = 0;
  bool json = false;
};

double MeasureStepsPerSecond(const std::string& name, int num_envs, int threads, double seconds) {
  ThreadPool pool(threads);
  auto env = BuiltinEnvs().Make(name, {.num_envs = num_envs, .seed = 0, .pool = &pool});
  constexpr int kActionBatches = 256;
  Rng rng(1);
  std::vector<ActionBatch> actions(kActionBatches, ActionBatch(*env));
  for (auto& a : actions) a.Randomize(rng);
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  auto run = [&](double budget) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    int64_t batches = 0;
    double elapsed = 0;
    while (elapsed < budget) {
      for (int k = 0; k < 64; ++k, ++batches) actions[batches % kActionBatches].StepOn(*env, batch);
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    return static_cast<double>(batches) * num_envs / elapsed;
  };
  run(std::min(0.2, seconds / 5));  // warm-up: caches, thread wake-up, frequency
  return run(seconds);
}

// EnvPool's MuJoCo throughput per thread, upper end of the 1.75k-3.6k env steps/s (frame skip 5)
// quoted in issue #7; not measured here.
constexpr double kEnvPoolMujocoPerThread = 3600.0;

// The one-thread reference of an env and its label, or 0 where there is none.
std::pair<double, const char*> ReferenceOf(const std::string& entry) {
  if (auto it = kPythonReference.find(entry); it != kPythonReference.end())
    return {it->second, "Python"};
  if (entry.starts_with("dmc/")) return {kEnvPoolMujocoPerThread, "EnvPool"};
  return {0.0, ""};
}

// "dmc/*" names every env of the family.
std::vector<std::string> ExpandFamilies(const std::vector<std::string>& names) {
  std::vector<std::string> expanded;
  for (const std::string& name : names) {
    if (!name.ends_with("/*")) {
      expanded.push_back(name);
      continue;
    }
    const std::string prefix = name.substr(0, name.size() - 1);
    const size_t before = expanded.size();
    for (const std::string& entry : BuiltinEnvs().names())
      if (entry.starts_with(prefix)) expanded.push_back(entry);
    if (expanded.size() == before)
      throw UserError(fmt::format("no env family '{}' (see `qlab envs`)", name));
  }
  return expanded;
}

void RunBenchEnvs(const BenchArgs& args) {
  std::vector<std::string> envs = ExpandFamilies(args.envs);
  if (envs.empty())
    for (const auto& [name, reference] : kPythonReference) envs.push_back(name);
  const int threads = args.threads == 0 ? DefaultThreadCount() : args.threads;
  if (args.seconds <= 0) throw UserError("--seconds must be > 0");
  nlohmann::json results = nlohmann::json::array();
  if (!args.json) {
    fmt::print("machine: {}\nbatch of {} envs, {:.1f} s per measurement, random actions\n\n",
               MachineDescription(), args.num_envs, args.seconds);
    fmt::print("{:<26}{:>14}{:>18}{:>16}{:>10}\n", "env", "1 thread /s", "vs reference",
               fmt::format("{} threads /s", threads), "scaling");
  }
  for (const auto& name : envs) {
    const std::string canonical = BuiltinEnvs().Canonicalize(name);
    const double single = MeasureStepsPerSecond(canonical, args.num_envs, 1, args.seconds);
    const double multi =
        threads > 1 ? MeasureStepsPerSecond(canonical, args.num_envs, threads, args.seconds)
                    : single;
    results.push_back(
        {{"env", name}, {"threads", 1}, {"num_envs", args.num_envs}, {"steps_per_s", single}});
    if (threads > 1)
      results.push_back({{"env", name},
                         {"threads", threads},
                         {"num_envs", args.num_envs},
                         {"steps_per_s", multi}});
    if (!args.json) {
      const auto [reference, label] = ReferenceOf(BuiltinEnvs().Resolve(name).entry->name);
      const std::string ratio =
          reference == 0 ? "-" : fmt::format("{:.1f}x {}", single / reference, label);
      fmt::print("{:<26}{:>14.3e}{:>18}{:>16.3e}{:>9.2f}x\n", name, single, ratio, multi,
                 multi / single);
      std::fflush(stdout);
    }
  }
  if (args.json) {
    fmt::print("{}\n", results.dump());
  } else {
    fmt::print(
        "\nvs reference: one-thread steps/s over the Python reference MinAtar per core quoted in\n"
        "issue #2 (Breakout/Asterix 1.0e5, Freeway/Seaquest 8e4, Space Invaders 1.3e4), or for\n"
        "dmc/* over EnvPool's MuJoCo steps/s per thread quoted in issue #7 (3.6e3, frame skip 5;\n"
        "a dmc step is 1 to 10 physics steps, docs/envs.md).\n");
  }
}

// rliable + numpy's CPU time for the same job, quoted in issue #3 for this machine class.
constexpr double kRliableSeconds = 9.0;

struct BenchStatsArgs {
  int reps = 50000, runs = 10, tasks = 26, repeats = 3;
  std::string rng = "fast";
  bool json = false;
};

// IQM + mean + median + optimality gap, stratified bootstrap, on a runs x tasks matrix of
// gamma-distributed scores (fixed data seed); best wall time of `repeats`, one thread.
void RunBenchStats(const BenchStatsArgs& args) {
  Rng data(7);
  stats::ScoreMatrix scores(args.runs, args.tasks);
  for (int r = 0; r < args.runs; ++r)
    for (int t = 0; t < args.tasks; ++t) scores.at(r, t) = std::exp(0.5 * data.Normal());
  stats::BootstrapOptions options;
  options.reps = args.reps;
  double best = 1e300;
  for (int i = 0; i < args.repeats; ++i) {
    auto stream = stats::MakeIndexStream(stats::ParseRngKind(args.rng), i);
    stats::AggregateStatistic statistic(stats::AllMetrics());
    const auto start = std::chrono::steady_clock::now();
    stats::StratifiedBootstrap(scores, statistic, options, *stream);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (args.json) {
    fmt::print("{}\n", nlohmann::json{{"wall_s", best},
                                      {"reps", args.reps},
                                      {"runs", args.runs},
                                      {"tasks", args.tasks},
                                      {"rng", args.rng},
                                      {"vs_rliable", kRliableSeconds / best}}
                           .dump());
    return;
  }
  fmt::print(
      "{}\nstratified bootstrap, 4 aggregates, {} x {} scores, {} reps, rng {}: {:.3f} s "
      "(best of {}), {:.0f}x rliable's ~{:.0f} s\n",
      MachineDescription(), args.runs, args.tasks, args.reps, args.rng, best, args.repeats,
      kRliableSeconds / best, kRliableSeconds);
}

struct BenchPythonArgs {
  std::vector<std::string> envs;
  double seconds = 1.5;
  int num_envs = 64;
  bool json = false;
};

// qlab bench python: the Python API's env stepping (bench/python_envs.py, issue #9), run by the
// interpreter and package this qlab was built with.
void RunBenchPython(const BenchPythonArgs& args) {
#ifdef QLAB_PYTHON_EXECUTABLE
  std::vector<std::string> argv = {
      QLAB_PYTHON_EXECUTABLE,          QLAB_PYTHON_BENCH, "--seconds",
      fmt::format("{}", args.seconds), "--num-envs",      std::to_string(args.num_envs)};
  for (const auto& env : args.envs) argv.insert(argv.end(), {"--env", env});
  if (args.json) argv.push_back("--json");
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  setenv("PYTHONPATH", QLAB_PYTHON_PATH, 1);
  execv(pointers[0], pointers.data());
  throw UserError(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
#else
  (void)args;
  throw UserError(
      "this qlab was built without the Python module (python3-dev or pybind11-dev missing, or "
      "QLAB_PYTHON=OFF)");
#endif
}

}  // namespace

void AddBenchCommand(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "end-to-end benchmarks (ratios and absolute numbers)");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  auto* envs = bench->add_subcommand("envs", "env steps/s of the batched engine, 1 and N threads");
  envs->add_option("--env", args->envs,
                   "env name, or a family as 'dmc/*' (repeatable; default: the MinAtar games)");
  envs->add_option("--seconds", args->seconds, "seconds per measurement")->capture_default_str();
  envs->add_option("--num-envs", args->num_envs, "envs per batch")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  envs->add_option("--threads", args->threads, "threads for the parallel run (0 = all cores)")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  envs->add_flag("--json", args->json, "print a JSON list");
  envs->callback([args] { RunBenchEnvs(*args); });

  auto stats_args = std::make_shared<BenchStatsArgs>();
  auto* st = bench->add_subcommand("stats", "bootstrap CIs of the four aggregates (one thread)");
  st->add_option("--reps", stats_args->reps, "bootstrap replicates")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  st->add_option("--runs", stats_args->runs, "runs (rows)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  st->add_option("--tasks", stats_args->tasks, "tasks (columns)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  st->add_option("--repeats", stats_args->repeats, "timed repeats (best kept)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  st->add_option("--rng", stats_args->rng, "fast | numpy-legacy")->capture_default_str();
  st->add_flag("--json", stats_args->json, "print one JSON object");
  st->callback([stats_args] { RunBenchStats(*stats_args); });

  auto python_args = std::make_shared<BenchPythonArgs>();
  auto* py = bench->add_subcommand("python", "64 MinAtar envs stepped from Python (qlab.make)");
  py->add_option("--env", python_args->envs, "env name (repeatable; default: the MinAtar games)");
  py->add_option("--seconds", python_args->seconds, "seconds per measurement")
      ->capture_default_str();
  py->add_option("--num-envs", python_args->num_envs, "envs per batch")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  py->add_flag("--json", python_args->json, "print one JSON object");
  py->callback([python_args] { RunBenchPython(*python_args); });

  AddBenchTrainCommand(bench);
  AddBenchAgentsCommand(bench);
}

}  // namespace qlab::cli

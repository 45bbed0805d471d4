// A sweep: many training runs from one TOML file (docs/sweeps.md). The spec names a base (agent,
// config files, fixed overrides) and axes over any config key, env and seed:
//
//   [sweep]                                    [grid]          # cartesian product
//   agent = "dqn"                              "agent.updates_per_step" = [0.5, 1, 2]
//   config = ["dqn/cleanrl_classic"]           [[variants]]    # explicit override sets
//   envs = ["classic/cartpole"]                label = "double"
//   seeds = 3                  # or [0, 5, 9]  "agent.double_q" = true
//   [set]                                      [random]        # samples from distributions
//   "run.iterations" = 10                      samples = 4
//                                              "agent.lr" = {log_uniform = [1e-4, 1e-3]}
//
// A variant may also name an `agent` and `config` files of its own (several agents, one study).
// Runs = variants x grid x random samples x envs x seeds; keys within a table in name order
// (TOML tables are unordered), the first grid key varying slowest. Each run's id is a hash of what
// makes it (agent, env, seed, config files, every override), so it is stable: re-expanding the same
// spec, or one with more axis values, gives the existing runs the same ids and directories.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qlab::sweep {

struct SweepRun {
  std::string id;     // "classic-cartpole_s0_1a2b3c4d": env, seed and a hash of everything
  std::string label;  // report group: variant label or agent, plus the swept values
  std::string agent, env;
  uint64_t seed = 0;
  std::vector<std::string> config_files;
  // --set overrides in order: [set], then the variant's, the grid's and the random sample's;
  // values are TOML text ("0.5", "true", "\"mlp\"", "[64, 64]")
  std::vector<std::pair<std::string, std::string>> sets;
  std::vector<std::pair<std::string, std::string>> swept;  // the axis values alone (for labels)
};

// [slurm]: resources of each array task (docs/sweeps.md); empty fields are left to the cluster.
struct SlurmOptions {
  std::string partition, time, mem, account, qos, gres;  // as sbatch spells them
  int cpus_per_task = 0;                                 // 0: the spec's threads per run
  int max_parallel = 0;                                  // array throttle (%N); 0: none
  std::vector<std::string> sbatch_args;                  // any further sbatch options
  std::vector<std::string> setup;  // shell lines before each task (module load ...)
};

struct SweepSpec {
  std::string name;  // [sweep].name, default the file's stem
  std::string out;   // root dir: runs/<id>/, results.db, logs/ (default sweeps/<name>)
  std::string executor = "local";  // local (worker processes) or slurm (job arrays)
  int threads = 1;                 // per run: env-stepping and libtorch threads
  // Where every run's networks train (`qlab train --device`); empty: each config's run.device.
  // Like threads, not part of a run's identity: a run resumed on a GPU is the same run.
  std::string device;
  int workers = 0;  // local executor: parallel runs (0: cores / threads)
  SlurmOptions slurm;
  std::vector<SweepRun> runs;

  std::string runs_dir() const { return out + "/runs"; }
  std::string db_path() const { return out + "/results.db"; }
  std::string logs_dir() const { return out + "/logs"; }
  std::string slurm_dir() const { return out + "/slurm"; }  // job scripts, task lists, job ids
  std::string run_dir(const SweepRun& run) const { return runs_dir() + "/" + run.id; }
};

// Parses and expands a spec file; UserError naming the file and the offending key. Relative
// config files are resolved against the spec's folder when they exist there (else presets), and
// a relative `out` against the current directory.
SweepSpec LoadSweepSpec(const std::string& path);
SweepSpec ParseSweepSpec(const std::string& text, const std::string& path);

}  // namespace qlab::sweep

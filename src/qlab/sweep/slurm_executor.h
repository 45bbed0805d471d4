// The Slurm executor of a sweep (docs/sweeps.md): the unfinished runs go to the cluster as one
// job array per submission, one array task per run. Each task is `qlab sweep task`, which starts
// (or resumes) its run as a `qlab train` child with the log logs/<id>.log, passes Slurm's
// SIGTERM (time limit, scancel) on so the run checkpoints, and indexes the run into the results
// database when it ends. Submitting again is idempotent: finished runs are skipped, and runs
// already queued or running in an earlier array are not submitted twice.
//
// Files under <out>/slurm/: array_<k>.sh (the batch script), tasks_<k>.jsonl (one run per line,
// the array index is the line number) and jobs.tsv (job id and task file of every submission).
#pragma once

#include <map>
#include <string>

#include "qlab/sweep/sweep_spec.h"

namespace qlab::sweep {

struct SlurmSubmitOptions {
  std::string qlab_binary;  // the executable the tasks run (the CLI passes itself)
  bool wait = false;        // poll until the array has ended, with progress and ETA
  bool quiet = false;
};

struct SlurmSubmission {
  int total = 0, finished = 0, active = 0, submitted = 0;  // finished/active: not submitted
  std::string job_id;                                      // "" when nothing was submitted
  bool waited = false, interrupted = false;                // interrupted: stopped waiting
};

SlurmSubmission SubmitSlurmSweep(const SweepSpec& spec, const SlurmSubmitOptions& options);

// The Slurm state of every run of the sweep's arrays that Slurm still knows: squeue for queued
// and running tasks, sacct (where accounting is enabled) for ended ones. Run id -> "RUNNING
// (job 12_3)". Empty when Slurm's commands are not available.
std::map<std::string, std::string> SlurmStates(const SweepSpec& spec);

// One array task: runs line `index` of `tasks_file` (`qlab sweep task FILE INDEX`). Returns the
// exit code of the run's process (0 when it had finished before).
int RunSlurmTask(const std::string& tasks_file, int index, const std::string& qlab_binary);

}  // namespace qlab::sweep

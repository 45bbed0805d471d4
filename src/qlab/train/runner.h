// Runner: one training run, Dopamine-style (DESIGN.md §7, docs/training.md). Each iteration has a
// training phase of run.training_steps env steps and, with the train_and_eval schedule, an
// evaluation phase on separate envs. The runner alone writes the run dir (docs/run_dir.md).
//
// Exact resume: a checkpoint (after every iteration, and on SIGINT/SIGTERM mid-phase) holds the
// agent (weights, optimiser, replay, RNGs), the training envs and their current observations, the
// acting RNG, the counters and the unfinished iteration's episodes. An evaluation phase is a pure
// function of the weights and (seed, iteration): its envs and RNG are derived afresh, so an
// interrupted evaluation is simply rerun. Logs are appended only after an iteration ends, and
// cut back to the checkpoint on resume, so a kill -9 at any moment resumes to the same numbers.
#pragma once

#include <string>

#include "qlab/train/train_config.h"

namespace qlab {

enum class RunOutcome { kDone, kInterrupted, kDiverged };

struct RunResult {
  RunOutcome outcome = RunOutcome::kDone;
  std::string message;
  int exit_code() const;  // 0 done, 3 diverged, 130 interrupted
};

struct RunOptions {
  std::string run_dir;
  bool resume = false;
  bool quiet = false;  // no progress lines
};

// Starts (or resumes) the run of `config` in options.run_dir and runs it to the end, to a
// divergence, or to SIGINT/SIGTERM. UserError for bad input (unknown env, run dir in use, ...).
RunResult RunTraining(const Config& config, const RunOptions& options);

// Installs the SIGINT/SIGTERM handlers that ask running trainings to checkpoint and stop.
void InstallStopHandlers();

}  // namespace qlab

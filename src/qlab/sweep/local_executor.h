// The local executor of a sweep (docs/sweeps.md): a pool of worker processes, each a
// `qlab train` child writing its own run dir and log, as many at once as the cores allow for the
// spec's threads per run. Idempotent and resumable: finished runs (done or diverged) are skipped,
// interrupted ones continue with `qlab train --resume` (exact resume), so re-running a killed sweep
// loses nothing. Every run is (re)indexed into the results database when it ends.
#pragma once

#include <string>

#include "qlab/sweep/sweep_spec.h"

namespace qlab::sweep {

struct LocalOptions {
  std::string qlab_binary;  // the executable that runs `train` (the CLI passes itself)
  int workers = 0;          // parallel runs; 0: the spec's, else cores / threads per run
  bool quiet = false;       // no progress lines
  // seconds between progress lines while runs go on (iterations of each running run, ETA);
  // 0: a line only when a run ends
  double progress_interval = 60.0;
};

struct SweepSummary {
  int total = 0, skipped = 0, done = 0, diverged = 0, failed = 0, stopped = 0;
  bool interrupted = false;  // SIGINT/SIGTERM: running children were asked to checkpoint
  void Count(const std::string& outcome);  // one run ended: done, diverged, stopped or failed
};

// Runs every unfinished run of `spec`; returns when all have ended or after an interruption.
SweepSummary RunLocalSweep(const SweepSpec& spec, const LocalOptions& options);

}  // namespace qlab::sweep

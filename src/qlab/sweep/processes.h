// The processes of a sweep: each run is a `qlab train` child (its own run dir and log), started
// the same way by the local executor's workers and by Slurm array tasks; and the Slurm commands
// (sbatch, squeue, sacct) the Slurm executor runs and reads.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "qlab/sweep/sweep_spec.h"

namespace qlab::sweep {

// The status of a run dir: "" when it has no run yet, else its status line
// ("done", "running", "stopped: ...", "diverged: ...").
std::string RunStatus(const std::string& run_dir);
// How far a run dir has got: iterations logged (complete metrics.jsonl lines) of those its
// config.toml plans; 0 of 0 before the run has written them.
struct RunProgress {
  int64_t logged = 0, planned = 0;
  double Fraction() const;  // logged / planned in [0, 1]; 0 when nothing is planned yet
};
RunProgress ReadRunProgress(const std::string& run_dir);

// done or diverged: a re-run would change nothing.
bool IsFinished(const std::string& status);
// "done", "diverged", "stopped" or "failed" from a run's status after its process ended.
std::string Outcome(const std::string& status);

// Makes `dir` ready for its run; true when the run resumes from its checkpoint. A dir with no
// status and no checkpoint holds nothing worth keeping (killed while being created): removed.
bool PrepareRunDir(const std::string& dir);

// argv of the `qlab train` child of a run: a new run into `dir`, or `--resume dir`; a non-empty
// `device` is passed as --device (both ways: checkpoints load onto any device).
std::vector<std::string> TrainArguments(const SweepRun& run, const std::string& dir, int threads,
                                        const std::string& device, const std::string& binary,
                                        bool resume);

// Starts `args` with stdout and stderr appended to `log`. The child gets SIGTERM when its parent
// dies (runs checkpoint on SIGTERM), so nothing keeps running unseen after a killed sweep.
pid_t LaunchRun(const std::vector<std::string>& args, const std::string& log);

// Runs a command to its end: exit code (127 when it cannot start), stdout and stderr.
struct CommandOutput {
  int exit_code = 0;
  std::string out, err;
};
CommandOutput RunCommand(const std::vector<std::string>& args);

// SIGINT/SIGTERM caught for the lifetime of the guard, without SA_RESTART, so that a blocking
// waitpid returns and the caller can pass the request on to its children.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static bool requested();

 private:
  struct sigaction old_interrupt_ {
  }, old_terminate_{};
};

std::string FormatDuration(double seconds);  // "4m05s", "2h10m"

}  // namespace qlab::sweep

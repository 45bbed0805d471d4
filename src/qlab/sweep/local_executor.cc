#include "qlab/sweep/local_executor.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>

#include "qlab/core/errors.h"
#include "qlab/core/thread_pool.h"
#include "qlab/sweep/processes.h"
#include "qlab/sweep/results_db.h"

namespace qlab::sweep {
namespace fs = std::filesystem;

void SweepSummary::Count(const std::string& outcome) {
  if (outcome == "done") {
    ++done;
  } else if (outcome == "diverged") {
    ++diverged;
  } else if (outcome == "stopped") {
    ++stopped;
  } else {
    ++failed;
  }
}

SweepSummary RunLocalSweep(const SweepSpec& spec, const LocalOptions& options) {
  if (options.qlab_binary.empty()) throw UserError("qlab sweep: no qlab binary to run");
  int workers = options.workers > 0 ? options.workers : spec.workers;
  if (workers <= 0) workers = std::max(1, DefaultThreadCount() / spec.threads);
  for (const auto& dir : {spec.runs_dir(), spec.logs_dir()}) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw UserError(fmt::format("cannot create '{}': {}", dir, error.message()));
  }
  ResultsDb db(spec.db_path());

  SweepSummary summary;
  summary.total = static_cast<int>(spec.runs.size());
  std::deque<const SweepRun*> queue;
  for (const auto& run : spec.runs) {
    const std::string dir = spec.run_dir(run);
    db.Index(run.id, spec.name, dir, run.swept);
    if (IsFinished(RunStatus(dir))) {
      ++summary.skipped;
    } else {
      queue.push_back(&run);
    }
  }
  if (!options.quiet)
    fmt::print(
        stderr,
        "qlab sweep {}: {} runs, {} finished already, {} to run on {} workers ({} threads each)\n",
        spec.name, summary.total, summary.skipped, queue.size(), workers, spec.threads);

  StopSignals signals;
  std::map<pid_t, const SweepRun*> running;
  const auto start = std::chrono::steady_clock::now();
  const size_t to_run = queue.size();
  int ended = 0;
  bool forwarded = false;
  while (!queue.empty() || !running.empty()) {
    while (!StopSignals::requested() && !queue.empty() &&
           static_cast<int>(running.size()) < workers) {
      const SweepRun* run = queue.front();
      queue.pop_front();
      const std::string dir = spec.run_dir(*run);
      const bool resume = PrepareRunDir(dir);
      const auto args =
          TrainArguments(*run, dir, spec.threads, spec.device, options.qlab_binary, resume);
      running[LaunchRun(args, spec.logs_dir() + "/" + run->id + ".log")] = run;
    }
    if (StopSignals::requested() && !forwarded) {
      forwarded = true;
      summary.interrupted = true;
      queue.clear();
      if (!options.quiet)
        fmt::print(stderr, "qlab sweep: stopping: {} running runs checkpoint and stop\n",
                   running.size());
      for (const auto& [pid, run] : running) kill(pid, SIGTERM);
    }
    int wait_status = 0;
    const pid_t pid = waitpid(-1, &wait_status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // no children left
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepRun* run = it->second;
    running.erase(it);
    const std::string dir = spec.run_dir(*run);
    db.Index(run->id, spec.name, dir, run->swept);
    const int code =
        WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
    std::string outcome = Outcome(RunStatus(dir));
    summary.Count(outcome);
    if (outcome == "failed")
      outcome = fmt::format("failed (exit {}, see {}/{}.log)", code, spec.logs_dir(), run->id);
    ++ended;
    if (!options.quiet) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double eta = elapsed / ended * static_cast<double>(to_run - ended);
      fmt::print(stderr, "[{}/{}] {} {} {} | {} running, {} queued, {} elapsed{}\n", ended, to_run,
                 outcome, run->id, run->label, running.size(), queue.size(),
                 FormatDuration(elapsed),
                 queue.empty() && running.empty() ? "" : ", ETA " + FormatDuration(eta));
    }
  }
  return summary;
}

}  // namespace qlab::sweep

#include "qlab/sweep/local_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

namespace {

// Work is counted in runs: a run that has logged 6 of its 10 iterations is 0.6 done. The ETA
// extrapolates this session's rate (work done since the sweep started, resumed runs counting only
// what they did now) over the work left.
class SweepProgress {
 public:
  explicit SweepProgress(const SweepSpec& spec) : spec_(spec) {}

  void Started(const SweepRun& run) {
    start_fraction_[run.id] = ReadRunProgress(spec_.run_dir(run)).Fraction();
  }
  void Ended(const SweepRun& run) {
    done_ += 1.0 - start_fraction_[run.id];
    start_fraction_.erase(run.id);
  }

  // The running runs' progress, read once from their dirs for one line.
  using Snapshot = std::vector<std::pair<const SweepRun*, RunProgress>>;
  Snapshot Read(const std::map<pid_t, const SweepRun*>& running) const {
    Snapshot now;
    for (const auto& [pid, run] : running)
      now.emplace_back(run, ReadRunProgress(spec_.run_dir(*run)));
    return now;
  }

  // ", ETA 2h10m" from (work done, work left) in runs; "" when nothing is left
  std::string Eta(double elapsed, const Snapshot& now, size_t queued) const {
    double done = done_, left = static_cast<double>(queued);
    for (const auto& [run, progress] : now) {
      done += progress.Fraction() - start_fraction_.at(run->id);
      left += 1.0 - progress.Fraction();
    }
    if (left <= 0.0) return "";
    return done > 0.0 ? ", ETA " + FormatDuration(elapsed * left / done) : ", ETA -";
  }

  // "2 running (minatar-asterix_s0_1fc9d6eb5b spr 6/10, ...)"
  static std::string Running(const Snapshot& now) {
    std::vector<std::string> parts;
    for (const auto& [run, progress] : now) {
      if (parts.size() == 4) {
        parts.push_back("...");
        break;
      }
      parts.push_back(fmt::format("{} {} {}/{}", run->id, run->label, progress.logged,
                                  progress.planned > 0 ? std::to_string(progress.planned) : "?"));
    }
    return fmt::format("{} running ({})", now.size(), fmt::join(parts, ", "));
  }

 private:
  const SweepSpec& spec_;
  double done_ = 0.0;
  std::map<std::string, double> start_fraction_;
};

}  // namespace

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
  SweepProgress progress(spec);
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double next_line = options.progress_interval;
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
      progress.Started(*run);
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
    // poll, so that progress lines and stop requests need no child to end
    int wait_status = 0;
    const pid_t pid = waitpid(-1, &wait_status, WNOHANG);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // no children left
    }
    if (pid == 0) {
      if (!options.quiet && options.progress_interval > 0 && elapsed() >= next_line) {
        next_line = elapsed() + options.progress_interval;
        const auto now = progress.Read(running);
        fmt::print(stderr, "qlab sweep {}: {}, {}/{} ended, {} queued | {} elapsed{}\n", spec.name,
                   SweepProgress::Running(now), ended, to_run, queue.size(),
                   FormatDuration(elapsed()), progress.Eta(elapsed(), now, queue.size()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
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
    progress.Ended(*run);
    if (!options.quiet)
      fmt::print(stderr, "[{}/{}] {} {} {} | {} running, {} queued, {} elapsed{}\n", ended, to_run,
                 outcome, run->id, run->label, running.size(), queue.size(),
                 FormatDuration(elapsed()),
                 progress.Eta(elapsed(), progress.Read(running), queue.size()));
  }
  return summary;
}

}  // namespace qlab::sweep

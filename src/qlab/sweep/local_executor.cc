#include "qlab/sweep/local_executor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

#include "qlab/core/errors.h"
#include "qlab/core/thread_pool.h"
#include "qlab/sweep/results_db.h"

namespace qlab::sweep {
namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void OnSweepStopSignal(int signal) { g_stop_signal = signal; }

// SIGINT/SIGTERM handlers for the duration of a sweep, without SA_RESTART so that waitpid
// returns and the sweep can pass the request on to its children.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction action {};
    action.sa_handler = OnSweepStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

std::vector<std::string> TrainArguments(const SweepSpec& spec, const SweepRun& run,
                                        const std::string& binary, bool resume) {
  const std::string dir = spec.run_dir(run);
  std::vector<std::string> args = {binary, "train", "--quiet", "--threads",
                                   std::to_string(spec.threads)};
  if (resume) {
    args.insert(args.end(), {"--resume", dir});
    return args;
  }
  args.insert(args.end(), {"--agent", run.agent, "--env", run.env, "--seed",
                           std::to_string(run.seed), "--label", run.label, "--out", dir});
  for (const auto& config : run.config_files) args.insert(args.end(), {"--config", config});
  for (const auto& [key, value] : run.sets) args.insert(args.end(), {"--set", key + "=" + value});
  return args;
}

// Starts one child; its output goes to `log` (appended, so a resumed run keeps its history).
pid_t Launch(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0)
    throw UserError(fmt::format("cannot start a run: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    // a killed sweep takes its runs down with it (they checkpoint on SIGTERM): nothing keeps
    // running unseen, and a re-run resumes them
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(130);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    const std::string message =
        fmt::format("qlab sweep: cannot run {}: {}\n", args[0], std::strerror(errno));
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  return pid;
}

std::string FormatDuration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace

std::string RunStatus(const std::string& run_dir) {
  std::ifstream in(run_dir + "/status");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return line;
}

bool IsFinished(const std::string& status) {
  return status == "done" || status.rfind("diverged", 0) == 0;
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
    while (!g_stop_signal && !queue.empty() && static_cast<int>(running.size()) < workers) {
      const SweepRun* run = queue.front();
      queue.pop_front();
      const std::string dir = spec.run_dir(*run);
      std::string status = RunStatus(dir);
      // a dir with no status and no checkpoint holds nothing worth keeping (killed while created)
      if (status.empty() && fs::exists(dir) && !fs::exists(fs::path(dir) / "checkpoints"))
        fs::remove_all(dir);
      const auto args = TrainArguments(spec, *run, options.qlab_binary, !status.empty());
      running[Launch(args, spec.logs_dir() + "/" + run->id + ".log")] = run;
    }
    if (g_stop_signal && !forwarded) {
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
    const std::string status = RunStatus(dir);
    const int code =
        WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
    std::string outcome;
    if (status == "done") {
      ++summary.done;
      outcome = "done";
    } else if (status.rfind("diverged", 0) == 0) {
      ++summary.diverged;
      outcome = "diverged";
    } else if (status.rfind("stopped", 0) == 0) {
      ++summary.stopped;
      outcome = "stopped";
    } else {
      ++summary.failed;
      outcome = fmt::format("failed (exit {}, see {}/{}.log)", code, spec.logs_dir(), run->id);
    }
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

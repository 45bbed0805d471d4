#include "qlab/sweep/processes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/toml_parse.h"

namespace qlab::sweep {
namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void OnSweepStopSignal(int signal) { g_stop_signal = signal; }

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// In a forked child: exec, or report why not on stderr and exit 127.
[[noreturn]] void Exec(const std::vector<std::string>& args) {
  auto argv = Argv(args);
  execvp(argv[0], argv.data());
  const std::string message = fmt::format("cannot run {}: {}\n", args[0], std::strerror(errno));
  (void)!write(STDERR_FILENO, message.data(), message.size());
  _exit(127);
}

}  // namespace

std::string RunStatus(const std::string& run_dir) {
  std::ifstream in(run_dir + "/status");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return line;
}

double RunProgress::Fraction() const {
  return planned > 0 ? std::min(1.0, static_cast<double>(logged) / static_cast<double>(planned))
                     : 0.0;
}

RunProgress ReadRunProgress(const std::string& run_dir) {
  RunProgress progress;
  std::ifstream metrics(run_dir + "/metrics.jsonl", std::ios::binary);
  progress.logged = std::count(std::istreambuf_iterator<char>(metrics), {}, '\n');
  const std::string config = run_dir + "/config.toml";
  try {
    progress.planned =
        ParseToml(ReadFile(config), config)["run"]["iterations"].value_or(int64_t{0});
  } catch (const UserError&) {  // not written yet, or unreadable: planned stays unknown
  }
  return progress;
}

bool IsFinished(const std::string& status) {
  return status == "done" || status.rfind("diverged", 0) == 0;
}

std::string Outcome(const std::string& status) {
  for (const char* outcome : {"done", "diverged", "stopped"})
    if (status.rfind(outcome, 0) == 0) return outcome;
  return "failed";
}

bool PrepareRunDir(const std::string& dir) {
  const std::string status = RunStatus(dir);
  if (status.empty() && fs::exists(dir) && !fs::exists(fs::path(dir) / "checkpoints"))
    fs::remove_all(dir);
  return !status.empty();
}

std::vector<std::string> TrainArguments(const SweepRun& run, const std::string& dir, int threads,
                                        const std::string& device, const std::string& binary,
                                        bool resume) {
  std::vector<std::string> args = {binary, "train", "--quiet", "--threads",
                                   std::to_string(threads)};
  if (!device.empty()) args.insert(args.end(), {"--device", device});
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

pid_t LaunchRun(const std::vector<std::string>& args, const std::string& log) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0)
    throw UserError(fmt::format("cannot start a run: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(130);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    Exec(args);
  }
  return pid;
}

CommandOutput RunCommand(const std::vector<std::string>& args) {
  std::array<int, 2> out{}, err{};
  if (pipe2(out.data(), O_CLOEXEC) != 0) throw UserError("cannot create a pipe");
  if (pipe2(err.data(), O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    throw UserError("cannot create a pipe");
  }
  const pid_t pid = fork();
  if (pid < 0) throw UserError(fmt::format("cannot run {}: fork failed", args.at(0)));
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    Exec(args);
  }
  close(out[1]);
  close(err[1]);
  CommandOutput result;
  // read both pipes as they fill, so that neither child's write blocks on a full pipe
  std::array<pollfd, 2> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_pipes = 2;
  char buffer[4096];
  while (open_pipes > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

StopSignals::StopSignals() {
  g_stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = OnSweepStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_interrupt_);
  sigaction(SIGTERM, &action, &old_terminate_);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &old_interrupt_, nullptr);
  sigaction(SIGTERM, &old_terminate_, nullptr);
}

bool StopSignals::requested() { return g_stop_signal != 0; }

std::string FormatDuration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace qlab::sweep

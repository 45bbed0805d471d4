#include "qlab/sweep/slurm_executor.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/sweep/processes.h"
#include "qlab/sweep/results_db.h"

namespace qlab::sweep {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string Absolute(const std::string& path) { return fs::absolute(path).lexically_normal(); }

// A word for bash: single-quoted, with embedded quotes closed and escaped.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

json TaskJson(const SweepSpec& spec, const SweepRun& run) {
  const std::string out = Absolute(spec.out);
  return {{"id", run.id},
          {"sweep", spec.name},
          {"label", run.label},
          {"agent", run.agent},
          {"env", run.env},
          {"seed", run.seed},
          {"config_files", run.config_files},
          {"sets", run.sets},
          {"swept", run.swept},
          {"threads", spec.threads},
          {"device", spec.device},
          {"dir", out + "/runs/" + run.id},
          {"log", out + "/logs/" + run.id + ".log"},
          {"db", out + "/results.db"}};
}

// The batch script of one array over `count` runs listed in `tasks_file`.
std::string BatchScript(const SweepSpec& spec, const std::string& tasks_file, size_t count,
                        const std::string& binary) {
  const SlurmOptions& o = spec.slurm;
  std::string array = fmt::format("0-{}", count - 1);
  if (o.max_parallel > 0) array += fmt::format("%{}", o.max_parallel);
  std::string script = "#!/bin/bash\n";
  const auto option = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) script += fmt::format("#SBATCH --{}={}\n", name, value);
  };
  option("job-name", "qlab-" + spec.name);
  option("array", array);
  option("cpus-per-task", std::to_string(o.cpus_per_task > 0 ? o.cpus_per_task : spec.threads));
  option("output", Absolute(spec.logs_dir()) + "/slurm-%A_%a.out");
  option("partition", o.partition);
  option("time", o.time);
  option("mem", o.mem);
  option("account", o.account);
  option("qos", o.qos);
  option("gres", o.gres);
  for (const auto& arg : o.sbatch_args) script += "#SBATCH " + arg + "\n";
  script += fmt::format(
      "# qlab sweep {}: one task per line of {}; each runs (or resumes) its run and indexes it\n",
      spec.name, fs::path(tasks_file).filename().string());
  for (const auto& line : o.setup) script += line + "\n";
  script += fmt::format("exec {} sweep task {} \"$SLURM_ARRAY_TASK_ID\"\n", ShellQuote(binary),
                        ShellQuote(tasks_file));
  return script;
}

struct SlurmState {
  std::string state, job;  // "RUNNING", "12_3"
  bool active = false;     // listed by squeue: queued, running or completing
};

// job id -> run ids by array index, from jobs.tsv and the task files it names.
std::vector<std::pair<std::string, std::vector<std::string>>> Jobs(const SweepSpec& spec) {
  std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
  std::ifstream in(spec.slurm_dir() + "/jobs.tsv");
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::vector<std::string> ids;
    std::ifstream tasks(line.substr(tab + 1));
    for (std::string task; std::getline(tasks, task);) {
      try {
        ids.push_back(json::parse(task).at("id").get<std::string>());
      } catch (const json::exception&) {
        ids.emplace_back();
      }
    }
    jobs.emplace_back(line.substr(0, tab), std::move(ids));
  }
  return jobs;
}

std::map<std::string, SlurmState> States(const SweepSpec& spec) {
  std::map<std::string, SlurmState> states;
  const auto jobs = Jobs(spec);
  if (jobs.empty()) return states;
  std::map<std::string, const std::vector<std::string>*> runs_of;
  std::vector<std::string> job_ids;
  for (const auto& [job, ids] : jobs) {
    runs_of[job] = &ids;
    job_ids.push_back(job);
  }
  const auto record = [&](const std::string& job, const std::string& task, const std::string& state,
                          bool active) {
    const auto it = runs_of.find(job);
    if (it == runs_of.end() || task.empty() || !std::isdigit(static_cast<unsigned char>(task[0])))
      return;
    const size_t index = std::stoul(task);
    if (index >= it->second->size()) return;
    const std::string& id = (*it->second)[index];
    if (states.contains(id) && states[id].active && !active) return;  // squeue wins
    states[id] = {state, job + "_" + task, active};
  };
  // ended tasks first (sacct: only where accounting is enabled), then the live ones
  const CommandOutput sacct = RunCommand({"sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j",
                                          fmt::format("{}", fmt::join(job_ids, ","))});
  if (sacct.exit_code == 0)
    for (const auto& line : Lines(sacct.out)) {
      const size_t bar = line.find('|'), underscore = line.find('_');
      if (bar == std::string::npos || underscore == std::string::npos || underscore > bar) continue;
      std::string state = line.substr(bar + 1);
      state = state.substr(0, state.find(' '));  // "CANCELLED by 0"
      record(line.substr(0, underscore), line.substr(underscore + 1, bar - underscore - 1), state,
             false);
    }
  const CommandOutput squeue =
      RunCommand({"squeue", "-h", "-r", "-o", "%F|%K|%T", "-u", std::to_string(getuid())});
  if (squeue.exit_code == 0)
    for (const auto& line : Lines(squeue.out)) {
      const size_t a = line.find('|'), b = line.rfind('|');
      if (a == std::string::npos || a == b) continue;
      record(line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1), true);
    }
  return states;
}

void WriteNew(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw UserError(fmt::format("cannot write '{}'", path));
}

// Polls squeue until job `job` has no task left, printing progress as runs end.
bool WaitForJob(const SweepSpec& spec, const std::string& job,
                const std::vector<const SweepRun*>& runs, bool quiet) {
  StopSignals signals;
  const auto start = std::chrono::steady_clock::now();
  int last_ended = -1;
  while (!StopSignals::requested()) {
    int active = 0, running = 0;
    for (const auto& [id, state] : States(spec))
      if (state.active && state.job.rfind(job + "_", 0) == 0) {
        ++active;
        running += state.state == "RUNNING";
      }
    int ended = 0;
    for (const SweepRun* run : runs) ended += Outcome(RunStatus(spec.run_dir(*run))) != "failed";
    if (!quiet && (ended != last_ended || active == 0)) {
      last_ended = ended;
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double eta =
          ended > 0 ? elapsed / ended * static_cast<double>(runs.size() - ended) : 0.0;
      fmt::print(stderr, "[{}/{}] ended | slurm job {}: {} running, {} queued | {} elapsed{}\n",
                 ended, runs.size(), job, running, active - running, FormatDuration(elapsed),
                 ended > 0 && active > 0 ? ", ETA " + FormatDuration(eta) : "");
    }
    if (active == 0) return true;
    for (int i = 0; i < 20 && !StopSignals::requested(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

std::map<std::string, std::string> SlurmStates(const SweepSpec& spec) {
  std::map<std::string, std::string> out;
  for (const auto& [id, state] : States(spec))
    out[id] = fmt::format("{} (job {})", state.state, state.job);
  return out;
}

SlurmSubmission SubmitSlurmSweep(const SweepSpec& spec, const SlurmSubmitOptions& options) {
  if (options.qlab_binary.empty()) throw UserError("qlab sweep: no qlab binary to run");
  for (const auto& dir : {spec.runs_dir(), spec.logs_dir(), spec.slurm_dir()}) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw UserError(fmt::format("cannot create '{}': {}", dir, error.message()));
  }
  ResultsDb db(spec.db_path());
  const auto states = States(spec);

  SlurmSubmission submission;
  submission.total = static_cast<int>(spec.runs.size());
  std::vector<const SweepRun*> to_submit;
  std::string tasks;
  for (const auto& run : spec.runs) {
    db.Index(run.id, spec.name, spec.run_dir(run), run.swept);
    if (IsFinished(RunStatus(spec.run_dir(run)))) {
      ++submission.finished;
    } else if (const auto it = states.find(run.id); it != states.end() && it->second.active) {
      ++submission.active;
    } else {
      to_submit.push_back(&run);
      tasks += TaskJson(spec, run).dump() + "\n";
    }
  }
  submission.submitted = static_cast<int>(to_submit.size());
  if (!options.quiet)
    fmt::print(stderr,
               "qlab sweep {}: {} runs, {} finished already, {} queued or running, {} to "
               "submit\n",
               spec.name, submission.total, submission.finished, submission.active,
               submission.submitted);
  if (to_submit.empty()) return submission;

  int k = 1;
  while (fs::exists(fmt::format("{}/array_{}.sh", spec.slurm_dir(), k))) ++k;
  const std::string tasks_file = Absolute(fmt::format("{}/tasks_{}.jsonl", spec.slurm_dir(), k));
  const std::string script_file = Absolute(fmt::format("{}/array_{}.sh", spec.slurm_dir(), k));
  WriteNew(tasks_file, tasks);
  WriteNew(script_file, BatchScript(spec, tasks_file, to_submit.size(), options.qlab_binary));

  const CommandOutput sbatch = RunCommand({"sbatch", "--parsable", script_file});
  if (sbatch.exit_code != 0) {
    const auto lines = Lines(sbatch.err);
    throw UserError(fmt::format("qlab sweep {}: sbatch {} failed (exit {}): {}", spec.name,
                                script_file, sbatch.exit_code,
                                lines.empty() ? "no message" : lines.back()));
  }
  const auto out_lines = Lines(sbatch.out);
  submission.job_id =
      out_lines.empty() ? "" : out_lines.back().substr(0, out_lines.back().find(';'));
  if (submission.job_id.empty() || !std::isdigit(static_cast<unsigned char>(submission.job_id[0])))
    throw UserError(
        fmt::format("qlab sweep {}: sbatch printed no job id ('{}')", spec.name, sbatch.out));
  {
    std::ofstream jobs(spec.slurm_dir() + "/jobs.tsv", std::ios::app);
    jobs << submission.job_id << '\t' << tasks_file << '\n';
    if (!jobs.flush()) throw UserError(fmt::format("cannot write '{}/jobs.tsv'", spec.slurm_dir()));
  }
  if (!options.quiet)
    fmt::print(stderr, "qlab sweep {}: submitted job array {} ({} tasks, script {})\n", spec.name,
               submission.job_id, to_submit.size(), script_file);
  if (options.wait) {
    submission.waited = true;
    submission.interrupted = !WaitForJob(spec, submission.job_id, to_submit, options.quiet);
  }
  return submission;
}

int RunSlurmTask(const std::string& tasks_file, int index, const std::string& qlab_binary) {
  const auto lines = Lines(ReadFile(tasks_file, "sweep task list"));
  if (index < 0 || index >= static_cast<int>(lines.size()))
    throw UserError(fmt::format("qlab sweep task: {} has {} tasks, no task {}", tasks_file,
                                lines.size(), index));
  SweepRun run;
  std::string sweep, dir, log, db_path;
  int threads = 1;
  std::string device;
  try {
    const json task = json::parse(lines[static_cast<size_t>(index)]);
    task.at("id").get_to(run.id);
    task.at("label").get_to(run.label);
    task.at("agent").get_to(run.agent);
    task.at("env").get_to(run.env);
    task.at("seed").get_to(run.seed);
    task.at("config_files").get_to(run.config_files);
    task.at("sets").get_to(run.sets);
    task.at("swept").get_to(run.swept);
    task.at("sweep").get_to(sweep);
    task.at("threads").get_to(threads);
    if (task.contains("device")) task.at("device").get_to(device);  // task lists before it
    task.at("dir").get_to(dir);
    task.at("log").get_to(log);
    task.at("db").get_to(db_path);
  } catch (const json::exception& e) {
    throw UserError(
        fmt::format("qlab sweep task: {} line {}: {}", tasks_file, index + 1, e.what()));
  }
  ResultsDb db(db_path);
  if (IsFinished(RunStatus(dir))) {
    db.Index(run.id, sweep, dir, run.swept);
    fmt::print("qlab sweep task {}: {} had finished before\n", index, run.id);
    return 0;
  }
  StopSignals signals;  // Slurm's SIGTERM (time limit, scancel) goes on to the run
  const bool resume = PrepareRunDir(dir);
  fmt::print("qlab sweep task {}: {} {} ({}, log {})\n", index, resume ? "resumes" : "starts",
             run.id, run.label, log);
  std::fflush(stdout);
  const pid_t pid = LaunchRun(TrainArguments(run, dir, threads, device, qlab_binary, resume), log);
  int wait_status = 0;
  bool forwarded = false;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) break;
    if (StopSignals::requested() && !forwarded) {
      forwarded = true;
      kill(pid, SIGTERM);
    }
  }
  db.Index(run.id, sweep, dir, run.swept);
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  fmt::print("qlab sweep task {}: {} {} (exit {})\n", index, run.id, Outcome(RunStatus(dir)), code);
  return code;
}

}  // namespace qlab::sweep

#include "qlab/train/runner.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <nlohmann/json.hpp>

#include "qlab/agents/agent.h"
#include "qlab/core/build_info.h"
#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/machine.h"
#include "qlab/core/thread_pool.h"
#include "qlab/envs/builtin.h"
#include "qlab/train/run_dir.h"
#include "qlab/train/teacher_run.h"

namespace qlab {
namespace {

std::atomic<int> g_stop_signal{0};

extern "C" void OnStopSignal(int signal) { g_stop_signal.store(signal); }

// Test hook (tests/train_cli_test.cc): QLAB_TEST_HOOK="kill@step=N" | "kill@logged=I" |
// "kill@eval=I" | "sigint@step=N" | "sigint@eval=I" sends SIGKILL/SIGINT to this process when
// the training env steps reach N, right after iteration I's logs are appended (before its
// checkpoint), or inside iteration I's evaluation, so resume is tested at exact, awkward moments.
struct TestHook {
  std::string action, where;
  int64_t at = -1;
  static TestHook FromEnv() {
    TestHook hook;
    const char* text = std::getenv("QLAB_TEST_HOOK");
    if (text == nullptr) return hook;
    const std::string spec(text);
    const size_t a = spec.find('@'), e = spec.find('=');
    if (a == std::string::npos || e == std::string::npos || e < a)
      throw UserError("QLAB_TEST_HOOK must look like kill@step=N");
    hook.action = spec.substr(0, a);
    hook.where = spec.substr(a + 1, e - a - 1);
    hook.at = std::stoll(spec.substr(e + 1));
    return hook;
  }
  void Fire(const char* moment, int64_t value) const {
    if (at < 0 || moment != where || value != at) return;
    std::raise(action == "kill" ? SIGKILL : SIGINT);
  }
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

nlohmann::json OrNull(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Mean and population std of episode returns (nullopt without episodes).
std::pair<std::optional<double>, std::optional<double>> ReturnStats(
    const std::vector<EpisodeRecord>& episodes) {
  if (episodes.empty()) return {};
  double sum = 0.0;
  for (const auto& e : episodes) sum += e.ret;
  const double mean = sum / episodes.size();
  double squares = 0.0;
  for (const auto& e : episodes) squares += (e.ret - mean) * (e.ret - mean);
  return {mean, std::sqrt(squares / episodes.size())};
}

// Progress on stderr: a line rewritten in place on a terminal, plain lines every `interval`
// seconds otherwise.
class Progress {
 public:
  Progress(bool quiet, double interval)
      : enabled_(!quiet), tty_(isatty(STDERR_FILENO)), interval_(tty_ ? 0.5 : interval) {}

  template <class Describe>
  void Update(Describe describe, bool force = false) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (!force && Seconds(last_, now) < interval_) return;
    last_ = now;
    const std::string line = describe();
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_, tty_;
  double interval_;
  Clock::time_point last_{};
};

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}m{:02d}s", s / 60, s % 60);
}

class Runner {
 public:
  Runner(const Config& config, const RunOptions& options)
      : config_(config),
        options_(options),
        dir_(options.run_dir),
        env_name_(MergeEnvParams(config.GetString("run.env"), config.GetString("run.env_params"))),
        seed_(static_cast<uint64_t>(config.GetInt("run.seed"))),
        iterations_(config.GetInt("run.iterations")),
        training_steps_(config.GetInt("run.training_steps")),
        num_envs_(static_cast<int>(config.GetInt("run.num_envs"))),
        evaluate_(config.GetString("run.schedule") == "train_and_eval"),
        progress_(options.quiet, config.GetFloat("run.progress_interval")),
        hook_(TestHook::FromEnv()) {
    if (training_steps_ % num_envs_ != 0)
      throw UserError(fmt::format(
          "run.training_steps = {} must be a multiple of run.num_envs = {} (whole vector steps)",
          training_steps_, num_envs_));
    const int env_threads = static_cast<int>(config.GetInt("run.env_threads"));
    if (env_threads > 1) pool_ = std::make_unique<ThreadPool>(env_threads);
    const int torch_threads = static_cast<int>(config.GetInt("run.torch_threads"));
    torch::set_num_threads(torch_threads);
    // libtorch's thread count does not reach the BLAS: OpenBLAS (pthreads build) keeps one
    // busy-waiting thread per core, which doubled system time and slowed parallel runs
    // (docs/benchmarks.md). Looked up at run time because the BLAS behind libtorch may differ.
    using SetBlasThreads = void (*)(int);
    if (auto set_blas_threads =
            reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
      set_blas_threads(torch_threads);
    // a switch, because oneDNN's per-call setup can dominate tiny networks (docs/benchmarks.md)
    at::globalContext().setUserEnabledMkldnn(config.GetBool("run.mkldnn"));
    env_name_ = BuiltinEnvs().Canonicalize(env_name_);
    env_ = BuiltinEnvs().Make(
        env_name_,
        {.num_envs = num_envs_, .seed = seed_, .stream = StreamId("env"), .pool = pool_.get()});
    // multi-task: every task gets the same number of evaluation envs
    const int tasks = env_->num_tasks();
    eval_envs_ = (static_cast<int>(config.GetInt("eval.num_envs")) + tasks - 1) / tasks * tasks;
    current_ = env_->MakeBatch();
    next_ = env_->MakeBatch();
    actions_ = ActionBatch(*env_);
    episode_start_.assign(num_envs_, 1);
    act_rng_ = Rng(DeriveSeed(seed_, StreamId("act")));
    AgentContext context{.config = &config,
                         .spec = env_->spec(),
                         .num_envs = num_envs_,
                         .num_eval_envs = eval_envs_,
                         .seed = seed_,
                         .total_env_steps = iterations_ * training_steps_,
                         .device = config.GetString("run.device")};
    if (config.schema().Find("teacher.run") != nullptr &&
        !config.GetString("teacher.run").empty()) {
      auto teacher = std::make_shared<TeacherRun>(LoadTeacherRun(config.GetString("teacher.run")));
      const std::string teacher_env = teacher->checkpoint->GetBytes("runner/env_name");
      if (teacher_env != env_name_)
        throw UserError(fmt::format("teacher run '{}' was trained on {}, this run is on {}",
                                    teacher->dir, teacher_env, env_name_));
      teacher_score_ = teacher->score;
      context.teacher = std::move(teacher);
    }
    agent_ = FindAgent(config.GetString("run.agent")).make(context);
  }

  RunResult Run() {
    if (!options_.quiet)
      std::fprintf(stderr, "qlab train: %s on %s, seed %llu -> %s\n  %s\n",
                   config_.GetString("run.agent").c_str(), env_name_.c_str(),
                   static_cast<unsigned long long>(seed_), dir_.path().c_str(),
                   agent_->Describe().c_str());
    if (options_.resume) {
      Resume();
    } else {
      Start();
    }
    dir_.WriteStatus("running");
    session_start_ = Clock::now();
    session_start_steps_ = env_steps_;
    try {
      while (iteration_ < iterations_) {
        if (!train_done_ && !TrainingPhase()) return Stop();
        train_done_ = true;
        std::vector<EpisodeRecord> eval;
        if (evaluate_ && !EvaluationPhase(eval)) return Stop();
        FinishIteration(eval);
      }
    } catch (const DivergedError& e) {
      progress_.Finish();
      const std::string message = fmt::format("{} (iteration {})", e.what(), iteration_);
      dir_.WriteStatus("diverged: " + message);
      return {RunOutcome::kDiverged, message};
    } catch (const std::exception& e) {
      // A run that ends on an error (a full disk, say) must not read as "running" to reports;
      // its last good checkpoint stays, so --resume continues once the cause is fixed.
      progress_.Finish();
      try {
        dir_.WriteStatus(
            fmt::format("failed: {} (iteration {}); continue with: qlab train "
                        "--resume {}",
                        e.what(), iteration_, dir_.path()));
      } catch (const std::exception&) {  // the disk may not take even the status line
      }
      throw;
    }
    progress_.Finish();
    dir_.WriteStatus("done");
    return {RunOutcome::kDone, fmt::format("done: {} iterations, {} env steps, {} updates",
                                           iterations_, env_steps_, agent_->updates())};
  }

 private:
  void Start() {
    dir_.Create();
    WriteFileAtomic(dir_.File("config.toml"), config_.ToToml());
    WriteMeta();
    env_->Reset(current_);
    Prepare();
  }

  // The agent's work before the first step (QDagger's pretraining), with its own progress lines.
  void Prepare() {
    agent_->Prepare([&](int64_t done, int64_t total) {
      if (!options_.quiet)
        std::fprintf(stderr, "qlab train: pretraining %lld/%lld updates\n",
                     static_cast<long long>(done), static_cast<long long>(total));
    });
  }

  void WriteMeta() const {
    std::string label = config_.GetString("run.label");
    if (label.empty()) label = config_.GetString("run.agent");
    const nlohmann::ordered_json meta = {
        {"agent", config_.GetString("run.agent")},
        {"label", label},
        {"env", env_name_},
        {"seed", seed_},
        {"qlab_version", build::kVersion},
        {"git_commit", build::kGitCommit},
        {"libtorch", TORCH_VERSION},
        {"compiler", fmt::format("{} {}", "gcc", __VERSION__)},
        {"cpu", CpuModel()},
        {"device", config_.GetString("run.device")},
        {"threads",
         {{"env", config_.GetInt("run.env_threads")},
          {"torch", config_.GetInt("run.torch_threads")}}},
        {"parameters", agent_->num_parameters()},
    };
    WriteFileAtomic(dir_.File("meta.json"), meta.dump(2) + "\n");
  }

  // Loads the newest checkpoint that reads back (a damaged one is reported and skipped).
  void Resume() {
    const std::string status = dir_.ReadStatus();
    if (status.empty())
      throw UserError(fmt::format("'{}' is not a run dir (no status file)", dir_.path()));
    if (status == "done" && iterations_ <= LastLoggedIteration() + 1)
      throw UserError(
          fmt::format("run '{}' is already done (raise --iterations to extend it)", dir_.path()));
    const auto checkpoints = dir_.Checkpoints();
    for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
      try {
        Restore(Archive::Load(*it));
        if (!options_.quiet) std::fprintf(stderr, "qlab train: resuming from %s\n", it->c_str());
        dir_.TruncateLogs(iteration_);
        return;
      } catch (const UserError& e) {
        std::fprintf(stderr, "qlab train: warning: skipping %s\n", e.what());
      }
    }
    if (!checkpoints.empty())
      throw UserError(fmt::format("no readable checkpoint in '{}/checkpoints'", dir_.path()));
    // killed before the first checkpoint: start over in place
    dir_.TruncateLogs(0);
    env_->Reset(current_);
    Prepare();
  }

  int64_t LastLoggedIteration() const {
    int64_t last = -1;
    std::istringstream in(ReadFile(dir_.File("metrics.jsonl")));
    std::string line;
    while (std::getline(in, line)) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_discarded()) last = std::max(last, json.value("iteration", int64_t{-1}));
    }
    return last;
  }

  void Checkpoint() {
    Archive archive;
    archive.Put("runner/iteration", iteration_);
    archive.Put("runner/step_in_iteration", step_in_iteration_);
    archive.Put("runner/train_done", static_cast<uint8_t>(train_done_));
    archive.Put("runner/env_steps", env_steps_);
    archive.Put("runner/wall_s", wall_s_ + Seconds(session_start_, Clock::now()));
    archive.Put("runner/train_seconds", train_seconds_);
    archive.Put("runner/act_rng", act_rng_);
    archive.PutVector("runner/episodes", train_episodes_);
    archive.PutVector("runner/obs", current_.obs);
    archive.PutVector("runner/episode_start", episode_start_);
    archive.PutBytes("runner/env", env_->SaveState());
    archive.PutBytes("runner/env_name", env_name_);
    agent_->Save(archive);
    archive.Save(dir_.CheckpointPath(iteration_, step_in_iteration_));
    dir_.PruneCheckpoints(static_cast<int>(config_.GetInt("run.checkpoint_keep")));
  }

  void Restore(const Archive& archive) {
    if (archive.GetBytes("runner/env_name") != env_name_)
      throw UserError("checkpoint is of env " + archive.GetBytes("runner/env_name"));
    agent_->Load(archive);
    iteration_ = archive.Get<int64_t>("runner/iteration");
    step_in_iteration_ = archive.Get<int64_t>("runner/step_in_iteration");
    train_done_ = archive.Get<uint8_t>("runner/train_done") != 0;
    env_steps_ = archive.Get<int64_t>("runner/env_steps");
    wall_s_ = archive.Get<double>("runner/wall_s");
    train_seconds_ = archive.Get<double>("runner/train_seconds");
    act_rng_ = archive.Get<Rng>("runner/act_rng");
    const std::string& episodes = archive.GetBytes("runner/episodes");
    train_episodes_.resize(episodes.size() / sizeof(EpisodeRecord));
    archive.GetVector("runner/episodes", train_episodes_);
    archive.GetVector("runner/obs", current_.obs);
    archive.GetVector("runner/episode_start", episode_start_);
    env_->LoadState(archive.GetBytes("runner/env"));
  }

  // The agent picks `actions` for `current` (indices or Box rows, as the env takes), `env` steps.
  void ActAndStep(AnyVecEnv& env, const StepBatch& current, std::span<const uint8_t> start,
                  ActMode mode, Rng& rng, ActionBatch& actions, StepBatch& next) {
    if (actions.space.discrete()) {
      agent_->Act(current.obs.data(), start, mode, rng, actions.index);
    } else {
      agent_->ActBox(current.obs.data(), start, mode, rng, actions.box);
    }
    actions.StepOn(env, next);
  }

  // Returns false when stopped by a signal (after a checkpoint).
  bool TrainingPhase() {
    auto phase_start = Clock::now();
    while (step_in_iteration_ < training_steps_) {
      if (g_stop_signal.load() != 0) {
        train_seconds_ += Seconds(phase_start, Clock::now());
        Checkpoint();
        return false;
      }
      ActAndStep(*env_, current_, episode_start_, ActMode::kTrain, act_rng_, actions_, next_);
      if (actions_.space.discrete()) {
        agent_->Observe(current_.obs.data(), actions_.index, next_);
      } else {
        agent_->ObserveBox(current_.obs.data(), actions_.box, next_);
      }
      env_steps_ += num_envs_;
      step_in_iteration_ += num_envs_;
      for (int i = 0; i < num_envs_; ++i) {
        episode_start_[i] = next_.done(i);
        if (next_.done(i)) train_episodes_.push_back(Record(next_, i, env_steps_));
      }
      std::swap(current_, next_);
      ShowProgress("train");
      hook_.Fire("step", env_steps_);
    }
    train_seconds_ += Seconds(phase_start, Clock::now());
    return true;
  }

  static EpisodeRecord Record(const StepBatch& batch, int i, int64_t env_steps) {
    return {.env_steps = env_steps,
            .ret = batch.episode_return[i],
            .env_index = i,
            .length = batch.episode_length[i],
            .terminated = batch.terminated[i],
            .truncated = batch.truncated[i]};
  }

  // Evaluation envs and policy RNG derive from (seed, iteration): the phase is a pure function
  // of the weights. Episodes are split into per-env quotas so short episodes are not favoured.
  bool EvaluationPhase(std::vector<EpisodeRecord>& episodes) {
    const int n = eval_envs_;
    const int64_t target_episodes = config_.GetInt("eval.episodes");  // per task
    const int64_t target_steps = config_.GetInt("eval.steps");
    auto env = BuiltinEnvs().Make(env_name_, {.num_envs = n,
                                              .seed = DeriveSeed(seed_, iteration_),
                                              .stream = StreamId("eval_env"),
                                              .pool = pool_.get()});
    Rng rng(DeriveSeed(seed_, StreamId("eval_policy") + iteration_));
    StepBatch current = env->MakeBatch(), next = env->MakeBatch();
    env->Reset(current);
    std::vector<uint8_t> start(n, 1);
    ActionBatch actions(*env);
    std::vector<int64_t> quota(n, 0), finished(n, 0);
    const int per_task = n / env_->num_tasks();
    for (int i = 0; i < n; ++i) {
      const int k = i % per_task;  // the env's place within its task
      quota[i] = target_episodes / per_task + (k < target_episodes % per_task ? 1 : 0);
    }
    int64_t steps = 0;
    auto done = [&]() {
      if (target_steps > 0) return steps >= target_steps;
      for (int i = 0; i < n; ++i)
        if (finished[i] < quota[i]) return false;
      return true;
    };
    while (!done()) {
      if (g_stop_signal.load() != 0) {
        Checkpoint();  // training phase done; the evaluation reruns on resume
        return false;
      }
      ActAndStep(*env, current, start, ActMode::kEval, rng, actions, next);
      steps += n;
      for (int i = 0; i < n; ++i) {
        start[i] = next.done(i);
        if (next.done(i) && (target_steps > 0 || finished[i] < quota[i])) {
          ++finished[i];
          episodes.push_back(Record(next, i, env_steps_));
        }
      }
      std::swap(current, next);
      ShowProgress("eval");
      if (steps == n) hook_.Fire("eval", iteration_);
    }
    return true;
  }

  void FinishIteration(const std::vector<EpisodeRecord>& eval) {
    const TrainStats stats = agent_->TakeStats();
    std::optional<double> train_mean = ReturnStats(train_episodes_).first;
    auto [eval_mean, eval_std] = ReturnStats(eval);
    // multi-task: per-task means, and the aggregates become the mean over tasks
    const int tasks = env_->num_tasks();
    nlohmann::ordered_json per_task;
    if (tasks > 1) {
      std::vector<std::vector<EpisodeRecord>> train(tasks), evaluated(tasks);
      for (const auto& e : train_episodes_) train[env_->task_of(e.env_index)].push_back(e);
      for (const auto& e : eval) evaluated[e.env_index / (eval_envs_ / tasks)].push_back(e);
      auto mean_over_tasks = [](const std::vector<std::optional<double>>& means) {
        double sum = 0.0;
        int count = 0;
        for (const auto& m : means)
          if (m) sum += *m, ++count;
        return count > 0 ? std::optional<double>(sum / count) : std::nullopt;
      };
      std::vector<std::optional<double>> train_means, eval_means;
      for (int t = 0; t < tasks; ++t) {
        train_means.push_back(ReturnStats(train[t]).first);
        eval_means.push_back(ReturnStats(evaluated[t]).first);
        const std::string prefix = "task/" + env_->task_name(t) + "/";
        per_task[prefix + "train_return_mean"] = OrNull(train_means.back());
        per_task[prefix + "train_episodes"] = train[t].size();
        if (evaluate_) per_task[prefix + "eval_return_mean"] = OrNull(eval_means.back());
      }
      train_mean = mean_over_tasks(train_means);
      if (evaluate_) eval_mean = mean_over_tasks(eval_means);
    }
    const double wall = wall_s_ + Seconds(session_start_, Clock::now());
    const auto frames = env_steps_ * env_->spec().frames_per_step;
    nlohmann::ordered_json metrics = {
        {"iteration", iteration_},
        {"env_steps", env_steps_},
        {"frames", frames},
        {"updates", agent_->updates()},
        {"wall_s", wall},
        {"env_steps_per_s", train_seconds_ > 0 ? training_steps_ / train_seconds_ : 0.0},
        {"updates_per_s", train_seconds_ > 0 ? stats.updates / train_seconds_ : 0.0},
        {"train_episodes", train_episodes_.size()},
        {"train_return_mean", OrNull(train_mean)},
        {"eval_episodes", evaluate_ ? nlohmann::json(eval.size()) : nlohmann::json(nullptr)},
        {"eval_return_mean", OrNull(eval_mean)},
        {"eval_return_std", OrNull(eval_std)},
        {"loss", OrNull(stats.loss_mean)},
        {"q_mean", OrNull(stats.q_mean)},
        {"epsilon", stats.epsilon},
    };
    if (teacher_score_)
      // reincarnation (QDagger): the score as a fraction of the teacher's
      metrics["eval_teacher_normalized"] = eval_mean && *teacher_score_ != 0.0
                                               ? nlohmann::json(*eval_mean / *teacher_score_)
                                               : nlohmann::json(nullptr);
    for (const auto& [name, value] : per_task.items()) metrics[name] = value;
    for (const auto& [name, value] : stats.diagnostics)
      metrics[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
    dir_.AppendIteration(metrics, iteration_, train_episodes_, eval);
    hook_.Fire("logged", iteration_);
    last_return_ = evaluate_ ? eval_mean : train_mean;
    ++iteration_;
    step_in_iteration_ = 0;
    train_done_ = false;
    train_seconds_ = 0.0;
    train_episodes_.clear();
    Checkpoint();
    ShowProgress("done", /*force=*/true);
  }

  RunResult Stop() {
    progress_.Finish();
    const int signal = g_stop_signal.load();
    const std::string message = fmt::format(
        "stopped by {} at iteration {}, {} env steps; continue with: qlab train --resume {}",
        signal == SIGTERM ? "SIGTERM" : "SIGINT", iteration_, env_steps_, dir_.path());
    dir_.WriteStatus("stopped: " + message);
    return {RunOutcome::kInterrupted, message};
  }

  void ShowProgress(const char* phase, bool force = false) {
    progress_.Update(
        [&] {
          const double elapsed = Seconds(session_start_, Clock::now());
          const double rate = (env_steps_ - session_start_steps_) / std::max(elapsed, 1e-9);
          const double left = static_cast<double>(iterations_ * training_steps_ - env_steps_);
          return fmt::format(
              "iter {}/{} {:5s} | {} env steps | {:.0f} steps/s | {} updates | ETA {} | return {}",
              std::min(iteration_ + 1, iterations_), iterations_, phase, env_steps_, rate,
              agent_->updates(), FormatDuration(left / std::max(rate, 1e-9)),
              last_return_ ? fmt::format("{:.2f}", *last_return_) : "-");
        },
        force);
  }

  const Config& config_;
  RunOptions options_;
  RunDir dir_;
  std::string env_name_;
  uint64_t seed_;
  int64_t iterations_, training_steps_;
  int num_envs_;
  int eval_envs_ = 1;  // eval.num_envs, rounded up to a multiple of the tasks
  bool evaluate_;
  Progress progress_;
  TestHook hook_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<AnyVecEnv> env_;
  std::unique_ptr<Agent> agent_;
  StepBatch current_, next_;
  ActionBatch actions_;
  std::vector<uint8_t> episode_start_;
  Rng act_rng_;

  int64_t iteration_ = 0, step_in_iteration_ = 0, env_steps_ = 0;
  bool train_done_ = false;
  double wall_s_ = 0.0, train_seconds_ = 0.0;
  std::vector<EpisodeRecord> train_episodes_;
  std::optional<double> last_return_;
  std::optional<double> teacher_score_;  // with teacher.run
  Clock::time_point session_start_ = Clock::now();
  int64_t session_start_steps_ = 0;
};

}  // namespace

int RunResult::exit_code() const {
  switch (outcome) {
    case RunOutcome::kDone:
      return 0;
    case RunOutcome::kDiverged:
      return 3;
    case RunOutcome::kInterrupted:
      return 130;
  }
  return 1;
}

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

RunResult RunTraining(const Config& config, const RunOptions& options) {
  g_stop_signal.store(0);
  Runner runner(config, options);
  return runner.Run();
}

}  // namespace qlab

// qlab rollout: plays a fixed policy (uniform random, or actions from a file) and reports return
// and length statistics; --trace writes every step of one episode as JSON lines.
//
// Episodes are split evenly over the parallel envs in advance (env i plays its own quota), so the
// sample is not biased towards short episodes, and the result is a function of (env, seed,
// num_envs, episodes) only, never of thread counts.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/stats/summary.h"

namespace qlab::cli {
namespace {

struct RolloutArgs {
  std::string env;
  std::string policy = "random";
  int episodes = 100;
  uint64_t seed = 0;
  int num_envs = 16;
  int threads = 1;
  bool json = false;
  std::string trace;
};

nlohmann::json SummaryJson(const stats::Summary& s) {
  return {{"mean", s.mean},     {"std", s.std}, {"se", s.se},
          {"median", s.median}, {"p05", s.p05}, {"p95", s.p95}};
}

// A policy: random, or a list of actions read from a file (single env only).
class Policy {
 public:
  Policy(const std::string& text, const EnvSpec& spec, uint64_t seed, int num_envs) {
    if (text == "random") {
      for (int i = 0; i < num_envs; ++i)
        rngs_.emplace_back(DeriveSeed(seed, StreamId("policy") + i));
    } else if (text.rfind("actions:", 0) == 0) {
      if (!spec.action_space.discrete())
        throw UserError(fmt::format("--policy actions:FILE lists action indices; {} has {} actions",
                                    spec.id, DescribeActions(spec)));
      actions_ = ReadActionsFile(text.substr(8), static_cast<uint32_t>(spec.action_space.n));
    } else {
      throw UserError(fmt::format("unknown policy '{}' (valid: random, actions:FILE)", text));
    }
  }
  bool scripted() const { return rngs_.empty(); }
  bool exhausted() const { return scripted() && next_ >= actions_.size(); }
  size_t used() const { return next_; }
  size_t available() const { return actions_.size(); }
  // random: row i from env i's stream (independent of the thread count); scripted: the next index
  void Fill(ActionBatch& actions) {
    for (size_t i = 0; i < rngs_.size(); ++i) actions.RandomizeRow(static_cast<int>(i), rngs_[i]);
    if (scripted())
      for (auto& a : actions.index) a = actions_[next_++];
  }

 private:
  std::vector<Rng> rngs_;
  std::vector<int32_t> actions_;
  size_t next_ = 0;
};

void RunTrace(const RolloutArgs& args, const ResolvedEnv& resolved) {
  auto env = BuiltinEnvs().Make(resolved.canonical, {.num_envs = 1, .seed = args.seed});
  const EnvSpec& spec = env->spec();
  Policy policy(args.policy, spec, args.seed, 1);
  std::ofstream out(args.trace);
  if (!out) throw UserError(fmt::format("cannot write trace file '{}'", args.trace));
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  out << nlohmann::json{{"t", -1}, {"obs", ObsJson(spec, {batch.obs.data(), batch.obs_bytes})}}
             .dump()
      << '\n';
  ActionBatch action(*env);
  int t = 0;
  bool done = false;
  while (!done && !policy.exhausted()) {
    policy.Fill(action);
    action.StepOn(*env, batch);
    done = batch.done(0);
    // the observation that followed the action: the final one if the episode ended here
    const auto& obs = done ? batch.final_obs : batch.obs;
    out << nlohmann::json{{"t", t},
                          {"action", spec.action_space.discrete() ? nlohmann::json(action.index[0])
                                                                  : nlohmann::json(action.box)},
                          {"obs", ObsJson(spec, {obs.data(), batch.obs_bytes})},
                          {"reward", batch.reward[0]},
                          {"terminated", batch.terminated[0] != 0},
                          {"truncated", batch.truncated[0] != 0}}
               .dump()
        << '\n';
    ++t;
  }
  out.flush();
  if (!out) throw UserError(fmt::format("writing trace file '{}' failed (disk full?)", args.trace));
  if (!done)
    fmt::print(stderr, "qlab: trace stopped after {} actions; the episode did not end\n", t);
  else if (policy.scripted() && policy.used() < policy.available())
    fmt::print(stderr, "qlab: episode ended after {} of {} actions\n", policy.used(),
               policy.available());
  if (!args.json) fmt::print("wrote {} steps to {}\n", t, args.trace);
}

void RunRollout(const RolloutArgs& args) {
  const ResolvedEnv resolved = BuiltinEnvs().Resolve(args.env);
  if (!args.trace.empty()) return RunTrace(args, resolved);

  const bool scripted = args.policy != "random";
  const int num_envs = scripted ? 1 : std::min(args.num_envs, args.episodes);
  ThreadPool pool(args.threads == 0 ? DefaultThreadCount() : args.threads);
  auto env = BuiltinEnvs().Make(resolved.canonical,
                                {.num_envs = num_envs, .seed = args.seed, .pool = &pool});
  Policy policy(args.policy, env->spec(), args.seed, num_envs);

  std::vector<int> quota(num_envs);
  for (int i = 0; i < num_envs; ++i)
    quota[i] = args.episodes / num_envs + (i < args.episodes % num_envs);
  std::vector<double> returns, lengths;
  StepBatch batch = env->MakeBatch();
  ActionBatch actions(*env);
  env->Reset(batch);
  int64_t steps = 0;
  const bool progress = !args.json && isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  while (static_cast<int>(returns.size()) < args.episodes) {
    if (policy.exhausted())
      throw UserError(fmt::format("actions file ran out after {} actions and {} of {} episodes",
                                  policy.used(), returns.size(), args.episodes));
    policy.Fill(actions);
    actions.StepOn(*env, batch);
    steps += num_envs;
    for (int i = 0; i < num_envs; ++i) {
      if (!batch.done(i) || quota[i] == 0) continue;
      --quota[i];
      returns.push_back(batch.episode_return[i]);
      lengths.push_back(batch.episode_length[i]);
    }
    if (progress && (steps & 0xfff) < num_envs) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::milliseconds(500)) {
        last_report = now;
        const double seconds = std::chrono::duration<double>(now - start).count();
        fmt::print(stderr, "\r{} / {} episodes, {:.3g} steps/s", returns.size(), args.episodes,
                   steps / seconds);
      }
    }
  }
  if (progress && last_report != start) fmt::print(stderr, "\r\033[K");
  // steps counts every env's steps, including envs past their quota
  const stats::Summary ret = stats::Summarize(returns), len = stats::Summarize(lengths);
  if (args.json) {
    nlohmann::json out = {{"env", resolved.entry->name}, {"params", ParamsJson(resolved)},
                          {"episodes", ret.count},       {"steps", steps},
                          {"return", SummaryJson(ret)},  {"length", SummaryJson(len)}};
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{}\n  policy {}, {} episodes, {} env steps, seed {}\n", resolved.canonical,
             args.policy, ret.count, steps, args.seed);
  fmt::print("  {:<8}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "", "mean", "std", "se", "median",
             "p05", "p95");
  for (const auto& [name, s] : {std::pair{"return", ret}, std::pair{"length", len}})
    fmt::print("  {:<8}{:>10.3f}{:>10.3f}{:>10.3f}{:>10.3f}{:>10.3f}{:>10.3f}\n", name, s.mean,
               s.std, s.se, s.median, s.p05, s.p95);
}

}  // namespace

void AddRolloutCommand(CLI::App& app) {
  auto args = std::make_shared<RolloutArgs>();
  auto* cmd =
      app.add_subcommand("rollout", "play a fixed policy and report return/length statistics");
  cmd->add_option("--env", args->env, "env name, e.g. 'minatar/breakout(sticky=0)'")->required();
  cmd->add_option("--policy", args->policy, "random | actions:FILE (one action index per line)");
  cmd->add_option("--episodes", args->episodes, "number of episodes")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "run seed")->check(IntAtLeast(0))->capture_default_str();
  cmd->add_option("--num-envs", args->num_envs, "parallel envs (random policy)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "stepping threads (0 = all cores)")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--trace", args->trace, "write one episode step by step to this JSON-lines file");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args] { RunRollout(*args); });
}

}  // namespace qlab::cli

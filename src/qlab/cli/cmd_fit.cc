// qlab fit DB --threshold J: scaling laws of a UTD sweep (src/qlab/scaling, docs/scaling.md).
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/core/toml_parse.h"
#include "qlab/scaling/fit_report.h"
#include "qlab/scaling/scaling_fit.h"
#include "qlab/sweep/results_db.h"

namespace qlab::cli {
namespace {

struct FitArgs {
  std::string db, env, metric, sigma_key, batch_key = "agent.batch_size", lr_key = "agent.lr";
  std::string html;
  scaling::FitOptions options;
  bool json = false;
};

double NumberAt(const toml::table& config, const std::string& key) {
  const auto node = config.at_path(key);
  if (const auto value = node.value<double>()) return *value;
  return 0.0;
}

// sigma = updates per env step: the key given, else agent.updates_per_step / agent.update_period
double Sigma(const toml::table& config, const std::string& key, const std::string& run) {
  if (!key.empty()) {
    const double sigma = NumberAt(config, key);
    if (sigma <= 0) throw UserError(fmt::format("qlab fit: run {} has no number at {}", run, key));
    return sigma;
  }
  const double updates = NumberAt(config, "agent.updates_per_step");
  if (updates <= 0)
    throw UserError(fmt::format(
        "qlab fit: run {} has no agent.updates_per_step; name the UTD key with --sigma-key", run));
  const double period = NumberAt(config, "agent.update_period");
  return period > 0 ? updates / period : updates;
}

void RunFit(const FitArgs& args) {
  const sweep::ResultsDb db(args.db, sweep::ResultsDb::Access::kReadOnly);
  std::map<std::string, std::pair<std::string, int64_t>> configs;  // id -> config text, N
  const auto rows = db.Query("SELECT id, config, parameters FROM runs").rows;
  for (const auto& row : rows)
    configs[sweep::DbValueText(row[0])] = {
        sweep::DbValueText(row[1]),
        std::holds_alternative<int64_t>(row[2]) ? std::get<int64_t>(row[2]) : 0};

  const auto runs = db.Runs();
  std::set<std::string> envs;
  for (const auto& run : runs)
    if (run.status == "done") envs.insert(run.env);
  if (envs.empty())
    throw UserError(fmt::format("qlab fit: {} has no finished runs (qlab sweep status)", args.db));
  std::string env = args.env;
  if (env.empty()) {
    if (envs.size() > 1)
      throw UserError(fmt::format("qlab fit: {} holds runs of {} envs ({}); choose one with --env",
                                  args.db, envs.size(), fmt::join(envs, ", ")));
    env = *envs.begin();
  } else if (!envs.contains(env)) {
    throw UserError(fmt::format("qlab fit: no finished runs of env '{}' in {} (envs: {})", env,
                                args.db, fmt::join(envs, ", ")));
  }

  std::vector<scaling::FitRun> fit_runs;
  std::string metric = args.metric;
  int unfinished = 0;
  for (const auto& run : runs) {
    if (run.env != env) continue;
    if (run.status != "done") {
      ++unfinished;
      continue;
    }
    const std::string key = metric.empty() ? run.score_key : metric;
    if (metric.empty()) metric = key;
    const auto column = run.metrics.find(key);
    if (column == run.metrics.end())
      throw UserError(fmt::format("qlab fit: run {} has no metric '{}'", run.id, key));
    const auto& [config_text, parameters] = configs.at(run.id);
    const toml::table config = ParseToml(config_text, run.id + " config");
    scaling::FitRun fit_run;
    fit_run.config = run.label;
    fit_run.seed = run.seed;
    fit_run.sigma = Sigma(config, args.sigma_key, run.id);
    fit_run.batch_size = NumberAt(config, args.batch_key);
    fit_run.lr = NumberAt(config, args.lr_key);
    fit_run.parameters = static_cast<double>(parameters);
    fit_run.env_steps.assign(run.env_steps.begin(), run.env_steps.end());
    fit_run.score = column->second;
    fit_runs.push_back(std::move(fit_run));
  }
  const auto fits = scaling::FitScaling(fit_runs, args.options);
  const scaling::FitContext context{args.db,
                                    env,
                                    metric,
                                    static_cast<int>(fit_runs.size()),
                                    args.options.smooth,
                                    args.options.bootstrap};
  if (args.json) {
    fmt::print("{}\n", scaling::FitJson(fits, context).dump(2));
  } else {
    fmt::print("{}", scaling::FitText(fits, context));
    if (unfinished > 0) fmt::print("  note: {} unfinished runs of {} left out\n", unfinished, env);
  }
  if (!args.html.empty()) {
    const auto problems = scaling::WriteFitReport(fits, context, args.html);
    for (const auto& problem : problems) fmt::print(stderr, "qlab fit: {}\n", problem);
    fmt::print(stderr, "qlab fit: wrote {}\n", args.html);
  }
}

}  // namespace

void AddFitCommand(CLI::App& app) {
  auto args = std::make_shared<FitArgs>();
  auto* cmd = app.add_subcommand(
      "fit",
      "scaling laws of a UTD sweep: D_J(sigma), compute frontier, budgets (docs/scaling.md)");
  cmd->add_option("db", args->db, "results database of a sweep (OUT/results.db)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--threshold,-J", args->options.thresholds,
                  "return(s) J to reach (repeat, or comma-separated)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--env", args->env, "the env to fit (when the sweep has several)");
  cmd->add_option("--metric", args->metric, "curve metric (default: each run's score)");
  cmd->add_option("--sigma-key", args->sigma_key,
                  "config key of the UTD ratio (default: agent.updates_per_step / "
                  "agent.update_period)");
  cmd->add_option("--batch-key", args->batch_key, "config key of the batch size")
      ->capture_default_str();
  cmd->add_option("--lr-key", args->lr_key, "config key of the learning rate")
      ->capture_default_str();
  cmd->add_option("--smooth", args->options.smooth, "moving-average window (iterations)")
      ->capture_default_str();
  cmd->add_option("--bootstrap", args->options.bootstrap, "bootstrap replicates over seeds")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "bootstrap seed")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--holdout", args->options.holdout,
                  "sigma(s) left out of the check fit (default: the largest)")
      ->delimiter(',');
  cmd->add_flag("--no-holdout", args->options.no_holdout, "no extrapolation check");
  cmd->add_option("--delta", args->options.deltas,
                  "cost of one env step in compute units, for F = C + delta D (repeat)")
      ->delimiter(',');
  cmd->add_flag("--json", args->json, "print one JSON document");
  cmd->add_option("-o,--output", args->html, "write an HTML report with the figures");
  args->options.smooth = 3;
  cmd->callback([args] { RunFit(*args); });
}

}  // namespace qlab::cli

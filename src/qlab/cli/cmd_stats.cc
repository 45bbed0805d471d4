// qlab stats FILE...: aggregate metrics with bootstrap CIs from score files (one per algorithm),
// optional P(improvement) between every pair and performance profiles. docs/statistics.md.
//
// Random streams: each kind of estimate (aggregates, profiles, P(improvement)) starts a fresh
// stream from --seed and consumes it over the algorithms (pairs) in command-line order. With
// --rng numpy-legacy this equals calling np.random.seed(seed) before each rliable call with the
// algorithms in the same order.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/stats/improvement.h"
#include "qlab/stats/normalize.h"
#include "qlab/stats/profiles.h"
#include "qlab/stats/score_io.h"

namespace qlab::cli {
namespace {

struct StatsArgs {
  std::vector<std::string> files;
  BootstrapArgs boot;
  bool json = false, compare = false;
  std::string profile, profile_kind = "run", normalize;
  double gamma = 1.0;
};

struct Algorithm {
  std::string name;
  stats::ScoreMatrix scores;
};

std::string Interval(const stats::Estimate& e) {
  return fmt::format("{:.4g} [{:.4g}, {:.4g}]", e.point, e.lo, e.hi);
}

// One estimate as {"point", "ci": [lo, hi]}; several (curve points, taus) as
// {"point": [...], "ci": [[lo...], [hi...]]} (rliable's 2 x P layout).
nlohmann::json EstimatesJson(const std::vector<stats::Estimate>& per_point, bool as_list = false) {
  if (per_point.size() == 1 && !as_list)
    return EstimateJson(per_point[0].point, per_point[0].lo, per_point[0].hi);
  nlohmann::json point = nlohmann::json::array(), lo = nlohmann::json::array(),
                 hi = nlohmann::json::array();
  for (const auto& e : per_point) {
    point.push_back(e.point);
    lo.push_back(e.lo);
    hi.push_back(e.hi);
  }
  return {{"point", point}, {"ci", {lo, hi}}};
}

void RunStats(const StatsArgs& args) {
  const stats::BootstrapOptions options = args.boot.Options();
  const stats::RngKind rng = stats::ParseRngKind(args.boot.rng);
  const stats::ProfileKind profile_kind = [&] {
    if (args.profile_kind == "run") return stats::ProfileKind::kRunScore;
    if (args.profile_kind == "average") return stats::ProfileKind::kAverageScore;
    throw UserError(
        fmt::format("--profile-kind must be run or average, got '{}'", args.profile_kind));
  }();
  const std::vector<double> taus =
      args.profile.empty() ? std::vector<double>{} : stats::ParseTauGrid(args.profile);

  const bool normalize = !args.normalize.empty() && args.normalize != "none";
  const stats::ReferenceTable references =
      normalize ? stats::ReferenceTableOption(args.normalize) : stats::ReferenceTable{};
  std::vector<Algorithm> algorithms;
  for (const auto& file : args.files) {
    Algorithm a{std::filesystem::path(file).stem().string(), stats::LoadScoreFile(file)};
    for (const auto& other : algorithms)
      if (other.name == a.name)
        throw UserError(
            fmt::format("two score files are named '{}': algorithms are keyed by file "
                        "stem, rename one",
                        a.name));
    if (normalize) a.scores = stats::NormalizeScores(a.scores, references);
    if (!algorithms.empty())
      stats::CheckSameTasks(algorithms[0].scores, algorithms[0].name, a.scores, a.name);
    algorithms.push_back(std::move(a));
  }

  nlohmann::json out = nlohmann::json::object();
  std::vector<std::string> table;
  const std::vector<stats::Metric> metric_names = stats::AllMetrics();

  auto stream = stats::MakeIndexStream(rng, args.boot.seed);
  for (const auto& a : algorithms) {
    stats::AggregateStatistic statistic(metric_names, args.gamma);
    const auto estimates = stats::StratifiedBootstrap(a.scores, statistic, options, *stream);
    nlohmann::json& entry = out[a.name];
    entry["runs"] = a.scores.runs();
    entry["tasks"] = a.scores.tasks();
    if (a.scores.is_curve()) entry["points"] = a.scores.points();
    std::string row = fmt::format("{:<16} {:>4} {:>5}", a.name, a.scores.runs(), a.scores.tasks());
    for (size_t m = 0; m < metric_names.size(); ++m) {
      std::vector<stats::Estimate> per_point;
      for (const auto& point : estimates) per_point.push_back(point[m]);
      entry[stats::MetricName(metric_names[m])] = EstimatesJson(per_point);
      row += fmt::format("  {:<28}", Interval(per_point.back()));
    }
    table.push_back(row);
  }

  if (!taus.empty()) {
    auto profile_stream = stats::MakeIndexStream(rng, args.boot.seed);
    for (const auto& a : algorithms) {
      if (a.scores.is_curve())
        throw UserError(
            fmt::format("--profile needs final scores (runs x tasks); {} holds curves", a.name));
      const auto profile =
          stats::PerformanceProfile(a.scores, taus, profile_kind, options, *profile_stream);
      nlohmann::json p = EstimatesJson(profile, /*as_list=*/true);
      p["tau"] = taus;
      p["kind"] = args.profile_kind;
      out[a.name]["profile"] = p;
    }
  }

  std::vector<std::string> comparisons;
  if (args.compare) {
    if (algorithms.size() < 2) throw UserError("--compare needs at least two score files");
    auto compare_stream = stats::MakeIndexStream(rng, args.boot.seed);
    nlohmann::json& poi = out["probability_of_improvement"];
    for (size_t i = 0; i < algorithms.size(); ++i)
      for (size_t j = i + 1; j < algorithms.size(); ++j) {
        const auto &x = algorithms[i], &y = algorithms[j];
        if (x.scores.is_curve() || y.scores.is_curve())
          throw UserError("--compare needs final scores (runs x tasks), not curves");
        const stats::Estimate e =
            stats::ProbabilityOfImprovementCi(x.scores, y.scores, options, *compare_stream);
        poi[x.name][y.name] = EstimateJson(e.point, e.lo, e.hi);
        comparisons.push_back(fmt::format("P({} > {}) = {}", x.name, y.name, Interval(e)));
      }
  }

  if (args.json) {
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{:.0f}% CIs, {} bootstrap ({} reps, rng {}, seed {}){}\n", 100 * args.boot.ci,
             args.boot.method, args.boot.reps, args.boot.rng, args.boot.seed,
             algorithms[0].scores.is_curve() ? "; curves: last point shown" : "");
  fmt::print("{:<16} {:>4} {:>5}  {:<28}  {:<28}  {:<28}  {:<28}\n", "algorithm", "runs", "tasks",
             "mean", "median", "iqm", "optimality_gap");
  for (const auto& row : table) fmt::print("{}\n", row);
  for (const auto& line : comparisons) fmt::print("{}\n", line);
  if (!taus.empty())
    for (const auto& a : algorithms) {
      fmt::print("profile {} ({}-score):", a.name, args.profile_kind);
      const auto& p = out[a.name]["profile"];
      for (size_t i = 0; i < taus.size(); ++i)
        fmt::print(" {:g}:{:.3f}", taus[i], p["point"][i].get<double>());
      fmt::print("\n");
    }
}

}  // namespace

void AddStatsCommand(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "aggregate metrics (mean, median, IQM, optimality gap) with bootstrap CIs");
  cmd->add_option("files", args->files,
                  "score files, one per algorithm: CSV (header of tasks, a row per run) or JSON")
      ->required();
  AddBootstrapFlags(cmd, args->boot);
  cmd->add_flag("--json", args->json, "print one JSON object keyed by file stem");
  cmd->add_flag("--compare", args->compare, "add P(X > Y) for every pair, in file order");
  cmd->add_option("--profile", args->profile,
                  "performance profile at taus 'a,b,c' or 'start:stop:count'");
  cmd->add_option("--profile-kind", args->profile_kind, "run (run-score) | average (average-score)")
      ->capture_default_str();
  cmd->add_option("--gamma", args->gamma, "optimality-gap threshold")->capture_default_str();
  cmd->add_option("--normalize", args->normalize,
                  "normalise scores: 'builtin' reference table, 'none', or a JSON table FILE");
  cmd->callback([args] { RunStats(*args); });
}

}  // namespace qlab::cli

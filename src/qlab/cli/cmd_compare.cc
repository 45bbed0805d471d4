// qlab compare A_DIRS -- B_DIRS: is agent A better than agent B? Prints P(A > B) over the shared
// envs, the IQM difference with its CI, and AdaStop's verdict per env (Mathieu et al. 2023),
// which says whether the seeds at hand decide the question or how many more each agent needs.
#include <fmt/format.h>

#include <map>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/report/runs.h"
#include "qlab/stats/adastop.h"
#include "qlab/stats/improvement.h"
#include "qlab/stats/normalize.h"

namespace qlab::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> a_dirs, b_dirs;
  BootstrapArgs boot;
  stats::AdaStopOptions adastop;
  std::string normalize = "builtin";
  bool json = false;
};

void RunCompare(CompareArgs args) {
  if (args.b_dirs.empty())
    throw UserError("compare: give B's run dirs after '--' (A_DIRS -- B_DIRS)");
  const stats::BootstrapOptions options = args.boot.Options();
  const stats::RngKind rng = stats::ParseRngKind(args.boot.rng);
  args.adastop.Validate(2);

  // one label per side, whatever the runs were called
  report::RunSet all;
  for (const auto& [side, dirs] : {std::pair{"A", &args.a_dirs}, std::pair{"B", &args.b_dirs}}) {
    report::RunSet set = report::LoadRuns(*dirs);
    for (auto& run : set.runs) {
      run.label = side;
      all.runs.push_back(std::move(run));
    }
    all.problems.insert(all.problems.end(), set.problems.begin(), set.problems.end());
  }
  const auto groups = report::GroupRuns(all);
  std::vector<std::string> envs;
  for (const auto& g : groups)
    if (g.label == "A" && report::FindGroup(groups, "B", g.env)) envs.push_back(g.env);
  if (envs.empty()) throw UserError("compare: A and B share no env");

  std::map<std::string, stats::ReferenceScores> references;
  const stats::ReferenceTable table = stats::ReferenceTableOption(args.normalize);
  for (const auto& env : envs)
    if (auto ref = stats::FindReference(table, env)) references[env] = *ref;
  if (references.size() != envs.size()) references.clear();  // raw unless every env has one
  const auto transform = [&](const std::string& env, double score) {
    return references.empty() ? score : stats::Normalize(score, references.at(env));
  };
  const stats::ScoreMatrix a = report::LabelScores(groups, "A", envs, false, transform);
  const stats::ScoreMatrix b = report::LabelScores(groups, "B", envs, false, transform);

  auto stream = stats::MakeIndexStream(rng, args.boot.seed);
  const stats::Estimate poi = stats::ProbabilityOfImprovementCi(a, b, options, *stream);
  stats::AggregateDifferenceStatistic iqm_difference(stats::Metric::kIqm);
  const stats::Estimate diff =
      stats::IndependentBootstrap(a, b, iqm_difference, options, *stream)[0];

  nlohmann::json out = {{"envs", envs},
                        {"runs", {{"A", a.runs()}, {"B", b.runs()}}},
                        {"normalized", !references.empty()},
                        {"probability_of_improvement", EstimateJson(poi.point, poi.lo, poi.hi)},
                        {"iqm_difference", EstimateJson(diff.point, diff.lo, diff.hi)}};
  std::vector<std::string> lines;
  bool need_more = false;
  for (const auto& env : envs) {
    std::vector<std::vector<double>> scores(2);
    for (int side = 0; side < 2; ++side) {
      const report::RunGroup* group = report::FindGroup(groups, side == 0 ? "A" : "B", env);
      for (const auto* run : group->runs)
        scores[side].push_back(run->scores[group->iterations - 1]);
    }
    const stats::AdaStop test = stats::RunAdaStop(scores, args.adastop);
    std::string verdict;
    nlohmann::json entry = {{"scores_used", test.scores_used()},
                            {"interims", test.interims_done()},
                            {"boundary", test.boundary()}};
    if (test.done()) {
      const auto d = test.decisions()[0];
      entry["decision"] = stats::AdaStopDecisionName(d);
      verdict = d == stats::AdaStopDecision::kEqual
                    ? fmt::format("no significant difference ({} seeds each)", test.scores_used())
                    : fmt::format("A is {} than B (decided with {} seeds each)",
                                  stats::AdaStopDecisionName(d), test.scores_used());
    } else {
      need_more = true;
      const int needed = (test.interims_done() + 1) * args.adastop.n;
      entry["decision"] = "continue";
      entry["seeds_needed"] = needed;
      verdict = fmt::format(
          "undecided after {} interim(s): run A and B to {} seeds each (have {} and {})",
          test.interims_done(), needed, scores[0].size(), scores[1].size());
    }
    out["adastop"][env] = entry;
    lines.push_back(fmt::format("  {:<28} {}", env, verdict));
  }
  out["need_more_seeds"] = need_more;
  out["problems"] = all.problems;

  if (args.json) {
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("A: {} runs, B: {} runs per env; {} shared env(s); {} scores\n", a.runs(), b.runs(),
             envs.size(), references.empty() ? "raw" : "normalised");
  fmt::print("P(A > B)          = {:.3f} [{:.3f}, {:.3f}]\n", poi.point, poi.lo, poi.hi);
  fmt::print("IQM(A) - IQM(B)   = {:.4g} [{:.4g}, {:.4g}]\n", diff.point, diff.lo, diff.hi);
  fmt::print("AdaStop (alpha {}, {} seeds per interim, at most {} interims):\n", args.adastop.alpha,
             args.adastop.n, args.adastop.K);
  for (const auto& line : lines) fmt::print("{}\n", line);
  fmt::print("verdict: {}\n", need_more ? "more seeds needed (see above)" : "decided on every env");
  for (const auto& p : all.problems) fmt::print("  note: {}\n", p);
}

}  // namespace

void AddCompareCommand(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd =
      app.add_subcommand("compare", "A vs B: P(improvement), IQM difference, AdaStop verdict");
  cmd->add_option("a_dirs", args->a_dirs, "A's run dirs, then '--', then B's")->required();
  cmd->add_option("--against", args->b_dirs, "B's run dirs (what follows '--')");
  AddBootstrapFlags(cmd, args->boot);
  cmd->add_option("--n", args->adastop.n, "AdaStop: seeds per agent per interim")
      ->capture_default_str();
  cmd->add_option("--interims", args->adastop.K, "AdaStop: maximum interims K")
      ->capture_default_str();
  cmd->add_option("--alpha", args->adastop.alpha, "AdaStop: family-wise error level")
      ->capture_default_str();
  cmd->add_option("--permutations", args->adastop.B, "AdaStop: permutations B")
      ->capture_default_str();
  cmd->add_option("--normalize", args->normalize, "builtin | none | a JSON table FILE")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args] { RunCompare(*args); });
}

}  // namespace qlab::cli

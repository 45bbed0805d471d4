#include "qlab/report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "qlab/core/errors.h"
#include "qlab/report/html.h"
#include "qlab/stats/aggregates.h"
#include "qlab/stats/improvement.h"
#include "qlab/stats/normalize.h"
#include "qlab/stats/profiles.h"

namespace qlab::report {
namespace fs = std::filesystem;
namespace {

std::string Escape(const std::string& text) { return HtmlEscape(text); }

std::string Cell(const stats::Estimate& e) {
  return fmt::format("{:.3g} <span class=ci>[{:.3g}, {:.3g}]</span>", e.point, e.lo, e.hi);
}

std::string FileSafe(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// The report's state: groups, the labels and envs they span, and the page being built.
class Builder {
 public:
  Builder(const RunSet& set, std::string html_path, const ReportOptions& options)
      : html_path_(std::move(html_path)), options_(options), groups_(GroupRuns(set)) {
    files_dir_ = fs::path(html_path_).replace_extension("").string() + "_files";
    for (const auto& g : groups_) {
      labels_.insert(g.label);
      envs_.insert(g.env);
    }
    summary_.problems = set.problems;
    for (const auto& g : groups_)
      for (const RunData* r : g.partial)
        summary_.problems.push_back(
            fmt::format("{}: {} of {} iterations, left out of {} / {} (final scores and curves)",
                        r->dir, r->scores.size(), g.iterations, g.label, g.env));
    summary_.groups = static_cast<int>(groups_.size());
    summary_.runs = static_cast<int>(set.runs.size());
  }

  ReportSummary Build() {
    fs::create_directories(files_dir_);
    SetUpNormalisation();
    if (!common_envs_.empty())
      for (const auto& label : labels_) final_scores_[label] = LabelMatrix(label, false);
    std::string body;
    body += Overview();
    body += AggregateSection();
    body += FinalScoreSection();
    body += CurveSection();
    body += DiagnosticsSection();
    body += ProfileSection();
    body += ImprovementSection();
    body += ProblemSection();
    WritePage(body);
    return summary_;
  }

 private:
  const RunGroup* Find(const std::string& label, const std::string& env) const {
    return FindGroup(groups_, label, env);
  }

  std::unique_ptr<stats::IndexStream> Stream() const {
    return stats::MakeIndexStream(options_.rng, options_.seed);
  }

  stats::BootstrapOptions CurveOptions() const {
    stats::BootstrapOptions o = options_.bootstrap;
    o.reps = options_.curve_reps;
    o.task_bootstrap = false;
    return o;
  }

  // envs every label has: the tasks of cross-label statistics
  std::vector<std::string> CommonEnvs() const {
    std::vector<std::string> common;
    for (const auto& env : envs_)
      if (std::all_of(labels_.begin(), labels_.end(),
                      [&](const std::string& l) { return Find(l, env) != nullptr; }))
        common.push_back(env);
    return common;
  }

  void SetUpNormalisation() {
    common_envs_ = CommonEnvs();
    for (const auto& env : envs_)
      if (std::find(common_envs_.begin(), common_envs_.end(), env) == common_envs_.end())
        summary_.problems.push_back(fmt::format(
            "env {} is missing for some labels: left out of the cross-label statistics", env));
    if (options_.normalize == "none") return;
    const stats::ReferenceTable table = stats::ReferenceTableOption(options_.normalize);
    for (const auto& env : common_envs_) {
      const auto ref = stats::FindReference(table, env);
      if (!ref) {
        summary_.problems.push_back(fmt::format(
            "no reference score for {}: aggregates use raw returns (pass --normalize FILE)", env));
        references_.clear();
        return;
      }
      references_[env] = *ref;
    }
  }

  bool normalised() const { return !references_.empty(); }

  double Normalised(const std::string& env, double score) const {
    return normalised() ? stats::Normalize(score, references_.at(env)) : score;
  }

  stats::ScoreMatrix LabelMatrix(const std::string& label, bool curves) const {
    return LabelScores(
        groups_, label, common_envs_, curves,
        [this](const std::string& env, double score) { return Normalised(env, score); });
  }

  std::string Figure(const std::string& name, const PlotSpec& spec,
                     const std::vector<Series>& series) {
    const std::string svg = (fs::path(files_dir_) / (name + ".svg")).string();
    const size_t problems = summary_.problems.size();
    std::string html = FigureHtml(svg, spec, series, &summary_.problems);
    if (summary_.problems.size() == problems) summary_.plots.push_back(svg);
    return html;
  }

  std::string Overview() const {
    std::string html = fmt::format("<p>{} runs in {} groups; labels: {}; envs: {}.</p>\n",
                                   summary_.runs, summary_.groups, labels_.size(), envs_.size());
    const auto& b = options_.bootstrap;
    html += fmt::format(
        "<p class=note>Intervals: {:.0f}% stratified bootstrap ({}; {} reps for final scores, {} "
        "for curves and profiles; rng {}, seed {}). Final score = the last iteration every run of "
        "a group has, {}. Cross-label statistics use {} over the envs all labels share.</p>\n",
        100 * b.coverage, stats::CiMethodName(b.method), b.reps, options_.curve_reps,
        stats::RngKindName(options_.rng), options_.seed,
        "evaluation return when the runs evaluate, else training return",
        normalised() ? "scores normalised as (score - random) / (baseline - random)"
                     : "raw returns");
    return html;
  }

  std::string AggregateSection() {
    std::string html = "<h2 id=aggregates>Aggregate metrics</h2>\n";
    if (common_envs_.empty()) return html + "<p class=warn>no env is shared by every label</p>\n";
    html +=
        "<table><tr><th>label</th><th>runs</th><th>mean</th><th>median</th><th>IQM</th>"
        "<th>optimality gap</th></tr>\n";
    auto stream = Stream();
    for (const auto& label : labels_) {
      const stats::ScoreMatrix& m = final_scores_.at(label);
      stats::AggregateStatistic statistic(stats::AllMetrics());
      const auto e = stats::StratifiedBootstrap(m, statistic, options_.bootstrap, *stream)[0];
      html += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          Escape(label), m.runs(), Cell(e[0]), Cell(e[1]), Cell(e[2]), Cell(e[3]));
    }
    return html + "</table>\n";
  }

  std::string FinalScoreSection() {
    std::string html =
        "<h2 id=final>Final scores per env</h2>\n<p class=note>Mean return over runs with "
        "the CI of the mean (raw returns; n = runs).</p>\n<table><tr><th>env</th>";
    for (const auto& label : labels_) html += fmt::format("<th>{}</th>", Escape(label));
    html += "</tr>\n";
    auto stream = Stream();
    stats::AggregateStatistic mean({stats::Metric::kMean});
    for (const auto& env : envs_) {
      html += fmt::format("<tr><td>{}</td>", Escape(env));
      for (const auto& label : labels_) {
        const RunGroup* g = Find(label, env);
        if (!g) {
          html += "<td class=missing>missing</td>";
          continue;
        }
        stats::ScoreMatrix m(static_cast<int>(g->runs.size()), 1);
        for (size_t r = 0; r < g->runs.size(); ++r)
          m.at(r, 0) = g->runs[r]->scores[g->iterations - 1];
        const auto e = stats::StratifiedBootstrap(m, mean, options_.bootstrap, *stream)[0][0];
        html += fmt::format("<td>{} <span class=n>n={}</span></td>", Cell(e), m.runs());
      }
      html += "</tr>\n";
    }
    return html + "</table>\n";
  }

  std::string CurveSection() {
    std::string html = "<h2 id=curves>Learning curves</h2>\n";
    auto stream = Stream();
    stats::AggregateStatistic mean({stats::Metric::kMean});
    for (const auto& env : envs_) {
      std::vector<Series> series;
      std::string ylabel;
      for (const auto& label : labels_) {
        const RunGroup* g = Find(label, env);
        if (!g || g->iterations == 0) continue;
        ylabel = g->runs[0]->score_key;
        stats::ScoreMatrix m(static_cast<int>(g->runs.size()), 1, g->iterations);
        for (size_t r = 0; r < g->runs.size(); ++r)
          for (int l = 0; l < g->iterations; ++l) m.at(r, 0, l) = g->runs[r]->scores[l];
        const auto e = stats::StratifiedBootstrap(m, mean, CurveOptions(), *stream);
        Series s{fmt::format("{} (n={})", label, g->runs.size())};
        for (int l = 0; l < g->iterations; ++l) {
          s.x.push_back(static_cast<double>(g->runs[0]->env_steps[l]));
          s.y.push_back(e[l][0].point);
          s.lo.push_back(e[l][0].lo);
          s.hi.push_back(e[l][0].hi);
        }
        series.push_back(std::move(s));
      }
      html +=
          Figure("curve_" + FileSafe(env), {env, "env steps", ylabel + " (mean, 95% CI)"}, series);
    }
    if (!common_envs_.empty()) {
      std::vector<Series> series;
      stats::AggregateStatistic iqm({stats::Metric::kIqm});
      for (const auto& label : labels_) {
        const stats::ScoreMatrix m = LabelMatrix(label, true);
        const auto e = stats::StratifiedBootstrap(m, iqm, CurveOptions(), *stream);
        const RunData* first = Find(label, common_envs_[0])->runs[0];
        Series s{label};
        for (int l = 0; l < m.points(); ++l) {
          s.x.push_back(static_cast<double>(first->env_steps[l]));
          s.y.push_back(e[l][0].point);
          s.lo.push_back(e[l][0].lo);
          s.hi.push_back(e[l][0].hi);
        }
        series.push_back(std::move(s));
      }
      html += "<h3>Aggregate sample efficiency</h3>\n";
      html += Figure(
          "aggregate_iqm",
          {"IQM over envs", "env steps", normalised() ? "IQM normalised score" : "IQM return"},
          series);
    }
    return html;
  }

  // Network diagnostics the agents log (plasticity/diagnostics.h): mean over a label's runs with
  // a bootstrap CI, at the iterations where every run has the value.
  std::string DiagnosticsSection() {
    static const std::vector<std::pair<std::string, std::string>> kDiagnostics = {
        {"dormant", "dormant units (tau 0.1)"},
        {"dormant0", "dead units (tau 0)"},
        {"srank", "srank of the penultimate features"},
        {"feature_norm", "feature norm"},
        {"weight_norm", "weight norm"},
        {"grad_norm", "gradient norm"},
        {"sparsity", "pruned fraction"},
        {"fau", "fraction of active units"},
        {"reviewed_fraction", "batches reviewing old experience"},
        {"routing_entropy", "routing entropy (nats)"}};
    std::string html;
    auto stream = Stream();
    stats::AggregateStatistic mean({stats::Metric::kMean});
    for (const auto& [key, ylabel] : kDiagnostics)
      for (const auto& env : envs_) {
        std::vector<Series> series;
        for (const auto& label : labels_) {
          const RunGroup* g = Find(label, env);
          if (!g || g->iterations == 0) continue;
          std::vector<int> points;  // iterations where every run logged `key`
          for (int l = 0; l < g->iterations; ++l) {
            bool all = true;
            for (const RunData* run : g->runs) {
              const auto it = run->metrics.find(key);
              all = all && it != run->metrics.end() && l < static_cast<int>(it->second.size()) &&
                    std::isfinite(it->second[l]);
            }
            if (all) points.push_back(l);
          }
          if (points.empty()) continue;
          stats::ScoreMatrix m(static_cast<int>(g->runs.size()), 1,
                               static_cast<int>(points.size()));
          for (size_t r = 0; r < g->runs.size(); ++r)
            for (size_t i = 0; i < points.size(); ++i)
              m.at(r, 0, i) = g->runs[r]->metrics.at(key)[points[i]];
          const auto e = stats::StratifiedBootstrap(m, mean, CurveOptions(), *stream);
          Series s{fmt::format("{} (n={})", label, g->runs.size())};
          for (size_t i = 0; i < points.size(); ++i) {
            s.x.push_back(static_cast<double>(g->runs[0]->env_steps[points[i]]));
            s.y.push_back(e[i][0].point);
            s.lo.push_back(e[i][0].lo);
            s.hi.push_back(e[i][0].hi);
          }
          series.push_back(std::move(s));
        }
        if (series.empty()) continue;
        if (html.empty())
          html =
              "<h2 id=diagnostics>Network diagnostics</h2>\n<p class=note>Logged by the "
              "agent each iteration on a replay sample (docs/plasticity.md); mean over runs, "
              "95% CI.</p>\n";
        html += Figure("diag_" + key + "_" + FileSafe(env),
                       {env + ": " + ylabel, "env steps", ylabel}, series);
      }
    return html;
  }

  std::string ProfileSection() {
    std::string html = "<h2 id=profiles>Performance profiles</h2>\n";
    if (common_envs_.empty()) return html;
    double lo = 1e300, hi = -1e300;
    for (const auto& [label, m] : final_scores_)
      for (double v : m.data()) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    if (hi <= lo) hi = lo + 1;
    std::vector<double> taus;
    for (int i = 0; i <= 40; ++i) taus.push_back(lo + (hi - lo) * i / 40.0);
    auto stream = Stream();
    std::vector<Series> series;
    for (const auto& label : labels_) {
      const auto p = stats::PerformanceProfile(
          final_scores_.at(label), taus, stats::ProfileKind::kRunScore, CurveOptions(), *stream);
      Series s{label, taus};
      for (const auto& e : p) {
        s.y.push_back(e.point);
        s.lo.push_back(e.lo);
        s.hi.push_back(e.hi);
      }
      series.push_back(std::move(s));
    }
    return html +
           Figure("profile",
                  {"run-score distribution", normalised() ? "normalised score tau" : "return tau",
                   "fraction of runs with score > tau"},
                  series);
  }

  std::string ImprovementSection() {
    std::string html = "<h2 id=improvement>Probability of improvement</h2>\n";
    if (labels_.size() < 2 || common_envs_.empty())
      return html + "<p class=note>needs two labels sharing an env</p>\n";
    html +=
        "<p class=note>Row X, column Y: P(X &gt; Y), the probability that a run of X beats a "
        "run of Y on a random env (Mann-Whitney), with its CI.</p>\n<table><tr><th></th>";
    for (const auto& label : labels_) html += fmt::format("<th>{}</th>", Escape(label));
    html += "</tr>\n";
    auto stream = Stream();
    for (const auto& x : labels_) {
      html += fmt::format("<tr><th>{}</th>", Escape(x));
      for (const auto& y : labels_) {
        if (x == y) {
          html += "<td class=diag>-</td>";
          continue;
        }
        const auto e = stats::ProbabilityOfImprovementCi(final_scores_.at(x), final_scores_.at(y),
                                                         options_.bootstrap, *stream);
        const double shade = std::clamp(e.point, 0.0, 1.0);
        html += fmt::format("<td style=\"background: rgba({}, {}, 255, 0.25)\">{}</td>",
                            static_cast<int>(255 * (1 - shade)),
                            static_cast<int>(255 * (1 - shade)), Cell(e));
      }
      html += "</tr>\n";
    }
    return html + "</table>\n";
  }

  std::string ProblemSection() const {
    std::string html = "<h2 id=problems>Missing or partial runs</h2>\n";
    if (summary_.problems.empty()) return html + "<p>none</p>\n";
    html += "<ul>\n";
    for (const auto& p : summary_.problems) html += fmt::format("<li>{}</li>\n", Escape(p));
    return html + "</ul>\n";
  }

  void WritePage(const std::string& body) const { WriteHtmlPage(html_path_, options_.title, body); }

  std::string html_path_, files_dir_;
  const ReportOptions& options_;
  std::vector<RunGroup> groups_;
  std::set<std::string> labels_, envs_;
  std::vector<std::string> common_envs_;
  std::map<std::string, stats::ScoreMatrix> final_scores_;  // per label, over common_envs_
  std::map<std::string, stats::ReferenceScores> references_;
  ReportSummary summary_;
};

}  // namespace

ReportSummary WriteReport(const RunSet& runs, const std::string& html_path,
                          const ReportOptions& options) {
  if (runs.runs.empty()) throw UserError("no readable runs to report on");
  return Builder(runs, html_path, options).Build();
}

}  // namespace qlab::report

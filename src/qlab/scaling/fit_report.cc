#include "qlab/scaling/fit_report.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "qlab/core/errors.h"
#include "qlab/report/html.h"

namespace qlab::scaling {
namespace fs = std::filesystem;
using report::HtmlEscape;

namespace {

// 12.3k, 4.56M: env steps and compute
std::string Si(double value) {
  if (std::isinf(value)) return "not reached";
  if (!std::isfinite(value)) return "-";
  const double a = std::abs(value);
  if (a >= 1e15) return fmt::format("{:.3g}P", value / 1e15);
  if (a >= 1e12) return fmt::format("{:.3g}T", value / 1e12);
  if (a >= 1e9) return fmt::format("{:.3g}G", value / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", value / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}k", value / 1e3);
  return fmt::format("{:.3g}", value);
}

std::string WithCi(const Interval& i) {
  if (std::isnan(i.lo)) return Si(i.point);
  return fmt::format("{} [{}, {}]", Si(i.point), Si(i.lo), Si(i.hi));
}

std::string LawText(const DataLaw& law) {
  return fmt::format("D_min = {}, beta = {:.4g}, alpha = {:.3g}", Si(law.d_min), law.beta,
                     law.alpha);
}

nlohmann::json IntervalJson(const Interval& i) {
  const auto number = [](double v) -> nlohmann::json {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  return {{"point", number(i.point)}, {"lo", number(i.lo)}, {"hi", number(i.hi)}};
}

std::vector<double> LogGrid(double lo, double hi, int n) {
  std::vector<double> grid;
  for (int i = 0; i < n; ++i)
    grid.push_back(std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (n - 1)));
  return grid;
}

}  // namespace

std::string FitText(const std::vector<ThresholdFit>& fits, const FitContext& context) {
  std::string out = fmt::format(
      "qlab fit {}: {}, {} runs; curve {} (mean over seeds, smoothed over {} iterations), {} "
      "bootstrap replicates over seeds\n",
      context.source, context.env, context.runs, context.metric, context.smooth, context.bootstrap);
  for (const ThresholdFit& fit : fits) {
    out += fmt::format("\nJ = {:g}\n  {:>8} {:<44} {:>5} {:>30} {:>10}\n", fit.threshold, "sigma",
                       "config", "seeds", "D_J (95% CI)", "C_J");
    for (const auto& c : fit.configs)
      out += fmt::format("  {:>8g} {:<44} {:>5} {:>30} {:>10}{}\n", c.sigma, c.config, c.seeds,
                         WithCi(c.data), Si(c.compute), c.best ? "  *" : "");
    out += fmt::format(
        "  (* the best configuration at its sigma: the points of the fit)\n"
        "  D_J(sigma) = D_min + (beta/sigma)^alpha: {}   (log RMSE {:.3f})\n",
        LawText(fit.law), fit.law.rmse_log);
    if (fit.bootstrap_used > 0)
      out += fmt::format(
          "    95% CIs ({} replicates): D_min {}, beta [{:.4g}, {:.4g}], alpha "
          "[{:.3g}, {:.3g}]\n",
          fit.bootstrap_used, WithCi(fit.d_min), fit.beta.lo, fit.beta.hi, fit.alpha.lo,
          fit.alpha.hi);
    if (fit.check_law) {
      std::vector<std::string> fitted;
      for (double s : fit.fit_sigmas) fitted.push_back(fmt::format("{:g}", s));
      out += fmt::format("  extrapolation check: fit on sigma {{{}}}: {}\n",
                         fmt::join(fitted, ", "), LawText(*fit.check_law));
      for (const auto& h : fit.holdout)
        out += fmt::format("    held-out sigma {:g}: observed D_J {}, predicted {} ({:+.1f}%)\n",
                           h.sigma, Si(h.observed), Si(h.predicted), 100 * h.relative_error);
    }
    out += fmt::format("  compute C_J = sigma * B * N * D_J with B * N = {} per sample\n",
                       Si(fit.compute_per_sample));
    for (const auto& b : fit.budget)
      out += fmt::format("  budget F = C + {} * D: sigma* = {:.3g}, D = {}, C = {}, F = {}\n",
                         Si(b.delta), b.sigma, Si(b.data), Si(b.compute), Si(b.total));
    if (fit.batch_law)
      out += fmt::format("  best batch size B*(sigma) = {:.4g} * sigma^{:.3f}\n",
                         fit.batch_law->coef, fit.batch_law->exponent);
    if (fit.lr_law)
      out += fmt::format("  best learning rate eta*(sigma) = {:.4g} * sigma^{:.3f}\n",
                         fit.lr_law->coef, fit.lr_law->exponent);
    for (const auto& note : fit.notes) out += "  note: " + note + "\n";
  }
  return out;
}

nlohmann::json FitJson(const std::vector<ThresholdFit>& fits, const FitContext& context) {
  nlohmann::json out = {{"source", context.source},
                        {"env", context.env},
                        {"metric", context.metric},
                        {"runs", context.runs},
                        {"smooth", context.smooth},
                        {"bootstrap", context.bootstrap},
                        {"thresholds", nlohmann::json::array()}};
  const auto law_json = [](const DataLaw& law) {
    return nlohmann::json{
        {"d_min", law.d_min}, {"beta", law.beta}, {"alpha", law.alpha}, {"rmse_log", law.rmse_log}};
  };
  const auto power_json = [](const std::optional<PowerLaw>& law) -> nlohmann::json {
    if (!law) return nullptr;
    return {{"coef", law->coef}, {"exponent", law->exponent}, {"rmse_log", law->rmse_log}};
  };
  for (const ThresholdFit& fit : fits) {
    nlohmann::json t = {{"threshold", fit.threshold},
                        {"law", law_json(fit.law)},
                        {"ci",
                         {{"d_min", IntervalJson(fit.d_min)},
                          {"beta", IntervalJson(fit.beta)},
                          {"alpha", IntervalJson(fit.alpha)}}},
                        {"bootstrap_used", fit.bootstrap_used},
                        {"compute_per_sample", fit.compute_per_sample},
                        {"batch_law", power_json(fit.batch_law)},
                        {"lr_law", power_json(fit.lr_law)},
                        {"notes", fit.notes}};
    for (const auto& c : fit.configs)
      t["configs"].push_back({{"config", c.config},
                              {"sigma", c.sigma},
                              {"batch_size", c.batch_size},
                              {"lr", c.lr},
                              {"parameters", c.parameters},
                              {"seeds", c.seeds},
                              {"data", IntervalJson(c.data)},
                              {"compute", std::isfinite(c.compute) ? nlohmann::json(c.compute)
                                                                   : nlohmann::json(nullptr)},
                              {"best", c.best}});
    if (fit.check_law) {
      t["check"] = {{"fit_sigmas", fit.fit_sigmas}, {"law", law_json(*fit.check_law)}};
      for (const auto& h : fit.holdout)
        t["check"]["holdout"].push_back({{"sigma", h.sigma},
                                         {"observed", h.observed},
                                         {"predicted", h.predicted},
                                         {"relative_error", h.relative_error}});
    }
    // the fitted data-compute frontier over the swept sigma range (and a factor 2 beyond)
    for (double sigma : LogGrid(fit.configs.front().sigma / 2, fit.configs.back().sigma * 2, 25))
      t["frontier"].push_back({{"sigma", sigma},
                               {"data", fit.law(sigma)},
                               {"compute", sigma * fit.compute_per_sample * fit.law(sigma)}});
    for (const auto& b : fit.budget)
      t["budget"].push_back({{"delta", b.delta},
                             {"sigma", b.sigma},
                             {"data", b.data},
                             {"compute", b.compute},
                             {"total", b.total}});
    out["thresholds"].push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> WriteFitReport(const std::vector<ThresholdFit>& fits,
                                        const FitContext& context, const std::string& html_path) {
  const std::string files = fs::path(html_path).replace_extension("").string() + "_files";
  std::error_code error;
  fs::create_directories(files, error);
  if (error) throw UserError(fmt::format("cannot create '{}': {}", files, error.message()));
  std::vector<std::string> problems;
  std::string body = fmt::format(
      "<p class=note>{} &mdash; {}, {} runs; curve <code>{}</code>, mean over seeds, smoothed over "
      "{} iterations; 95% percentile intervals from {} bootstrap replicates over seeds. Laws of "
      "Rybkin et al. 2025, <i>Value-Based Deep RL Scales Predictably</i>.</p>\n<pre>{}</pre>\n",
      HtmlEscape(context.source), HtmlEscape(context.env), context.runs, HtmlEscape(context.metric),
      context.smooth, context.bootstrap, HtmlEscape(FitText(fits, context)));
  for (size_t j = 0; j < fits.size(); ++j) {
    const ThresholdFit& fit = fits[j];
    body += fmt::format("<h2>J = {:g}</h2>\n", fit.threshold);
    double lo = fit.configs.front().sigma, hi = fit.configs.back().sigma;
    const auto grid = LogGrid(lo / 2, hi * 2, 100);

    // D_J(sigma): every config's points, the fit, the check fit and the held-out points
    std::vector<report::Series> data_series;
    report::Series all{"configurations"}, best{"best per sigma"}, law{"fit: all"},
        check{"fit without held out"}, held{"held out"};
    all.points = best.points = held.points = true;
    all.color = 7;
    best.color = law.color = 0;
    check.color = held.color = 1;
    for (const auto& c : fit.configs) {
      if (!std::isfinite(c.data.point)) continue;
      report::Series& s = c.best ? best : all;
      s.x.push_back(c.sigma);
      s.y.push_back(c.data.point);
      s.lo.push_back(std::isfinite(c.data.lo) ? c.data.lo : c.data.point);
      s.hi.push_back(std::isfinite(c.data.hi) ? c.data.hi : c.data.point);
    }
    for (double s : grid) {
      law.x.push_back(s);
      law.y.push_back(fit.law(s));
      if (fit.check_law) {
        check.x.push_back(s);
        check.y.push_back((*fit.check_law)(s));
      }
    }
    for (const auto& h : fit.holdout) {
      held.x.push_back(h.sigma);
      held.y.push_back(h.observed);
    }
    data_series = {all, best, law};
    if (fit.check_law) data_series.insert(data_series.end(), {check, held});
    body += report::FigureHtml(fmt::format("{}/data_{}.svg", files, j),
                               {fmt::format("data to reach J = {:g}", fit.threshold),
                                "UTD ratio sigma", "env steps D_J", false, true, true},
                               data_series, &problems);

    // the data-compute Pareto frontier
    report::Series curve{"fit (sigma varies)"}, points{"best per sigma"};
    points.points = true;
    for (double s : grid) {
      curve.x.push_back(fit.law(s));
      curve.y.push_back(s * fit.compute_per_sample * fit.law(s));
    }
    for (const auto& c : fit.configs)
      if (c.best) {
        points.x.push_back(c.data.point);
        points.y.push_back(c.compute);
      }
    body += report::FigureHtml(fmt::format("{}/frontier_{}.svg", files, j),
                               {fmt::format("data-compute frontier, J = {:g}", fit.threshold),
                                "env steps D_J", "compute C_J (sigma B N D)", false, true, true},
                               {curve, points}, &problems);

    // hyperparameter laws
    for (const auto& [name, law_opt, field] :
         {std::tuple{"batch size", fit.batch_law, &ConfigPoint::batch_size},
          std::tuple{"learning rate", fit.lr_law, &ConfigPoint::lr}}) {
      if (!law_opt) continue;
      report::Series fitted{"power law"}, observed{"best per sigma"};
      observed.points = true;
      for (double s : grid) {
        fitted.x.push_back(s);
        fitted.y.push_back((*law_opt)(s));
      }
      for (const auto& c : fit.configs)
        if (c.best) {
          observed.x.push_back(c.sigma);
          observed.y.push_back(c.*field);
        }
      body +=
          report::FigureHtml(fmt::format("{}/{}_{}.svg", files, name[0] == 'b' ? "batch" : "lr", j),
                             {fmt::format("best {} vs sigma, J = {:g}", name, fit.threshold),
                              "UTD ratio sigma", name, false, true, true},
                             {fitted, observed}, &problems);
    }
  }
  if (!problems.empty()) {
    body += "<h2>Problems</h2><ul>\n";
    for (const auto& p : problems) body += fmt::format("<li>{}</li>\n", HtmlEscape(p));
    body += "</ul>\n";
  }
  report::WriteHtmlPage(html_path, "qlab fit: " + context.env, body);
  return problems;
}

}  // namespace qlab::scaling

// qlab's statistics (src/qlab/stats, statistics_spec.md) on numpy arrays. The public, rliable-
// shaped API is python/qlab/stats; this layer converts arrays and names and nothing else, so the
// numbers are exactly those of the C++ library and the CLI.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bindings.h"
#include "qlab/core/errors.h"
#include "qlab/stats/adastop.h"
#include "qlab/stats/aggregates.h"
#include "qlab/stats/bootstrap.h"
#include "qlab/stats/improvement.h"
#include "qlab/stats/normalize.h"
#include "qlab/stats/profiles.h"
#include "qlab/stats/summary.h"
#include "qlab/stats/thc.h"

namespace py = pybind11;

namespace qlab::python {
namespace {

using stats::BootstrapOptions;
using stats::Estimate;
using stats::ScoreMatrix;
using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A [runs x tasks] or [runs x tasks x points] score matrix from an array (rliable's layout).
ScoreMatrix Matrix(const Doubles& array, const std::string& what, bool allow_curves = true) {
  const bool shape_ok = array.ndim() == 2 || (allow_curves && array.ndim() == 3);
  if (!shape_ok || array.size() == 0) {
    std::string shape;
    for (py::ssize_t d = 0; d < array.ndim(); ++d)
      shape += fmt::format("{}{}", d ? ", " : "", array.shape(d));
    throw UserError(fmt::format("{} must be a non-empty [runs x tasks]{} array, got shape ({})",
                                what, allow_curves ? " or [runs x tasks x points]" : "", shape));
  }
  ScoreMatrix matrix(static_cast<int>(array.shape(0)), static_cast<int>(array.shape(1)),
                     array.ndim() == 3 ? static_cast<int>(array.shape(2)) : 1);
  std::copy(array.data(), array.data() + array.size(), &matrix.at(0, 0, 0));
  return matrix;
}

py::array_t<double> ToArray(const std::vector<double>& values) {
  return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
}

// The profile's thresholds (ProfileStatistic requires at least one).
const std::vector<double>& Taus(const std::vector<double>& taus) {
  if (taus.empty()) throw UserError("tau_list is empty: give at least one threshold");
  return taus;
}

BootstrapOptions Options(int reps, double coverage, const std::string& method,
                         bool task_bootstrap) {
  BootstrapOptions options;
  options.reps = reps;
  options.coverage = coverage;
  options.method = stats::ParseCiMethod(method);
  options.task_bootstrap = task_bootstrap;
  options.Validate();
  return options;
}

// (point, lo, hi), each [points x outputs].
py::tuple EstimateArrays(const std::vector<std::vector<Estimate>>& estimates) {
  const auto points = static_cast<py::ssize_t>(estimates.size());
  const auto outputs = static_cast<py::ssize_t>(estimates.empty() ? 0 : estimates[0].size());
  py::array_t<double> point({points, outputs}), lo({points, outputs}), hi({points, outputs});
  auto p = point.mutable_unchecked<2>(), l = lo.mutable_unchecked<2>(),
       h = hi.mutable_unchecked<2>();
  for (py::ssize_t i = 0; i < points; ++i)
    for (py::ssize_t j = 0; j < outputs; ++j) {
      p(i, j) = estimates[i][j].point;
      l(i, j) = estimates[i][j].lo;
      h(i, j) = estimates[i][j].hi;
    }
  return py::make_tuple(point, lo, hi);
}

std::string Repr(const py::handle& object) { return py::repr(object).cast<std::string>(); }

// A Python function of a [runs x tasks] array as a bootstrap statistic (rliable's `func`).
class CallableStatistic final : public stats::Statistic {
 public:
  CallableStatistic(py::function func, const ScoreMatrix& sample) : func_(std::move(func)) {
    outputs_ = static_cast<int>(Call(sample.Slice(0).view()).size());
    if (outputs_ == 0) throw UserError("the statistic function returned no values");
  }
  int num_outputs() const override { return outputs_; }
  void Compute(stats::MatrixView scores, std::span<double> out) override {
    const Doubles values = Call(scores);
    if (static_cast<int>(values.size()) != outputs_)
      throw UserError(fmt::format("the statistic function returned {} values, then {}", outputs_,
                                  values.size()));
    std::copy(values.data(), values.data() + outputs_, out.begin());
  }

 private:
  Doubles Call(stats::MatrixView scores) const {
    py::array_t<double> matrix({scores.runs, scores.tasks});  // a copy: the caller may keep it
    std::copy(scores.data, scores.data + scores.size(), matrix.mutable_data());
    const py::object result = func_(matrix);
    Doubles values = Doubles::ensure(result);
    if (!values) throw UserError("the statistic function must return numbers, got " + Repr(result));
    return values;
  }

  py::function func_;
  int outputs_ = 0;
};

// A Python function of two [runs x tasks] arrays (e.g. a probability of improvement).
class CallablePairStatistic final : public stats::PairStatistic {
 public:
  explicit CallablePairStatistic(py::function func) : func_(std::move(func)) {}
  int num_outputs() const override { return 1; }
  void Compute(stats::MatrixView x, stats::MatrixView y, std::span<double> out) override {
    const py::object result = func_(Copy(x), Copy(y));
    try {
      out[0] = result.cast<double>();
    } catch (const py::cast_error&) {
      throw UserError("the statistic function must return a number, got " + Repr(result));
    }
  }

 private:
  static py::array_t<double> Copy(stats::MatrixView scores) {
    py::array_t<double> matrix({scores.runs, scores.tasks});
    std::copy(scores.data, scores.data + scores.size(), matrix.mutable_data());
    return matrix;
  }
  py::function func_;
};

std::vector<stats::Metric> Metrics(const std::vector<std::string>& names) {
  std::vector<stats::Metric> metrics;
  for (const auto& name : names) metrics.push_back(stats::ParseMetric(name));
  if (metrics.empty())
    throw UserError("no metric given (valid: mean, median, iqm, optimality_gap)");
  return metrics;
}

// Bootstrap intervals of each matrix in turn, drawing from one stream (as rliable draws every
// algorithm from numpy's global stream in dict order). `statistic` is a list of metric names or
// a Python function.
py::list IntervalEstimates(const std::vector<Doubles>& arrays,
                           const std::vector<std::string>& names, const py::object& statistic,
                           int reps, double coverage, const std::string& method,
                           bool task_bootstrap, uint64_t seed, const std::string& rng,
                           double gamma) {
  const BootstrapOptions options = Options(reps, coverage, method, task_bootstrap);
  auto stream = stats::MakeIndexStream(stats::ParseRngKind(rng), seed);
  py::list results;
  for (size_t i = 0; i < arrays.size(); ++i) {
    const ScoreMatrix scores = Matrix(arrays[i], fmt::format("scores of '{}'", names[i]));
    std::unique_ptr<stats::Statistic> owned;
    if (py::isinstance<py::function>(statistic)) {
      owned = std::make_unique<CallableStatistic>(statistic, scores);
    } else {
      owned = std::make_unique<stats::AggregateStatistic>(
          Metrics(statistic.cast<std::vector<std::string>>()), gamma);
    }
    results.append(EstimateArrays(StratifiedBootstrap(scores, *owned, options, *stream)));
  }
  return results;
}

// Independent stratified bootstrap of a two-sample statistic for each (x, y) pair.
py::list PairIntervalEstimates(const std::vector<std::pair<Doubles, Doubles>>& pairs,
                               const std::vector<std::string>& names, const py::object& statistic,
                               int reps, double coverage, const std::string& method, uint64_t seed,
                               const std::string& rng) {
  const BootstrapOptions options = Options(reps, coverage, method, false);
  auto stream = stats::MakeIndexStream(stats::ParseRngKind(rng), seed);
  py::list results;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const ScoreMatrix x = Matrix(pairs[i].first, fmt::format("x of '{}'", names[i]), false);
    const ScoreMatrix y = Matrix(pairs[i].second, fmt::format("y of '{}'", names[i]), false);
    stats::CheckSameTasks(x, "x", y, "y");
    std::unique_ptr<stats::PairStatistic> owned;
    if (py::isinstance<py::function>(statistic)) {
      owned = std::make_unique<CallablePairStatistic>(statistic);
    } else {
      const auto name = statistic.cast<std::string>();
      if (name == "probability_of_improvement") {
        owned = std::make_unique<stats::ImprovementStatistic>();
      } else {
        owned = std::make_unique<stats::AggregateDifferenceStatistic>(stats::ParseMetric(name));
      }
    }
    const Estimate e = IndependentBootstrap(x, y, *owned, options, *stream)[0];
    results.append(py::make_tuple(e.point, e.lo, e.hi));
  }
  return results;
}

// (n, K, alpha, B, seed, comparisons), as python/qlab/stats passes them.
using AdaStopArgs = std::tuple<int, int, double, int, uint64_t, std::vector<std::pair<int, int>>>;

stats::AdaStopOptions AdaStopOptionsOf(const AdaStopArgs& args) {
  stats::AdaStopOptions options;
  std::tie(options.n, options.K, options.alpha, options.B, options.seed, options.comparisons) =
      args;
  return options;
}

py::dict ThcDict(const stats::ThcResult& result) {
  py::dict d;
  d["score"] = result.score;
  d["std"] = result.std;
  d["per_value"] = ToArray(result.per_value);
  d["ranks"] = result.ranks;
  return d;
}

py::dict SummaryDict(const stats::Summary& s) {
  py::dict d;
  d["count"] = s.count;
  d["mean"] = s.mean;
  d["std"] = s.std;
  d["se"] = s.se;
  d["median"] = s.median;
  d["p05"] = s.p05;
  d["p95"] = s.p95;
  d["min"] = s.min;
  d["max"] = s.max;
  return d;
}

}  // namespace

void BindStats(py::module_& m) {
  m.def(
      "aggregate",
      [](const Doubles& scores, const std::string& metric, double gamma) {
        const ScoreMatrix matrix = Matrix(scores, "scores", false);
        return stats::Aggregate(matrix.view(), stats::ParseMetric(metric), gamma);
      },
      py::arg("scores"), py::arg("metric"), py::arg("gamma") = 1.0);

  m.def("interval_estimates", &IntervalEstimates, py::arg("arrays"), py::arg("names"),
        py::arg("statistic"), py::arg("reps"), py::arg("coverage"), py::arg("method"),
        py::arg("task_bootstrap"), py::arg("seed"), py::arg("rng"), py::arg("gamma"));
  m.def("pair_interval_estimates", &PairIntervalEstimates, py::arg("pairs"), py::arg("names"),
        py::arg("statistic"), py::arg("reps"), py::arg("coverage"), py::arg("method"),
        py::arg("seed"), py::arg("rng"));

  m.def(
      "probability_of_improvement",
      [](const Doubles& x, const Doubles& y) {
        const ScoreMatrix a = Matrix(x, "x", false), b = Matrix(y, "y", false);
        stats::CheckSameTasks(a, "x", b, "y");
        return stats::ProbabilityOfImprovement(a.view(), b.view());
      },
      py::arg("x"), py::arg("y"));

  m.def(
      "profile",
      [](const Doubles& scores, const std::vector<double>& taus, bool run_score) {
        const ScoreMatrix matrix = Matrix(scores, "scores", false);
        stats::ProfileStatistic statistic(Taus(taus), run_score
                                                          ? stats::ProfileKind::kRunScore
                                                          : stats::ProfileKind::kAverageScore);
        std::vector<double> out(taus.size());
        statistic.Compute(matrix.view(), out);
        return ToArray(out);
      },
      py::arg("scores"), py::arg("taus"), py::arg("run_score"));
  m.def(
      "profile_intervals",
      [](const std::vector<Doubles>& arrays, const std::vector<std::string>& names,
         const std::vector<double>& taus, bool run_score, int reps, double coverage,
         const std::string& method, bool task_bootstrap, uint64_t seed, const std::string& rng) {
        const BootstrapOptions options = Options(reps, coverage, method, task_bootstrap);
        auto stream = stats::MakeIndexStream(stats::ParseRngKind(rng), seed);
        const auto kind =
            run_score ? stats::ProfileKind::kRunScore : stats::ProfileKind::kAverageScore;
        py::list results;
        for (size_t i = 0; i < arrays.size(); ++i) {
          const ScoreMatrix scores =
              Matrix(arrays[i], fmt::format("scores of '{}'", names[i]), false);
          results.append(EstimateArrays(
              {stats::PerformanceProfile(scores, Taus(taus), kind, options, *stream)}));
        }
        return results;
      },
      py::arg("arrays"), py::arg("names"), py::arg("taus"), py::arg("run_score"), py::arg("reps"),
      py::arg("coverage"), py::arg("method"), py::arg("task_bootstrap"), py::arg("seed"),
      py::arg("rng"));
  m.def("parse_tau_grid", &stats::ParseTauGrid, py::arg("text"));

  py::class_<stats::AdaStop>(m, "AdaStop")
      .def(py::init([](int num_agents, const AdaStopArgs& args) {
             return stats::AdaStop(num_agents, AdaStopOptionsOf(args));
           }),
           py::arg("num_agents"), py::arg("options"))
      .def("interim", &stats::AdaStop::Interim, py::arg("scores"))
      .def_property_readonly("done", &stats::AdaStop::done)
      .def_property_readonly("interims_done", &stats::AdaStop::interims_done)
      .def_property_readonly("scores_used", &stats::AdaStop::scores_used)
      .def_property_readonly("comparisons", &stats::AdaStop::comparisons)
      .def_property_readonly("decisions",
                             [](const stats::AdaStop& test) {
                               std::vector<std::string> names;
                               for (auto d : test.decisions())
                                 names.push_back(stats::AdaStopDecisionName(d));
                               return names;
                             })
      .def_property_readonly("boundary", &stats::AdaStop::boundary)
      .def_property_readonly("level_spent", &stats::AdaStop::level_spent)
      .def_property_readonly("agents_needing_scores", &stats::AdaStop::agents_needing_scores);

  m.def(
      "run_adastop",
      [](const std::vector<std::vector<double>>& scores, const AdaStopArgs& args) {
        return stats::RunAdaStop(scores, AdaStopOptionsOf(args));
      },
      py::arg("scores"), py::arg("options"));

  m.def(
      "thc",
      [](const std::vector<std::vector<std::pair<double, double>>>& intervals) {
        std::vector<std::vector<stats::RankInterval>> converted;
        for (const auto& value : intervals) {
          auto& row = converted.emplace_back();
          for (const auto& [lo, hi] : value) row.push_back({lo, hi});
        }
        return ThcDict(stats::Thc(converted));
      },
      py::arg("intervals"));
  m.def(
      "thc_per_task",
      [](const std::vector<Doubles>& arrays) {
        std::vector<ScoreMatrix> scores;
        for (size_t i = 0; i < arrays.size(); ++i)
          scores.push_back(Matrix(arrays[i], fmt::format("scores of value {}", i)));
        return ThcDict(stats::ThcPerTask(scores));
      },
      py::arg("scores"));
  m.def(
      "thc_across_regimes",
      [](const std::vector<std::vector<Doubles>>& arrays, int reps, double coverage,
         const std::string& method, uint64_t seed, const std::string& rng) {
        std::vector<std::vector<ScoreMatrix>> scores;
        for (size_t r = 0; r < arrays.size(); ++r) {
          auto& regime = scores.emplace_back();
          for (size_t v = 0; v < arrays[r].size(); ++v)
            regime.push_back(
                Matrix(arrays[r][v], fmt::format("scores of regime {} value {}", r, v)));
        }
        auto stream = stats::MakeIndexStream(stats::ParseRngKind(rng), seed);
        return ThcDict(
            stats::ThcAcrossRegimes(scores, Options(reps, coverage, method, false), *stream));
      },
      py::arg("scores"), py::arg("reps"), py::arg("coverage"), py::arg("method"), py::arg("seed"),
      py::arg("rng"));

  m.def(
      "summarize",
      [](const Doubles& values) {
        return SummaryDict(stats::Summarize({values.data(), static_cast<size_t>(values.size())}));
      },
      py::arg("values"));

  m.def(
      "reference_scores",
      [](const std::string& option) {
        py::dict table;
        for (const auto& [task, ref] : stats::ReferenceTableOption(option))
          table[py::str(task)] = py::make_tuple(ref.random, ref.baseline, ref.source);
        return table;
      },
      py::arg("option") = "builtin");
  m.def(
      "normalize_scores",
      [](const Doubles& scores, const std::vector<std::string>& tasks, const std::string& option) {
        ScoreMatrix matrix = Matrix(scores, "scores");
        if (static_cast<int>(tasks.size()) != matrix.tasks())
          throw UserError(
              fmt::format("{} task names for {} score columns", tasks.size(), matrix.tasks()));
        matrix.task_names = tasks;
        const ScoreMatrix normalized =
            stats::NormalizeScores(matrix, stats::ReferenceTableOption(option));
        py::array_t<double> out(
            std::vector<py::ssize_t>(scores.shape(), scores.shape() + scores.ndim()));
        std::copy(normalized.data().begin(), normalized.data().end(), out.mutable_data());
        return out;
      },
      py::arg("scores"), py::arg("tasks"), py::arg("table") = "builtin");
}

}  // namespace qlab::python

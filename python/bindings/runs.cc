// Run directories (docs/run_dir.md) and sweep databases (docs/sweeps.md) for Python, read by the
// same code as `qlab report` and `qlab query`.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "bindings.h"
#include "qlab/core/errors.h"
#include "qlab/report/runs.h"
#include "qlab/stats/normalize.h"
#include "qlab/sweep/results_db.h"

namespace py = pybind11;

namespace qlab::python {
namespace {

template <class T>
py::array_t<T> ToArray(const std::vector<T>& values) {
  return py::array_t<T>(static_cast<py::ssize_t>(values.size()), values.data());
}

// The fields Run has in python/qlab/runs.py; RunData (a run dir) and IndexedRun (a sweep
// database row) share them.
template <class Run>
py::dict RunDict(const Run& run) {
  py::dict d;
  d["dir"] = run.dir;
  d["label"] = run.label;
  d["agent"] = run.agent;
  d["env"] = run.env;
  d["seed"] = run.seed;
  d["status"] = run.status;
  d["score_key"] = run.score_key;
  py::dict metrics;
  for (const auto& [key, column] : run.metrics) metrics[py::str(key)] = ToArray(column);
  metrics["env_steps"] = ToArray(run.env_steps);  // exact integers, not the double column
  d["metrics"] = metrics;
  return d;
}

py::object ParamObject(const sweep::DbValue& value) {
  return std::visit(
      [](const auto& v) -> py::object {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
          return py::none();
        else
          return py::cast(v);
      },
      value);
}

// Final scores (or curves) of every label over the envs all labels share, as rliable's score
// dict: label -> [runs x envs] (or [runs x envs x iterations]), plus the env order.
py::tuple ScoreDict(const std::vector<std::string>& paths, bool curves,
                    const std::string& normalize) {
  const report::RunSet set = report::LoadRuns(paths);
  const auto groups = report::GroupRuns(set);
  std::vector<std::string> labels, envs;
  for (const auto& g : groups) {
    if (std::find(labels.begin(), labels.end(), g.label) == labels.end()) labels.push_back(g.label);
    if (std::find(envs.begin(), envs.end(), g.env) == envs.end()) envs.push_back(g.env);
  }
  std::sort(envs.begin(), envs.end());
  std::erase_if(envs, [&](const std::string& env) {
    return std::any_of(labels.begin(), labels.end(), [&](const std::string& label) {
      const report::RunGroup* g = report::FindGroup(groups, label, env);
      return g == nullptr || g->runs.empty();
    });
  });
  if (envs.empty()) throw UserError("no env has finished runs of every label");

  const stats::ReferenceTable table = stats::ReferenceTableOption(normalize);
  std::map<std::string, stats::ReferenceScores> references;
  if (normalize != "none")
    for (const auto& env : envs) {
      const auto ref = stats::FindReference(table, env);
      if (!ref)
        throw UserError(fmt::format(
            "no reference score for {} in table '{}' (pass normalize='none' or a JSON table)", env,
            normalize));
      references[env] = *ref;
    }
  const auto transform = [&](const std::string& env, double score) {
    return references.empty() ? score : stats::Normalize(score, references.at(env));
  };
  py::dict scores;
  for (const auto& label : labels) {
    const stats::ScoreMatrix m = report::LabelScores(groups, label, envs, curves, transform);
    std::vector<py::ssize_t> shape{m.runs(), m.tasks()};
    if (curves) shape.push_back(m.points());
    py::array_t<double> array(shape);
    std::copy(m.data().begin(), m.data().end(), array.mutable_data());
    scores[py::str(label)] = array;
  }
  return py::make_tuple(scores, envs, set.problems);
}

}  // namespace

void BindRuns(py::module_& m) {
  m.def(
      "load_run", [](const std::string& dir) { return RunDict(report::LoadRun(dir)); },
      py::arg("dir"));
  m.def(
      "load_runs",
      [](const std::vector<std::string>& paths) {
        const report::RunSet set = report::LoadRuns(paths);
        py::list runs;
        for (const auto& run : set.runs) runs.append(RunDict(run));
        return py::make_tuple(runs, set.problems);
      },
      py::arg("paths"));
  m.def("score_dict", &ScoreDict, py::arg("paths"), py::arg("curves"), py::arg("normalize"));
  m.def(
      "load_sweep",
      [](const std::string& path) {
        if (!std::filesystem::exists(path))
          throw UserError(fmt::format("no results database '{}'", path));
        const sweep::ResultsDb db(path, sweep::ResultsDb::Access::kReadOnly);
        py::list runs;
        for (const auto& run : db.Runs()) {
          py::dict d = RunDict(run);
          d["id"] = run.id;
          d["sweep"] = run.sweep;
          py::dict params;
          for (const auto& [key, value] : run.params) params[py::str(key)] = ParamObject(value);
          d["params"] = params;
          runs.append(d);
        }
        return runs;
      },
      py::arg("path"));
}

}  // namespace qlab::python

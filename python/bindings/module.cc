// qlab._qlab: the C++ half of the `qlab` Python package (pybind11).
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "qlab/core/build_info.h"
#include "qlab/core/errors.h"

PYBIND11_MODULE(_qlab, m) {
  m.doc() = "qlab's C++ core: batched envs, statistics and run reading (use the `qlab` package)";
  // A user mistake raises qlab.Error with the message the CLI prints; it is a ValueError so
  // generic handlers still catch it.
  pybind11::register_exception<qlab::UserError>(m, "Error", PyExc_ValueError);
  m.attr("__version__") = qlab::build::kVersion;
  m.attr("git_commit") = qlab::build::kGitCommit;
  qlab::python::BindEnvs(m);
  qlab::python::BindStats(m);
  qlab::python::BindRuns(m);
}

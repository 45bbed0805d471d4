// The pieces of qlab's Python extension module `qlab._qlab`; python/qlab wraps them in the public
// API (docs/python.md). Errors: qlab::UserError becomes qlab.Error (a ValueError) with the same
// message, registered in module.cc.
#pragma once

#include <pybind11/pybind11.h>

namespace qlab::python {

void BindEnvs(pybind11::module_& m);   // envs.cc: VectorEnv, env registry
void BindStats(pybind11::module_& m);  // stats.cc: aggregates, bootstrap, profiles, AdaStop, THC
void BindRuns(pybind11::module_& m);   // runs.cc: run directories

}  // namespace qlab::python

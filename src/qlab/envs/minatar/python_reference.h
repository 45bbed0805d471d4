// Steps per second per core of the Python reference MinAtar 1.0.15 as issue #2 quotes them for
// this machine class (not measured here: no Python MinAtar on the machine; the upper end where a
// range was given). The denominator of every "vs Python" ratio: `qlab bench envs` and
// bench/python_envs.py (through qlab._qlab).
#pragma once

#include <map>
#include <string>

namespace qlab::minatar {

inline const std::map<std::string, double>& PythonReferenceStepsPerSecond() {
  static const std::map<std::string, double> table = {{"minatar/breakout", 1.0e5},
                                                      {"minatar/asterix", 1.0e5},
                                                      {"minatar/freeway", 8.0e4},
                                                      {"minatar/seaquest", 8.0e4},
                                                      {"minatar/space_invaders", 1.3e4}};
  return table;
}

}  // namespace qlab::minatar

// Helpers shared by subcommands: JSON forms of env parameters and observations.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "qlab/core/registry.h"

namespace qlab::cli {

// {"sticky": 0.1, "ramping": true, "actions": "minimal", ...} with JSON types from the specs.
nlohmann::json ParamsJson(const ResolvedEnv& env);

// An observation row (raw bytes of spec.obs_dtype) as a flat JSON list in [C,H,W] order.
nlohmann::json ObsJson(const EnvSpec& spec, std::span<const uint8_t> row);

// Reads a file of action indices (one integer per line; blank lines and '#' comments skipped),
// each checked against the action count; UserError names the file and line.
std::vector<int32_t> ReadActionsFile(const std::string& path, int num_actions);

}  // namespace qlab::cli

// ANSI rendering of observations for `qlab play`: image observations as a coloured grid (each
// cell takes the colour of its highest set channel, with a legend), vectors as labelled values.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "qlab/core/spec.h"

namespace qlab::cli {

std::string RenderObs(const EnvSpec& spec, std::span<const uint8_t> row, bool color);

}  // namespace qlab::cli

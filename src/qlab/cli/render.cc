#include "qlab/cli/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace qlab::cli {
namespace {
// 256-colour palette codes, one per channel (cycled)
constexpr int kPalette[] = {226, 196, 244, 46, 51, 201, 208, 33, 129, 118};
}  // namespace

std::string RenderObs(const EnvSpec& spec, std::span<const uint8_t> row, bool color) {
  std::string out;
  if (spec.image() && spec.obs_dtype == DType::kUInt8) {
    const int channels = spec.obs_shape[0], height = spec.obs_shape[1], width = spec.obs_shape[2];
    out += "+" + std::string(2 * width, '-') + "+\n";
    for (int y = 0; y < height; ++y) {
      out += "|";
      for (int x = 0; x < width; ++x) {
        int top = -1;
        for (int c = 0; c < channels; ++c)
          if (row[(c * height + y) * width + x]) top = c;
        if (top < 0) {
          out += "  ";
        } else if (color) {
          out += fmt::format("\033[48;5;{}m  \033[0m", kPalette[top % std::size(kPalette)]);
        } else {
          out += std::string(2, static_cast<char>('0' + top % 10));
        }
      }
      out += "|\n";
    }
    out += "+" + std::string(2 * width, '-') + "+\n";
    for (int c = 0; c < channels; ++c) {
      const std::string label =
          c < static_cast<int>(spec.obs_labels.size()) ? spec.obs_labels[c] : "";
      out += color ? fmt::format(" \033[48;5;{}m  \033[0m {}", kPalette[c % std::size(kPalette)],
                                 label)
                   : fmt::format(" {}={}", c, label);
    }
    return out + "\n";
  }
  const size_t count = spec.obs_size();
  for (size_t i = 0; i < count; ++i) {
    float value = 0;
    if (spec.obs_dtype == DType::kFloat32) {
      std::memcpy(&value, row.data() + i * sizeof(float), sizeof(float));
    } else {
      value = row[i];
    }
    // a bar centred at 0, one '#' per 0.1 clipped to 20 characters
    const int bar = std::clamp(static_cast<int>(value * 10), -20, 20);
    std::string left(20, ' '), right(20, ' ');
    for (int k = 0; k < -bar; ++k) left[19 - k] = '#';
    for (int k = 0; k < bar; ++k) right[k] = '#';
    const std::string label =
        i < spec.obs_labels.size() ? spec.obs_labels[i] : fmt::format("[{}]", i);
    out += fmt::format("{:>12} {:>+10.4f} {}|{}\n", label, value, left, right);
  }
  return out;
}

}  // namespace qlab::cli

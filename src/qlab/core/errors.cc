#include "qlab/core/errors.h"

#include <algorithm>
#include <numeric>

namespace qlab {
namespace {

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> ClosestNames(std::string_view name,
                                      const std::vector<std::string>& candidates, int max_results) {
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& candidate : candidates) {
    int distance = EditDistance(name, candidate);
    // a suffix match ("breakout" for "minatar/breakout") counts as close too
    bool suffix = candidate.size() > name.size() && !name.empty() &&
                  candidate.compare(candidate.size() - name.size(), name.size(), name) == 0;
    int limit = std::max<int>(2, static_cast<int>(name.size()) / 3);
    if (distance <= limit || suffix) scored.emplace_back(suffix ? 0 : distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> result;
  for (const auto& [distance, candidate] : scored) {
    if (static_cast<int>(result.size()) == max_results) break;
    result.push_back(candidate);
  }
  return result;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  auto close = ClosestNames(name, candidates);
  if (close.empty()) return "";
  std::string hint = "; did you mean ";
  for (size_t i = 0; i < close.size(); ++i) {
    if (i > 0) hint += i + 1 == close.size() ? " or " : ", ";
    hint += "'" + close[i] + "'";
  }
  return hint + "?";
}

}  // namespace qlab

#include "qlab/stats/thc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

// Curves collapse to their trapezoid sum (the authors' area under the curve); 2-D passes.
ScoreMatrix ReduceCurves(const ScoreMatrix& scores) {
  if (!scores.is_curve()) return scores;
  ScoreMatrix reduced(scores.runs(), scores.tasks());
  const int last = scores.points() - 1;
  for (int r = 0; r < scores.runs(); ++r)
    for (int t = 0; t < scores.tasks(); ++t) {
      double sum = scores.at(r, t, 0) / 2;
      for (int l = 1; l < last; ++l) sum += scores.at(r, t, l);
      reduced.at(r, t) = sum + scores.at(r, t, last) / 2;
    }
  reduced.task_names = scores.task_names;
  return reduced;
}

}  // namespace

std::vector<double> IntervalRanks(std::span<const RankInterval> intervals) {
  const size_t k = intervals.size();
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return intervals[a].hi > intervals[b].hi; });
  std::vector<double> ranks(k);
  for (size_t p = 0; p < k; ++p) {
    const RankInterval& me = intervals[order[p]];
    size_t best = p;
    for (size_t c = 0; c <= p; ++c)
      if (intervals[order[c]].lo <= me.hi) {
        best = c;
        break;
      }
    size_t worst = 0;
    for (const auto& other : intervals) worst += other.hi >= me.lo;
    ranks[order[p]] = (static_cast<double>(best + 1) + static_cast<double>(worst)) / 2.0;
  }
  return ranks;
}

ThcResult Thc(const std::vector<std::vector<RankInterval>>& intervals) {
  const size_t k = intervals.size();
  if (k < 2)
    throw UserError(
        fmt::format("THC needs at least 2 hyper-parameter values, got {}", intervals.size()));
  const size_t regimes = intervals[0].size();
  if (regimes == 0) throw UserError("THC needs at least one regime (task or agent)");
  for (size_t v = 0; v < k; ++v)
    if (intervals[v].size() != regimes)
      throw UserError(fmt::format("THC: value {} has {} regimes, value 0 has {}", v,
                                  intervals[v].size(), regimes));
  ThcResult result;
  result.ranks.assign(k, std::vector<double>(regimes));
  for (size_t j = 0; j < regimes; ++j) {
    std::vector<RankInterval> column(k);
    for (size_t v = 0; v < k; ++v) column[v] = intervals[v][j];
    const auto ranks = IntervalRanks(column);
    for (size_t v = 0; v < k; ++v) result.ranks[v][j] = ranks[v];
  }
  for (const auto& row : result.ranks) {
    const auto [lo, hi] = std::minmax_element(row.begin(), row.end());
    result.per_value.push_back((*hi - *lo) / static_cast<double>(k - 1));
  }
  result.score = std::accumulate(result.per_value.begin(), result.per_value.end(), 0.0) / k;
  double squares = 0;
  for (double v : result.per_value) squares += (v - result.score) * (v - result.score);
  result.std = std::sqrt(squares / static_cast<double>(k - 1));
  return result;
}

ThcResult ThcPerTask(const std::vector<ScoreMatrix>& scores) {
  std::vector<std::vector<RankInterval>> intervals;
  for (size_t v = 0; v < scores.size(); ++v) {
    if (scores[v].tasks() != scores[0].tasks())
      throw UserError(fmt::format("THC: value {} has {} tasks, value 0 has {}", v,
                                  scores[v].tasks(), scores[0].tasks()));
    const ScoreMatrix m = ReduceCurves(scores[v]);
    auto& row = intervals.emplace_back();
    for (int t = 0; t < m.tasks(); ++t) {
      double mean = 0, squares = 0;
      for (int r = 0; r < m.runs(); ++r) mean += m.at(r, t);
      mean /= m.runs();
      for (int r = 0; r < m.runs(); ++r) squares += (m.at(r, t) - mean) * (m.at(r, t) - mean);
      const double std = std::sqrt(squares / m.runs());
      row.push_back({mean - std, mean + std});
    }
  }
  return Thc(intervals);
}

ThcResult ThcAcrossRegimes(const std::vector<std::vector<ScoreMatrix>>& scores,
                           const BootstrapOptions& options, IndexStream& stream) {
  if (scores.empty()) throw UserError("THC needs at least one regime (agent or data regime)");
  const size_t k = scores[0].size();
  std::vector<std::vector<RankInterval>> intervals(k);
  AggregateStatistic iqm({Metric::kIqm});
  for (size_t j = 0; j < scores.size(); ++j) {
    if (scores[j].size() != k)
      throw UserError(
          fmt::format("THC: regime {} has {} values, regime 0 has {}", j, scores[j].size(), k));
    for (size_t v = 0; v < k; ++v) {
      const Estimate e =
          StratifiedBootstrap(ReduceCurves(scores[j][v]), iqm, options, stream)[0][0];
      intervals[v].push_back({e.lo, e.hi});
    }
  }
  return Thc(intervals);
}

}  // namespace qlab::stats

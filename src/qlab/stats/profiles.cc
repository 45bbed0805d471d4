#include "qlab/stats/profiles.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab::stats {

ProfileStatistic::ProfileStatistic(std::vector<double> taus, ProfileKind kind)
    : taus_(std::move(taus)), kind_(kind) {
  QLAB_CHECK(!taus_.empty());
}

void ProfileStatistic::Compute(MatrixView scores, std::span<double> out) {
  if (kind_ == ProfileKind::kRunScore) {
    sorted_.assign(scores.cells().begin(), scores.cells().end());
  } else {
    sorted_.assign(scores.tasks, 0.0);
    for (int r = 0; r < scores.runs; ++r)
      for (int t = 0; t < scores.tasks; ++t) sorted_[t] += scores(r, t);
    for (double& v : sorted_) v /= scores.runs;
  }
  std::sort(sorted_.begin(), sorted_.end());
  const double n = static_cast<double>(sorted_.size());
  for (size_t i = 0; i < taus_.size(); ++i) {
    const auto above = sorted_.end() - std::upper_bound(sorted_.begin(), sorted_.end(), taus_[i]);
    out[i] = static_cast<double>(above) / n;
  }
}

std::vector<Estimate> PerformanceProfile(const ScoreMatrix& scores, const std::vector<double>& taus,
                                         ProfileKind kind, const BootstrapOptions& options,
                                         IndexStream& stream) {
  QLAB_CHECK(!scores.is_curve());
  ProfileStatistic statistic(taus, kind);
  return StratifiedBootstrap(scores, statistic, options, stream)[0];
}

namespace {

double ParseNumber(const std::string& text, const std::string& whole) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty())
    throw UserError(
        fmt::format("bad tau grid '{}': '{}' is not a number (use 'a,b,c' or "
                    "'start:stop:count')",
                    whole, text));
  return value;
}

}  // namespace

std::vector<double> ParseTauGrid(const std::string& text) {
  std::vector<std::string> parts;
  const char separator = text.find(':') != std::string::npos ? ':' : ',';
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  std::vector<double> taus;
  if (separator == ':') {
    if (parts.size() != 3)
      throw UserError(fmt::format("bad tau grid '{}': use 'start:stop:count'", text));
    const double start = ParseNumber(parts[0], text), stop = ParseNumber(parts[1], text);
    const double count = ParseNumber(parts[2], text);
    if (count < 1 || count != static_cast<int>(count) || count > 100000)
      throw UserError(fmt::format("bad tau grid '{}': count must be an integer >= 1", text));
    const int n = static_cast<int>(count);
    // numpy.linspace's arithmetic: i * step + start, the last value exactly stop
    const double step = n > 1 ? (stop - start) / (n - 1) : 0.0;
    for (int i = 0; i < n; ++i) taus.push_back(i * step + start);
    if (n > 1) taus.back() = stop;
  } else {
    for (const auto& part : parts) taus.push_back(ParseNumber(part, text));
  }
  if (taus.empty()) throw UserError(fmt::format("bad tau grid '{}': no values", text));
  return taus;
}

}  // namespace qlab::stats

#include "qlab/stats/improvement.h"

#include "qlab/core/check.h"

namespace qlab::stats {

double ProbabilityOfImprovement(MatrixView x, MatrixView y) {
  QLAB_CHECK_EQ(x.tasks, y.tasks);
  QLAB_CHECK(x.runs > 0 && y.runs > 0 && x.tasks > 0);
  double total = 0;
  for (int t = 0; t < x.tasks; ++t) {
    // count 2 per win and 1 per tie, so the sum stays an exact integer
    long twice_u = 0;
    for (int i = 0; i < x.runs; ++i) {
      const double xi = x(i, t);
      for (int j = 0; j < y.runs; ++j) twice_u += (xi > y(j, t)) * 2 + (xi == y(j, t));
    }
    total += 0.5 * static_cast<double>(twice_u) / (static_cast<double>(x.runs) * y.runs);
  }
  return total / x.tasks;
}

Estimate ProbabilityOfImprovementCi(const ScoreMatrix& x, const ScoreMatrix& y,
                                    const BootstrapOptions& options, IndexStream& stream) {
  ImprovementStatistic statistic;
  return IndependentBootstrap(x, y, statistic, options, stream)[0];
}

}  // namespace qlab::stats

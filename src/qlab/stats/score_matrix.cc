#include "qlab/stats/score_matrix.h"

#include <fmt/format.h>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab::stats {

ScoreMatrix::ScoreMatrix(int runs, int tasks, int points)
    : runs_(runs), tasks_(tasks), points_(points) {
  QLAB_CHECK(runs >= 0 && tasks >= 0 && points >= 1);
  data_.assign(static_cast<size_t>(runs) * tasks * points, 0.0);
}

ScoreMatrix ScoreMatrix::FromRows(const std::vector<std::vector<double>>& rows,
                                  const std::string& what) {
  if (rows.empty() || rows[0].empty())
    throw UserError(fmt::format("{}: empty score matrix (need runs x tasks)", what));
  ScoreMatrix m(static_cast<int>(rows.size()), static_cast<int>(rows[0].size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != rows[0].size())
      throw UserError(fmt::format("{}: ragged score matrix: run {} has {} tasks, run 0 has {}",
                                  what, r, rows[r].size(), rows[0].size()));
    for (size_t t = 0; t < rows[r].size(); ++t) m.at(r, t) = rows[r][t];
  }
  return m;
}

ScoreMatrix ScoreMatrix::FromCurves(const std::vector<std::vector<std::vector<double>>>& runs,
                                    const std::string& what) {
  if (runs.empty() || runs[0].empty() || runs[0][0].empty())
    throw UserError(fmt::format("{}: empty score array (need runs x tasks x points)", what));
  const size_t tasks = runs[0].size(), points = runs[0][0].size();
  ScoreMatrix m(static_cast<int>(runs.size()), static_cast<int>(tasks), static_cast<int>(points));
  for (size_t r = 0; r < runs.size(); ++r) {
    if (runs[r].size() != tasks)
      throw UserError(fmt::format("{}: ragged score array: run {} has {} tasks, run 0 has {}", what,
                                  r, runs[r].size(), tasks));
    for (size_t t = 0; t < tasks; ++t) {
      if (runs[r][t].size() != points)
        throw UserError(
            fmt::format("{}: ragged score array: run {} task {} has {} points, run 0 task 0 has {}",
                        what, r, t, runs[r][t].size(), points));
      for (size_t p = 0; p < points; ++p) m.at(r, t, p) = runs[r][t][p];
    }
  }
  return m;
}

ScoreMatrix ScoreMatrix::Slice(int point) const {
  QLAB_CHECK(point >= 0 && point < points_);
  ScoreMatrix slice(runs_, tasks_);
  for (int r = 0; r < runs_; ++r)
    for (int t = 0; t < tasks_; ++t) slice.at(r, t) = at(r, t, point);
  slice.task_names = task_names;
  return slice;
}

MatrixView ScoreMatrix::view() const {
  QLAB_CHECK_EQ(points_, 1);
  return {data_.data(), runs_, tasks_};
}

void CheckSameTasks(const ScoreMatrix& a, const std::string& a_name, const ScoreMatrix& b,
                    const std::string& b_name) {
  if (a.tasks() != b.tasks())
    throw UserError(fmt::format("{} has {} tasks but {} has {}: compare the same tasks", a_name,
                                a.tasks(), b_name, b.tasks()));
  if (a.points() != b.points())
    throw UserError(fmt::format("{} has {} points per curve but {} has {}", a_name, a.points(),
                                b_name, b.points()));
  if (!a.task_names.empty() && !b.task_names.empty() && a.task_names != b.task_names)
    throw UserError(
        fmt::format("{} and {} list different tasks (or in a different order)", a_name, b_name));
}

}  // namespace qlab::stats

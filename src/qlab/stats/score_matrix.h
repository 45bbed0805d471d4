// ScoreMatrix: the scores of one algorithm, shape [runs x tasks] or, for learning curves,
// [runs x tasks x points] (rliable's layout; statistics_spec.md §1). Stored row-major in
// (run, task, point) order. Shape mistakes are errors, never silently wrong intervals
// (rliable issue #20: a transposed matrix collapses the CIs), so construction validates.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qlab::stats {

// A read-only [runs x tasks] slice, the input of every aggregate.
// A bootstrap resample may also carry, for each cell, the rank of the original cell it was drawn
// from among the original's sorted cells (`ranks`, values in `sorted`, `num_sorted` of them):
// order statistics (IQM) then count instead of select, without any comparison.
struct MatrixView {
  const double* data = nullptr;
  int runs = 0, tasks = 0;
  const uint32_t* ranks = nullptr;
  const double* sorted = nullptr;
  int num_sorted = 0;
  double operator()(int run, int task) const { return data[run * tasks + task]; }
  int size() const { return runs * tasks; }
  std::span<const double> cells() const { return {data, static_cast<size_t>(size())}; }
};

class ScoreMatrix {
 public:
  ScoreMatrix() = default;
  ScoreMatrix(int runs, int tasks, int points = 1);  // zeros

  // From nested rows; a ragged or empty input throws UserError naming `what` (a file name).
  static ScoreMatrix FromRows(const std::vector<std::vector<double>>& rows,
                              const std::string& what = "scores");
  static ScoreMatrix FromCurves(const std::vector<std::vector<std::vector<double>>>& runs,
                                const std::string& what = "scores");

  int runs() const { return runs_; }
  int tasks() const { return tasks_; }
  int points() const { return points_; }
  bool is_curve() const { return points_ > 1; }
  std::span<const double> data() const { return data_; }

  double& at(int run, int task, int point = 0) {
    return data_[(static_cast<size_t>(run) * tasks_ + task) * points_ + point];
  }
  double at(int run, int task, int point = 0) const {
    return data_[(static_cast<size_t>(run) * tasks_ + task) * points_ + point];
  }

  // The [runs x tasks] matrix at one point (a copy; the data is point-minor).
  ScoreMatrix Slice(int point) const;
  // A 2-D matrix's view (points must be 1).
  MatrixView view() const;

  // Task names (columns), optional; when set, their count equals tasks().
  std::vector<std::string> task_names;

 private:
  int runs_ = 0, tasks_ = 0, points_ = 1;
  std::vector<double> data_;
};

// Throws UserError unless `a` and `b` have the same tasks (count, and names when both have them)
// and the same number of points, as comparisons across algorithms require.
void CheckSameTasks(const ScoreMatrix& a, const std::string& a_name, const ScoreMatrix& b,
                    const std::string& b_name);

}  // namespace qlab::stats

#include "qlab/stats/score_io.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

TEST(ScoreIo, CsvHeaderOfTasksAndOneRowPerRun) {
  const ScoreMatrix m = ParseScoreCsv("breakout, asterix\n1.5,2\n# comment\n\n3,-4e-1\n", "a.csv");
  EXPECT_EQ(m.task_names, (std::vector<std::string>{"breakout", "asterix"}));
  EXPECT_EQ(m.runs(), 2);
  EXPECT_DOUBLE_EQ(m.at(1, 1), -0.4);
}

TEST(ScoreIo, JsonMatricesAndCurves) {
  const ScoreMatrix m = ParseScoreJson(R"({"tasks": ["x", "y"], "scores": [[1, 2], [3, 4]]})", "a");
  EXPECT_EQ(m.tasks(), 2);
  EXPECT_DOUBLE_EQ(m.at(1, 0), 3);
  const ScoreMatrix c = ParseScoreJson("[[[1, 2, 3]], [[4, 5, 6]]]", "c");
  EXPECT_EQ(c.runs(), 2);
  EXPECT_EQ(c.tasks(), 1);
  EXPECT_EQ(c.points(), 3);
}

TEST(ScoreIo, MalformedInputsNameTheFileAndPlace) {
  const auto message = [](auto parse) {
    try {
      parse();
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] { ParseScoreCsv("a,b\n1,2\n3\n", "s.csv"); }),
            "s.csv:3: 1 values but the header names 2 tasks");
  EXPECT_EQ(message([] { ParseScoreCsv("a,b\n1,x\n", "s.csv"); }),
            "s.csv:2: column 2: 'x' is not a number");
  EXPECT_EQ(message([] { ParseScoreCsv("a,b\n", "s.csv"); }),
            "s.csv: no runs after the header row");
  // three task names for a 2-column matrix: probably transposed
  EXPECT_NE(message([] {
              ParseScoreJson(R"({"tasks": ["a","b","c"], "scores": [[1,2],[3,4],[5,6]]})",
                             "t.json");
            }).find("transposed"),
            std::string::npos);
  EXPECT_NE(
      message([] { ParseScoreJson(R"({"scores": [[1, 2], [3]]})", "r.json"); }).find("ragged"),
      std::string::npos);
  EXPECT_NE(
      message([] { ParseScoreJson(R"({"scores": [["a"]]})", "n.json"); }).find("array of numbers"),
      std::string::npos);
  EXPECT_NE(message([] { ParseScoreJson("{", "bad.json"); }).find("not valid JSON"),
            std::string::npos);
  EXPECT_THROW(LoadScoreFile("/nonexistent/scores.csv"), UserError);
}

}  // namespace
}  // namespace qlab::stats

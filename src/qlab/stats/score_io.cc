#include "qlab/stats/score_io.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(Trim(cell));
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double ParseCell(const std::string& cell, const std::string& what, int line, size_t column) {
  double value = 0;
  const char* end = cell.data() + cell.size();
  const char* begin = cell.data() + (!cell.empty() && cell[0] == '+');
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (cell.empty() || ec != std::errc() || ptr != end)
    throw UserError(
        fmt::format("{}:{}: column {}: '{}' is not a number", what, line, column + 1, cell));
  return value;
}

}  // namespace

ScoreMatrix ParseScoreCsv(const std::string& text, const std::string& what) {
  std::stringstream stream(text);
  std::vector<std::string> tasks;
  std::vector<std::vector<double>> rows;
  int line_number = 0;
  for (std::string line; std::getline(stream, line);) {
    ++line_number;
    if (Trim(line).empty() || Trim(line)[0] == '#') continue;
    const auto cells = SplitCsvLine(line);
    if (tasks.empty()) {
      tasks = cells;
      continue;
    }
    if (cells.size() != tasks.size())
      throw UserError(fmt::format("{}:{}: {} values but the header names {} tasks", what,
                                  line_number, cells.size(), tasks.size()));
    auto& row = rows.emplace_back();
    for (size_t c = 0; c < cells.size(); ++c)
      row.push_back(ParseCell(cells[c], what, line_number, c));
  }
  if (tasks.empty())
    throw UserError(fmt::format("{}: empty file (need a header of task names)", what));
  if (rows.empty()) throw UserError(fmt::format("{}: no runs after the header row", what));
  ScoreMatrix m = ScoreMatrix::FromRows(rows, what);
  m.task_names = tasks;
  return m;
}

ScoreMatrix ParseScoreJson(const std::string& text, const std::string& what) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: not valid JSON ({})", what, e.what()));
  }
  const nlohmann::json* scores = &json;
  std::vector<std::string> tasks;
  if (json.is_object()) {
    if (!json.contains("scores"))
      throw UserError(fmt::format("{}: missing \"scores\" (runs x tasks array)", what));
    scores = &json["scores"];
    if (json.contains("tasks")) {
      if (!json["tasks"].is_array())
        throw UserError(fmt::format("{}: \"tasks\" must be a list of names", what));
      for (const auto& t : json["tasks"]) {
        if (!t.is_string()) throw UserError(fmt::format("{}: \"tasks\" must hold strings", what));
        tasks.push_back(t.get<std::string>());
      }
    }
  }
  const auto fail = [&] {
    return UserError(fmt::format(
        "{}: \"scores\" must be a runs x tasks (or runs x tasks x points) array of numbers", what));
  };
  if (!scores->is_array() || scores->empty() || !(*scores)[0].is_array() || (*scores)[0].empty())
    throw fail();
  ScoreMatrix m;
  try {
    if ((*scores)[0][0].is_array()) {
      m = ScoreMatrix::FromCurves(scores->get<std::vector<std::vector<std::vector<double>>>>(),
                                  what);
    } else {
      m = ScoreMatrix::FromRows(scores->get<std::vector<std::vector<double>>>(), what);
    }
  } catch (const nlohmann::json::exception&) {
    throw fail();
  }
  if (!tasks.empty() && static_cast<int>(tasks.size()) != m.tasks())
    throw UserError(
        fmt::format("{}: {} task names but {} score columns (is the matrix "
                    "transposed? rows are runs, columns are tasks)",
                    what, tasks.size(), m.tasks()));
  m.task_names = tasks;
  return m;
}

ScoreMatrix LoadScoreFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw UserError(fmt::format("cannot read score file '{}'", path));
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  const bool is_json =
      path.ends_with(".json") || Trim(text).starts_with("{") || Trim(text).starts_with("[");
  return is_json ? ParseScoreJson(text, path) : ParseScoreCsv(text, path);
}

}  // namespace qlab::stats

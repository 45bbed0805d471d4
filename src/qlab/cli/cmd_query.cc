// qlab query DB [SQL] [--where key=value ...]: reads a sweep's results database
// (src/qlab/sweep/results_db.h, docs/sweeps.md). Without SQL it lists the runs that match every
// filter; a filter key is a run column (id, sweep, label, agent, env, seed, status) or a swept
// config key (agent.lr).
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/core/errors.h"
#include "qlab/sweep/results_db.h"

namespace qlab::cli {
namespace {

struct QueryArgs {
  std::string db, sql;
  std::vector<std::string> where;
  bool json = false, csv = false;
};

std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Literal(const sweep::DbValue& value) {
  return std::holds_alternative<std::string>(value) ? Quoted(std::get<std::string>(value))
                                                    : sweep::DbValueText(value);
}

std::string FilterSql(const std::vector<std::string>& filters) {
  static const std::vector<std::string> kColumns = {"id",  "sweep", "label", "agent",
                                                    "env", "seed",  "status"};
  std::vector<std::string> conditions;
  for (const auto& filter : filters) {
    const size_t eq = filter.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError(fmt::format("--where '{}' is not key=value", filter));
    const std::string key = filter.substr(0, eq);
    const sweep::DbValue value = sweep::ParseParamValue(filter.substr(eq + 1));
    if (std::find(kColumns.begin(), kColumns.end(), key) != kColumns.end()) {
      conditions.push_back(fmt::format(
          "{} = {}", key, key == "seed" ? Literal(value) : Quoted(filter.substr(eq + 1))));
    } else {
      conditions.push_back(
          fmt::format("EXISTS (SELECT 1 FROM params p WHERE p.run_id = runs.id AND p.key = {} AND "
                      "p.value = {})",
                      Quoted(key), Literal(value)));
    }
  }
  return conditions.empty() ? "" : " WHERE " + fmt::format("{}", fmt::join(conditions, " AND "));
}

void Print(const sweep::QueryResult& result, const QueryArgs& args) {
  if (args.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : result.rows) {
      nlohmann::json object = nlohmann::json::object();
      for (size_t c = 0; c < row.size(); ++c) {
        const auto& v = row[c];
        if (std::holds_alternative<int64_t>(v))
          object[result.columns[c]] = std::get<int64_t>(v);
        else if (std::holds_alternative<double>(v))
          object[result.columns[c]] = std::get<double>(v);
        else if (std::holds_alternative<std::string>(v))
          object[result.columns[c]] = std::get<std::string>(v);
        else
          object[result.columns[c]] = nullptr;
      }
      rows.push_back(object);
    }
    fmt::print("{}\n", rows.dump(2));
    return;
  }
  std::vector<std::vector<std::string>> cells = {result.columns};
  for (const auto& row : result.rows) {
    auto& line = cells.emplace_back();
    for (const auto& v : row) line.push_back(sweep::DbValueText(v));
  }
  if (args.csv) {
    for (const auto& line : cells) {
      std::vector<std::string> quoted;
      for (const auto& cell : line)
        if (cell.find_first_of(",\"\n") == std::string::npos) {
          quoted.push_back(cell);
        } else {
          std::string escaped;
          for (char c : cell) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
          quoted.push_back("\"" + escaped + "\"");
        }
      fmt::print("{}\n", fmt::join(quoted, ","));
    }
    return;
  }
  std::vector<size_t> width(result.columns.size(), 0);
  for (const auto& line : cells)
    for (size_t c = 0; c < line.size(); ++c)
      width[c] = std::max(width[c], std::min<size_t>(line[c].size(), 60));
  for (const auto& line : cells) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c)
      text += fmt::format("{:<{}}  ", line[c].substr(0, 60), width[c]);
    fmt::print("{}\n", text.substr(0, text.find_last_not_of(' ') + 1));
  }
  fmt::print("({} rows)\n", result.rows.size());
}

void RunQuery(const QueryArgs& args) {
  if (!std::filesystem::exists(args.db))
    throw UserError(fmt::format("no results database '{}'", args.db));
  if (!args.sql.empty() && !args.where.empty())
    throw UserError("give either SQL or --where filters, not both");
  const sweep::ResultsDb db(args.db, sweep::ResultsDb::Access::kReadOnly);
  const std::string sql =
      !args.sql.empty()
          ? args.sql
          : "SELECT id, label, env, seed, status, iterations, env_steps, final_score FROM runs" +
                FilterSql(args.where) + " ORDER BY label, env, seed";
  Print(db.Query(sql), args);
}

}  // namespace

void AddQueryCommand(CLI::App& app) {
  auto args = std::make_shared<QueryArgs>();
  auto* cmd = app.add_subcommand("query", "query a sweep's results database (SQL or filters)");
  cmd->add_option("db", args->db, "results database (SWEEP_OUT/results.db)")->required();
  cmd->add_option(
      "sql", args->sql,
      "SQL over runs(id, sweep, dir, label, agent, env, seed, status, iterations, "
      "env_steps, score_key, final_score, config, updated), params(run_id, key, value), "
      "metrics(run_id, iteration, name, value)");
  cmd->add_option("--where", args->where,
                  "key=value filter on a run column or swept key (repeatable)");
  cmd->add_flag("--json", args->json, "print a JSON list of rows");
  cmd->add_flag("--csv", args->csv, "print CSV");
  cmd->callback([args] { RunQuery(*args); });
}

}  // namespace qlab::cli

#include "qlab/sweep/results_db.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <optional>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/report/runs.h"

namespace qlab::sweep {
namespace fs = std::filesystem;

namespace {

constexpr int kBusyTimeoutMs = 60000;  // writers wait for each other this long

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY, sweep TEXT NOT NULL, dir TEXT NOT NULL, label TEXT, agent TEXT, env TEXT,
  seed INTEGER, status TEXT NOT NULL, iterations INTEGER NOT NULL DEFAULT 0, env_steps INTEGER,
  score_key TEXT, final_score REAL, config TEXT, updated TEXT NOT NULL, parameters INTEGER);
CREATE TABLE IF NOT EXISTS params(
  run_id TEXT NOT NULL, key TEXT NOT NULL, value, position INTEGER NOT NULL,
  PRIMARY KEY(run_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics(
  run_id TEXT NOT NULL, iteration INTEGER NOT NULL, name TEXT NOT NULL, value REAL,
  PRIMARY KEY(run_id, iteration, name)) WITHOUT ROWID;
)sql";

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw UserError(fmt::format("{}: {} (in: {})", path, sqlite3_errmsg(db), sql));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const DbValue& value) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(value)) rc = sqlite3_bind_null(stmt_, index);
    if (const auto* i = std::get_if<int64_t>(&value)) rc = sqlite3_bind_int64(stmt_, index, *i);
    if (const auto* d = std::get_if<double>(&value))
      rc = std::isnan(*d) ? sqlite3_bind_null(stmt_, index) : sqlite3_bind_double(stmt_, index, *d);
    if (const auto* s = std::get_if<std::string>(&value))
      rc =
          sqlite3_bind_text(stmt_, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) Fail();
    return *this;
  }
  // Steps once: true while a row is available.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) Fail();
    return false;
  }
  void Run() {
    while (Step()) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int columns() const { return sqlite3_column_count(stmt_); }
  std::string Name(int column) const { return sqlite3_column_name(stmt_, column); }
  DbValue Column(int column) const {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_INTEGER:
        return static_cast<int64_t>(sqlite3_column_int64(stmt_, column));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt_, column);
      case SQLITE_NULL:
        return std::monostate{};
      default:
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column)),
                           sqlite3_column_bytes(stmt_, column));
    }
  }
  std::string Text(int column) const { return DbValueText(Column(column)); }

 private:
  [[noreturn]] void Fail() const {
    throw UserError(fmt::format("{}: {}", path_, sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
};

}  // namespace

DbValue ParseParamValue(const std::string& text) {
  if (text == "true") return int64_t{1};
  if (text == "false") return int64_t{0};
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    return text.substr(1, text.size() - 2);
  char* end = nullptr;
  const long long integer = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') return static_cast<int64_t>(integer);
  const double number = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') return number;
  return text;
}

namespace {

std::string Now() { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr))); }

}  // namespace

std::string DbValueText(const DbValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return "";
}

ResultsDb::ResultsDb(const std::string& path, Access access) : path_(path) {
  if (const fs::path parent = fs::path(path).parent_path(); !parent.empty()) {
    std::error_code error;
    fs::create_directories(parent, error);
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("cannot open results database '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  auto fail = [&](const std::string& message) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(message);
  };
  try {
    Statement(db_, "PRAGMA schema_version", path_).Run();  // fails on a file that is not SQLite
  } catch (const UserError& e) {
    fail(fmt::format("'{}' is not a qlab results database ({})", path, e.what()));
  }
  try {  // the first writes: a full disk or a read-only folder shows here
    Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    Exec(kSchema);
    // databases from before the parameters column get it (NULL until their runs are re-indexed)
    if (Query("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'parameters'").rows.empty())
      Exec("ALTER TABLE runs ADD COLUMN parameters INTEGER");
  } catch (const UserError& e) {
    fail(fmt::format("cannot set up results database '{}' ({})", path, e.what()));
  }
  if (access == Access::kReadOnly) Exec("PRAGMA query_only = ON");
}

ResultsDb::~ResultsDb() { sqlite3_close(db_); }

void ResultsDb::Exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw UserError(fmt::format("{}: {}", path_, message));
  }
}

std::string ResultsDb::RunDirPath(const std::string& stored_dir) const {
  if (fs::path(stored_dir).is_absolute()) return stored_dir;
  return (fs::path(path_).parent_path() / stored_dir).lexically_normal().string();
}

void ResultsDb::Index(const std::string& id, const std::string& sweep, const std::string& run_dir,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  // read the run before taking the write lock: the transaction stays short
  std::optional<report::RunData> run;
  std::string config;
  if (fs::exists(fs::path(run_dir) / "meta.json")) {
    run = report::LoadRun(run_dir);
    if (fs::exists(fs::path(run_dir) / "config.toml"))
      config = ReadFile(run_dir + "/config.toml", "run config");
  }
  std::error_code error;
  const fs::path base = fs::absolute(fs::path(path_).parent_path(), error);
  std::string dir = fs::absolute(run_dir, error).lexically_relative(base).string();
  if (dir.empty()) dir = fs::absolute(run_dir, error).string();

  Exec("BEGIN IMMEDIATE");
  try {
    for (const char* table :
         {"DELETE FROM runs WHERE id = ?", "DELETE FROM params WHERE run_id = ?",
          "DELETE FROM metrics WHERE run_id = ?"})
      Statement(db_, table, path_).Bind(1, id).Run();
    Statement insert(
        db_,
        "INSERT INTO runs(id, sweep, dir, label, agent, env, seed, status, iterations, "
        "env_steps, score_key, final_score, config, updated, parameters) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        path_);
    insert.Bind(1, id).Bind(2, sweep).Bind(3, dir);
    if (run) {
      const auto iterations = static_cast<int64_t>(run->env_steps.size());
      insert.Bind(4, run->label)
          .Bind(5, run->agent)
          .Bind(6, run->env)
          .Bind(7, static_cast<int64_t>(run->seed))
          .Bind(8, run->status)
          .Bind(9, iterations)
          .Bind(10, iterations ? DbValue(run->env_steps.back()) : DbValue())
          .Bind(11, run->score_key)
          .Bind(12, iterations ? DbValue(run->scores.back()) : DbValue())
          .Bind(13, config)
          .Bind(15, run->parameters > 0 ? DbValue(run->parameters) : DbValue());
    } else {
      insert.Bind(8, std::string("pending")).Bind(9, int64_t{0});
    }
    insert.Bind(14, Now()).Run();

    Statement param(db_, "INSERT INTO params(run_id, key, value, position) VALUES(?, ?, ?, ?)",
                    path_);
    for (size_t i = 0; i < params.size(); ++i)
      param.Bind(1, id)
          .Bind(2, params[i].first)
          .Bind(3, ParseParamValue(params[i].second))
          .Bind(4, static_cast<int64_t>(i))
          .Run();
    if (run) {
      Statement metric(
          db_, "INSERT INTO metrics(run_id, iteration, name, value) VALUES(?, ?, ?, ?)", path_);
      for (const auto& [name, column] : run->metrics)
        for (size_t i = 0; i < column.size(); ++i)
          if (!std::isnan(column[i]))
            metric.Bind(1, id)
                .Bind(2, static_cast<int64_t>(i))
                .Bind(3, name)
                .Bind(4, column[i])
                .Run();
    }
    Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

QueryResult ResultsDb::Query(const std::string& sql) const {
  Statement statement(db_, sql, path_);
  QueryResult result;
  for (int c = 0; c < statement.columns(); ++c) result.columns.push_back(statement.Name(c));
  while (statement.Step()) {
    auto& row = result.rows.emplace_back();
    for (int c = 0; c < statement.columns(); ++c) row.push_back(statement.Column(c));
  }
  return result;
}

std::vector<IndexedRun> ResultsDb::Runs() const {
  std::vector<IndexedRun> runs;
  std::map<std::string, size_t> by_id;
  Statement select(db_,
                   "SELECT id, sweep, dir, label, agent, env, seed, status, score_key, iterations "
                   "FROM runs ORDER BY label, env, seed, id",
                   path_);
  std::vector<int64_t> iterations;
  while (select.Step()) {
    IndexedRun run;
    run.id = select.Text(0);
    run.sweep = select.Text(1);
    run.dir = RunDirPath(select.Text(2));
    run.label = select.Text(3);
    run.agent = select.Text(4);
    run.env = select.Text(5);
    const DbValue seed = select.Column(6);
    run.seed = std::holds_alternative<int64_t>(seed) ? std::get<int64_t>(seed) : 0;
    run.status = select.Text(7);
    run.score_key = select.Text(8);
    iterations.push_back(std::get<int64_t>(select.Column(9)));
    by_id[run.id] = runs.size();
    runs.push_back(std::move(run));
  }
  Statement params(db_, "SELECT run_id, key, value FROM params ORDER BY run_id, position", path_);
  // rows of a run the runs table lacks (an index edited by hand) are left out, not fatal
  while (params.Step())
    if (const auto it = by_id.find(params.Text(0)); it != by_id.end())
      runs[it->second].params.emplace_back(params.Text(1), params.Column(2));
  Statement metrics(db_, "SELECT run_id, iteration, name, value FROM metrics", path_);
  while (metrics.Step()) {
    const auto it = by_id.find(metrics.Text(0));
    if (it == by_id.end()) continue;
    const size_t r = it->second;
    auto& column = runs[r].metrics[metrics.Text(2)];
    column.resize(iterations[r], std::numeric_limits<double>::quiet_NaN());
    const auto i = std::get<int64_t>(metrics.Column(1));
    const DbValue value = metrics.Column(3);
    if (i >= 0 && i < iterations[r] && !std::holds_alternative<std::monostate>(value))
      column[i] = std::holds_alternative<double>(value)
                      ? std::get<double>(value)
                      : static_cast<double>(std::get<int64_t>(value));
  }
  for (size_t r = 0; r < runs.size(); ++r) {
    auto& run = runs[r];
    for (auto& [name, column] : run.metrics)
      column.resize(iterations[r], std::numeric_limits<double>::quiet_NaN());
    if (auto it = run.metrics.find("env_steps"); it != run.metrics.end())
      for (double v : it->second) run.env_steps.push_back(static_cast<int64_t>(v));
  }
  return runs;
}

}  // namespace qlab::sweep

// The results database of a sweep (docs/sweeps.md): one SQLite file indexing every run's
// identity, swept parameters, resolved config, status and per-iteration metrics, for
// `qlab sweep status`, `qlab query`, `qlab report --sweep` and `qlab.load_sweep`.
//
// Run dirs stay the source of truth (docs/run_dir.md); the database is an index rebuilt from them
// at any time (`Index` replaces a run's rows from its dir). Several processes may write at once
// (sweep workers, Slurm array tasks): the file is in WAL mode with a busy timeout, and each
// `Index` is one IMMEDIATE transaction, so a reader never sees half a run and a killed writer
// leaves the previous rows intact.
//
// Tables: runs(id, sweep, dir, label, agent, env, seed, status, iterations, env_steps, score_key,
// final_score, config, updated, parameters), params(run_id, key, value), metrics(run_id, iteration,
// name, value). `dir` is relative to the database's folder, so a sweep folder can be moved.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

struct sqlite3;

namespace qlab::sweep {

using DbValue = std::variant<std::monostate, int64_t, double, std::string>;  // NULL, ...

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<DbValue>> rows;
};

struct IndexedRun {
  std::string id, sweep, dir, label, agent, env, status, score_key;
  uint64_t seed = 0;
  std::vector<std::pair<std::string, DbValue>> params;  // swept keys and their values
  std::map<std::string, std::vector<double>> metrics;   // per iteration (NaN where absent)
  std::vector<int64_t> env_steps;
};

class ResultsDb {
 public:
  // kReadOnly (qlab query, fit, report): no statement of this connection may write, so a query
  // like "DROP TABLE runs" cannot damage a study's index.
  enum class Access { kReadWrite, kReadOnly };
  // Opens (creating if needed) the database; UserError naming the file on failure.
  explicit ResultsDb(const std::string& path, Access access = Access::kReadWrite);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  // (Re)indexes one run from its dir: status "pending" while the dir has no run yet.
  // `params` are the swept overrides (TOML text; numbers are stored as numbers).
  void Index(const std::string& id, const std::string& sweep, const std::string& run_dir,
             const std::vector<std::pair<std::string, std::string>>& params);

  // Any SQL (read, or also write when opened kReadWrite); UserError with SQLite's message.
  QueryResult Query(const std::string& sql) const;
  // Every run with its params and metrics, ordered by label, env and seed.
  std::vector<IndexedRun> Runs() const;

  const std::string& path() const { return path_; }
  std::string RunDirPath(const std::string& stored_dir) const;  // the dir column, resolved

 private:
  void Exec(const std::string& sql) const;
  std::string path_;
  sqlite3* db_ = nullptr;
};

std::string DbValueText(const DbValue& value);  // "" for NULL, shortest round-trip numbers
// A swept value as stored: TOML text to a number (booleans 0/1), an unquoted string, or text.
DbValue ParseParamValue(const std::string& text);

}  // namespace qlab::sweep

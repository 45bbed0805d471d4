#include "qlab/sweep/results_db.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <thread>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"

namespace qlab::sweep {
namespace {

namespace fs = std::filesystem;

std::string TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("qlab_results_db_test_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// A run dir with `iterations` lines of metrics (score 10 * i + seed; loss missing at i = 1).
void WriteRun(const std::string& dir, uint64_t seed, int iterations, const std::string& status) {
  fs::create_directories(dir);
  WriteFileAtomic(dir + "/meta.json",
                  "{\"agent\": \"dqn\", \"label\": \"dqn[lr=0.1]\", \"env\": "
                  "\"classic/cartpole\", \"seed\": " +
                      std::to_string(seed) + "}");
  std::string metrics;
  for (int i = 0; i < iterations; ++i)
    metrics += "{\"iteration\": " + std::to_string(i) +
               ", \"env_steps\": " + std::to_string(500 * (i + 1)) +
               ", \"eval_return_mean\": " + std::to_string(10 * i + seed) +
               (i == 1 ? "" : ", \"loss\": 0.5") + "}\n";
  WriteFileAtomic(dir + "/metrics.jsonl", metrics);
  WriteFileAtomic(dir + "/status", status + "\n");
  WriteFileAtomic(dir + "/config.toml", "[run]\nseed = " + std::to_string(seed) + "\n");
}

TEST(ResultsDb, IndexesRunsAndReadsThemBack) {
  const std::string root = TempDir("index");
  const std::string db_path = root + "/results.db";
  WriteRun(root + "/runs/a", 3, 3, "done");
  {
    ResultsDb db(db_path);
    db.Index("a", "utd", root + "/runs/a", {{"agent.lr", "0.1"}, {"network.torso", "\"mlp\""}});
    db.Index("b", "utd", root + "/runs/b", {{"agent.lr", "0.2"}});  // not started: pending
  }
  ResultsDb db(db_path);  // reopened: everything persisted
  const auto runs = db.Runs();
  ASSERT_EQ(runs.size(), 2u);
  const IndexedRun& a = runs[0].id == "a" ? runs[0] : runs[1];
  const IndexedRun& b = runs[0].id == "a" ? runs[1] : runs[0];
  EXPECT_EQ(a.status, "done");
  EXPECT_EQ(a.label, "dqn[lr=0.1]");
  EXPECT_EQ(a.seed, 3u);
  EXPECT_EQ(fs::canonical(a.dir), fs::canonical(root + "/runs/a"));
  EXPECT_EQ(a.env_steps, (std::vector<int64_t>{500, 1000, 1500}));
  EXPECT_EQ(a.metrics.at("eval_return_mean"), (std::vector<double>{3, 13, 23}));
  const auto& loss = a.metrics.at("loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_TRUE(std::isnan(loss[1]));
  ASSERT_EQ(a.params.size(), 2u);
  EXPECT_EQ(a.params[0].first, "agent.lr");
  EXPECT_EQ(std::get<double>(a.params[0].second), 0.1);
  EXPECT_EQ(std::get<std::string>(a.params[1].second), "mlp");
  EXPECT_EQ(b.status, "pending");
  EXPECT_TRUE(b.metrics.empty());

  const QueryResult q = db.Query(
      "SELECT r.id, r.final_score, r.iterations FROM runs r JOIN params p ON p.run_id = r.id "
      "WHERE p.key = 'agent.lr' AND p.value < 0.15");
  ASSERT_EQ(q.rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(q.rows[0][0]), "a");
  EXPECT_EQ(std::get<double>(q.rows[0][1]), 23.0);
  EXPECT_EQ(std::get<int64_t>(q.rows[0][2]), 3);

  // re-indexing replaces the run's rows (the run went on)
  WriteRun(root + "/runs/a", 3, 5, "done");
  db.Index("a", "utd", root + "/runs/a", {{"agent.lr", "0.1"}});
  EXPECT_EQ(std::get<int64_t>(db.Query("SELECT COUNT(*) FROM metrics WHERE run_id = 'a' AND name = "
                                       "'eval_return_mean'")
                                  .rows[0][0]),
            5);
  EXPECT_EQ(
      std::get<int64_t>(db.Query("SELECT COUNT(*) FROM params WHERE run_id = 'a'").rows[0][0]), 1);
  EXPECT_THROW(db.Query("SELECT nope FROM runs"), UserError);
}

// What `qlab query`, `fit`, `report` and Python open: any write is refused, the index stays whole.
// Rows of a run the runs table lacks (an index edited by hand) are left out by Runs().
TEST(ResultsDb, ReadOnlyRefusesWritesAndRunsSkipsOrphanRows) {
  const std::string root = TempDir("read_only");
  const std::string db_path = root + "/results.db";
  WriteRun(root + "/runs/a", 3, 3, "done");
  WriteRun(root + "/runs/b", 4, 3, "done");
  {
    ResultsDb db(db_path);
    db.Index("a", "utd", root + "/runs/a", {{"agent.lr", "0.1"}});
    db.Index("b", "utd", root + "/runs/b", {{"agent.lr", "0.2"}});
  }
  const ResultsDb reader(db_path, ResultsDb::Access::kReadOnly);
  for (const char* sql : {"DROP TABLE runs", "DELETE FROM metrics", "UPDATE runs SET seed = 9"}) {
    try {
      reader.Query(sql);
      ADD_FAILURE() << "a read-only connection ran: " << sql;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("readonly"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(reader.Runs().size(), 2u);

  ResultsDb(db_path).Query("DELETE FROM runs WHERE id = 'b'");  // params and metrics of b stay
  const auto runs = ResultsDb(db_path, ResultsDb::Access::kReadOnly).Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, "a");
  EXPECT_EQ(runs[0].params.size(), 1u);
  EXPECT_EQ(runs[0].metrics.at("eval_return_mean"), (std::vector<double>{3, 13, 23}));
}

TEST(ResultsDb, ConcurrentWritersNeverCorruptIt) {
  // workers and Slurm array tasks index their runs at the same time, each with its own connection
  const std::string root = TempDir("concurrent");
  const std::string db_path = root + "/results.db";
  constexpr int kWriters = 4, kRunsEach = 15;
  for (int r = 0; r < kRunsEach; ++r) WriteRun(root + "/runs/r" + std::to_string(r), r, 20, "done");
  std::vector<std::thread> writers;
  std::vector<std::string> errors(kWriters);
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      try {
        ResultsDb db(db_path);
        for (int r = 0; r < kRunsEach; ++r)
          db.Index(fmt::format("w{}_r{}", w, r), "s", root + "/runs/r" + std::to_string(r),
                   {{"agent.lr", std::to_string(w)}});
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  for (auto& t : writers) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  ResultsDb db(db_path);
  EXPECT_EQ(std::get<std::string>(db.Query("PRAGMA integrity_check").rows[0][0]), "ok");
  EXPECT_EQ(std::get<int64_t>(db.Query("SELECT COUNT(*) FROM runs").rows[0][0]),
            kWriters * kRunsEach);
  // 20 iterations x (iteration, env_steps, eval_return_mean) + 19 losses per run
  EXPECT_EQ(std::get<int64_t>(db.Query("SELECT COUNT(*) FROM metrics").rows[0][0]),
            kWriters * kRunsEach * (20 * 3 + 19));
  EXPECT_EQ(std::get<std::string>(db.Query("PRAGMA journal_mode").rows[0][0]), "wal");
}

TEST(ResultsDb, RejectsAFileThatIsNotADatabase) {
  const std::string root = TempDir("corrupt");
  WriteFileAtomic(root + "/results.db", std::string(4096, 'x'));
  try {
    ResultsDb db(root + "/results.db");
    FAIL() << "opened a corrupt database";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a qlab results database"), std::string::npos)
        << e.what();
  }
}

// A full disk (a file-size limit of 0 stands in for it: every write that grows a file fails) is
// named as such, not as a file that is not a database.
TEST(ResultsDb, NamesAFullDiskAsSuch) {
  const std::string root = TempDir("full");
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit none = saved;
  none.rlim_cur = 0;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &none), 0);
  std::string message;
  try {
    ResultsDb db(root + "/results.db");
  } catch (const UserError& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find("cannot set up results database '" + root + "/results.db'"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("is not a qlab results database"), std::string::npos) << message;
}

}  // namespace
}  // namespace qlab::sweep

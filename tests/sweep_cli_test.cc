// End-to-end tests of `qlab sweep` and `qlab query` (docs/sweeps.md): a tiny sweep runs, indexes
// its runs and skips them when re-run; a sweep killed with SIGKILL mid-run is re-run to exactly
// the runs of an uninterrupted sweep; bad specs fail before anything starts.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "qlab_process.h"

namespace qlab {
namespace {

namespace fs = std::filesystem;
using testing::RunQlab;

std::string TempDir(const std::string& name) { return testing::TestDir("sweep_test", name); }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A spec of 4 small CartPole runs (2 UTD values x 2 seeds) writing into `dir`/out.
std::string WriteSpec(const std::string& dir, int iterations = 3) {
  const std::string path = dir + "/utd.toml";
  std::ofstream(path) << "[sweep]\nagent = \"dqn\"\nconfig = [\"dqn/cleanrl_classic\"]\n"
                         "envs = [\"classic/cartpole\"]\nseeds = 2\nout = \""
                      << dir << "/out\"\n[set]\n\"run.iterations\" = " << iterations
                      << "\n\"run.training_steps\" = 400\n\"agent.min_replay_history\" = 200\n"
                         "\"eval.episodes\" = 2\n[grid]\n\"agent.updates_per_step\" = [0.5, 1]\n";
  return path;
}

std::string Metrics(const std::string& dir) { return testing::MetricsWithoutWallClock(dir); }

std::vector<std::string> RunDirs(const std::string& dir) {
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(dir + "/out/runs")) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::string Status(const std::string& run_dir) {
  std::string status = Read(run_dir + "/status");
  return status.empty() ? "" : status.substr(0, status.find('\n'));
}

TEST(SweepCli, RunsIndexesQueriesAndSkipsFinishedRuns) {
  const std::string dir = TempDir("basic");
  const std::string spec = WriteSpec(dir);
  const std::string db = dir + "/out/results.db";

  const auto dry = RunQlab("sweep " + spec + " --dry-run");
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_NE(dry.out.find("4 runs"), std::string::npos) << dry.out;
  EXPECT_FALSE(fs::exists(db));  // a dry run runs nothing

  const auto first = RunQlab("sweep " + spec + " --workers 2 --progress-interval 0.05");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("4 done now, 0 finished before"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("[4/4] done"), std::string::npos) << first.err;  // progress lines
  // and, between run ends, each running run's iterations of its 3, with an ETA
  EXPECT_TRUE(std::regex_search(
      first.err, std::regex(R"(qlab sweep utd: [12] running \(\S+ dqn\[updates_per_step=\S+\] )"
                            R"([0-3]/3[,)].* ended, [0-3] queued \| \S+ elapsed, ETA )")))
      << first.err;

  const auto all = RunQlab("query " + db + " --json");
  ASSERT_EQ(all.code, 0) << all.err;
  const auto rows = nlohmann::json::parse(all.out);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_EQ(row["status"], "done");
    EXPECT_EQ(row["iterations"], 3);
    EXPECT_EQ(row["env_steps"], 1200);
    EXPECT_TRUE(row["final_score"].is_number());
  }
  const auto filtered =
      RunQlab("query " + db + " --where agent.updates_per_step=1 --where seed=1 --json");
  ASSERT_EQ(filtered.code, 0) << filtered.err;
  ASSERT_EQ(nlohmann::json::parse(filtered.out).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(filtered.out)[0]["label"], "dqn[updates_per_step=1]");
  const auto sql =
      RunQlab("query " + db +
              " \"SELECT COUNT(*) AS n FROM metrics WHERE name = 'eval_return_mean'\" --json");
  ASSERT_EQ(sql.code, 0) << sql.err;
  EXPECT_EQ(nlohmann::json::parse(sql.out)[0]["n"], 12);

  const auto again = RunQlab("sweep " + spec);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.err.find("0 done now, 4 finished before"), std::string::npos) << again.err;
  const auto status = RunQlab("sweep status " + spec + " --json");
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["counts"]["done"], 4);
  const auto report = RunQlab("report --sweep " + db + " -o " + dir + "/report.html");
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_NE(report.out.find("4 runs in 2 groups"), std::string::npos) << report.out;
}

TEST(SweepCli, AKilledSweepIsRerunToExactlyTheUninterruptedRuns) {
  const std::string reference = TempDir("reference"), killed = TempDir("killed");
  const auto done = RunQlab("sweep " + WriteSpec(reference, 6) + " --workers 1 --quiet");
  ASSERT_EQ(done.code, 0) << done.err;

  // start the same sweep, kill -9 it once one run is done and the next one is under way
  const std::string spec = WriteSpec(killed, 6);
  const pid_t pid = fork();
  if (pid == 0) {
    if (freopen("/dev/null", "w", stderr) == nullptr) _exit(126);
    execl(QLAB_BINARY, QLAB_BINARY, "sweep", spec.c_str(), "--workers", "1", "--quiet", nullptr);
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool mid_run = false;
  while (!mid_run && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!fs::exists(killed + "/out/runs")) continue;
    int finished = 0, started = 0;
    for (const auto& run : RunDirs(killed)) {
      finished += Status(run) == "done";
      started += Status(run) == "running" && !Metrics(run).empty();
    }
    mid_run = finished >= 1 && started >= 1;
  }
  ASSERT_TRUE(mid_run) << "the sweep never reached a second run";
  kill(pid, SIGKILL);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  // its running child got SIGTERM (parent-death signal): it checkpoints and stops
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int unfinished = 0;
  for (const auto& run : RunDirs(killed)) unfinished += Status(run) != "done";
  EXPECT_GE(unfinished, 1);

  const auto rerun = RunQlab("sweep " + spec + " --workers 1");
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  const auto a = RunDirs(reference), b = RunDirs(killed);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(fs::path(a[i]).filename(), fs::path(b[i]).filename());  // same stable ids
    EXPECT_EQ(Status(b[i]), "done");
    EXPECT_EQ(Metrics(b[i]), Metrics(a[i])) << b[i];
    EXPECT_EQ(Read(b[i] + "/episodes.csv"), Read(a[i] + "/episodes.csv")) << b[i];
  }
  const auto rows =
      nlohmann::json::parse(RunQlab("query " + killed + "/out/results.db --json").out);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) EXPECT_EQ(row["status"], "done");
}

// --only keeps the runs whose label matches a glob: part of a study runs elsewhere
TEST(SweepCli, OnlyRunsTheMatchingLabels) {
  const std::string dir = TempDir("only");
  const std::string spec = WriteSpec(dir);
  const auto all = RunQlab("sweep " + spec + " --dry-run");
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_NE(all.out.find(": 4 runs into"), std::string::npos) << all.out;
  const auto half = RunQlab("sweep " + spec + " --dry-run --only '*=0.5]'");
  ASSERT_EQ(half.code, 0) << half.err;
  EXPECT_NE(half.out.find(": 2 runs into"), std::string::npos) << half.out;
  EXPECT_EQ(half.out.find("updates_per_step=1]"), std::string::npos) << half.out;
  EXPECT_NE(half.out.find("dqn[updates_per_step=0.5]"), std::string::npos) << half.out;
}

TEST(SweepCli, BadInputFailsBeforeAnythingRuns) {
  const std::string dir = TempDir("bad");
  std::ofstream(dir + "/typo.toml")
      << "[sweep]\nagent = \"dqn\"\nenvs = \"classic/cartpole\"\nout = \"" << dir
      << "/out\"\n[grid]\n\"agent.lrr\" = [1e-3]\n";
  const auto typo = RunQlab("sweep " + dir + "/typo.toml");
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("unknown key 'agent.lrr'; did you mean 'agent.lr'"), std::string::npos)
      << typo.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
  std::ofstream(dir + "/ok.toml")
      << "[sweep]\nagent = \"dqn\"\nenvs = \"classic/cartpole\"\nout = \"" << dir << "/out\"\n";
  const auto only = RunQlab("sweep " + dir + "/ok.toml --only 'spr*'");
  EXPECT_EQ(only.code, 2);
  EXPECT_NE(only.err.find("--only spr* matches no run's label (labels: dqn)"), std::string::npos)
      << only.err;
  const auto device = RunQlab("sweep " + dir + "/ok.toml --device gpu0");
  EXPECT_EQ(device.code, 2);
  EXPECT_NE(device.err.find("'gpu0': not a device"), std::string::npos) << device.err;
  EXPECT_FALSE(fs::exists(dir + "/out"));
  std::ofstream(dir + "/env.toml") << "[sweep]\nagent = \"dqn\"\nenvs = \"classic/cartpol\"\n";
  const auto env = RunQlab("sweep " + dir + "/env.toml --dry-run");
  EXPECT_EQ(env.code, 2);
  EXPECT_NE(env.err.find("unknown env 'classic/cartpol'"), std::string::npos) << env.err;
  const auto missing = RunQlab("sweep " + dir + "/nope.toml");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope.toml"), std::string::npos) << missing.err;
  const auto query = RunQlab("query " + dir + "/nope.db");
  EXPECT_EQ(query.code, 2);
  EXPECT_NE(query.err.find("no results database"), std::string::npos) << query.err;
  std::ofstream(dir + "/junk.db") << std::string(5000, 'x');
  const auto junk = RunQlab("query " + dir + "/junk.db");
  EXPECT_EQ(junk.code, 2);
  EXPECT_NE(junk.err.find("is not a qlab results database"), std::string::npos) << junk.err;
}

}  // namespace
}  // namespace qlab

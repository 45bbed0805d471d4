// End-to-end tests of the qlab binary: exit codes, one-line errors, and the machine-readable
// contracts of `rollout --json`, `rollout --trace`, `envs --json` and `bench envs --json`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "qlab_process.h"
#include "test_data.h"

namespace {

using qlab::testing::Lines;
using qlab::testing::Result;
using qlab::testing::RunQlab;

TEST(Cli, UsageErrorsAreOneLineWithExitCode2) {
  for (const char* args :
       {"", "frobnicate", "rollout", "rollout --env minatar/brekout",
        "rollout --env 'minatar/breakout(sticky=2)'", "rollout --env minatar/breakout --episodes 0",
        "rollout --env minatar/breakout --policy greedy",
        "rollout --env minatar/breakout --policy actions:/nonexistent",
        "play --env classic/cartpole --policy keys", "bench envs --env nope --seconds 0.01"}) {
    const Result r = RunQlab(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("qlab: error: ", 0), 0u) << args << "\n" << r.err;
  }
  EXPECT_NE(RunQlab("rollout --env minatar/brekout").err.find("did you mean 'minatar/breakout'"),
            std::string::npos);
}

// A flag whose unset default is a sentinel (train's --seed -1, --iterations 0) once took the
// sentinel, or a negative value, silently; an unsigned seed wrapped '-1' to 2^64 - 1. Each bad
// value is refused by name. The train commands also name an unknown agent, so a check that stopped
// working fails here on that message instead of starting a run.
TEST(Cli, IntegerFlagsOutOfRangeAreRefusedByName) {
  for (const auto& [args, culprit] : std::vector<std::pair<std::string, std::string>>{
           {"train --agent nope --seed -5", "--seed: must be an integer >= 0, got '-5'"},
           {"train --agent nope --iterations 0", "--iterations: must be an integer >= 1, got '0'"},
           {"train --agent nope --iterations -1", "--iterations: must be an integer >= 1"},
           {"train --agent nope --num-envs 0", "--num-envs: must be an integer >= 1"},
           {"train --agent nope --threads -2", "--threads: must be an integer >= 1"},
           {"train --agent nope --steps-per-iteration 1.5", "got '1.5'"},
           {"rollout --env minatar/nope --seed -1", "--seed: must be an integer >= 0, got '-1'"},
           {"rollout --env minatar/nope --threads -1", "--threads: must be an integer >= 0"},
           {"play --env minatar/nope --steps -1", "--steps: must be an integer >= 1"},
           {"sweep /nonexistent.toml --workers 0", "--workers: must be an integer >= 1"},
           {"bench stats --runs 0", "--runs: must be an integer >= 1"},
           {"report /nonexistent --curve-reps 0", "--curve-reps: must be an integer >= 1"},
           {"stats /nonexistent.csv --seed -1", "--seed: must be an integer >= 0"},
           {"frobnicate --seed 1", "unknown command 'frobnicate' (commands: train, "}}) {
    const Result r = RunQlab(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(culprit), std::string::npos) << args << "\n" << r.err;
  }
}

TEST(Cli, VersionAndHelp) {
  EXPECT_EQ(RunQlab("version").code, 0);
  const auto version = nlohmann::json::parse(RunQlab("version --json").out);
  EXPECT_TRUE(version.contains("git_commit"));
  EXPECT_EQ(RunQlab("--help").code, 0);
}

TEST(Cli, EnvsListsEveryEnvWithSpecAndParams) {
  const Result r = RunQlab("envs --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto list = nlohmann::json::parse(r.out);
  ASSERT_GE(list.size(), 13u);
  bool found = false;
  for (const auto& env : list) {
    if (env["env"] != "minatar/breakout") continue;
    found = true;
    EXPECT_EQ(env["obs_shape"], nlohmann::json({4, 10, 10}));
    EXPECT_EQ(env["obs_dtype"], "uint8");
    EXPECT_EQ(env["params"].size(), 4u);
  }
  EXPECT_TRUE(found);
  EXPECT_NE(RunQlab("envs").out.find("classic/mountain_car"), std::string::npos);
}

TEST(Cli, RolloutJsonContractAndDeterminism) {
  const std::string args =
      "rollout --env 'minatar/breakout(actions=full)' --episodes 300 --seed 4 --json";
  const Result r = RunQlab(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["env"], "minatar/breakout");
  EXPECT_EQ(out["params"]["actions"], "full");
  EXPECT_EQ(out["params"]["sticky"], 0.1);
  EXPECT_EQ(out["params"]["ramping"], true);
  EXPECT_EQ(out["episodes"], 300);
  for (const char* key : {"return", "length"})
    for (const char* stat : {"mean", "std", "se", "median", "p05", "p95"})
      EXPECT_TRUE(out[key].contains(stat)) << key << "." << stat;
  // random Breakout with the full action set: ~0.5 per episode (MinAtar README: 0.5 +- 0.023)
  EXPECT_NEAR(out["return"]["mean"].get<double>(), 0.5, 0.15);
  EXPECT_EQ(RunQlab(args).out, r.out);                   // same seed, same numbers
  EXPECT_EQ(RunQlab(args + " --threads 2").out, r.out);  // and any thread count
}

TEST(Cli, TraceReplaysTheGoldenSpaceInvadersCase) {
  const auto data = qlab::testing::LoadTestJson("minatar_traces_public.json");
  const auto& golden = data["cases"][2];
  ASSERT_EQ(golden["game"], "space_invaders");
  const auto dir =
      std::filesystem::temp_directory_path() / ("qlab_trace_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream actions(dir / "actions.txt");
    for (const auto& a : golden["actions"]) actions << a.get<int>() << "\n";
  }
  const Result r =
      RunQlab("rollout --env 'minatar/space_invaders(actions=full,sticky=0)' --policy actions:" +
              (dir / "actions.txt").string() + " --trace " + (dir / "trace.jsonl").string());
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream trace(dir / "trace.jsonl");
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(trace, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), golden["actions"].size() + 1);
  EXPECT_EQ(lines[0]["t"], -1);
  EXPECT_EQ(lines[0]["obs"].size(), 600u);
  double total = 0;
  for (size_t t = 0; t < golden["actions"].size(); ++t) {
    EXPECT_EQ(lines[t + 1]["t"], static_cast<int>(t));
    EXPECT_EQ(lines[t + 1]["action"], golden["actions"][t]);
    EXPECT_EQ(lines[t + 1]["terminated"], golden["terminal"][t]);
    EXPECT_EQ(lines[t + 1]["truncated"], false);
    total += lines[t + 1]["reward"].get<double>();
  }
  EXPECT_EQ(total, golden["ret"].get<double>());
  // an out-of-range action names the file and line
  {
    std::ofstream bad(dir / "bad.txt");
    bad << "0\n9\n";
  }
  const Result b = RunQlab("rollout --env minatar/space_invaders --policy actions:" +
                           (dir / "bad.txt").string() + " --trace " + (dir / "t2.jsonl").string());
  EXPECT_EQ(b.code, 2);
  EXPECT_NE(b.err.find("bad.txt:2: action 9 out of range [0, 4)"), std::string::npos) << b.err;
  std::filesystem::remove_all(dir);
}

TEST(Cli, BenchEnvsJsonContract) {
  const Result r = RunQlab(
      "bench envs --env minatar/breakout --env classic/cartpole --seconds 0.05 --threads 2 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 4u);
  for (const auto& row : list) {
    EXPECT_TRUE(row["env"] == "minatar/breakout" || row["env"] == "classic/cartpole");
    EXPECT_TRUE(row["threads"] == 1 || row["threads"] == 2);
    EXPECT_EQ(row["num_envs"], 64);
    EXPECT_GT(row["steps_per_s"].get<double>(), 0.0);
  }
}

TEST(Cli, PlayWithRandomPolicyRenders) {
  const Result r =
      RunQlab("play --env minatar/breakout --policy random --steps 3 --delay-ms 0 --no-color");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0=paddle"), std::string::npos);
  EXPECT_NE(r.out.find("+--------------------+"), std::string::npos);
  const Result c =
      RunQlab("play --env classic/cartpole --steps 2 --delay-ms 0");  // stdin is not a tty: random
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("theta_dot"), std::string::npos);
}

}  // namespace

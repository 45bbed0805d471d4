// End-to-end tests of `qlab stats`, `qlab report` and `qlab compare` on files and synthetic run
// dirs written here: JSON contracts, exact replay through the CLI, the report's tables and
// figures, missing/partial runs, AdaStop verdicts, and one-line errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "qlab_process.h"
#include "test_data.h"

namespace {

namespace fs = std::filesystem;
using qlab::testing::Lines;
using qlab::testing::LoadTestJson;
using qlab::testing::RunQlab;

fs::path TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("qlab_stats_cli_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

nlohmann::json Json(const std::string& text) { return nlohmann::json::parse(text); }

// A run dir: `iterations` lines of metrics with eval_return_mean = score(iteration).
void WriteRun(const fs::path& dir, const std::string& label, const std::string& env, int seed,
              int iterations, const std::function<double(int)>& score,
              const std::string& status = "done") {
  Write(dir / "meta.json",
        nlohmann::json{{"agent", "dqn"}, {"label", label}, {"env", env}, {"seed", seed}}.dump());
  std::string metrics;
  for (int i = 0; i < iterations; ++i)
    metrics += nlohmann::json{{"iteration", i},
                              {"env_steps", (i + 1) * 1000},
                              {"eval_return_mean", score(i)},
                              {"train_return_mean", nullptr}}
                   .dump() +
               "\n";
  Write(dir / "metrics.jsonl", metrics);
  Write(dir / "status", status + "\n");
}

TEST(StatsCli, JsonContractWithCompareAndProfile) {
  const fs::path dir = TempDir("contract");
  Write(dir / "good.csv", "t1,t2\n1,2\n3,4\n");  // task means 2, 3
  Write(dir / "bad.json", R"({"tasks": ["t1", "t2"], "scores": [[0, 0], [1, 1], [0, 1]]})");
  const auto r =
      RunQlab("stats " + (dir / "good.csv").string() + " " + (dir / "bad.json").string() +
              " --json --compare --reps 500 --profile 0,1.5");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = Json(r.out);
  EXPECT_DOUBLE_EQ(j["good"]["mean"]["point"], 2.5);
  EXPECT_DOUBLE_EQ(j["good"]["median"]["point"], 2.5);
  EXPECT_DOUBLE_EQ(j["good"]["iqm"]["point"], 2.5);
  EXPECT_DOUBLE_EQ(j["good"]["optimality_gap"]["point"], 0.0);
  EXPECT_EQ(j["good"]["mean"]["ci"].size(), 2u);
  EXPECT_LE(j["good"]["mean"]["ci"][0].get<double>(), 2.5);
  EXPECT_EQ(j["bad"]["runs"], 3);
  // good beats bad in every pair: P = 1 (t1: 1 vs {0,1,0}: one tie -> 5.5/6; t2: all wins)
  EXPECT_NEAR(j["probability_of_improvement"]["good"]["bad"]["point"], (5.5 / 6 + 1) / 2, 1e-12);
  EXPECT_EQ(j["good"]["profile"]["tau"], nlohmann::json({0, 1.5}));
  EXPECT_DOUBLE_EQ(j["good"]["profile"]["point"][1], 0.75);  // 2, 3, 4 of 1, 2, 3, 4 exceed 1.5
  EXPECT_EQ(j["good"]["profile"]["ci"].size(), 2u);
  // the table form names both algorithms and the comparison
  const auto table = RunQlab("stats " + (dir / "good.csv").string() + " " +
                             (dir / "bad.json").string() + " --compare --reps 200");
  EXPECT_NE(table.out.find("P(good > bad)"), std::string::npos);
}

TEST(StatsCli, NumpyLegacyReplaysTheReferenceThroughTheCli) {
  const auto c = LoadTestJson("stats_reference.json")["aggregates"];
  const fs::path file = TempDir("replay") / "algo.json";
  Write(file, nlohmann::json{{"scores", c["scores"]}}.dump());
  const auto r = RunQlab("stats " + file.string() + " --json --rng numpy-legacy --seed " +
                         c["seed"].dump() + " --reps " + c["reps"].dump());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = Json(r.out)["algo"];
  const char* names[] = {"mean", "median", "iqm", "optimality_gap"};
  for (int m = 0; m < 4; ++m) {
    EXPECT_NEAR(j[names[m]]["point"], c["result"]["point"][m], 1e-9) << names[m];
    EXPECT_NEAR(j[names[m]]["ci"][0], c["result"]["lo"][m], 1e-9) << names[m];
    EXPECT_NEAR(j[names[m]]["ci"][1], c["result"]["hi"][m], 1e-9) << names[m];
  }
}

TEST(StatsCli, BadInputIsOneLineWithExitCode2) {
  const fs::path dir = TempDir("errors");
  Write(dir / "a.csv", "t1,t2\n1,2\n");
  Write(dir / "three.csv", "t1,t2,t3\n1,2,3\n");
  Write(dir / "ragged.csv", "t1,t2\n1,2\n3\n");
  Write(dir / "transposed.json",
        R"({"tasks": ["a", "b", "c"], "scores": [[1, 2], [3, 4], [5, 6]]})");
  const std::string a = (dir / "a.csv").string();
  for (const std::string& args : std::vector<std::string>{
           "stats", "stats /nonexistent.csv", "stats " + (dir / "ragged.csv").string(),
           "stats " + (dir / "transposed.json").string(), "stats " + a + " --method bootstrap-t",
           "stats " + a + " --rng mt", "stats " + a + " --rng numpy-legacy --seed 4294967296",
           "stats " + a + " --reps 0", "stats " + a + " --ci 95",
           "stats " + a + " " + (dir / "three.csv").string() + " --compare",
           "stats " + a + " --profile 0:1", "stats " + a + " --compare", "report /nonexistent",
           "report " + dir.string(), "compare " + dir.string()}) {
    const auto r = RunQlab(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("qlab: error: ", 0), 0u) << args << "\n" << r.err;
  }
}

TEST(ReportCli, EndToEndTablesFiguresAndProblems) {
  const fs::path dir = TempDir("report");
  const fs::path runs = dir / "runs";
  for (int seed = 0; seed < 3; ++seed) {
    WriteRun(runs / ("fast_b" + std::to_string(seed)), "fast", "minatar/breakout", seed, 6,
             [&](int i) { return 2.0 * i + seed; });
    WriteRun(runs / ("slow_b" + std::to_string(seed)), "slow", "minatar/breakout", seed, 6,
             [&](int i) { return 1.0 * i + seed; });
    WriteRun(runs / ("fast_f" + std::to_string(seed)), "fast", "minatar/freeway", seed, 6,
             [](int) { return 30.0; });
    WriteRun(runs / ("slow_f" + std::to_string(seed)), "slow", "minatar/freeway", seed, 6,
             [&](int i) { return 3.0 * i + seed; });
  }
  // a run still going (fewer iterations) and a broken one (no metrics)
  WriteRun(
      runs / "slow_f9", "slow", "minatar/freeway", 9, 3, [](int i) { return 1.0 * i; }, "running");
  Write(runs / "broken" / "meta.json", R"({"agent": "dqn", "env": "minatar/breakout", "seed": 5})");

  const fs::path html = dir / "out" / "report.html";
  const auto r =
      RunQlab("report " + runs.string() + " -o " + html.string() + " --reps 2000 --curve-reps 200");
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), {});
  for (const char* section :
       {"id=aggregates", "id=final", "id=curves", "id=profiles", "id=improvement", "id=problems"})
    EXPECT_NE(page.find(section), std::string::npos) << section;
  EXPECT_NE(page.find("<tr><td>fast</td><td>3</td>"), std::string::npos);  // aggregate rows
  EXPECT_NE(page.find("<tr><td>slow</td><td>3</td>"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>minatar/freeway</td><td>30 <span class=ci>[30, 30]</span>"),
            std::string::npos);  // constant final scores: a zero-width interval
  EXPECT_NE(page.find("broken: missing metrics.jsonl"), std::string::npos);
  EXPECT_NE(page.find("slow_f9: status &#39;running&#39; after 3 iterations"), std::string::npos);
  EXPECT_NE(page.find("slow_f9: 3 of 6 iterations, left out of slow / minatar/freeway"),
            std::string::npos);
  // the straggler does not truncate the others: slow/freeway's final scores are 15, 16, 17
  EXPECT_NE(page.find("<td>16 <span class=ci>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org"));  // no requests, only XML names
  for (const char* figure : {"curve_minatar_breakout.svg", "curve_minatar_freeway.svg",
                             "aggregate_iqm.svg", "profile.svg"}) {
    const fs::path svg = dir / "out" / "report_files" / figure;
    EXPECT_TRUE(fs::exists(svg)) << svg;
    EXPECT_TRUE(fs::exists(fs::path(svg).replace_extension(".gp"))) << svg;
  }
  EXPECT_EQ(std::count(page.begin(), page.end(), '\0'), 0);
  size_t svgs = 0;
  for (size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1))
    ++svgs;
  EXPECT_EQ(svgs, 4u);

  // on a full disk (a file-size limit of 2 blocks stands in: the error line fits, the page does
  // not) the old page stays whole, no temp file is left, and the one error line names the file
  const auto full =
      RunQlab("report " + runs.string() + " -o " + html.string() + " --reps 200 --curve-reps 20",
              "trap '' XFSZ; ulimit -f 2;");
  EXPECT_EQ(full.code, 2) << full.err;
  EXPECT_EQ(Lines(full.err), 1) << full.err;
  EXPECT_NE(full.err.find("qlab: error: cannot write '" + html.string()), std::string::npos)
      << full.err;
  std::ifstream again(html);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), {}), page);
  EXPECT_FALSE(fs::exists(html.string() + ".tmp"));
}

TEST(CompareCli, AdaStopDecidesClearDifferencesAndAsksForSeedsOtherwise) {
  const fs::path dir = TempDir("compare");
  for (int seed = 0; seed < 10; ++seed) {
    WriteRun(dir / "a" / std::to_string(seed), "x", "minatar/breakout", seed, 2,
             [&](int) { return 20.0 + 0.1 * seed; });
    WriteRun(dir / "b" / std::to_string(seed), "y", "minatar/breakout", seed, 2,
             [&](int) { return 1.0 + 0.1 * seed; });
    if (seed < 5)
      WriteRun(dir / "c" / std::to_string(seed), "z", "minatar/breakout", seed, 2,
               [&](int) { return 1.05 + 0.1 * ((seed * 3) % 5); });
  }
  const auto clear = RunQlab("compare " + (dir / "a").string() + " -- " + (dir / "b").string() +
                             " --json --reps 1000");
  ASSERT_EQ(clear.code, 0) << clear.err;
  const auto j = Json(clear.out);
  EXPECT_DOUBLE_EQ(j["probability_of_improvement"]["point"], 1.0);
  EXPECT_GT(j["iqm_difference"]["ci"][0].get<double>(), 0.0);
  EXPECT_EQ(j["adastop"]["minatar/breakout"]["decision"], "larger");
  EXPECT_EQ(j["need_more_seeds"], false);

  const auto unclear = RunQlab("compare " + (dir / "b").string() + " -- " + (dir / "c").string() +
                               " --json --reps 1000");
  ASSERT_EQ(unclear.code, 0) << unclear.err;
  const auto u = Json(unclear.out);
  EXPECT_EQ(u["adastop"]["minatar/breakout"]["decision"], "continue");
  EXPECT_EQ(u["adastop"]["minatar/breakout"]["seeds_needed"], 10);
  EXPECT_EQ(u["need_more_seeds"], true);
  const auto text = RunQlab("compare " + (dir / "b").string() + " -- " + (dir / "c").string());
  EXPECT_NE(text.out.find("run A and B to 10 seeds each"), std::string::npos) << text.out;
}

}  // namespace

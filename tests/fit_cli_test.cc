// End-to-end test of `qlab fit` (docs/scaling.md): a results database of synthetic run dirs whose
// learning curves reach J = 100 at known env steps D(sigma) = D_min + (beta/sigma)^alpha; the
// command recovers the law, predicts the held-out sigma, writes the HTML report with its figures,
// and rejects bad input with one-line errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qlab/sweep/results_db.h"
#include "qlab_process.h"

namespace qlab {
namespace {

namespace fs = std::filesystem;
using testing::RunQlab;

double TrueData(double sigma) { return 4000 + std::pow(1500 / sigma, 1.1); }

// Run dirs of 5 sigmas x 3 seeds (update_period 2: sigma = updates_per_step / 2), indexed.
std::string MakeSweep(const std::string& dir) {
  fs::create_directories(dir);
  sweep::ResultsDb db(dir + "/results.db");
  for (double updates : {0.5, 1.0, 2.0, 4.0, 8.0})
    for (int seed = 0; seed < 3; ++seed) {
      const double sigma = updates / 2;
      const std::string id = fmt::format("u{}_s{}", updates, seed);
      const std::string run = dir + "/runs/" + id;
      fs::create_directories(run);
      const std::string label = fmt::format("dqn[updates_per_step={}]", updates);
      std::ofstream(run + "/meta.json") << nlohmann::json{
          {"agent", "dqn"},
          {"label", label},
          {"env", "classic/cartpole"},
          {"seed", seed},
          {"parameters", 17000}}.dump();
      std::ofstream(run + "/config.toml") << fmt::format(
          "[agent]\nupdates_per_step = {}\nupdate_period = 2\nbatch_size = 64\n"
          "lr = 0.001\n",
          updates);
      std::ofstream metrics(run + "/metrics.jsonl");
      for (int i = 0; i < 200; ++i) {
        const double steps = 500.0 * (i + 1);
        const double noise = (seed - 1) * 0.1;  // seeds average to the true curve
        metrics << nlohmann::json{{"iteration", i},
                                  {"env_steps", steps},
                                  {"eval_return_mean", 100 * steps / TrueData(sigma) * (1 + noise)}}
                       .dump()
                << "\n";
      }
      metrics.close();
      std::ofstream(run + "/status") << "done\n";
      db.Index(id, "synthetic", run, {{"agent.updates_per_step", fmt::format("{}", updates)}});
    }
  return dir + "/results.db";
}

TEST(FitCli, RecoversTheLawAndPredictsTheHeldOutSigma) {
  const std::string dir = testing::TestDir("fit_test", "law");
  const std::string db = MakeSweep(dir);
  const auto result = RunQlab("fit " + db + " -J 100 --smooth 1 --bootstrap 20 --json");
  ASSERT_EQ(result.code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["env"], "classic/cartpole");
  EXPECT_EQ(json["metric"], "eval_return_mean");
  EXPECT_EQ(json["runs"], 15);
  const auto& fit = json["thresholds"][0];
  EXPECT_NEAR(fit["law"]["alpha"].get<double>(), 1.1, 0.02);
  EXPECT_NEAR(fit["law"]["d_min"].get<double>() / 4000, 1.0, 0.05);
  EXPECT_NEAR(fit["law"]["beta"].get<double>() / 1500, 1.0, 0.05);
  EXPECT_EQ(fit["configs"].size(), 5u);
  EXPECT_EQ(fit["configs"][0]["sigma"], 0.25);  // updates_per_step / update_period
  EXPECT_EQ(fit["compute_per_sample"], 64.0 * 17000);
  ASSERT_EQ(fit["check"]["holdout"].size(), 1u);
  EXPECT_EQ(fit["check"]["holdout"][0]["sigma"], 4.0);
  EXPECT_LT(std::abs(fit["check"]["holdout"][0]["relative_error"].get<double>()), 0.02);
  EXPECT_EQ(fit["budget"].size(), 5u);  // one delta per sigma by default
  // the frontier: data falls and compute rises with sigma
  ASSERT_EQ(fit["frontier"].size(), 25u);
  for (size_t i = 1; i < fit["frontier"].size(); ++i) {
    EXPECT_LT(fit["frontier"][i]["data"].get<double>(),
              fit["frontier"][i - 1]["data"].get<double>());
    EXPECT_GT(fit["frontier"][i]["compute"].get<double>(),
              fit["frontier"][i - 1]["compute"].get<double>());
  }

  const auto text = RunQlab("fit " + db + " -J 100 --bootstrap 0 -o " + dir + "/fit.html");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("held-out sigma 4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("D_J(sigma) = D_min + (beta/sigma)^alpha"), std::string::npos);
  const std::string html = [&] {
    std::ifstream in(dir + "/fit.html");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir + "/fit_files/data_0.svg"));
  EXPECT_TRUE(fs::exists(dir + "/fit_files/frontier_0.svg"));
}

TEST(FitCli, BadInputIsAOneLineError) {
  const std::string dir = testing::TestDir("fit_test", "bad");
  const std::string db = MakeSweep(dir);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fit " + db + " -J 1e9", "J = 1e+09: reached at 0 sigma value(s) (none) of 5"},
      {"fit " + db + " -J 100 --env minatar/breakout",
       "no finished runs of env 'minatar/breakout'"},
      {"fit " + db + " -J 100 --metric nope", "has no metric 'nope'"},
      {"fit " + db + " -J 100 --holdout 3", "--holdout 3: not a sigma"},
      {"fit " + dir + "/nope.db -J 100", "File does not exist"},
  };
  for (const auto& [args, message] : cases) {
    const auto result = RunQlab(args);
    EXPECT_EQ(result.code, 2) << args;
    EXPECT_NE(result.err.find(message), std::string::npos) << args << ": " << result.err;
    EXPECT_EQ(testing::Lines(result.err), 1) << result.err;
  }
}

}  // namespace
}  // namespace qlab

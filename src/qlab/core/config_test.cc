#include "qlab/core/config.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"

namespace qlab {
namespace {

ConfigSchema TestSchema() {
  ConfigSchema schema;
  schema.Float("agent.gamma", 0.99, "discount", {0.0, 1.0})
      .Int("agent.batch_size", 32, "batch", {1, 1024})
      .Bool("agent.double_q", false, "double")
      .String("network.torso", "mlp", "torso", {"mlp", "minatar_cnn"})
      .String("run.env", "", "env")
      .IntList("network.widths", {64, 64}, "widths", {1, 4096})
      .Int("network.moe.num_experts", 4, "experts", {1, 64});
  return schema;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsThenLayersInOrder) {
  const ConfigSchema schema = TestSchema();
  Config config(schema);
  EXPECT_DOUBLE_EQ(config.GetFloat("agent.gamma"), 0.99);
  config.MergeToml("[agent]\ngamma = 0.9\nbatch_size = 64\n", "preset.toml");
  config.MergeToml("[agent]\ngamma = 0.5\n", "user.toml");
  config.Set("agent.batch_size=128");
  config.Set("network.torso=minatar_cnn");  // bare word: a string
  config.Set("network.widths=[120, 84]");
  config.Set("agent.gamma=1");  // an integer is a fine number
  EXPECT_DOUBLE_EQ(config.GetFloat("agent.gamma"), 1.0);
  EXPECT_EQ(config.GetInt("agent.batch_size"), 128);
  EXPECT_EQ(config.GetString("network.torso"), "minatar_cnn");
  EXPECT_EQ(config.GetIntList("network.widths"), (std::vector<int64_t>{120, 84}));
  EXPECT_FALSE(config.IsDefault("agent.gamma"));
  EXPECT_TRUE(config.IsDefault("agent.double_q"));
}

TEST(Config, ResolvedTomlReadsBackToTheSameValues) {
  const ConfigSchema schema = TestSchema();
  Config config(schema);
  config.Set("agent.gamma=0.0003125");
  config.Set("run.env=minatar/breakout(sticky=0)");
  config.Set("network.widths=[]");
  Config copy(schema);
  copy.MergeToml(config.ToToml(), "config.toml");
  EXPECT_EQ(copy.ToToml(), config.ToToml());
  EXPECT_EQ(copy.GetFloat("agent.gamma"), 0.0003125);
  EXPECT_EQ(copy.GetString("run.env"), "minatar/breakout(sticky=0)");
  EXPECT_TRUE(copy.GetIntList("network.widths").empty());
  EXPECT_NE(config.ToToml().find("# discount\ngamma = 0.0003125\n"), std::string::npos);
}

TEST(Config, NestedTablesNameDeeperKeys) {
  const ConfigSchema schema = TestSchema();
  Config config(schema);
  config.MergeToml("[network.moe]\nnum_experts = 8\n", "a.toml");
  EXPECT_EQ(config.GetInt("network.moe.num_experts"), 8);
  config.MergeToml("[network]\nmoe.num_experts = 2\n", "b.toml");
  EXPECT_EQ(config.GetInt("network.moe.num_experts"), 2);
  // the resolved file writes it as a dotted key under [network] and reads it back
  Config copy(schema);
  copy.MergeToml(config.ToToml(), "config.toml");
  EXPECT_EQ(copy.GetInt("network.moe.num_experts"), 2);
  EXPECT_EQ(ErrorOf([&] { config.MergeToml("[network.moe]\nexperts = 8\n", "c.toml"); }),
            "c.toml: unknown key 'network.moe.experts'; did you mean 'network.moe.num_experts'?");
}

TEST(Config, ErrorsNameTheKeyAndTheSource) {
  const ConfigSchema schema = TestSchema();
  Config config(schema);
  EXPECT_EQ(ErrorOf([&] { config.MergeToml("[agent]\ngama = 0.9\n", "my.toml"); }),
            "my.toml: unknown key 'agent.gama'; did you mean 'agent.gamma'?");
  EXPECT_EQ(ErrorOf([&] { config.MergeToml("[agent]\nbatch_size = 1.5\n", "my.toml"); }),
            "my.toml: key 'agent.batch_size' must be an integer (batch)");
  EXPECT_EQ(ErrorOf([&] { config.Set("agent.gamma=1.5"); }),
            "--set: key 'agent.gamma' = 1.5 is out of range [0, 1] (discount)");
  EXPECT_EQ(ErrorOf([&] { config.Set("network.torso=mpl"); }),
            "--set: key 'network.torso' = 'mpl' is not one of: mlp, minatar_cnn; did you mean "
            "'mlp'?");
  EXPECT_EQ(ErrorOf([&] { config.Set("agent.double_q=yes"); }),
            "--set: key 'agent.double_q' must be a boolean (double)");
  EXPECT_EQ(ErrorOf([&] { config.Set("agent.gamma"); }), "--set: 'agent.gamma' is not key=value");
  EXPECT_NE(ErrorOf([&] { config.MergeToml("[agent\ngamma = 1", "bad.toml"); }).find("bad.toml:1:"),
            std::string::npos);
  EXPECT_EQ(ErrorOf([&] { config.MergeToml("gamma = 0.9\n", "flat.toml"); }),
            "flat.toml: 'gamma' must be a [section] of keys (e.g. [run], [agent])");
  EXPECT_EQ(ErrorOf([&] { config.MergeFile("/nonexistent/x.toml"); }),
            "cannot read config file '/nonexistent/x.toml'");
  // a failed layer leaves earlier values alone
  EXPECT_DOUBLE_EQ(config.GetFloat("agent.gamma"), 0.99);
}

}  // namespace
}  // namespace qlab

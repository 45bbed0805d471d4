#include "qlab/sweep/sweep_spec.h"

#include <gtest/gtest.h>

#include <set>

#include "qlab/core/errors.h"
#include "qlab/sweep/processes.h"

namespace qlab::sweep {
namespace {

const char* kSpec = R"(
[sweep]
agent = "dqn"
config = ["dqn/cleanrl_classic"]
envs = ["classic/cartpole", "classic/acrobot"]
seeds = 3
[set]
"run.iterations" = 2
[grid]
"agent.updates_per_step" = [0.5, 1]
"agent.batch_size" = [32, 64]
)";

TEST(SweepSpec, ExpandsGridEnvsAndSeeds) {
  const SweepSpec spec = ParseSweepSpec(kSpec, "/tmp/specs/utd.toml");
  EXPECT_EQ(spec.name, "utd");
  EXPECT_EQ(spec.out, "sweeps/utd");
  ASSERT_EQ(spec.runs.size(), 2u * 2 * 2 * 3);
  const SweepRun& first = spec.runs[0];
  EXPECT_EQ(first.agent, "dqn");
  EXPECT_EQ(first.env, "classic/cartpole");
  EXPECT_EQ(first.seed, 0u);
  EXPECT_EQ(first.label, "dqn[batch_size=32,updates_per_step=0.5]");  // keys in name order
  const std::vector<std::pair<std::string, std::string>> sets = {
      {"run.iterations", "2"}, {"agent.batch_size", "32"}, {"agent.updates_per_step", "0.5"}};
  EXPECT_EQ(first.sets, sets);
  EXPECT_EQ(first.swept.size(), 2u);  // [set] is not swept
  std::set<std::string> ids, labels;
  for (const auto& run : spec.runs) {
    ids.insert(run.id);
    labels.insert(run.label);
    EXPECT_EQ(
        run.id.rfind(run.env == "classic/cartpole" ? "classic-cartpole_s" : "classic-acrobot_s", 0),
        0u)
        << run.id;
  }
  EXPECT_EQ(ids.size(), spec.runs.size());
  EXPECT_EQ(labels.size(), 4u);  // one per grid point: envs and seeds share labels
}

// One study, several agents: a variant may name its agent and config files (the MinAtar-100k
// comparison); a variant without them keeps the base, with the same ids as before.
TEST(SweepSpec, VariantsMayTrainOtherAgentsFromOtherConfigs) {
  const char* spec_text = R"(
[sweep]
agent = "dqn"
config = ["dqn/cleanrl_classic"]
envs = ["classic/cartpole"]
seeds = 2
[[variants]]
label = "dqn"
[[variants]]
agent = "bbf"
config = ["bbf/classic"]
"agent.updates_per_step" = 1
)";
  const SweepSpec spec = ParseSweepSpec(spec_text, "/tmp/specs/agents.toml");
  ASSERT_EQ(spec.runs.size(), 4u);
  EXPECT_EQ(spec.runs[0].agent, "dqn");
  EXPECT_EQ(spec.runs[0].config_files, std::vector<std::string>{"dqn/cleanrl_classic"});
  EXPECT_EQ(spec.runs[2].agent, "bbf");
  EXPECT_EQ(spec.runs[2].config_files, std::vector<std::string>{"bbf/classic"});
  EXPECT_EQ(spec.runs[2].label, "bbf[updates_per_step=1]");
  const std::vector<std::pair<std::string, std::string>> sets = {{"agent.updates_per_step", "1"}};
  EXPECT_EQ(spec.runs[2].sets, sets);
  // the plain variant's runs are the runs of the same spec without variants
  const std::string plain =
      std::string(spec_text).substr(0, std::string(spec_text).find("[[variants]]"));
  const SweepSpec base = ParseSweepSpec(plain, "/tmp/specs/agents.toml");
  EXPECT_EQ(spec.runs[0].id, base.runs[0].id);
  EXPECT_NE(spec.runs[2].id, spec.runs[0].id);
  EXPECT_THROW(ParseSweepSpec(std::string(spec_text) + "[[variants]]\nagent = 3\n", "x.toml"),
               UserError);
}

TEST(SweepSpec, IdsAreStableAcrossExpansions) {
  const SweepSpec a = ParseSweepSpec(kSpec, "a.toml");
  // one more axis value and another out: the existing runs keep their ids
  std::string more = kSpec;
  more.replace(more.find("[0.5, 1]"), 8, "[0.5, 1, 2]");
  more.replace(more.find("[sweep]"), 7, "[sweep]\nout = \"elsewhere\"");
  const SweepSpec b = ParseSweepSpec(more, "b.toml");
  std::set<std::string> ids_b;
  for (const auto& run : b.runs) ids_b.insert(run.id);
  EXPECT_EQ(b.runs.size(), 36u);
  for (const auto& run : a.runs) EXPECT_TRUE(ids_b.contains(run.id)) << run.id;
  // where runs train is not what they are: the same ids on another device and thread count
  std::string elsewhere = kSpec;
  elsewhere.replace(elsewhere.find("[sweep]"), 7, "[sweep]\ndevice = \"cuda\"\nthreads = 4");
  const SweepSpec c = ParseSweepSpec(elsewhere, "c.toml");
  EXPECT_EQ(c.device, "cuda");
  EXPECT_EQ(a.device, "");
  ASSERT_EQ(c.runs.size(), a.runs.size());
  for (size_t i = 0; i < a.runs.size(); ++i) EXPECT_EQ(c.runs[i].id, a.runs[i].id);
  // a different override is a different run
  std::string other = kSpec;
  other.replace(other.find("\"run.iterations\" = 2"), 20, "\"run.iterations\" = 3");
  EXPECT_NE(ParseSweepSpec(other, "a.toml").runs[0].id, a.runs[0].id);
}

TEST(SweepSpec, VariantsAndRandomSamples) {
  const char* text = R"(
[sweep]
agent = "dqn"
envs = "classic/cartpole"
seeds = [4, 9]
[[variants]]
label = "double"
"agent.double_q" = true
[[variants]]
"agent.double_q" = false
[random]
samples = 3
seed = 1
"agent.lr" = {log_uniform = [1e-4, 1e-2]}
"network.torso" = {choice = ["mlp"]}
"agent.batch_size" = {int_uniform = [16, 20]}
)";
  const SweepSpec spec = ParseSweepSpec(text, "r.toml");
  ASSERT_EQ(spec.runs.size(), 2u * 3 * 2);
  EXPECT_EQ(spec.runs[0].seed, 4u);
  EXPECT_EQ(spec.runs[1].seed, 9u);
  EXPECT_EQ(spec.runs[0].label.rfind("double[", 0), 0u) << spec.runs[0].label;
  EXPECT_NE(spec.runs.back().label.find("double_q=false"), std::string::npos)
      << spec.runs.back().label;
  for (const auto& run : spec.runs) {
    std::map<std::string, std::string> values(run.sets.begin(), run.sets.end());
    const double lr = std::stod(values.at("agent.lr"));
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-2);
    EXPECT_EQ(values.at("network.torso"), "'mlp'");  // TOML text, as --set reads it
    const int batch = std::stoi(values.at("agent.batch_size"));
    EXPECT_GE(batch, 16);
    EXPECT_LE(batch, 20);
  }
  // the same sample for both variants and seeds; different samples differ
  auto lr = [&](size_t i) {
    for (const auto& [k, v] : spec.runs[i].sets)
      if (k == "agent.lr") return v;
    return std::string();
  };
  EXPECT_EQ(lr(0), lr(1));
  EXPECT_EQ(lr(0), lr(6));
  EXPECT_NE(lr(0), lr(2));
  EXPECT_EQ(ParseSweepSpec(text, "r.toml").runs[2].sets, spec.runs[2].sets);  // seeded
}

TEST(SweepSpec, TrainArgumentsCarryThreadsAndDeviceBothWays) {
  const SweepSpec spec = ParseSweepSpec(kSpec, "/tmp/specs/utd.toml");
  const SweepRun& run = spec.runs[0];
  const auto joined = [](const std::vector<std::string>& args) {
    std::string text;
    for (const auto& arg : args) text += arg + " ";
    return text;
  };
  const std::string fresh = joined(TrainArguments(run, "d", 2, "cuda:1", "qlab", false));
  EXPECT_EQ(fresh.rfind("qlab train --quiet --threads 2 --device cuda:1 --agent dqn ", 0), 0u)
      << fresh;
  EXPECT_NE(fresh.find("--set agent.batch_size=32"), std::string::npos) << fresh;
  EXPECT_EQ(joined(TrainArguments(run, "d", 1, "cuda", "qlab", true)),
            "qlab train --quiet --threads 1 --device cuda --resume d ");
  EXPECT_EQ(joined(TrainArguments(run, "d", 1, "", "qlab", true)),
            "qlab train --quiet --threads 1 --resume d ");
}

TEST(SweepSpec, SlurmResources) {
  std::string text = kSpec;
  text.insert(text.find("seeds"), "executor = \"slurm\"\n");
  const SweepSpec spec = ParseSweepSpec(text + R"(
[slurm]
partition = "gpu"
time = "02:00:00"
mem = "8G"
gres = "gpu:1"
max_parallel = 10
sbatch_args = ["--exclusive"]
setup = ["module load cuda"]
)",
                                        "/tmp/specs/utd.toml");
  EXPECT_EQ(spec.executor, "slurm");
  EXPECT_EQ(spec.slurm.partition, "gpu");
  EXPECT_EQ(spec.slurm.time, "02:00:00");
  EXPECT_EQ(spec.slurm.mem, "8G");
  EXPECT_EQ(spec.slurm.gres, "gpu:1");
  EXPECT_EQ(spec.slurm.max_parallel, 10);
  EXPECT_EQ(spec.slurm.cpus_per_task, 0);  // the spec's threads
  EXPECT_EQ(spec.slurm.sbatch_args, std::vector<std::string>{"--exclusive"});
  EXPECT_EQ(spec.slurm.setup, std::vector<std::string>{"module load cuda"});
  EXPECT_EQ(spec.slurm_dir(), "sweeps/utd/slurm");
}

TEST(SweepSpec, BadSpecsNameTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[sweep]\nagent = \"dqn\"\nenvs = \"classic/cartpole\"\nworkerz = 2\n",
       "unknown key 'workerz' in [sweep]; did you mean 'workers'"},
      {"[sweep]\nenvs = \"classic/cartpole\"\n", "[sweep] agent is required"},
      {"[sweep]\nagent = \"dqn\"\n", "[sweep] envs is required"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\nseeds = [1, 1]\n", "seeds lists a seed twice"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\nexecutor = \"pbs\"\n", "unknown executor 'pbs'"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[grid]\n\"agent.lr\" = []\n",
       "[grid] agent.lr must be a non-empty list"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[grid]\n\"agent.lr\" = [1, 1]\n",
       "two runs are identical"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[random]\nsamples = 2\n\"agent.lr\" = {normal = "
       "[0, 1]}\n",
       "unknown distribution 'normal'"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[random]\n\"agent.lr\" = {uniform = [0, 1]}\n",
       "[random] samples is required"},
      {"[sweep\n", "bad.toml:1"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[axes]\n", "unknown key 'axes'"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[slurm]\npartiton = \"gpu\"\n",
       "unknown key 'partiton' in [slurm]; did you mean 'partition'"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[slurm]\ntime = \"1:00 --x\"\n",
       "[slurm] time must not contain spaces"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[slurm]\nmax_parallel = 0\n",
       "[slurm] max_parallel must be an integer >= 1"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[[variants]]\nlabel = \"a\"\n\"agent.lr\" = 1\n"
       "[[variants]]\nlabel = \"a\"\n\"agent.lr\" = 2\n",
       "differ but both are label 'a' on e, seed 0: give the [[variants]] distinct labels"},
      {"[sweep]\nagent = \"dqn\"\nenvs = \"e\"\n[[variants]]\nconfig = [\"x\"]\n[[variants]]\n"
       "config = [\"y\"]\n",
       "both are label 'dqn'"},  // unlabelled variants of one agent that differ in configs
  };
  for (const auto& [text, message] : cases) {
    try {
      ParseSweepSpec(text, "bad.toml");
      ADD_FAILURE() << "no error for: " << text;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
          << e.what() << "\nexpected: " << message;
      EXPECT_EQ(std::string(e.what()).rfind("bad.toml", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace qlab::sweep

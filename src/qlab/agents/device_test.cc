// Where the networks compute. run.device: networks train on a GPU while replay, envs and every
// random draw stay on the host (nets/device.h); the name checks run everywhere, the GPU cases need
// a CUDA libtorch and a GPU and are skipped without one (CI has none; docs/gpu.md says how they
// were run). network.kernel: DQN on the hand-written CPU kernel (nets/minatar_cnn_kernel.h)
// learns what libtorch's autograd learns.
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "qlab/agents/dqn.h"
#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/nets/device.h"
#include "qlab/train/train_config.h"

namespace qlab {
namespace {

std::string ErrorOf(const std::string& name) {
  try {
    ParseDevice(name);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Device, NamesAreCheckedWithOneLineErrors) {
  EXPECT_TRUE(ParseDevice("cpu").is_cpu());
  for (const std::string bad : {"gpu", "cuda:x", "", "meta"}) {
    SCOPED_TRACE(bad);
    const std::string error = ErrorOf(bad);
    EXPECT_NE(error.find("run.device = '" + bad + "'"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
  if (torch::cuda::is_available()) {
    EXPECT_TRUE(ParseDevice("cuda").is_cuda());
    EXPECT_NE(ErrorOf("cuda:99").find("visible"), std::string::npos);
  } else {
    EXPECT_NE(ErrorOf("cuda").find("sees no CUDA GPU"), std::string::npos);
  }
}

TEST(Device, CpuDrawsLandOnTheTensorsDevice) {
  at::Generator a = at::detail::createCPUGenerator(7), b = at::detail::createCPUGenerator(7);
  torch::Tensor host = torch::empty({5});
  DrawOnCpu(host, [&](torch::Tensor& t) { t.uniform_(-1.0, 1.0, a); });
  EXPECT_TRUE(host.equal(torch::empty({5}).uniform_(-1.0, 1.0, b)));
  if (!torch::cuda::is_available()) return;
  torch::Tensor device = torch::empty({5}, torch::Device(torch::kCUDA));
  at::Generator c = at::detail::createCPUGenerator(7);
  DrawOnCpu(device, [&](torch::Tensor& t) { t.uniform_(-1.0, 1.0, c); });
  EXPECT_TRUE(device.is_cuda());
  EXPECT_TRUE(device.cpu().equal(host));
}

struct Setup {
  ConfigSchema schema;
  std::unique_ptr<Config> config;
  std::unique_ptr<AnyVecEnv> env;
  std::unique_ptr<Dqn> agent;
};

// An agent of `variant` with `sets` on `device`, for MinAtar Breakout with 4 envs.
std::unique_ptr<Setup> MakeAgent(const std::string& variant, const std::vector<std::string>& sets,
                                 const std::string& device) {
  auto s = std::make_unique<Setup>();
  s->schema = TrainSchema(variant);
  s->config = std::make_unique<Config>(s->schema);
  for (const char* set : {"agent.min_replay_history=64", "agent.update_period=1",
                          "replay.capacity=2048", "diagnostics.batch=32"})
    s->config->Set(set);
  for (const auto& set : sets) s->config->Set(set);
  s->env = BuiltinEnvs().Make("minatar/breakout", {.num_envs = 4, .seed = 1});
  const AgentContext context{.config = s->config.get(),
                             .spec = s->env->spec(),
                             .num_envs = 4,
                             .num_eval_envs = 1,
                             .seed = 5,
                             .total_env_steps = 2000,
                             .device = device};
  s->agent = std::make_unique<Dqn>(context, DqnOptions::FromConfig(*s->config, variant));
  return s;
}

TrainStats TrainFor(Setup& s, int vector_steps) {
  StepBatch current = s.env->MakeBatch(), next = s.env->MakeBatch();
  s.env->Reset(current);
  std::vector<uint8_t> start(4, 1);
  std::vector<int32_t> actions(4);
  Rng rng(2);
  for (int step = 0; step < vector_steps; ++step) {
    s.agent->Act(current.obs.data(), start, ActMode::kTrain, rng, actions);
    s.env->Step(actions, next);
    s.agent->Observe(current.obs.data(), actions, next);
    for (int i = 0; i < 4; ++i) start[i] = next.done(i);
    std::swap(current, next);
  }
  return s.agent->TakeStats();
}

// Expected Q of a fixed batch of observations (noise off), on the host.
torch::Tensor QOnHost(Dqn& agent, const torch::Tensor& obs) {
  torch::NoGradGuard no_grad;
  if (agent.online()->noisy()) agent.online()->SetNoiseEnabled(false);
  Rng rng(11);
  const auto device = agent.online()->parameters()[0].device();
  return agent.QValues(obs.to(device), rng).cpu();
}

struct Variant {
  std::string name;
  std::string agent;
  std::vector<std::string> sets;
};

// Every path that moves tensors: noisy layers, categorical / quantile / implicit heads, prioritized
// priorities, augmentation, SPR, resets (CPU generators into GPU weights), ReDo, growth masks.
std::vector<Variant> Variants() {
  const std::vector<std::string> small = {"network.widths=[32]"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), small.begin(), small.end());
    return extra;
  };
  return {{"dqn_double_dueling_redo", "dqn",
           with({"agent.double_q=true", "network.head=dueling", "redo.period=50"})},
          {"rainbow", "rainbow", with({})},
          {"qrdqn", "qrdqn", with({})},
          {"iqn", "iqn", with({})},
          {"bbf_small",
           "bbf",
           {"network.torso=impala", "network.width_scale=0.25", "network.widths=[32]",
            "spr.projection_dim=32", "spr.transition_width=8", "agent.updates_per_step=1",
            "reset.period=60", "reset.layers=-1", "reset.shrink=0.5", "agent.anneal_steps=50"}},
          {"grow", "dqn", with({"grow.initial_sparsity=0.5", "grow.period=40"})}};
}

TEST(Kernel, DqnOnTheHandWrittenKernelTrainsAsOnLibtorch) {
  // Dopamine's network with plain DQN; the MinAtar paper's with double Q and Huber; priorities
  // (a short run: a priority's last bit can move a sampled index, and from there the runs differ)
  struct Config {
    std::vector<std::string> sets;
    int steps, min_updates;
  };
  const std::vector<Config> configs = {
      {{"network.torso=minatar_cnn", "network.widths=[]"}, 150, 400},
      {{"network.torso=minatar_cnn", "network.conv_padding=valid", "network.widths=[16]",
        "agent.double_q=true", "agent.loss=huber"},
       150,
       400},
      {{"network.torso=minatar_cnn", "network.widths=[]", "replay.prioritized=true"}, 25, 30}};
  for (const auto& [sets, steps, min_updates] : configs) {
    SCOPED_TRACE(fmt::format("{}", fmt::join(sets, " ")));
    auto kernel = MakeAgent("dqn", sets, "cpu");
    std::vector<std::string> with_torch = sets;
    with_torch.push_back("network.kernel=torch");
    auto reference = MakeAgent("dqn", with_torch, "cpu");
    ASSERT_TRUE(kernel->agent->uses_kernel());
    ASSERT_FALSE(reference->agent->uses_kernel());
    // the same seed, the same transitions (greedy actions agree), the same updates up to rounding
    const TrainStats a = TrainFor(*kernel, steps), b = TrainFor(*reference, steps);
    EXPECT_EQ(a.updates, b.updates);
    EXPECT_GT(a.updates, min_updates);
    ASSERT_TRUE(a.loss_mean && b.loss_mean);
    EXPECT_NEAR(*a.loss_mean, *b.loss_mean, 1e-4 * std::abs(*b.loss_mean) + 1e-7);
    const torch::Tensor obs = torch::rand({8, 4, 10, 10}).lt(0.1).to(torch::kFloat32);
    const torch::Tensor q = QOnHost(*kernel->agent, obs), q_ref = QOnHost(*reference->agent, obs);
    EXPECT_TRUE(torch::allclose(q, q_ref, 1e-3, 1e-5)) << (q - q_ref).abs().max();
    // and the weights moved: a kernel that wrote no gradients would fail here
    auto fresh = MakeAgent("dqn", sets, "cpu");
    EXPECT_GT((QOnHost(*fresh->agent, obs) - q_ref).abs().max().item<double>(), 1e-3);
  }
  // what the kernel does not compute runs on libtorch
  EXPECT_FALSE(MakeAgent("dqn", {"network.torso=minatar_cnn", "network.head=dueling"}, "cpu")
                   ->agent->uses_kernel());
  EXPECT_FALSE(MakeAgent("c51", {"network.torso=minatar_cnn"}, "cpu")->agent->uses_kernel());
}

TEST(Device, GpuTrainingStartsFromTheCpuWeightsAndCheckpointsMoveBothWays) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU visible to this libtorch";
  for (const auto& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto cpu = MakeAgent(v.agent, v.sets, "cpu");
    auto gpu = MakeAgent(v.agent, v.sets, "cuda");
    // the same seeded weights, whatever the device
    const auto cpu_params = cpu->agent->online()->parameters();
    const auto gpu_params = gpu->agent->online()->parameters();
    ASSERT_EQ(cpu_params.size(), gpu_params.size());
    for (size_t i = 0; i < cpu_params.size(); ++i) {
      EXPECT_TRUE(gpu_params[i].is_cuda());
      EXPECT_TRUE(cpu_params[i].equal(gpu_params[i].cpu())) << "parameter " << i;
    }
    // it trains on the GPU (resets, growth and ReDo fire within these updates)
    const TrainStats stats = TrainFor(*gpu, 200);
    EXPECT_GT(stats.updates, 100);
    ASSERT_TRUE(stats.loss_mean.has_value());
    EXPECT_TRUE(std::isfinite(*stats.loss_mean));
    for (const auto& [name, value] : stats.diagnostics) EXPECT_TRUE(std::isfinite(value)) << name;
    // a GPU checkpoint loads on the CPU and back, with the same function
    Archive archive;
    gpu->agent->Save(archive);
    auto host = MakeAgent(v.agent, v.sets, "cpu");
    host->agent->Load(archive);
    const torch::Tensor obs = torch::rand({6, 4, 10, 10}).round();
    const torch::Tensor q_gpu = QOnHost(*gpu->agent, obs);
    EXPECT_TRUE(torch::allclose(QOnHost(*host->agent, obs), q_gpu, 1e-4, 1e-5));
    Archive again;
    host->agent->Save(again);
    auto back = MakeAgent(v.agent, v.sets, "cuda");
    back->agent->Load(again);
    EXPECT_TRUE(torch::allclose(QOnHost(*back->agent, obs), q_gpu, 1e-4, 1e-5));
    EXPECT_EQ(back->agent->updates(), gpu->agent->updates());
    // and goes on training there
    EXPECT_TRUE(std::isfinite(TrainFor(*back, 20).loss_mean.value_or(0.0)));
  }
}

}  // namespace
}  // namespace qlab

// Multi-task envs: every task runs exactly as its own vector env would, embedded in the common
// shape with its task id; thread-count independence, checkpoints and the one-line errors.
#include "qlab/core/multi_task.h"

#include <gtest/gtest.h>

#include <cstring>

#include "qlab/envs/builtin.h"

namespace qlab {
namespace {

TEST(MultiTask, SplitsTheListAtTopLevelCommas) {
  EXPECT_EQ(SplitEnvList("a(x=1,y=2),b,c(z=3)"),
            (std::vector<std::string>{"a(x=1,y=2)", "b", "c(z=3)"}));
  EXPECT_EQ(SplitEnvList("minatar/breakout(sticky=0)"),
            std::vector<std::string>{"minatar/breakout(sticky=0)"});
}

// Steps the 2-task env and each task's own vector env (same seed, the streams of one 4-env
// vector env) with the same random actions, for long enough that episodes end.
TEST(MultiTask, EveryTaskRunsAsItsOwnVecEnvEmbeddedWithItsTaskId) {
  const std::string a = "minatar/breakout(actions=full)", b = "minatar/freeway(actions=full)";
  const uint64_t stream = StreamId("env");
  auto multi = BuiltinEnvs().Make(a + "," + b, {.num_envs = 4, .seed = 3, .stream = stream});
  std::unique_ptr<AnyVecEnv> single[2] = {
      BuiltinEnvs().Make(a, {.num_envs = 2, .seed = 3, .stream = stream}),
      BuiltinEnvs().Make(b, {.num_envs = 2, .seed = 3, .stream = stream + 2})};
  const EnvSpec& spec = multi->spec();
  EXPECT_EQ(spec.obs_shape, (std::vector<int>{7 + 2, 10, 10}));  // freeway's 7 + 2 task planes
  EXPECT_TRUE(spec.obs_binary);
  EXPECT_EQ(spec.action_space.n, 6);
  EXPECT_EQ(spec.obs_labels.back(), "task=minatar/freeway");
  ASSERT_EQ(multi->num_tasks(), 2);
  EXPECT_EQ(multi->task_of(1), 0);
  EXPECT_EQ(multi->task_of(2), 1);
  EXPECT_EQ(multi->task_name(1), "minatar/freeway");

  StepBatch m = multi->MakeBatch();
  StepBatch s[2] = {single[0]->MakeBatch(), single[1]->MakeBatch()};
  multi->Reset(m);
  for (int t = 0; t < 2; ++t) single[t]->Reset(s[t]);
  // the expected row of env j: the task's planes, zero padding, then the one-hot task planes
  auto check_row = [&](const uint8_t* row, const uint8_t* own, int task, const char* what) {
    const int channels = single[task]->spec().obs_shape[0];
    for (int c = 0; c < 9; ++c)
      for (int k = 0; k < 100; ++k) {
        const uint8_t expected = c < channels ? own[c * 100 + k] : (c == 7 + task ? 1 : 0);
        ASSERT_EQ(row[c * 100 + k], expected) << what << " task " << task << " plane " << c;
      }
  };
  Rng rng(5);
  std::vector<int32_t> actions(4);
  int finished = 0;
  for (int step = 0; step < 3000; ++step) {
    for (auto& action : actions) action = static_cast<int32_t>(rng.UniformInt(6));
    multi->Step(actions, m);
    for (int t = 0; t < 2; ++t) single[t]->Step(std::span(actions).subspan(2 * t, 2), s[t]);
    for (int j = 0; j < 4; ++j) {
      const int t = j / 2, i = j % 2;
      ASSERT_EQ(m.reward[j], s[t].reward[i]) << "step " << step;
      ASSERT_EQ(m.terminated[j], s[t].terminated[i]);
      ASSERT_EQ(m.truncated[j], s[t].truncated[i]);
      check_row(m.obs.data() + j * m.obs_bytes, s[t].obs.data() + i * s[t].obs_bytes, t, "obs");
      if (m.done(j)) {
        ++finished;
        ASSERT_EQ(m.episode_return[j], s[t].episode_return[i]);
        ASSERT_EQ(m.episode_length[j], s[t].episode_length[i]);
        check_row(m.final_obs.data() + j * m.obs_bytes, s[t].final_obs.data() + i * s[t].obs_bytes,
                  t, "final_obs");
      }
    }
  }
  EXPECT_GT(finished, 4);  // breakout ends often, freeway after 2500 steps
}

TEST(MultiTask, VectorTasksArePaddedWithAOneHotTaskId) {
  auto env = BuiltinEnvs().Make("classic/acrobot,classic/mountain_car", {.num_envs = 2, .seed = 1});
  EXPECT_EQ(env->spec().obs_shape, (std::vector<int>{6 + 2}));
  EXPECT_EQ(env->spec().max_episode_steps, 500);
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  const auto car = batch.obs_row<float>(1);
  EXPECT_NE(car[0], 0.0f);  // position
  for (int k = 2; k < 6; ++k) EXPECT_EQ(car[k], 0.0f) << k;
  EXPECT_EQ(car[6], 0.0f);
  EXPECT_EQ(car[7], 1.0f);
  EXPECT_EQ(batch.obs_row<float>(0)[6], 1.0f);
}

TEST(MultiTask, SameTrajectoryForAnyThreadCountAndAfterSaveLoad) {
  const std::string name = "minatar/breakout,minatar/freeway(sticky=0)";
  ThreadPool pool(2);
  auto serial = BuiltinEnvs().Make(name, {.num_envs = 6, .seed = 2});
  auto threaded = BuiltinEnvs().Make(name, {.num_envs = 6, .seed = 2, .pool = &pool});
  auto run = [](AnyVecEnv& env, StepBatch& batch, int steps, uint64_t seed) {
    std::vector<uint8_t> trace;
    Rng rng(seed);
    std::vector<int32_t> actions(env.num_envs());
    for (int t = 0; t < steps; ++t) {
      for (auto& a : actions) a = static_cast<int32_t>(rng.UniformInt(3));
      env.Step(actions, batch);
      trace.insert(trace.end(), batch.obs.begin(), batch.obs.end());
      for (float r : batch.reward) trace.push_back(static_cast<uint8_t>(r * 7 + 64));
    }
    return trace;
  };
  StepBatch a = serial->MakeBatch(), b = threaded->MakeBatch();
  serial->Reset(a);
  threaded->Reset(b);
  EXPECT_EQ(run(*serial, a, 200, 1), run(*threaded, b, 200, 1));
  const std::string state = serial->SaveState();
  const auto first = run(*serial, a, 300, 2);
  serial->LoadState(state);
  EXPECT_EQ(first, run(*serial, a, 300, 2));
  EXPECT_THROW(serial->LoadState(state.substr(0, state.size() - 1)), UserError);
  EXPECT_THROW(serial->LoadState(state + "x"), UserError);
}

std::string ErrorOf(const std::string& name, int num_envs) {
  try {
    BuiltinEnvs().Make(name, {.num_envs = num_envs});
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(MultiTask, OneLineErrorsNameTheCulprit) {
  // minimal action sets differ: 3 vs 5
  EXPECT_NE(ErrorOf("minatar/breakout,minatar/asterix", 2).find("actions=full"), std::string::npos);
  EXPECT_NE(ErrorOf("minatar/breakout,classic/cartpole", 2).find("observation kind"),
            std::string::npos);
  EXPECT_NE(ErrorOf("minatar/breakout,minatar/freeway", 3).find("multiple of 2"),
            std::string::npos);
  EXPECT_NE(ErrorOf("minatar/breakout,minatar/nope", 2).find("unknown env 'minatar/nope'"),
            std::string::npos);
  EXPECT_THROW(BuiltinEnvs().Resolve("minatar/breakout,minatar/freeway"), UserError);
  EXPECT_EQ(BuiltinEnvs().Canonicalize("minatar/breakout(sticky=0),classic/cartpole"),
            BuiltinEnvs().Canonicalize("minatar/breakout(sticky=0)") + "," +
                BuiltinEnvs().Canonicalize("classic/cartpole"));
}

}  // namespace
}  // namespace qlab

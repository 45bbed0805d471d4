// The first program to read: make a batched env by name, step it with random actions, and
// collect finished episodes. Build: cmake --build --preset release; run:
//   build/release/examples/random_rollout 'minatar/breakout(sticky=0.1)' 1000
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"
#include "qlab/stats/summary.h"

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "minatar/breakout";
  const int episodes = argc > 2 ? std::atoi(argv[2]) : 100;
  try {
    qlab::ThreadPool pool(2);
    // 16 envs, each with its own RNG stream derived from (seed, env index)
    auto env = qlab::BuiltinEnvs().Make(name, {.num_envs = 16, .seed = 0, .pool = &pool});
    qlab::StepBatch batch = env->MakeBatch();  // caller-owned buffers, allocated once
    env->Reset(batch);

    qlab::Rng policy(qlab::DeriveSeed(0, qlab::StreamId("policy")));
    std::vector<int32_t> actions(env->num_envs());
    std::vector<double> returns;
    while (static_cast<int>(returns.size()) < episodes) {
      for (auto& a : actions)
        a = static_cast<int32_t>(policy.UniformInt(env->spec().action_space.n));
      env->Step(actions, batch);  // finished envs auto-reset; final_obs keeps their last frame
      for (int i = 0; i < env->num_envs(); ++i)
        if (batch.done(i) && static_cast<int>(returns.size()) < episodes)
          returns.push_back(batch.episode_return[i]);
    }
    const auto summary = qlab::stats::Summarize(returns);
    std::printf("%s: %d episodes, return %.3f +- %.3f (s.e.)\n", env->name().c_str(), summary.count,
                summary.mean, summary.se);
  } catch (const qlab::UserError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}

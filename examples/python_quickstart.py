#!/usr/bin/env python3
"""qlab from Python in one page: batched envs, then rliable-style statistics on run dirs.

  PYTHONPATH=build/release/python /usr/bin/python3 examples/python_quickstart.py
"""
import os

import numpy as np

import qlab
from qlab.stats import library as rly, metrics  # rliable's API, computed by qlab

# 64 Breakout envs stepped in C++; obs/reward/... are views of qlab's buffers (no copies).
envs = qlab.make("minatar/breakout", num_envs=64, seed=0)
obs, info = envs.reset(seed=0)
rng = np.random.default_rng(0)
returns = []
while len(returns) < 100:
    obs, reward, terminated, truncated, info = envs.step(rng.integers(0, 3, envs.num_envs))
    returns.extend(info["episode"]["r"][info["_episode"]])  # episodes that ended this step
print(f"{envs.spec.id}: {len(returns)} random episodes, return {np.mean(returns):.2f}")

# Final scores of the example run dirs, normalised (0 = random policy, 1 = reference DQN).
runs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs")
scores, tasks = qlab.score_dict(runs)
aggregate = lambda x: np.array([metrics.aggregate_median(x), metrics.aggregate_iqm(x)])
points, intervals = rly.get_interval_estimates(scores, aggregate, reps=2000)
for label in scores:
    (median, iqm), (lo, hi) = points[label], intervals[label][:, 1]
    print(f"{label:>12}: median {median:.3f}, IQM {iqm:.3f} [{lo:.3f}, {hi:.3f}] over {tasks}")
test = qlab.stats.adastop({k: v[:, 0] for k, v in scores.items()}, n=2, K=2)
print("AdaStop on", tasks[0], test.decisions)

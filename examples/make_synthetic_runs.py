#!/usr/bin/env python3
"""Writes small SYNTHETIC run dirs (docs/run_dir.md format) under examples/runs/ for the report and
compare examples in docs/statistics.md: two labels x two MinAtar games x 4 seeds x 10 iterations,
returns drawn from made-up learning curves. Not results of any training run.

Run: python3 examples/make_synthetic_runs.py"""
import json
import math
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs")
GAMES = {"minatar/breakout": 10.0, "minatar/space_invaders": 43.0}
LABELS = {"dqn": 0.8, "double_dqn": 1.0}  # asymptote as a fraction of the game's scale

for label, strength in LABELS.items():
    for env, scale in GAMES.items():
        for seed in range(4):
            rng = random.Random(f"{label}/{env}/{seed}")
            d = os.path.join(ROOT, f"{label}_{env.split('/')[1]}_s{seed}")
            os.makedirs(d, exist_ok=True)
            meta = {"qlab_version": "synthetic", "agent": "dqn", "label": label, "env": env,
                    "seed": seed, "threads": 1}
            with open(os.path.join(d, "meta.json"), "w") as f:
                json.dump(meta, f, indent=1)
            with open(os.path.join(d, "metrics.jsonl"), "w") as f, \
                    open(os.path.join(d, "episodes.csv"), "w") as ep:
                ep.write("phase,iteration,env_steps,env_index,return,length,terminated,truncated\n")
                for it in range(10):
                    steps = (it + 1) * 100000
                    mean = scale * strength * (1 - math.exp(-(it + 1) / 3)) + rng.gauss(0, 0.08 * scale)
                    row = {"iteration": it, "env_steps": steps, "frames": steps, "updates": steps // 4,
                           "wall_s": 10.0 * (it + 1), "env_steps_per_s": 10000.0,
                           "updates_per_s": 2500.0, "train_episodes": 20,
                           "train_return_mean": round(mean * 0.9, 4), "eval_episodes": 10,
                           "eval_return_mean": round(mean, 4),
                           "eval_return_std": round(0.1 * scale, 4), "loss": None,
                           "q_mean": None, "epsilon": 0.01}
                    f.write(json.dumps(row) + "\n")
                    for e in range(3):
                        ep.write(f"eval,{it},{steps},{e},{mean + rng.gauss(0, 1):.2f},500,1,0\n")
            with open(os.path.join(d, "status"), "w") as f:
                f.write("done\n")

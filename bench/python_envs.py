#!/usr/bin/env python3
"""Benchmark of qlab's Python API (issue #9): batches of MinAtar envs stepped from Python with
random actions, one thread, against the Python reference MinAtar's steps/s per core.
`qlab bench python` runs this script with the build tree's package.

Two action sources: actions drawn with numpy every step (what a random-policy Python loop
does), and pre-drawn actions (the env engine plus the binding's per-step cost). The reference
figures are the per-core rates issue #2 quotes for the Python MinAtar 1.0.15 on this machine class
(not measured here: no Python MinAtar on this machine); docs/benchmarks.md.

  PYTHONPATH=build/release/python /usr/bin/python3 bench/python_envs.py [--seconds S] [--json]
"""
import argparse
import json
import os
import platform
import time

import numpy as np

import qlab

# the figures `qlab bench envs` divides by (src/qlab/envs/minatar/python_reference.h)
REFERENCE_STEPS_PER_S = qlab._qlab.minatar_python_reference()
GAMES = ["minatar/breakout", "minatar/asterix", "minatar/freeway", "minatar/seaquest",
         "minatar/space_invaders"]


def steps_per_second(env, num_envs, seconds, pre_drawn):
    envs = qlab.make(env, num_envs=num_envs, seed=0)
    envs.reset()
    rng = np.random.default_rng(0)
    n = envs.single_action_space.n
    table = rng.integers(0, n, size=(4096, num_envs))
    steps, start = 0, time.perf_counter()
    while True:
        for i in range(256):
            envs.step(table[(steps + i) & 4095] if pre_drawn else rng.integers(0, n, num_envs))
        steps += 256
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps * num_envs / elapsed


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--num-envs", type=int, default=64)
    parser.add_argument("--env", action="append", help="env names (default: the 5 MinAtar games)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    envs = args.env or GAMES
    machine = (f"{cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"numpy {np.__version__}, qlab {qlab.__version__} ({qlab.git_commit})")
    rows = []
    for env in envs:
        random_actions = steps_per_second(env, args.num_envs, args.seconds, pre_drawn=False)
        pre_drawn = steps_per_second(env, args.num_envs, args.seconds, pre_drawn=True)
        reference = REFERENCE_STEPS_PER_S.get(env.split("(")[0])
        rows.append({"env": env, "num_envs": args.num_envs, "steps_per_s": random_actions,
                     "steps_per_s_pre_drawn": pre_drawn,
                     "vs_python_reference": random_actions / reference if reference else None})
    if args.json:
        print(json.dumps({"machine": machine, "results": rows}, indent=2))
        return
    print(f"machine: {machine}")
    print(f"{'env':<24} {'steps/s (numpy actions)':>24} {'steps/s (pre-drawn)':>20} "
          f"{'vs Python MinAtar':>18}")
    for r in rows:
        ratio = f"{r['vs_python_reference']:.0f}x" if r["vs_python_reference"] else "-"
        print(f"{r['env']:<24} {r['steps_per_s']:>24.3g} {r['steps_per_s_pre_drawn']:>20.3g} "
              f"{ratio:>18}")


if __name__ == "__main__":
    main()

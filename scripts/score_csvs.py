#!/usr/bin/python3
"""Writes one score file per label from finished run dirs: LABEL.csv with a header of env ids and
a row per seed (the run's last score, not normalised), the input `qlab stats` takes
(docs/statistics.md). Published next to a results page, they let anyone recompute its aggregates
without the runs. A label whose envs have different seeds finished is an error (a score matrix
needs every cell), unless --partial writes the seeds every env has.

  PYTHONPATH=build/release/python scripts/score_csvs.py RUNS_DIR OUT_DIR [--label L ...] [--partial]
"""
import argparse
import collections
import csv
import os
import re
import sys

import qlab


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--label", action="append", help="only these labels (repeatable)")
    parser.add_argument("--partial", action="store_true", help="keep the seeds every env has")
    args = parser.parse_args()
    try:
        runs = qlab.load_runs(args.runs_dir)
    except qlab.Error as e:
        sys.exit(f"score_csvs.py: {e}")
    # label -> env id (parameters dropped, as reference tables do) -> seed -> score
    table = collections.defaultdict(lambda: collections.defaultdict(dict))
    for run in runs:
        if not run.finished or len(run.scores) == 0:
            continue
        env = re.sub(r"\(.*\)$", "", run.env)
        if run.seed in table[run.label][env]:
            sys.exit(f"score_csvs.py: two finished runs of {run.label} on {env} with seed {run.seed}"
                     f" (one is {run.dir})")
        table[run.label][env][run.seed] = float(run.scores[-1])
    if not table:
        sys.exit(f"score_csvs.py: no finished runs in '{args.runs_dir}'")
    labels = args.label or sorted(table)
    missing = [label for label in labels if label not in table]
    if missing:
        sys.exit(f"score_csvs.py: no finished runs labelled {', '.join(missing)} in "
                 f"'{args.runs_dir}' (labels there: {', '.join(sorted(table)) or 'none'})")
    matrices = {}  # every label checked before any file is written
    for label in labels:
        envs = sorted(table[label])
        seed_sets = [set(table[label][env]) for env in envs]
        seeds = sorted(set.intersection(*seed_sets))
        if any(s != set(seeds) for s in seed_sets) and not args.partial:
            counts = ", ".join(f"{env} {len(table[label][env])}" for env in envs)
            sys.exit(f"score_csvs.py: {label} has different seeds finished per env ({counts});"
                     f" --partial keeps the {len(seeds)} every env has")
        matrices[label] = (envs, [[table[label][env][seed] for env in envs] for seed in seeds])
    os.makedirs(args.out_dir, exist_ok=True)
    for label, (envs, rows) in matrices.items():
        path = os.path.join(args.out_dir, f"{label}.csv")
        with open(path, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(envs)
            writer.writerows([f"{value:.10g}" for value in row] for row in rows)
        print(f"{path}: {len(rows)} seeds x {len(envs)} envs")


if __name__ == "__main__":
    main()

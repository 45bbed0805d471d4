"""scripts/score_csvs.py: published score files equal the runs' final scores, in the format
`qlab stats` reads, and an incomplete study is an error rather than a silently shorter matrix."""

import csv
import os
import shutil
import subprocess
import sys

import numpy as np

import qlab

from conftest import REPO

SCRIPT = os.path.join(REPO, "scripts", "score_csvs.py")


def _run(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True)


def _read(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=float)


def test_score_files_hold_every_finished_runs_last_score(example_runs, tmp_path, qlab_cli):
    done = _run(example_runs, tmp_path)
    assert done.returncode == 0, done.stderr
    scores, envs = qlab.score_dict(example_runs, normalize="none")
    for label in ("dqn", "double_dqn"):
        header, matrix = _read(tmp_path / f"{label}.csv")
        assert header == envs
        np.testing.assert_allclose(matrix, scores[label], rtol=1e-9)
    # the files are qlab stats' input
    assert "dqn" in qlab_cli("stats", tmp_path / "dqn.csv", tmp_path / "double_dqn.csv", "--reps", 100)


def test_an_incomplete_label_is_an_error_unless_partial(example_runs, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(example_runs, runs)
    shutil.rmtree(runs / "dqn_breakout_s1")
    done = _run(runs, tmp_path / "out")
    assert done.returncode != 0
    assert "dqn has different seeds finished per env" in done.stderr
    assert "minatar/breakout 3" in done.stderr
    done = _run(runs, tmp_path / "out", "--partial", "--label", "dqn")
    assert done.returncode == 0, done.stderr
    _, matrix = _read(tmp_path / "out" / "dqn.csv")
    assert matrix.shape == (3, 2)  # seeds 0, 2, 3 of both envs
    assert not os.path.exists(tmp_path / "out" / "double_dqn.csv")


def test_an_unknown_label_names_the_labels_there(example_runs, tmp_path):
    done = _run(example_runs, tmp_path, "--label", "spr")
    assert done.returncode != 0
    assert "no finished runs labelled spr" in done.stderr and "double_dqn, dqn" in done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _run(empty, tmp_path / "out")
    assert done.returncode != 0 and "holds none" in done.stderr
    unfinished = tmp_path / "unfinished"
    shutil.copytree(os.path.join(example_runs, "dqn_breakout_s0"), unfinished / "r")
    (unfinished / "r" / "status").write_text("running\n")
    done = _run(unfinished, tmp_path / "out")
    assert done.returncode != 0 and "no finished runs in" in done.stderr


def test_published_score_files_match_their_published_runs(tmp_path):
    """docs/results/minatar100k: every label whose 25 runs are published has a score file equal to
    what the runs give (a hand edit or a stale file fails here)."""
    results = os.path.join(REPO, "docs", "results")
    runs_dir = os.path.join(results, "minatar100k_runs")
    runs = qlab.load_runs(runs_dir)
    assert runs.problems == []
    counts = {}
    for run in runs:
        if run.finished:
            counts[run.label] = counts.get(run.label, 0) + 1
    complete = sorted(label for label, n in counts.items() if n == 25)
    assert "drq_eps" in complete
    done = _run(runs_dir, tmp_path, *[a for label in complete for a in ("--label", label)])
    assert done.returncode == 0, done.stderr
    for label in complete:
        header, matrix = _read(tmp_path / f"{label}.csv")
        published_header, published = _read(os.path.join(results, "minatar100k_scores",
                                                          f"{label}.csv"))
        assert header == published_header and matrix.shape == (5, 5)
        np.testing.assert_array_equal(matrix, published, err_msg=label)

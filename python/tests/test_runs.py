"""qlab.load_run / load_runs / score_dict: run directories as numpy arrays."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import qlab


def _jsonl(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def test_load_run_gives_every_metric(example_runs):
    directory = os.path.join(example_runs, "dqn_breakout_s1")
    run = qlab.load_run(directory)
    rows = _jsonl(os.path.join(directory, "metrics.jsonl"))
    meta = json.load(open(os.path.join(directory, "meta.json")))
    assert (run.agent, run.env, run.seed, run.label) == (meta["agent"], meta["env"], meta["seed"],
                                                         meta.get("label", meta["agent"]))
    assert run.meta == meta and run.finished and run.status == "done"
    assert run.env_steps.dtype == np.int64
    np.testing.assert_array_equal(run.env_steps, [r["env_steps"] for r in rows])
    numeric = {k for r in rows for k, v in r.items() if isinstance(v, (int, float))}
    assert set(run.metrics) == numeric
    for key in numeric - {"env_steps"}:
        want = [r[key] if isinstance(r.get(key), (int, float)) else np.nan for r in rows]
        np.testing.assert_array_equal(run.metrics[key], np.array(want, dtype=float), err_msg=key)
    np.testing.assert_array_equal(run.scores, run.metrics[run.score_key])


def test_score_dict_is_rliable_input(example_runs):
    runs = qlab.load_runs(example_runs)
    assert len(runs) == 16 and runs.problems == []
    scores, envs = qlab.score_dict(example_runs, normalize="none")
    assert envs == ["minatar/breakout", "minatar/space_invaders"]
    assert set(scores) == {"dqn", "double_dqn"} and scores["dqn"].shape == (4, 2)
    for label, matrix in scores.items():
        for t, env in enumerate(envs):
            finals = [r.scores[-1] for r in sorted(runs, key=lambda r: r.seed)
                      if r.label == label and r.env == env]
            np.testing.assert_array_equal(matrix[:, t], finals)
    normalized, _ = qlab.score_dict(example_runs)
    table = qlab.stats.reference_scores()
    random, baseline, _ = table["minatar/breakout"]
    np.testing.assert_allclose(normalized["dqn"][:, 0],
                               (scores["dqn"][:, 0] - random) / (baseline - random))
    curves, _ = qlab.score_dict(example_runs, curves=True, normalize="none")
    assert curves["dqn"].ndim == 3 and curves["dqn"].shape[:2] == (4, 2)
    np.testing.assert_array_equal(curves["dqn"][:, :, -1], scores["dqn"])


def test_pandas_frames_or_a_clear_error(example_runs):
    runs = qlab.load_runs(example_runs)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(qlab.Error, match="pandas is not installed"):
            runs.to_pandas()
        return
    frame = runs.to_pandas()
    assert len(frame) == sum(len(r.env_steps) for r in runs)
    assert {"label", "env", "seed", "env_steps", "eval_return_mean"} <= set(frame.columns)
    run = runs[0]
    rows = frame[(frame["dir"] == run.dir)]
    np.testing.assert_array_equal(rows["env_steps"], run.env_steps)
    np.testing.assert_array_equal(rows[run.score_key], run.scores)
    single = run.to_pandas()
    assert list(single["env_steps"]) == list(run.env_steps) and len(single) == len(run.env_steps)


def test_broken_runs_raise_or_are_reported(tmp_path, example_runs):
    with pytest.raises(qlab.Error, match="missing meta.json"):
        qlab.load_run(tmp_path)
    with pytest.raises(qlab.Error, match="no such run directory"):
        qlab.load_runs(tmp_path / "nope")
    broken = tmp_path / "runs" / "broken"
    shutil.copytree(os.path.join(example_runs, "dqn_breakout_s0"), broken)
    (broken / "meta.json").write_text("{not json")
    shutil.copytree(os.path.join(example_runs, "dqn_breakout_s1"), tmp_path / "runs" / "good")
    runs = qlab.load_runs(tmp_path / "runs")
    assert len(runs) == 1 and len(runs.problems) == 1 and "malformed meta.json" in runs.problems[0]
    with pytest.raises(qlab.Error, match="malformed meta.json"):
        qlab.load_run(broken)
    with pytest.raises(qlab.Error, match="no reference score for x/y"):
        good = tmp_path / "runs" / "good"
        meta = json.load(open(good / "meta.json"))
        meta["env"] = "x/y"
        (good / "meta.json").write_text(json.dumps(meta))
        qlab.score_dict(good)


def test_cmake_install_gives_an_importable_package(tmp_path):
    build = os.environ.get("QLAB_BUILD_DIR")
    if not build:
        pytest.fail("QLAB_BUILD_DIR is not set: run the Python tests through ctest")
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build, "--component", "python", "--prefix", prefix],
                   check=True, capture_output=True)
    packages = [p for p in prefix.rglob("qlab/__init__.py")]
    assert len(packages) == 1
    site = packages[0].parent.parent
    code = ("import qlab, sys; e = qlab.make('minatar/breakout', num_envs=2); e.reset(); "
            "print(qlab.__file__)")
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert out.stdout.startswith(str(site))


def test_load_sweep_matches_the_run_dirs(qlab_cli, tmp_path):
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        '[sweep]\nagent = "dqn"\nconfig = ["dqn/cleanrl_classic"]\nenvs = "classic/cartpole"\n'
        f'seeds = 1\nout = "{tmp_path}/out"\n[set]\n"run.iterations" = 2\n'
        '"run.training_steps" = 300\n"agent.min_replay_history" = 100\n"eval.episodes" = 1\n'
        '[grid]\n"agent.updates_per_step" = [0.5, 1]\n"network.torso" = ["mlp"]\n')
    qlab_cli("sweep", spec, "--quiet")
    runs = qlab.load_sweep(tmp_path / "out" / "results.db")
    assert len(runs) == 2
    assert sorted(r.params["agent.updates_per_step"] for r in runs) == [0.5, 1]
    for run in runs:
        assert run.status == "done" and run.sweep == "tiny" and run.id in run.dir
        assert run.params["network.torso"] == "mlp"
        direct = qlab.load_run(run.dir)
        assert run.label == direct.label and run.seed == direct.seed
        assert set(run.metrics) == set(direct.metrics)
        for key, column in direct.metrics.items():
            np.testing.assert_array_equal(run.metrics[key], column, err_msg=key)
        assert run.config == direct.config and run.meta == direct.meta
    with pytest.raises(qlab.Error, match="no results database"):
        qlab.load_sweep(tmp_path / "nope.db")

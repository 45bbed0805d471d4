"""qlab.stats: rliable's API on numpy arrays, with the numbers of the C++ library and CLI."""

import json

import numpy as np
import pytest

import qlab
from qlab.stats import library as rly
from qlab.stats import metrics

LEGACY = {"rng": "numpy-legacy"}  # replays np.random.seed(seed) draws, as rliable uses them


def _expect(point, interval, want):
    np.testing.assert_allclose(point, want["point"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(interval[0], want["lo"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(interval[1], want["hi"], rtol=0, atol=1e-9)


def test_aggregates_by_hand():
    scores = np.arange(1.0, 9.0).reshape(2, 4)  # runs x tasks
    assert metrics.aggregate_mean(scores) == 4.5
    assert metrics.aggregate_median(scores) == 4.5      # task means 3, 4, 5, 6
    assert metrics.aggregate_iqm(scores) == 4.5         # mean of 3, 4, 5, 6
    assert qlab.stats.iqm([[1.0, 2, 3, 100]]) == 2.5    # trims one from each end
    assert metrics.aggregate_optimality_gap(scores / 8) == pytest.approx(1 - 4.5 / 8)
    assert qlab.stats.optimality_gap([[0.5, 3.0]], gamma=2.0) == pytest.approx(0.75)
    assert metrics.probability_of_improvement([[2.0], [3.0]], [[1.0], [2.0]]) == 0.875


@pytest.mark.parametrize("case,task_bootstrap", [("aggregates", False),
                                                 ("aggregates_task_bootstrap", True)])
def test_interval_estimates_replay_rliable(test_data, case, task_bootstrap):
    c = test_data("stats_reference.json")[case]
    scores = np.array(c["scores"])
    native = [metrics.aggregate_mean, metrics.aggregate_median, metrics.aggregate_iqm,
              metrics.aggregate_optimality_gap]
    rliable_style = lambda x: np.array([f(x) for f in native])  # a Python callable per replicate
    for func in (native, ["mean", "median", "iqm", "optimality_gap"], rliable_style):
        points, intervals = rly.get_interval_estimates(
            {"a": scores}, func, reps=c["reps"], task_bootstrap=task_bootstrap, seed=c["seed"],
            **LEGACY)
        assert points["a"].shape == (4,) and intervals["a"].shape == (2, 4)
        _expect(points["a"], intervals["a"], c["result"])


def test_curves_are_estimated_per_point(test_data):
    c = test_data("stats_reference.json")["curves_iqm"]
    curves = np.array(c["scores"])  # runs x tasks x points
    points, intervals = rly.get_interval_estimates({"a": curves}, metrics.aggregate_iqm,
                                                   reps=c["reps"], seed=c["seed"], **LEGACY)
    assert points["a"].shape == (curves.shape[2],)
    assert intervals["a"].shape == (2, curves.shape[2])
    _expect(points["a"], intervals["a"], c["result"])


def test_probability_of_improvement_pairs(test_data):
    c = test_data("stats_reference.json")["improvement"]
    pair = (np.array(c["x"]), np.array(c["y"]))
    for func in (metrics.probability_of_improvement,
                 lambda x, y: metrics.probability_of_improvement(x, y)):
        points, intervals = rly.get_interval_estimates({"x,y": pair}, func, reps=c["reps"],
                                                       seed=c["seed"], **LEGACY)
        assert intervals["x,y"].shape == (2, 1)
        _expect(points["x,y"][0], intervals["x,y"][:, 0], c["result"])


@pytest.mark.parametrize("case,run_score", [("profile_run_score", True),
                                            ("profile_average_score", False)])
def test_performance_profiles_replay_rliable(test_data, case, run_score):
    c = test_data("stats_reference.json")[case]
    scores = np.array(c["scores"])
    profiles, cis = rly.create_performance_profile(
        {"a": scores}, c["taus"], use_score_distribution=run_score, reps=c["reps"],
        seed=c["seed"], **LEGACY)
    assert cis["a"].shape == (2, len(c["taus"]))
    _expect(profiles["a"], cis["a"], c["result"])
    np.testing.assert_allclose(qlab.stats.performance_profile(scores, c["taus"], run_score),
                               c["result"]["point"], atol=1e-12)


def test_same_numbers_as_qlab_stats_cli(qlab_cli, tmp_path):
    rng = np.random.default_rng(4)
    score_dict = {"alpha": rng.normal(1.0, 0.3, (6, 5)), "beta": rng.normal(0.8, 0.3, (6, 5))}
    files = []
    for name, scores in score_dict.items():
        path = tmp_path / f"{name}.csv"
        rows = [",".join(f"task{t}" for t in range(5))]
        rows += [",".join(repr(float(v)) for v in row) for row in scores]
        path.write_text("\n".join(rows) + "\n")
        files.append(path)
    for rng_kind in ("fast", "numpy-legacy"):
        cli = json.loads(qlab_cli("stats", "--json", "--reps", 700, "--seed", 3, "--rng",
                                  rng_kind, "--profile", "0,0.5,1", *files))
        names = ["mean", "median", "iqm", "optimality_gap"]
        points, intervals = rly.get_interval_estimates(score_dict, names, reps=700, seed=3,
                                                       rng=rng_kind)
        profiles, profile_cis = rly.create_performance_profile(score_dict, [0, 0.5, 1], reps=700,
                                                               seed=3, rng=rng_kind)
        for name in score_dict:
            for m, metric in enumerate(names):
                assert points[name][m] == pytest.approx(cli[name][metric]["point"], abs=1e-12)
                np.testing.assert_allclose(intervals[name][:, m], cli[name][metric]["ci"],
                                           atol=1e-12)
            np.testing.assert_allclose(profiles[name], cli[name]["profile"]["point"], atol=1e-12)


def test_runs_compare_like_the_cli(qlab_cli, example_runs):
    """P(X > Y) and AdaStop on run dirs agree with `qlab compare`."""
    import glob
    dqn = sorted(glob.glob(f"{example_runs}/dqn_*"))
    double = sorted(glob.glob(f"{example_runs}/double_dqn_*"))
    cli = json.loads(qlab_cli("compare", *dqn, "--against", *double, "--json", "--reps", 500,
                              "--n", 2, "--interims", 2))
    scores, envs = qlab.score_dict(example_runs)
    assert envs == cli["envs"]
    points, intervals = rly.get_interval_estimates(
        {"A vs B": (scores["dqn"], scores["double_dqn"])}, metrics.probability_of_improvement,
        reps=500)
    poi = cli["probability_of_improvement"]
    assert points["A vs B"][0] == pytest.approx(poi["point"], abs=1e-12)
    np.testing.assert_allclose(intervals["A vs B"][:, 0], poi["ci"], atol=1e-12)

    runs = qlab.load_runs(example_runs)
    for env in envs:
        finals = {label: [r.scores[-1] for r in sorted(runs, key=lambda r: r.seed)
                          if r.label == label and r.env == env]
                  for label in ("dqn", "double_dqn")}
        test = qlab.stats.adastop(finals, n=2, K=2)
        want = cli["adastop"][env]
        assert test.interims_done == want["interims"]
        assert test.scores_used == want["scores_used"]
        assert test.boundary == pytest.approx(want["boundary"])
        assert test.decisions[("dqn", "double_dqn")] == want["decision"]


def test_adastop_incremental():
    test = qlab.stats.AdaStop(["good", "bad"], n=3, K=1, alpha=0.2)
    assert not test.done and test.agents_needing_scores == ["good", "bad"]
    test.partial_compare({"good": [10, 11, 12], "bad": [0, 1, 2]})
    assert test.done and test.decisions == {("good", "bad"): "larger"}
    assert test.boundary == [4.0] and test.scores_used == 3
    same = [1, 5, 2, 8, 3, 3, 7, 1, 4]
    result = qlab.stats.adastop([same, same], n=3, K=3)
    assert result.done and result.decisions == {("0", "1"): "equal"}
    with pytest.raises(qlab.Error, match="no scores for agent"):
        qlab.stats.AdaStop(["a", "b"], n=3, K=1).partial_compare({"a": [1, 2, 3]})


def test_thc_summaries_and_normalisation():
    # ranks per value (1, 3), (2, 2), (3, 1): ranges 1, 0, 1 over K - 1 = 2
    result = qlab.stats.thc([[(8, 9), (0, 1)], [(4, 5), (4, 5)], [(0, 1), (8, 9)]])
    assert result["score"] == pytest.approx(2 / 3)
    np.testing.assert_array_equal(result["per_value"], [1, 0, 1])
    assert result["ranks"] == [[1, 3], [2, 2], [3, 1]]
    per_task = qlab.stats.thc_per_task([np.array([[1.0, 9.0], [1.2, 9.2]]),
                                        np.array([[9.0, 1.0], [9.2, 1.2]])])
    assert per_task["score"] == 1.0

    s = qlab.stats.summarize([1.0, 2.0, 3.0, 4.0])
    assert s["count"] == 4 and s["mean"] == 2.5 and s["median"] == 2.5
    assert s["std"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1))

    table = qlab.stats.reference_scores()
    random, baseline, _source = table["minatar/breakout"]
    normalized = qlab.stats.normalize([[random, baseline]], ["minatar/breakout"] * 2)
    np.testing.assert_allclose(normalized, [[0.0, 1.0]])


@pytest.mark.parametrize("call,message", [
    (lambda: qlab.stats.iqm([1.0, 2.0]), r"scores must be a non-empty \[runs x tasks\] array, "
                                         r"got shape \(2\)"),
    (lambda: rly.get_interval_estimates({"a": np.ones(3)}, "iqm"), "scores of 'a' must be"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqmm"), "iqmm"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqm", method="bcc"), "bcc"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqm", reps=0), "reps"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqm", rng="mt"), "mt"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqm", seed=2**33,
                                        rng="numpy-legacy"), "seed"),
    (lambda: metrics.probability_of_improvement(np.ones((3, 2)), np.ones((3, 4))), "tasks"),
    (lambda: qlab.stats.normalize([[1.0]], ["nope/env"]), "nope/env"),
    (lambda: qlab.stats.thc(np.ones((3, 2))), r"\[values x regimes x 2\]"),
    (lambda: qlab.stats.iqm([[1.0, 2.0], [3.0]]), "scores must be numeric arrays"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, lambda x: "abc", reps=5),
     "the statistic function must return numbers, got 'abc'"),
    (lambda: rly.get_interval_estimates({"a": (np.ones((3, 2)), np.ones((3, 2)))},
                                        lambda x, y: None, reps=5),
     "the statistic function must return a number, got None"),
    (lambda: rly.get_interval_estimates({"a": np.ones((3, 2))}, "iqm", seed=-1), "seed"),
    (lambda: rly.create_performance_profile({"a": np.ones((3, 2))}, []), "tau_list is empty"),
    (lambda: qlab.stats.performance_profile(np.ones((3, 2)), []), "tau_list is empty"),
    (lambda: qlab.stats.adastop([[1, 2, 3]], n=3, K=1), "at least 2 agents"),
])
def test_bad_input_raises_qlab_errors(call, message):
    with pytest.raises(qlab.Error, match=message):
        call()

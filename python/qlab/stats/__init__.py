"""qlab's statistics on numpy arrays, computed by the same C++ code as ``qlab stats``.

Scores follow rliable's layout: ``[runs x tasks]`` arrays, or ``[runs x tasks x points]`` for
learning curves, usually in a dict ``{algorithm: scores}``. The functions here keep rliable's
names and signatures (``get_interval_estimates``, ``create_performance_profile``,
``aggregate_iqm``, ...), so ``from qlab.stats import library as rly, metrics`` replaces
``from rliable import library as rly, metrics`` in an rliable notebook. Additions: ``seed`` and
``rng`` on every bootstrap ("fast", or "numpy-legacy": the draws of ``np.random.seed(seed)``,
which reproduces rliable's intervals), AdaStop, THC, summaries and normalisation.

Definitions: statistics_spec.md and docs/statistics.md.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from .. import _qlab

Error = _qlab.Error


def _matrix(scores) -> np.ndarray:
    try:
        return np.ascontiguousarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise Error(f"scores must be numeric arrays: {e}") from None


def _seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**64:
        raise Error(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return int(seed)


# Aggregates of a [runs x tasks] matrix (Agarwal et al. 2021).
def mean(scores) -> float:
    """Mean over tasks of the per-task mean over runs."""
    return _qlab.aggregate(_matrix(scores), "mean")


def median(scores) -> float:
    """Median of the per-task means."""
    return _qlab.aggregate(_matrix(scores), "median")


def iqm(scores) -> float:
    """Interquartile mean of all run x task scores (scipy's trim_mean at 25%)."""
    return _qlab.aggregate(_matrix(scores), "iqm")


def optimality_gap(scores, gamma: float = 1.0) -> float:
    """gamma minus the mean of min(score, gamma) over all scores."""
    return _qlab.aggregate(_matrix(scores), "optimality_gap", gamma)


for _f, _name in ((mean, "mean"), (median, "median"), (iqm, "iqm"),
                  (optimality_gap, "optimality_gap")):
    _f._qlab_metric = _name


def probability_of_improvement(scores_x, scores_y) -> float:
    """P(X > Y): the mean over tasks of the Mann-Whitney U statistic / (Nx Ny)."""
    return _qlab.probability_of_improvement(_matrix(scores_x), _matrix(scores_y))


probability_of_improvement._qlab_metric = "probability_of_improvement"


def _metric_names(func):
    """The metric names behind `func` when qlab can evaluate it natively, else None."""
    if isinstance(func, str):
        return [func]
    if hasattr(func, "_qlab_metric"):
        return [func._qlab_metric]
    if isinstance(func, (list, tuple)) and func:
        names = [_metric_names(f) for f in func]
        if all(n is not None and len(n) == 1 for n in names):
            return [n[0] for n in names]
    return None


def _shape_estimates(point, lo, hi, curves: bool):
    """[points x outputs] arrays into rliable's shapes: point (outputs,) and interval
    (2, outputs); for curves, (points,) and (2, points), with a leading outputs axis when there
    are several."""
    if curves:
        point, lo, hi = point.T, lo.T, hi.T  # (outputs, points)
        if point.shape[0] == 1:
            point, lo, hi = point[0], lo[0], hi[0]
        return point, np.stack([lo, hi])
    return point[0], np.stack([lo[0], hi[0]])


def get_interval_estimates(score_dict: Mapping, func, reps: int = 50000,
                           confidence_interval_size: float = 0.95, method: str = "percentile",
                           task_bootstrap: bool = False, *, seed: int = 0, rng: str = "fast",
                           gamma: float = 1.0):
    """Point estimates and stratified-bootstrap intervals of ``func`` for every entry.

    ``func``: a metric name ("iqm"), a list of names, qlab's aggregate functions (or a list of
    them), all evaluated natively; or any Python function of a [runs x tasks] array returning
    one value or an array (called once per replicate, as rliable does). A value that is a pair
    ``(scores_x, scores_y)`` is bootstrapped independently (for ``probability_of_improvement``
    or a function of two arrays). Curves ([runs x tasks x points]) are evaluated per point.
    Returns ``(point_estimates, interval_estimates)``: dicts of arrays, intervals with the lower
    bounds in row 0 and the upper bounds in row 1. Entries draw from one stream in dict order.
    """
    keys = list(score_dict)
    pairs = [k for k in keys if isinstance(score_dict[k], (tuple, list))]
    if pairs and len(pairs) != len(keys):
        raise Error("score_dict mixes (x, y) pairs and single score arrays")
    points, intervals = {}, {}
    if pairs:
        # natively: probability_of_improvement, or a metric name (its difference x - y)
        names = _metric_names(func)
        statistic = names[0] if names and len(names) == 1 else func
        results = _qlab.pair_interval_estimates(
            [(_matrix(score_dict[k][0]), _matrix(score_dict[k][1])) for k in keys],
            [str(k) for k in keys], statistic, reps, confidence_interval_size, method, _seed(seed),
            rng)
        for k, (point, lo, hi) in zip(keys, results):
            points[k], intervals[k] = np.array([point]), np.array([[lo], [hi]])
        return points, intervals
    names = _metric_names(func)
    if names is None and not callable(func):
        raise Error(f"func must be a metric name, qlab metric function or callable, got {func!r}")
    arrays = [_matrix(score_dict[k]) for k in keys]
    results = _qlab.interval_estimates(arrays, [str(k) for k in keys],
                                       names if names is not None else func, reps,
                                       confidence_interval_size, method, task_bootstrap,
                                       _seed(seed), rng, gamma)
    for k, array, (point, lo, hi) in zip(keys, arrays, results):
        points[k], intervals[k] = _shape_estimates(point, lo, hi, array.ndim == 3)
    return points, intervals


interval_estimates = get_interval_estimates


def performance_profile(scores, tau_list, use_score_distribution: bool = True) -> np.ndarray:
    """Fraction of run scores (or of per-task mean scores) strictly above each tau."""
    return _qlab.profile(_matrix(scores), [float(t) for t in tau_list], use_score_distribution)


def create_performance_profile(score_dict: Mapping, tau_list, use_score_distribution: bool = True,
                               custom_profile_func: Callable | None = None,
                               method: str = "percentile", task_bootstrap: bool = False,
                               reps: int = 2000, confidence_interval_size: float = 0.95, *,
                               seed: int = 0, rng: str = "fast"):
    """Performance profiles with pointwise bootstrap intervals, as rliable's function of the
    same name: ``(profiles, profile_cis)``, each a dict of arrays over ``tau_list`` (intervals
    shaped (2, len(tau_list)))."""
    taus = [float(t) for t in np.asarray(tau_list).ravel()]
    keys = list(score_dict)
    if custom_profile_func is not None:
        return get_interval_estimates(score_dict, lambda s: custom_profile_func(s, tau_list), reps,
                                      confidence_interval_size, method, task_bootstrap,
                                      seed=seed, rng=rng)
    results = _qlab.profile_intervals([_matrix(score_dict[k]) for k in keys],
                                      [str(k) for k in keys], taus, use_score_distribution, reps,
                                      confidence_interval_size, method, task_bootstrap, _seed(seed),
                                      rng)
    profiles, cis = {}, {}
    for k, (point, lo, hi) in zip(keys, results):
        profiles[k], cis[k] = point[0], np.stack([lo[0], hi[0]])
    return profiles, cis


def tau_grid(text: str) -> np.ndarray:
    """Taus from "a,b,c" or "start:stop:count" (inclusive, like numpy.linspace)."""
    return np.array(_qlab.parse_tau_grid(text))


class AdaStop:
    """AdaStop (Mathieu et al. 2023): an adaptive sequential test comparing agents with as few
    seeds as possible. Feed every agent's scores so far after each batch of ``n`` seeds::

        test = AdaStop(["dqn", "rainbow"], n=5, K=5)
        test.partial_compare({"dqn": dqn_scores, "rainbow": rainbow_scores})
        if test.done: print(test.decisions)   # {("dqn", "rainbow"): "smaller"}

    ``comparisons``: pairs of agent indices (default: all pairs).
    """

    def __init__(self, agents: int | Sequence[str], n: int = 5, K: int = 5, alpha: float = 0.05,
                 B: int = 10000, seed: int = 0, comparisons=None, *, _test=None):
        self.agents = ([str(i) for i in range(agents)] if isinstance(agents, int)
                       else [str(a) for a in agents])
        options = (n, K, alpha, B, _seed(seed), [tuple(c) for c in (comparisons or [])])
        self._test = _test or _qlab.AdaStop(len(self.agents), options)

    def _scores(self, scores) -> list:
        if isinstance(scores, Mapping):
            missing = [a for a in self.agents if a not in scores]
            if missing:
                raise Error(f"no scores for agent(s) {missing}")
            scores = [scores[a] for a in self.agents]
        return [list(map(float, np.asarray(s, dtype=np.float64).ravel())) for s in scores]

    def partial_compare(self, scores):
        """Runs the next interim on every agent's scores so far (a dict by agent name, or a
        list in agent order); each agent needs at least (interims_done + 1) * n scores."""
        self._test.interim(self._scores(scores))
        return self

    @property
    def done(self) -> bool:
        return self._test.done

    @property
    def decisions(self) -> dict:
        """{(agent_a, agent_b): "larger" | "smaller" | "equal" | "continue"}: a vs b."""
        return {(self.agents[i], self.agents[j]): d
                for (i, j), d in zip(self._test.comparisons, self._test.decisions)}

    @property
    def interims_done(self) -> int:
        return self._test.interims_done

    @property
    def scores_used(self) -> int:
        """Scores per agent the test has used so far."""
        return self._test.scores_used

    @property
    def boundary(self) -> list:
        return list(self._test.boundary)

    @property
    def agents_needing_scores(self) -> list:
        return [self.agents[i] for i in self._test.agents_needing_scores]

    def __repr__(self):
        return f"AdaStop(agents={self.agents}, interims_done={self.interims_done}, done={self.done})"


def adastop(scores, n: int = 5, K: int = 5, alpha: float = 0.05, B: int = 10000, seed: int = 0,
            comparisons=None) -> AdaStop:
    """Runs as many AdaStop interims as ``scores`` allow (a dict {agent: scores} or a list) and
    returns the test; ``done`` says whether every comparison is decided."""
    agents = list(scores) if isinstance(scores, Mapping) else len(scores)
    shell = AdaStop(agents, n, K, alpha, B, seed, comparisons)
    options = (n, K, alpha, B, _seed(seed), [tuple(c) for c in (comparisons or [])])
    test = _qlab.run_adastop(shell._scores(scores), options)
    return AdaStop(shell.agents, n, K, alpha, B, seed, comparisons, _test=test)


def thc(intervals) -> dict:
    """THC score (Obando-Ceron et al. 2024) from intervals[value][regime] = (lo, hi), e.g. a
    [values x regimes x 2] array: {"score", "std", "per_value", "ranks"}."""
    intervals = np.asarray(intervals, dtype=np.float64)
    if intervals.ndim != 3 or intervals.shape[2] != 2:
        raise Error(f"intervals must be [values x regimes x 2], got shape {intervals.shape}")
    return _qlab.thc([[tuple(i) for i in value] for value in intervals])


def thc_per_task(scores: Sequence) -> dict:
    """THC with each task as a regime: scores[value] is a [runs x tasks (x points)] array."""
    return _qlab.thc_per_task([_matrix(s) for s in scores])


def thc_across_regimes(scores: Sequence[Sequence], reps: int = 5000,
                       confidence_interval_size: float = 0.95, method: str = "percentile", *,
                       seed: int = 0, rng: str = "fast") -> dict:
    """THC across regimes: scores[regime][value] is a [runs x tasks] array, each ranked by its
    IQM interval."""
    return _qlab.thc_across_regimes([[_matrix(s) for s in regime] for regime in scores], reps,
                                    confidence_interval_size, method, _seed(seed), rng)


def summarize(values) -> dict:
    """count, mean, std (ddof 1), se, median, p05, p95, min, max of a sample."""
    return _qlab.summarize(np.ascontiguousarray(np.asarray(values, dtype=np.float64).ravel()))


def reference_scores(table: str = "builtin") -> dict:
    """{task: (random, baseline, source)} of a normalisation table ("builtin" or a JSON file)."""
    return _qlab.reference_scores(table)


def normalize(scores, tasks: Sequence[str], table: str = "builtin") -> np.ndarray:
    """(score - random) / (baseline - random) per task column (0 = random policy, 1 = the
    reference agent)."""
    return _qlab.normalize_scores(_matrix(scores), list(tasks), table)


# rliable's names
aggregate_mean = mean
aggregate_median = median
aggregate_iqm = iqm
aggregate_optimality_gap = optimality_gap

from . import library, metrics  # noqa: E402  (rliable-shaped submodules of the names above)

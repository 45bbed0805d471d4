#!/usr/bin/python3
"""Regenerates stats_reference.json: bootstrap intervals computed with numpy 1.24 + scipy,
following the rliable procedure of ../shared/ref/statistics_spec.md step by step (np.random.seed,
np.random.choice index blocks in the spec's draw order, scipy trim_mean / mannwhitneyu,
np.percentile). qlab's --rng numpy-legacy mode must agree to ~1e-9 (stats_reference_test.cc).

Run: /usr/bin/python3 tests/data/make_stats_reference.py > tests/data/stats_reference.json
(needs Debian's python3-numpy and python3-scipy; not needed to build or test qlab)."""
import json

import numpy as np
import scipy.stats

A = (1 - 0.95) / 2


def aggregates(x):
    return np.array([np.mean(np.mean(x, axis=0)), np.median(np.mean(x, axis=0)),
                     scipy.stats.trim_mean(x, 0.25, axis=None), 1 - np.mean(np.minimum(x, 1))])


def interval(point, reps):
    lo, hi = np.percentile(reps, [100 * A, 100 * (1 - A)], axis=0)
    return {"point": np.asarray(point).tolist(), "lo": lo.tolist(), "hi": hi.tolist()}


def stratified(x, func, reps, seed, task_bootstrap=False):
    np.random.seed(seed)
    n, m = x.shape[:2]
    out = []
    for _ in range(reps):
        idx = np.random.choice(n, x.shape)
        cols = np.random.choice(m, (1, m))[0] if task_bootstrap else np.arange(m)
        if x.ndim == 2:
            res = x[idx, cols[None, :]]
        else:
            res = x[idx, cols[None, :, None], np.arange(x.shape[2])[None, None, :]]
        out.append(func(res))
    return interval(func(x), np.array(out))


def improvement(x, y):
    ps = []
    for t in range(x.shape[1]):
        if np.array_equal(x[:, t], y[:, t]):
            ps.append(0.5)
        else:
            u = scipy.stats.mannwhitneyu(x[:, t], y[:, t], alternative="greater").statistic
            ps.append(u / (len(x) * len(y)))
    return np.mean(ps)


def independent(x, y, reps, seed):
    np.random.seed(seed)
    out = []
    for _ in range(reps):
        ix = np.random.choice(x.shape[0], x.shape)
        iy = np.random.choice(y.shape[0], y.shape)
        out.append(improvement(x[ix, np.arange(x.shape[1])], y[iy, np.arange(y.shape[1])]))
    return interval(improvement(x, y), np.array(out))


def main():
    rng = np.random.RandomState(2024)  # data only; the bootstrap streams are seeded per case
    x = rng.normal(0.6, 0.4, size=(7, 5)).round(4)
    y = rng.normal(0.4, 0.5, size=(4, 5)).round(4)
    curves = rng.normal(0.5, 0.3, size=(5, 3, 4)).cumsum(axis=2).round(4)
    taus = np.linspace(-0.5, 1.5, 9)
    cases = {
        "first_draws": {"seed": 0, "n": 3, "count": 12,
                        "indices": (np.random.seed(0), np.random.choice(3, 12))[1].tolist()},
        "aggregates": {"scores": x.tolist(), "seed": 7, "reps": 2000,
                       "result": stratified(x, aggregates, 2000, 7)},
        "aggregates_task_bootstrap": {"scores": x.tolist(), "seed": 11, "reps": 1000,
                                      "result": stratified(x, aggregates, 1000, 11, True)},
        "curves_iqm": {"scores": curves.tolist(), "seed": 3, "reps": 1000,
                       "result": stratified(curves, lambda s: np.array(
                           [scipy.stats.trim_mean(s[..., l], 0.25, axis=None)
                            for l in range(s.shape[2])]), 1000, 3)},
        "improvement": {"x": x.tolist(), "y": y.tolist(), "seed": 5, "reps": 1000,
                        "result": independent(x, y, 1000, 5)},
        "profile_run_score": {"scores": x.tolist(), "taus": taus.tolist(), "seed": 9, "reps": 1000,
                              "result": stratified(x, lambda s: np.array(
                                  [np.mean(s > t) for t in taus]), 1000, 9)},
        "profile_average_score": {"scores": x.tolist(), "taus": taus.tolist(), "seed": 9,
                                  "reps": 1000, "result": stratified(x, lambda s: np.array(
                                      [np.mean(np.mean(s, axis=0) > t) for t in taus]), 1000, 9)},
    }
    print(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()

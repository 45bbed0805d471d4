"""Run directories (docs/run_dir.md) and sweep databases (docs/sweeps.md) as numpy arrays, read
by the same code as `qlab report` and `qlab query`."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import _qlab


def _pandas():
    try:
        import pandas
    except ImportError:
        raise _qlab.Error("pandas is not installed (Debian: apt-get install python3-pandas)") from None
    return pandas


@dataclass
class Run:
    """One run: identity, status and every metric of metrics.jsonl per iteration."""

    dir: str
    label: str
    agent: str
    env: str
    seed: int
    status: str              # running | done | stopped: ... | failed: ... | diverged: ...
    score_key: str           # eval_return_mean, or train_return_mean without evaluation
    metrics: dict            # name -> array per iteration (float64, NaN where absent; env_steps int64)
    meta: dict = field(default_factory=dict)    # meta.json
    config: dict = field(default_factory=dict)  # config.toml (every resolved key)
    id: str = ""                                # sweep runs: the stable run id
    sweep: str = ""                             # sweep runs: the sweep's name
    params: dict = field(default_factory=dict)  # sweep runs: the swept keys and their values

    @property
    def env_steps(self) -> np.ndarray:
        return self.metrics["env_steps"]

    @property
    def scores(self) -> np.ndarray:
        """The run's score per iteration (docs/run_dir.md)."""
        return self.metrics.get(self.score_key, np.full(len(self.env_steps), np.nan))

    @property
    def finished(self) -> bool:
        return self.status == "done"

    def to_pandas(self):
        """A DataFrame with one row per iteration and one column per metric (needs pandas)."""
        return _pandas().DataFrame(self.metrics)

    @staticmethod
    def _from_dict(d: dict) -> "Run":
        run = Run(**d)
        meta = os.path.join(run.dir, "meta.json")
        if not os.path.exists(meta):  # a sweep's run that has not started
            return run
        with open(meta) as f:
            run.meta = json.load(f)
        config = os.path.join(run.dir, "config.toml")
        if os.path.exists(config):
            try:
                with open(config, "rb") as f:
                    run.config = tomllib.load(f)
            except tomllib.TOMLDecodeError as e:
                raise _qlab.Error(f"{config}: malformed TOML ({e})") from None
        return run


class RunList(list):
    """Runs found under some paths; ``problems`` lists the unreadable and partial ones."""

    problems: list

    def to_pandas(self):
        """Long format: one row per (run, iteration), with label, agent, env, seed and status."""
        pandas = _pandas()
        frames = []
        for run in self:
            frame = pandas.DataFrame(run.metrics)
            for key in ("label", "agent", "env", "seed", "status", "dir"):
                frame.insert(0, key, getattr(run, key))
            frames.append(frame)
        return pandas.concat(frames, ignore_index=True) if frames else pandas.DataFrame()


def load_run(dir: str | os.PathLike) -> Run:
    """One run directory; qlab.Error naming the file if meta.json or metrics.jsonl is missing or
    malformed."""
    return Run._from_dict(_qlab.load_run(os.fspath(dir)))


def load_runs(*paths: str | os.PathLike) -> RunList:
    """Every run in ``paths`` (run dirs, or folders searched recursively). Unreadable runs are
    skipped and listed in ``.problems``, as ``qlab report`` does."""
    runs, problems = _qlab.load_runs([os.fspath(p) for p in paths])
    result = RunList(Run._from_dict(d) for d in runs)
    result.problems = problems
    return result


def load_sweep(db: str | os.PathLike) -> RunList:
    """Every run of a sweep's results database (``qlab sweep``, docs/sweeps.md), with its
    ``id``, swept ``params`` and metrics as indexed; runs that have not started have status
    "pending" and no metrics."""
    result = RunList(Run._from_dict(d) for d in _qlab.load_sweep(os.fspath(db)))
    result.problems = []
    return result


def score_dict(*paths: str | os.PathLike, curves: bool = False, normalize: str = "builtin"):
    """rliable's input from run dirs: ``({label: [runs x envs] array}, envs)`` of final scores
    (``curves=True``: [runs x envs x iterations]) over the envs every label has, normalised with
    the "builtin" reference table, "none", or a JSON table file (as ``qlab report``)."""
    scores, envs, _problems = _qlab.score_dict([os.fspath(p) for p in paths], curves, normalize)
    return scores, envs


__all__: Sequence[str] = ["Run", "RunList", "load_run", "load_runs", "load_sweep", "score_dict"]

"""qlab from Python: batched environments, statistics and run directories.

    import qlab
    envs = qlab.make("minatar/breakout", num_envs=64, seed=0)
    obs, info = envs.reset()
    obs, reward, terminated, truncated, info = envs.step(envs.action_space.sample())

    from qlab.stats import library as rly, metrics      # rliable's API, in one line

Every mistake of the caller raises ``qlab.Error`` (a ``ValueError``) with the message the
``qlab`` command line prints. Documentation: docs/python.md.
"""

from ._qlab import Error, __version__, git_commit
from . import spaces, stats
from .envs import EnvSpec, VectorEnv, make, list_envs
from .runs import Run, load_run, load_runs, load_sweep, score_dict

__all__ = [
    "Error", "EnvSpec", "Run", "VectorEnv", "__version__", "git_commit", "list_envs", "load_run",
    "load_runs", "load_sweep", "make", "score_dict", "spaces", "stats",
]

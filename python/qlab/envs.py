"""Batched environments with Gymnasium's vector-env conventions (same-step autoreset)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _qlab
from .spaces import Box, Discrete, MultiDiscrete, Space


@dataclass(frozen=True)
class EnvSpec:
    """What an env is: shapes, dtypes, actions, limits (qlab's EnvSpec, DESIGN.md §4)."""

    id: str                  # "minatar/breakout"
    name: str                # canonical name with every parameter, for configs and logs
    version: str             # the behaviour it reproduces, e.g. "MinAtar 1.0.15"
    obs_shape: tuple         # channels first
    obs_dtype: np.dtype
    obs_binary: bool         # every element is 0 or 1
    obs_labels: tuple        # channel (image) or component (vector) names
    action_space: Space      # one env's actions
    reward_range: tuple
    max_episode_steps: int   # time limit reported as truncated; 0 = none
    frames_per_step: int

    @staticmethod
    def _from_dict(d: dict, name: str) -> "EnvSpec":
        action = d["action_space"]
        if action["kind"] == "discrete":
            action_space = Discrete(action["n"], action["names"])
        else:
            action_space = Box(action["low"], action["high"], (len(action["low"]),), np.float32)
        return EnvSpec(id=d["id"], name=name, version=d["version"], obs_shape=d["obs_shape"],
                       obs_dtype=np.dtype(d["obs_dtype"]), obs_binary=d["obs_binary"],
                       obs_labels=tuple(d["obs_labels"]), action_space=action_space,
                       reward_range=d["reward_range"], max_episode_steps=d["max_episode_steps"],
                       frames_per_step=d["frames_per_step"])


class VectorEnv(_qlab.VectorEnv):
    """``num_envs`` copies of one env, stepped together in C++ (GIL released).

    ``reset(seed=None) -> (obs, info)``; ``step(actions) -> (obs, reward, terminated,
    truncated, info)`` with ``actions`` an integer array of shape ``(num_envs,)``. A finished env
    is reset in the same step: ``obs`` holds the new episode's first observation and
    ``info["final_obs"]`` the old one's last, valid where ``info["_final_obs"]`` is true, with
    ``info["episode"]["r"]`` / ``["l"]`` its return and length (masked by ``info["_episode"]``).

    The returned arrays are read-only views of the env's buffers, overwritten by the next step:
    copy what you keep (``np.array(obs)``). Same seed, same trajectories, for any thread count.
    """

    metadata = {"autoreset_mode": "same_step"}

    def __init__(self, name: str, num_envs: int = 1, seed: int = 0, num_threads: int = 1):
        super().__init__(name, num_envs, seed, num_threads)
        self.spec = EnvSpec._from_dict(self.spec_dict, self.name)
        self.single_action_space = self.spec.action_space
        self.single_observation_space = self._observation_space(())
        self.observation_space = self._observation_space((num_envs,))
        if isinstance(self.single_action_space, Discrete):
            self.action_space = MultiDiscrete(np.full(num_envs, self.single_action_space.n))
        else:
            space = self.single_action_space
            self.action_space = Box(np.broadcast_to(space.low, (num_envs,) + space.shape),
                                    np.broadcast_to(space.high, (num_envs,) + space.shape),
                                    (num_envs,) + space.shape, space.dtype)

    def _observation_space(self, batch: tuple) -> Box:
        spec = self.spec
        low, high = (0, 1) if spec.obs_binary else (-np.inf, np.inf)
        if spec.obs_dtype == np.uint8 and not spec.obs_binary:
            low, high = 0, 255
        return Box(low, high, batch + tuple(spec.obs_shape), spec.obs_dtype)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Fresh episodes everywhere; with a seed, every env's random stream restarts from it."""
        if options:
            raise _qlab.Error(f"reset options are not supported, got {sorted(options)}")
        return super().reset(seed)

    def close(self):
        """Nothing to release early (kept for Gymnasium compatibility)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"qlab.VectorEnv({self.name!r}, num_envs={self.num_envs})"


def _param_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def make(name: str, num_envs: int = 1, seed: int = 0, num_threads: int = 1,
         **params) -> VectorEnv:
    """A batch of ``num_envs`` envs; ``params`` are the env's parameters, e.g.
    ``qlab.make("minatar/breakout", num_envs=64, seed=0, sticky=0.0)`` (see ``list_envs()``).
    ``num_threads`` steps the batch on a thread pool (0: one thread per core)."""
    if params:
        if "(" in name:
            raise _qlab.Error(f"give env parameters either in the name or as keywords, not both: {name!r}")
        name = name + "(" + ",".join(f"{k}={_param_text(v)}" for k, v in params.items()) + ")"
    return VectorEnv(name, num_envs=num_envs, seed=seed, num_threads=num_threads)


def list_envs() -> list:
    """Every registered env: name, description, reference and parameters (with defaults)."""
    return _qlab.env_entries()

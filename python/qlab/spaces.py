"""Plain descriptions of observation and action spaces, shaped like Gymnasium's.

No Gymnasium dependency: each class has the attributes Gymnasium's constructor takes, so a
wrapper is one line, e.g. ``gymnasium.spaces.Box(s.low, s.high, s.shape, s.dtype)``.
"""

from __future__ import annotations

import numpy as np


class Space:
    shape: tuple
    dtype: np.dtype

    def __init__(self, shape, dtype, seed=None):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None):
        """Reseeds ``sample()`` (numpy's PCG64 stream)."""
        self._rng = np.random.default_rng(seed)

    def sample(self):
        raise NotImplementedError

    def contains(self, x) -> bool:
        raise NotImplementedError

    def __contains__(self, x) -> bool:
        return self.contains(x)


class Discrete(Space):
    """Actions 0..n-1 (``names`` says what each does)."""

    def __init__(self, n: int, names=(), seed=None):
        super().__init__((), np.int64, seed)
        self.n = int(n)
        self.start = 0
        self.names = tuple(names)

    def sample(self):
        return np.int64(self._rng.integers(self.n))

    def contains(self, x) -> bool:
        x = np.asarray(x)
        return x.shape == () and x.dtype.kind in "iu" and 0 <= int(x) < self.n

    def __repr__(self):
        return f"Discrete({self.n})"

    def __eq__(self, other):
        return isinstance(other, Discrete) and other.n == self.n


class MultiDiscrete(Space):
    """One discrete action per env of a batch: the action space of a vector env."""

    def __init__(self, nvec, seed=None):
        nvec = np.asarray(nvec, dtype=np.int64)
        super().__init__(nvec.shape, np.int64, seed)
        self.nvec = nvec

    def sample(self):
        return self._rng.integers(self.nvec)

    def contains(self, x) -> bool:
        x = np.asarray(x)
        return (x.shape == self.shape and x.dtype.kind in "iu"
                and bool(np.all((x >= 0) & (x < self.nvec))))

    def __repr__(self):
        return f"MultiDiscrete({self.nvec.tolist()})"

    def __eq__(self, other):
        return isinstance(other, MultiDiscrete) and np.array_equal(other.nvec, self.nvec)


class Box(Space):
    """Arrays of ``shape`` with elements in [low, high]."""

    def __init__(self, low, high, shape, dtype, seed=None):
        super().__init__(shape, dtype, seed)
        self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), self.shape)
        self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), self.shape)

    def sample(self):
        if self.dtype.kind in "iu":
            return self._rng.integers(self.low, self.high, endpoint=True).astype(self.dtype)
        low = np.where(np.isfinite(self.low), self.low, -1.0)
        high = np.where(np.isfinite(self.high), self.high, 1.0)
        return self._rng.uniform(low, high).astype(self.dtype)

    def contains(self, x) -> bool:
        x = np.asarray(x)
        return (x.shape == self.shape and np.can_cast(x.dtype, self.dtype)
                and bool(np.all((x >= self.low) & (x <= self.high))))

    def __repr__(self):
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"

    def __eq__(self, other):
        return (isinstance(other, Box) and other.shape == self.shape
                and other.dtype == self.dtype and np.array_equal(other.low, self.low)
                and np.array_equal(other.high, self.high))

"""rliable.library's names, computed by qlab: ``from qlab.stats import library as rly``."""

from . import create_performance_profile, get_interval_estimates  # noqa: F401

"""rliable.metrics' names, computed by qlab: ``from qlab.stats import metrics``."""

from . import (aggregate_iqm, aggregate_mean, aggregate_median,  # noqa: F401
               aggregate_optimality_gap, probability_of_improvement)

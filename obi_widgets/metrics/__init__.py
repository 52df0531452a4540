"""Imbalance metrics: pure functions, numpy arrays in and out.

Each function's docstring gives its formula and the paper it follows; every convention on which
sources disagree (normalisation, levels, weights) is a named parameter.
"""

from .imbalance import depth_imbalance, level1_imbalance, level_weights
from .prices import mid, spread

__all__ = ["level1_imbalance", "depth_imbalance", "level_weights", "mid", "spread"]

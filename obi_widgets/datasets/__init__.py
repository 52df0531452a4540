"""Ready-made data: a reproducible synthetic limit-order-book market (:func:`simulate`)."""

from __future__ import annotations

from .simulate import Simulation, simulate

__all__ = ["simulate", "Simulation"]

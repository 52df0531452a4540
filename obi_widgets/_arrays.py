"""Small array helpers shared by the data classes."""

from __future__ import annotations

import numpy as np


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``: the caller's array stays writeable, the view never is."""
    view = a.view()
    view.setflags(write=False)
    return view

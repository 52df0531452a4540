"""The crossed-book check shared by Book, the loaders, the builder and consolidation (not public)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._time import format_ns
from .errors import CrossedBookError


def crossed_mask(bid_best: np.ndarray, ask_best: np.ndarray) -> np.ndarray:
    """Bool per row: best bid >= best ask (crossed, or locked when equal). An empty side (NaN)
    compares False, so a one-sided row is never crossed. Works on prices or on tick numbers."""
    return np.asarray(bid_best >= ask_best)


def crossed_kind(bid: float, ask: float) -> str:
    """ "locked" when the best bid equals the best ask, else "crossed"."""
    return "locked" if bid == ask else "crossed"


def check_not_crossed(
    ts: np.ndarray,
    bid_px: np.ndarray,
    ask_px: np.ndarray,
    *,
    what: str = "book",
    place: Callable[[int], str] = lambda r: f"row {r}",
    note: Callable[[int], str] = lambda r: "",
    unit: str = "rows",
    hint: str = "",
) -> None:
    """Raise :class:`~obi_widgets.errors.CrossedBookError` at the first row whose best bid (level 0
    of ``bid_px``, (T, L)) is at or above the best ask, naming it and counting such rows.

    The message reads ``{what} is crossed at {place(r)} ({time}{note(r)}): best bid B >= best ask A
    (n of T {unit} crossed or locked){hint}``.
    """
    rows = np.flatnonzero(crossed_mask(bid_px[:, 0], ask_px[:, 0]))
    if not rows.size:
        return
    r = int(rows[0])
    bid, ask = float(bid_px[r, 0]), float(ask_px[r, 0])
    raise CrossedBookError(
        f"{what} is {crossed_kind(bid, ask)} at {place(r)} ({format_ns(int(ts[r]))}{note(r)}): best bid {bid!r} >= "
        f"best ask {ask!r} ({rows.size} of {ts.shape[0]} {unit} crossed or locked){hint}"
    )

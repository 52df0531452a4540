"""Depth profiles: cumulative depth and the imbalance through each level (what depth charts draw)."""

from __future__ import annotations

import numpy as np

from .._lazy import lazy_module
from ..errors import ParameterError
from ._common import require_book

_k = lazy_module("._level_kernels", __package__)  # numba loads on the first kernel call

SIDES = ("bid", "ask")


def cumulative_depth(book, side: str) -> np.ndarray:
    r"""Cumulative resting size from the best level outwards on one side, per row and level.

    .. math:: D^s_{t,k} = \sum_{i=1}^{k} q^s_{t,i}, \qquad s \in \{\text{bid}, \text{ask}\}

    (levels numbered from 1 = best). Returns float64 of shape (T, L); NaN at empty levels (no
    price), so a depth chart's outline stops where the book does.
    """
    book = require_book(book, "cumulative_depth")
    if side not in SIDES:
        raise ParameterError(f"side must be one of {SIDES}, got {side!r}")
    px = book.bid_px if side == "bid" else book.ask_px
    sz = book.bid_sz if side == "bid" else book.ask_sz
    out = np.empty(px.shape)
    _k.cumulative_depth(px, sz, out)  # one pass: NaN sizes as 0, running sum, NaN at empty levels
    return out


def cumulative_depth_imbalance(book) -> np.ndarray:
    r"""Depth imbalance through each level: the imbalance of the first k levels, for every k.

    .. math:: I_{t,k} = \frac{D^b_{t,k} - D^a_{t,k}}{D^b_{t,k} + D^a_{t,k}}

    with :math:`D^s_{t,k}` the :func:`cumulative_depth` (column k-1 is ``depth_imbalance(book,
    levels=k)`` with equal weights, Cao, Hansch & Wang 2009 "The information content of an open
    limit-order book", *J. Futures Markets* 29(1)). Returns (T, L); NaN where either side has no
    level k or both depths are 0.
    """
    book = require_book(book, "cumulative_depth_imbalance")
    out = np.empty(book.bid_px.shape)
    _k.cumulative_depth_imbalance(book.bid_px, book.bid_sz, book.ask_px, book.ask_sz, out)  # one fused pass
    return out

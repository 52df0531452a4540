"""Depth profiles: cumulative depth and the imbalance through each level (what depth charts draw)."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import ratio, require_book

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
    cum = np.cumsum(np.where(np.isnan(sz), 0.0, sz), axis=1)
    cum[np.isnan(px)] = np.nan
    return cum


def cumulative_depth_imbalance(book) -> np.ndarray:
    r"""Depth imbalance through each level: the imbalance of the first k levels, for every k.

    .. math:: I_{t,k} = \frac{D^b_{t,k} - D^a_{t,k}}{D^b_{t,k} + D^a_{t,k}}

    with :math:`D^s_{t,k}` the :func:`cumulative_depth` (column k-1 is ``depth_imbalance(book,
    levels=k)`` with equal weights, Cao, Hansch & Wang 2009 "The information content of an open
    limit-order book", *J. Futures Markets* 29(1)). Returns (T, L); NaN where either side has no
    level k or both depths are 0.
    """
    book = require_book(book, "cumulative_depth_imbalance")
    bid = cumulative_depth(book, "bid")
    ask = cumulative_depth(book, "ask")
    return ratio(bid - ask, bid + ask)

"""Imbalance of the depth within a price band around the mid."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import filled, positive_number, ratio, require_book

FORMS = ("diff", "ratio")
TRUNCATED_MODES = ("nan", "keep")
EDGE_RTOL = 1e-9  # a level on the band's edge counts despite the rounding of mid * bps / 10^4


def band_imbalance(book, bps: float = 10, *, form: str = "diff", truncated: str = "nan") -> np.ndarray:
    r"""Imbalance of the sizes resting within ``bps`` basis points of the mid, one value per row.

    With :math:`m_t` the mid and :math:`\delta = \text{bps} / 10^4`,

    .. math::
        B_t = \sum_{i:\, P^b_{t,i} \ge m_t (1 - \delta)} Q^b_{t,i}, \qquad
        A_t = \sum_{i:\, P^a_{t,i} \le m_t (1 + \delta)} Q^a_{t,i}

    (edges inclusive), and ``form="diff"`` (default) :math:`(B_t - A_t)/(B_t + A_t) \in [-1, 1]`,
    ``form="ratio"`` :math:`B_t / (B_t + A_t) \in [0, 1]` (the imbalance form of Stoikov 2018, "The
    micro-price: a high-frequency estimator of future prices", *Quantitative Finance* 18(12)). The
    depth summed is the "market depth within x bps of the mid" of practitioners' liquidity reports
    (no single paper defines this imbalance); the ``"diff"`` form is the depth imbalance of Cao,
    Hansch & Wang (2009), *J. Futures Markets* 29(1), summed over a price band instead of a number
    of levels. Unlike a fixed number of levels, the band covers the same price distance whatever the
    tick size and however sparse the book.

    A side whose deepest visible level (level L-1) is non-empty and inside the band may have more
    volume inside the band than the book shows: with ``truncated="nan"`` (default) the row is NaN,
    with ``"keep"`` the visible volume is used (a lower bound on that side). A side with an empty
    level is complete (the whole side is visible). Empty levels count as size 0.

    Returns float64 (T,); NaN also where a best level is empty, the mid is not positive (basis
    points of a non-positive price mean nothing) or both band sums are 0. Raises ParameterError for
    ``bps`` not finite and > 0, or a bad ``form`` / ``truncated``.
    """
    book = require_book(book, "band_imbalance")
    bps = positive_number(bps, "bps", "band_imbalance")
    if form not in FORMS:
        raise ParameterError(f"band_imbalance(): form must be one of {FORMS}, got {form!r}")
    if truncated not in TRUNCATED_MODES:
        raise ParameterError(f"band_imbalance(): truncated must be one of {TRUNCATED_MODES}, got {truncated!r}")
    m = 0.5 * (book.bid_px[:, 0] + book.ask_px[:, 0])
    ok = m > 0  # NaN compares False
    half = np.where(ok, m, np.nan)[:, None] * (float(bps) * 1e-4)
    slack = half * EDGE_RTOL
    mid2 = np.where(ok, m, np.nan)[:, None]
    with np.errstate(invalid="ignore"):  # NaN (empty level, undefined mid) compares False, no warning needed
        in_bid = (mid2 - book.bid_px) <= half + slack
        in_ask = (book.ask_px - mid2) <= half + slack
    bid = np.where(in_bid, filled(book.bid_sz), 0.0).sum(axis=1)
    ask = np.where(in_ask, filled(book.ask_sz), 0.0).sum(axis=1)
    bad = ~ok
    if truncated == "nan":
        bad |= in_bid[:, -1] | in_ask[:, -1]
    if form == "diff":
        out = ratio(bid - ask, bid + ask)
    else:
        out = ratio(bid, bid + ask)
    out[bad] = np.nan
    return out


__all__ = ["band_imbalance"]

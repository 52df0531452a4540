"""Imbalance of the depth within a price band around the mid."""

from __future__ import annotations

import numpy as np

from .._lazy import lazy_module
from ..errors import ParameterError
from ._common import positive_number, require_book

_k = lazy_module("._level_kernels", __package__)  # numba loads on the first kernel call

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
    out = np.empty(len(book))
    # one compiled pass over the rows: band test, sums and ratio fused (no (T, L) temporaries)
    _k.band_imbalance(
        book.bid_px,
        book.bid_sz,
        book.ask_px,
        book.ask_sz,
        float(bps) * 1e-4,
        EDGE_RTOL,
        truncated == "nan",
        form == "diff",
        out,
    )
    return out


__all__ = ["band_imbalance"]

"""Order-book imbalance at the best quotes and across depth."""

from __future__ import annotations

import numpy as np

from .._lazy import lazy_module
from ..errors import ParameterError
from ._common import require_book

_k = lazy_module("._level_kernels", __package__)  # numba loads on the first kernel call

FORMS = ("diff", "ratio")


def _is_diff(form) -> bool:
    """True for ``form="diff"``, False for ``"ratio"``; ParameterError otherwise."""
    if isinstance(form, str) and form in FORMS:
        return form == "diff"
    raise ParameterError(f"form must be one of {FORMS}, got {form!r}")


def level1_imbalance(book, *, form: str = "diff") -> np.ndarray:
    r"""Imbalance of the sizes at the best bid and ask, one value per row.

    ``form="diff"`` (default), Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price
    predictor in a limit order book", *Market Microstructure and Liquidity* 2(2):

    .. math:: I_t = \frac{Q^b_t - Q^a_t}{Q^b_t + Q^a_t} \in [-1, 1]

    ``form="ratio"``, Stoikov (2018), "The micro-price", *Quantitative Finance* 18(12):
    :math:`I_t = Q^b_t / (Q^b_t + Q^a_t) \in [0, 1]`.

    Returns float64 of shape (T,); NaN where a best level is empty or both sizes are 0.
    """
    book = require_book(book, "level1_imbalance")
    diff = _is_diff(form)
    out = np.empty(len(book))
    _k.imbalance(book.bid_sz[:, 0], book.ask_sz[:, 0], diff, out)  # one pass, strided columns read in place
    return out


def level_weights(levels: int, weights=None, *, decay: float = 0.5) -> np.ndarray:
    r"""The per-level weights :math:`w_0..w_{L-1}` used by :func:`depth_imbalance`.

    ``None`` equal weights (1); ``"linear"`` :math:`w_i = 1/(i+1)`; ``"exp"``
    :math:`w_i = e^{-\text{decay}\cdot i}`; or an array of ``levels`` non-negative numbers.
    """
    if levels < 1:
        raise ParameterError(f"levels must be >= 1, got {levels}")
    i = np.arange(levels, dtype=np.float64)
    if weights is None:
        return np.ones(levels)
    if isinstance(weights, str):
        if weights == "linear":
            return 1.0 / (i + 1.0)
        if weights == "exp":
            if not (np.isfinite(decay) and decay >= 0):
                raise ParameterError(f"decay must be a finite number >= 0, got {decay!r}")
            return np.exp(-decay * i)
        raise ParameterError(f"weights must be None, 'linear', 'exp' or an array, got {weights!r}")
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (levels,):
        raise ParameterError(f"weights has shape {w.shape}, expected ({levels},) for levels={levels}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ParameterError(f"weights must be finite, >= 0 and not all 0, got {w.tolist()}")
    return w


def depth_imbalance(book, levels: int = 5, weights=None, *, decay: float = 0.5, form: str = "diff") -> np.ndarray:
    r"""Imbalance of the (weighted) sizes over the first ``levels`` levels, one value per row.

    .. math:: I_t = \frac{\sum_{i<L} w_i Q^b_{t,i} - \sum_{i<L} w_i Q^a_{t,i}}
                         {\sum_{i<L} w_i Q^b_{t,i} + \sum_{i<L} w_i Q^a_{t,i}}

    the depth form of the order-book imbalance studied e.g. by Cao, Hansch & Wang (2009), "The
    information content of an open limit-order book", *J. Futures Markets* 29(1), and Cartea,
    Jaimungal & Penalva (2015, ch. 4). Weights: see :func:`level_weights` (``None``: equal,
    ``"linear"``: 1/(i+1), ``"exp"``: exp(-decay*i), or an array). ``levels=1`` equals
    :func:`level1_imbalance`. ``form="ratio"`` gives bid / (bid + ask) instead.

    Empty levels (NaN) count as zero volume. Raises ParameterError when ``levels`` exceeds the
    book's level count. Returns float64 (T,); NaN where both weighted sums are 0. The weighted sums
    run from the best level outwards (one compiled pass over the rows; the result can differ in the
    last bit from a BLAS ``sizes @ w``, which sums in its own order).
    """
    book = require_book(book, "depth_imbalance")
    if not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ParameterError(f"levels must be an integer >= 1, got {levels!r}")
    if levels > book.levels:
        raise ParameterError(f"levels={levels} but the book has only {book.levels} level(s) per side")
    w = level_weights(int(levels), weights, decay=decay)
    diff = _is_diff(form)
    out = np.empty(len(book))
    _k.depth_imbalance(book.bid_sz, book.ask_sz, int(levels), w, diff, out)
    return out


def imbalance_atr(signal, ts, freq="1s", window: int = 14, *, smoothing: str = "wilder"):
    r"""Imbalance Average True Range (IATR): how much an imbalance signal swings per time bin.

    **This measure is the kit's own definition**: the name circulates among practitioners but has
    no published formula. It transfers Wilder's (1978) Average True Range, *New Concepts in
    Technical Trading Systems*, from prices to an imbalance series :math:`I_t` (e.g.
    :func:`level1_imbalance`). Per time bin :math:`j` of length ``freq`` with high :math:`H_j`,
    low :math:`L_j` and close (last value) :math:`C_j` of the signal,

    .. math:: TR_j = \max(H_j, C_{j-1}) - \min(L_j, C_{j-1}),

    (the first bin: :math:`H_j - L_j`; an empty bin has :math:`TR_j = 0` and keeps the previous
    close), and ``smoothing="wilder"`` (default): :math:`ATR_j = ATR_{j-1} + (TR_j - ATR_{j-1})/n`
    seeded with the mean of the first :math:`n` = ``window`` true ranges (NaN before);
    ``smoothing="sma"``: the mean of the last :math:`n` true ranges. For a signal in [-1, 1] the
    result lies in [0, 2]. NaN values of the signal are ignored within a bin.

    Returns a pandas Series (``iatr``) indexed by bin start. Raises ParameterError on a bad
    ``window``, ``smoothing`` or ``freq``.
    """
    import pandas as pd

    from .ofi import aggregate

    if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ParameterError(f"imbalance_atr(): window must be an integer >= 1 (bins), got {window!r}")
    if smoothing not in ("wilder", "sma"):
        raise ParameterError(f"imbalance_atr(): smoothing must be 'wilder' or 'sma', got {smoothing!r}")
    values = np.asarray(signal, dtype=np.float64)
    hi = aggregate(values, ts, freq, "max", skipna=True)
    lo = aggregate(values, ts, freq, "min", skipna=True).to_numpy()
    close = aggregate(values, ts, freq, "last", skipna=True)
    index = hi.index
    hi = hi.to_numpy()
    prev = close.ffill().shift(1).to_numpy()
    empty = np.isnan(hi)
    top = np.where(np.isnan(prev), hi, np.fmax(hi, prev))
    bottom = np.where(np.isnan(prev), lo, np.fmin(lo, prev))
    tr = np.where(empty, 0.0, top - bottom)
    n = int(window)
    out = np.full(tr.size, np.nan)
    if tr.size >= n:
        csum = np.concatenate(([0.0], np.cumsum(tr)))
        if smoothing == "sma":
            out[n - 1 :] = (csum[n:] - csum[:-n]) / n
        else:
            # Wilder's recursion is an exponential filter with alpha = 1/n seeded with the first mean
            seeded = pd.Series(np.concatenate(([csum[n] / n], tr[n:])))
            out[n - 1 :] = seeded.ewm(alpha=1.0 / n, adjust=False).mean().to_numpy()
    return pd.Series(out, index=index, name="iatr")

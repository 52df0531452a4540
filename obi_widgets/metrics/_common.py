"""Helpers shared by the metric functions (not public)."""

from __future__ import annotations

import numpy as np

from ..book import Book
from ..errors import ParameterError


def require_book(book, fn: str) -> Book:
    if not isinstance(book, Book):
        raise ParameterError(f"{fn}() expects an obi_widgets.Book, got {type(book).__name__}")
    return book


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is 0 or NaN, without a numpy warning."""
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(den) & (den != 0) & np.isfinite(num)
    np.divide(num, den, out=out, where=ok)
    return out


def filled(sz: np.ndarray) -> np.ndarray:
    """Sizes with empty levels (NaN) counted as zero volume."""
    return np.where(np.isnan(sz), 0.0, sz)

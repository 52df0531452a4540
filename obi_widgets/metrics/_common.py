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


def positive_number(value, name: str, fn: str) -> float:
    """``value`` as a finite float > 0, or ParameterError naming ``fn`` and ``name`` (booleans and
    strings are refused: they are type mistakes, not numbers)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise ParameterError(f"{fn}(): {name} must be a number > 0, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{fn}(): {name} must be a number > 0, got {value!r}") from None
    if not (np.isfinite(v) and v > 0):
        raise ParameterError(f"{fn}(): {name} must be a finite number > 0, got {value!r}")
    return v

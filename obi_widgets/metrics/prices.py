"""Reference prices derived from the best quotes."""

from __future__ import annotations

import numpy as np

from ._common import require_book


def mid(book) -> np.ndarray:
    r"""Mid price :math:`m_t = (P^b_t + P^a_t) / 2`, one value per row; NaN where a side is empty."""
    book = require_book(book, "mid")
    return 0.5 * (book.bid_px[:, 0] + book.ask_px[:, 0])


def spread(book) -> np.ndarray:
    r"""Quoted spread :math:`s_t = P^a_t - P^b_t` in price units, one value per row; NaN where a side is empty."""
    book = require_book(book, "spread")
    return book.ask_px[:, 0] - book.bid_px[:, 0]

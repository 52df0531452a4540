"""`DepthChart`: cumulative bid/ask depth around the mid at one row of a book.

Front-end: ``js/views/depth_chart.js``. What travels to it (all arrays as little-endian float64 bytes):

- ``_frame``: the book at ``cursor``, five blocks of L values: bid prices, cumulative bid sizes,
  ask prices, cumulative ask sizes, and the depth imbalance through each level
  ``(cumbid_k - cumask_k) / (cumbid_k + cumask_k)``. NaN marks an empty level.
- ``_overview``: the mid price over the whole book reduced to ``_width`` equal row-count bins,
  two blocks: per-bin minimum, per-bin maximum. Clicking or dragging on it moves ``cursor``.
- ``_trades``: trades in the ``trade_window`` up to the cursor time: prices, sizes, sides.
- ``_info``: small scalars for the header (time, mid, spread, level-1 imbalance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import traitlets as t

from .. import metrics
from .._time import format_ns, to_ns
from ..book import Book
from ..errors import ParameterError
from ..trades import Trades
from ._base import ObiWidget, finite_or_none
from ._serialize import f64, minmax_bins


class DepthChart(ObiWidget):
    """Cumulative depth of the bid and ask sides around the mid at row ``cursor`` of a book.

    Parameters
    ----------
    book : Book
        The book to show.
    trades : Trades, optional
        Trades to mark on the price axis: those in the ``trade_window`` before the cursor time.
    cursor : int
        The row shown (synced both ways: move it from Python, or click/drag the overview strip
        and use the arrow keys in the view).
    trade_window : str or pandas.Timedelta
        How far back from the cursor time trades are shown (default ``"5s"``).
    height : int
        Height of the depth plot in CSS pixels (the overview strip adds about 56 px).

    The hover read-out gives, at the level under the pointer, its price, the cumulative size up to
    it and the depth imbalance through that level.
    """

    _view_name_ = "depth_chart"

    cursor = t.Int(0, help="Row of the book shown; synced both ways.").tag(sync=True)
    height = t.Int(320, help="Height of the depth plot in CSS pixels.").tag(sync=True)
    title = t.Unicode("", help="Title shown above the chart (default: the book's name).").tag(sync=True)
    n_rows = t.Int(0, read_only=True, help="Number of rows of the book (T).").tag(sync=True)
    levels = t.Int(0, read_only=True, help="Levels per side of the book (L).").tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)
    _overview = t.Bytes(b"").tag(sync=True)
    _trades = t.Bytes(b"").tag(sync=True)
    _info = t.Dict({}).tag(sync=True)
    _width = t.Int(800, help="Width of the view in CSS pixels, reported by the front-end.").tag(sync=True)

    def __init__(
        self,
        book: Book,
        trades: Trades | None = None,
        *,
        cursor: int = 0,
        trade_window="5s",
        height: int = 320,
        title: str | None = None,
        **kwargs,
    ):
        if not isinstance(book, Book):
            raise ParameterError(f"DepthChart needs an obi_widgets.Book, got {type(book).__name__}")
        if len(book) == 0:
            raise ParameterError("DepthChart needs a book with at least one row")
        if trades is not None and not isinstance(trades, Trades):
            raise ParameterError(f"trades must be an obi_widgets.Trades or None, got {type(trades).__name__}")
        self._book = book
        self._book_trades = trades
        try:
            self._window_ns = int(pd.Timedelta(trade_window).value)
        except (ValueError, TypeError):
            raise ParameterError(f"trade_window must be a duration such as '5s', got {trade_window!r}") from None
        if self._window_ns < 0:
            raise ParameterError(f"trade_window must not be negative, got {trade_window!r}")
        self._mid = metrics.mid(book)
        super().__init__(height=height, title=book.name or "" if title is None else title, **kwargs)
        self.set_trait("n_rows", len(book))
        self.set_trait("levels", book.levels)
        self.cursor = cursor
        self._send_frame()
        self._send_overview()

    # -- Python API ---------------------------------------------------------------------------
    @property
    def book(self) -> Book:
        return self._book

    @property
    def cursor_time(self) -> pd.Timestamp:
        """Time of the row shown."""
        return pd.Timestamp(int(self._book.ts[self.cursor]))

    def go_to(self, time) -> None:
        """Move the cursor to the book in force at ``time`` (ns int, str, Timestamp, datetime64)."""
        self.cursor = self._book.row_at(to_ns(time))

    def _repr_keys(self):
        yield from ("n_rows", "levels", "cursor")

    # -- syncing ------------------------------------------------------------------------------
    @t.validate("cursor")
    def _check_cursor(self, proposal):
        value = int(proposal["value"])
        n = len(self._book)
        if not 0 <= value < n:
            raise t.TraitError(f"cursor must be a row in [0, {n - 1}], got {value}")
        return value

    @t.observe("cursor")
    def _on_cursor(self, change):
        self._send_frame()

    @t.observe("_width")
    def _on_width(self, change):
        self._send_overview()

    def _send_frame(self) -> None:
        b, i = self._book, self.cursor
        bid_px, ask_px = b.bid_px[i], b.ask_px[i]
        bid_cum = np.cumsum(np.where(np.isnan(b.bid_sz[i]), 0.0, b.bid_sz[i]))
        ask_cum = np.cumsum(np.where(np.isnan(b.ask_sz[i]), 0.0, b.ask_sz[i]))
        bid_cum[np.isnan(bid_px)] = np.nan
        ask_cum[np.isnan(ask_px)] = np.nan
        total = bid_cum + ask_cum
        imb = np.full_like(total, np.nan)
        np.divide(bid_cum - ask_cum, total, out=imb, where=np.isfinite(total) & (total > 0))
        tr = self._book_trades
        if tr is not None and len(tr):
            now = int(b.ts[i])
            lo = int(np.searchsorted(tr.ts, now - self._window_ns, side="left"))
            hi = int(np.searchsorted(tr.ts, now, side="right"))
            lo = max(lo, hi - 500)  # at most the last 500 trades: a marker each
            trades = f64(tr.price[lo:hi], tr.size[lo:hi], tr.side[lo:hi])
        else:
            trades = b""
        l1 = metrics.level1_imbalance(b[i])[0]
        info = {
            "row": i,
            "time": format_ns(b.ts[i]),
            "mid": finite_or_none(self._mid[i]),
            "spread": finite_or_none(ask_px[0] - bid_px[0]),
            "imbalance": finite_or_none(l1),
        }
        with self.hold_sync():
            self._frame = f64(bid_px, bid_cum, ask_px, ask_cum, imb)
            self._trades = trades
            self._info = info

    def _send_overview(self) -> None:
        bins = int(np.clip(self._width, 50, 4096))
        _, lo, hi = minmax_bins(self._mid, bins)
        self._overview = f64(lo, hi)

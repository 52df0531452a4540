"""`DepthChart`: cumulative bid/ask depth around the mid at the shared cursor row.

Front-end: ``js/views/depth_chart.js``. What travels to it (self-describing buffers):

- ``_frame``: the book at the cursor row, exact (sent by Python when the cursor moves):
  ``bid_px``, ``bid_cum``, ``ask_px``, ``ask_cum``, ``imb`` (L values each; ``imb`` is the depth
  imbalance through each level, :func:`obi_widgets.metrics.cumulative_depth_imbalance`), and the
  trades in ``(t - trade_window, t]`` before the cursor time ``t`` (at most the last 500):
  ``trade_px``, ``trade_sz``, ``trade_side``, ``trade_age_ms`` (``t`` minus the trade's time);
  ``meta``: ``row``, ``t`` (ms), ``mid``, ``spread``, ``imbalance`` (level 1), ``window_ms``.
  Without a kernel (an exported page, or while Python is busy) the view draws the source's replay
  track instead, which has the top levels at sampled rows.
- the overview strip, the time axis and the cursor come from the shared source.
"""

from __future__ import annotations

import numpy as np
import traitlets as t

from .. import metrics
from .._time import to_duration_ns
from ._base import SourceView, finite_or_none
from ._buffers import pack
from .source import ms


class DepthChart(SourceView):
    """Cumulative depth of the bid and ask sides around the mid at the shared cursor row.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; views made from one ``BookSource`` share the cursor and time range.
    trades : Trades, optional
        With a Book: trades to mark on the price axis (those in the ``trade_window`` before the
        cursor time, fading with age).
    cursor : int, optional
        Move the shared cursor to this row.
    trade_window : str or pandas.Timedelta
        How far back from the cursor time trades are shown: those in ``(t - trade_window, t]``
        (default ``"5s"``).
    height : int
        Height of the depth plot in CSS pixels (the overview strip adds about 60 px).

    Click or drag the overview strip to move the cursor; arrow keys step one row (Shift: 1% of the
    book), PageUp/PageDown 10%, Home/End jump to the ends. The hover read-out gives, at the level
    under the pointer, its number (from 1), price, cumulative size and the depth imbalance through
    it, with the heavier side named. Where a side still has all the book's levels priced, the depth
    beyond its deepest level is unknown: the outline continues dashed, labelled with the levels.
    """

    _view_name_ = "depth_chart"

    title = t.Unicode("", help="Title shown above the chart (default: the source's name).").tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        cursor: int | None = None,
        trade_window="5s",
        height: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        self._window_ns = to_duration_ns(trade_window, "trade_window", allow_zero=True)
        super().__init__(source_or_book, trades, height=height, **kwargs)
        self.title = self.source.name if title is None else title
        if cursor is not None:
            self.source.cursor = cursor
        self._observe_source(self._on_cursor, "cursor")
        self._send_frame()

    @property
    def n_rows(self) -> int:
        return len(self.source.book)

    @property
    def levels(self) -> int:
        return self.source.book.levels

    def _repr_keys(self):
        return ("n_rows", "levels", "cursor")

    def __repr__(self) -> str:
        return f"DepthChart(n_rows={self.n_rows}, levels={self.levels}, cursor={self.cursor})"

    def _on_cursor(self, change):
        self._send_frame()

    def _send_frame(self) -> None:
        src = self.source
        b, i = src.book, src.cursor
        row = b[i]
        bid_cum = metrics.cumulative_depth(row, "bid")[0]
        ask_cum = metrics.cumulative_depth(row, "ask")[0]
        imb = metrics.cumulative_depth_imbalance(row)[0]
        fields = {
            "bid_px": b.bid_px[i],
            "bid_cum": bid_cum,
            "ask_px": b.ask_px[i],
            "ask_cum": ask_cum,
            "imb": imb,
        }
        tr = src.trades
        now = int(b.ts[i])
        if tr is not None and len(tr):
            lo = int(np.searchsorted(tr.ts, now - self._window_ns, side="right"))
            hi = int(np.searchsorted(tr.ts, now, side="right"))
            lo = max(lo, hi - 500)  # at most the last 500 trades: a marker each
            fields.update(
                trade_px=tr.price[lo:hi],
                trade_sz=tr.size[lo:hi],
                trade_side=tr.side[lo:hi].astype(np.int8),
                trade_age_ms=(now - tr.ts[lo:hi]).astype(np.float64) / 1e6,
            )
        meta = {
            "row": i,
            "t": float(ms(now)),
            "mid": finite_or_none(src.mid[i]),
            "spread": finite_or_none(b.ask_px[i, 0] - b.bid_px[i, 0]),
            "imbalance": finite_or_none(metrics.level1_imbalance(row)[0]),
            "window_ms": self._window_ns / 1e6,
        }
        self._frame = pack(fields, meta)

"""`Ladder`: the DOM / price ladder at the shared cursor row, one row per price tick.

Front-end: ``js/views/ladder.js`` (layout helpers in ``js/views/ladder_layout.js``). What travels
to it (self-describing buffers, see ``_buffers.py``):

- ``_frame``: the ladder of the cursor row on the tick grid, exact (sent by Python whenever the
  cursor moves). G grid rows, row 0 the highest price, one tick apart; they span every level of
  both sides and every price traded in the window (at most ``MAX_GRID`` rows around the touch):

  - ``price`` (G,) f8: the level's own price where a level is, else ``anchor + k * tick``;
  - ``bid_sz``, ``ask_sz`` (G,) f8: size at that price, NaN at a tick without a level (an empty
    row); ``bid_cum``, ``ask_cum`` (G,) f8: :func:`~obi_widgets.metrics.cumulative_depth` from the
    touch through that level, NaN at empty ticks; ``bid_level``, ``ask_level`` (G,) i2: the level
    number (1 = best), 0 at empty ticks;
  - ``buy_vol``, ``sell_vol``, ``other_vol`` (G,) f8: volume of the trades at that price in the
    window ``(t - trade_window, t]`` before the cursor time ``t``: buyer-initiated (side +1),
    seller-initiated (-1) and unsigned (0); absent without trades;
  - ``venue_bid_sz``, ``venue_ask_sz`` (G, V) f8, for a :class:`~obi_widgets.ConsolidatedBook`:
    each venue's size at that price (they sum to ``bid_sz`` / ``ask_sz``).

  ``meta``: ``row``, ``t`` (ms), ``tick``, ``anchor`` (a price on the grid), ``hi`` (grid row 0 is
  ``anchor + hi * tick``), ``best_bid`` / ``best_ask`` (their offsets in ticks from ``anchor``, or
  None), ``levels`` (L), ``bid_levels`` / ``ask_levels`` (levels with a price), ``mid``,
  ``spread``, ``imb_l1`` (:func:`~obi_widgets.metrics.level1_imbalance`), ``imb_depth``
  (:func:`~obi_widgets.metrics.depth_imbalance` over ``depth_levels``), ``depth_levels``,
  ``window_ms``, ``trades`` (count in the window), ``venues`` (names, or []).

Without a kernel (an exported page, or while Python is busy) the view builds the same grid from
the source's replay track (sampled rows, top levels, no traded volume and no venue split).
"""

from __future__ import annotations

import numpy as np
import traitlets as t

from .. import metrics
from .._time import to_duration_ns
from ..errors import ParameterError
from ..raster import book_tick
from ._base import SourceView, finite_or_none, positive_int
from ._buffers import pack, unpack
from .source import ms

#: most grid rows one frame carries (a frame spanning more ticks keeps those around the touch)
MAX_GRID = 1024
#: CSS pixels per ladder row when the height is derived from ``rows``, and the column header
COLUMN_HEADER = 22
ROW_HEIGHT = 18


def ladder_frame(
    book,
    row: int,
    tick: float,
    *,
    trades=None,
    window_ns: int = 0,
    venue_bid=None,
    venue_ask=None,
    depth_levels: int | None = None,
) -> tuple[dict[str, np.ndarray], dict]:
    """The ladder of ``book`` at ``row`` on a grid of ``tick``: the fields and meta of ``_frame``.

    ``venue_bid`` / ``venue_ask``: (L, V) per-venue sizes of this row's levels (consolidated
    books), or None. See the module docstring for the layout.
    """
    one = book[row]
    bpx, bsz = book.bid_px[row], book.bid_sz[row]
    apx, asz = book.ask_px[row], book.ask_sz[row]
    nb, na = np.isfinite(bpx), np.isfinite(apx)
    finite = np.concatenate([bpx[nb], apx[na]])
    now = int(book.ts[row])
    lo_tr = hi_tr = 0
    tr_px = np.empty(0)
    if trades is not None and len(trades):
        lo_tr = int(np.searchsorted(trades.ts, now - window_ns, side="right"))
        hi_tr = int(np.searchsorted(trades.ts, now, side="right"))
        tr_px = trades.price[lo_tr:hi_tr]
    anchor = float(finite[0]) if finite.size else float(tr_px[0]) if tr_px.size else 0.0

    def ticks(px):
        return np.rint((px - anchor) / tick).astype(np.int64)

    kb, ka, kt = ticks(bpx[nb]), ticks(apx[na]), ticks(tr_px)
    every = np.concatenate([kb, ka, kt])
    hi = int(every.max()) if every.size else 0
    lo = int(every.min()) if every.size else 0
    if hi - lo + 1 > MAX_GRID:  # keep the ticks around the touch
        touch = np.concatenate([kb[:1], ka[:1]])
        centre = int(round(touch.mean())) if touch.size else (hi + lo) // 2
        hi = centre + MAX_GRID // 2
        lo = hi - MAX_GRID + 1
    g_count = hi - lo + 1
    price = anchor + (hi - np.arange(g_count)) * tick

    fields: dict[str, np.ndarray] = {"price": price}
    cum = {"bid": metrics.cumulative_depth(one, "bid")[0], "ask": metrics.cumulative_depth(one, "ask")[0]}
    for side, k, px, sz, have, venue in (
        ("bid", kb, bpx, bsz, nb, venue_bid),
        ("ask", ka, apx, asz, na, venue_ask),
    ):
        levels = np.flatnonzero(have)
        g = hi - k
        inside = (g >= 0) & (g < g_count)
        g, levels = g[inside], levels[inside]
        size = np.full(g_count, np.nan)
        size[g] = np.where(np.isnan(sz[levels]), 0.0, sz[levels])
        price[g] = px[levels]
        c = np.full(g_count, np.nan)
        c[g] = cum[side][levels]
        number = np.zeros(g_count, dtype=np.int16)
        number[g] = levels + 1
        fields.update({f"{side}_sz": size, f"{side}_cum": c, f"{side}_level": number})
        if venue is not None:
            v = np.asarray(venue, dtype=np.float64)
            split = np.full((g_count, v.shape[1]), np.nan)
            split[g] = np.where(np.isnan(v[levels]), 0.0, v[levels])
            fields[f"venue_{side}_sz"] = split

    if trades is not None:
        g = hi - kt
        inside = (g >= 0) & (g < g_count)
        side = trades.side[lo_tr:hi_tr][inside]
        size = trades.size[lo_tr:hi_tr][inside]
        g = g[inside]
        for name, s in (("buy_vol", 1), ("sell_vol", -1), ("other_vol", 0)):
            fields[name] = np.bincount(g[side == s], weights=size[side == s], minlength=g_count).astype(np.float64)

    lv = book.levels if depth_levels is None else min(depth_levels, book.levels)
    meta = {
        "row": int(row),
        "t": float(ms(now)),
        "tick": tick,
        "anchor": anchor,
        "hi": hi,
        "best_bid": int(kb[0]) if kb.size and nb[0] else None,
        "best_ask": int(ka[0]) if ka.size and na[0] else None,
        "levels": book.levels,
        "bid_levels": int(nb.sum()),
        "ask_levels": int(na.sum()),
        "mid": finite_or_none((bpx[0] + apx[0]) / 2),
        "spread": finite_or_none(apx[0] - bpx[0]),
        "imb_l1": finite_or_none(metrics.level1_imbalance(one)[0]),
        "imb_depth": finite_or_none(metrics.depth_imbalance(one, levels=lv)[0]),
        "depth_levels": lv,
        "window_ms": window_ns / 1e6,
        "trades": hi_tr - lo_tr,
    }
    return fields, meta


class Ladder(SourceView):
    """The DOM / price ladder at the shared cursor row: one row per price tick around the touch.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; views made from one ``BookSource`` share the cursor. With a
        :class:`~obi_widgets.ConsolidatedBook` (or a source made from one) the sizes are split
        per venue (stacked bar segments, one colour per venue).
    trades : Trades, optional
        With a Book: the trades whose volume per price is shown (bought / sold / volume columns).
    rows : int
        Price rows (ticks) shown, centred on the touch (default 25; 3 to 400).
    cumulative : bool
        Add the cumulative size columns (size from the touch through each level).
    trade_window : str or pandas.Timedelta
        Traded volume is that of the trades in ``(t - trade_window, t]`` before the cursor time
        ``t`` (default ``"30s"``).
    height : int, optional
        Height in CSS pixels (default: ``rows`` rows of 18 px plus the headers).
    cursor : int, optional
        Move the shared cursor to this row.
    title : str, optional
        Title (default: the source's name).

    The mouse wheel scrolls the price (the ladder then stays at that price); a double-click,
    ``C`` or ``Escape`` re-centres it on the touch. Arrow Up/Down scroll one tick (PageUp/PageDown
    a page); Arrow Left/Right step the shared cursor one row (Shift: 1% of the book).
    """

    _view_name_ = "ladder"

    title = t.Unicode("", help="Title shown above the ladder (default: the source's name).").tag(sync=True)
    rows = t.Int(25, help="Price rows shown.").tag(sync=True)
    cumulative = t.Bool(False, help="Show the cumulative size columns.").tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        rows: int = 25,
        cumulative: bool = False,
        trade_window="30s",
        height: int | None = None,
        cursor: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        rows = positive_int("rows", rows, 3, 400)
        if not isinstance(cumulative, (bool, np.bool_)):
            raise ParameterError(f"cumulative must be True or False, got {cumulative!r}")
        self._window_ns = to_duration_ns(trade_window, "trade_window", allow_zero=True)
        if height is None:
            height = min(4000, COLUMN_HEADER + ROW_HEIGHT * rows)
        super().__init__(source_or_book, trades, height=height, rows=rows, cumulative=bool(cumulative), **kwargs)
        src = self.source
        self.title = src.name if title is None else title
        self._tick = book_tick(src.book)  # a consolidated book's tick is its ladder's
        self._depth_levels = int(unpack(src._track)[1].get("depth_levels", src.book.levels))
        if cursor is not None:
            src.cursor = cursor
        self._observe_source(self._on_cursor, "cursor")
        self._send_frame()

    @property
    def tick(self) -> float:
        """The price step between two rows of the ladder."""
        return self._tick

    @property
    def trade_window(self):
        """How far back from the cursor time traded volume is counted."""
        import pandas as pd

        return pd.Timedelta(self._window_ns)

    def __repr__(self) -> str:
        return f"Ladder(n_rows={len(self.source.book)}, tick={self._tick!r}, rows={self.rows}, cursor={self.cursor})"

    def _on_cursor(self, change):
        self._send_frame()

    def frame(self, row: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
        """The ladder at ``row`` (default: the cursor) as ``(fields, meta)``, as sent to the view."""
        src = self.source
        i = src.cursor if row is None else int(row)
        if not 0 <= i < len(src.book):
            raise ParameterError(f"row must be in [0, {len(src.book) - 1}], got {i}")
        cb = src.consolidated
        vb = va = None
        if cb is not None:
            r = int(cb.book_rows[i])
            vb, va = cb.venue_bid_sz[r], cb.venue_ask_sz[r]
        fields, meta = ladder_frame(
            src.book,
            i,
            self._tick,
            trades=src.trades,
            window_ns=self._window_ns,
            venue_bid=vb,
            venue_ask=va,
            depth_levels=self._depth_levels,
        )
        meta["venues"] = list(cb.names) if cb is not None else []
        return fields, meta

    def _send_frame(self) -> None:
        fields, meta = self.frame()
        self._frame = pack(fields, meta)


__all__ = ["Ladder", "ladder_frame", "MAX_GRID"]

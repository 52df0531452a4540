"""`FootprintChart`: traded volume per bar and per price, seller- x buyer-initiated (a footprint or
"cluster" chart, as in ATAS or Sierra Chart's Numbers Bars).

Front-end: ``js/views/footprint_chart.js`` (pure layout helpers in ``footprint_chart_layout.js``,
drawing in ``footprint_chart_draw.js``). The numbers are :func:`obi_widgets.metrics.footprint`'s on
the visible window; Python sends only what is drawn (self-describing buffers, ``_buffers.py``):

``_frame``: the bars overlapping the source's ``time_range`` (at most as many as fit the width at
``MIN_COL_PX`` each: the latest ones), price rows of ``row_ticks`` ticks (coarsened so that at most
one row per ``MIN_ROW_PX`` of height is drawn):

- per bar (B): ``bar_t0``, ``bar_t1`` (ms: start and end, as in ``footprint``'s ``bar_start`` /
  ``bar_end``), ``bar_total``, ``bar_delta``, ``bar_poc`` (f8), ``bar_lo``, ``bar_hi`` (i4: lowest
  and highest row that traded);
- per cell (C): ``cell_bar`` (i4, 0..B-1), ``cell_row`` (i4: price row, 0 = the lowest drawn),
  ``sell``, ``buy``, ``unsigned`` (f8 volume), ``trades`` (i4), ``flags`` (u1: 1 buy imbalance,
  2 sell imbalance, 4 in a stacked buy zone, 8 in a stacked sell zone, 16 point of control);
- per stacked zone (Z, :func:`~obi_widgets.metrics.footprint_zones`): ``zone_bar``, ``zone_lo``,
  ``zone_hi`` (i4 rows), ``zone_side`` (i1, +1 buy / -1 sell).

``meta``: ``t0``, ``t1`` (the window, ms), ``tick``, ``row_ticks``, ``row_px`` (price per row),
``q0`` (row 0's price is ``q0 * row_px``), ``n_rows``, ``n_bars``, ``total_bars`` (bars in the
window before trimming to the width), ``first_bar`` (index of the first bar drawn among them),
``bar``, ``bar_kind``, ``method``, ``imbalance_ratio``, ``zero_denominator``, ``stacked``,
``max_abs_delta``, ``max_total``, ``trades`` (in the bars drawn), ``off_grid``, ``note``,
``build_ms``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..errors import ParameterError
from ..metrics.footprint import METHODS, OFF_GRID, POC_TIES, ZERO, footprint, footprint_zones
from ..metrics.footprint import _empty as empty_footprint
from ..metrics.footprint import _parse_bar as parse_bar
from ..metrics.trades import sign_trades
from ._base import SourceView, positive_int
from ._buffers import pack
from .source import ms

CHROME_X = 72  # CSS px of the width outside the plot (margins and the price axis, as in the JS)
CHROME_Y = 62  # CSS px of the height outside the plot (delta and volume rows, time axis)
MIN_COL_PX = 4  # narrowest bar column drawn
MIN_ROW_PX = 3  # lowest price row drawn by default
NICE = (1, 2, 5)


def nice_multiple(x: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is >= x (x >= 1)."""
    p = 1
    while True:
        for m in NICE:
            if m * p >= x:
                return m * p
        p *= 10


class FootprintChart(SourceView):
    """Footprint chart: per bar and per price, seller-initiated x buyer-initiated volume.

    Parameters
    ----------
    source_or_book : BookSource or Book
        What to show (the trades come from the source); views of one source share the cursor and
        the time range.
    trades : Trades, optional
        With a Book: the trades.
    bar : str or int
        ``"1min"`` (any duration: time bars), ``"100 trades"`` (trade-count bars) or an int N /
        ``"N rows"`` (bars of N book rows); see :func:`~obi_widgets.metrics.footprint`.
    method : str
        Trade signing: ``"auto"`` (``trades.side`` when the trades carry sides, else Lee-Ready
        against the book), ``"side"``, ``"tick"``, ``"lee_ready"``, ``"bvc"`` (see
        :func:`~obi_widgets.metrics.sign_trades`); ``sign_options`` passes its keywords.
    imbalance_ratio, zero_denominator, min_volume, stacked, poc_tie : see ``metrics.footprint``
        Diagonal imbalance: buy volume at p >= ratio x sell volume at p - 1 row (default 3);
        stacked zones: at least ``stacked`` consecutive imbalance rows (default 3).
    off_grid : str
        Trades off the price grid (LOBSTER's hidden mid-point executions): ``"floor"`` (default
        here: the tick below, i.e. the bid of the quote they executed inside), ``"nearest"`` or
        ``"raise"``.
    row_ticks : int
        Ticks per price row at least (default 1); more when the rows would be lower than
        ``min_row_height``.
    min_row_height : int
        Lowest price row drawn, in CSS px (default 3: every tick while they fit; the numbers are
        written in rows of 10 px or more, so 12 always shows them, on coarser rows when needed).
    height : int
        Height in CSS pixels (default 480). ``title``: default the source's name.

    Each cell shows "sell x buy" when it fits, coloured by its delta (buy - sell); the point of
    control of each bar is outlined, imbalanced numbers are highlighted (buy: at the right, sell:
    at the left), stacked zones are drawn as bands, and the bar's delta and volume are written
    under it. Mouse: the wheel zooms time around the pointer, drag pans (both set the source's
    ``time_range``), a click moves the shared cursor, a double-click shows the whole book.
    """

    _view_name_ = "footprint_chart"

    title = t.Unicode("", help="Title (default: the source's name).").tag(sync=True)
    height = t.Int(480, help="Height of the view in CSS pixels.").tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        bar="1min",
        method: str = "auto",
        sign_options: dict | None = None,
        imbalance_ratio: float = 3.0,
        zero_denominator: str = "inside",
        min_volume: float = 0.0,
        stacked: int = 3,
        poc_tie: str = "center",
        off_grid: str = "floor",
        row_ticks: int = 1,
        min_row_height: int = MIN_ROW_PX,
        height: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        if method not in METHODS:
            raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
        for name, value, allowed in (
            ("zero_denominator", zero_denominator, ZERO),
            ("poc_tie", poc_tie, POC_TIES),
            ("off_grid", off_grid, OFF_GRID),
        ):
            if value not in allowed:
                raise ParameterError(f"{name} must be one of {allowed}, got {value!r}")
        if sign_options is not None and not isinstance(sign_options, dict):
            raise ParameterError(f"sign_options must be a dict of sign_trades keywords or None, got {sign_options!r}")
        self._row_ticks = positive_int("row_ticks", row_ticks, 1, 1_000_000)
        self._min_row = positive_int("min_row_height", min_row_height, 1, 400)
        self._method = method
        self._sign_options = dict(sign_options or {})
        self._params: dict[str, Any] = {
            "imbalance_ratio": imbalance_ratio,
            "zero_denominator": zero_denominator,
            "min_volume": min_volume,
            "stacked": stacked,
            "poc_tie": poc_tie,
            "off_grid": off_grid,
        }
        super().__init__(source_or_book, trades, height=height, **kwargs)
        src = self.source
        self._kind, self._n = parse_bar(bar, src.book)
        self._bar = bar
        # every parameter is checked now, on a tiny footprint, rather than at the first redraw
        probe = src.trades[:1] if src.trades is not None and len(src.trades) else None
        if probe is not None:
            footprint(probe, bar="1 trades", tick=self._tick_of(), signs=np.ones(1, dtype=np.int8), **self._params)
        self.title = src.name if title is None else title
        self.last_build_ms = math.nan
        self._sent: tuple | None = None
        self._send_frame()
        # live: a flush of pushed rows bumps data_version (and moves time_range to the end); the
        # key below makes it one re-send per flush whichever observer comes first
        self._observe_source(self._on_change, ["time_range", "data_version", "full_version"])
        self.observe(self._on_change, ["_width", "height"])

    @property
    def bar(self):
        """The bar specification (``"1min"``, ``"100 trades"`` or an int of book rows)."""
        return self._bar

    def __repr__(self) -> str:
        return f"FootprintChart({self.source!r}, bar={self._bar!r}, method={self._method!r})"

    # -- the visible window ----------------------------------------------------------------------
    def _on_change(self, change) -> None:
        self._send_frame()

    def _tick_of(self) -> float:
        tick = self.source.book.tick
        if not (np.isfinite(tick) and tick > 0):
            trades = self.source.trades
            px = np.unique(trades.price) if trades is not None else np.empty(0)
            tick = float(np.diff(px).min()) if px.size > 1 else 1.0
        return float(tick)

    def _signs(self, trades):
        """Signs of every trade of the source by ``method`` (None: ``trades.side``)."""
        m = self._method
        if m == "auto":
            m = "side" if np.any(trades.side != 0) else "lee_ready"
        if m == "side":
            return None, "side"
        return sign_trades(trades, self.source.book, method=m, **self._sign_options), m

    def _window_trades(self, trades, t0: int, t1: int) -> slice:
        """The trades of the bars overlapping [t0, t1], whole bars (bars aligned as over all trades)."""
        ts = trades.ts
        kind, n = self._kind, self._n
        if kind == "time":
            lo = (t0 // n) * n
            hi = ((max(t1, t0 + 1) - 1) // n + 1) * n
            return slice(int(np.searchsorted(ts, lo, "left")), int(np.searchsorted(ts, hi, "left")))
        if kind == "trades":
            i0 = int(np.searchsorted(ts, t0, "left"))
            i1 = int(np.searchsorted(ts, t1, "right"))
            return slice((i0 // n) * n, min(-(-i1 // n) * n, ts.size))
        bts = self.source.book.ts
        r0 = max(int(np.searchsorted(bts, t0, "right")) - 1, 0)
        r1 = max(int(np.searchsorted(bts, t1, "right")) - 1, 0)
        lo_ns = int(bts[(r0 // n) * n])
        nxt = (r1 // n + 1) * n
        i0 = int(np.searchsorted(ts, lo_ns, "left"))
        i1 = int(np.searchsorted(ts, bts[nxt], "left")) if nxt < bts.size else ts.size
        return slice(i0, i1)

    def _limits(self) -> tuple[int, int]:
        bars = max(1, (int(self._width) - CHROME_X) // MIN_COL_PX)
        rows = max(1, (int(self.height) - CHROME_Y) // self._min_row)
        return bars, rows

    def footprint(self) -> pd.DataFrame:
        """The :func:`~obi_widgets.metrics.footprint` table of what is drawn (the visible bars;
        empty without trades in the window)."""
        fp = self._compute()[0]
        return empty_footprint() if fp is None else fp

    def _compute(self):
        src = self.source
        trades = src.trades
        t0, t1 = (int(v) for v in src.time_range)
        tick = self._tick_of()
        info = {"t0": t0, "t1": t1, "tick": tick, "total_bars": 0, "first_bar": 0, "method": self._method, "note": ""}
        if trades is None or len(trades) == 0:
            info["note"] = "no trades: pass trades= to the source"
            return None, info
        signs, used = self._signs(trades)
        info["method"] = used
        win = self._window_trades(trades, t0, t1)
        sub = trades[win]
        if len(sub) == 0:
            info["note"] = "no trades in the visible time"
            return None, info
        sub_signs = None if signs is None else signs[win]
        max_bars, max_rows = self._limits()
        kw: dict[str, Any] = dict(
            bar=self._bar, tick=tick, book=src.book, signs=sub_signs, method="side", **self._params
        )
        fp = footprint(sub, row_ticks=self._row_ticks, **kw)
        n_bars = int(fp["bar"].iloc[-1]) + 1 if len(fp) else 0
        info["total_bars"] = n_bars
        if n_bars > max_bars:  # the latest bars that fit
            first = n_bars - max_bars
            info["first_bar"] = first
            keep_from = int(np.searchsorted(fp["bar"].to_numpy(), first, "left"))
            first_ns = int(fp["bar_start"].to_numpy()[keep_from].view(np.int64))
            i0 = int(np.searchsorted(sub.ts, first_ns, "left"))
            if self._kind == "trades":
                i0 = first * self._n
            sub = sub[i0:]  # for the coarser rows below
            kw["signs"] = None if sub_signs is None else sub_signs[i0:]
            # each bar's numbers depend on its own trades only: keep the rows of the latest bars
            attrs = dict(fp.attrs)
            fp = fp.iloc[keep_from:].reset_index(drop=True)
            fp["bar"] -= first
            fp.attrs = attrs
        q = np.rint(fp["price"].to_numpy() / (tick * self._row_ticks)).astype(np.int64)
        span = int(q.max() - q.min()) + 1 if q.size else 1
        if span > max_rows:
            k = nice_multiple(-(-span * self._row_ticks // max_rows))
            fp = footprint(sub, row_ticks=k, **kw)
        return fp, info

    def _send_frame(self) -> None:
        src = self.source
        key = (tuple(src.time_range), getattr(src, "data_version", 0), int(self._width), int(self.height))
        if key == self._sent:
            return
        self._sent = key
        began = time.perf_counter()
        fp, info = self._compute()
        fields, meta = self._payload(fp, info)
        meta["build_ms"] = (time.perf_counter() - began) * 1e3
        self.last_build_ms = meta["build_ms"]
        self._frame = pack(fields, meta)

    def _payload(self, fp, info) -> tuple[dict, dict]:
        meta = {
            "t0": float(ms(info["t0"])),
            "t1": float(ms(info["t1"])),
            "tick": info["tick"],
            "row_ticks": self._row_ticks,
            "bar": str(self._bar),
            "bar_kind": self._kind,
            "method": info["method"],
            "imbalance_ratio": float(self._params["imbalance_ratio"]),
            "zero_denominator": self._params["zero_denominator"],
            "stacked": int(self._params["stacked"]),
            "total_bars": info["total_bars"],
            "first_bar": info["first_bar"],
            "note": info["note"],
        }
        if fp is None or len(fp) == 0:
            meta.update(row_px=info["tick"], q0=0, n_rows=0, n_bars=0, max_abs_delta=0.0, max_total=0.0, trades=0)
            meta["off_grid"] = 0
            return {}, meta
        k = int(fp.attrs["row_ticks"])
        row_px = float(fp.attrs["tick"]) * k
        q = np.rint(fp["price"].to_numpy() / row_px).astype(np.int64)
        q0 = int(q.min())
        rows = (q - q0).astype(np.int32)
        bar = fp["bar"].to_numpy()
        first = np.flatnonzero(np.r_[True, bar[1:] != bar[:-1]])
        flags = (
            fp["buy_imbalance"].to_numpy().astype(np.uint8)
            | (fp["sell_imbalance"].to_numpy().astype(np.uint8) << 1)
            | (fp["buy_stacked"].to_numpy().astype(np.uint8) << 2)
            | (fp["sell_stacked"].to_numpy().astype(np.uint8) << 3)
            | (fp["poc"].to_numpy().astype(np.uint8) << 4)
        )
        zones = footprint_zones(fp)
        zq = lambda col: (np.rint(zones[col].to_numpy() / row_px).astype(np.int64) - q0).astype(np.int32)  # noqa: E731
        fields = {
            "bar_t0": ms(fp["bar_start"].to_numpy()[first].view(np.int64)),
            "bar_t1": ms(fp["bar_end"].to_numpy()[first].view(np.int64)),
            "bar_total": fp["bar_total"].to_numpy()[first],
            "bar_delta": fp["bar_delta"].to_numpy()[first],
            "bar_poc": fp["bar_poc"].to_numpy()[first],
            "bar_lo": np.minimum.reduceat(rows, first).astype(np.int32),
            "bar_hi": np.maximum.reduceat(rows, first).astype(np.int32),
            "cell_bar": bar.astype(np.int32),
            "cell_row": rows,
            "sell": fp["sell_volume"].to_numpy(),
            "buy": fp["buy_volume"].to_numpy(),
            "unsigned": fp["unsigned_volume"].to_numpy(),
            "trades": fp["trades"].to_numpy().astype(np.int32),
            "flags": flags,
            "zone_bar": zones["bar"].to_numpy().astype(np.int32),
            "zone_lo": zq("price_lo"),
            "zone_hi": zq("price_hi"),
            "zone_side": zones["side"].to_numpy().astype(np.int8),
        }
        meta.update(
            row_ticks=k,
            row_px=row_px,
            q0=q0,
            n_rows=int(rows.max()) + 1,
            n_bars=int(first.size),
            max_abs_delta=float(np.abs(fp["delta"].to_numpy()).max()),
            max_total=float(fp["total"].to_numpy().max()),
            trades=int(fp["trades"].sum()),
            off_grid=int(fp.attrs.get("off_grid", 0)),
        )
        return fields, meta


__all__ = ["FootprintChart", "nice_multiple"]

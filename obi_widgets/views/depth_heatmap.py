"""`DepthHeatmap`: the book's resting size on time x price (a Bookmap-style liquidity heatmap).

Front-end: ``js/views/depth_heatmap.js``. The cells are :mod:`obi_widgets.raster`'s: each is the
time-weighted mean resting size per price level of its bucket over its time slice. What travels
(self-describing buffers, one layout for both):

- ``_overview``: the whole book, coarse (``OVERVIEW`` = 256 time slices x 128 price buckets, trades
  on 128 slices), sent once: zoom and pan draw from it at once, and without a kernel;
- ``_raster``: the visible window (the source's ``time_range`` and the view's ``price_range``) at
  screen resolution, about (width / 2) x (height / 3) cells, re-sent when either changes.

Fields: ``cells`` (n_time, n_price) float32; ``bid_lo``, ``bid_hi``, ``ask_lo``, ``ask_hi`` (n_time)
best-price envelopes; ``row`` (n_time + 1, int32) the row in force at each slice edge; the trade
dots ``dot_s``, ``dot_b`` (slice and bucket, int32), ``dot_px`` (VWAP), ``dot_buy``, ``dot_sell``,
``dot_other`` (volume, float32). ``meta``: ``t0``, ``t1`` (ms), ``p0``, ``p1`` (outer price edges of
the buckets), ``tick``, ``k`` (ticks per bucket), ``n_time``, ``n_price``, ``n_dot`` (dot slices),
``auto`` (automatic price range), ``pad`` (its padding), ``rows`` (book rows in the window),
``build_ms``.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import traitlets as t

from .. import raster as rs
from ..book import Book
from ..errors import ParameterError
from ._base import SourceView
from ._buffers import pack
from ._reduce import time_edges
from .source import ms

OVERVIEW = (256, 128, 128)  # time slices, price buckets, trade-dot slices of the overview
CHROME_X = 76  # CSS px of the view's width outside the plot (price axis and margins, as in the JS)
CHROME_Y = 28  # CSS px of the height outside the plot (time axis)
MAX_DOTS = 6000
DOT_PX = 6  # raster slices (2 px each) per trade-dot slice: one dot column every 12 px
SCALES = ("log", "linear")


def _warm_kernels() -> None:
    """Load the compiled kernels once (numba's first load in a process costs about a second)."""
    tiny = Book([0, 1], [[1.0], [1.0]], [[1.0], [1.0]], [[2.0], [2.0]], [[1.0], [1.0]], meta={"tick": 1.0})
    rs.window_raster(tiny, 0, 2, 2, 2, index=rs.DepthIndex(tiny))
    rs.depth_raster(tiny, 0, 2, 2, 1.0, 2.0, 2)


# start loading them while the caller builds the source and the first payload is prepared
_WARMING = threading.Thread(target=_warm_kernels, name="obi-heatmap-warm", daemon=True)
_WARMING.start()


def _cutoffs(value) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(f"cutoffs must be (low, high) percentiles, got {value!r}") from None
    if not (0.0 <= lo < hi <= 100.0):
        raise ParameterError(f"cutoffs must be percentiles with 0 <= low < high <= 100, got {value!r}")
    return (lo, hi)


def _price_range(value) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(f"price_range must be (low, high) prices or None, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ParameterError(f"price_range must be finite prices with low < high, got {value!r}")
    return (lo, hi)


class DepthHeatmap(SourceView):
    """Resting liquidity over time and price, best bid and ask, and trades as volume dots.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; views of one ``BookSource`` share the cursor and the visible time range.
    trades : Trades, optional
        With a Book: trades drawn as dots (area ~ volume, buy / sell split by aggressor side).
    height : int
        Height of the plot in CSS pixels (default 420).
    price_range : (low, high), optional
        Visible prices; None (default) follows the best prices of the visible window.
    cutoffs : (low, high)
        Percentiles of the visible non-empty cells at which the colour scale starts and saturates
        (default (1, 99.5)); beyond them cells take the extreme colours.
    scale : "linear" or "log"
        Intensity scale between the cut-offs (default "linear": thin liquidity stays dark and
        the large resting orders stand out, as on trading screens; "log" spreads the sizes).
    show_trades : bool
        Draw the volume dots (default True).

    Mouse: the wheel zooms time around the pointer (Shift+wheel: price), drag pans, double-click
    resets, a click moves the shared cursor. Zoom and pan set the source's ``time_range`` (every
    time view follows); Python re-bins the visible window to screen resolution.
    """

    _view_name_ = "depth_heatmap"

    title = t.Unicode("", help="Title shown above the heatmap (default: the source's name).").tag(sync=True)
    price_range = t.Tuple(
        t.Float(), t.Float(), allow_none=True, default_value=None, help="Visible prices, or None to follow the book."
    ).tag(sync=True)
    cutoffs = t.Tuple(t.Float(), t.Float(), default_value=(1.0, 99.5), help="Colour cut-off percentiles.").tag(
        sync=True
    )
    scale = t.Unicode("linear", help='Intensity scale: "log" or "linear".').tag(sync=True)
    show_trades = t.Bool(True, help="Draw trades as volume dots.").tag(sync=True)
    height = t.Int(420, help="Height of the plot in CSS pixels.").tag(sync=True)
    _overview = t.Bytes(b"").tag(sync=True)
    _raster = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        height: int | None = None,
        price_range=None,
        cutoffs=(1.0, 99.5),
        scale: str = "linear",
        show_trades: bool = True,
        title: str | None = None,
        **kwargs,
    ):
        kwargs.update(
            price_range=_price_range(price_range), cutoffs=_cutoffs(cutoffs), scale=scale, show_trades=show_trades
        )
        self._index: rs.DepthIndex | None = None
        self._live_prices: tuple[float, float] | None = None
        self._sent: tuple | None = None
        self._indexing: threading.Thread | None = None
        self.last_build_ms = math.nan
        super().__init__(source_or_book, trades, height=height, **kwargs)
        book = self.source.book
        self._tick = rs.book_tick(book)
        self._pad = rs.depth_pad(book)
        self.title = self.source.name if title is None else title
        ts = book.ts
        t0, t1 = int(ts[0]), max(int(ts[-1]), int(ts[0]) + 1)
        # the kernels release the GIL: the overview is built on a second core while this thread
        # builds the visible window
        with ThreadPoolExecutor(1, thread_name_prefix="obi-heatmap-overview") as pool:
            overview = pool.submit(self._payload, t0, t1, *OVERVIEW, None, False)
            self._send_raster()
            self._overview = overview.result()
        self._observe_source(self._on_window, "time_range")
        self._observe_source(self._on_data, ["data_version", "full_version"])
        self.observe(self._on_window, ["price_range", "_width", "height"])
        if (
            len(book) > 50_000 and not self.source.live
        ):  # zoom and pan then read only the level changes (built off the GIL)
            self._indexing = threading.Thread(target=self._build_index, name="obi-depth-index", daemon=True)
            self._indexing.start()

    # -- validation ------------------------------------------------------------------------------
    @t.validate("cutoffs")
    def _check_cutoffs(self, proposal):
        return _cutoffs(proposal["value"])

    @t.validate("price_range")
    def _check_price_range(self, proposal):
        return _price_range(proposal["value"])

    @t.validate("scale")
    def _check_scale(self, proposal):
        if proposal["value"] not in SCALES:
            raise ParameterError(f'scale must be "log" or "linear", got {proposal["value"]!r}')
        return proposal["value"]

    # -- Python API ------------------------------------------------------------------------------
    @property
    def index(self) -> rs.DepthIndex | None:
        """The book's :class:`~obi_widgets.raster.DepthIndex` once built (big books only), else None."""
        return self._index

    def wait_index(self, timeout: float | None = None) -> bool:
        """Wait for the index of a big book to be built; True when re-bins use it."""
        if self._indexing is not None:
            self._indexing.join(timeout)
        return self._index is not None

    def raster(self) -> rs.Raster:
        """The raster of the visible window at the current screen resolution (what ``_raster`` holds)."""
        return self._window_raster(*self._grid(), self.price_range)

    def _repr_keys(self):
        return ("source", "price_range", "cutoffs", "scale")

    def __repr__(self) -> str:
        return f"DepthHeatmap({self.source!r}, price_range={self.price_range!r}, scale={self.scale!r})"

    # -- re-binning ------------------------------------------------------------------------------
    def _build_index(self) -> None:
        self._index = rs.DepthIndex(self.source.book, tick=self._tick)

    def _on_window(self, change) -> None:
        self._send_raster()

    def _on_data(self, change) -> None:
        """Pushed rows: the index no longer covers the book; the window again (the overview
        too when the source rebuilt its axis)."""
        self._index = None
        book = self.source.book
        if change["name"] == "full_version":
            self._tick = rs.book_tick(book)
            self._pad = rs.depth_pad(book)
            ts = book.ts
            self._overview = self._payload(int(ts[0]), max(int(ts[-1]), int(ts[0]) + 1), *OVERVIEW, None, False)
        self._send_raster()

    def _window(self) -> tuple[int, int]:
        lo, hi = self.source.time_range
        return int(lo), max(int(hi), int(lo) + 1)

    def _grid(self) -> tuple[int, int, int, int]:
        """(t0, t1, time slices, price buckets) of the visible window's raster.

        A live source that follows its newest row gets a fixed time grid: slices of ``q /
        DOT_PX`` ns, the window's end rounded up to a multiple of ``q`` (one trade-dot slice),
        so the next flush's raster shares every column but the last few and the browser scrolls
        the image and paints only those.
        """
        lo, hi = self._window()
        n_time, n_price = self._resolution()
        if self.source.live and self.source.follow and n_time >= 2 * DOT_PX:
            n_dot = n_time // DOT_PX
            q = DOT_PX * max(1, -(-(hi - lo) // ((n_dot - 1) * DOT_PX)))
            hi = -(-hi // q) * q
            return hi - n_dot * q, hi, n_dot * DOT_PX, n_price
        return lo, hi, n_time, n_price

    def _resolution(self) -> tuple[int, int]:
        n_time = max(1, (int(self._width) - CHROME_X) // 2)
        n_price = max(1, (int(self.height) - CHROME_Y) // 3)
        return min(n_time, 4000), min(n_price, 2000)

    def _window_raster(self, t0, t1, n_time, n_price, price_range, live_grid: bool = True) -> rs.Raster:
        book = self.source.book
        live = live_grid and price_range is None and self.source.live and self.source.follow
        sticky = self._live_prices if live else None
        if sticky is not None:  # keep the live grid while the best prices stay well inside it
            r = rs.window_raster(book, t0, t1, n_time, n_price, price_range=sticky, index=None)
            best = np.concatenate([r.bid_lo, r.ask_hi])
            best = best[np.isfinite(best)]
            margin = 0.15 * (sticky[1] - sticky[0])
            if best.size and sticky[0] + margin <= best.min() and best.max() <= sticky[1] - margin:
                return r
        r = rs.window_raster(book, t0, t1, n_time, n_price, price_range=price_range, pad=self._pad, index=self._index)
        if live:
            span = r.grid.edges[-1] - r.grid.edges[0]  # room to move before the grid changes
            self._live_prices = (float(r.grid.edges[0] - span / 4), float(r.grid.edges[-1] + span / 4))
        return r

    def _send_raster(self) -> None:
        began = time.perf_counter()
        t0, t1, n_time, n_price = self._grid()
        key = (t0, t1, n_time, n_price, self.price_range, self.source.data_version)
        if key == self._sent:  # once per flush of a live source, whichever observer comes first
            return
        self._sent = key
        self._raster = self._payload(t0, t1, n_time, n_price, max(1, n_time // DOT_PX), self.price_range)
        self.last_build_ms = (time.perf_counter() - began) * 1e3

    def _payload(
        self, t0: int, t1: int, n_time: int, n_price: int, n_dot: int, price_range, live_grid: bool = True
    ) -> bytes:
        began = time.perf_counter()
        book = self.source.book
        r = self._window_raster(t0, t1, n_time, n_price, price_range, live_grid)
        g = r.grid
        rows = np.searchsorted(book.ts, r.edges, side="right") - 1
        fields = {
            "cells": r.cells.astype(np.float32),
            "bid_lo": r.bid_lo,
            "bid_hi": r.bid_hi,
            "ask_lo": r.ask_lo,
            "ask_hi": r.ask_hi,
            "row": np.maximum(rows, 0).astype(np.int32),
        }
        trades = self.source.trades
        dot_n = 0
        if trades is not None and len(trades):
            dot_n = min(n_dot, t1 - t0)
            d = rs.volume_dots(trades, time_edges(t0, t1, dot_n), g)
            keep = slice(None)
            if len(d) > MAX_DOTS:  # the largest, back in time order
                keep = np.sort(np.argsort(d.buy + d.sell + d.other, kind="stable")[-MAX_DOTS:])
            fields.update(
                dot_s=d.slice[keep].astype(np.int32),
                dot_b=d.bucket[keep].astype(np.int32),
                dot_px=d.vwap[keep],
                dot_buy=d.buy[keep].astype(np.float32),
                dot_sell=d.sell[keep].astype(np.float32),
                dot_other=d.other[keep].astype(np.float32),
            )
        edges = g.edges
        meta = {
            "t0": float(ms(r.edges[0])),
            "t1": float(ms(r.edges[-1])),
            "p0": float(edges[0]),
            "p1": float(edges[-1]),
            "tick": g.tick,
            "k": g.k,
            "n_time": int(r.cells.shape[0]),
            "n_price": g.n,
            "n_dot": dot_n,
            "auto": price_range is None,
            "pad": self._pad,
            "rows": int(max(rows[-1] - max(rows[0], 0) + 1, 0)),
            "indexed": self._index is not None,
        }
        meta["build_ms"] = (time.perf_counter() - began) * 1e3
        return pack(fields, meta)

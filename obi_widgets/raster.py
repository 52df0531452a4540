"""Liquidity rasters: a book's resting size on a time x price grid (what a depth heatmap draws).

Pure numpy in and out (plus one compiled kernel, imported on first use); no widgets.

**Time.** A window ``[t0, t1]`` (int ns) is split into ``n_time`` equal slices
``[e_s, e_{s+1})`` (:func:`obi_widgets.views._reduce.time_edges`). Book row ``i`` is a step: it
holds from ``t_i`` until ``t_{i+1}``; the last row of the book holds until the window end ``t1``.
Before the first row there is no book (nothing is counted).

**Price.** Levels sit on a tick grid (``book.tick``: ``meta["tick"]``, else estimated). A price
``x`` has tick number ``m = round(x / tick)``. The grid groups ``k`` whole ticks per bucket, with
bucket boundaries on multiples of ``k`` ticks (so they stay put when the window pans): bucket
``b`` holds tick numbers ``m0 + b k .. m0 + b k + k - 1`` and spans prices
``[(m0 + b k - 1/2) tick, (m0 + b k + k - 1/2) tick)``. ``k`` is the smallest whole number of
ticks that fits ``[p0, p1]`` into at most ``n_price`` buckets.

**Cells.** With ``Δt_s = e_{s+1} - e_s`` and ``q`` the size of a level,

    cell(s, b) = 1 / (Δt_s · k) · Σ_rows i Σ_levels (bid and ask) with bucket b   q · |[t_i, t_{i+1}) ∩ [e_s, e_{s+1})|

the time-weighted mean resting size per price level of the bucket over the slice (the sum over a
bucket divided by its ``k`` levels, so cells of different zooms share one colour scale). Hence
conservation: ``Σ_s Σ_b cell(s, b) · Δt_s · k`` is the time-weighted book size in the window,
``Σ_i Σ_levels q · |[t_i, t_{i+1}) ∩ [t0, t1)|``, when the grid covers every level.

**Best prices.** Per slice, the min and max of the best bid and of the best ask over the rows in
force during the slice (the row in force at ``e_s`` and every row starting inside it;
:func:`obi_widgets.views._reduce.bin_minmax`).

**Trades.** :func:`volume_dots`: per time slice and price bucket with trades, the volume-weighted
average price ``VWAP = Σ price · size / Σ size`` and the buy, sell and unsigned volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .book import Book
from .errors import ParameterError
from .trades import Trades
from .views._reduce import time_edges

MAX_CELLS = 50_000_000  # n_time x n_price; ~400 MB of float64 sums


@dataclass(frozen=True)
class PriceGrid:
    """Price buckets of ``k`` whole ticks each; bucket ``b`` holds tick numbers ``m0 + b k + j``, 0 <= j < k."""

    tick: float
    m0: int
    k: int
    n: int

    @property
    def edges(self) -> np.ndarray:
        """(n + 1,) bucket boundaries in price, half a tick below each bucket's first level."""
        return (self.m0 + np.arange(self.n + 1, dtype=np.float64) * self.k - 0.5) * self.tick

    @property
    def centres(self) -> np.ndarray:
        """(n,) mid price of each bucket's levels."""
        return (self.m0 + np.arange(self.n, dtype=np.float64) * self.k + (self.k - 1) / 2) * self.tick

    def bucket(self, prices) -> np.ndarray:
        """int64 bucket of each price, -1 outside the grid or NaN."""
        x = np.asarray(prices, dtype=np.float64)
        ok = np.isfinite(x)
        m = np.floor(np.where(ok, x, 0.0) * (1.0 / self.tick) + 0.5).astype(np.int64) - self.m0
        b = m // self.k
        return np.where(ok & (m >= 0) & (b < self.n), b, -1)


@dataclass(frozen=True)
class Raster:
    """What :func:`depth_raster` returns: ``cells`` (n_time, grid.n) float64 (formula in the module
    docstring), the time ``edges`` (n_time + 1, int64 ns), the price ``grid``, and the best-price
    envelopes per slice ``bid_lo``, ``bid_hi``, ``ask_lo``, ``ask_hi`` (n_time, NaN where that side is
    empty throughout the slice)."""

    cells: np.ndarray
    edges: np.ndarray
    grid: PriceGrid
    bid_lo: np.ndarray
    bid_hi: np.ndarray
    ask_lo: np.ndarray
    ask_hi: np.ndarray


@dataclass(frozen=True)
class Dots:
    """What :func:`volume_dots` returns, one entry per (time slice, price bucket) with trades:
    ``slice`` and ``bucket`` (int64), ``vwap`` (float64), ``buy``, ``sell``, ``other`` (volume of
    buyer-initiated, seller-initiated and unsigned trades) and ``count`` (trades)."""

    slice: np.ndarray
    bucket: np.ndarray
    vwap: np.ndarray
    buy: np.ndarray
    sell: np.ndarray
    other: np.ndarray
    count: np.ndarray

    def __len__(self) -> int:
        return int(self.slice.shape[0])


# -- arguments -------------------------------------------------------------------------------------
def _check_int(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an int, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ParameterError(f"{name} must be in [{lo}, {hi}], got {value}")
    return int(value)


def _check_price(name: str, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a finite price, got {value!r}") from None
    if not math.isfinite(x):
        raise ParameterError(f"{name} must be a finite price, got {value!r}")
    return x


def _check_window(book, t0_ns, t1_ns) -> tuple[int, int]:
    if not isinstance(book, Book):
        raise ParameterError(f"book must be an obi_widgets.Book, got {type(book).__name__}")
    if len(book) == 0:
        raise ParameterError("book must have at least one row (this one is empty)")
    for name, v in (("t0_ns", t0_ns), ("t1_ns", t1_ns)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ParameterError(f"{name} must be an int of ns since the epoch, got {v!r}")
    t0, t1 = int(t0_ns), int(t1_ns)
    if t1 <= t0:
        raise ParameterError(f"the window must have t0_ns < t1_ns, got t0_ns={t0}, t1_ns={t1}")
    return t0, t1


def book_tick(book: Book) -> float:
    """The tick of the grid: ``book.tick``, or (a book with fewer than two distinct prices) a
    ten-thousandth of its price, or 1.0 for a book without any price."""
    tick = float(book.tick)
    if math.isfinite(tick) and tick > 0:
        return tick
    for px in (book.bid_px, book.ask_px):
        finite = px[np.isfinite(px)]
        if finite.size:
            return max(abs(float(finite[0])) * 1e-4, 1e-12) or 1.0
    return 1.0


def price_grid(p0: float, p1: float, n_price: int, tick: float) -> PriceGrid:
    """The grid of at most ``n_price`` buckets of whole ticks covering every level in ``[p0, p1]``
    (see the module docstring)."""
    p0, p1 = _check_price("p0", p0), _check_price("p1", p1)
    if p1 < p0:
        raise ParameterError(f"the price range must have p0 <= p1, got p0={p0}, p1={p1}")
    n_price = _check_int("n_price", n_price, 1, 100_000)
    tick = float(tick)
    if not (math.isfinite(tick) and tick > 0):
        raise ParameterError(f"tick must be a finite number > 0, got {tick!r}")
    lo, hi = math.floor(p0 / tick + 0.5), math.floor(p1 / tick + 0.5)
    if hi - lo > 10**12:
        raise ParameterError(f"the price range [{p0}, {p1}] spans more than 10^12 ticks of {tick}")
    k = max(1, math.ceil((hi - lo + 1) / n_price))
    while True:
        m0 = (lo // k) * k  # boundaries on multiples of k ticks: stable when the window pans
        n = (hi - m0) // k + 1
        if n <= n_price:
            return PriceGrid(tick, int(m0), int(k), int(n))
        k += 1


def _window_rows(ts: np.ndarray, t0: int, t1: int) -> tuple[int, int]:
    """(first, stop): the row in force at t0 (or 0) and one past the last row starting at or before t1."""
    first = max(int(np.searchsorted(ts, t0, side="right")) - 1, 0)
    stop = int(np.searchsorted(ts, t1, side="right"))
    return first, stop


def best_envelopes(book: Book, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(bid_lo, bid_hi, ask_lo, ask_hi) per slice of ``edges``: min and max of the best bid and of
    the best ask over the rows in force during each slice (NaN where the side is empty throughout)."""
    from . import _raster_kernels

    edges = np.ascontiguousarray(edges, dtype=np.int64)
    out = np.full((4, edges.shape[0] - 1), np.nan)
    _raster_kernels.best_envelopes(book.ts, book.bid_px, book.ask_px, edges, out)
    return out[0], out[1], out[2], out[3]


def depth_pad(book: Book, sample: int = 4096) -> float:
    """How far the book's levels reach beyond its best prices: the median over evenly spaced rows
    of the larger of (best bid - deepest bid) and (deepest ask - best ask); 0 for a one-level book
    or one without prices. The automatic price range pads the best prices by this."""
    n = len(book)
    idx = np.unique(np.linspace(0, n - 1, min(n, sample)).round().astype(np.int64))
    spans = []
    for px, sign in ((book.bid_px, 1.0), (book.ask_px, -1.0)):
        rows = px[idx]
        ok = np.isfinite(rows)
        count = ok.sum(axis=1)
        has = count > 0
        last = rows[np.arange(len(idx)), np.maximum(count - 1, 0)]
        spans.append(np.where(has, sign * (rows[:, 0] - last), np.nan))
    both = np.fmax(spans[0], spans[1])
    both = both[np.isfinite(both)]
    return float(np.median(both)) if both.size else 0.0


def auto_price_range(envelopes, pad: float, tick: float) -> tuple[float, float]:
    """The price range of a window: from the lowest to the highest best price over its slices
    (``envelopes`` from :func:`best_envelopes`), widened by ``pad`` (:func:`depth_pad`) and a tick on
    each side; (0, 1) when the window has no price at all."""
    values = np.concatenate([np.asarray(e, dtype=np.float64).ravel() for e in envelopes])
    values = values[np.isfinite(values)]
    if not values.size:
        return (0.0, 1.0)
    lo, hi = float(values.min()), float(values.max())
    margin = max(float(pad), 0.0) + tick
    return (lo - margin, hi + margin)


# -- the raster -------------------------------------------------------------------------------------
def _grid(p0, p1, n_price, tick, n_time) -> PriceGrid:
    grid = price_grid(p0, p1, n_price, tick)
    if n_time * grid.n > MAX_CELLS:
        raise ParameterError(f"n_time x n_price = {n_time} x {grid.n} exceeds {MAX_CELLS} cells")
    return grid


def _cells(book: Book, edges: np.ndarray, grid: PriceGrid, index: DepthIndex | None) -> np.ndarray:
    """The normalised cells (module docstring) of the window ``edges``, directly or via ``index``."""
    from . import _raster_kernels as k

    r0, r1 = _window_rows(book.ts, int(edges[0]), int(edges[-1]))
    sums = np.zeros((edges.shape[0] - 1, grid.n), dtype=np.float64)
    b = book
    if index is None:
        k.depth_sums(
            b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, r0, r1, edges, grid.tick, grid.m0, grid.k, grid.n, sums
        )
    else:
        tick, size, offsets = index.changes
        k.changes_sums(
            b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, tick, size, offsets,
            r0, r1, edges, 1.0 / grid.tick, grid.m0, grid.k, grid.n, sums,
        )  # fmt: skip
    sums /= (np.diff(edges).astype(np.float64) * grid.k)[:, None]
    return sums


def _n_time(n_time, t0: int, t1: int) -> int:
    return min(_check_int("n_time", n_time, 1, 100_000), t1 - t0)


def depth_raster(
    book: Book,
    t0_ns: int,
    t1_ns: int,
    n_time: int,
    p0: float,
    p1: float,
    n_price: int,
    *,
    tick: float | None = None,
) -> Raster:
    """The book's resting size on ``n_time`` equal time slices of ``[t0_ns, t1_ns]`` and at most
    ``n_price`` price buckets covering ``[p0, p1]`` (formulas in the module docstring).

    ``tick`` defaults to :func:`book_tick`. ``n_time`` is capped at the window's length in ns (a
    slice lasts at least 1 ns). Reads every level of every row in the window once; for repeated
    windows of one book (zoom and pan) :class:`DepthIndex` gives the same cells reading only the
    level changes. Raises :class:`~obi_widgets.errors.ParameterError` on a bad argument.
    """
    t0, t1 = _check_window(book, t0_ns, t1_ns)
    n = _n_time(n_time, t0, t1)
    grid = _grid(p0, p1, n_price, book_tick(book) if tick is None else tick, n)
    edges = time_edges(t0, t1, n)
    return Raster(_cells(book, edges, grid, None), edges, grid, *best_envelopes(book, edges))


class DepthIndex:
    """A book's level changes, found once, from which :meth:`raster` computes the cells of
    :func:`depth_raster` for any window reading only the changes inside it.

    Row i >= 1 contributes the ticks whose total resting size (bid plus ask) differs from row
    i - 1 (new size, 0 when the level left the book's L levels); a window starts from the full row
    in force at its start. A book changes a level or two per row, so a window reads about a tenth
    of its rows' 2L levels. Built in one compiled pass (about the cost of one full raster).
    """

    def __init__(self, book: Book, *, tick: float | None = None):
        if not isinstance(book, Book):
            raise ParameterError(f"book must be an obi_widgets.Book, got {type(book).__name__}")
        if len(book) == 0:
            raise ParameterError("book must have at least one row (this one is empty)")
        from . import _raster_kernels

        self.book = book
        self.tick = book_tick(book) if tick is None else float(tick)
        b = book
        self.changes = _raster_kernels.build_changes(b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, 1.0 / self.tick)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.changes)

    def raster(self, t0_ns: int, t1_ns: int, n_time: int, p0: float, p1: float, n_price: int) -> Raster:
        """:func:`depth_raster` of this book (same arguments, same cells up to float rounding)."""
        t0, t1 = _check_window(self.book, t0_ns, t1_ns)
        n = _n_time(n_time, t0, t1)
        grid = _grid(p0, p1, n_price, self.tick, n)
        edges = time_edges(t0, t1, n)
        return Raster(_cells(self.book, edges, grid, self), edges, grid, *best_envelopes(self.book, edges))


def window_raster(
    book: Book,
    t0_ns: int,
    t1_ns: int,
    n_time: int,
    n_price: int,
    *,
    price_range: tuple[float, float] | None = None,
    pad: float | None = None,
    index: DepthIndex | None = None,
) -> Raster:
    """:func:`depth_raster` of a window with the automatic price range when ``price_range`` is
    None (:func:`auto_price_range` of the window's best prices, ``pad`` defaulting to
    :func:`depth_pad`); through ``index`` (a :class:`DepthIndex` of ``book``) when given."""
    t0, t1 = _check_window(book, t0_ns, t1_ns)
    if index is not None and index.book is not book:
        raise ParameterError("index must be a DepthIndex of the same book")
    tick = index.tick if index is not None else book_tick(book)
    n = _n_time(n_time, t0, t1)
    edges = time_edges(t0, t1, n)
    env = best_envelopes(book, edges)
    if price_range is None:
        p0, p1 = auto_price_range(env, depth_pad(book) if pad is None else pad, tick)
    else:
        if not isinstance(price_range, (tuple, list)) or len(price_range) != 2:
            raise ParameterError(f"price_range must be (low, high) or None, got {price_range!r}")
        p0, p1 = (_check_price("price_range", v) for v in price_range)
    grid = _grid(p0, p1, n_price, tick, n)
    return Raster(_cells(book, edges, grid, index), edges, grid, *env)


def volume_dots(trades: Trades, edges: np.ndarray, grid: PriceGrid) -> Dots:
    """Trades grouped per time slice of ``edges`` (int64 ns; the last slice includes its right edge)
    and price bucket of ``grid``: VWAP and buy / sell / unsigned volume of each non-empty group,
    sorted by slice then bucket. Trades outside the window or the grid are left out."""
    if not isinstance(trades, Trades):
        raise ParameterError(f"trades must be an obi_widgets.Trades, got {type(trades).__name__}")
    if not isinstance(grid, PriceGrid):
        raise ParameterError(f"grid must be a PriceGrid (see price_grid), got {type(grid).__name__}")
    edges = np.asarray(edges, dtype=np.int64)
    if edges.ndim != 1 or edges.shape[0] < 2 or np.any(np.diff(edges) <= 0):
        raise ParameterError("edges must be at least two increasing int ns times")
    lo = int(np.searchsorted(trades.ts, edges[0], side="left"))
    hi = int(np.searchsorted(trades.ts, edges[-1], side="right"))
    ts, px, sz, side = trades.ts[lo:hi], trades.price[lo:hi], trades.size[lo:hi], trades.side[lo:hi]
    s = np.minimum(np.searchsorted(edges, ts, side="right") - 1, edges.shape[0] - 2)
    b = grid.bucket(px)
    keep = b >= 0
    s, b, px, sz, side = s[keep], b[keep], px[keep], sz[keep], side[keep]
    key = s.astype(np.int64) * grid.n + b
    uniq, inv = np.unique(key, return_inverse=True)
    m = uniq.shape[0]
    vol = np.bincount(inv, weights=sz, minlength=m)
    value = np.bincount(inv, weights=px * sz, minlength=m)
    buy = np.bincount(inv, weights=np.where(side > 0, sz, 0.0), minlength=m)
    sell = np.bincount(inv, weights=np.where(side < 0, sz, 0.0), minlength=m)
    other = np.bincount(inv, weights=np.where(side == 0, sz, 0.0), minlength=m)
    count = np.bincount(inv, minlength=m)
    vwap = value / np.where(vol > 0, vol, 1.0)
    return Dots(uniq // grid.n, uniq % grid.n, vwap, buy, sell, other, count)

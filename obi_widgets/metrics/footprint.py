r"""Footprint ("cluster", "numbers bars") tables: traded volume per bar and per price, split by aggressor.

- :func:`footprint`: the tidy table, one row per (bar, price row) that traded, with each bar's delta
  and point of control, diagonal imbalances and stacked-imbalance membership;
- :func:`footprint_zones`: the stacked-imbalance zones of such a table, one row per zone.

Signs follow :class:`~obi_widgets.Trades`: +1 buyer-initiated (the trade lifted the ask), -1
seller-initiated (it hit the bid), 0 unknown.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._time import to_duration_ns
from ..book import Book
from ..errors import ParameterError, TradesError
from ._common import positive_number
from ._flow import MAX_BINS, require_trades, signs_of
from ._ticks import GRID_TOLERANCE, infer_tick, to_ticks
from .trades import sign_trades

METHODS = ("auto", "side", "tick", "lee_ready", "bvc")
ZERO = ("imbalance", "inside", "skip")
POC_TIES = ("center", "low", "high")
OFF_GRID = ("raise", "floor", "nearest")
_COUNT_BAR = re.compile(r"^\s*(\d+)\s*(trades?|rows?)\s*$", re.IGNORECASE)
#: the columns of :func:`footprint`'s table, in order
COLUMNS = (
    "bar",
    "bar_start",
    "bar_end",
    "price",
    "sell_volume",
    "buy_volume",
    "unsigned_volume",
    "delta",
    "total",
    "trades",
    "bar_total",
    "bar_delta",
    "bar_poc",
    "poc",
    "buy_imbalance",
    "sell_imbalance",
    "buy_stacked",
    "sell_stacked",
)


def _parse_bar(bar, book) -> tuple[str, int]:
    """(kind, n): kind 'time' (n = ns), 'trades' (n trades per bar) or 'rows' (n book rows per bar)."""
    if isinstance(bar, (bool, np.bool_)):
        raise ParameterError(
            f"footprint(): bar must be a duration ('1min'), 'N trades' or an int of book rows, got {bar!r}"
        )
    if isinstance(bar, (int, np.integer)):
        kind, n = "rows", int(bar)
    elif isinstance(bar, str) and _COUNT_BAR.match(bar):
        m = _COUNT_BAR.match(bar)
        assert m is not None
        kind = "trades" if m.group(2).lower().startswith("trade") else "rows"
        n = int(m.group(1))
    else:
        return "time", to_duration_ns(bar, "footprint(): bar")
    if n < 1:
        raise ParameterError(f"footprint(): bar={bar!r} must count at least 1 {kind[:-1]} per bar")
    if kind == "rows" and book is None:
        raise ParameterError(
            f"footprint(): bar={bar!r} counts book rows per bar and needs the book: pass book=, "
            "or bar='N trades' for bars of N trades"
        )
    return kind, n


def _signed(trades, book, signs, method: str, sign_options: dict | None):
    """(buy share, sell share) of each trade, and the method used."""
    if method not in METHODS:
        raise ParameterError(f"footprint(): method must be one of {METHODS}, got {method!r}")
    opts = dict(sign_options or {})
    if signs is not None:
        s, used = signs_of(trades, signs, "footprint"), "signs"
    else:
        used = method
        if method == "auto":
            used = "side" if np.any(trades.side != 0) else ("lee_ready" if book is not None else "tick")
        if used == "side":
            s = trades.side
        else:
            s = sign_trades(trades, book, method=used, **opts)
    sf = np.asarray(s, dtype=np.float64)
    if np.issubdtype(np.asarray(s).dtype, np.integer):  # 0 = unknown: neither buy nor sell
        known = sf != 0
        return np.where(known, 0.5 * (1 + sf), 0.0), np.where(known, 0.5 * (1 - sf), 0.0), used
    return 0.5 * (1 + sf), 0.5 * (1 - sf), used


def _bars(trades, kind: str, n: int, book):
    """Per trade: bar number (int64, -1 = outside every bar); per bar number: start and end ns."""
    ts = trades.ts
    if kind == "time":
        b = np.floor_divide(ts, n)
        b0 = int(b[0])
        if int(b[-1]) - b0 + 1 > MAX_BINS:
            raise ParameterError(f"footprint(): bar makes more than {MAX_BINS:,} time bars; use a coarser bar")
        num = b - b0
        k = np.arange(int(num[-1]) + 1, dtype=np.int64)
        return num, (b0 + k) * n, (b0 + k + 1) * n
    if kind == "trades":
        num = np.arange(ts.size, dtype=np.int64) // n
        first = np.arange(0, ts.size, n)
        last = np.minimum(first + n, ts.size) - 1
        return num, ts[first], ts[last]
    bts = book.ts
    row = np.searchsorted(bts, ts, side="right") - 1  # the book row in force at each trade
    num = np.where(row >= 0, row // n, -1)
    first = np.arange(0, bts.size, n)
    nxt = first + n
    end = np.where(nxt < bts.size, bts[np.minimum(nxt, bts.size - 1)], max(int(bts[-1]), int(ts[-1])))
    return num, bts[first], end


def _stacked(flag: np.ndarray, adjacent: np.ndarray, stacked: int) -> np.ndarray:
    """Members of runs of >= ``stacked`` flagged rows, each one row above the previous one
    (``adjacent[i]``: row i + 1 is one row above row i in the same bar)."""
    if not flag.any():
        return flag.copy()
    cont = np.zeros_like(flag)
    cont[1:] = flag[1:] & flag[:-1] & adjacent
    start = flag & ~cont
    run = np.cumsum(start) - 1
    lengths = np.bincount(run[flag], minlength=int(start.sum()))
    return flag & (lengths[np.maximum(run, 0)] >= stacked)


def footprint(
    trades,
    *,
    bar="1min",
    tick=None,
    row_ticks: int = 1,
    book=None,
    signs=None,
    method: str = "auto",
    sign_options: dict | None = None,
    imbalance_ratio: float = 3.0,
    zero_denominator: str = "inside",
    min_volume: float = 0.0,
    stacked: int = 3,
    poc_tie: str = "center",
    off_grid: str = "raise",
) -> pd.DataFrame:
    r"""The footprint of ``trades``: volume per bar and per price row, split by aggressor side.

    **Bars** (``bar=``):

    - a duration (``"1min"``, ``"30s"``, a Timedelta): time bars ``[k·bar, (k+1)·bar)`` counted from
      the epoch (so '1min' bars start on whole minutes); ``bar_end`` is the exclusive end;
    - ``"N trades"``: bars of N consecutive trades (the last may hold fewer); ``bar_start`` and
      ``bar_end`` are the times of the bar's first and last trade (inclusive);
    - an int N, or ``"N rows"``: bars of N consecutive **book** rows (event-time bars; needs
      ``book=``); a trade belongs to the bar of the book row in force at its time (the last row with
      ``ts <= t``), trades before the book's first row are left out (their count is in
      ``attrs['outside']``); ``bar_end`` is the first row of the next bar (the last bar: the later
      of the last row and the last trade).

    Only bars and prices that traded appear; ``bar`` numbers them 0, 1, ... in time order.

    **Price rows**: prices on the grid of ``tick`` (default: ``book.tick`` when a book is given,
    else the smallest gap between trade prices), grouped ``row_ticks`` ticks per row: a trade at
    price P is in row :math:`q = \lfloor \mathrm{round}(P/\text{tick}) / k \rfloor` and ``price`` is
    the row's lowest price :math:`q\,k\,\text{tick}`. A trade price off the grid (e.g. LOBSTER's
    hidden mid-point executions at half a tick) raises ParameterError (``off_grid="raise"``, the
    default), or goes to the tick below (``"floor"``: the bid of the quote it executed inside) or
    the nearest tick (``"nearest"``, half a tick up); ``attrs['off_grid']`` counts them.

    **Signs** (who initiated each trade): ``signs=`` (integer -1/0/+1 or fractional in [-1, 1],
    see :mod:`obi_widgets.metrics.trades`), else ``method``: ``"side"`` (``trades.side``),
    ``"tick"``, ``"lee_ready"`` (needs ``book``) or ``"bvc"`` through
    :func:`~obi_widgets.metrics.sign_trades` (``sign_options`` passes its keywords, e.g.
    ``{"lag": "5ms"}``); ``"auto"`` (default) takes ``trades.side`` when any trade has a side, else
    Lee-Ready with a book, else the tick rule. Lee & Ready (1991) *J. Finance* 46(2); bulk volume
    classification: Easley, López de Prado & O'Hara (2012) *Rev. Financial Studies* 25(5). A trade
    of sign s adds :math:`v(1+s)/2` to ``buy_volume`` and :math:`v(1-s)/2` to ``sell_volume``; an
    integer 0 (unknown) adds v to ``unsigned_volume`` only. For each (bar, row):

    .. math:: \text{delta} = B - S, \qquad \text{total} = B + S + U

    and per bar ``bar_delta`` :math:`= \sum \text{delta}`, ``bar_total`` :math:`= \sum \text{total}`.

    **Point of control** ``bar_poc``: the price row of the bar's largest ``total`` (``poc`` marks its
    row). Ties (``poc_tie``): ``"center"`` (default, the tied row nearest the middle of the bar's
    price range, the lower of two equally near), ``"low"`` or ``"high"``.

    **Diagonal imbalance** (the footprint convention of ATAS and Sierra Chart: the buyers who lifted
    the offer at p are compared with the sellers who hit the bid one row below, the two sides of one
    quote), with ratio r = ``imbalance_ratio`` and one row = ``row_ticks`` ticks:

    .. math:: \text{buy\_imbalance}(p) = B(p) \ge r\,S(p - \text{row}), \qquad
              \text{sell\_imbalance}(p) = S(p) \ge r\,B(p + \text{row})

    and the dominant volume must reach ``min_volume`` and be > 0. A row that did not trade counts
    as 0. **Against a zero** (where platforms differ; both ATAS and Sierra Chart make it a
    setting), ``zero_denominator``: ``"inside"`` (default) flags it only when the compared row lies
    inside the bar's traded price range (a price that traded on one side only), not beyond the bar's
    high or low; ``"imbalance"`` always flags it (an infinite ratio); ``"skip"`` never does.

    **Stacked imbalances**: ``buy_stacked`` / ``sell_stacked`` mark rows in a run of at least
    ``stacked`` consecutive rows (one row apart) of the same bar with a buy (sell) imbalance; see
    :func:`footprint_zones` for one row per zone.

    Returns a DataFrame with the columns of ``COLUMNS`` (times as datetime64[ns]), sorted by bar then
    price ascending; ``attrs``: ``tick``, ``row_ticks``, ``bar`` (the spec), ``bar_kind``
    ('time' / 'trades' / 'rows'), ``method`` (the signing used), ``imbalance_ratio``,
    ``zero_denominator``, ``stacked``, ``poc_tie``, ``outside`` (trades in no bar), ``off_grid`` (trades moved onto the grid).
    """
    fn = "footprint"
    trades = require_trades(trades, fn)
    if book is not None and not isinstance(book, Book):
        raise ParameterError(f"footprint(): book must be an obi_widgets.Book or None, got {type(book).__name__}")
    kind, n = _parse_bar(bar, book)
    if isinstance(row_ticks, (bool, np.bool_)) or not isinstance(row_ticks, (int, np.integer)) or row_ticks < 1:
        raise ParameterError(f"footprint(): row_ticks must be an int >= 1 (ticks per price row), got {row_ticks!r}")
    ratio = positive_number(imbalance_ratio, "imbalance_ratio", fn)
    if isinstance(min_volume, (bool, np.bool_, str)) or not np.isfinite(float(min_volume)) or float(min_volume) < 0:
        raise ParameterError(f"footprint(): min_volume must be a finite number >= 0, got {min_volume!r}")
    if zero_denominator not in ZERO:
        raise ParameterError(f"footprint(): zero_denominator must be one of {ZERO}, got {zero_denominator!r}")
    if poc_tie not in POC_TIES:
        raise ParameterError(f"footprint(): poc_tie must be one of {POC_TIES}, got {poc_tie!r}")
    if isinstance(stacked, (bool, np.bool_)) or not isinstance(stacked, (int, np.integer)) or stacked < 1:
        raise ParameterError(f"footprint(): stacked must be an int >= 1 (rows in a stacked zone), got {stacked!r}")
    if off_grid not in OFF_GRID:
        raise ParameterError(f"footprint(): off_grid must be one of {OFF_GRID}, got {off_grid!r}")
    if tick is None:
        bt = book.tick if book is not None else np.nan
        tick = float(bt) if np.isfinite(bt) else (infer_tick(trades.price, fn) if len(trades) else 1.0)
    tick = positive_number(tick, "tick", fn)
    k = int(row_ticks)
    attrs = {
        "tick": tick,
        "row_ticks": k,
        "bar": bar if isinstance(bar, (str, int)) else str(bar),
        "bar_kind": kind,
        "imbalance_ratio": ratio,
        "zero_denominator": zero_denominator,
        "stacked": int(stacked),
        "poc_tie": poc_tie,
    }
    if len(trades) == 0:
        out = _empty()
        out.attrs.update(attrs, method=method, outside=0, off_grid=0)
        return out

    buy_w, sell_w, used = _signed(trades, book, signs, method, sign_options)
    num, starts, ends = _bars(trades, kind, n, book)
    inside_bar = num >= 0
    q_all, n_off = _grid(trades.price, tick, off_grid)
    q_all = np.floor_divide(q_all, k)
    size = trades.size
    num, q, size = num[inside_bar], q_all[inside_bar], size[inside_bar]
    buy_w, sell_w = buy_w[inside_bar], sell_w[inside_bar]
    if num.size == 0:
        out = _empty()
        out.attrs.update(attrs, method=used, outside=int((~inside_bar).sum()), off_grid=n_off)
        return out

    # one key per (bar, row), sorted by bar then price
    qmin = int(q.min())
    span = int(q.max()) - qmin + 1
    key = num * span + (q - qmin)
    uniq, inv = np.unique(key, return_inverse=True)
    cells = uniq.size
    cell_num = uniq // span
    cell_q = uniq % span + qmin
    buy = np.bincount(inv, size * buy_w, cells)
    sell = np.bincount(inv, size * sell_w, cells)
    unsigned = np.bincount(inv, size * (1.0 - buy_w - sell_w), cells)
    unsigned = np.where(np.abs(unsigned) < 1e-12 * np.maximum(buy + sell, 1.0), 0.0, unsigned)
    count = np.bincount(inv, minlength=cells).astype(np.int64)
    total = buy + sell + unsigned
    delta = buy - sell

    # bars: dense ids over the bars that traded
    bar_nums, bar_id = np.unique(cell_num, return_inverse=True)
    first_cell = np.flatnonzero(np.r_[True, bar_id[1:] != bar_id[:-1]])
    bar_total = np.add.reduceat(total, first_cell)
    bar_delta = np.add.reduceat(delta, first_cell)
    q_lo = np.minimum.reduceat(cell_q, first_cell)
    q_hi = np.maximum.reduceat(cell_q, first_cell)

    # point of control: largest total, ties by poc_tie
    if poc_tie == "low":
        tie = cell_q.astype(np.float64)
    elif poc_tie == "high":
        tie = -cell_q.astype(np.float64)
    else:
        centre = (q_lo + q_hi)[bar_id] / 2.0
        tie = np.abs(cell_q - centre) + 1e-3 * (cell_q > centre)  # equally near: the lower
    order = np.lexsort((tie, -total, bar_id))
    poc_cell = order[np.flatnonzero(np.r_[True, bar_id[order][1:] != bar_id[order][:-1]])]
    is_poc = np.zeros(cells, dtype=bool)
    is_poc[poc_cell] = True
    bar_poc_q = cell_q[poc_cell]

    # diagonal imbalance against the neighbouring rows of the same bar
    same = np.zeros(cells, dtype=bool)
    same[1:] = (bar_id[1:] == bar_id[:-1]) & (cell_q[1:] == cell_q[:-1] + 1)  # row i-1 is one row below row i
    sell_below = np.zeros(cells)
    sell_below[1:] = np.where(same[1:], sell[:-1], 0.0)
    buy_above = np.zeros(cells)
    buy_above[:-1] = np.where(same[1:], buy[1:], 0.0)
    below_inside = cell_q - 1 >= q_lo[bar_id]
    above_inside = cell_q + 1 <= q_hi[bar_id]
    mv = float(min_volume)
    buy_imb = _imbalanced(buy, sell_below, ratio, mv, zero_denominator, below_inside)
    sell_imb = _imbalanced(sell, buy_above, ratio, mv, zero_denominator, above_inside)
    buy_stack = _stacked(buy_imb, same[1:], int(stacked))
    sell_stack = _stacked(sell_imb, same[1:], int(stacked))

    row_px = tick * k
    price = cell_q * row_px
    out = pd.DataFrame(
        {
            "bar": bar_id.astype(np.int64),
            "bar_start": _times(starts[bar_nums][bar_id]),
            "bar_end": _times(ends[bar_nums][bar_id]),
            "price": price,
            "sell_volume": sell,
            "buy_volume": buy,
            "unsigned_volume": unsigned,
            "delta": delta,
            "total": total,
            "trades": count,
            "bar_total": bar_total[bar_id],
            "bar_delta": bar_delta[bar_id],
            "bar_poc": (bar_poc_q * row_px)[bar_id],
            "poc": is_poc,
            "buy_imbalance": buy_imb,
            "sell_imbalance": sell_imb,
            "buy_stacked": buy_stack,
            "sell_stacked": sell_stack,
        }
    )
    out.attrs.update(attrs, method=used, outside=int((~inside_bar).sum()), off_grid=n_off)
    return out


def _grid(price: np.ndarray, tick: float, off_grid: str) -> tuple[np.ndarray, int]:
    """Trade prices as int64 ticks, and how many were off the grid (see ``off_grid``)."""
    if off_grid == "raise":
        try:
            return to_ticks(price, tick, "trade price").astype(np.int64), 0
        except ParameterError as exc:
            raise ParameterError(
                f"footprint(): {exc}, or put such trades on the grid with off_grid='floor' or 'nearest'"
            ) from None
    x = price / tick
    r = np.rint(x)
    off = np.abs(x - r) > GRID_TOLERANCE
    if off_grid == "floor":
        q = np.where(off, np.floor(x), r)
    else:
        q = np.where(off, np.floor(x + 0.5), r)
    return q.astype(np.int64), int(off.sum())


def _imbalanced(dom, opp, ratio: float, min_volume: float, zero: str, inside: np.ndarray) -> np.ndarray:
    ok = (dom > 0) & (dom >= min_volume)
    pos = opp > 0
    with np.errstate(invalid="ignore"):
        vs = dom >= ratio * opp
    if zero == "imbalance":
        at_zero = np.ones_like(pos)
    elif zero == "inside":
        at_zero = inside
    else:
        at_zero = np.zeros_like(pos)
    return ok & np.where(pos, vs, at_zero)


def _times(ns) -> np.ndarray:
    return np.asarray(ns, dtype=np.int64).view("datetime64[ns]")


def _empty() -> pd.DataFrame:
    flags = ("poc", "buy_imbalance", "sell_imbalance", "buy_stacked", "sell_stacked")

    def col(c: str) -> pd.Series:
        if c in ("bar", "trades"):
            return pd.Series([], dtype=np.int64)
        if c in ("bar_start", "bar_end"):
            return pd.Series([], dtype="datetime64[ns]")
        return pd.Series([], dtype=bool if c in flags else np.float64)

    return pd.DataFrame({c: col(c) for c in COLUMNS})


def footprint_zones(fp: pd.DataFrame) -> pd.DataFrame:
    r"""The stacked-imbalance zones of a :func:`footprint` table: one row per run of consecutive
    ``buy_stacked`` (``side`` +1) or ``sell_stacked`` (``side`` -1) rows of one bar: rows
    :math:`q_0, \dots, q_k` of the bar with :math:`q_{j+1} = q_j + 1`, every one flagged, and the
    rows just below and above not flagged.

    Columns: ``bar``, ``bar_start``, ``side``, ``price_lo`` and ``price_hi`` (the lowest prices of
    the zone's bottom and top rows), ``rows`` (its length). Sorted by bar, then side, then price.
    """
    missing = [
        c for c in ("bar", "bar_start", "price", "buy_stacked", "sell_stacked") if c not in getattr(fp, "columns", ())
    ]
    if missing:
        raise ParameterError(f"footprint_zones() expects a footprint() table; missing columns {missing}")
    row = float(fp.attrs.get("tick", np.nan)) * int(fp.attrs.get("row_ticks", 1))
    if not np.isfinite(row):
        raise TradesError("footprint_zones(): the table has lost its attrs['tick']; pass the footprint() result")
    parts = []
    bar = fp["bar"].to_numpy()
    q = np.rint(fp["price"].to_numpy() / row).astype(np.int64)
    for side, col in ((1, "buy_stacked"), (-1, "sell_stacked")):
        f = fp[col].to_numpy(dtype=bool)
        cont = np.zeros_like(f)
        cont[1:] = f[1:] & f[:-1] & (bar[1:] == bar[:-1]) & (q[1:] == q[:-1] + 1)
        start = np.flatnonzero(f & ~cont)
        end = np.flatnonzero(f & ~np.r_[cont[1:], False])
        parts.append(
            pd.DataFrame(
                {
                    "bar": bar[start],
                    "bar_start": fp["bar_start"].to_numpy()[start],
                    "side": np.full(start.size, side, dtype=np.int8),
                    "price_lo": fp["price"].to_numpy()[start],
                    "price_hi": fp["price"].to_numpy()[end],
                    "rows": end - start + 1,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["bar", "side", "price_lo"], kind="stable").reset_index(drop=True)


__all__ = ["footprint", "footprint_zones", "COLUMNS"]

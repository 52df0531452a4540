"""Binance raw websocket captures: L2 book rebuilt from a depth snapshot + diff stream, trades, bookTicker.

File format (one capture may span several consecutive files, read in the given order; gzip or plain):
each line is ``<local capture time, int ns> <JSON message>``. Messages are combined-stream envelopes
``{"stream": "<symbol>@<channel>", "data": {...}}`` (a bare event object is accepted too):

- ``<symbol>@depth`` / ``@depth@100ms`` (``"e": "depthUpdate"``): event time ``E`` (ms), first and
  last order-book update ids ``U``, ``u`` (USD-M futures also ``pu``, the previous event's ``u``),
  ``b`` and ``a``: ``[[price, quantity], ...]`` as strings, quantity ABSOLUTE, "0" deletes the level;
- ``<symbol>@bookTicker``: best bid/ask ``b``, ``B``, ``a``, ``A`` at order-book update id ``u``
  (spot has no event time, so its rows carry the capture time; futures' ``E`` is used when present);
- ``<symbol>@trade`` (``"e": "trade"``): price ``p``, quantity ``q``, trade time ``T`` (ms), id ``t``,
  ``m`` true when the buyer was the maker, i.e. a SELLER-initiated trade (side -1);
- REST depth snapshots ``{"lastUpdateId": L, "bids": [...], "asks": [...]}`` (no envelope), the
  book as of update id L.

Rebuilding follows the exchange's documented sync rule ("How to manage a local order book"):
diffs received before a snapshot are BUFFERED; at the snapshot, buffered diffs that the snapshot
already contains are dropped (spot: ``u <= L``; futures: ``u < L``), the first diff applied must
straddle it (spot: ``U <= L + 1 <= u``; futures: ``U <= L <= u``), and every later diff must follow
the previous one without a hole (spot: ``U == previous u + 1``; futures: ``pu == previous u``).
A diff that breaks the chain is a sequence gap: ``on_gap="raise"`` raises
:class:`~obi_widgets.errors.SequenceGapError` naming the file and line; ``on_gap="flag"`` keeps
applying diffs but flags every row from the gap on (``flags["gap"]``) until a later snapshot
resynchronises the book (the buffered diffs are replayed onto it, and one clean row is emitted
at the last of them). A diff whose ``u`` is not above the last applied ``u`` is a duplicate and is
skipped. A snapshot that arrives while the book is in sync is not needed and is ignored.

Known trap, reproduced by the sample capture in ``shared/data``: its REST snapshot arrives after
several diffs. Dropping those buffered diffs (instead of applying the ones with ``u > L``) leaves
a stale bid that no later diff removes and the book is crossed from about 88 s on. Every built
book is checked for crossed/locked rows (see :mod:`obi_widgets.io.builder`).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataFormatError, ParameterError, SequenceGapError
from .binance_messages import BinanceCapture, read_binance_messages
from .builder import BookBuilder, BuildResult

_MS = 1_000_000
_MARKETS = ("auto", "spot", "futures")
# quote assets, longer first where one ends another ("FDUSD" before "USD")
_QUOTES = ("FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "DAI", "USD")
_TIMES = ("exchange", "local")
_ON_GAP = ("raise", "flag")


# -- naming -----------------------------------------------------------------------------------
def split_symbol(symbol: str) -> tuple[str, str] | None:
    """(base, quote) assets of a Binance symbol: ``"BTCUSDT"`` -> ``("BTC", "USDT")``; None when the
    quote is not a known quote asset. A delivery suffix (``BTCUSDT_240927``, ``BTCUSD_PERP``) is ignored."""
    core = symbol.upper().split("_")[0]
    for quote in _QUOTES:
        if core.endswith(quote) and len(core) > len(quote):
            return core[: -len(quote)], quote
    return None


def _book_meta(market: str, symbol: str | None, tick: float) -> dict:
    """The Book.meta of a Binance capture: venue, symbol, units from the symbol, tick if known."""
    assets = split_symbol(symbol) if symbol else None
    coin_m = market == "futures" and assets is not None and assets[1] == "USD"  # BTCUSD_PERP
    meta: dict = {"venue": "Binance" if market == "spot" else ("Binance COIN-M" if coin_m else "Binance USD-M")}
    if symbol:
        meta["symbol"] = symbol.upper()
    if assets is not None:
        meta["price_unit"] = assets[1]
        meta["size_unit"] = "contracts" if coin_m else assets[0]  # COIN-M sizes are contracts, not coins
    if math.isfinite(tick):
        meta["tick"] = tick
    return meta


# -- sequencing -------------------------------------------------------------------------------
class _Sequencer:
    """The sync state machine: turns depth messages and snapshots into an ordered list of ops.

    An op is ``(msg, emit, gap)``: ``msg >= 0`` applies depth message ``msg``; ``msg < 0`` resets
    the book to snapshot ``-msg - 1``. ``emit`` samples a book row after it; ``gap`` flags that row.
    """

    NOBOOK, SYNCED, GAP = "nobook", "synced", "gap"

    def __init__(self, cap: BinanceCapture, futures: bool, on_gap: str):
        self.cap = cap
        self.futures = futures
        self.on_gap = on_gap
        d = cap.depth
        self.U, self.u, self.pu = d["U"].tolist(), d["u"].tolist(), d["pu"].tolist()
        self.ops: list[tuple[int, bool, bool]] = []
        self.mode = self.NOBOOK
        self.prev = -1  # last applied u, or the snapshot's L while expect_first
        self.expect_first = False
        self.buffer: list[int] = []
        self.replaying = False
        self.stats = {"stale_dropped": 0, "duplicates_dropped": 0, "snapshots_used": 0, "snapshots_ignored": 0}
        self.gaps: list[str] = []

    # the exchange's rules
    def _stale(self, i, L):
        return self.u[i] < L if self.futures else self.u[i] <= L

    def _first_ok(self, i, L):
        return self.U[i] <= L <= self.u[i] if self.futures else self.U[i] <= L + 1 <= self.u[i]

    def _next_ok(self, i, prev):
        return self.pu[i] == prev if self.futures else self.U[i] == prev + 1

    def _apply(self, i, gap):
        # while replaying onto a resync snapshot, rows were already emitted for these diffs
        self.ops.append((i, not self.replaying, gap))
        self.prev = self.u[i]

    def _gap(self, i, expected):
        got = f"U={self.U[i]}, u={self.u[i]}" + (f", pu={self.pu[i]}" if self.futures else "")
        text = f"{self.cap.where(i)}: depth update ({got}) does not follow: expected {expected}"
        if self.on_gap == "raise":
            raise SequenceGapError(
                text + "; the book rebuilt from here would be wrong (pass on_gap='flag' to keep it, flagged)"
            )
        self.gaps.append(text)
        self.mode = self.GAP
        self.buffer = [i]
        self.expect_first = False
        self._apply(i, True)

    def diff(self, i):
        if self.mode == self.NOBOOK:
            self.buffer.append(i)
        elif self.mode == self.GAP:
            self.buffer.append(i)
            if self.u[i] <= self.prev:
                self.stats["duplicates_dropped"] += 1
            else:
                self._apply(i, True)
        elif self.expect_first:
            L = self.prev
            if self._stale(i, L):
                self.stats["stale_dropped"] += 1
            elif self._first_ok(i, L):
                self.expect_first = False
                self._apply(i, False)
            else:
                first = L if self.futures else L + 1
                self._gap(i, f"U <= {first} <= u for the first update after the snapshot (lastUpdateId={L})")
        elif self._next_ok(i, self.prev):
            self._apply(i, False)
        elif self.u[i] <= self.prev:
            self.stats["duplicates_dropped"] += 1
        else:
            self._gap(i, f"pu={self.prev}" if self.futures else f"U={self.prev + 1}")

    def snapshot(self, s):
        snap = self.cap.snapshots[s]
        if self.mode == self.SYNCED and not self.expect_first:
            self.stats["snapshots_ignored"] += 1
            return
        was_gap = self.mode == self.GAP
        buffered, self.buffer = self.buffer, []
        self.stats["snapshots_used"] += 1
        self.ops.append((-s - 1, False, False))
        self.mode, self.expect_first, self.prev = self.SYNCED, True, snap["last_update_id"]
        if not was_gap:
            for i in buffered:  # the initial sync: these diffs were never applied, rows are new
                self.diff(i)
            return
        applied_before = len(self.ops)
        self.replaying = True
        for i in buffered:
            self.diff(i)
        self.replaying = False
        if len(self.ops) > applied_before:  # one row for the resynchronised state
            i, _, gap = self.ops[-1]
            self.ops[-1] = (i, True, self.mode == self.GAP)

    def run(self):
        snaps = self.cap.snapshots
        si = 0
        for i in range(len(self.U)):
            while si < len(snaps) and snaps[si]["before_depth"] <= i:
                self.snapshot(si)
                si += 1
            self.diff(i)
        while si < len(snaps):
            self.snapshot(si)
            si += 1
        return self.ops


def _plan_rows(cap: BinanceCapture, ops, time: str):
    """Delta rows (side, price, size, ts, reset, emit) for the ops, and the op of every row."""
    d, lv = cap.depth, cap.levels
    counts = d["n_bid"] + d["n_ask"]
    msg = np.array([op[0] for op in ops], dtype=np.int64)
    emit_op = np.array([op[1] for op in ops], dtype=bool)
    ts_msg = d["E"] * _MS if time == "exchange" else d["local_ts"]
    n_rows = np.zeros(len(ops), dtype=np.int64)
    # snapshots are few; diff ops are gathered in one vectorised pass
    is_snap = msg < 0
    diff_ops = np.flatnonzero(~is_snap)
    m = msg[diff_ops]
    c = np.maximum(counts[m], 1)  # an empty diff still gets one (marker) row to carry its emit
    n_rows[diff_ops] = c
    for j in np.flatnonzero(is_snap):
        snap = cap.snapshots[-int(msg[j]) - 1]
        n_rows[j] = max(1, len(snap["bids"]) + len(snap["asks"]))
    total = int(n_rows.sum())
    side = np.zeros(total, dtype=np.int8)
    price = np.full(total, np.nan)
    size = np.full(total, np.nan)
    ts = np.zeros(total, dtype=np.int64)
    start = np.cumsum(n_rows) - n_rows
    # diff rows
    rows = np.repeat(start[diff_ops], c) + (np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c))
    src = np.repeat(d["offset"][m], c) + (np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c))
    real = np.repeat(counts[m] > 0, c)
    side[rows[real]] = lv["side"][src[real]]
    price[rows[real]] = lv["price"][src[real]]
    size[rows[real]] = lv["qty"][src[real]]
    ts[rows] = np.repeat(ts_msg[m], c)
    # snapshot rows
    for j in np.flatnonzero(is_snap):
        snap = cap.snapshots[-int(msg[j]) - 1]
        nb, na = len(snap["bids"]), len(snap["asks"])
        a = int(start[j])
        side[a : a + nb] = 1
        side[a + nb : a + nb + na] = -1
        price[a : a + nb + na] = np.concatenate([snap["bids"][:, 0], snap["asks"][:, 0]])
        size[a : a + nb + na] = np.concatenate([snap["bids"][:, 1], snap["asks"][:, 1]])
        ts[a : a + n_rows[j]] = snap["local_ts"]  # never sampled: a snapshot op emits no row
    reset = np.zeros(total, dtype=bool)
    reset[start[is_snap]] = True
    emit = np.zeros(total, dtype=bool)
    last = start + n_rows - 1
    emit[last[emit_op]] = True
    row_op = np.repeat(np.arange(len(ops)), n_rows)
    return side, price, size, ts, reset, emit, row_op


# -- public -----------------------------------------------------------------------------------
def read_binance(
    paths,
    *,
    levels: int = 10,
    market: str = "auto",
    time: str = "exchange",
    on_gap: str = "raise",
    on_crossed: str = "raise",
    symbol: str | None = None,
    tick_size: float | None = None,
    name: str | None = None,
) -> BuildResult:
    """Book, trades and bookTicker from one Binance capture file or several consecutive ones.

    ``levels``: levels per side of the rebuilt book (the REST snapshot has up to 1000; deeper rows
    are NaN). ``market``: "spot" or "futures" sync rule (see the module docstring); "auto" takes
    futures when the depth updates carry ``pu``. ``time``: "exchange" stamps book rows with the
    diff's event time ``E`` and trades with their trade time ``T`` (ms, converted to ns);
    "local" uses the capture clock of each line (in the sample capture about 1.27 s behind the
    exchange). ``on_gap``: "raise" or "flag" (see the module docstring). ``on_crossed``: "raise"
    or "flag" (see :mod:`obi_widgets.io.builder`). ``symbol``: keep one symbol of a multi-symbol
    capture. ``tick_size``: the price grid (inferred by default).

    Returns a :class:`~obi_widgets.io.builder.BuildResult`: ``book`` has one row per APPLIED diff
    (a message changing several levels gives one row); ``flags`` has ``"crossed"`` and ``"gap"``;
    ``trades`` is :class:`~obi_widgets.Trades` (side -1 when ``m`` is true, else +1); ``bbo`` is the
    bookTicker stream as a 1-level Book (None when the capture has none), stamped with the capture
    clock when the messages have no event time (spot), else with ``E`` under ``time="exchange"``.
    ``meta``: ``update_id`` (T,) the ``u`` each book row was sampled after; ``event_time_ns`` (T,);
    ``bbo_update_id``; ``bbo_time`` ("local" or "exchange"); ``trade_id``; ``market``; ``time``;
    ``symbol``; ``gaps`` (text of each gap); ``stale_dropped``, ``duplicates_dropped``,
    ``snapshots_used``, ``snapshots_ignored``, ``ignored_messages`` (counts).

    The books' :attr:`~obi_widgets.Book.meta`: ``venue`` ("Binance" for spot, "Binance USD-M" or
    "Binance COIN-M" for futures), ``symbol``, ``size_unit`` / ``price_unit`` the base / quote
    asset of the symbol (BTCUSDT: "BTC" / "USDT"), ``tick`` the price grid the rebuild keyed
    levels on (``tick_size``, or the one inferred from all the capture's prices).
    """
    from ..book import Book
    from ..trades import Trades

    if market not in _MARKETS:
        raise ParameterError(f"market={market!r}: expected one of {_MARKETS}")
    if time not in _TIMES:
        raise ParameterError(f"time={time!r}: expected one of {_TIMES}")
    if on_gap not in _ON_GAP:
        raise ParameterError(f"on_gap={on_gap!r}: expected one of {_ON_GAP}")
    cap = read_binance_messages(paths, symbol=symbol)
    files = ", ".join(map(str, cap.files))
    d = cap.depth
    if market == "auto":
        market = "futures" if d["pu"].size and (d["pu"] >= 0).any() else "spot"
    if not cap.snapshots:
        raise DataFormatError(
            f'{files}: no REST depth snapshot ({{"lastUpdateId": ...}} line); the book cannot be rebuilt from diffs alone'
        )
    sym = symbol.upper() if symbol else (next(iter(cap.symbols)) if cap.symbols else None)
    if name is None:
        name = f"binance {market} {sym}" if sym else f"binance {market}"
    seq = _Sequencer(cap, market == "futures", on_gap)
    ops = seq.run()

    builder = BookBuilder(levels, tick_size=tick_size, name=name)
    if ops:
        side, price, size, ts, reset, emit, row_op = _plan_rows(cap, ops, time)
        builder.feed(ts, side, price, size, emit=emit, reset=reset)
    else:
        row_op = np.zeros(0, dtype=np.int64)
    # per book row: the op it was sampled after -> message -> update id, gap flag
    ts_out, *_rest, src = builder.arrays()
    op_of_row = row_op[src]
    op_msg = np.array([op[0] for op in ops], dtype=np.int64)
    op_gap = np.array([op[2] for op in ops], dtype=bool)
    msg_of_row = op_msg[op_of_row] if ops else np.zeros(0, np.int64)
    gap = op_gap[op_of_row] if ops else np.zeros(0, bool)

    book_meta = _book_meta(market, sym, builder.tick_size)
    t = cap.trades
    trades = Trades(
        t["T"] * _MS if time == "exchange" else t["local_ts"],
        t["price"],
        t["qty"],
        np.where(t["buyer_maker"], -1, 1).astype(np.int8),
        name=name,
    )
    b = cap.bbo
    bbo = None
    bbo_time = "local"
    if b["u"].size:
        has_e = bool((b["E"] >= 0).all())
        bbo_time = "exchange" if (time == "exchange" and has_e) else "local"
        bts = b["E"] * _MS if bbo_time == "exchange" else b["local_ts"]
        bbo = Book(bts, b["bid"], b["bid_qty"], b["ask"], b["ask_qty"], name=f"{name} bookTicker", meta=book_meta)
    meta = {
        "update_id": d["u"][msg_of_row],
        "event_time_ns": d["E"][msg_of_row] * _MS,
        "bbo_update_id": b["u"],
        "bbo_time": bbo_time,
        "trade_id": t["id"],
        "market": market,
        "time": time,
        "symbol": sym,
        "gaps": tuple(seq.gaps),
        "ignored_messages": cap.ignored,
        **seq.stats,
    }
    return builder.result(
        on_crossed=on_crossed, flags={"gap": gap}, trades=trades, bbo=bbo, meta=meta, book_meta=book_meta
    )


def read_binance_book(paths, **kwargs):
    """Only the rebuilt :class:`~obi_widgets.Book` of :func:`read_binance` (same arguments)."""
    return read_binance(paths, **kwargs).book


def read_binance_trades(paths, *, time: str = "exchange", symbol: str | None = None, name: str | None = None):
    """Only the trades of a capture, as :class:`~obi_widgets.Trades` (no snapshot needed)."""
    from ..trades import Trades

    if time not in _TIMES:
        raise ParameterError(f"time={time!r}: expected one of {_TIMES}")
    cap = read_binance_messages(paths, symbol=symbol)
    t = cap.trades
    return Trades(
        t["T"] * _MS if time == "exchange" else t["local_ts"],
        t["price"],
        t["qty"],
        np.where(t["buyer_maker"], -1, 1).astype(np.int8),
        name=name,
    )


__all__ = ["read_binance", "read_binance_book", "read_binance_trades"]

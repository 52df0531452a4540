"""Binance raw websocket captures: L2 book rebuilt from a depth snapshot + diff stream, trades, bookTicker.

File format (one capture may span several consecutive files, read in the given order; gzip or plain):
each line is ``<local capture time, int ns> <JSON message>``. Messages are combined-stream envelopes
``{"stream": "<symbol>@<channel>", "data": {...}}`` (a bare event object is accepted too):

- ``<symbol>@depth`` / ``@depth@100ms`` (``"e": "depthUpdate"``): event time ``E`` (ms), first and
  last order-book update ids ``U``, ``u`` (USD-M futures also ``pu``, the previous event's ``u``),
  ``b`` and ``a``: ``[[price, quantity], ...]`` as strings, quantity ABSOLUTE, "0" deletes the level;
- ``<symbol>@bookTicker``: best bid/ask ``b``, ``B``, ``a``, ``A`` at order-book update id ``u``
  (spot has no event time: on the exchange clock its rows take the ``E`` of the depth diff whose
  ``[U, u]`` contains ``u``; futures' own ``E`` is used when present);
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

Streaming: :func:`read_binance` and :func:`iter_binance` read the capture in chunks of lines
(:func:`~obi_widgets.io.binance_messages.iter_binance_messages`, the next chunk parsed in a thread)
and carry the sync state across chunks (diffs buffered before a snapshot or since a gap may span
chunk boundaries); the result is the same for every chunk size. One clock per result:
``clock="exchange"`` or ``"local"`` stamps the book rows, the trades AND the bookTicker rows (see
:func:`read_binance`); ``meta`` records the measured offset between the two clocks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from .._time import check_time_order, format_ns
from ..errors import ParameterError, TimestampError
from ._binance_stream import Grow, Rebuild
from ._shared import check_clock, prefetch
from .binance_messages import CHUNK_LINES, iter_binance_messages
from .builder import BuildResult, built_crossed

_MS = 1_000_000
_I64_MIN = np.iinfo(np.int64).min
_MARKETS = ("auto", "spot", "futures")
# quote assets, longer first where one ends another ("FDUSD" before "USD")
_QUOTES = ("FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "DAI", "USD")
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


# -- arguments ----------------------------------------------------------------------------------
def _check_args(market: str, on_gap: str, on_crossed: str) -> None:
    if market not in _MARKETS:
        raise ParameterError(f"market={market!r}: expected one of {_MARKETS}")
    if on_gap not in _ON_GAP:
        raise ParameterError(f"on_gap={on_gap!r}: expected one of {_ON_GAP}")
    if on_crossed not in ("raise", "flag"):
        raise ParameterError(f"on_crossed={on_crossed!r}: expected one of ('raise', 'flag')")


def _rebuild(levels, market, clock, on_gap, symbol, tick_size, name) -> Rebuild:
    return Rebuild(
        levels=levels, market=market, clock=clock, on_gap=on_gap, symbol=symbol, tick_size=tick_size, name=name
    )


def _parts(rb: Rebuild, paths, symbol, chunk_lines):
    """(output arrays, is_last) per parsed chunk, then once more for the rows held to the end."""
    for cap in prefetch(iter_binance_messages(paths, symbol=symbol, chunk_lines=chunk_lines)):
        yield rb.chunk(cap), False
    yield rb.finish(), True


def _stats_meta(rb: Rebuild) -> dict:
    seq = rb.seq
    meta = {
        "market": rb.market,
        "clock": rb.clock,
        "time": rb.clock,  # the deprecated name of "clock"
        "symbol": rb.sym,
        "bbo_time": rb.clock,
        "bbo_stamp": rb.bbo_stamp(),
        "bbo_stamped": dict(rb.bbo.counts),
        "gaps": tuple(seq.gaps),
        "ignored_messages": rb.counts["ignored"],
        "messages": dict(rb.counts),
        "lines": dict(rb.parser_counts),
        "buffered_peak": seq.buffered_peak,
        "chunks": rb.chunks,
        "file_order": rb.order.regression.lstrip("; "),
        **seq.stats,
    }
    return meta


def _time_hint(rb: Rebuild, exc: TimestampError) -> TimestampError:
    return TimestampError(str(exc) + rb.order.regression) if rb.order.regression else exc


# -- public -----------------------------------------------------------------------------------
def iter_binance(
    paths,
    *,
    chunk_lines: int = CHUNK_LINES,
    levels: int = 10,
    market: str = "auto",
    clock: str | None = None,
    on_gap: str = "raise",
    on_crossed: str = "raise",
    symbol: str | None = None,
    tick_size: float | None = None,
    name: str | None = None,
    time: str | None = None,
) -> Iterator[BuildResult]:
    """Stream a Binance capture: one :class:`~obi_widgets.io.builder.BuildResult` per parsed chunk of
    about ``chunk_lines`` lines, so a 24 h capture is never held whole (e.g. to write Parquet).

    Same arguments as :func:`read_binance`. Each result holds the book rows, trades and bookTicker
    rows of its chunk (``bbo`` is None when the chunk has none; bookTicker rows whose containing depth
    diff is in a later chunk come with that chunk, and a last result may carry only such rows);
    concatenating the results gives :func:`read_binance`'s result row for row. ``meta`` per chunk:
    ``chunk`` (0-based), ``row0`` (global index of its first book row), ``update_id``,
    ``event_time_ns``, ``bbo_update_id``, ``trade_id`` of its rows, the running counts and stamps
    of :func:`read_binance` so far, and ``clock_offset_ns`` (with p5/p95) over its depth diffs.
    The book's ``meta["tick"]`` is the grid inferred so far (a later chunk can refine it; pass
    ``tick_size=`` to fix it). Crossed rows (``on_crossed="raise"``) and time going backwards
    across chunks raise as in :func:`read_binance`.
    """

    clock = check_clock(clock, time, "iter_binance")
    _check_args(market, on_gap, on_crossed)
    rb = _rebuild(levels, market, clock, on_gap, symbol, tick_size, name)
    return _iter(rb, paths, symbol, chunk_lines, on_crossed)


def _iter(rb: Rebuild, paths, symbol, chunk_lines, on_crossed) -> Iterator[BuildResult]:
    held: list = []
    last = {"book": _I64_MIN, "trades": _I64_MIN, "bbo": _I64_MIN}
    for part, final in _parts(rb, paths, symbol, chunk_lines):
        if not (final and not part["bbo"]):  # the last part only carries bookTicker rows held to the end
            held.append(part)
        if rb.known:
            for p in held:
                yield _chunk_result(rb, p, last, on_crossed)
            held = []


def _chunk_result(rb: Rebuild, p: dict, last: dict, on_crossed: str) -> BuildResult:
    """The BuildResult of one chunk's output arrays (see :func:`iter_binance`)."""
    from ..book import Book
    from ..trades import Trades

    k = last.setdefault("chunk", 0)
    last["chunk"] = k + 1
    name = rb.name
    book_meta = _book_meta(rb.market or "spot", rb.sym, rb.builder.tick_size)
    ts, bpx, bsz, apx, asz, src = p["book"]
    row0 = p["row0"]
    crossed = built_crossed(ts, bpx, apx, src, on_crossed, name, row0=row0, unit="rows of this chunk")
    tr, b = p["trades"], p["bbo"]
    for key, arr in (("book", ts), ("trades", tr["ts"]), ("bbo", b.get("ts"))):
        if arr is not None and arr.shape[0]:
            if arr[0] < last[key]:
                raise _time_hint(
                    rb,
                    TimestampError(
                        f"{key} rows of chunk {k} start at {format_ns(int(arr[0]))}, before the previous "
                        f"chunk's last row ({format_ns(int(last[key]))})"
                    ),
                )
            last[key] = int(arr[-1])
    try:
        book = Book(ts, bpx, bsz, apx, asz, name=name, meta=book_meta, validate=not crossed.any())
        trades = Trades(tr["ts"], tr["price"], tr["size"], tr["side"], name=name)
        bbo = None
        if b:
            bbo = Book(
                b["ts"], b["bid"], b["bid_qty"], b["ask"], b["ask_qty"], name=f"{name} bookTicker", meta=book_meta
            )
    except TimestampError as exc:
        raise _time_hint(rb, exc) from None
    meta = _stats_meta(rb)
    meta.update(rb.offset_stats(p["depth_lag"]))
    meta.update(
        chunk=k,
        row0=row0,
        update_id=p["update_id"],
        event_time_ns=p["event_time_ns"],
        bbo_update_id=b["u"] if b else np.zeros(0, np.int64),
        trade_id=tr["id"],
    )
    return BuildResult(book, {"crossed": crossed, "gap": p["gap"]}, src, rb.builder.tick_size, trades, bbo, meta)


def read_binance(
    paths,
    *,
    levels: int = 10,
    market: str = "auto",
    clock: str | None = None,
    on_gap: str = "raise",
    on_crossed: str = "raise",
    symbol: str | None = None,
    tick_size: float | None = None,
    name: str | None = None,
    chunk_lines: int = CHUNK_LINES,
    time: str | None = None,
) -> BuildResult:
    """Book, trades and bookTicker from one Binance capture file or several consecutive ones.

    The capture is streamed (``chunk_lines`` lines parsed at a time, the next chunk parsed in a
    thread while the current one is built); only the output arrays are kept, and they grow in
    place, so the peak memory stays near the size of the result.

    ``levels``: levels per side of the rebuilt book (the REST snapshot has up to 1000; deeper rows
    are NaN). ``market``: "spot" or "futures" sync rule (see the module docstring); "auto" takes
    futures when the depth updates carry ``pu``. ``clock``: ONE clock for every series of the
    result. "exchange": book rows at the diff's event time ``E``, trades at their trade time ``T``,
    bookTicker rows at their ``E`` (futures) or, on spot where bookTicker has no event time, at
    the ``E`` of the depth diff whose ``[U, u]`` contains the row's ``u`` (exact; the rare row in
    no diff gets its capture time + the clock offset measured at the nearest diff; see
    ``meta["bbo_stamp"]``). "local": the capture clock of each line for all three (in the sample
    capture about 1.27 s behind the exchange). On the capture clock a trade's message arrives a
    little after the bookTicker rows that already show its effect, so sign trades against
    receive-time quotes with a lag (Lee & Ready's own remedy), e.g. ``lag="100ms"``; on the
    exchange clock no lag is needed. ``time=`` is the deprecated name of ``clock``.
    ``on_gap``: "raise" or "flag" (see the module docstring). ``on_crossed``: "raise" or "flag"
    (see :mod:`obi_widgets.io.builder`). ``symbol``: keep one symbol of a multi-symbol capture.
    ``tick_size``: the price grid (inferred by default).

    Returns a :class:`~obi_widgets.io.builder.BuildResult`: ``book`` has one row per APPLIED diff
    (a message changing several levels gives one row); ``flags`` has ``"crossed"`` and ``"gap"``;
    ``trades`` is :class:`~obi_widgets.Trades` (side -1 when ``m`` is true, else +1); ``bbo`` is the
    bookTicker stream as a 1-level Book (None when the capture has none). ``meta``:
    ``update_id`` (T,) the ``u`` each book row was sampled after; ``event_time_ns`` (T,);
    ``bbo_update_id``; ``trade_id``; ``market``; ``clock`` (and ``time``, its old name);
    ``bbo_time`` (the clock of the bookTicker rows, = ``clock``); ``bbo_stamp`` (how they were
    stamped, in words) and ``bbo_stamped`` (rows per way, and ``raised``: rows lifted to the
    stamp before them to keep time order); ``clock_offset_ns``, ``clock_offset_p5_ns``,
    ``clock_offset_p95_ns``: median and 5th/95th percentiles of ``E - capture time`` over the
    depth diffs; ``symbol``; ``gaps`` (text of each gap); accounting of what was not used:
    ``stale_dropped`` (diffs already in the snapshot), ``duplicates_dropped``, ``snapshots_used``,
    ``snapshots_ignored``, ``ignored_messages`` (lines of other kinds), ``messages`` (counts per
    kind read), ``lines`` (the parser's own line counts, when it gives them); ``file_order`` (text
    when a file starts earlier than the one before it ends, else ""); ``buffered_peak`` (most
    diffs held at once for a snapshot's replay); ``chunks``.

    Files out of order: a sequence gap, a time error or a missing snapshot caused by files given
    in the wrong order says so, and names the order of their first lines.

    The books' :attr:`~obi_widgets.Book.meta`: ``venue`` ("Binance" for spot, "Binance USD-M" or
    "Binance COIN-M" for futures), ``symbol``, ``size_unit`` / ``price_unit`` the base / quote
    asset of the symbol (BTCUSDT: "BTC" / "USDT"), ``tick`` the price grid the rebuild keyed
    levels on (``tick_size``, or the one inferred from all the capture's prices).
    """
    from ..book import Book
    from ..trades import Trades

    clock = check_clock(clock, time, "read_binance")
    _check_args(market, on_gap, on_crossed)
    L = int(levels) if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool) else 1
    book_cols = [Grow(np.int64), Grow(np.float64, L), Grow(np.float64, L), Grow(np.float64, L), Grow(np.float64, L)]
    src_col, gap_col, uid_col, et_col = Grow(np.int64), Grow(bool), Grow(np.int64), Grow(np.int64)
    t_cols = {
        k: Grow(dt)
        for k, dt in (("ts", np.int64), ("price", float), ("size", float), ("side", np.int8), ("id", np.int64))
    }
    b_cols = {
        k: Grow(dt)
        for k, dt in (
            ("ts", np.int64),
            ("bid", float),
            ("bid_qty", float),
            ("ask", float),
            ("ask_qty", float),
            ("u", np.int64),
        )
    }
    lags: list[np.ndarray] = []
    rb = _rebuild(levels, market, clock, on_gap, symbol, tick_size, name)
    for part, _final in _parts(rb, paths, symbol, chunk_lines):
        bk = part["book"]
        for col, arr in zip(book_cols, bk[:5]):
            col.add(arr)
        src_col.add(bk[5])
        gap_col.add(part["gap"])
        uid_col.add(part["update_id"])
        et_col.add(part["event_time_ns"])
        for key, col in t_cols.items():
            col.add(part["trades"][key])
        if part["bbo"]:
            for key, col in b_cols.items():
                col.add(part["bbo"][key])
        lags.append(part["depth_lag"])
        del part, bk
    ts, bpx, bsz, apx, asz = (c.take() for c in book_cols)
    src = src_col.take()
    name = rb.name
    book_meta = _book_meta(rb.market or "spot", rb.sym, rb.builder.tick_size)
    crossed = built_crossed(ts, bpx, apx, src, on_crossed, name)
    where = f" in {name}"
    t = {k: c.take() for k, c in t_cols.items()}
    b = {k: c.take() for k, c in b_cols.items()}
    try:
        if crossed.any():
            check_time_order(ts, place=lambda r: f"output row {r}{where} (input row {int(src[r])})")
        book = Book(ts, bpx, bsz, apx, asz, name=name, meta=book_meta, validate=not crossed.any())
        trades = Trades(t["ts"], t["price"], t["size"], t["side"], name=name)
        bbo = None
        if b["u"].shape[0]:
            bbo = Book(
                b["ts"], b["bid"], b["bid_qty"], b["ask"], b["ask_qty"], name=f"{name} bookTicker", meta=book_meta
            )
    except TimestampError as exc:
        raise _time_hint(rb, exc) from None
    meta = _stats_meta(rb)
    meta.update(rb.offset_stats(np.concatenate(lags)))
    meta.update(update_id=uid_col.take(), event_time_ns=et_col.take(), bbo_update_id=b["u"], trade_id=t["id"])
    return BuildResult(book, {"crossed": crossed, "gap": gap_col.take()}, src, rb.builder.tick_size, trades, bbo, meta)


def read_binance_book(paths, **kwargs):
    """Only the rebuilt :class:`~obi_widgets.Book` of :func:`read_binance` (same arguments)."""
    return read_binance(paths, **kwargs).book


def read_binance_trades(
    paths,
    *,
    clock: str | None = None,
    symbol: str | None = None,
    name: str | None = None,
    chunk_lines: int = CHUNK_LINES,
    time: str | None = None,
):
    """Only the trades of a capture, as :class:`~obi_widgets.Trades` (no snapshot needed; streamed).

    ``clock``: "exchange" (trade time ``T``) or "local" (capture time); ``time=`` is its deprecated name.
    To get the book too, call :func:`read_binance` once and take ``.book`` and ``.trades`` from its
    result (one parse)."""
    from ..trades import Trades

    clock = check_clock(clock, time, "read_binance_trades")
    cols = {k: Grow(dt) for k, dt in (("ts", np.int64), ("price", float), ("size", float), ("side", np.int8))}
    for cap in iter_binance_messages(paths, symbol=symbol, chunk_lines=chunk_lines):
        t = cap.trades
        cols["ts"].add(t["T"] * _MS if clock == "exchange" else t["local_ts"])
        cols["price"].add(t["price"])
        cols["size"].add(t["qty"])
        cols["side"].add(np.where(t["buyer_maker"], -1, 1).astype(np.int8))
    c = {k: g.take() for k, g in cols.items()}
    return Trades(c["ts"], c["price"], c["size"], c["side"], name=name)


__all__ = ["read_binance", "iter_binance", "read_binance_book", "read_binance_trades", "split_symbol"]

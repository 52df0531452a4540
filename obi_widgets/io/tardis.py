"""Tardis.dev downloadable CSV files (https://docs.tardis.dev/downloadable-csv-files), gzip or plain.

Times are microseconds since the epoch (UTC): ``timestamp`` is the exchange's time (Tardis falls
back to the arrival time when the exchange gives none), ``local_timestamp`` the arrival time.
``clock="exchange"`` (default) uses the first for every series, ``clock="local"`` the second;
both become ns (``time=`` is the deprecated spelling of ``clock=``). The offset between the two
(``local_timestamp - timestamp``: median, 5th and 95th percentiles in ns, from a sample of the
rows) is recorded in the result's meta. Several files (e.g. consecutive days) may be given as a
list and are read in that order; a file that starts before the previous one ends is reported as
looking out of order.

- ``incremental_book_L2``: ``exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount``,
  one row per price-level update, ``side`` bid/ask, ``amount`` the ABSOLUTE new size (0 removes
  the level). A run of ``is_snapshot=true`` rows coming after non-snapshot rows (or at the start)
  is a new full snapshot: the book is cleared first. Rows before the first snapshot are skipped
  (Tardis: updates buffered before the exchange sent its snapshot). One exchange message gives
  several rows with the same ``local_timestamp``: the book is sampled once per such run, and
  once at the end of each snapshot (even when it spans several arrival times). The file is read
  block by block and fed to one :class:`~obi_widgets.io.builder.BookBuilder`, so memory is the
  output plus a few blocks, whatever the file's size.
- ``book_snapshot_N`` (N = 5, 25, ...): ``exchange,symbol,timestamp,local_timestamp`` then, for
  level i = 0..N-1, ``asks[i].price,asks[i].amount,bids[i].price,bids[i].amount``; an empty level
  is an empty cell. One row per book change, already built.
- ``trades``: ``exchange,symbol,timestamp,local_timestamp,id,side,price,amount``; ``side`` is the
  aggressor (liquidity taker): buy -> +1, sell -> -1, unknown (or empty) -> 0.

Parsing: one numba pass per block of text (:mod:`obi_widgets.io._csv`), pyarrow's CSV reader for
the blocks it does not take; bad values raise :class:`~obi_widgets.errors.DataFormatError` naming
``file:line``. Nothing is dropped silently: rows of other symbols (with ``symbol=``) and rows
before the first snapshot are counted in the meta.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_not_crossed
from ..errors import DataFormatError, ParameterError
from . import _tardis_common as tc
from ._csv import BLOCK_SIZE, FLOAT, INT, WORD, CsvReader
from .builder import BookBuilder, BuildResult

if TYPE_CHECKING:
    from ..book import Book
    from ..trades import Trades

BOOK_COLUMNS = tc.BOOK_COLUMNS
TRADE_COLUMNS = tc.TRADE_COLUMNS
_L2_KINDS = {
    "exchange": WORD,
    "symbol": WORD,
    "timestamp": INT,
    "local_timestamp": INT,
    "is_snapshot": WORD,
    "side": WORD,
    "price": FLOAT,
    "amount": FLOAT,
}
_SNAP_WORDS = {"true": 1, "1": 1, "false": 0, "0": 0}
_BOOK_SIDES = {"bid": 1, "ask": -1}
_TRADE_SIDES = {"buy": 1, "sell": -1, "unknown": 0, "": 0}


class _Symbols:
    """Which rows to keep: one symbol (``symbol=``, others counted as skipped) or a file of one symbol."""

    def __init__(self, symbol: str | None):
        self.want = symbol.upper() if symbol else None
        self.seen: set[str] = set()
        self.skipped = 0
        self.exchanges: set[str] = set()

    def keep(self, reader: CsvReader, block, path: Path) -> np.ndarray | None:
        """Bool mask of the rows to keep (None: all)."""
        codes = reader.column(block, "symbol")
        if self.want is None:
            self.seen.update(reader.distinct(block, "symbol"))
            if len(self.seen) > 1:
                raise DataFormatError(f"{path}: rows for several symbols {sorted(self.seen)}; pass symbol=")
            return None
        mask = reader.lut("symbol", lambda w: w.upper() == self.want, bool)[codes]
        self.skipped += int(mask.size - np.count_nonzero(mask))
        if mask.any():
            self.seen.add(self.want)
        return None if mask.all() else mask

    def note_exchanges(self, reader: CsvReader, block, keep: np.ndarray | None) -> None:
        """Remember the exchanges of the kept rows."""
        codes = reader.column(block, "exchange")
        if keep is not None:
            codes = codes[keep]
        if codes.size:
            words = reader.words[reader.slot["exchange"][1]]
            self.exchanges.update(words[int(k)] for k in np.flatnonzero(np.bincount(codes)))

    @property
    def symbol(self) -> str | None:
        return self.want or (next(iter(self.seen)) if self.seen else None)


def _lut(reader: CsvReader, column: str, table: dict, bad: int, lower: bool = True) -> np.ndarray:
    return reader.lut(column, lambda w: table.get(w.strip().lower() if lower else w, bad), np.int8)


# -- incremental_book_L2 ----------------------------------------------------------------------
class _L2Stream:
    """The per-row logic of an incremental_book_L2 stream: skip before the first snapshot, resets,
    one sample per message, the trailing message held back until the next block shows it ended."""

    def __init__(self, builder: BookBuilder, clock: str):
        self.builder = builder
        self.clock = clock
        self.order = tc.TimeOrder("book", clock)
        self.prev_snap = False
        self.seen_snap = False
        self.skipped = 0
        self.resets = 0
        self.carry: dict[str, np.ndarray] | None = None
        self.carry_path: Path | None = None
        self.side_words: list[str] = []  # the side column's words (codes -> text, for messages)

    def push(self, rows: dict[str, np.ndarray], path: Path) -> None:
        """Take the next rows of ``path`` (complete messages are fed, the last one waits)."""
        if not self.seen_snap:
            snap = rows["snap"]
            first = int(np.argmax(snap)) if snap.any() else snap.shape[0]
            self.skipped += first
            rows = {k: v[first:] for k, v in rows.items()}
            if rows["snap"].size:
                self.seen_snap = True
        if not rows["snap"].size:
            return
        if self.carry is not None:
            rows = {k: np.concatenate([self.carry[k], v]) for k, v in rows.items()}
        local, snap = rows["local"], rows["snap"]
        same = snap == snap[-1]
        if not snap[-1]:
            same &= local == local[-1]
        cut = 0 if same.all() else same.shape[0] - int(np.argmin(same[::-1]))
        self.carry = {k: v[cut:] for k, v in rows.items()}
        self.carry_path = path
        if cut:
            self._feed({k: v[:cut] for k, v in rows.items()}, False, path)

    def flush(self) -> None:
        """Feed the held-back message (end of a file)."""
        if self.carry is not None and self.carry["snap"].size and self.carry_path is not None:
            self._feed(self.carry, True, self.carry_path)
        self.carry = None

    def _feed(self, rows: dict[str, np.ndarray], final: bool, path: Path) -> None:
        snap, local, side = rows["snap"], rows["local"], rows["side"]
        price, amount, lines = rows["price"], rows["amount"], rows["line"]
        tc.first_bad(
            path,
            lines,
            (
                (
                    "bad side (expected bid or ask): {v}",
                    side == 0,
                    lambda r: self.side_words[int(rows["side_code"][r])],
                ),
                ("bad price (expected a finite number): {v}", ~np.isfinite(price), lambda r: float(price[r])),
                (
                    "bad amount (expected a finite number >= 0): {v}",
                    ~(np.isfinite(amount) & (amount >= 0)),
                    lambda r: float(amount[r]),
                ),
            ),
        )
        n = snap.shape[0]
        # a message ends where the arrival time or the snapshot flag changes; a snapshot (which may
        # come in several messages) is sampled once, at its end
        emit = np.ones(n, dtype=bool)
        emit[:-1] = ((local[1:] != local[:-1]) & ~(snap[1:] & snap[:-1])) | (snap[1:] != snap[:-1])
        if not final:
            emit[-1] = True  # only complete messages are passed
        ts = (rows["exchange"] if self.clock == "exchange" else local) * tc.US
        self.order.check(path, ts[emit], lines[emit])
        prev = np.empty(n, dtype=bool)
        prev[0] = self.prev_snap
        prev[1:] = snap[:-1]
        reset = snap & ~prev
        self.prev_snap = bool(snap[-1])
        self.resets += int(np.count_nonzero(reset))
        self.builder.feed(ts, side, price, amount, emit=emit, reset=reset)


def read_tardis_book(
    paths,
    *,
    levels: int = 10,
    clock: str | None = None,
    on_crossed: str = "raise",
    symbol: str | None = None,
    tick_size: float | None = None,
    name: str | None = None,
    block_size: int = BLOCK_SIZE,
    chunksize: int | None = None,
    time: str | None = None,
) -> BuildResult:
    """Rebuild the book of one or several ``incremental_book_L2`` files (see the module docstring).

    ``levels``: levels per side of the output; ``clock``: "exchange" (default) or "local"
    (``time=``: deprecated alias); ``on_crossed``: "raise" or "flag" (see
    :mod:`obi_widgets.io.builder`); ``symbol``: keep one symbol of a multi-symbol file (by default a
    file must hold one); ``tick_size``: the price grid (inferred). ``block_size``: bytes of text
    parsed at a time; ``chunksize``: at most this many rows fed to the builder at a time (default:
    a block). Memory is the output plus a few blocks.

    Returns a :class:`~obi_widgets.io.builder.BuildResult` (flags: ``"crossed"``); ``meta``:
    ``exchange``, ``symbol``, ``clock`` (also as ``time``), ``rows_read`` (data lines of the
    files), ``rows`` (rows applied), ``skipped`` ({reason: rows}: ``before_snapshot``, rows before
    the first snapshot; ``other_symbol``, rows of other symbols), ``skipped_before_snapshot``,
    ``snapshots`` (how many times the book was reset), ``files``, and the clock offsets
    ``clock_offset_median_ns``, ``clock_offset_p5_ns``, ``clock_offset_p95_ns``
    (``local_timestamp - timestamp``). The Book's :attr:`~obi_widgets.Book.meta`: ``venue`` (the
    ``exchange`` column), ``symbol``, ``clock`` and ``tick`` (the price grid the rebuild keyed
    levels on: ``tick_size`` or the inferred one).
    """
    files = tc.paths_of(paths)
    clock = tc.check_clock(clock, time, "read_tardis_book")
    if chunksize is not None and chunksize < 1:
        raise ParameterError(f"chunksize must be >= 1, got {chunksize!r}")
    if block_size < 1:
        raise ParameterError(f"block_size must be >= 1 byte, got {block_size!r}")
    builder = BookBuilder(levels, tick_size=tick_size, name=name)
    stream = _L2Stream(builder, clock)
    symbols = _Symbols(symbol)
    offsets = tc.ClockOffsets()
    rows_read = 0
    for path in files:
        columns = tc.header(path)
        tc.require(path, columns, BOOK_COLUMNS, "incremental_book_L2")
        reader = CsvReader(path, columns, _L2_KINDS, has_header=True, what="Tardis incremental_book_L2")
        with reader.blocks(block_size) as blocks:
            for block in blocks:
                snap_lut = _lut(reader, "is_snapshot", _SNAP_WORDS, -1)
                snap_code = snap_lut[reader.column(block, "is_snapshot")]
                bad = np.flatnonzero(snap_code < 0)
                if bad.size:
                    r = int(bad[0])
                    word = reader.words[reader.slot["is_snapshot"][1]][int(reader.column(block, "is_snapshot")[r])]
                    raise DataFormatError(
                        f"{path}:{int(block.lines[r])}: is_snapshot is {word!r}, expected true or false"
                    )
                keep = symbols.keep(reader, block, path)
                symbols.note_exchanges(reader, block, keep)
                side_codes = reader.column(block, "side")
                stream.side_words = reader.words[reader.slot["side"][1]]
                rows = {
                    "exchange": reader.column(block, "timestamp"),
                    "local": reader.column(block, "local_timestamp"),
                    "snap": snap_code.astype(bool),
                    "side": _lut(reader, "side", _BOOK_SIDES, 0)[side_codes],
                    "side_code": side_codes,
                    "price": reader.column(block, "price"),
                    "amount": reader.column(block, "amount"),
                    "line": block.lines,
                }
                if keep is not None:
                    rows = {k: v[keep] for k, v in rows.items()}
                offsets.add(rows["exchange"], rows["local"])
                step = chunksize or max(1, rows["snap"].shape[0])
                for lo in range(0, rows["snap"].shape[0], step):
                    stream.push({k: v[lo : lo + step] for k, v in rows.items()}, path)
        rows_read += reader.rows
        stream.flush()
    if builder.rows_in == 0 and stream.skipped:
        raise DataFormatError(
            f"{', '.join(map(str, files))}: no snapshot row (is_snapshot=true): {stream.skipped} update rows and no "
            "book to apply them to"
        )
    sym = symbols.symbol
    exch = ", ".join(sorted(symbols.exchanges)) or None
    if builder.name is None:
        builder.name = tc.display_name(symbols.exchanges, sym)
    meta = {
        "exchange": exch,
        "symbol": sym,
        "clock": clock,
        "time": clock,
        "files": len(files),
        "rows_read": rows_read,
        "rows": builder.rows_in,
        "skipped": {"before_snapshot": stream.skipped, "other_symbol": symbols.skipped},
        "skipped_before_snapshot": stream.skipped,
        "snapshots": stream.resets,
        **offsets.meta(),
    }
    return builder.result(
        on_crossed=on_crossed,
        meta=meta,
        book_meta=tc.book_meta(symbols.exchanges, sym, clock, builder.tick_size),
    )


# -- book_snapshot_N --------------------------------------------------------------------------
def _snapshot_columns(path: Path, columns, levels: int | None, depth: int | None):
    n_file, found = tc.snapshot_header(path, columns)
    L = n_file if levels is None else int(levels)
    if L < 1 or L > n_file:
        raise ParameterError(f"levels={levels!r}: {path} has {n_file} levels per side")
    if depth is not None and L != depth:
        raise DataFormatError(f"{path}: {n_file} levels per side, but the previous file(s) had {depth}; pass levels=")
    return found, L


def read_tardis_snapshots(
    paths,
    *,
    levels: int | None = None,
    clock: str | None = None,
    symbol: str | None = None,
    name: str | None = None,
    validate: bool = True,
    block_size: int = BLOCK_SIZE,
    time: str | None = None,
):
    """A :class:`~obi_widgets.Book` from one or several ``book_snapshot_N`` files (one row per file row).

    ``levels``: keep the best ``levels`` of the file's N (default all N; the other columns are
    not parsed). ``clock``: "exchange" (default) or "local" (``time=``: deprecated alias). Empty
    cells are empty levels (NaN). A crossed row raises
    :class:`~obi_widgets.errors.CrossedBookError` naming the file line; other invariant breaks
    raise from the Book's checks (``validate=False`` skips them). The Book's
    :attr:`~obi_widgets.Book.meta`: ``venue`` (the ``exchange`` column), ``symbol``, ``clock``,
    the clock offsets ``clock_offset_median_ns`` / ``_p5_ns`` / ``_p95_ns`` (``local_timestamp -
    timestamp``), ``rows_read`` and ``skipped_other_symbol`` (rows of other symbols, with ``symbol=``).
    """
    from ..book import Book

    files = tc.paths_of(paths)
    clock = tc.check_clock(clock, time, "read_tardis_snapshots")
    ts_col = "timestamp" if clock == "exchange" else "local_timestamp"
    parts = []
    depth = None
    symbols = _Symbols(symbol)
    offsets = tc.ClockOffsets()
    order = tc.TimeOrder("snapshot", clock)
    rows_read = 0
    for path in files:
        columns = tc.header(path)
        tc.require(path, columns, ("exchange", "symbol", "timestamp", "local_timestamp"), "book_snapshot_N")
        found, depth = _snapshot_columns(path, columns, levels, depth)
        kinds = {"exchange": WORD, "symbol": WORD, "timestamp": INT, "local_timestamp": INT}
        level_cols = {
            (s, f): [found[(s, i, f)] for i in range(depth)] for s in ("bids", "asks") for f in ("price", "amount")
        }
        kinds.update({c: FLOAT for cols in level_cols.values() for c in cols})
        reader = CsvReader(path, columns, kinds, has_header=True, what="Tardis book_snapshot_N")
        with reader.blocks(block_size) as blocks:
            for block in blocks:
                keep = symbols.keep(reader, block, path)
                symbols.note_exchanges(reader, block, keep)
                rows = slice(None) if keep is None else keep
                lines = block.lines[rows]
                offsets.add(reader.column(block, "timestamp")[rows], reader.column(block, "local_timestamp")[rows])
                ts = reader.column(block, ts_col)[rows] * tc.US
                order.check(path, ts, lines)
                slots = {key: [reader.slot[c][1] for c in cols] for key, cols in level_cols.items()}
                bid_px, bid_sz, ask_px, ask_sz = (
                    np.ascontiguousarray(block.floats[rows][:, slots[key]])
                    for key in (("bids", "price"), ("bids", "amount"), ("asks", "price"), ("asks", "amount"))
                )
                if validate:
                    check_not_crossed(
                        ts, bid_px, ask_px, place=lambda r, path=path, lines=lines: f"{path}:{int(lines[r])}"
                    )
                parts.append((ts, bid_px, bid_sz, ask_px, ask_sz))
        rows_read += reader.rows
    L = depth or 1
    if parts:
        ts, bid_px, bid_sz, ask_px, ask_sz = (np.concatenate(p) for p in zip(*parts))
    else:
        ts, (bid_px, bid_sz, ask_px, ask_sz) = np.zeros(0, np.int64), (np.zeros((0, L)) for _ in range(4))
    sym = symbols.symbol
    if name is None:
        name = tc.display_name(symbols.exchanges, sym)
    meta = tc.book_meta(symbols.exchanges, sym, clock)
    meta.update(offsets.meta(), rows_read=rows_read, skipped_other_symbol=symbols.skipped)
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta, validate=validate)


# -- trades -----------------------------------------------------------------------------------
def read_tardis_trades(
    paths,
    *,
    clock: str | None = None,
    symbol: str | None = None,
    name: str | None = None,
    block_size: int = BLOCK_SIZE,
    time: str | None = None,
):
    """:class:`~obi_widgets.Trades` from one or several Tardis ``trades`` files.

    ``side`` is the aggressor's: buy -> +1, sell -> -1, unknown -> 0. Trades must have a positive
    amount; time must not go backwards (use ``clock="local"`` if the exchange's clock does;
    ``time=`` is the deprecated alias of ``clock=``). The ``id`` column is not parsed.
    """
    from ..trades import Trades

    files = tc.paths_of(paths)
    clock = tc.check_clock(clock, time, "read_tardis_trades")
    ts_col = "timestamp" if clock == "exchange" else "local_timestamp"
    parts = []
    symbols = _Symbols(symbol)
    order = tc.TimeOrder("trade", clock)
    kinds = {"exchange": WORD, "symbol": WORD, "timestamp": INT, "local_timestamp": INT, "side": WORD}
    kinds.update(price=FLOAT, amount=FLOAT)
    for path in files:
        columns = tc.header(path)
        tc.require(path, columns, TRADE_COLUMNS, "trades")
        reader = CsvReader(path, columns, kinds, has_header=True, what="Tardis trades")
        with reader.blocks(block_size) as blocks:
            for block in blocks:
                keep = symbols.keep(reader, block, path)
                symbols.note_exchanges(reader, block, keep)
                rows = slice(None) if keep is None else keep
                lines = block.lines[rows]
                codes = reader.column(block, "side")[rows]
                side = _lut(reader, "side", _TRADE_SIDES, 9)[codes]
                words = reader.words[reader.slot["side"][1]]
                price = reader.column(block, "price")[rows]
                amount = reader.column(block, "amount")[rows]
                _check_trades(path, lines, side, codes, words, price, amount)
                ts = reader.column(block, ts_col)[rows] * tc.US
                order.check(path, ts, lines)
                parts.append((ts, np.ascontiguousarray(price), np.ascontiguousarray(amount), side))
    if parts:
        ts, price, amount, side = (np.concatenate(p) for p in zip(*parts))
    else:
        ts, price, amount, side = np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int8)
    if name is None:
        name = tc.display_name(symbols.exchanges, symbols.symbol)
    return Trades(ts, price, amount, side, name=name)


def _check_trades(path: Path, lines, side, codes, words, price, amount) -> None:
    """DataFormatError at the first trade with a bad side, price or amount."""
    tc.first_bad(
        path,
        lines,
        (
            ("trade side is {v}, expected buy, sell or unknown", side == 9, lambda r: words[int(codes[r])]),
            ("trade price is {v}, expected a finite number", ~np.isfinite(price), lambda r: float(price[r])),
            (
                "trade amount is {v}, expected a finite number > 0",
                ~(np.isfinite(amount) & (amount > 0)),
                lambda r: float(amount[r]),
            ),
        ),
    )


def read_tardis(path, **kwargs) -> BuildResult | Book | Trades:
    """Dispatch on the file's header: an incremental_book_L2 file gives :func:`read_tardis_book`'s
    BuildResult, a book_snapshot_N file a Book, a trades file Trades (``path`` may be a list)."""
    first = tc.paths_of(path)[0]
    columns = tc.header(first)
    kind = tc.kind_of(columns)
    if kind == "incremental_book_L2":
        return read_tardis_book(path, **kwargs)
    if kind == "book_snapshot":
        return read_tardis_snapshots(path, **kwargs)
    if kind == "trades":
        return read_tardis_trades(path, **kwargs)
    raise DataFormatError(
        f"{first}: not a Tardis incremental_book_L2, book_snapshot_N or trades file (header {columns})"
    )


__all__ = ["read_tardis", "read_tardis_book", "read_tardis_snapshots", "read_tardis_trades"]

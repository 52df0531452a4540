"""Tardis.dev downloadable CSV files (https://docs.tardis.dev/downloadable-csv-files), gzip or plain.

Times are microseconds since the epoch (UTC): ``timestamp`` is the exchange's time (Tardis falls
back to the arrival time when the exchange gives none), ``local_timestamp`` the arrival time.
``time="exchange"`` (default) uses the first, ``time="local"`` the second; both become ns.
Several files (e.g. consecutive days) may be given as a list and are read in that order.

- ``incremental_book_L2``: ``exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount``,
  one row per price-level update, ``side`` bid/ask, ``amount`` the ABSOLUTE new size (0 removes
  the level). A run of ``is_snapshot=true`` rows coming after non-snapshot rows (or at the start)
  is a new full snapshot: the book is cleared first. Rows before the first snapshot are skipped
  (Tardis: updates buffered before the exchange sent its snapshot). One exchange message gives
  several rows with the same ``local_timestamp``: the book is sampled once per such run, and
  once at the end of each snapshot (even when it spans several arrival times). Built with :mod:`obi_widgets.io.builder`.
- ``book_snapshot_N`` (N = 5, 25, ...): ``exchange,symbol,timestamp,local_timestamp`` then, for
  level i = 0..N-1, ``asks[i].price,asks[i].amount,bids[i].price,bids[i].amount``; an empty level
  is an empty cell. One row per book change, already built.
- ``trades``: ``exchange,symbol,timestamp,local_timestamp,id,side,price,amount``; ``side`` is the
  aggressor (liquidity taker): buy -> +1, sell -> -1, unknown (or empty) -> 0.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._checks import check_not_crossed
from .._time import format_ns
from ..errors import DataFormatError, ParameterError, TimestampError
from .builder import BookBuilder, BuildResult

if TYPE_CHECKING:
    from ..book import Book
    from ..trades import Trades

_US = 1_000
_TIMES = ("exchange", "local")
BOOK_COLUMNS = ("exchange", "symbol", "timestamp", "local_timestamp", "is_snapshot", "side", "price", "amount")
TRADE_COLUMNS = ("exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount")
_LEVEL_COLUMN = re.compile(r"^(asks|bids)\[(\d+)\]\.(price|amount)$")
_TRADE_SIDES = {"buy": 1, "sell": -1, "unknown": 0, "": 0}


def _paths(paths) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = [Path(p) for p in paths]
    if not out:
        raise ParameterError("no Tardis file given")
    for p in out:
        if not p.exists():
            raise FileNotFoundError(f"Tardis CSV file not found: {p}")
    return out


def _compression(path: Path) -> str | None:
    with open(path, "rb") as f:
        return "gzip" if f.read(2) == b"\x1f\x8b" else None


def _header(path: Path) -> list[str]:
    try:
        head = pd.read_csv(path, nrows=0, compression=_compression(path))
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{path}: empty file, expected a Tardis CSV with a header line") from None
    return [str(c) for c in head.columns]


def _kind(columns) -> str:
    cols = set(columns)
    if {"is_snapshot", "side", "price", "amount"} <= cols:
        return "incremental_book_L2"
    if any(_LEVEL_COLUMN.match(c) for c in columns):
        return "book_snapshot"
    if {"id", "side", "price", "amount"} <= cols:
        return "trades"
    return "unknown"


def _require(path: Path, columns, need, what: str) -> None:
    missing = [c for c in need if c not in columns]
    if missing:
        raise DataFormatError(
            f"{path}: not a Tardis {what} file: missing column(s) {missing}; the header has {list(columns)} "
            f"(this looks like a {_kind(columns)} file)"
        )


def _check_time(time: str) -> str:
    if time not in _TIMES:
        raise ParameterError(f"time={time!r}: expected one of {_TIMES}")
    return "timestamp" if time == "exchange" else "local_timestamp"


def _one_symbol(path: Path, sym: pd.Series, symbol: str | None, seen: set) -> np.ndarray | None:
    """Row mask of ``symbol`` (None: all rows, after checking the file holds a single symbol)."""
    if symbol is not None:
        return (sym.astype(str).str.upper() == symbol.upper()).to_numpy()
    seen.update(pd.unique(sym.astype(str)))
    if len(seen) > 1:
        raise DataFormatError(f"{path}: rows for several symbols {sorted(seen)}; pass symbol=")
    return None


def _bool_column(path: Path, col: pd.Series, first_line: int) -> np.ndarray:
    if col.dtype == bool:
        return col.to_numpy()
    words = col.astype(str).str.strip().str.lower()
    out = words.isin(["true", "1"]).to_numpy()
    bad = np.flatnonzero(~out & ~words.isin(["false", "0"]).to_numpy())
    if bad.size:
        r = int(bad[0])
        raise DataFormatError(f"{path}:{first_line + r}: is_snapshot is {col.iloc[r]!r}, expected true or false")
    return out


def _check_monotonic(
    path: Path, ts: np.ndarray, lines: np.ndarray, prev: int | None, what: str, time: str
) -> int | None:
    """Raise TimestampError naming the file line where ``ts`` goes backwards; return the new last time."""
    if not ts.size:
        return prev
    back = np.flatnonzero(ts[1:] < ts[:-1]) + 1
    if prev is not None and ts[0] < prev:
        r, before = 0, prev
    elif back.size:
        r = int(back[0])
        before = int(ts[r - 1])
    else:
        r, before = -1, 0
    if r >= 0:
        hint = " (pass time='local' to use the arrival times, which are in file order)" if time == "exchange" else ""
        raise TimestampError(
            f"{path}:{int(lines[r])}: {what} time goes backwards: {format_ns(int(ts[r]))} after {format_ns(before)}{hint}"
        )
    return int(ts[-1])


def _read_chunks(path: Path, what: str, **kwargs):
    """pandas.read_csv in chunks; pandas' parse errors become DataFormatError naming the file."""
    try:
        reader = pd.read_csv(path, compression=_compression(path), **kwargs)
        if "chunksize" not in kwargs:
            yield reader
            return
        with reader:
            yield from reader
    except (ValueError, TypeError, pd.errors.ParserError) as exc:
        if isinstance(exc, (DataFormatError, ParameterError, TimestampError)):
            raise
        raise DataFormatError(f"{path}: not a valid Tardis {what} file: {exc}") from None


def _book_meta(exchanges: set, symbol: str | None, tick: float = float("nan")) -> dict:
    """The Book.meta of a Tardis file: venue (the ``exchange`` column, when one), symbol, tick if known."""
    meta: dict = {}
    if len(exchanges) == 1:
        meta["venue"] = str(next(iter(exchanges)))
    if symbol:
        meta["symbol"] = symbol
    if np.isfinite(tick):
        meta["tick"] = float(tick)
    return meta


# -- incremental_book_L2 ----------------------------------------------------------------------
def read_tardis_book(
    paths,
    *,
    levels: int = 10,
    time: str = "exchange",
    on_crossed: str = "raise",
    symbol: str | None = None,
    tick_size: float | None = None,
    name: str | None = None,
    chunksize: int = 1_000_000,
) -> BuildResult:
    """Rebuild the book of one or several ``incremental_book_L2`` files (see the module docstring).

    The file is read ``chunksize`` rows at a time and fed to one
    :class:`~obi_widgets.io.builder.BookBuilder`, so memory is the output plus one chunk.
    ``levels``: levels per side of the output; ``time``: "exchange" or "local"; ``on_crossed``:
    "raise" or "flag" (see :mod:`obi_widgets.io.builder`); ``symbol``: keep one symbol of a
    multi-symbol file (by default a file must hold one); ``tick_size``: the price grid (inferred).

    Returns a :class:`~obi_widgets.io.builder.BuildResult` (flags: ``"crossed"``); ``meta``:
    ``exchange``, ``symbol``, ``time``, ``skipped_before_snapshot`` (rows dropped before the
    first snapshot), ``snapshots`` (how many times the book was reset), ``rows`` (rows applied).
    The Book's :attr:`~obi_widgets.Book.meta`: ``venue`` (the ``exchange`` column), ``symbol`` and
    ``tick`` (the price grid the rebuild keyed levels on: ``tick_size`` or the inferred one).
    """
    files = _paths(paths)
    ts_col = _check_time(time)
    if chunksize < 1:
        raise ParameterError(f"chunksize must be >= 1, got {chunksize!r}")
    builder = BookBuilder(levels, tick_size=tick_size, name=name)
    state = {"prev_snap": False, "seen_snap": False, "skipped": 0, "resets": 0, "exchange": set(), "symbols": set()}
    carry: pd.DataFrame | None = None  # the last message of a chunk waits for the next chunk
    prev_ts: list = [None]
    carry_path: list = [files[0]]  # the (last) file the held-back message comes from

    def feed(frame: pd.DataFrame, final: bool, path: Path) -> None:
        n = len(frame)
        if n == 0:
            return
        snap = frame["_snap"].to_numpy()
        local = frame["local_timestamp"].to_numpy()
        # a message ends where the arrival time or the snapshot flag changes; a snapshot (which may
        # come in several messages) is sampled once, at its end
        emit = np.ones(n, dtype=bool)
        emit[:-1] = ((local[1:] != local[:-1]) & ~(snap[1:] & snap[:-1])) | (snap[1:] != snap[:-1])
        if not final:
            emit[-1] = True  # the caller only passes complete messages
        ts = frame[ts_col].to_numpy(dtype=np.int64) * _US
        prev_ts[0] = _check_monotonic(path, ts[emit], frame["_line"].to_numpy()[emit], prev_ts[0], "book", time)
        prev = np.concatenate([[state["prev_snap"]], snap[:-1]])
        reset = snap & ~prev
        state["prev_snap"] = bool(snap[-1])
        state["resets"] += int(reset.sum())
        is_bid = (frame["side"].str.lower() == "bid").to_numpy()  # _bad_rows has checked bid/ask
        builder.feed(
            ts,
            is_bid,
            frame["price"].to_numpy(dtype=np.float64),
            frame["amount"].to_numpy(dtype=np.float64),
            emit=emit,
            reset=reset,
        )

    for path in files:
        columns = _header(path)
        _require(path, columns, BOOK_COLUMNS, "incremental_book_L2")
        chunks = _read_chunks(
            path,
            "incremental_book_L2",
            usecols=list(BOOK_COLUMNS),
            dtype={
                "exchange": str,
                "symbol": str,
                "timestamp": np.int64,
                "local_timestamp": np.int64,
                "side": str,
                "price": np.float64,
                "amount": np.float64,
                "is_snapshot": str,
            },
            chunksize=chunksize,
            keep_default_na=False,
            na_values={"price": [""], "amount": [""]},
        )
        first_line = 2
        for chunk in chunks:
            chunk = chunk.reset_index(drop=True)
            keep = _one_symbol(path, chunk["symbol"], symbol, state["symbols"])
            chunk["_snap"] = _bool_column(path, chunk["is_snapshot"], first_line)
            chunk["_line"] = first_line + np.arange(len(chunk))
            first_line += len(chunk)
            if keep is not None:
                chunk = chunk[keep]
            state["exchange"].update(pd.unique(chunk["exchange"]))
            if not state["seen_snap"]:
                s = chunk["_snap"].to_numpy()
                first = int(np.argmax(s)) if s.any() else len(chunk)
                state["skipped"] += first
                chunk = chunk.iloc[first:]
                if len(chunk):
                    state["seen_snap"] = True
            if len(chunk) == 0:
                continue
            if carry is not None:
                chunk = pd.concat([carry, chunk], ignore_index=True)
            # hold back the trailing message (or snapshot): the next chunk may continue it
            local = chunk["local_timestamp"].to_numpy()
            snap = chunk["_snap"].to_numpy()
            same = snap == snap[-1]
            if not snap[-1]:
                same &= local == local[-1]
            cut = 0 if same.all() else len(chunk) - int(np.argmin(same[::-1]))
            carry = chunk.iloc[cut:]
            _bad_rows(path, chunk.iloc[:cut])
            feed(chunk.iloc[:cut], False, path)
            carry_path[0] = path
    if carry is not None and len(carry):
        _bad_rows(carry_path[0], carry)
        feed(carry, True, carry_path[0])
    if builder.rows_in == 0 and state["skipped"]:
        raise DataFormatError(
            f"{', '.join(map(str, files))}: no snapshot row (is_snapshot=true): {state['skipped']} update rows and no "
            "book to apply them to"
        )
    sym = symbol.upper() if symbol else (next(iter(state["symbols"])) if state["symbols"] else None)
    exch = ", ".join(sorted(state["exchange"])) or None
    if builder.name is None:
        builder.name = " ".join(x for x in (exch, sym) if x) or None
    meta = {
        "exchange": exch,
        "symbol": sym,
        "time": time,
        "skipped_before_snapshot": state["skipped"],
        "snapshots": state["resets"],
        "rows": builder.rows_in,
    }
    return builder.result(
        on_crossed=on_crossed, meta=meta, book_meta=_book_meta(state["exchange"], sym, builder.tick_size)
    )


def _bad_rows(path: Path, frame: pd.DataFrame) -> None:
    """Name the file line of the first bad side / price / amount (before the builder sees it)."""
    if not len(frame):
        return
    side = frame["side"].astype(str).str.lower()
    bad = ~side.isin(["bid", "ask"]).to_numpy()
    price = frame["price"].to_numpy(dtype=np.float64)
    amount = frame["amount"].to_numpy(dtype=np.float64)
    for label, mask in (
        ("side (expected bid or ask)", bad),
        ("price (expected a finite number)", ~np.isfinite(price)),
        ("amount (expected a finite number >= 0)", ~(np.isfinite(amount) & (amount >= 0))),
    ):
        rows = np.flatnonzero(mask)
        if rows.size:
            r = int(rows[0])
            col = label.split(" ")[0]
            raise DataFormatError(f"{path}:{int(frame['_line'].iloc[r])}: bad {label}: {frame[col].iloc[r]!r}")


# -- book_snapshot_N --------------------------------------------------------------------------
def read_tardis_snapshots(
    paths,
    *,
    levels: int | None = None,
    time: str = "exchange",
    symbol: str | None = None,
    name: str | None = None,
    validate: bool = True,
):
    """A :class:`~obi_widgets.Book` from one or several ``book_snapshot_N`` files (one row per file row).

    ``levels``: keep the best ``levels`` of the file's N (default all N). Empty cells are empty
    levels (NaN). A crossed row raises :class:`~obi_widgets.errors.CrossedBookError` naming the
    file line; other invariant breaks raise from the Book's checks (``validate=False`` skips them).
    The Book's :attr:`~obi_widgets.Book.meta`: ``venue`` (the ``exchange`` column) and ``symbol``.
    """
    from ..book import Book

    files = _paths(paths)
    ts_col = _check_time(time)
    parts = []
    depth = None
    symbols: set = set()
    exchanges: set = set()
    prev = None
    for path in files:
        columns = _header(path)
        _require(path, columns, ("exchange", "symbol", "timestamp", "local_timestamp"), "book_snapshot_N")
        found: dict[tuple[str, int, str], str] = {}
        for c in columns:
            m = _LEVEL_COLUMN.match(c)
            if m:
                found[(m.group(1), int(m.group(2)), m.group(3))] = c
        n_file = 1 + max((k[1] for k in found), default=-1)
        if n_file == 0:
            raise DataFormatError(
                f"{path}: not a Tardis book_snapshot_N file: no asks[i].price / bids[i].price columns"
            )
        missing = [
            f"{s}[{i}].{f}"
            for i in range(n_file)
            for s in ("asks", "bids")
            for f in ("price", "amount")
            if (s, i, f) not in found
        ]
        if missing:
            raise DataFormatError(f"{path}: book_snapshot columns missing: {missing[:4]}")
        L = n_file if levels is None else int(levels)
        if L < 1 or L > n_file:
            raise ParameterError(f"levels={levels!r}: {path} has {n_file} levels per side")
        if depth is not None and L != depth:
            raise DataFormatError(
                f"{path}: {n_file} levels per side, but the previous file(s) had {depth}; pass levels="
            )
        depth = L
        want = ["exchange", "symbol", "timestamp", "local_timestamp"] + [
            found[(s, i, f)] for i in range(L) for s in ("asks", "bids") for f in ("price", "amount")
        ]
        dtypes: dict[str, Any] = {c: np.float64 for c in want[4:]}  # column -> what read_csv takes as a dtype
        dtypes.update({"exchange": str, "symbol": str, "timestamp": np.int64, "local_timestamp": np.int64})
        frame = next(_read_chunks(path, "book_snapshot", usecols=want, dtype=dtypes))
        keep = _one_symbol(path, frame["symbol"], symbol, symbols)
        lines = 2 + np.arange(len(frame))
        if keep is not None:
            frame, lines = frame[keep], lines[keep]
        exchanges.update(pd.unique(frame["exchange"]))
        ts = frame[ts_col].to_numpy(dtype=np.int64) * _US
        prev = _check_monotonic(path, ts, lines, prev, "snapshot", time)

        def get(s, f, frame=frame, found=found, L=L):
            return np.column_stack([frame[found[(s, i, f)]].to_numpy(np.float64) for i in range(L)])

        bid_px, bid_sz, ask_px, ask_sz = (
            get("bids", "price"),
            get("bids", "amount"),
            get("asks", "price"),
            get("asks", "amount"),
        )
        if validate:
            check_not_crossed(ts, bid_px, ask_px, place=lambda r, path=path, lines=lines: f"{path}:{int(lines[r])}")
        parts.append((ts, bid_px, bid_sz, ask_px, ask_sz))
    ts, bid_px, bid_sz, ask_px, ask_sz = (np.concatenate(p) for p in zip(*parts))
    sym = symbol.upper() if symbol else (next(iter(symbols)) if symbols else None)
    if name is None:
        name = " ".join(x for x in (", ".join(sorted(exchanges)), sym) if x) or None
    meta = _book_meta(exchanges, sym)
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta, validate=validate)


# -- trades -----------------------------------------------------------------------------------
def read_tardis_trades(paths, *, time: str = "exchange", symbol: str | None = None, name: str | None = None):
    """:class:`~obi_widgets.Trades` from one or several Tardis ``trades`` files.

    ``side`` is the aggressor's: buy -> +1, sell -> -1, unknown -> 0. Trades must have a positive
    amount; time must not go backwards (use ``time="local"`` if the exchange's clock does).
    """
    from ..trades import Trades

    files = _paths(paths)
    ts_col = _check_time(time)
    parts = []
    symbols: set = set()
    exchanges: set = set()
    prev = None
    for path in files:
        columns = _header(path)
        _require(path, columns, TRADE_COLUMNS, "trades")
        frame = next(
            _read_chunks(
                path,
                "trades",
                usecols=list(TRADE_COLUMNS),
                dtype={
                    "exchange": str,
                    "symbol": str,
                    "timestamp": np.int64,
                    "local_timestamp": np.int64,
                    "id": str,
                    "side": str,
                    "price": np.float64,
                    "amount": np.float64,
                },
                keep_default_na=False,
                na_values={"price": [""], "amount": [""]},
            )
        )
        keep = _one_symbol(path, frame["symbol"], symbol, symbols)
        lines = 2 + np.arange(len(frame))
        if keep is not None:
            frame, lines = frame[keep], lines[keep]
        exchanges.update(pd.unique(frame["exchange"]))
        words = frame["side"].astype(str).str.strip().str.lower()
        side = words.map(_TRADE_SIDES)
        bad = np.flatnonzero(side.isna().to_numpy())
        if bad.size:
            r = int(bad[0])
            raise DataFormatError(
                f"{path}:{int(lines[r])}: trade side is {frame['side'].iloc[r]!r}, expected buy, sell or unknown"
            )
        price = frame["price"].to_numpy(np.float64)
        amount = frame["amount"].to_numpy(np.float64)
        for label, mask in (("price", ~np.isfinite(price)), ("amount", ~(np.isfinite(amount) & (amount > 0)))):
            rows = np.flatnonzero(mask)
            if rows.size:
                r = int(rows[0])
                raise DataFormatError(f"{path}:{int(lines[r])}: trade {label} is {frame[label].iloc[r]!r}")
        ts = frame[ts_col].to_numpy(dtype=np.int64) * _US
        prev = _check_monotonic(path, ts, lines, prev, "trade", time)
        parts.append((ts, price, amount, side.to_numpy(dtype=np.int8)))
    ts, price, amount, side = (np.concatenate(p) for p in zip(*parts))
    if name is None:
        sym = symbol.upper() if symbol else (next(iter(symbols)) if symbols else None)
        name = " ".join(x for x in (", ".join(sorted(exchanges)), sym) if x) or None
    return Trades(ts, price, amount, side, name=name)


def read_tardis(path, **kwargs) -> BuildResult | Book | Trades:
    """Dispatch on the file's header: an incremental_book_L2 file gives :func:`read_tardis_book`'s
    BuildResult, a book_snapshot_N file a Book, a trades file Trades (``path`` may be a list)."""
    first = _paths(path)[0]
    kind = _kind(_header(first))
    if kind == "incremental_book_L2":
        return read_tardis_book(path, **kwargs)
    if kind == "book_snapshot":
        return read_tardis_snapshots(path, **kwargs)
    if kind == "trades":
        return read_tardis_trades(path, **kwargs)
    raise DataFormatError(
        f"{first}: not a Tardis incremental_book_L2, book_snapshot_N or trades file (header {_header(first)})"
    )


__all__ = ["read_tardis", "read_tardis_book", "read_tardis_snapshots", "read_tardis_trades"]

"""Parsing Binance raw websocket captures into columnar message arrays (see :mod:`obi_widgets.io.binance`).

:func:`iter_binance_messages` reads one capture file or several consecutive ones and yields a
:class:`BinanceCapture` per run of lines (bounded memory: a day of a busy pair is never held as
text or Python objects); :func:`read_binance_messages` concatenates them. The book rebuild (the
exchange's sync rule) lives in :mod:`obi_widgets.io.binance`.

Two engines give identical results. ``"fast"`` (the default, :mod:`._binance_fast`): the file is
inflated in large blocks (ISA-L when installed) in a background thread while a numba byte scanner
(:mod:`._binance_scan_kernels`, GIL released) writes the columns of the previous block; the
lines it cannot decide with certainty (REST snapshots, escapes, exponents, long mantissas,
malformed lines...) go through the reference parser. ``"reference"`` (this module): orjson per
line and Python lists, the slower, simple implementation the fast one is tested against.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np

from ..errors import DataFormatError, ParameterError

try:
    import orjson as _orjson

    _loads = _orjson.loads
except ImportError:  # pragma: no cover - orjson is a dependency; kept for source checkouts without it
    _loads = json.loads

CHUNK_LINES = 1_000_000  # lines per yielded chunk
_FLUSH = 20_000  # depth messages parsed between conversions of their level strings to floats
_ENGINES = ("fast", "reference")
_I64 = (-(2**63), 2**63 - 1)
# the per-chunk line counts (BinanceCapture.lines): read = the sum of all the others but "fallback"
LINE_COUNTS = ("read", "blank", "depth", "trade", "bbo", "snapshot", "other_symbol", "ignored_kind", "fallback")


def _paths(paths) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = [Path(p) for p in paths]
    if not out:
        raise ParameterError("no capture file given")
    for p in out:
        if not p.exists():
            raise FileNotFoundError(f"Binance capture file not found: {p}")
    return out


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _empty_error(path: Path, gz: bool, blank: int) -> DataFormatError:
    if blank:
        return DataFormatError(f"{path}: the capture file has no messages, only {blank} blank line(s)")
    what = " (a gzip stream of no data)" if gz else " (0 bytes)"
    return DataFormatError(f"{path}: the capture file is empty{what}")


def _levels_array(lists: list, where: str) -> np.ndarray:
    """[[price, qty], ...] lists (strings) -> (m, 2) float64, in one numpy conversion."""
    flat = list(chain.from_iterable(lists))
    if not flat:
        return np.zeros((0, 2))
    try:
        arr = np.array(flat, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise DataFormatError(f"{where}: price levels must be [price, quantity] pairs of numbers: {exc}") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataFormatError(f"{where}: price levels must be [price, quantity] pairs, got shape {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class BinanceCapture:
    """Parsed messages of a capture (or of one chunk of it), columnar, in capture order.

    ``files``: the paths; every message has ``file`` (index into ``files``) and ``line`` (1-based).

    - ``depth``: dict of (D,) arrays ``local_ts, E, U, u, pu`` (pu -1 when absent), ``n_bid, n_ask``,
      ``offset`` (first row of the message in ``levels``), ``file, line``;
    - ``levels``: dict of arrays ``side`` (+1 bid/-1 ask), ``price``, ``qty`` for every diff level,
      each message's bids then asks;
    - ``snapshots``: list of dicts ``local_ts, last_update_id, before_depth`` (how many depth
      messages precede it), ``file, line, bids, asks`` ((k, 2) price/qty arrays);
    - ``trades``: dict of arrays ``local_ts, T, E, id, price, qty, buyer_maker``;
    - ``bbo``: dict of arrays ``local_ts, E`` (-1 when absent), ``u, bid, bid_qty, ask, ask_qty``;
    - ``symbols``: the symbols seen; ``ignored``: count of messages of other kinds;
    - ``lines``: what became of every line read (nothing is dropped silently): ``read`` =
      ``blank + depth + trade + bbo + snapshot + other_symbol`` (filtered out by ``symbol=``)
      ``+ ignored_kind`` (events of other kinds, = ``ignored``); ``fallback``: how many of the
      lines the orjson reference parser read (all non-blank ones with ``engine="reference"``).
    """

    files: tuple[Path, ...]
    depth: dict
    levels: dict
    snapshots: list
    trades: dict
    bbo: dict
    symbols: frozenset
    ignored: int
    lines: dict = field(default_factory=dict)

    def where(self, i: int) -> str:
        """``file:line`` of depth message i."""
        return f"{self.files[int(self.depth['file'][i])]}:{int(self.depth['line'][i])}"


def _floats(values: list, wheres: list, files, what: str, width: int = 1) -> np.ndarray:
    """float64 of parsed JSON values; on a bad one, the error names its own line."""
    try:
        return np.array(values, dtype=np.float64).reshape(-1, width) if width > 1 else np.array(values, np.float64)
    except (ValueError, TypeError):
        for v, (fi, ln) in zip(values, wheres):
            try:
                np.array(v, dtype=np.float64)
            except (ValueError, TypeError) as exc:
                raise DataFormatError(f"{files[fi]}:{ln}: {what} is not a number ({v!r}: {exc})") from None
        raise


class _Columns:
    """The per-chunk Python lists the line loop appends to, turned into a BinanceCapture by ``take``."""

    def __init__(self, files: tuple[Path, ...]) -> None:
        self.files = files
        self.d = {k: [] for k in ("local_ts", "E", "U", "u", "pu", "n_bid", "n_ask", "file", "line")}
        self.bids: list = []
        self.asks: list = []
        self.lv_parts: list = []  # (m, 2) float arrays: the parsed strings are converted every _FLUSH messages
        self.snaps: list = []
        self.t = {k: [] for k in ("local_ts", "T", "E", "id", "price", "qty", "buyer_maker")}
        self.t_where: list = []
        self.b = {k: [] for k in ("local_ts", "E", "u")}
        self.b_vals: list = []
        self.b_where: list = []
        self.symbols: set = set()
        self.counts: dict[str, int] = dict.fromkeys(LINE_COUNTS, 0)

    def rows(self) -> int:
        return len(self.d["U"]) + len(self.t["T"]) + len(self.b["u"]) + len(self.snaps)

    def flush(self) -> None:
        files = self.files
        if not self.bids:
            return
        try:
            self.lv_parts.append(_levels_array([x for pair in zip(self.bids, self.asks) for x in pair], ""))
        except DataFormatError:
            # find the message at fault, so that the error names its own line
            n = len(self.bids)
            for b, a, fi, ln in zip(self.bids, self.asks, self.d["file"][-n:], self.d["line"][-n:]):
                _levels_array([b, a], f"{files[fi]}:{ln}")
            raise
        self.bids.clear()
        self.asks.clear()

    def take(self) -> BinanceCapture:
        files = self.files
        i64 = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        d = {k: i64(v) for k, v in self.d.items()}
        counts = d["n_bid"] + d["n_ask"]
        d["offset"] = np.cumsum(counts) - counts
        self.flush()
        lv = np.concatenate(self.lv_parts) if self.lv_parts else np.zeros((0, 2))
        side = np.repeat(
            np.tile(np.array([1, -1], np.int8), len(d["U"])), np.column_stack([d["n_bid"], d["n_ask"]]).ravel()
        )
        levels = {"side": side, "price": np.ascontiguousarray(lv[:, 0]), "qty": np.ascontiguousarray(lv[:, 1])}
        t: dict[str, np.ndarray] = {k: i64(self.t[k]) for k in ("local_ts", "T", "E", "id")}
        t["price"] = _floats(self.t["price"], self.t_where, files, "the trade price 'p'")
        t["qty"] = _floats(self.t["qty"], self.t_where, files, "the trade quantity 'q'")
        t["buyer_maker"] = np.array(self.t["buyer_maker"], dtype=bool)
        bv = _floats(self.b_vals, self.b_where, files, "a bookTicker price or quantity", 4)
        bbo: dict[str, np.ndarray] = {k: i64(v) for k, v in self.b.items()}
        for j, key in enumerate(("bid", "bid_qty", "ask", "ask_qty")):
            bbo[key] = bv[:, j].copy()
        n = self.counts
        n |= {"depth": len(d["U"]), "trade": len(t["T"]), "bbo": len(bbo["u"]), "snapshot": len(self.snaps)}
        return BinanceCapture(files, d, levels, self.snaps, t, bbo, frozenset(self.symbols), n["ignored_kind"], dict(n))


def _parse_line(c: _Columns, raw: bytes, fi: int, ln: int, path: Path, want: str | None) -> None:
    """The reference parser of one line (bytes, with or without its newline) into ``c``."""
    c.counts["read"] += 1
    if not raw.strip():
        c.counts["blank"] += 1
        return
    c.counts["fallback"] += 1
    sp = raw.find(b" ")
    if sp <= 0:
        raise DataFormatError(f"{path}:{ln}: expected '<local_ts_ns> <json>', got {raw[:60]!r}")
    try:
        local = int(raw[:sp])
        msg = _loads(raw[sp + 1 :])
    except ValueError as exc:
        raise DataFormatError(f"{path}:{ln}: expected '<local_ts_ns> <json>': {exc}") from None
    if not _I64[0] <= local <= _I64[1]:
        raise DataFormatError(f"{path}:{ln}: the local timestamp {local} does not fit in int64 nanoseconds")
    if not isinstance(msg, dict):
        raise DataFormatError(f"{path}:{ln}: expected a JSON object, got {type(msg).__name__}")
    data = msg.get("data", msg)
    if not isinstance(data, dict):
        raise DataFormatError(f"{path}:{ln}: the envelope's 'data' must be a JSON object, got {type(data).__name__}")
    try:
        _add(c, data, local, fi, ln, f"{path}:{ln}", want)
    except (KeyError, TypeError) as exc:
        raise DataFormatError(f"{path}:{ln}: message lacks the field {exc} (or it has the wrong type)") from None


def _int(data: dict, key: str, where: str, default=None) -> int:
    v = data.get(key, default) if default is not None else data[key]
    if type(v) is not int or not _I64[0] <= v <= _I64[1]:
        raise DataFormatError(f"{where}: the field {key!r} must be an integer (int64), got {v!r}")
    return v


def _add(c: _Columns, data: dict, local: int, fi: int, ln: int, where: str, want: str | None) -> None:
    """Append one parsed message to the chunk's columns."""
    if "lastUpdateId" in data:
        c.snaps.append(
            {
                "local_ts": local,
                "last_update_id": _int(data, "lastUpdateId", where),
                "before_depth": len(c.d["U"]),
                "file": fi,
                "line": ln,
                "bids": _levels_array([data["bids"]], where),
                "asks": _levels_array([data["asks"]], where),
            }
        )
        return
    sym = data.get("s")
    if sym is not None and not isinstance(sym, str):
        raise DataFormatError(f"{where}: the symbol 's' must be a string, got {sym!r}")
    if want is not None and sym is not None and sym.upper() != want:
        c.counts["other_symbol"] += 1
        return
    kind = data.get("e")
    if kind == "depthUpdate":
        b, a = data["b"], data["a"]
        if not isinstance(b, list) or not isinstance(a, list):
            raise DataFormatError(f"{where}: the depth update's 'b' and 'a' must be lists of [price, quantity]")
        row = (local, _int(data, "E", where), _int(data, "U", where), _int(data, "u", where))
        pu = _int(data, "pu", where, -1)
        c.symbols.add(sym)
        d = c.d
        for key, v in zip(("local_ts", "E", "U", "u"), row):
            d[key].append(v)
        d["pu"].append(pu)
        d["n_bid"].append(len(b))
        d["n_ask"].append(len(a))
        d["file"].append(fi)
        d["line"].append(ln)
        c.bids.append(b)
        c.asks.append(a)
        if len(c.bids) >= _FLUSH:
            c.flush()
    elif kind == "trade" or kind == "aggTrade":  # aggTrade (USD-M): one row per aggregate, id "a"
        m = data["m"]
        if not isinstance(m, bool):
            raise DataFormatError(f"{where}: the trade's 'm' (buyer is maker) must be true or false, got {m!r}")
        t = c.t
        row = (
            local,
            _int(data, "T", where),
            _int(data, "E", where),
            _int(data, "t" if kind == "trade" else "a", where),
        )
        for key, v in zip(("local_ts", "T", "E", "id"), row):
            t[key].append(v)
        t["price"].append(data["p"])
        t["qty"].append(data["q"])
        t["buyer_maker"].append(m)
        c.t_where.append((fi, ln))
    elif kind == "bookTicker" or (kind is None and "B" in data and "A" in data and "u" in data):
        vals = (data["b"], data["B"], data["a"], data["A"])
        c.b["local_ts"].append(local)
        c.b["E"].append(_int(data, "E", where, -1))
        c.b["u"].append(_int(data, "u", where))
        c.b_vals.append(vals)
        c.b_where.append((fi, ln))
    else:
        c.counts["ignored_kind"] += 1


def _iter_reference(files: tuple[Path, ...], want: str | None, chunk_lines: int) -> Iterator[BinanceCapture]:
    """The reference engine: orjson per line into Python lists (see :func:`iter_binance_messages`)."""
    c = _Columns(files)
    done_blank = 0  # blank lines of the chunks already yielded
    for fi, path in enumerate(files):
        gz = _is_gzip(path)
        ln = 0
        start_blank = done_blank + c.counts["blank"]
        try:
            fh = gzip.open(path, "rb") if gz else open(path, "rb")
            with fh:
                for ln, raw in enumerate(fh, 1):
                    _parse_line(c, raw, fi, ln, path, want)
                    if c.counts["read"] >= chunk_lines:
                        done_blank += c.counts["blank"]
                        yield c.take()
                        c = _Columns(files)
        except (EOFError, OSError, zlib.error) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise DataFormatError(_gzip_message(path, exc, ln)) from None
        blank = done_blank + c.counts["blank"] - start_blank
        if blank == ln:
            raise _empty_error(path, gz, blank)
    if c.counts["read"]:
        yield c.take()


def _gzip_message(path: Path, exc: BaseException, ln: int) -> str:
    after = f"after line {ln}, the last complete line" if ln else "before its first line"
    if isinstance(exc, EOFError):
        return f"{path}: the gzip file is truncated (it ends inside the compressed stream) {after}"
    return f"{path}: the gzip data is corrupt ({exc}) {after}"


def iter_binance_messages(
    paths, *, symbol: str | None = None, chunk_lines: int = CHUNK_LINES, engine: str = "fast"
) -> Iterator[BinanceCapture]:
    """Parse one or several capture files (in order), yielding a :class:`BinanceCapture` per run of
    ``chunk_lines`` lines (the last may be shorter; a file boundary does not end a chunk).

    The chunk contract the streaming rebuild relies on: chunks are consecutive and together cover
    every line once; ``file``/``line`` are global (index into ``files``, 1-based line in its file);
    ``offset`` and a snapshot's ``before_depth`` count WITHIN the chunk; ``symbols``, ``ignored``
    and ``lines`` (what became of each line) are per chunk. Concatenating the chunks gives
    :func:`read_binance_messages`' result.

    ``symbol``: keep only this symbol's depth/trade/bookTicker events (case-insensitive). REST
    snapshots name no symbol and are always kept. ``engine``: ``"fast"`` (numba scanner, inflating
    in a second thread) or ``"reference"`` (orjson per line): identical results. Lines end at
    ``\\n`` (a ``\\r`` before it is whitespace); files may be gzip (several members too) or plain.

    Raises :class:`~obi_widgets.errors.DataFormatError` naming the file and line of a bad line
    (a value that is not a number names its own line), naming the file and its last complete line
    when a gzip file is truncated or corrupt, and saying so when a file is empty.
    """
    if isinstance(chunk_lines, bool) or not isinstance(chunk_lines, int) or chunk_lines < 1:
        raise ParameterError(f"chunk_lines must be an int >= 1, got {chunk_lines!r}")
    if engine not in _ENGINES:
        raise ParameterError(f"engine must be one of {_ENGINES}, got {engine!r}")
    files = tuple(_paths(paths))
    want = symbol.upper() if symbol else None
    if engine == "reference":
        return _iter_reference(files, want, chunk_lines)
    from ._binance_fast import iter_fast

    return iter_fast(files, want, chunk_lines)


def concat_captures(chunks: list[BinanceCapture]) -> BinanceCapture:
    """One :class:`BinanceCapture` from consecutive chunks (offsets and ``before_depth`` made global)."""
    if len(chunks) == 1:
        return chunks[0]
    files = chunks[0].files
    depth = {k: np.concatenate([c.depth[k] for c in chunks]) for k in chunks[0].depth}
    counts = depth["n_bid"] + depth["n_ask"]
    depth["offset"] = np.cumsum(counts) - counts
    levels = {k: np.concatenate([c.levels[k] for c in chunks]) for k in chunks[0].levels}
    snaps, before = [], 0
    for c in chunks:
        snaps.extend({**s, "before_depth": s["before_depth"] + before} for s in c.snapshots)
        before += len(c.depth["U"])
    trades = {k: np.concatenate([c.trades[k] for c in chunks]) for k in chunks[0].trades}
    bbo = {k: np.concatenate([c.bbo[k] for c in chunks]) for k in chunks[0].bbo}
    symbols = frozenset().union(*(c.symbols for c in chunks))
    lines = {k: sum(c.lines.get(k, 0) for c in chunks) for k in LINE_COUNTS}
    return BinanceCapture(files, depth, levels, snaps, trades, bbo, symbols, sum(c.ignored for c in chunks), lines)


def read_binance_messages(paths, *, symbol: str | None = None, engine: str = "fast") -> BinanceCapture:
    """Parse one or several capture files (in order) into one :class:`BinanceCapture`.

    ``symbol``: keep only this symbol's depth/trade/bookTicker events (case-insensitive); by
    default all are kept and more than one symbol in the depth stream is an error. REST snapshots
    name no symbol and are always kept: a multi-symbol capture needs one snapshot stream per file.
    ``engine``: ``"fast"`` or ``"reference"``, see :func:`iter_binance_messages`. Raises
    :class:`~obi_widgets.errors.DataFormatError` naming the file and line of a bad line.
    """
    cap = concat_captures(list(iter_binance_messages(paths, symbol=symbol, engine=engine)))
    if symbol is None and len(cap.symbols) > 1:
        raise DataFormatError(
            f"{', '.join(map(str, cap.files))}: depth updates for several symbols {sorted(cap.symbols, key=str)}; pass symbol="
        )
    return cap


__all__ = ["BinanceCapture", "iter_binance_messages", "read_binance_messages", "concat_captures"]

"""Parsing Binance raw websocket captures into columnar message arrays (see :mod:`obi_widgets.io.binance`).

:func:`iter_binance_messages` reads one capture file or several consecutive ones and yields a
:class:`BinanceCapture` per run of lines (bounded memory: a day of a busy pair is never held as
text or Python objects); :func:`read_binance_messages` concatenates them. The book rebuild (the
exchange's sync rule) lives in :mod:`obi_widgets.io.binance`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
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


def _open_text(path: Path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


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
    - ``symbols``: the symbols seen; ``ignored``: count of messages of other kinds.
    """

    files: tuple[Path, ...]
    depth: dict
    levels: dict
    snapshots: list
    trades: dict
    bbo: dict
    symbols: frozenset
    ignored: int

    def where(self, i: int) -> str:
        """``file:line`` of depth message i."""
        return f"{self.files[int(self.depth['file'][i])]}:{int(self.depth['line'][i])}"


class _Columns:
    """The per-chunk Python lists the line loop appends to, turned into a BinanceCapture by ``take``."""

    def __init__(self) -> None:
        self.d = {k: [] for k in ("local_ts", "E", "U", "u", "pu", "n_bid", "n_ask", "file", "line")}
        self.bids: list = []
        self.asks: list = []
        self.lv_parts: list = []  # (m, 2) float arrays: the parsed strings are converted every _FLUSH messages
        self.snaps: list = []
        self.t = {k: [] for k in ("local_ts", "T", "E", "id", "price", "qty", "buyer_maker")}
        self.b = {k: [] for k in ("local_ts", "E", "u")}
        self.b_vals: list = []
        self.symbols: set = set()
        self.ignored = 0
        self.lines = 0

    def flush(self, where: str) -> None:
        if self.bids:
            self.lv_parts.append(_levels_array([x for pair in zip(self.bids, self.asks) for x in pair], where))
            self.bids.clear()
            self.asks.clear()

    def take(self, files: tuple[Path, ...], where: str) -> BinanceCapture:
        i64 = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        d = {k: i64(v) for k, v in self.d.items()}
        counts = d["n_bid"] + d["n_ask"]
        d["offset"] = np.cumsum(counts) - counts
        self.flush(where)
        lv = np.concatenate(self.lv_parts) if self.lv_parts else np.zeros((0, 2))
        side = np.repeat(
            np.tile(np.array([1, -1], np.int8), len(d["U"])), np.column_stack([d["n_bid"], d["n_ask"]]).ravel()
        )
        levels = {"side": side, "price": np.ascontiguousarray(lv[:, 0]), "qty": np.ascontiguousarray(lv[:, 1])}
        try:
            t: dict[str, np.ndarray] = {k: i64(self.t[k]) for k in ("local_ts", "T", "E", "id")}
            t["price"] = np.array(self.t["price"], dtype=np.float64)
            t["qty"] = np.array(self.t["qty"], dtype=np.float64)
            t["buyer_maker"] = np.array(self.t["buyer_maker"], dtype=bool)
            bv = np.array(self.b_vals, dtype=np.float64).reshape(-1, 4)
        except ValueError as exc:
            raise DataFormatError(f"{where}: a trade or bookTicker field is not a number: {exc}") from None
        bbo: dict[str, np.ndarray] = {k: i64(v) for k, v in self.b.items()}
        for j, key in enumerate(("bid", "bid_qty", "ask", "ask_qty")):
            bbo[key] = bv[:, j].copy()
        return BinanceCapture(files, d, levels, self.snaps, t, bbo, frozenset(self.symbols), self.ignored)


def iter_binance_messages(
    paths, *, symbol: str | None = None, chunk_lines: int = CHUNK_LINES
) -> Iterator[BinanceCapture]:
    """Parse one or several capture files (in order), yielding a :class:`BinanceCapture` per run of
    about ``chunk_lines`` lines (the last may be shorter; a file boundary does not end a chunk).

    The chunk contract the streaming rebuild relies on: chunks are consecutive and together cover
    every line once; ``file``/``line`` are global (index into ``files``, 1-based line in its file);
    ``offset`` and a snapshot's ``before_depth`` count WITHIN the chunk; ``symbols`` and ``ignored``
    are per chunk. Concatenating the chunks gives :func:`read_binance_messages`' result.

    ``symbol``: keep only this symbol's depth/trade/bookTicker events (case-insensitive). REST
    snapshots name no symbol and are always kept. Raises
    :class:`~obi_widgets.errors.DataFormatError` naming the file and line of a bad line.
    """
    if isinstance(chunk_lines, bool) or not isinstance(chunk_lines, int) or chunk_lines < 1:
        raise ParameterError(f"chunk_lines must be an int >= 1, got {chunk_lines!r}")
    files = tuple(_paths(paths))
    want = symbol.upper() if symbol else None
    loads = _loads
    c = _Columns()
    for fi, path in enumerate(files):
        with _open_text(path) as fh:
            for ln, line in enumerate(fh, 1):
                c.lines += 1
                sp = line.find(" ")
                if sp <= 0:
                    if not line.strip():
                        continue
                    raise DataFormatError(f"{path}:{ln}: expected '<local_ts_ns> <json>', got {line[:60]!r}")
                try:
                    local = int(line[:sp])
                    msg = loads(line[sp + 1 :])
                except ValueError as exc:
                    raise DataFormatError(f"{path}:{ln}: expected '<local_ts_ns> <json>': {exc}") from None
                if not isinstance(msg, dict):
                    raise DataFormatError(f"{path}:{ln}: expected a JSON object, got {type(msg).__name__}")
                data = msg.get("data", msg)
                try:
                    _add(c, data, local, fi, ln, path, want)
                except (KeyError, TypeError) as exc:
                    raise DataFormatError(
                        f"{path}:{ln}: message lacks the field {exc} (or it has the wrong type)"
                    ) from None
                if c.lines >= chunk_lines:
                    yield c.take(files, f"{path}:{ln}")
                    c = _Columns()
    if c.lines or not files:
        yield c.take(files, str(files[-1]))


def _add(c: _Columns, data: dict, local: int, fi: int, ln: int, path: Path, want: str | None) -> None:
    """Append one parsed message to the chunk's columns."""
    if "lastUpdateId" in data:
        where = f"{path}:{ln}"
        c.snaps.append(
            {
                "local_ts": local,
                "last_update_id": int(data["lastUpdateId"]),
                "before_depth": len(c.d["U"]),
                "file": fi,
                "line": ln,
                "bids": _levels_array([data["bids"]], where),
                "asks": _levels_array([data["asks"]], where),
            }
        )
        return
    sym = data.get("s")
    if want is not None and sym is not None and sym.upper() != want:
        return
    kind = data.get("e")
    if kind == "depthUpdate":
        c.symbols.add(sym)
        b, a = data["b"], data["a"]
        d = c.d
        d["local_ts"].append(local)
        d["E"].append(data["E"])
        d["U"].append(data["U"])
        d["u"].append(data["u"])
        d["pu"].append(data.get("pu", -1))
        d["n_bid"].append(len(b))
        d["n_ask"].append(len(a))
        d["file"].append(fi)
        d["line"].append(ln)
        c.bids.append(b)
        c.asks.append(a)
        if len(c.bids) >= _FLUSH:
            c.flush(f"{path}:{ln}")
    elif kind == "trade":
        t = c.t
        t["local_ts"].append(local)
        t["T"].append(data["T"])
        t["E"].append(data["E"])
        t["id"].append(data["t"])
        t["price"].append(data["p"])
        t["qty"].append(data["q"])
        t["buyer_maker"].append(bool(data["m"]))
    elif kind == "bookTicker" or (kind is None and "B" in data and "A" in data and "u" in data):
        c.b["local_ts"].append(local)
        c.b["E"].append(data.get("E", -1))
        c.b["u"].append(data["u"])
        c.b_vals.append((data["b"], data["B"], data["a"], data["A"]))
    else:
        c.ignored += 1


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
    return BinanceCapture(files, depth, levels, snaps, trades, bbo, symbols, sum(c.ignored for c in chunks))


def read_binance_messages(paths, *, symbol: str | None = None) -> BinanceCapture:
    """Parse one or several capture files (in order) into one :class:`BinanceCapture`.

    ``symbol``: keep only this symbol's depth/trade/bookTicker events (case-insensitive); by
    default all are kept and more than one symbol in the depth stream is an error. REST snapshots
    name no symbol and are always kept: a multi-symbol capture needs one snapshot stream per file.
    Raises :class:`~obi_widgets.errors.DataFormatError` naming the file and line of a bad line.
    """
    cap = concat_captures(list(iter_binance_messages(paths, symbol=symbol)))
    if symbol is None and len(cap.symbols) > 1:
        raise DataFormatError(
            f"{', '.join(map(str, cap.files))}: depth updates for several symbols {sorted(cap.symbols)}; pass symbol="
        )
    return cap


__all__ = ["BinanceCapture", "iter_binance_messages", "read_binance_messages", "concat_captures"]

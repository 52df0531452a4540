"""What the Tardis loaders share (private): file lists, headers, the clock, time order, meta."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .._time import format_ns
from ..errors import DataFormatError, ParameterError, TimestampError
from ._csv import read_first_line
from ._shared import CLOCKS, check_clock  # noqa: F401 - tardis.py uses them from here

US = 1_000  # Tardis times are microseconds
BOOK_COLUMNS = ("exchange", "symbol", "timestamp", "local_timestamp", "is_snapshot", "side", "price", "amount")
TRADE_COLUMNS = ("exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount")
LEVEL_COLUMN = re.compile(r"^(asks|bids)\[(\d+)\]\.(price|amount)$")


def snapshot_header(path, columns) -> tuple[int, dict[tuple[str, int, str], str]]:
    """Levels per side of a ``book_snapshot_N`` header and its level columns
    ``{(side, i, field): name}``; DataFormatError when none are there or some are missing."""
    found: dict[tuple[str, int, str], str] = {}
    for c in columns:
        m = LEVEL_COLUMN.match(c)
        if m:
            found[(m.group(1), int(m.group(2)), m.group(3))] = c
    n = 1 + max((k[1] for k in found), default=-1)
    if n == 0:
        raise DataFormatError(f"{path}: not a Tardis book_snapshot_N file: no asks[i].price / bids[i].price columns")
    missing = [
        f"{s}[{i}].{f}"
        for i in range(n)
        for s in ("asks", "bids")
        for f in ("price", "amount")
        if (s, i, f) not in found
    ]
    if missing:
        raise DataFormatError(f"{path}: book_snapshot columns missing: {missing[:4]}")
    return n, found


_OFFSET_SAMPLE = 65_536  # clock offsets kept per block (a strided sample of its rows)


def paths_of(paths) -> list[Path]:
    """The file list (one path or several, in the order given); missing files raise FileNotFoundError."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = [Path(p) for p in paths]
    if not out:
        raise ParameterError("no Tardis file given")
    for p in out:
        if not p.exists():
            raise FileNotFoundError(f"Tardis CSV file not found: {p}")
    return out


def header(path: Path) -> list[str]:
    """The header's column names; an empty file raises DataFormatError saying so."""
    line = read_first_line(path, "Tardis")
    if line is None:
        raise DataFormatError(f"{path}: empty file, expected a Tardis CSV with a header line")
    return [c.strip().strip('"') for c in line.split(",")]


def kind_of(columns) -> str:
    """incremental_book_L2, book_snapshot, trades or unknown, from the header."""
    cols = set(columns)
    if {"is_snapshot", "side", "price", "amount"} <= cols:
        return "incremental_book_L2"
    if any(LEVEL_COLUMN.match(c) for c in columns):
        return "book_snapshot"
    if {"id", "side", "price", "amount"} <= cols:
        return "trades"
    return "unknown"


def require(path: Path, columns, need, what: str) -> None:
    """DataFormatError unless the header has every column of ``need``."""
    missing = [c for c in need if c not in columns]
    if missing:
        raise DataFormatError(
            f"{path}: not a Tardis {what} file: missing column(s) {missing}; the header has {list(columns)} "
            f"(this looks like a {kind_of(columns)} file)"
        )


class TimeOrder:
    """Checks that the chosen clock never goes back, within a file and across files."""

    def __init__(self, what: str, clock: str):
        self.what, self.clock = what, clock
        self.last: int | None = None
        self.last_path: Path | None = None

    def check(self, path: Path, ts: np.ndarray, lines: np.ndarray) -> None:
        """Raise TimestampError naming the file line where ``ts`` (ns) goes backwards."""
        if not ts.size:
            return
        if self.last is not None and ts[0] < self.last:
            r, before = 0, self.last
        else:
            back = np.flatnonzero(ts[1:] < ts[:-1])
            r = int(back[0]) + 1 if back.size else -1
            before = int(ts[r - 1]) if r > 0 else 0
        if r >= 0:
            if r == 0 and self.last_path is not None and self.last_path != path:
                hint = (
                    f" (the files look out of order: {path.name} starts before the end of {self.last_path.name}; "
                    "give them in time order)"
                )
            elif self.clock == "exchange":
                hint = " (pass clock='local' to use the arrival times, which are in file order)"
            else:
                hint = ""
            raise TimestampError(
                f"{path}:{int(lines[r])}: {self.what} time goes backwards: {format_ns(int(ts[r]))} after "
                f"{format_ns(before)}{hint}"
            )
        self.last, self.last_path = int(ts[-1]), path


class ClockOffsets:
    """A sample of ``local_timestamp - timestamp`` (how far the capture's clock runs ahead of the
    exchange's), summarised as median and 5th/95th percentiles in ns."""

    def __init__(self):
        self.parts: list[np.ndarray] = []

    def add(self, exchange_us: np.ndarray, local_us: np.ndarray) -> None:
        """Sample the offsets of one block's rows."""
        n = exchange_us.shape[0]
        step = max(1, -(-n // _OFFSET_SAMPLE))
        self.parts.append(local_us[::step] - exchange_us[::step])

    def meta(self) -> dict:
        """``clock_offset_median_ns``, ``clock_offset_p5_ns``, ``clock_offset_p95_ns`` (empty if no row)."""
        if not self.parts:
            return {}
        d = np.concatenate(self.parts)
        if not d.size:
            return {}
        p5, med, p95 = np.percentile(d, [5, 50, 95])
        return {
            "clock_offset_median_ns": int(round(med * US)),
            "clock_offset_p5_ns": int(round(p5 * US)),
            "clock_offset_p95_ns": int(round(p95 * US)),
        }


def book_meta(exchanges: set, symbol: str | None, clock: str, tick: float = float("nan")) -> dict:
    """The Book.meta of a Tardis file: venue (the ``exchange`` column, when one), symbol, clock, tick."""
    meta: dict = {}
    if len(exchanges) == 1:
        meta["venue"] = str(next(iter(exchanges)))
    if symbol:
        meta["symbol"] = symbol
    meta["clock"] = clock
    if np.isfinite(tick):
        meta["tick"] = float(tick)
    return meta


def display_name(exchanges: set, symbol: str | None) -> str | None:
    """ "<exchange(s)> <symbol>", the default name of a Tardis book or trades."""
    return " ".join(x for x in (", ".join(sorted(exchanges)), symbol) if x) or None


def first_bad(path: Path, lines: np.ndarray, checks) -> None:
    """``checks``: (message, mask, value of row r) triples; raise DataFormatError at the first True
    row of any mask, its message with ``{v}`` replaced by the value's repr."""
    best = None
    for message, mask, value in checks:
        rows = np.flatnonzero(mask)
        if rows.size and (best is None or rows[0] < best[0]):
            best = (int(rows[0]), message, value)
    if best is not None:
        r, message, value = best
        raise DataFormatError(f"{path}:{int(lines[r])}: " + message.replace("{v}", repr(value(r))))

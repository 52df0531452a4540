"""The streaming Binance rebuild behind :func:`~obi_widgets.io.binance.read_binance` and
:func:`~obi_widgets.io.binance.iter_binance`: one parsed chunk at a time through the sync rule
(:mod:`obi_widgets.io._binance_sync`), the incremental builder, and one clock for every series.

Per chunk: the sequencer's ops become builder rows (``plan_rows``), the builder is fed and drained,
trades are stamped, and bookTicker rows are stamped on the result's clock (:class:`BboStamper`);
only the output arrays are kept. Parsing runs one chunk ahead in a thread (:func:`prefetch`), so
the GIL-free builder kernels overlap the parse of the next chunk.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .._time import format_ns
from ..errors import DataFormatError
from ._binance_sync import StreamSequencer, diffs_of, plan_rows
from .builder import BookBuilder

_MS = 1_000_000
_I64_MIN = np.iinfo(np.int64).min


# -- growing output arrays ---------------------------------------------------------------------
class Grow:
    """An output column filled chunk by chunk. It grows in place (``ndarray.resize``: realloc, which
    moves large blocks with mremap instead of copying them), so the whole column is never held twice."""

    def __init__(self, dtype, width: int | None = None):
        self.width = width
        self.arr = np.empty((0,) if width is None else (0, width), dtype=dtype)
        self.n = 0

    def _shape(self, rows: int) -> tuple[int, ...]:
        return (rows,) if self.width is None else (rows, self.width)

    def add(self, values: np.ndarray) -> None:
        """Append rows."""
        m = int(values.shape[0])
        need = self.n + m
        if need > self.arr.shape[0]:
            self.arr.resize(self._shape(need + need // 16 + 1024), refcheck=False)
        self.arr[self.n : need] = values
        self.n = need

    def take(self) -> np.ndarray:
        """The filled rows (trimmed in place; the Grow is spent)."""
        self.arr.resize(self._shape(self.n), refcheck=False)
        return self.arr


# -- parse one chunk ahead ----------------------------------------------------------------------
# -- file order -----------------------------------------------------------------------------------
def first_line_ts(path: Path) -> int | None:
    """The capture time (ns) on the first non-blank line of a capture file, or None."""
    try:
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if gz else open(path, "rb") as fh:
            for _ in range(1000):
                line = fh.readline()
                if not line:
                    return None
                head = line.split(b" ", 1)[0].strip()
                if head:
                    return int(head)
    except (OSError, EOFError, ValueError):
        return None
    return None


class FileOrder:
    """First/last capture time of every file (from its depth and snapshot lines), to tell when the
    files were given out of order."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[int, int]] = {}  # file -> (line, local_ts)
        self.last: dict[int, tuple[int, int]] = {}
        self.regression: str = ""
        self.files: tuple = ()
        self.last_depth_file = -1

    def update(self, cap) -> np.ndarray:
        """Record a chunk; returns the ``file_start`` flag of each of its depth diffs."""
        self.files = cap.files
        d = cap.depth
        f = np.concatenate([d["file"], np.array([s["file"] for s in cap.snapshots], dtype=np.int64)])
        ln = np.concatenate([d["line"], np.array([s["line"] for s in cap.snapshots], dtype=np.int64)])
        t = np.concatenate([d["local_ts"], np.array([s["local_ts"] for s in cap.snapshots], dtype=np.int64)])
        new_files = []
        for fi in np.unique(f).tolist():
            sel = np.flatnonzero(f == fi)
            lo, hi = sel[np.argmin(ln[sel])], sel[np.argmax(ln[sel])]
            if fi not in self.first or ln[lo] < self.first[fi][0]:
                if fi not in self.first:
                    new_files.append(fi)
                self.first[fi] = (int(ln[lo]), int(t[lo]))
            if fi not in self.last or ln[hi] > self.last[fi][0]:
                self.last[fi] = (int(ln[hi]), int(t[hi]))
        for fi in new_files:
            prev = fi - 1
            if not self.regression and prev in self.last and self.first[fi][1] < self.last[prev][1]:
                self.regression = (
                    f"; the files look out of order: {self.files[fi]} starts at {format_ns(self.first[fi][1])} "
                    f"(capture clock), before {self.files[prev]} ends at {format_ns(self.last[prev][1])}"
                    + self.suggestion()
                )
        fd = d["file"]
        start = np.ones(fd.shape[0], dtype=bool)
        if fd.shape[0]:
            start[1:] = fd[1:] != fd[:-1]
            start[0] = int(fd[0]) != self.last_depth_file
            self.last_depth_file = int(fd[-1])
        return start

    def suggestion(self) -> str:
        """'; by their first lines the order would be: ...' when that order differs from the given one."""
        firsts = [first_line_ts(Path(p)) for p in self.files]
        if any(v is None for v in firsts) or len(firsts) < 2:
            return ""
        order = sorted(range(len(firsts)), key=lambda k: firsts[k])  # type: ignore[arg-type, return-value]
        if order == list(range(len(firsts))):
            return ""
        return "; by their first lines the order would be: " + ", ".join(str(self.files[k]) for k in order)

    def gap_hint(self, i: int, work) -> str:
        """Extra text for a sequence gap at diff i of ``work``."""
        fi = int(work.depth["file"][i])
        text = self.regression
        if bool(work.depth["file_start"][i]) and len(self.files) > 1:
            text += (
                f"; this is the first depth update of {self.files[fi]}: at a file boundary a gap means a file is "
                "missing or the files are out of order" + ("" if self.regression else self.suggestion())
            )
        return text


# -- bookTicker on the result's clock -------------------------------------------------------------
class BboStamper:
    """Stamps bookTicker rows on the result's clock.

    ``clock="local"``: the capture time of each line. ``clock="exchange"``: the event time ``E``
    when the message has one (futures); else (spot) the event time of the depth diff whose
    ``[U, u]`` contains the row's update id ``u`` (exact: that diff is the exchange's batch that
    includes the update), found by searchsorted over the diffs whose ``u`` is a new maximum; a row
    whose ``u`` falls in no diff (before the first diff, in a hole of the diff stream, after the last
    one) gets its capture time plus the clock offset ``E - capture time`` measured at the next diff
    (at the last diff, after it). Rows whose containing diff has not been read yet wait for the next
    chunk. Stamps are kept non-decreasing (a stamp below the one before is raised to it, counted).
    """

    TAIL = 1 << 16  # diffs kept to stamp late bookTicker rows (about 1.8 h of 100 ms diffs)

    def __init__(self, clock: str):
        self.clock = clock
        z = np.zeros(0, dtype=np.int64)
        self.hU, self.hu, self.hE, self.hlag = z, z, z, z
        self.umax = _I64_MIN
        self.pending: dict | None = None
        self.ts_max = _I64_MIN
        self.counts = {"event_time": 0, "depth_diff": 0, "fallback": 0, "local": 0, "raised": 0}

    def add_diffs(self, d: dict) -> None:
        """Record a chunk's depth diffs (capture order)."""
        u = d["u"]
        if self.clock != "exchange" or not u.shape[0]:
            return
        before = np.maximum.accumulate(np.concatenate(([self.umax], u[:-1])))
        keep = u > before
        lag = d["E"][keep] * _MS - d["local_ts"][keep]
        self.hU = np.concatenate([self.hU, d["U"][keep]])[-self.TAIL :]
        self.hu = np.concatenate([self.hu, u[keep]])[-self.TAIL :]
        self.hE = np.concatenate([self.hE, d["E"][keep]])[-self.TAIL :]
        self.hlag = np.concatenate([self.hlag, lag])[-self.TAIL :]
        self.umax = max(self.umax, int(u.max()))

    def take(self, bbo: dict | None, final: bool) -> dict:
        """The rows of ``bbo`` (after any still pending) that can be stamped now, with ``ts``."""
        parts = [p for p in (self.pending, bbo) if p is not None and p["u"].shape[0]]
        self.pending = None
        if not parts:
            return {}
        rows = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        n = rows["u"].shape[0]
        if self.clock == "local":
            ts = rows["local_ts"].copy()
            self.counts["local"] += n
        else:
            has_e = rows["E"] >= 0
            ts = np.where(has_e, rows["E"] * _MS, 0)
            need = np.flatnonzero(~has_e)
            x = rows["u"][need]
            pos = np.searchsorted(self.hu, x, side="left")
            late = pos >= self.hu.shape[0]
            if late.any() and not final:  # wait for the diff that will contain them (keep the order)
                cut = int(need[int(np.argmax(late))])
                self.pending = {k: v[cut:] for k, v in rows.items()}
                rows = {k: v[:cut] for k, v in rows.items()}
                ts = ts[:cut]
                keep = need < cut
                need, x, pos = need[keep], x[keep], pos[keep]
                n = cut
            if need.shape[0]:
                if not self.hu.shape[0]:  # no diff at all: the capture clock (offset unknown)
                    ts[need] = rows["local_ts"][need]
                    self.counts["fallback"] += int(need.shape[0])
                else:
                    p = np.minimum(pos, self.hu.shape[0] - 1)
                    inside = (pos < self.hu.shape[0]) & (self.hU[p] <= x)
                    ts[need] = np.where(inside, self.hE[p] * _MS, rows["local_ts"][need] + self.hlag[p])
                    self.counts["depth_diff"] += int(np.count_nonzero(inside))
                    self.counts["fallback"] += int(need.shape[0] - np.count_nonzero(inside))
            self.counts["event_time"] += int(n - need.shape[0])
        if n:
            mono = np.maximum.accumulate(np.concatenate(([self.ts_max], ts)))[1:]
            self.counts["raised"] += int(np.count_nonzero(mono != ts))
            ts = mono
            self.ts_max = int(ts[-1])
        out = {k: v for k, v in rows.items()}
        out["ts"] = ts
        return out


# -- one chunk at a time ----------------------------------------------------------------------------
def _empty_book(levels: int) -> tuple:
    e = np.zeros((0, levels))
    return (np.zeros(0, np.int64), e, e.copy(), e.copy(), e.copy(), np.zeros(0, np.int64))


class Rebuild:
    """The state of one streaming rebuild; :meth:`chunk` takes a parsed chunk and returns its output
    arrays (a dict), :meth:`finish` the rows held back until the end."""

    def __init__(self, *, levels, market, clock, on_gap, symbol, tick_size, name):
        self.levels = levels
        self.market = None if market == "auto" else market
        self.clock = clock
        self.symbol = symbol.upper() if symbol else None
        self.sym: str | None = self.symbol
        self.user_name = name
        self.builder = BookBuilder(levels, tick_size=tick_size, name=name)
        self.order = FileOrder()
        self.seq = StreamSequencer(self.market == "futures", on_gap, (), self.order.gap_hint)
        self.bbo = BboStamper(clock)
        self.files: tuple = ()
        self.symbols: set = set()
        self.snapshots_seen = 0
        self.counts = {"depth": 0, "trade": 0, "bookTicker": 0, "snapshot": 0, "ignored": 0}
        self.parser_counts: dict[str, int] = {}
        self.lags: list[np.ndarray] = []
        self.rows_out = 0
        self.chunks = 0

    @property
    def known(self) -> bool:
        """True once the market (spot/futures) is known: from the first depth diff, or the end."""
        return self.market is not None

    @property
    def name(self) -> str:
        """The result's name."""
        if self.user_name is not None:
            return self.user_name
        market = self.market or "spot"
        return f"binance {market} {self.sym}" if self.sym else f"binance {market}"

    def _account(self, cap) -> None:
        self.counts["depth"] += int(cap.depth["U"].shape[0])
        self.counts["trade"] += int(cap.trades["T"].shape[0])
        self.counts["bookTicker"] += int(cap.bbo["u"].shape[0])
        self.counts["snapshot"] += len(cap.snapshots)
        self.counts["ignored"] += int(cap.ignored)
        extra = getattr(cap, "lines", None)  # what the parser reports, when it does
        if isinstance(extra, Mapping):
            for k, v in extra.items():
                self.parser_counts[k] = self.parser_counts.get(k, 0) + int(v)
        elif isinstance(extra, (int, np.integer)) and not isinstance(extra, bool):
            self.parser_counts["read"] = self.parser_counts.get("read", 0) + int(extra)

    def chunk(self, cap) -> dict:
        """Sequence, build and stamp one parsed chunk; returns its output arrays."""
        self.chunks += 1
        self.files = cap.files
        self.seq.files = cap.files
        self._account(cap)
        self.symbols |= set(cap.symbols)
        if self.symbol is None and len(self.symbols) > 1:
            raise DataFormatError(
                f"{', '.join(map(str, cap.files))}: depth updates for several symbols {sorted(self.symbols)}; pass symbol="
            )
        d = cap.depth
        if d["U"].shape[0]:
            if self.market is None:
                self.market = "futures" if bool((d["pu"] >= 0).any()) else "spot"
                self.seq.futures = self.market == "futures"
            if self.sym is None and cap.symbols:
                self.sym = next(iter(cap.symbols))
            self.lags.append(d["E"] * _MS - d["local_ts"])
        file_start = self.order.update(cap)
        self.snapshots_seen += len(cap.snapshots)
        work, msg, emit_op, gap_op = self.seq.run(diffs_of(cap, file_start), cap.snapshots)
        book = _empty_book(self.levels)
        gap = np.zeros(0, bool)
        uid = np.zeros(0, np.int64)
        etime = np.zeros(0, np.int64)
        if msg.shape[0]:
            side, price, size, ts, reset, emit, row_op = plan_rows(work, cap.snapshots, msg, emit_op, self.clock)
            first = self.builder.rows_in
            self.builder.feed(ts, side, price, size, emit=emit, reset=reset)
            drained = self.builder.drain()
            if drained[0].shape[0]:
                book = drained
                op = row_op[drained[5] - first]
                m = msg[op]
                gap = gap_op[op]
                uid = work.depth["u"][m]
                etime = work.depth["E"][m] * _MS
        t = cap.trades
        trades = {
            "ts": t["T"] * _MS if self.clock == "exchange" else t["local_ts"],
            "price": t["price"],
            "size": t["qty"],
            "side": np.where(t["buyer_maker"], -1, 1).astype(np.int8),
            "id": t["id"],
        }
        self.bbo.add_diffs(d)
        part = {
            "book": book,
            "gap": gap,
            "update_id": uid,
            "event_time_ns": etime,
            "trades": trades,
            "bbo": self.bbo.take(cap.bbo, final=False),
            "row0": self.rows_out,
            "depth_lag": self.lags[-1] if d["U"].shape[0] else np.zeros(0, np.int64),
        }
        self.rows_out += int(book[0].shape[0])
        return part

    def finish(self) -> dict:
        """The bookTicker rows held back for a diff that never came; raises when the capture
        had no snapshot (the book cannot be rebuilt)."""
        if self.market is None:
            self.market = "spot"
        if not self.snapshots_seen:
            files = ", ".join(map(str, self.files))
            raise DataFormatError(
                f'{files}: no REST depth snapshot ({{"lastUpdateId": ...}} line); the book cannot be rebuilt '
                "from diffs alone" + self.order.regression
            )
        e = np.zeros(0, np.int64)
        empty_trades = {"ts": e, "price": np.zeros(0), "size": np.zeros(0), "side": np.zeros(0, np.int8), "id": e}
        return {
            "book": _empty_book(self.levels),
            "gap": np.zeros(0, bool),
            "update_id": e,
            "event_time_ns": e,
            "trades": empty_trades,
            "bbo": self.bbo.take(None, final=True),
            "row0": self.rows_out,
            "depth_lag": e,
        }

    def offset_stats(self, lags: np.ndarray | None = None) -> dict:
        """``clock_offset_ns`` (median of E - capture time over depth diffs) and its p5 / p95."""
        lag = lags if lags is not None else (np.concatenate(self.lags) if self.lags else np.zeros(0, np.int64))
        if not lag.shape[0]:
            return {"clock_offset_ns": None, "clock_offset_p5_ns": None, "clock_offset_p95_ns": None}
        p5, p50, p95 = np.percentile(lag, [5, 50, 95])
        return {"clock_offset_ns": int(p50), "clock_offset_p5_ns": int(p5), "clock_offset_p95_ns": int(p95)}

    def bbo_stamp(self) -> str:
        """How the bookTicker rows were stamped, in words."""
        c = self.bbo.counts
        if self.clock == "local":
            return "capture time of each line"
        parts = []
        if c["event_time"]:
            parts.append(f"event time E ({c['event_time']} rows)")
        if c["depth_diff"]:
            parts.append(f"E of the depth diff containing u ({c['depth_diff']} rows)")
        if c["fallback"]:
            parts.append(f"capture time + offset at the nearest diff ({c['fallback']} rows)")
        return "; ".join(parts) or "none"


# -- capture lines in batches (live feeds) ----------------------------------------------------------
class LineRebuild:
    """The streaming rebuild fed capture lines in batches: the incremental entry point of a live feed.

    ``feed(lines)`` takes lines of the capture format (``b"<local_ts_ns> <json>"``: combined-stream
    envelopes, bare events, REST snapshots ``{"lastUpdateId": ...}``), parses them with the reference
    parser (:func:`~obi_widgets.io.binance_messages._parse_line`), and runs them through the SAME
    :class:`Rebuild` (sync rule :class:`~obi_widgets.io._binance_sync.StreamSequencer`, builder,
    bookTicker stamper) as :func:`~obi_widgets.io.binance.iter_binance`; it returns the batch's
    :class:`~obi_widgets.io.builder.BuildResult` (book rows, ``flags`` ``"gap"`` / ``"crossed"``,
    trades, bookTicker, ``meta``). Concatenating the results of any split of the lines into batches
    gives :func:`~obi_widgets.io.binance.read_binance`'s result on a file of those lines (same
    ``levels``, ``market``, ``clock``, ``on_gap="flag"``, ``on_crossed="flag"``).

    ``market``: "spot" or "futures" (the sync rule must be known before the first diff).
    ``skip_bad``: a line the parser refuses is skipped and counted (``bad_lines``, ``last_error``)
    instead of raising :class:`~obi_widgets.errors.DataFormatError` (a live feed must not stop on
    one bad message; a depth diff lost that way shows up as a sequence gap). ``label``: the name the
    lines go by in messages (``<label>:<line number>``).

    A sequence gap puts the sequencer in gap mode (:attr:`in_gap`): rows keep coming, flagged, until
    a REST snapshot line newer than the gap is fed, exactly as a capture that holds a later snapshot.
    Memory stays bounded: only the last batch's clock offsets are kept (``meta`` of each result
    gives the offset over that batch).
    """

    def __init__(
        self,
        *,
        levels: int = 10,
        market: str = "spot",
        clock: str = "exchange",
        on_crossed: str = "flag",
        symbol: str | None = None,
        tick_size: float | None = None,
        name: str | None = None,
        skip_bad: bool = True,
        label: str = "<live>",
    ):
        from ..errors import ParameterError

        if market not in ("spot", "futures"):
            raise ParameterError(f"market={market!r}: expected 'spot' or 'futures' for a line-fed rebuild")
        if clock not in ("exchange", "local"):
            raise ParameterError(f"clock={clock!r}: expected 'exchange' or 'local'")
        if on_crossed not in ("raise", "flag"):
            raise ParameterError(f"on_crossed={on_crossed!r}: expected one of ('raise', 'flag')")
        self.rb = Rebuild(
            levels=levels,
            market=market,
            clock=clock,
            on_gap="flag",
            symbol=symbol,
            tick_size=tick_size,
            name=name,
        )
        self.files = (Path(label),)
        self.want = symbol.upper() if symbol else None
        self.on_crossed = on_crossed
        self.skip_bad = skip_bad
        self.lines = 0
        self.bad_lines = 0
        self.last_error = ""
        self._last: dict = {"book": _I64_MIN, "trades": _I64_MIN, "bbo": _I64_MIN}

    @property
    def synced(self) -> bool:
        """True once a snapshot has been applied (there is a book, maybe flagged)."""
        return self.rb.seq.synced

    @property
    def in_gap(self) -> bool:
        """True while the sequencer is in gap mode (rows flagged until a newer snapshot is fed)."""
        from ._binance_sync import GAP

        return self.rb.seq.mode == GAP

    @property
    def stats(self) -> dict:
        """The sequencer's counts (stale_dropped, duplicates_dropped, snapshots_used, snapshots_ignored),
        ``gaps`` (how many), ``lines``, ``bad_lines`` and the message counts per kind."""
        seq = self.rb.seq
        return {
            **seq.stats,
            "gaps": len(seq.gaps),
            "lines": self.lines,
            "bad_lines": self.bad_lines,
            **{f"{k}_messages": v for k, v in self.rb.counts.items()},
        }

    def feed(self, lines):
        """Parse, sequence and build one batch of capture lines (bytes); returns its BuildResult."""
        from .binance import _chunk_result
        from .binance_messages import _Columns, _parse_line

        c = _Columns(self.files)
        path = self.files[0]
        for raw in lines:
            self.lines += 1
            try:
                _parse_line(c, raw, 0, self.lines, path, self.want)
            except DataFormatError as exc:
                if not self.skip_bad:
                    raise
                self.bad_lines += 1
                self.last_error = str(exc)
        cap = c.take()
        part = self.rb.chunk(cap)
        del self.rb.lags[:-1]  # a live feed runs for hours: keep only the last batch's offsets
        return _chunk_result(self.rb, part, self._last, self.on_crossed)

    def finish(self):
        """The bookTicker rows still waiting for the depth diff that contains them (a live feed holds
        them until it comes; at the end of a recording they take the fallback stamp, as in
        ``read_binance``), as a last BuildResult with no book rows. Raises DataFormatError when no
        snapshot was ever fed."""
        from .binance import _chunk_result

        return _chunk_result(self.rb, self.rb.finish(), self._last, self.on_crossed)

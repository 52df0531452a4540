"""The Binance sync rule as a streaming state machine (see :mod:`obi_widgets.io.binance` for the rule).

:class:`StreamSequencer` takes the depth diffs and REST snapshots of one parsed chunk at a time and
turns them into ops (apply diff, reset to snapshot, sample a row, flag it). The in-sync common case
(a run of diffs each following the previous one: spot ``U == prev u + 1``, futures ``pu == prev u``),
the buffering before a snapshot and the flagged gap mode are handled a whole run at a time with
numpy; the exact per-diff logic runs only around snapshots, stale diffs, duplicates and gaps.
Diffs still buffered at the end of a chunk (before the first snapshot, or since a gap) are kept as
a compact copy and put in front of the next chunk's diffs when a snapshot replays them.

:class:`ReferenceSequencer` is the simple per-message form of the same rule over a whole capture,
kept as the reference the streaming one is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import SequenceGapError

_MS = 1_000_000
_DEPTH_KEYS = ("local_ts", "E", "U", "u", "pu", "n_bid", "n_ask", "file", "line", "file_start")
NOBOOK, SYNCED, GAP = 0, 1, 2


# -- diffs --------------------------------------------------------------------------------------
@dataclass(eq=False)
class Diffs:
    """Depth diffs in capture order: ``depth`` dict of (D,) arrays (:data:`_DEPTH_KEYS` and
    ``offset``, the first row of each diff in ``levels``), ``levels`` dict ``side, price, qty``."""

    depth: dict
    levels: dict

    def __len__(self) -> int:
        return int(self.depth["U"].shape[0])


def _offsets(depth: dict) -> None:
    counts = depth["n_bid"] + depth["n_ask"]
    depth["offset"] = np.cumsum(counts) - counts


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + c)`` for every (start, count) pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total)


def diffs_of(cap, file_start: np.ndarray) -> Diffs:
    """The :class:`Diffs` of a parsed chunk (a BinanceCapture); ``file_start`` flags each diff that
    is the first depth diff of its file."""
    depth = {k: cap.depth[k] for k in _DEPTH_KEYS if k != "file_start"}
    depth["file_start"] = file_start
    depth["offset"] = cap.depth["offset"]
    return Diffs(depth, dict(cap.levels))


def gather(w: Diffs, idx: np.ndarray) -> Diffs:
    """The diffs ``idx`` of ``w`` (in that order) with their levels, as a compact copy."""
    depth = {k: w.depth[k][idx] for k in _DEPTH_KEYS}
    _offsets(depth)
    rows = ranges(w.depth["offset"][idx], w.depth["n_bid"][idx] + w.depth["n_ask"][idx])
    return Diffs(depth, {k: v[rows] for k, v in w.levels.items()})


def concat(parts: list[Diffs]) -> Diffs:
    """One :class:`Diffs` from several, in order."""
    if len(parts) == 1:
        return parts[0]
    depth = {k: np.concatenate([p.depth[k] for p in parts]) for k in _DEPTH_KEYS}
    _offsets(depth)
    return Diffs(depth, {k: np.concatenate([p.levels[k] for p in parts]) for k in parts[0].levels})


# -- planning the builder's input -----------------------------------------------------------------
def plan_rows(w: Diffs, snapshots: list, msg: np.ndarray, emit_op: np.ndarray, clock: str):
    """Delta rows (side, price, size, ts, reset, emit) for the ops, and the op of every row.

    ``msg[j] >= 0`` applies diff ``msg[j]`` of ``w``; ``msg[j] < 0`` resets the book to snapshot
    ``-msg[j] - 1`` of ``snapshots``. ``emit_op[j]`` samples a row after op j.
    """
    d, lv = w.depth, w.levels
    counts = d["n_bid"] + d["n_ask"]
    ts_msg = d["E"] * _MS if clock == "exchange" else d["local_ts"]
    n_rows = np.zeros(msg.shape[0], dtype=np.int64)
    is_snap = msg < 0
    diff_ops = np.flatnonzero(~is_snap)
    m = msg[diff_ops]
    c = np.maximum(counts[m], 1)  # an empty diff still gets one (marker) row to carry its emit
    n_rows[diff_ops] = c
    snap_ops = np.flatnonzero(is_snap)
    for j in snap_ops:
        snap = snapshots[-int(msg[j]) - 1]
        n_rows[j] = max(1, len(snap["bids"]) + len(snap["asks"]))
    total = int(n_rows.sum())
    side = np.zeros(total, dtype=np.int8)
    price = np.full(total, np.nan)
    size = np.full(total, np.nan)
    ts = np.zeros(total, dtype=np.int64)
    start = np.cumsum(n_rows) - n_rows
    rows = ranges(start[diff_ops], c)
    src = ranges(d["offset"][m], c)
    real = np.repeat(counts[m] > 0, c)
    rr, sr = rows[real], src[real]
    side[rr] = lv["side"][sr]
    price[rr] = lv["price"][sr]
    size[rr] = lv["qty"][sr]
    ts[rows] = np.repeat(ts_msg[m], c)
    for j in snap_ops:
        snap = snapshots[-int(msg[j]) - 1]
        nb, na = len(snap["bids"]), len(snap["asks"])
        a = int(start[j])
        side[a : a + nb] = 1
        side[a + nb : a + nb + na] = -1
        if nb + na:
            price[a : a + nb + na] = np.concatenate([snap["bids"][:, 0], snap["asks"][:, 0]])
            size[a : a + nb + na] = np.concatenate([snap["bids"][:, 1], snap["asks"][:, 1]])
        ts[a : a + n_rows[j]] = snap["local_ts"]  # never sampled: a snapshot op emits no row
    reset = np.zeros(total, dtype=bool)
    reset[start[is_snap]] = True
    emit = np.zeros(total, dtype=bool)
    last = start + n_rows - 1
    emit[last[emit_op]] = True
    row_op = np.repeat(np.arange(msg.shape[0]), n_rows)
    return side, price, size, ts, reset, emit, row_op


# -- the streaming sequencer ---------------------------------------------------------------------
class StreamSequencer:
    """The sync state machine over consecutive chunks (see the module docstring).

    ``futures``: the futures rule (``pu`` chain) instead of spot's; may be set before the first
    diff is sequenced. ``on_gap``: "raise" or "flag". ``files``: the capture's paths (for
    ``file:line`` in messages). ``hint(i, work)``: extra text for a gap at diff ``i`` of ``work``
    (e.g. that the files look out of order), "" when none.
    """

    def __init__(self, futures: bool, on_gap: str, files, hint: Callable[[int, Diffs], str]):
        self.futures = futures
        self.on_gap = on_gap
        self.files = files
        self.hint = hint
        self.mode = NOBOOK
        self.prev = -1  # last applied u, or the snapshot's L while expect_first
        self.expect_first = False
        self.replaying = False
        self.parts: list[Diffs] = []  # buffered diffs of earlier chunks (compact copies)
        self.buf: list[np.ndarray] = []  # buffered diffs of the current work (indices)
        self.stats = {"stale_dropped": 0, "duplicates_dropped": 0, "snapshots_used": 0, "snapshots_ignored": 0}
        self.gaps: list[str] = []
        self.buffered_peak = 0  # most diffs held for a replay at once

    @property
    def synced(self) -> bool:
        """True once a snapshot has been used (the book exists, maybe flagged)."""
        return self.mode != NOBOOK

    def buffered(self) -> int:
        """Diffs held for a replay right now."""
        return sum(len(p) for p in self.parts) + sum(int(b.shape[0]) for b in self.buf)

    # -- one chunk ----------------------------------------------------------------------------
    def run(self, work: Diffs, snapshots: list):
        """Sequence one chunk: its diffs ``work`` and its snapshots (``before_depth`` within the
        chunk). Returns ``(work, msg, emit, gap)``: the diffs the ops refer to (the chunk, with
        replayed diffs of earlier chunks in front when a snapshot needed them) and the op arrays."""
        self._set_work(work)
        self.base = 0
        self.ops_m: list[np.ndarray] = []
        self.ops_e: list[np.ndarray] = []
        self.ops_g: list[np.ndarray] = []
        self.n_ops = 0
        n = len(work)
        self.chunk_idx = np.arange(n, dtype=np.int64)
        chunk_breaks = self._breaks(self.chunk_idx)
        k, si = 0, 0
        while True:
            while si < len(snapshots) and snapshots[si]["before_depth"] <= k:
                self._snapshot(snapshots[si], si)
                si += 1
            if k >= n:
                break
            stop = snapshots[si]["before_depth"] if si < len(snapshots) else n
            k = self._advance(self.chunk_idx, chunk_breaks, k, stop)
        if self.buf:
            self.parts.append(gather(self.work, np.concatenate(self.buf)))
            self.buf = []
        self.buffered_peak = max(self.buffered_peak, self.buffered())
        if self.ops_m:
            msg, emit, gap = (np.concatenate(x) for x in (self.ops_m, self.ops_e, self.ops_g))
        else:
            msg, emit, gap = np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
        return self.work, msg, emit, gap

    def _set_work(self, work: Diffs) -> None:
        self.work = work
        self.U, self.u, self.pu = work.depth["U"], work.depth["u"], work.depth["pu"]

    def _breaks(self, idx: np.ndarray) -> np.ndarray:
        """Positions j >= 1 in ``idx`` where diff idx[j] does not follow diff idx[j - 1]."""
        if idx.shape[0] < 2:
            return np.zeros(0, dtype=np.int64)
        a, b = idx[:-1], idx[1:]
        ok = (self.pu[b] == self.u[a]) if self.futures else (self.U[b] == self.u[a] + 1)
        return np.flatnonzero(~ok) + 1

    def _ops(self, msg: np.ndarray, emit: bool, gap: bool) -> None:
        n = int(msg.shape[0])
        self.ops_m.append(np.array(msg, dtype=np.int64))
        self.ops_e.append(np.full(n, emit))
        self.ops_g.append(np.full(n, gap))
        self.n_ops += n

    # -- the rule, a run at a time ----------------------------------------------------------------
    def _advance(self, idx: np.ndarray, breaks: np.ndarray, k: int, stop: int) -> int:
        """Sequence diffs idx[k:stop] as far as one mode allows; returns the next position."""
        if self.mode == NOBOOK:
            self.buf.append(idx[k:stop])
            return stop
        if self.mode == GAP:  # applied when above every u so far, else a duplicate; all buffered
            seg = idx[k:stop]
            uu = self.u[seg]
            before = np.maximum.accumulate(np.concatenate(([self.prev], uu[:-1])))
            applied = uu > before
            self.buf.append(seg)
            self.stats["duplicates_dropped"] += int(seg.shape[0] - np.count_nonzero(applied))
            if applied.any():
                self._ops(seg[applied], not self.replaying, True)
                self.prev = max(self.prev, int(uu.max()))
            return stop
        if self.expect_first:  # skip the run of stale diffs, then the first diff by the exact rule
            seg = idx[k:stop]
            uu = self.u[seg]
            fresh = np.flatnonzero(uu >= self.prev if self.futures else uu > self.prev)
            j = int(fresh[0]) if fresh.size else int(seg.shape[0])
            self.stats["stale_dropped"] += j
            if j < seg.shape[0]:
                self._diff(int(seg[j]))
            return min(k + j + 1, stop)
        i = int(idx[k])
        if not self._next_ok(i, self.prev):
            self._diff(i)
            return k + 1
        nb = np.searchsorted(breaks, k, side="right")
        end = min(int(breaks[nb]) if nb < breaks.shape[0] else stop, stop)
        seg = idx[k:end]
        self._ops(seg, not self.replaying, False)
        self.prev = int(self.u[seg[-1]])
        return end

    def _next_ok(self, i: int, prev: int) -> bool:
        return bool(self.pu[i] == prev) if self.futures else bool(self.U[i] == prev + 1)

    def _diff(self, i: int) -> None:
        """One diff by the exact rule (as :meth:`ReferenceSequencer.diff`)."""
        u = int(self.u[i])
        if self.mode == NOBOOK:
            self.buf.append(np.array([i], dtype=np.int64))
        elif self.mode == GAP:
            self.buf.append(np.array([i], dtype=np.int64))
            if u <= self.prev:
                self.stats["duplicates_dropped"] += 1
            else:
                self._apply(i, True)
        elif self.expect_first:
            L, U = self.prev, int(self.U[i])
            if (u < L) if self.futures else (u <= L):
                self.stats["stale_dropped"] += 1
            elif (U <= L <= u) if self.futures else (U <= L + 1 <= u):
                self.expect_first = False
                self._apply(i, False)
            else:
                first = L if self.futures else L + 1
                self._gap(i, f"U <= {first} <= u for the first update after the snapshot (lastUpdateId={L})")
        elif self._next_ok(i, self.prev):
            self._apply(i, False)
        elif u <= self.prev:
            self.stats["duplicates_dropped"] += 1
        else:
            self._gap(i, f"pu={self.prev}" if self.futures else f"U={self.prev + 1}")

    def _apply(self, i: int, gap: bool) -> None:
        self._ops(np.array([i], dtype=np.int64), not self.replaying, gap)
        self.prev = int(self.u[i])

    def where(self, i: int) -> str:
        """``file:line`` of diff i of the current work."""
        d = self.work.depth
        return f"{self.files[int(d['file'][i])]}:{int(d['line'][i])}"

    def _gap(self, i: int, expected: str) -> None:
        got = f"U={int(self.U[i])}, u={int(self.u[i])}" + (f", pu={int(self.pu[i])}" if self.futures else "")
        text = f"{self.where(i)}: depth update ({got}) does not follow: expected {expected}"
        hint = self.hint(i, self.work)
        if self.on_gap == "raise":
            raise SequenceGapError(
                text + "; the book rebuilt from here would be wrong (pass on_gap='flag' to keep it, flagged)" + hint
            )
        self.gaps.append(text + hint)
        self.mode = GAP
        self.parts = []
        self.buf = [np.array([i], dtype=np.int64)]
        self.expect_first = False
        self._apply(i, True)

    # -- snapshots --------------------------------------------------------------------------------
    def _take_buffer(self) -> np.ndarray:
        """The buffered diffs as indices into the work, putting earlier chunks' ones in front."""
        if self.parts:
            shift = sum(len(p) for p in self.parts)
            self._set_work(concat([*self.parts, self.work]))
            self.parts = []
            self.ops_m = [np.where(m >= 0, m + shift, m) for m in self.ops_m]
            self.buf = [np.arange(shift, dtype=np.int64)] + [b + shift for b in self.buf]
            self.chunk_idx += shift
            self.base += shift
        out = np.concatenate(self.buf) if self.buf else np.zeros(0, dtype=np.int64)
        self.buf = []
        return out

    def _snapshot(self, snap: dict, s: int) -> None:
        if self.mode == SYNCED and not self.expect_first:
            self.stats["snapshots_ignored"] += 1
            return
        self.buffered_peak = max(self.buffered_peak, self.buffered())
        was_gap = self.mode == GAP
        buffered = self._take_buffer()
        self.stats["snapshots_used"] += 1
        self._ops(np.array([-s - 1], dtype=np.int64), False, False)
        self.mode, self.expect_first, self.prev = SYNCED, True, int(snap["last_update_id"])
        before = self.n_ops
        self.replaying = was_gap  # after a gap these diffs already gave rows; after the start they did not
        breaks = self._breaks(buffered)
        k = 0
        while k < buffered.shape[0]:
            k = self._advance(buffered, breaks, k, int(buffered.shape[0]))
        self.replaying = False
        if was_gap and self.n_ops > before:  # one row for the resynchronised state
            self.ops_e[-1][-1] = True
            self.ops_g[-1][-1] = self.mode == GAP


# -- the reference --------------------------------------------------------------------------------
class ReferenceSequencer:
    """The sync state machine per message over a whole parsed capture (the reference).

    An op is ``(msg, emit, gap)``: ``msg >= 0`` applies depth message ``msg``; ``msg < 0`` resets
    the book to snapshot ``-msg - 1``. ``emit`` samples a book row after it; ``gap`` flags that row.
    """

    def __init__(self, cap, futures: bool, on_gap: str):
        self.cap = cap
        self.futures = futures
        self.on_gap = on_gap
        d = cap.depth
        self.U, self.u, self.pu = d["U"].tolist(), d["u"].tolist(), d["pu"].tolist()
        self.ops: list[tuple[int, bool, bool]] = []
        self.mode = NOBOOK
        self.prev = -1
        self.expect_first = False
        self.buffer: list[int] = []
        self.replaying = False
        self.stats = {"stale_dropped": 0, "duplicates_dropped": 0, "snapshots_used": 0, "snapshots_ignored": 0}
        self.gaps: list[str] = []

    def _stale(self, i, L):
        return self.u[i] < L if self.futures else self.u[i] <= L

    def _first_ok(self, i, L):
        return self.U[i] <= L <= self.u[i] if self.futures else self.U[i] <= L + 1 <= self.u[i]

    def _next_ok(self, i, prev):
        return self.pu[i] == prev if self.futures else self.U[i] == prev + 1

    def _apply(self, i, gap):
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
        self.mode = GAP
        self.buffer = [i]
        self.expect_first = False
        self._apply(i, True)

    def diff(self, i):
        """One depth message by the rule."""
        if self.mode == NOBOOK:
            self.buffer.append(i)
        elif self.mode == GAP:
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
        """Snapshot s by the rule."""
        snap = self.cap.snapshots[s]
        if self.mode == SYNCED and not self.expect_first:
            self.stats["snapshots_ignored"] += 1
            return
        was_gap = self.mode == GAP
        buffered, self.buffer = self.buffer, []
        self.stats["snapshots_used"] += 1
        self.ops.append((-s - 1, False, False))
        self.mode, self.expect_first, self.prev = SYNCED, True, snap["last_update_id"]
        if not was_gap:
            for i in buffered:
                self.diff(i)
            return
        applied_before = len(self.ops)
        self.replaying = True
        for i in buffered:
            self.diff(i)
        self.replaying = False
        if len(self.ops) > applied_before:
            i, _, gap = self.ops[-1]
            self.ops[-1] = (i, True, self.mode == GAP)

    def run(self):
        """All ops of the capture, in order."""
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

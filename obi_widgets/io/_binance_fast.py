"""The fast engine of :func:`obi_widgets.io.binance_messages.iter_binance_messages`.

Two stages on two cores:

- a reader thread inflates each file in blocks of about :data:`BLOCK` bytes (ISA-L's
  ``isal_zlib`` when installed, about 2.5x zlib here; zlib otherwise; plain files are read as
  they are), cuts each block after its last newline and queues it; both inflaters release the GIL;
- the calling thread scans each block with the numba kernel
  :func:`._binance_scan_kernels.scan_block` (GIL released) into reusable scratch tables, copies
  the rows out as a piece, and hands every line the kernel refuses to the reference parser
  (:func:`.binance_messages._parse_line`), in order. The pieces of a chunk are joined with
  :func:`.binance_messages.concat_captures`.
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._lazy import lazy_module
from ..errors import DataFormatError
from .binance_messages import (
    LINE_COUNTS,
    BinanceCapture,
    _Columns,
    _empty_error,
    _gzip_message,
    _is_gzip,
    _parse_line,
    concat_captures,
)

_k = lazy_module("._binance_scan_kernels", __package__)

BLOCK = 1 << 22  # bytes of text per scanned block
_READ = 1 << 20  # compressed bytes per read
_ROW_BYTES = 30  # no line that yields a row is shorter: scratch tables hold len(block) // 30 + 1 rows
_LEVEL_BYTES = 9  # nor a level (["0","0"]) shorter than 9 bytes
_SYMS = 64  # distinct depth symbols the kernel knows (more go through the reference parser)
_QUEUE = 3  # blocks inflated ahead
_INFLATE_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error)


def _inflater():
    try:
        from isal import isal_zlib

        return isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
        return zlib


def _inflate_errors() -> tuple[type[BaseException], ...]:
    err: type[BaseException] = getattr(_inflater(), "error", zlib.error)
    return (*_INFLATE_ERRORS, err)


def _read_file(path: Path, gz: bool, put) -> int:
    """Queue the text of one file in blocks cut after a newline; return the text's length."""
    total = 0
    pending = bytearray()

    def emit(final: bool) -> None:
        nonlocal pending
        if final:
            if pending:
                put(("data", bytes(pending)))
            pending = bytearray()
            return
        cut = pending.rfind(b"\n")
        if cut >= 0:
            put(("data", bytes(pending[: cut + 1])))
            del pending[: cut + 1]

    with open(path, "rb") as f:
        if not gz:
            while True:
                piece = f.read(BLOCK)
                if not piece:
                    break
                total += len(piece)
                pending += piece
                emit(False)
            emit(True)
            return total
        try:
            return _inflate(f, pending, emit)
        except BaseException:
            emit(False)  # the complete lines before the failure are parsed first
            raise


def _inflate(f, pending: bytearray, emit) -> int:
    """The gzip part of :func:`_read_file`: members, zero padding, truncation."""
    total = 0
    zmod = _inflater()
    d = zmod.decompressobj(31)
    padding = False  # zero bytes after the last member (gzip allows them)
    while True:
        comp = f.read(_READ)
        if not comp:
            break
        while comp:
            if d.eof:  # a member ended: zero padding, or the next member
                if not comp.strip(b"\0"):
                    padding = True
                    break
                if padding:
                    raise zlib.error("data after the zero padding that follows the last gzip member")
                d = zmod.decompressobj(31)
            out = d.decompress(comp, BLOCK)
            comp = d.unused_data if d.eof else d.unconsumed_tail
            total += len(out)
            pending += out
            if len(pending) >= BLOCK:
                emit(False)
    if not d.eof:
        out = d.flush()
        total += len(out)
        pending += out
        if not d.eof:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")
    emit(True)
    return total


def _reader(files: tuple[Path, ...], q: queue.Queue, stop: threading.Event) -> None:
    """Thread body: every file's blocks, then ("eof", total, gz); ("error", exc) on a failure."""

    def put(item) -> None:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped

    try:
        for path in files:
            gz = _is_gzip(path)
            try:
                total = _read_file(path, gz, put)
            except _inflate_errors() as exc:
                put(("error", exc))
                return
            put(("eof", total, gz))
    except _Stopped:
        return
    except BaseException as exc:  # pragma: no cover - unexpected: handed to the consumer
        try:
            put(("crash", exc))
        except _Stopped:
            pass


class _Stopped(Exception):
    pass


class _Scratch:
    """Reusable output tables of the kernel for blocks up to ``nbytes`` bytes."""

    def __init__(self, nbytes: int) -> None:
        rows = nbytes // _ROW_BYTES + 1
        lv = nbytes // _LEVEL_BYTES + 1
        self.nbytes = nbytes
        self.di = np.zeros((rows, 8), np.int64)
        self.lv_side = np.zeros(lv, np.int8)
        self.lv_px = np.zeros(lv)
        self.lv_qty = np.zeros(lv)
        self.ti = np.zeros((rows, 4), np.int64)
        self.tf = np.zeros((rows, 2))
        self.tm = np.zeros(rows, np.bool_)
        self.bi = np.zeros((rows, 3), np.int64)
        self.bf = np.zeros((rows, 4))


class _Scan:
    """The calling thread's state: the kernel's counters, the known symbols, the pieces of the chunk."""

    def __init__(self, files: tuple[Path, ...], want: str | None, chunk_lines: int) -> None:
        k = _k
        self.k = k
        self.files = files
        self.want_str = want
        self.want = np.frombuffer((want or "").encode("utf-8", "replace"), np.uint8).copy()
        self.use_want = want is not None
        self.chunk_lines = chunk_lines
        self.syms = np.zeros((_SYMS, k.SYM_MAX), np.uint8)
        self.sym_len = np.zeros(_SYMS, np.int64)
        self.sym_hit = np.zeros(_SYMS, np.bool_)
        self.sym_names: list[str] = []
        self.st = np.zeros(k.ST_SIZE, np.int64)
        self.st[k.LEFT] = chunk_lines
        self.fs = np.zeros((k.N_KEYS, 3), np.int64)
        self.scratch = _Scratch(BLOCK)
        self.pieces: list[BinanceCapture] = []
        self.slow: _Columns | None = None
        self.lines_done = 0  # lines of the current chunk in finished pieces
        self.blank_cut = 0  # blank lines in all the pieces cut so far (slow lines are never blank)

    # -- pieces ------------------------------------------------------------------------------
    def _cut_fast(self, fi: int) -> None:
        """The scratch rows (and counts) since the last cut as a piece of the chunk."""
        k, st, sc = self.k, self.st, self.scratch
        nd, nl, nt, nb = int(st[k.ND]), int(st[k.NL]), int(st[k.NT]), int(st[k.NB])
        counts: dict[str, int] = dict.fromkeys(LINE_COUNTS, 0)
        counts |= {
            "blank": int(st[k.BLANK]),
            "other_symbol": int(st[k.OTHER]),
            "ignored_kind": int(st[k.IGNORED]),
            "depth": nd,
            "trade": nt,
            "bbo": nb,
        }
        counts["read"] = sum(counts[key] for key in ("blank", "other_symbol", "ignored_kind", "depth", "trade", "bbo"))
        if not counts["read"]:
            return
        di = sc.di[:nd]
        n_bid, n_ask = di[:, k.D_NBID].copy(), di[:, k.D_NASK].copy()
        cnt = n_bid + n_ask
        depth = {
            "local_ts": di[:, k.D_LOCAL].copy(),
            "E": di[:, k.D_E].copy(),
            "U": di[:, k.D_U].copy(),
            "u": di[:, k.D_u].copy(),
            "pu": di[:, k.D_PU].copy(),
            "n_bid": n_bid,
            "n_ask": n_ask,
            "file": np.full(nd, fi, np.int64),
            "line": di[:, k.D_LINE].copy(),
            "offset": np.cumsum(cnt) - cnt,
        }
        levels = {"side": sc.lv_side[:nl].copy(), "price": sc.lv_px[:nl].copy(), "qty": sc.lv_qty[:nl].copy()}
        ti, tf, bi, bf = sc.ti[:nt], sc.tf[:nt], sc.bi[:nb], sc.bf[:nb]
        trades = {
            "local_ts": ti[:, k.T_LOCAL].copy(),
            "T": ti[:, k.T_T].copy(),
            "E": ti[:, k.T_E].copy(),
            "id": ti[:, k.T_ID].copy(),
            "price": tf[:, 0].copy(),
            "qty": tf[:, 1].copy(),
            "buyer_maker": sc.tm[:nt].copy(),
        }
        bbo = {
            "local_ts": bi[:, k.B_LOCAL].copy(),
            "E": bi[:, k.B_E].copy(),
            "u": bi[:, k.B_u].copy(),
            "bid": bf[:, 0].copy(),
            "bid_qty": bf[:, 1].copy(),
            "ask": bf[:, 2].copy(),
            "ask_qty": bf[:, 3].copy(),
        }
        symbols = frozenset(self.sym_names[j] for j in np.flatnonzero(self.sym_hit[: len(self.sym_names)]))
        self.pieces.append(
            BinanceCapture(self.files, depth, levels, [], trades, bbo, symbols, counts["ignored_kind"], counts)
        )
        self.lines_done += counts["read"]
        self.blank_cut += counts["blank"]
        for i in (k.ND, k.NL, k.NT, k.NB, k.BLANK, k.OTHER, k.IGNORED):
            st[i] = 0
        self.sym_hit[:] = False

    def _cut_slow(self) -> None:
        if self.slow is not None:
            piece = self.slow.take()
            self.pieces.append(piece)
            self.lines_done += piece.lines["read"]
            self.slow = None

    def _fast_rows(self) -> bool:
        k, st = self.k, self.st
        return bool(st[k.ND] or st[k.NT] or st[k.NB])

    def take_chunk(self, fi: int) -> BinanceCapture:
        self._cut_slow()
        self._cut_fast(fi)
        pieces, self.pieces = self.pieces, []
        self.lines_done = 0
        self.st[self.k.LEFT] = self.chunk_lines
        if not pieces:
            return _Columns(self.files).take()
        return concat_captures(pieces)

    def lines_in_chunk(self) -> int:
        return self.chunk_lines - int(self.st[self.k.LEFT])

    # -- scanning ----------------------------------------------------------------------------
    def _learn_symbols(self, symbols) -> None:
        for sym in symbols:
            if sym is None or sym in self.sym_names or len(self.sym_names) >= _SYMS:
                continue
            raw = sym.encode("utf-8")
            if len(raw) > self.k.SYM_MAX:
                continue
            j = len(self.sym_names)
            self.syms[j, : len(raw)] = np.frombuffer(raw, np.uint8)
            self.sym_len[j] = len(raw)
            self.sym_names.append(sym)

    def block(self, data: bytes, fi: int, path: Path) -> Iterator[BinanceCapture]:
        """Scan one block of file ``fi`` (its lines continue the file's line count in st[LINE])."""
        k, st = self.k, self.st
        if len(data) > self.scratch.nbytes:
            self._cut_fast(fi)
            self.scratch = _Scratch(len(data))
        sc = self.scratch
        buf = np.frombuffer(data, np.uint8)
        st[k.POS] = 0
        while True:
            k.scan_block(
                buf, len(buf), self.want, self.use_want, self.syms, self.sym_len, self.sym_hit,
                len(self.sym_names), st, self.fs, sc.di, sc.lv_side, sc.lv_px, sc.lv_qty,
                sc.ti, sc.tf, sc.tm, sc.bi, sc.bf,
            )  # fmt: skip
            status = int(st[k.STATUS])
            if status == k.DONE:
                # the scratch tables are sized for one block: its rows become a piece now
                self._cut_slow()
                self._cut_fast(fi)
                return
            if status == k.FULL:
                yield self.take_chunk(fi)
                continue
            # SLOW: the reference parser takes this line, after the rows scanned before it
            if self._fast_rows():
                self._cut_slow()
                self._cut_fast(fi)
            if self.slow is None:
                self.slow = _Columns(self.files)
            s, e = int(st[k.SSTART]), int(st[k.SEND])
            ln = int(st[k.LINE]) + 1
            _parse_line(self.slow, data[s:e], fi, ln, path, self.want_str)
            self._learn_symbols(self.slow.symbols)
            st[k.POS] = e + 1
            st[k.LINE] = ln
            st[k.LEFT] -= 1
            if st[k.LEFT] <= 0:
                yield self.take_chunk(fi)


def iter_fast(files: tuple[Path, ...], want: str | None, chunk_lines: int) -> Iterator[BinanceCapture]:
    """The fast engine (see the module doc); same chunks as the reference engine."""
    scan = _Scan(files, want, chunk_lines)
    k = scan.k
    q: queue.Queue = queue.Queue(maxsize=_QUEUE)
    stop = threading.Event()
    thread = threading.Thread(target=_reader, args=(files, q, stop), name="obi-binance-inflate", daemon=True)
    thread.start()
    try:
        for fi, path in enumerate(files):
            scan.st[k.LINE] = 0
            blank0 = _blank_total(scan)
            while True:
                item = q.get()
                tag = item[0]
                if tag == "data":
                    yield from scan.block(item[1], fi, path)
                elif tag == "eof":
                    break
                elif tag == "error":
                    raise DataFormatError(_gzip_message(path, item[1], int(scan.st[k.LINE]))) from None
                else:  # pragma: no cover - a bug in the reader thread
                    raise item[1]
            _, total, gz = item
            scan._cut_slow()
            scan._cut_fast(fi)
            lines = int(scan.st[k.LINE])
            if total == 0 or _blank_total(scan) - blank0 == lines:
                raise _empty_error(path, gz, lines if total else 0)
        if scan.lines_in_chunk() or scan.pieces:
            yield scan.take_chunk(len(files) - 1)
    finally:
        stop.set()
        thread.join(timeout=5)


def _blank_total(scan: _Scan) -> int:
    """Blank lines counted so far: the empty-file check compares a file's share with its line count."""
    return scan.blank_cut + int(scan.st[scan.k.BLANK])

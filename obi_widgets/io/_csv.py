"""Streaming CSV reading shared by the Tardis and LOBSTER loaders (private).

A file (plain or gzip, detected from its first bytes) is read in blocks of whole lines
(``block_size`` bytes of text each) and every block is parsed by one numba pass
(:func:`obi_widgets.io._csv_kernels.parse_block`) into numpy columns: int64, float64, and int16
word codes (sides, flags, exchange and symbol names; :meth:`CsvReader.lut` maps the few distinct
words to values). A block the fast path does not take (quotes, exponents, blank lines, bad values)
is read by pyarrow's CSV reader instead, which also gives the numbers of the general cases; when
that fails too, the offending line is found (vectorised: field counts per line, then a regular
expression per typed column) and named as ``file:line``.

Reading and parsing run in a background thread (the kernel and zlib release the GIL), one or two
blocks ahead of the consumer, so a loader's own work (e.g. the book builder) overlaps with the
parse on a second core, and memory stays at a few blocks whatever the file's size.

Errors are :class:`~obi_widgets.errors.DataFormatError` naming the file: an empty file says it is
empty; a truncated or corrupt gzip names the last complete line read; a bad value names its line.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .._lazy import lazy_module
from ..errors import DataFormatError
from ._shared import prefetch

_k = lazy_module("._csv_kernels", __package__)  # numba loads on the first block

SKIP, INT, FLOAT, WORD = 0, 1, 2, 3  # the kernel's column kinds (same values)
BLOCK_SIZE = 8 << 20  # bytes of text per block: measured in benchmarks/bench_csv_loaders.py
_NULLS = ("", "NA", "N/A", "NaN", "nan", "-nan", "-NaN", "NULL", "null", "#N/A", "n/a", "None")
_INT_RE = r"^\s*[+-]?\d+\s*$"
_FLOAT_RE = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*[+-]?(inf|Inf|INF|infinity|Infinity)\s*$"
_EXPECT = {INT: "an integer", FLOAT: "a number"}


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _stream_error(path: Path, lines: int, exc: BaseException) -> DataFormatError:
    where = f"after line {lines} (the last complete line)" if lines else "before its first complete line"
    return DataFormatError(f"{path}: truncated or corrupt gzip file: the data ends {where}: {exc}")


def read_first_line(path: Path, what: str) -> str | None:
    """The first line of the file (decoded, without the newline), None for an empty file."""
    head = b""
    try:
        for piece in _raw_chunks(path, 1 << 16):
            head += piece
            if b"\n" in head or len(head) > 1 << 20:
                break
    except _Truncated as exc:
        head += exc.tail
        if b"\n" not in head:
            raise _stream_error(path, 0, exc.cause) from None
    line = head.split(b"\n", 1)[0]
    if not line.strip():
        return None
    return line.decode("utf-8", errors="replace").rstrip("\r")


class _Truncated(Exception):
    """The gzip stream broke off; ``tail`` is the text decompressed before the break."""

    def __init__(self, cause: BaseException, tail: bytes):
        super().__init__(str(cause))
        self.cause, self.tail = cause, tail


def _raw_chunks(path: Path, size: int) -> Iterator[bytes]:
    """The file's text in pieces of about ``size`` bytes; gzip (several members too) is inflated
    here with zlib so that a truncated or corrupt stream keeps the text before the break."""
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            f.seek(0)
            while data := f.read(size):
                yield data
            return
        f.seek(0)
        d = zlib.decompressobj(wbits=31)
        raw_size = max(size // 8, 1 << 16)
        out: list[bytes] = []
        held = 0
        try:
            while True:
                raw = f.read(raw_size)
                if not raw:
                    if not d.eof:
                        raise EOFError("compressed file ended before the end-of-stream marker was reached")
                    break
                while raw:
                    piece = d.decompress(raw)
                    if piece:
                        out.append(piece)
                        held += len(piece)
                    if d.eof:  # a member ended: the next one (if any) starts in unused_data
                        raw = d.unused_data.lstrip(b"\x00")  # zero padding after a member is skipped
                        d = zlib.decompressobj(wbits=31)
                        while not raw:
                            more = f.read(raw_size)
                            if not more:
                                if held:
                                    yield b"".join(out)
                                return
                            raw = more.lstrip(b"\x00")
                    else:
                        raw = b""
                if held >= size:
                    yield b"".join(out)
                    out, held = [], 0
            if held:
                yield b"".join(out)
        except (EOFError, zlib.error) as exc:
            raise _Truncated(exc, b"".join(out)) from None


def iter_text_blocks(path: Path, block_size: int, skip_lines: int = 0) -> Iterator[tuple[bytes, int]]:
    """``(block, first_line)``: the file's text in blocks of whole lines (each ends with a newline;
    a missing final newline is added) after ``skip_lines`` lines; ``first_line`` is the 1-based
    file line of the block's first line. A truncated or corrupt gzip yields its complete lines,
    then raises DataFormatError naming the last of them."""
    line = 1
    rest = b""
    skip = skip_lines
    chunks = _raw_chunks(path, block_size)
    while True:
        try:
            data = next(chunks, None)
        except _Truncated as exc:
            data = rest + exc.tail
            cut = data.rfind(b"\n") + 1
            good = data[:cut]
            while skip and good:
                nl = good.find(b"\n") + 1
                good, skip, line = good[nl:], skip - 1, line + 1
            if good:
                yield good, line
                line += good.count(b"\n")
            raise _stream_error(path, line - 1, exc.cause) from None
        if data is None:
            break
        data = rest + data if rest else data
        while skip:
            nl = data.find(b"\n") + 1
            if nl == 0:
                break
            data, skip, line = data[nl:], skip - 1, line + 1
        if skip:
            rest = data
            continue
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than the block: keep reading
            rest = data
            continue
        block, rest = data[:cut], data[cut:]
        yield block, line
        line += block.count(b"\n")
    if rest.strip() and not skip:
        yield rest + b"\n", line


class Block:
    """One parsed block: ``ints`` (n, I) int64, ``floats`` (n, F) float64, ``codes`` (n, W) int16,
    and where its rows are in the file (``lines``: the file line of each row)."""

    __slots__ = ("ints", "floats", "codes", "first_line", "_lines")

    def __init__(self, ints, floats, codes, first_line: int, lines: np.ndarray | None = None):
        self.ints, self.floats, self.codes = ints, floats, codes
        self.first_line = first_line
        self._lines = lines

    def __len__(self) -> int:
        return int(self.ints.shape[0])

    @property
    def lines(self) -> np.ndarray:
        """int64 (n,): the 1-based file line of every row."""
        if self._lines is None:
            return self.first_line + np.arange(len(self), dtype=np.int64)
        return self._lines


class CsvReader:
    """Reads one CSV file's columns by name, block by block (see the module docstring).

    ``header``: the file's column names in file order; ``kinds``: column name -> INT, FLOAT or
    WORD for the columns wanted (the others are skipped); ``has_header``: the first line is the
    header (Tardis) or data (LOBSTER); ``what``: the file kind, for messages.
    """

    def __init__(self, path: Path, header: list[str], kinds: Mapping[str, int], *, has_header: bool, what: str):
        self.path = path
        self.header = list(header)
        self.what = what
        self.has_header = has_header
        self.kind = [int(kinds.get(c, SKIP)) for c in self.header]
        counts = {INT: 0, FLOAT: 0, WORD: 0}
        self.slot: dict[str, tuple[int, int]] = {}
        slots = []
        for c, k in zip(self.header, self.kind):
            if k == SKIP:
                slots.append(0)
                continue
            slots.append(counts[k])
            self.slot[c] = (k, counts[k])
            counts[k] += 1
        self._counts = counts
        self._kinds = np.array(self.kind, dtype=np.int8)
        self._slots = np.array(slots, dtype=np.int64)
        w = max(counts[WORD], 1)
        self._tab = np.zeros((w, 64, 64), dtype=np.uint8)  # _csv_kernels.WORDS, WIDTH
        self._tab_len = np.zeros((w, 64), dtype=np.int64)
        self._tab_n = np.zeros(w, dtype=np.int64)
        self._prev = np.full(w, -1, dtype=np.int64)
        self.words: list[list[str]] = [[] for _ in range(w)]
        self._frozen = [False] * w  # a word the kernel's table cannot hold came first: table closed
        self._index: list[dict[str, int]] = [{} for _ in range(w)]
        self.rows = 0  # data rows read so far
        self.fallback_blocks = 0  # blocks the fast path handed to pyarrow

    # -- columns of a block ----------------------------------------------------------------------
    def column(self, block: Block, name: str) -> np.ndarray:
        """The column ``name`` of a block (a strided view for INT/FLOAT, codes for WORD)."""
        kind, s = self.slot[name]
        return {INT: block.ints, FLOAT: block.floats, WORD: block.codes}[kind][:, s]

    def lut(self, name: str, mapping: Callable[[str], Any], dtype) -> np.ndarray:
        """An array mapping every word code of column ``name`` seen so far to ``mapping(word)``."""
        _, s = self.slot[name]
        return np.array([mapping(w) for w in self.words[s]], dtype=dtype)

    def distinct(self, block: Block, name: str) -> list[str]:
        """The distinct words of column ``name`` in this block."""
        _, s = self.slot[name]
        codes = block.codes[:, s]
        if not codes.size:
            return []
        present = np.flatnonzero(np.bincount(codes, minlength=len(self.words[s])))
        return [self.words[s][int(k)] for k in present]

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def blocks(self, block_size: int = BLOCK_SIZE, *, background: bool = True) -> Iterator[Iterator[Block]]:
        """``with reader.blocks() as blocks:`` the parsed blocks in file order, read ahead in a
        thread when ``background`` (stopped when the ``with`` ends, also on an error)."""
        gen = self._parse_all(block_size)
        it = prefetch(gen, ahead=2, name="obi-csv-reader") if background else gen
        try:
            yield it
        finally:
            it.close()

    def read_all(self, block_size: int = BLOCK_SIZE) -> Block:
        """The whole file as one block (its columns concatenated)."""
        with self.blocks(block_size) as blocks:
            parts = list(blocks)
        if not parts:
            return self._empty(0, 1)
        if len(parts) == 1:
            return parts[0]
        lines = np.concatenate([p.lines for p in parts]) if any(p._lines is not None for p in parts) else None
        return Block(
            np.concatenate([p.ints for p in parts]),
            np.concatenate([p.floats for p in parts]),
            np.concatenate([p.codes for p in parts]),
            parts[0].first_line,
            lines,
        )

    def _empty(self, n: int, first_line: int) -> Block:
        c = self._counts
        return Block(
            np.empty((n, c[INT]), np.int64),
            np.empty((n, c[FLOAT]), np.float64),
            np.empty((n, c[WORD]), np.int16),
            first_line,
        )

    def _parse_all(self, block_size: int) -> Generator[Block, None, None]:
        for data, first_line in iter_text_blocks(self.path, block_size, skip_lines=1 if self.has_header else 0):
            block = self._parse(data, first_line)
            self.rows += len(block)
            if len(block):
                yield block

    def _sync_words(self) -> None:
        for s in range(self._tab_n.shape[0]):
            if self._frozen[s]:
                continue
            for k in range(len(self.words[s]), int(self._tab_n[s])):
                word = bytes(self._tab[s, k, : int(self._tab_len[s, k])]).decode("utf-8", errors="replace")
                self.words[s].append(word)
                self._index[s][word] = k

    def _code(self, s: int, word: str) -> int:
        code = self._index[s].get(word)
        if code is None:
            code = len(self.words[s])
            self.words[s].append(word)
            self._index[s][word] = code
            raw = word.encode()
            if self._frozen[s]:
                return code
            if code < self._tab.shape[1] and code == int(self._tab_n[s]) and len(raw) <= self._tab.shape[2]:
                self._tab[s, code, : len(raw)] = np.frombuffer(raw, np.uint8)
                self._tab_len[s, code] = len(raw)
                self._tab_n[s] = code + 1
            else:  # the kernel's table cannot follow: close it (the kernel falls back on new words)
                self._frozen[s] = True
                self._tab_len[s, int(self._tab_n[s]) :] = -1
                self._tab_n[s] = self._tab.shape[1]
        return code

    def _parse(self, data: bytes, first_line: int) -> Block:
        buf = np.frombuffer(data, dtype=np.uint8)
        n = data.count(b"\n")
        block = self._empty(n, first_line)
        rows, status, _ = _k.parse_block(
            buf,
            self._kinds,
            self._slots,
            block.ints,
            block.floats,
            block.codes,
            self._tab,
            self._tab_len,
            self._tab_n,
            self._prev,
        )
        self._sync_words()
        if status == _k.OK and rows == n:
            return block
        self.fallback_blocks += 1
        return self._arrow(data, buf, first_line)

    # -- the general path ------------------------------------------------------------------------
    def _arrow(self, data: bytes, buf: np.ndarray, first_line: int) -> Block:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        used = [c for c, k in zip(self.header, self.kind) if k != SKIP]
        types = {c: {INT: pa.int64(), FLOAT: pa.float64(), WORD: pa.binary()}[self.slot[c][0]] for c in used}
        try:
            table = pcsv.read_csv(
                pa.py_buffer(data),
                read_options=pcsv.ReadOptions(column_names=self.header, use_threads=False),
                convert_options=pcsv.ConvertOptions(
                    column_types=types,
                    include_columns=used,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise self._locate(data, buf, first_line, str(exc)) from None
        n = table.num_rows
        block = self._empty(n, first_line)
        block._lines = self._row_lines(buf, first_line)[:n]
        for c in used:
            kind, s = self.slot[c]
            col = table.column(c)
            if kind == WORD:
                enc = col.dictionary_encode().combine_chunks()
                words = [v.decode("utf-8", errors="replace") for v in enc.dictionary.to_pylist()]
                codes = np.array([self._code(s, w) for w in words], dtype=np.int16)
                block.codes[:, s] = codes[enc.indices.to_numpy(zero_copy_only=False)] if n else 0
                continue
            if col.null_count and kind == INT:
                r = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
                raise DataFormatError(f"{self.path}:{int(block.lines[r])}: {c} is empty, expected an integer")
            values = col.to_numpy()
            (block.ints if kind == INT else block.floats)[:, s] = values
        return block

    @staticmethod
    def _row_lines(buf: np.ndarray, first_line: int) -> np.ndarray:
        """File lines of the non-blank lines of a block (pyarrow skips blank lines)."""
        ends = np.flatnonzero(buf == 10)
        starts = np.concatenate([[0], ends[:-1] + 1])
        length = ends - starts
        cr = (length > 0) & (buf[np.maximum(ends - 1, 0)] == 13)
        keep = (length - cr) > 0
        return first_line + np.flatnonzero(keep).astype(np.int64)

    def _locate(self, data: bytes, buf: np.ndarray, first_line: int, message: str) -> DataFormatError:
        """The DataFormatError naming the first bad line of a block that pyarrow refused."""
        import pyarrow as pa
        import pyarrow.compute as _pc
        import pyarrow.csv as pcsv

        pc: Any = _pc  # compute functions are generated at import: invisible to type checkers

        ends = np.flatnonzero(buf == 10)
        starts = np.concatenate([[0], ends[:-1] + 1])
        commas = np.concatenate([[0], np.cumsum(buf == 44)])
        fields = commas[ends] - commas[starts] + 1
        blank = (ends - starts) - (buf[np.maximum(ends - 1, 0)] == 13) <= 0
        wrong = np.flatnonzero(~blank & (fields != len(self.header)))
        if wrong.size and '"' not in data[: int(ends[wrong[0]])].decode("latin-1"):
            r = int(wrong[0])
            text = data[int(starts[r]) : int(ends[r])].decode("utf-8", errors="replace")[:200]
            return DataFormatError(
                f"{self.path}:{first_line + r}: {int(fields[r])} fields, expected {len(self.header)} "
                f"({','.join(self.header)}): {text!r}"
            )
        try:
            table = pcsv.read_csv(
                pa.py_buffer(data),
                read_options=pcsv.ReadOptions(column_names=self.header, use_threads=False),
                convert_options=pcsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.header},
                    strings_can_be_null=False,
                    check_utf8=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            return DataFormatError(
                f"{self.path}: lines {first_line}-{first_line + len(ends) - 1}: not a valid {self.what} CSV: {exc}"
            )
        lines = self._row_lines(buf, first_line)
        first_bad: tuple[int, str, int] | None = None
        for c, kind in zip(self.header, self.kind):
            if kind not in (INT, FLOAT):
                continue
            col = table.column(c)
            ok = pc.match_substring_regex(col, _INT_RE if kind == INT else _FLOAT_RE)
            if kind == FLOAT:
                ok = pc.or_(ok, pc.is_in(col, value_set=pa.array(_NULLS)))
            bad = np.flatnonzero(~ok.to_numpy(zero_copy_only=False))
            if bad.size and (first_bad is None or int(bad[0]) < first_bad[0]):
                first_bad = (int(bad[0]), c, kind)
        if first_bad is not None:
            r, c, kind = first_bad
            value = table.column(c)[r].as_py()
            return DataFormatError(f"{self.path}:{int(lines[r])}: {c} is {value!r}, expected {_EXPECT[kind]}")
        return DataFormatError(
            f"{self.path}: lines {first_line}-{first_line + len(ends) - 1}: not a valid {self.what} CSV: {message}"
        )


__all__ = ["BLOCK_SIZE", "Block", "CsvReader", "FLOAT", "INT", "WORD", "SKIP", "is_gzip", "read_first_line"]

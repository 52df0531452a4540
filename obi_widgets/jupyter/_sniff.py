"""Looking at a file without loading it (private): its first bytes, its first lines, its name.

Only the head of a file is read (``HEAD_BYTES`` of text at most, inflated from a gzip stream on the
fly), so detecting the kind of a 10 GB capture costs the same as a small one. Gzip is inflated with
the standard ``zlib`` here: a head of a few tens of KB is inflated in well under a millisecond, so
the ``isal`` speed-up the Binance reader uses (``io/_binance_fast.py``) would not show.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFormatError

HEAD_BYTES = 64 << 10  # text looked at (decompressed): the Binance REST snapshot line is ~50 KB
_RAW_PIECE = 16 << 10  # compressed bytes read at a time
SHOWN = 80  # characters of a first line quoted in an error message

#: binary formats told from their first bytes: magic -> what it is
MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (xlsx, docx, zip...)",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"\x28\xb5\x2f\xfd": "a zstd archive",
    b"PAR1": "a Parquet file",
    b"\x93NUMPY": "a numpy .npy file",
    b"\x89HDF": "an HDF5 file",
    b"SQLite format 3": "an SQLite database",
}


@dataclass(frozen=True)
class Head:
    """The start of a file: ``text`` (decoded), whether that is the whole file, whether it was gzip."""

    text: str
    whole: bool
    gzip: bool

    @property
    def lines(self) -> list[str]:
        """The complete lines of the head (the last one only when the whole file was read), without
        their line ends; blank lines are kept."""
        parts = self.text.split("\n")
        if not self.whole:
            parts = parts[:-1]  # cut off mid-line
        elif parts and parts[-1] == "":
            parts = parts[:-1]
        return [p.rstrip("\r") for p in parts]

    @property
    def first_line(self) -> str:
        """The first line, even when cut off by the head's end (then as far as it was read)."""
        return self.text.split("\n", 1)[0].rstrip("\r")


def magic_of(path: Path) -> str | None:
    """What a binary file is, from its first bytes (None when no known magic matches)."""
    with open(path, "rb") as f:
        start = f.read(16)
    for magic, what in MAGIC.items():
        if start.startswith(magic):
            return what
    return None


def read_head(path: Path, size: int = HEAD_BYTES) -> Head:
    """The first ``size`` bytes of the file's text (gzip inflated, whatever the name says); no more
    than that is read (and inflated) from the file.

    Raises DataFormatError when the gzip stream is corrupt before any text, or when the text is not
    UTF-8 (a binary file)."""
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        if gz:
            data, whole = _inflate(path, f, size)
        else:
            raw = f.read(size + 1)
            data, whole = raw[:size], len(raw) <= size
    if b"\x00" in data:
        raise DataFormatError(f"{path}: a binary file (it holds NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 4:  # not just a character cut by the head's end
            raise DataFormatError(
                f"{path}: not a UTF-8 text file (byte {exc.start} is {data[exc.start]:#04x})"
            ) from None
        text = data[: exc.start].decode("utf-8")
    return Head(text, whole, gz)


def _inflate(path: Path, f, size: int) -> tuple[bytes, bool]:
    """Up to ``size`` bytes of text from the gzip file ``f`` (several members too, zero padding
    between them skipped), and whether that is all of its text (a truncated stream gives the text
    before the break: the loader names the break)."""
    out = bytearray()
    d = zlib.decompressobj(wbits=31)
    buf = b""
    boundary = False  # between two members: zero padding may come
    while len(out) < size:
        if not buf:
            buf = f.read(_RAW_PIECE)
            if not buf:
                return bytes(out), True
        if boundary:
            buf = buf.lstrip(b"\x00")
            if not buf:
                continue
            boundary = False
        try:
            out += d.decompress(buf, size - len(out))
        except zlib.error as exc:
            if out:  # a later member is damaged: what came before is still the head
                return bytes(out), False
            raise DataFormatError(f"{path}: a corrupt gzip file ({exc})") from None
        if d.eof:
            buf, boundary = d.unused_data, True
            d = zlib.decompressobj(wbits=31)
        else:
            buf = d.unconsumed_tail
    return bytes(out[:size]), False


def shorten(line: str, n: int = SHOWN) -> str:
    """The line quoted for a message: at most ``n`` characters, ``...`` when cut."""
    return repr(line if len(line) <= n else line[: n - 3] + "...")


def strip_gz(name: str) -> tuple[str, bool]:
    """(name without a trailing ``.gz``, whether it had one)."""
    if name.lower().endswith(".gz"):
        return name[:-3], True
    return name, False


def extension(name: str) -> str:
    """The name's extension, lower case, with ``.gz`` kept as a suffix (``.csv.gz``, ``.gz``, ``""``)."""
    base, gz = strip_gz(name)
    ext = Path(base).suffix.lower()
    if gz:
        return f"{ext}.gz" if ext else ".gz"
    return ext


def numeric_fields(line: str) -> int | None:
    """The number of comma-separated numeric fields of a line, None when one is not a number."""
    fields = line.split(",")
    for f in fields:
        try:
            float(f)
        except ValueError:
            return None
    return len(fields)


_BINANCE_LINE = re.compile(r"^(\d{10,20}) ([\[{])")


def binance_line(line: str) -> bool:
    """Whether a line looks like ``<int capture time> <json>``."""
    return _BINANCE_LINE.match(line) is not None


def binance_first_ts(line: str) -> int | None:
    """The capture time of a ``<int ts> <json>`` line."""
    m = _BINANCE_LINE.match(line)
    return int(m.group(1)) if m else None

"""What market-data file is this? :func:`detect` tells, from the file's name and first line.

Used by the JupyterLab extension (a double-click on a file creates a notebook beside it, pre-filled
with :meth:`FileKind.code`) and by the ``%obi open`` magic. Only the head of a file is read (64 KB
of text, gzip inflated on the fly), so detection is instant whatever the file's size.

Supported (:attr:`FileKind.kind`):

- ``"lobster"``: a LOBSTER message or orderbook CSV, ``<TICKER>_<date>_<start>_<end>_message_<L>.csv``
  / ``_orderbook_<L>.csv`` (plain or .gz, no header; 6 message columns, 4·L orderbook columns),
  with the pair's other file beside it;
- ``"tardis-incremental"``, ``"tardis-snapshot"``, ``"tardis-trades"``: Tardis CSV (plain or .gz),
  told by the header line (the columns :mod:`obi_widgets.io.tardis` reads); a trades file of the
  same exchange, day and symbol beside a book file (Tardis' file names) is loaded with it, and the
  other way round;
- ``"binance"``: a Binance raw capture (``<int ts> <json>`` lines, plain or .gz), spot or USD-M
  futures told by the first depth update (``pu``); a file without the REST snapshot takes the earlier
  files of the capture;
- ``"parquet"``: the kit's Parquet store (:mod:`obi_widgets.io.parquet`): its folder, a folder
  inside it or a part file.

Anything else raises :class:`~obi_widgets.errors.DataFormatError` whose message says why: not
found, a folder that is not a store, an empty file, a binary file (PNG, ...), an unknown extension,
a first line that looks like no supported format (quoted, shortened), a LOBSTER file without its
partner, a wrong column count.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import DataFormatError
from . import _formats as fmt
from ._kind import DEFAULT_LEVELS, KINDS, FileKind
from ._sniff import binance_line, extension, magic_of, numeric_fields, read_head, shorten

#: extensions of text files the kit may read (gzip or not); anything else is refused by name
TEXT_EXTENSIONS = (".csv", ".txt", ".log", ".jsonl", ".ndjson", ".json", ".dat", "")
_HEADER_NAME = re.compile(r"^[A-Za-z_][\w.\[\]-]*$")
SUPPORTED = (
    "LOBSTER message/orderbook CSV, Tardis incremental_book_L2 / book_snapshot_N / trades CSV, "
    "Binance raw captures (<ts> <json> lines) and the kit's own Parquet store"
)


def detect(path) -> FileKind:
    """The kind of market-data file at ``path``, from its name and first line(s).

    ``path``: a file, or a folder (the kit's Parquet store). Returns a :class:`FileKind` (its
    ``paths`` are every file the loader needs: a LOBSTER pair, a Tardis book file and the trades
    file beside it, the files of a Binance capture back to its snapshot). Raises
    :class:`~obi_widgets.errors.DataFormatError` when the kit cannot read it, the message saying
    why. Reads at most the first 64 KB of text of each file it looks at.
    """
    p = Path(os.path.abspath(Path(path).expanduser()))
    if not p.exists():
        what = "a broken symbolic link" if p.is_symlink() else "not found"
        raise DataFormatError(f"{p}: {what}")
    if p.is_dir():
        return fmt.parquet(p)
    if not p.is_file():
        raise DataFormatError(f"{p}: not a regular file")
    if p.stat().st_size == 0:
        raise DataFormatError(f"{p}: an empty file (0 bytes)")
    magic = magic_of(p)
    if magic == "a Parquet file":
        return fmt.parquet(p)
    if magic is not None:
        raise DataFormatError(f"{p}: {magic}, not market data (the kit reads {SUPPORTED})")
    ext = extension(p.name)
    if ext.removesuffix(".gz") not in TEXT_EXTENSIONS:
        raise DataFormatError(
            f"{p}: unknown extension {ext!r}: the kit reads .csv and .csv.gz (LOBSTER, Tardis), .gz, .txt or "
            ".jsonl (Binance captures) and .parquet (its own store)"
        )
    head = read_head(p)
    if not head.text.strip():
        raise DataFormatError(f"{p}: an empty file" + (" (a gzip stream of no text)" if head.gzip else " (blank)"))
    first = head.first_line
    if not first.strip():
        raise DataFormatError(f"{p}: the first line is blank; no supported format starts with a blank line")
    m = fmt.LOBSTER_NAME.match(p.name)
    if m is not None:
        return fmt.lobster(p, m, head)
    if binance_line(first):
        return fmt.binance(p, head)
    return _csv(p, first, head)


def _csv(p: Path, first: str, head) -> FileKind:
    """A CSV with a header (Tardis) or without one (LOBSTER named otherwise), else the reason it is not read."""
    n = numeric_fields(first)
    if n is not None:
        if n == 6:
            hint = "looks like a LOBSTER message file (6 numeric columns)"
        elif n % 4 == 0:
            hint = f"looks like a LOBSTER orderbook file ({n} numeric columns, 4 per level)"
        else:
            raise DataFormatError(
                f"{p}: a CSV of {n} numeric columns without a header matches no supported format (a LOBSTER message "
                f"file has 6 columns, an orderbook file 4 per level): {shorten(first)}"
            )
        raise DataFormatError(
            f"{p}: {hint}, but its name does not follow LOBSTER's {fmt.LOBSTER_PATTERN}, so the pair's other file "
            "cannot be found; rename the two files as LOBSTER names them"
        )
    columns = [c.strip().strip('"') for c in first.split(",")]
    if len(columns) > 1 and all(_HEADER_NAME.match(c) for c in columns):  # a header line of column names
        return fmt.tardis(p, head, columns)
    raise DataFormatError(
        f"{p}: the first line does not look like any supported format ({SUPPORTED}): {shorten(first)}"
    )


__all__ = ["detect", "FileKind", "DEFAULT_LEVELS", "KINDS", "TEXT_EXTENSIONS"]

"""The Parquet store's layout and file metadata: paths, part files, their footers and the checks
that parts agree (levels, tick, clock, meta, columns). See :mod:`obi_widgets.io.parquet` for the schema."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np

from .._time import to_ns
from ..errors import ParameterError, StoreError

SCHEMA_VERSION = 1
KINDS = ("book", "trades", "bbo")
NS_PER_DAY = 86_400 * 10**9
ROW_GROUP_ROWS = 1 << 20
_SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")
_PART = re.compile(r"^part-(\d+)\.parquet$")
_EXISTING = ("error", "append", "overwrite")


# -- layout ---------------------------------------------------------------------------------------
def book_columns(levels: int) -> list[str]:
    """The level columns of a book file with ``levels`` levels: ``bid_px_1..L, bid_sz_1..L, ask_px_1..L, ask_sz_1..L``."""
    return [f"{side}_{k}" for side in _SIDES for k in range(1, levels + 1)]


def partition_dir(root, kind: str, instrument: str, date: str) -> Path:
    """The folder of one instrument-day: ``root/kind=<kind>/instrument=<quoted>/date=<date>``."""
    return Path(root) / f"kind={kind}" / f"instrument={quote(instrument, safe='')}" / f"date={date}"


def _day(ns: int) -> str:
    return str(np.datetime64(ns // NS_PER_DAY, "D"))


def _parts(folder: Path) -> list[Path]:
    found = []
    for p in folder.iterdir() if folder.is_dir() else ():
        m = _PART.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def instruments(root, kind: str = "book") -> list[str]:
    """The instruments stored under ``root`` for ``kind`` (decoded), sorted; raises StoreError when none."""
    base = Path(root) / f"kind={_check_kind(kind)}"
    if not Path(root).is_dir():
        raise StoreError(f"no Parquet store at {root}: the folder does not exist")
    names = sorted(unquote(p.name[len("instrument=") :]) for p in base.glob("instrument=*") if p.is_dir())
    if not names:
        raise StoreError(f"{base} holds no instrument (expected folders instrument=<name>/date=YYYY-MM-DD)")
    return names


def dates(root, instrument: str, kind: str = "book") -> list[str]:
    """The dates (YYYY-MM-DD) stored for one instrument, sorted; raises StoreError when none."""
    base = Path(root) / f"kind={_check_kind(kind)}" / f"instrument={quote(instrument, safe='')}"
    if not base.is_dir():
        known = ", ".join(instruments(root, kind))
        raise StoreError(f"no instrument {instrument!r} in {Path(root) / f'kind={kind}'} (it holds: {known})")
    out = sorted(p.name[len("date=") :] for p in base.glob("date=*") if p.is_dir() and _parts(p))
    if not out:
        raise StoreError(f"{base} holds no part-N.parquet file")
    return out


def _check_kind(kind) -> str:
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


# -- metadata ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartInfo:
    """What a part file says about itself (its key-value metadata and row groups)."""

    path: Path
    kind: str
    instrument: str
    date: str
    levels: int
    tick: float
    clock: str
    name: str | None
    meta: dict
    columns: tuple[str, ...]
    row_groups: tuple[tuple[int, int, int], ...]  # (rows, ts min, ts max) per row group

    @property
    def rows(self) -> int:
        """Rows in the file."""
        return sum(r for r, _, _ in self.row_groups)


def _kv(schema) -> dict[str, str]:
    raw = schema.metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW")}


def part_info(path) -> PartInfo:
    """Read one part file's footer: metadata, columns, row-group sizes and ``ts`` ranges.

    Raises StoreError naming the file when it is not a Parquet file of this schema.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise StoreError(f"{path}: not a readable Parquet file ({exc})") from None
    kv = _kv(pf.schema_arrow)
    version = kv.get("obi_widgets.schema")
    if version is None:
        raise StoreError(f"{path}: no obi_widgets.schema metadata; not written by obi_widgets.io.to_parquet")
    if int(version) > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {version}, this kit reads up to {SCHEMA_VERSION}; upgrade obi_widgets"
        )
    md = pf.metadata
    ts_col = pf.schema_arrow.get_field_index("ts")
    groups = []
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        st = rg.column(ts_col).statistics
        if st is not None and st.has_min_max:
            lo, hi = int(st.min), int(st.max)
        else:
            lo, hi = -(2**63), 2**63 - 1
        groups.append((rg.num_rows, lo, hi))
    name = kv.get("name")
    return PartInfo(
        path=path,
        kind=kv.get("kind", ""),
        instrument=kv.get("instrument", ""),
        date=path.parent.name.removeprefix("date="),
        levels=int(kv.get("levels") or 0),
        tick=float(kv["tick"]) if kv.get("tick") else math.nan,
        clock=kv.get("clock", ""),
        name=json.loads(name) if name else None,
        meta=json.loads(kv.get("meta", "{}")),
        columns=tuple(pf.schema_arrow.names),
        row_groups=tuple(groups),
    )


def _same_tick(a: float, b: float) -> bool:
    return math.isnan(a) or math.isnan(b) or a == b


def check_parts(infos: list[PartInfo]) -> None:
    """Raise StoreError naming two files when parts disagree: levels, tick, meta, clock, flag columns."""
    first = infos[0]
    for info in infos[1:]:
        if info.levels != first.levels:
            raise StoreError(
                f"schema mismatch: {first.path} has {first.levels} levels but {info.path} has {info.levels}; "
                "read them separately (levels=k reads the first k of each)"
            )
        if not _same_tick(info.tick, first.tick):
            raise StoreError(
                f"tick sizes differ: {first.path} has tick {first.tick!r} but {info.path} has {info.tick!r}; "
                "a book cannot mix price grids (read the periods separately; when writing a stream whose tick "
                "is inferred chunk by chunk, pass tick= to to_parquet or tick_size= to the loader)"
            )
        if info.clock != first.clock:
            raise StoreError(f"clocks differ: {first.path} is {first.clock!r} time but {info.path} is {info.clock!r}")
        if {k: v for k, v in info.meta.items() if k != "tick"} != {k: v for k, v in first.meta.items() if k != "tick"}:
            raise StoreError(f"metadata differs: {first.path} has meta {first.meta} but {info.path} has {info.meta}")
        if info.columns != first.columns:
            extra = sorted(set(info.columns) ^ set(first.columns))
            raise StoreError(f"schema mismatch: {first.path} and {info.path} differ in columns {extra}")


def _info_of(table, path: Path) -> PartInfo:
    kv = _kv(table.schema)
    name = kv.get("name")
    return PartInfo(
        path=path,
        kind=kv["kind"],
        instrument=kv["instrument"],
        date=path.parent.name.removeprefix("date="),
        levels=int(kv.get("levels") or 0),
        tick=float(kv["tick"]) if kv.get("tick") else math.nan,
        clock=kv.get("clock", ""),
        name=json.loads(name) if name else None,
        meta=json.loads(kv.get("meta", "{}")),
        columns=tuple(table.schema.names),
        row_groups=(),
    )


# -- reading ----------------------------------------------------------------------------------------
def select_parts(root, kind: str, instrument: str, start=None, end=None) -> list[PartInfo]:
    """The part files of one instrument whose days overlap ``[start, end)``, checked to agree, in time order."""
    lo = None if start is None else to_ns(start)
    hi = None if end is None else to_ns(end)
    infos = []
    for date in dates(root, instrument, kind):
        day0 = int(np.datetime64(date, "D").astype(np.int64)) * NS_PER_DAY
        if (hi is not None and day0 >= hi) or (lo is not None and day0 + NS_PER_DAY <= lo):
            continue
        for p in _parts(partition_dir(root, kind, instrument, date)):
            infos.append(part_info(p))
    if infos:
        check_parts(infos)
    return infos

"""The machinery of :mod:`obi_widgets.dask`: a store's partitions, per-partition evaluation with
carried rows, and the per instrument-day gathering (see that module for the whole story)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError
from .io.parquet import _SIDES, StoreError, book_columns, instruments, select_parts

_ALIGNS = ("backward", "forward")
_SPLITS = ("file", "row_group")


@dataclass(frozen=True)
class Piece:
    """One partition of a store: a part file (or one row group of it), its instrument and day."""

    path: str
    row_group: int | None
    instrument: str
    date: str
    kind: str
    columns: tuple[str, ...]
    start: int | None
    end: int | None
    name: str | None
    meta: tuple
    rows: int  # from the file's metadata; 0 when start/end may trim it (a lower bound)


def _empty_frame(piece_columns, kind: str) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for c in piece_columns:
        if c in ("ts", "source_row"):
            cols[c] = np.zeros(0, np.int64)
        elif c == "side":
            cols[c] = np.zeros(0, np.int8)
        elif c.startswith("flag_"):
            cols[c] = np.zeros(0, bool)
        else:
            cols[c] = np.zeros(0, np.float64)
    frame = pd.DataFrame(cols)
    frame["instrument"] = pd.Series([], dtype="string")
    frame["date"] = pd.Series([], dtype="string")
    return frame


def load_piece(piece: Piece) -> pd.DataFrame:
    """Read one partition of a store as a pandas frame (what each Dask task of :func:`open_store` runs)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(piece.path)
    cols = list(piece.columns)
    table = pf.read(columns=cols) if piece.row_group is None else pf.read_row_group(piece.row_group, columns=cols)
    data = {c: table.column(c).to_numpy() for c in cols}
    if piece.start is not None or piece.end is not None:
        ts = data["ts"]
        a = 0 if piece.start is None else int(np.searchsorted(ts, piece.start, "left"))
        b = len(ts) if piece.end is None else int(np.searchsorted(ts, piece.end, "left"))
        data = {c: v[a:b] for c, v in data.items()}
    frame = pd.DataFrame(data, copy=False)
    n = len(frame)
    frame["instrument"] = pd.Series([piece.instrument] * n, dtype="string")
    frame["date"] = pd.Series([piece.date] * n, dtype="string")
    frame.attrs["obi_widgets"] = {"name": piece.name, "meta": dict(piece.meta), "kind": piece.kind}
    return frame


def _store_pieces(root, kind, instrument, start, end, split, levels) -> list[Piece]:
    from ._time import to_ns

    if split not in _SPLITS:
        raise ParameterError(f"open_store: split must be one of {_SPLITS}, got {split!r}")
    names = (
        instruments(root, kind)
        if instrument is None
        else ([instrument] if isinstance(instrument, str) else list(instrument))
    )
    lo = None if start is None else to_ns(start)
    hi = None if end is None else to_ns(end)
    pieces: list[Piece] = []
    width = None
    for name in names:
        infos = select_parts(root, kind, name, start, end)
        if not infos:
            continue
        first = infos[0]
        if kind == "trades":
            cols = ("ts", "price", "size", "side")
        else:
            w = first.levels if levels is None else int(levels)
            if levels is not None and not 1 <= w <= first.levels:
                raise ParameterError(f"open_store: levels={levels!r} but {first.path} has {first.levels} levels")
            if width is not None and w != width:
                raise StoreError(
                    f"schema mismatch: {first.path} has {first.levels} levels, other instruments {width}; "
                    "pass levels= to read the same number from each"
                )
            width = w
            cols = ("ts", *book_columns(w))
        meta = tuple(sorted(first.meta.items()))
        for info in infos:
            groups = [None] if split == "file" else list(range(len(info.row_groups)))
            for g in groups:
                spans = info.row_groups if g is None else [info.row_groups[g]]
                if lo is not None and max(b for _, _, b in spans) < lo:
                    continue
                if hi is not None and min(a for _, a, _ in spans) >= hi:
                    continue
                rows = sum(r for r, _, _ in spans) if lo is None and hi is None else 0
                pieces.append(Piece(str(info.path), g, name, info.date, kind, cols, lo, hi, first.name, meta, rows))
    if not pieces:
        raise StoreError(f"no {kind} data in {root} for {names} between {start} and {end}")
    return pieces


def open_store(root, kind: str = "book", *, instrument=None, start=None, end=None, split: str = "file", levels=None):
    """The store at ``root`` as a Dask DataFrame, one partition per instrument-day file or row group.

    ``kind``: "book", "trades" or "bbo". ``instrument``: a name or a list (default all).
    ``start``/``end``: keep rows with ``start <= ts < end``. ``split``: ``"file"`` (default, one
    partition per part file: a day written in one call) or ``"row_group"`` (one per chunk written).
    ``levels``: read the best ``levels`` levels only. Partitions come in (instrument, time) order;
    the divisions are unknown (the index is a plain range per partition). Columns: ``ts`` (int64
    ns), the level or trade columns of :mod:`obi_widgets.io.parquet`, ``instrument`` and ``date``
    (strings). Raises StoreError (no store, no data, parts that disagree).
    """
    import dask.dataframe as dd

    from .io.parquet import _check_kind

    _check_kind(kind)
    pieces = _store_pieces(root, kind, instrument, start, end, split, levels)
    frame = dd.from_map(load_piece, pieces, meta=_empty_frame(pieces[0].columns, kind), enforce_metadata=False)
    frame._obi_pieces = pieces  # map_book and per_day need the partitions' instrument and day
    return frame


def _pieces_of(store, kind: str = "book"):
    if isinstance(store, (str, Path)):
        store = open_store(store, kind)
    pieces = getattr(store, "_obi_pieces", None)
    if pieces is None or len(pieces) != store.npartitions:
        raise ParameterError(
            "pass the Dask DataFrame that obi_widgets.dask.open_store returned (or the store's root): "
            "the partition of each instrument-day must be known"
        )
    return store, pieces


# -- per-partition evaluation ---------------------------------------------------------------------------
def _book_of(frame: pd.DataFrame, info: dict):
    from .book import Book

    levels = sum(1 for c in frame.columns if c.startswith("bid_px_"))
    blocks = [np.column_stack([frame[f"{s}_{k}"].to_numpy() for k in range(1, levels + 1)]) for s in _SIDES]
    return Book(frame["ts"].to_numpy(), *blocks, name=info.get("name"), meta=info.get("meta"), validate=False)


def _trades_of(frame: pd.DataFrame, info: dict):
    from .trades import Trades

    cols = (frame[c].to_numpy() for c in ("ts", "price", "size", "side"))
    return Trades(*cols, name=info.get("name"), validate=False)


def _tail(prev_tail: pd.DataFrame | None, part: pd.DataFrame, instrument: str, carry: int) -> pd.DataFrame:
    """The last ``carry`` rows of the instrument's series so far (previous carried rows + this partition)."""
    both = part
    if prev_tail is not None and len(part) < carry:
        same = prev_tail[prev_tail["instrument"] == instrument]
        if len(same):
            both = pd.concat([same, part], ignore_index=True) if len(part) else same
    return both.iloc[max(0, len(both) - carry) :].copy()


def _as_columns(result, n: int, name: str) -> dict[str, np.ndarray]:
    if isinstance(result, pd.DataFrame):
        out = {str(c): result[c].to_numpy() for c in result.columns}
    elif isinstance(result, pd.Series):
        out = {str(result.name) if result.name is not None else name: result.to_numpy()}
    else:
        arr = np.asarray(result)
        if arr.ndim == 1:
            out = {name: arr}
        elif arr.ndim == 2:
            out = {f"{name}_{j}": arr[:, j] for j in range(arr.shape[1])}
        else:
            raise ParameterError(f"map_book: {name} returned an array of shape {arr.shape}; expected (T,) or (T, K)")
    for col, values in out.items():
        if values.shape[0] != n:
            raise ParameterError(
                f"map_book: {name} returned {values.shape[0]} values ({col}) for a book of {n} rows; it must "
                "return one value per row (bin afterwards with per_day)"
            )
    return out


def apply_rows(
    fn, part, prev_tail, instrument: str, next_instrument, carry: int, align: str, kind: str = "book"
) -> pd.DataFrame:
    """Evaluate ``fn`` on one partition's book (previous rows prepended) and keep its exact rows.

    ``align="backward"``: values of the partition's own rows (the carried rows only fed them).
    ``align="forward"``: values of the carried rows (now exact: their next rows are here) and of the
    own rows except the last ``carry``, unless the series ends with this partition.
    """
    info = part.attrs.get("obi_widgets", {})
    frame, c = part, 0
    if prev_tail is not None:
        ahead = prev_tail[prev_tail["instrument"] == instrument]
        c = len(ahead)
        if c:
            frame = pd.concat([ahead, part], ignore_index=True)
    if len(frame) == 0:  # a partition emptied by start/end, nothing carried: no rows, no call
        return pd.DataFrame(frame, columns=["ts", "instrument", "date"]).reset_index(drop=True)
    if align == "backward":
        keep = slice(c, len(frame))
    else:
        last = next_instrument != instrument
        keep = slice(0, len(frame) if last else max(0, len(frame) - carry))
    data = _book_of(frame, info) if kind != "trades" else _trades_of(frame, info)
    name = getattr(fn, "__name__", "value")
    values = _as_columns(fn(data), len(frame), name if name != "<lambda>" else "value")
    out = pd.DataFrame({"ts": frame["ts"].to_numpy()[keep]})
    out["instrument"] = frame["instrument"].iloc[keep].reset_index(drop=True)
    out["date"] = frame["date"].iloc[keep].reset_index(drop=True)
    for col, v in values.items():
        out[col] = v[keep]
    out.attrs["obi_widgets"] = info
    return out


def _check(carry, align) -> int:
    if isinstance(carry, bool) or not isinstance(carry, (int, np.integer)) or carry < 0:
        raise ParameterError(f"carry must be an int >= 0 (rows), got {carry!r}")
    if align not in _ALIGNS:
        raise ParameterError(f"align must be one of {_ALIGNS}, got {align!r}")
    if align == "forward" and carry < 1:
        raise ParameterError("align='forward' needs carry >= 1 (the horizon, in rows)")
    return int(carry)


def _row_tasks(store, fn, carry: int, align: str, kind: str):
    from dask.delayed import delayed

    store, pieces = _pieces_of(store, kind)
    parts = store.to_delayed()
    tails: list[Any] = [None]
    if carry:
        for i in range(len(parts) - 1):
            tails.append(delayed(_tail)(tails[-1], parts[i], pieces[i].instrument, carry))
    tasks = []
    for i, part in enumerate(parts):
        prev = tails[i] if carry else None
        nxt = pieces[i + 1].instrument if i + 1 < len(pieces) else None
        tasks.append(delayed(apply_rows)(fn, part, prev, pieces[i].instrument, nxt, carry, align, kind))
    return tasks, pieces


def map_book(store, fn: Callable, *, carry: int = 1, align: str = "backward", meta=None):
    """Run a per-row metric ``fn(book) -> array (T,) | (T, K) | Series | DataFrame`` on every partition, lazily.

    Each partition's book starts with the previous partition's last ``carry`` rows of the same
    instrument (across day boundaries), so a metric needing the previous row (:func:`~obi_widgets.metrics.ofi`,
    ``carry=1``) gives, on every row, the value it has on the whole series. For a metric looking
    ``h`` rows ahead (:func:`~obi_widgets.metrics.forward_return` with ``horizon=h``), pass
    ``align="forward", carry=h``: each row's value then comes from the partition holding row + h.
    Metrics looking a duration ahead need all the rows of that duration: carry enough rows, or
    compute them per day with :func:`per_day`.

    ``store``: the frame :func:`open_store` returned, or a root path. ``meta``: the output's Dask
    meta (default: computed from the first partition). Returns a Dask DataFrame with columns
    ``ts``, ``instrument``, ``date`` and the metric's columns (its Series name, DataFrame columns,
    or ``fn.__name__`` / ``fn.__name__ + "_j"`` for arrays), one row per book row, in order.
    """
    import dask.dataframe as dd

    carry = _check(carry, align)
    tasks, _ = _row_tasks(store, fn, carry, align, "book")
    if meta is None:
        meta = tasks[0].compute().iloc[:0]
    return dd.from_delayed(tasks, meta=meta, verify_meta=False)


def _gather_day(day_fn, key, outputs):
    frames = [o[(o["instrument"] == key[0]) & (o["date"] == key[1])] for o in outputs]
    day = pd.concat(frames, ignore_index=True)
    return key, day_fn(day)


def per_day(
    store,
    row_fn: Callable,
    day_fn: Callable,
    *,
    carry: int = 1,
    align: str = "backward",
    kind: str = "book",
    scheduler=None,
) -> dict:
    """``day_fn(frame)`` for every instrument-day of the store, computed in parallel; returns ``{(instrument, date): result}``.

    ``row_fn(book)`` (or ``row_fn(trades)`` for ``kind="trades"``) runs per partition as in
    :func:`map_book` (``carry``, ``align``); ``day_fn`` then gets the day's rows in time order as
    one pandas frame (``ts``, ``instrument``, ``date``, the metric's columns), exactly what the
    single-process metric gives for that day's rows of the whole series. ``scheduler``: passed to
    :func:`dask.compute` (None: the active Client or the default threads).
    """
    from dask.base import compute
    from dask.delayed import delayed

    carry = _check(carry, align)
    tasks, pieces = _row_tasks(store, row_fn, carry, align, kind)
    owners: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pieces):
        idx = owners.setdefault((p.instrument, p.date), [])
        idx.append(i)
        if align != "forward":
            continue
        between = 0  # later partitions finish this day's last rows while fewer than carry rows lie between
        for j in range(i + 1, len(pieces)):
            if pieces[j].instrument != p.instrument or between >= carry:
                break
            idx.append(j)
            between += pieces[j].rows
    jobs = [delayed(_gather_day)(day_fn, key, [tasks[i] for i in sorted(set(idx))]) for key, idx in owners.items()]
    done = compute(*jobs, scheduler=scheduler)
    return dict(done)


__all__ = ["Piece", "open_store", "load_piece", "map_book", "apply_rows", "per_day"]

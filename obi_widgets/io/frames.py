"""pandas DataFrames to :class:`~obi_widgets.Book`: wide (one column per side, field and level) and long.

Wide frames
-----------
One row per book state, one column per (side, field, level). Column names are built from four
format strings with a ``{level}`` field, one per Book array; two presets are built in:

- ``"book"`` (the default), the layout of :meth:`Book.to_frame`: ``bid_px_0, bid_sz_0, ask_px_0,
  ask_sz_0, bid_px_1, ...``, levels counted from 0;
- ``"lobster"``: ``bid_price_1, bid_size_1, ask_price_1, ask_size_1, ...``, levels counted from 1.

Any other naming is a dict, e.g. ``columns={"bid_px": "b{level}p", "bid_sz": "b{level}q",
"ask_px": "a{level}p", "ask_sz": "a{level}q"}`` with ``first_level=1``. Column order does not
matter and other columns are ignored. Times come from a DatetimeIndex, else a ``ts`` column (or
the column named by ``ts=``): datetime64 values (tz-aware ones are converted to UTC), int64
nanoseconds, or ISO text. Empty levels are NaN (price and size).

Long frames
-----------
One row per (time, side, price level): columns ``ts, side, level, price, size`` (rename them with
``columns={"size": "qty", ...}``). ``side`` is ``"bid"``/``"ask"`` (also ``"b"/"a"``,
``"buy"/"sell"``, ``"offer"``, any case) or the numbers ``1`` (bid) / ``-1`` (ask).

- ``mode="snapshot"`` (the default): the rows sharing a timestamp are the *complete* book at
  that time, one Book row per distinct timestamp (in time order; the frame's row order does not
  matter). ``level`` (counted from ``first_level``) places each row; without a ``level`` column
  the levels are ranked by price (bids from the highest, asks from the lowest). A side with no
  rows at some timestamp is empty at that time.
- ``mode="updates"``: rows ``(ts, side, price, size)`` are absolute size updates to a book kept
  across timestamps (size 0 deletes the level), in time order, replayed by the incremental L2
  builder (:mod:`obi_widgets.io.builder`); one Book row per distinct timestamp.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pandas as pd

from .._time import as_ns_array, check_time_order, format_ns
from ..errors import BookError, DataFormatError, ParameterError

if TYPE_CHECKING:
    from ..book import Book

FIELDS = ("bid_px", "bid_sz", "ask_px", "ask_sz")
WIDE_PRESETS = {
    "book": ({f: f"{f}_{{level}}" for f in FIELDS}, 0),
    "lobster": (
        {
            "bid_px": "bid_price_{level}",
            "bid_sz": "bid_size_{level}",
            "ask_px": "ask_price_{level}",
            "ask_sz": "ask_size_{level}",
        },
        1,
    ),
}
LONG_COLUMNS = {"ts": "ts", "side": "side", "level": "level", "price": "price", "size": "size"}
_SIDE_WORDS = {
    "bid": 0,
    "b": 0,
    "buy": 0,
    "bids": 0,
    "ask": 1,
    "a": 1,
    "sell": 1,
    "asks": 1,
    "offer": 1,
    "s": 1,
}


# -- shared helpers ---------------------------------------------------------------------------
def _check_frame(frame, fn: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{fn}(): expected a pandas DataFrame, got {type(frame).__name__}")
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise DataFormatError(f"{fn}(): column {dup!r} appears more than once")
    return frame


def _row_label(frame: pd.DataFrame, pos: int) -> str:
    label = frame.index[pos]
    if isinstance(label, (int, np.integer)) and int(label) == pos:
        return f"row {pos}"
    return f"row {pos} (index {label!r})"


def _numeric(frame: pd.DataFrame, col, what: str) -> np.ndarray:
    """A column as float64 (NA -> NaN); DataFormatError naming the column and the first bad row."""
    s = frame[col]
    try:
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        pass
    coerced = pd.to_numeric(s, errors="coerce")
    bad = np.flatnonzero(np.asarray(pd.isna(coerced)) & ~np.asarray(pd.isna(s)))
    pos = int(bad[0]) if bad.size else 0
    raise DataFormatError(f"{what} column {col!r}: {_row_label(frame, pos)} is {s.iloc[pos]!r}, expected a number")


def _times(frame: pd.DataFrame, ts, fn: str) -> np.ndarray:
    """int64 ns from the DatetimeIndex, a 'ts' column, or the column/index level named by ``ts``."""
    if ts is None:
        if isinstance(frame.index, pd.DatetimeIndex):
            values, where = frame.index, "the index"
        elif "ts" in frame.columns:
            values, where = frame["ts"], "column 'ts'"
        elif frame.index.name == "ts":
            values, where = frame.index, "the index 'ts'"
        else:
            raise DataFormatError(
                f"{fn}(): no timestamps: expected a DatetimeIndex or a 'ts' column "
                f"(columns: {list(frame.columns)[:8]}{'...' if frame.shape[1] > 8 else ''}); "
                "name the time column with ts="
            )
    elif ts in frame.columns:
        values, where = frame[ts], f"column {ts!r}"
    elif ts == frame.index.name:
        values, where = frame.index, f"the index {ts!r}"
    else:
        raise DataFormatError(f"{fn}(): no column {ts!r} for the timestamps (and the index is not named {ts!r})")
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        arr = values if isinstance(values, pd.Index) else pd.Index(values)
        nat = np.flatnonzero(pd.isna(arr))
        if nat.size:
            raise DataFormatError(f"{fn}(): timestamps in {where}: {_row_label(frame, int(nat[0]))} is NaT")
        return as_ns_array(pd.DatetimeIndex(arr), "ts")
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        missing = np.flatnonzero(np.asarray(pd.isna(values)))
        if missing.size:
            pos = int(missing[0])
            raise DataFormatError(f"{fn}(): timestamps in {where}: {_row_label(frame, pos)} is missing")
        return np.ascontiguousarray(np.asarray(values, dtype=np.int64))
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        parsed = pd.to_datetime(
            pd.Series(np.asarray(values, dtype=object)), utc=True, errors="coerce", format="ISO8601"
        )
        bad = np.flatnonzero(np.asarray(pd.isna(parsed)))
        if bad.size:
            pos = int(bad[0])
            raise DataFormatError(
                f"{fn}(): timestamps in {where}: {_row_label(frame, pos)} is {np.asarray(values)[pos]!r}, "
                "expected ISO 8601 text, datetime64 or int64 nanoseconds"
            )
        return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
    raise DataFormatError(
        f"{fn}(): timestamps in {where} have dtype {dtype}; expected datetime64, int64 nanoseconds or "
        "ISO text (for seconds since the epoch use pd.to_datetime(values, unit='s'))"
    )


_ROW_IN_MESSAGE = re.compile(r"\brow (\d+)")


def _reraise_with_times(exc: BookError, ts: np.ndarray, what: str) -> NoReturn:
    """Re-raise a Book error (which names a Book row) adding that row's time and meaning."""
    match = _ROW_IN_MESSAGE.search(str(exc))
    if match is None or int(match.group(1)) >= ts.shape[0]:
        raise exc
    r = int(match.group(1))
    raise type(exc)(f"{exc} [book row {r} is {what} at {format_ns(int(ts[r]))}]") from None


# -- wide ---------------------------------------------------------------------------------------
def _wide_names(columns, first_level) -> tuple[dict, int]:
    if isinstance(columns, str):
        if columns not in WIDE_PRESETS:
            raise ParameterError(
                f"read_wide_frame(): unknown column preset {columns!r}; use one of {sorted(WIDE_PRESETS)} "
                "or a dict of format strings"
            )
        names, base = WIDE_PRESETS[columns]
    elif isinstance(columns, dict):
        missing = [f for f in FIELDS if f not in columns]
        extra = [k for k in columns if k not in FIELDS]
        if missing or extra:
            raise ParameterError(
                f"read_wide_frame(): columns must map exactly {list(FIELDS)} to format strings; "
                f"missing {missing}, unknown {extra}"
            )
        for f in FIELDS:
            pattern = columns[f]
            if not isinstance(pattern, str) or "{level}" not in pattern:
                raise ParameterError(
                    f"read_wide_frame(): columns[{f!r}] must be a format string with a {{level}} field, got {pattern!r}"
                )
        names, base = dict(columns), 0
    else:
        raise ParameterError(
            f"read_wide_frame(): columns must be a preset name or a dict, got {type(columns).__name__}"
        )
    if first_level is not None:
        if isinstance(first_level, (bool, np.bool_)) or not isinstance(first_level, (int, np.integer)):
            raise ParameterError(f"read_wide_frame(): first_level must be an int, got {first_level!r}")
        base = int(first_level)
    return names, base


def wide_columns(levels: int, *, columns="book", first_level: int | None = None) -> list[str]:
    """The column names :func:`read_wide_frame` reads for ``levels`` levels, in Book.to_frame() order."""
    names, base = _wide_names(columns, first_level)
    return [names[f].format(level=base + k) for k in range(levels) for f in FIELDS]


def read_wide_frame(
    frame: pd.DataFrame,
    *,
    columns="book",
    first_level: int | None = None,
    levels: int | None = None,
    ts=None,
    name: str | None = None,
    validate: bool = True,
) -> Book:
    """A :class:`~obi_widgets.Book` from a wide DataFrame, one row per book state.

    ``columns``: ``"book"`` (default, the :meth:`Book.to_frame` layout ``bid_px_0, bid_sz_0,
    ask_px_0, ask_sz_0, ...``), ``"lobster"`` (``bid_price_1, bid_size_1, ask_price_1,
    ask_size_1, ...``) or a dict mapping ``"bid_px", "bid_sz", "ask_px", "ask_sz"`` to format
    strings with a ``{level}`` field. ``first_level`` overrides the number of the best level
    (presets: 0 for "book", 1 for "lobster"; a dict: 0).

    ``levels``: the level count L. Default: every level for which the frame has all four columns,
    counting up from ``first_level``; a level with only some of its four columns, or a level after
    a missing one, is a :class:`~obi_widgets.errors.DataFormatError` naming the column. With an
    int, levels beyond it are ignored and a missing column below it is an error.

    ``ts``: None takes the DatetimeIndex, else a ``ts`` column; a string names the column.
    A non-numeric cell is a DataFormatError naming its column and row; book invariants are
    checked by :class:`~obi_widgets.Book` (``validate``) and errors name the Book row and its time.
    """
    fn = "read_wide_frame"
    frame = _check_frame(frame, fn)
    names, base = _wide_names(columns, first_level)
    present = set(frame.columns)

    def cols(k: int) -> list:
        return [names[f].format(level=base + k) for f in FIELDS]

    if levels is None:
        count = 0
        while all(c in present for c in cols(count)):
            count += 1
        have = [c for c in cols(count) if c in present]
        if have:
            miss = [c for c in cols(count) if c not in present]
            raise DataFormatError(f"{fn}(): level {base + count} has column {have[0]!r} but no column {miss[0]!r}")
        if count == 0:
            raise DataFormatError(
                f"{fn}(): no column {cols(0)[0]!r}: expected {cols(0)} for the best level "
                f"(columns preset/dict {columns if isinstance(columns, str) else 'given'}, first level {base}); "
                f"the frame has {list(frame.columns)[:8]}{'...' if frame.shape[1] > 8 else ''}"
            )
        after = [c for c in cols(count + 1) if c in present]
        if after:
            raise DataFormatError(
                f"{fn}(): column {after[0]!r} is present but level {base + count} is missing "
                f"(no column {cols(count)[0]!r}); levels must be consecutive"
            )
        levels = count
    else:
        if isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ParameterError(f"{fn}(): levels must be an int >= 1 or None, got {levels!r}")
        levels = int(levels)
        for k in range(levels):
            miss = [c for c in cols(k) if c not in present]
            if miss:
                raise DataFormatError(f"{fn}(): no column {miss[0]!r} (level {base + k} of the {levels} asked for)")
    t = _times(frame, ts, fn)
    arrays = {f: np.empty((frame.shape[0], levels)) for f in FIELDS}
    for k in range(levels):
        for f, col in zip(FIELDS, cols(k)):
            arrays[f][:, k] = _numeric(frame, col, fn + "():")
    from ..book import Book

    try:
        return Book(
            t, arrays["bid_px"], arrays["bid_sz"], arrays["ask_px"], arrays["ask_sz"], name=name, validate=validate
        )
    except BookError as exc:
        _reraise_with_times(exc, t, "the frame row")


# -- long ---------------------------------------------------------------------------------------
def _long_names(columns) -> dict:
    if columns is None:
        return dict(LONG_COLUMNS)
    if not isinstance(columns, dict):
        raise ParameterError(
            f"read_long_frame(): columns must be a dict like {LONG_COLUMNS}, got {type(columns).__name__}"
        )
    unknown = [k for k in columns if k not in LONG_COLUMNS]
    if unknown:
        raise ParameterError(f"read_long_frame(): unknown keys {unknown} in columns; the keys are {list(LONG_COLUMNS)}")
    names = dict(LONG_COLUMNS)
    names.update(columns)
    return names


def _sides(frame: pd.DataFrame, col, fn: str) -> np.ndarray:
    """0 for bid, 1 for ask, from words or +1/-1; DataFormatError naming the first unknown value's row."""
    codes, uniques = pd.factorize(frame[col], use_na_sentinel=True)
    table = np.empty(len(uniques), dtype=np.int8)
    for j, value in enumerate(uniques):  # one pass over the few distinct values, not the rows
        code = None
        if isinstance(value, str):
            code = _SIDE_WORDS.get(value.strip().lower())
        elif isinstance(value, (int, np.integer, float, np.floating)) and not isinstance(value, (bool, np.bool_)):
            code = {1.0: 0, -1.0: 1}.get(float(value))  # +1 bid, -1 ask (1 == 1.0 as a key)
        if code is None:
            pos = int(np.flatnonzero(codes == j)[0])
            raise DataFormatError(
                f"{fn}(): side column {col!r}: {_row_label(frame, pos)} is {value!r}; "
                "expected 'bid'/'ask' (or 'b'/'a', 'buy'/'sell') or 1 (bid) / -1 (ask)"
            )
        table[j] = code
    if (codes < 0).any():
        pos = int(np.flatnonzero(codes < 0)[0])
        raise DataFormatError(f"{fn}(): side column {col!r}: {_row_label(frame, pos)} is missing")
    return table[codes]


def _require(frame: pd.DataFrame, names: dict, roles, fn: str) -> None:
    for role in roles:
        if names[role] not in frame.columns and not (role == "ts" and _ts_elsewhere(frame, names)):
            raise DataFormatError(
                f"{fn}(): no column {names[role]!r} for the {role} (columns: {list(frame.columns)}); "
                f"rename it with columns={{{role!r}: ...}}"
            )


def _ts_arg(frame: pd.DataFrame, names: dict):
    """The ``ts`` argument of :func:`_times`: the named column or index, else None (a DatetimeIndex)."""
    col = names["ts"]
    return col if col in frame.columns or frame.index.name == col else None


def _ts_elsewhere(frame: pd.DataFrame, names: dict) -> bool:
    return isinstance(frame.index, pd.DatetimeIndex) or frame.index.name == names["ts"]


def read_long_frame(
    frame: pd.DataFrame,
    *,
    columns: dict | None = None,
    mode: str = "snapshot",
    first_level: int = 0,
    levels: int | None = None,
    tick_size: float | None = None,
    name: str | None = None,
    validate: bool = True,
) -> Book:
    """A :class:`~obi_widgets.Book` from a long DataFrame, one row per (time, side, level).

    ``columns`` renames the roles ``ts, side, level, price, size`` (defaults: those names), e.g.
    ``columns={"size": "qty"}``. The times may also be the DatetimeIndex.

    ``mode="snapshot"`` (default): each distinct timestamp's rows are the complete book at that
    time and give one Book row (sorted by time). ``level`` numbers the levels from
    ``first_level``; if the frame has no level column the levels are ranked by price. ``levels``
    (default: the deepest level seen) drops deeper rows. A row with NaN price and NaN (or 0) size
    is an explicit empty level and is skipped.

    ``mode="updates"``: rows ``(ts, side, price, size)`` are absolute size updates (size 0 deletes
    the level) applied in the frame's row order, which must be time order, to a book carried
    across timestamps, by :func:`obi_widgets.io.builder.build_book`. One Book row per distinct
    timestamp (the state after its last update), ``levels`` levels per side (default 10),
    ``tick_size`` the price grid (default inferred by the builder). The level column, if any, is
    ignored. A crossed or locked state raises CrossedBookError; for crossed rows kept and flagged
    call ``build_book(..., on_crossed="flag")`` directly. Errors name the frame row (by position).

    Errors name the frame row: :class:`~obi_widgets.errors.DataFormatError` for a missing column,
    an unknown side, a non-numeric or non-integer level, the same (time, side, level) -- or, without
    levels, the same (time, side, price) -- twice; :class:`~obi_widgets.errors.BookError` for a
    non-finite price or a size that is not >= 0. Book invariants (level order, gaps, crossing) are
    checked by :class:`~obi_widgets.Book`; those errors name the Book row and its timestamp.
    """
    fn = "read_long_frame"
    frame = _check_frame(frame, fn)
    names = _long_names(columns)
    if mode not in ("snapshot", "updates"):
        raise ParameterError(f"{fn}(): mode must be 'snapshot' or 'updates', got {mode!r}")
    if levels is not None and (
        isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1
    ):
        raise ParameterError(f"{fn}(): levels must be an int >= 1 or None, got {levels!r}")
    if mode == "updates":
        return _read_updates(frame, names, levels=levels, tick_size=tick_size, name=name, validate=validate)
    if isinstance(first_level, (bool, np.bool_)) or not isinstance(first_level, (int, np.integer)):
        raise ParameterError(f"{fn}(): first_level must be an int, got {first_level!r}")
    has_level = names["level"] in frame.columns
    if columns and "level" in columns and not has_level:
        raise DataFormatError(f"{fn}(): no column {names['level']!r} for the level (columns: {list(frame.columns)})")
    _require(frame, names, ("ts", "side", "price", "size"), fn)

    ts = _times(frame, _ts_arg(frame, names), fn)
    side = _sides(frame, names["side"], fn)
    price = _numeric(frame, names["price"], fn + "(): price")
    size = _numeric(frame, names["size"], fn + "(): size")

    # explicit empty levels (NaN price, NaN or 0 size) carry nothing
    blank = np.isnan(price) & (np.isnan(size) | (size == 0))
    bad = np.flatnonzero(~blank & ~np.isfinite(price))
    if bad.size:
        p = int(bad[0])
        raise BookError(
            f"{fn}(): {_row_label(frame, p)} has price {float(price[p])!r} (size {float(size[p])!r}); expected a finite price"
        )
    bad = np.flatnonzero(~blank & ~(size >= 0))
    if bad.size:
        p = int(bad[0])
        raise BookError(
            f"{fn}(): {_row_label(frame, p)} has size {float(size[p])!r} at price {float(price[p])!r}; expected a size >= 0"
        )

    if has_level:
        raw = _numeric(frame, names["level"], fn + "(): level")
        lvl_f = raw - first_level
        bad = np.flatnonzero(~blank & ~((lvl_f >= 0) & (lvl_f == np.floor(lvl_f))))
        if bad.size:
            p = int(bad[0])
            raise DataFormatError(
                f"{fn}(): level column {names['level']!r}: {_row_label(frame, p)} is {float(raw[p])!r}; "
                f"expected an integer >= {first_level} (first_level)"
            )
    keep = np.flatnonzero(~blank)
    uniq_ts, group = np.unique(ts, return_inverse=True)
    group = group.ravel()
    n_rows = uniq_ts.shape[0]
    if has_level:
        lvl = lvl_f.astype(np.int64)  # blanks hold garbage here; they are not in keep
        order = keep[np.lexsort((lvl[keep], side[keep], group[keep]))]
        g, s, k = group[order], side[order], lvl[order]
        same = (g[1:] == g[:-1]) & (s[1:] == s[:-1]) & (k[1:] == k[:-1])
        what = "level"
    else:
        signed = np.where(side == 0, -price, price)  # bids from the highest, asks from the lowest
        order = keep[np.lexsort((signed[keep], side[keep], group[keep]))]
        g, s = group[order], side[order]
        start = np.ones(order.size, dtype=bool)
        start[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
        run_start = np.maximum.accumulate(np.where(start, np.arange(order.size), 0))
        k = np.arange(order.size) - run_start
        p_sorted = price[order]
        same = ~start[1:] & (p_sorted[1:] == p_sorted[:-1])
        what = "price"
    dup = np.flatnonzero(same)
    if dup.size:
        a, b = sorted((int(order[dup[0]]), int(order[dup[0] + 1])))
        sname = "bid" if s[dup[0]] == 0 else "ask"
        detail = f"level {int(k[dup[0]]) + first_level}" if what == "level" else f"price {float(price[a])!r}"
        raise DataFormatError(
            f"{fn}(): {_row_label(frame, a)} and {_row_label(frame, b)} are both the {sname} {detail} "
            f"at {format_ns(int(uniq_ts[g[dup[0]]]))}; a snapshot lists each {what} of a side once"
        )
    width = int(levels) if levels is not None else max(1, int(k.max()) + 1 if k.size else 1)
    arrays = {f: np.full((n_rows, width), np.nan) for f in FIELDS}
    inside = k < width
    for code, px_name, sz_name in ((0, "bid_px", "bid_sz"), (1, "ask_px", "ask_sz")):
        m = inside & (s == code)
        arrays[px_name][g[m], k[m]] = price[order[m]]
        arrays[sz_name][g[m], k[m]] = size[order[m]]
    from ..book import Book

    try:
        return Book(
            uniq_ts,
            arrays["bid_px"],
            arrays["bid_sz"],
            arrays["ask_px"],
            arrays["ask_sz"],
            name=name,
            validate=validate,
        )
    except BookError as exc:
        _reraise_with_times(exc, uniq_ts, "the snapshot")


def _read_updates(frame, names, *, levels, tick_size, name, validate) -> Book:
    """mode="updates": absolute (ts, side, price, size) updates replayed by :mod:`obi_widgets.io.builder`."""
    from .builder import build_book

    fn = "read_long_frame"
    _require(frame, names, ("ts", "side", "price", "size"), fn)
    ts = _times(frame, _ts_arg(frame, names), fn)
    side = np.where(_sides(frame, names["side"], fn) == 0, 1, -1).astype(np.int8)  # builder: +1 bid, -1 ask
    price = _numeric(frame, names["price"], fn + "(): price")
    size = _numeric(frame, names["size"], fn + "(): size")
    check_time_order(ts, what=f"{fn}(): update times", place=lambda p: _row_label(frame, p))
    result = build_book(
        ts,
        side,
        price,
        size,
        levels=10 if levels is None else int(levels),
        emit="ts",
        tick_size=tick_size,
        name=name,
        validate=validate,
    )
    return result.book


def to_long_frame(book, *, first_level: int = 0) -> pd.DataFrame:
    """A Book as a long DataFrame ``ts, side, level, price, size`` (non-empty levels only).

    Rows are ordered by time, then bids before asks, then level; :func:`read_long_frame` reads it
    back (a time at which both sides are empty has no row and so disappears).
    """
    t, n = book.shape
    parts = []
    for code, px, sz in ((0, book.bid_px, book.bid_sz), (1, book.ask_px, book.ask_sz)):
        r, k = np.nonzero(~np.isnan(px))
        parts.append((r, np.full(r.size, code, dtype=np.int8), k, px[r, k], sz[r, k]))
    r, s, k, p, q = (np.concatenate(x) for x in zip(*parts))
    order = np.lexsort((k, s, r))
    return pd.DataFrame(
        {
            "ts": book.ts[r[order]].view("datetime64[ns]"),
            "side": np.array(["bid", "ask"])[s[order]],
            "level": k[order] + first_level,
            "price": p[order],
            "size": q[order],
        }
    )


__all__ = ["read_wide_frame", "read_long_frame", "to_long_frame", "wide_columns", "WIDE_PRESETS"]

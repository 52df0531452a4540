"""LOBSTER files (https://lobsterdata.com): message + orderbook CSV, no header, gzip or plain.

Message columns: time (seconds after midnight), type (1 new limit order, 2 partial cancel,
3 delete, 4 visible execution, 5 hidden execution, 6 cross trade, 7 trading halt), order id,
size, price (USD x 10000), direction (1 buy limit order, -1 sell limit order).
Orderbook columns, per level k = 1..L: ask price, ask size, bid price, bid size. Row i is the
book after message i. Empty levels are written as price ±9999999999 with size 0.

The files are parsed by pandas' C reader (the fastest by measurement, ``benchmarks/bench_csv_loaders.py``);
when it fails, the kit's block reader (:mod:`obi_widgets.io._csv`: one numba pass per block, pyarrow for
blocks it does not take) reads the file again to name the problem. Errors name ``file:line``: a
non-numeric or empty value, a ragged line, an empty file, a truncated gzip (the last complete line).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFormatError, ParameterError
from ._csv import BLOCK_SIZE, FLOAT, CsvReader, read_first_line

PRICE_SCALE = 10_000.0
DUMMY_PRICE = 9_999_999_999
TICK = 0.01  # US equities above $1 (Reg NMS Rule 612): LOBSTER's NASDAQ stocks trade in cents
MESSAGE_COLUMNS = ("time", "type", "order_id", "size", "price", "direction")
_DATE_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})_")


def _read_csv(path, what: str, block_size: int | None = None) -> np.ndarray:
    """The file's numbers as a float64 (rows, columns) array.

    By default pandas' C reader parses the whole file (the fastest here: ~4-5 M rows/s on this
    project's machine, against ~1.5 M for the kit's block reader); when it fails, or leaves an empty
    cell, the kit's block reader (:mod:`._csv`, also used with an explicit ``block_size``) reads the
    file again to name the ``file:line`` and what is wrong there.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"LOBSTER {what} file not found: {path}")
    first = read_first_line(path, what)
    if first is None:
        raise DataFormatError(f"{path}: empty LOBSTER {what} file")
    if block_size is None:
        try:
            out = pd.read_csv(path, header=None, dtype=np.float64, engine="c", compression="infer").to_numpy()
            if not (out.size and np.isnan(out).any()):
                return np.ascontiguousarray(out)
        except Exception:  # whatever pandas raises, the block reader below names the line
            pass
    names = [f"c{i}" for i in range(first.count(",") + 1)]
    reader = CsvReader(
        path, names, dict.fromkeys(names, FLOAT), has_header=False, what=f"LOBSTER {what} (numeric CSV without header)"
    )
    out = reader.read_all(block_size or BLOCK_SIZE).floats
    if out.size and np.isnan(out).any():
        r, c = (int(x[0]) for x in np.nonzero(np.isnan(out)))
        raise DataFormatError(f"{path}:{r + 1}: column {c + 1} is empty, expected a number (LOBSTER {what} file)")
    return out


def _day_ns(path, date) -> int:
    if date is None:
        match = _DATE_IN_NAME.search(Path(path).name)
        if match is None:
            return 0
        date = match.group(1)
    try:
        day = pd.Timestamp(date)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"date={date!r} is not a date: {exc}") from None
    if not isinstance(day, pd.Timestamp):  # NaT
        raise ParameterError(f"date={date!r} is not a date")
    return int(day.normalize().value)


def _times_ns(seconds: np.ndarray, path, date) -> np.ndarray:
    return _day_ns(path, date) + np.round(seconds * 1e9).astype(np.int64)


def read_lobster_messages(message_path, *, date=None) -> pd.DataFrame:
    """The message file as a DataFrame: ``ts`` (datetime64[ns]), ``type, order_id, size, price, direction``.

    Prices are divided by 10000 to USD. ``date`` defaults to the date in the file name.
    """
    raw = _messages(message_path)
    ts = _times_ns(raw[:, 0], message_path, date)
    return pd.DataFrame(
        {
            "ts": ts.view("datetime64[ns]"),
            "type": raw[:, 1].astype(np.int8),
            "order_id": raw[:, 2].astype(np.int64),
            "size": raw[:, 3],
            "price": raw[:, 4] / PRICE_SCALE,
            "direction": raw[:, 5].astype(np.int8),
        }
    )


def read_lobster_book(message_path, orderbook_path, *, date=None, validate: bool = True):
    """A :class:`~obi_widgets.Book` from a LOBSTER message file and its orderbook file.

    The level count L is read from the orderbook file (4 columns per level). Times come from the
    message file (row i of the orderbook is the book after message i); ``date`` defaults to the date
    in the message file's name. Dummy levels (price ±9999999999) become NaN price and size.
    The Book's ``meta``: ``venue`` "NASDAQ", ``symbol`` from the file name (``AMZN_2012-06-21_...``
    gives "AMZN"), ``price_unit`` "USD", ``size_unit`` "shares", ``tick`` 0.01.
    """
    return _book_from(_messages(message_path), message_path, orderbook_path, date, validate)


def _messages(message_path) -> np.ndarray:
    """The message file's numbers, checked for its 6 columns."""
    raw = _read_csv(message_path, "message")
    if raw.shape[1] < 6:
        raise DataFormatError(f"{message_path}: a LOBSTER message file has 6 columns, found {raw.shape[1]}")
    return raw


def _book_from(msg: np.ndarray, message_path, orderbook_path, date, validate: bool):
    from ..book import Book

    ob = _read_csv(orderbook_path, "orderbook")
    if ob.shape[1] % 4:
        raise DataFormatError(
            f"{orderbook_path}: a LOBSTER orderbook file has 4 columns per level, found {ob.shape[1]} columns"
        )
    if ob.shape[0] != msg.shape[0]:
        raise DataFormatError(
            f"{orderbook_path} has {ob.shape[0]} rows but {message_path} has {msg.shape[0]}: "
            "row i of the orderbook is the book after message i, so the counts must match"
        )
    ts = _times_ns(msg[:, 0], message_path, date)
    ask_px, ask_sz, bid_px, bid_sz = (np.ascontiguousarray(ob[:, j::4]) for j in range(4))
    for px, sz in ((ask_px, ask_sz), (bid_px, bid_sz)):
        dummy = np.abs(px) >= DUMMY_PRICE
        px /= PRICE_SCALE
        px[dummy] = np.nan
        sz[dummy] = np.nan
    name = Path(message_path).name.split("_message")[0]
    meta = {"venue": "NASDAQ", "symbol": name.split("_")[0], "price_unit": "USD", "size_unit": "shares", "tick": TICK}
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta, validate=validate)


def read_lobster_trades(message_path, *, date=None, hidden: bool = True, cross: bool = False):
    """Executions of a LOBSTER message file as :class:`~obi_widgets.Trades`.

    Type 4 (visible execution) rows; type 5 (hidden execution) rows when ``hidden`` is true; type 6
    (cross trade: the opening/closing auction prints) when ``cross`` is true. The side is the
    aggressor's, opposite to the executed resting order: ``side = -direction``; a cross trade has
    no aggressor and gets side 0.
    """
    return _trades_from(_messages(message_path), message_path, date, hidden, cross)


def _trades_from(raw: np.ndarray, message_path, date, hidden: bool, cross: bool):
    from ..trades import Trades

    kinds = (4, 5, 6) if hidden and cross else (4, 5) if hidden else (4, 6) if cross else (4,)
    rows = np.isin(raw[:, 1], kinds)
    continuous = rows & (raw[:, 1] != 6)
    bad = np.flatnonzero(continuous & ~np.isin(raw[:, 5], (-1, 1)))
    if bad.size:
        raise DataFormatError(
            f"{message_path}:{bad[0] + 1}: execution at row {bad[0]} has direction {raw[bad[0], 5]!r}, expected 1 or -1"
        )
    ts = _times_ns(raw[rows, 0], message_path, date)
    side = np.where(raw[rows, 1] == 6, 0, -raw[rows, 5]).astype(np.int8)
    name = Path(message_path).name.split("_message")[0]
    return Trades(ts, raw[rows, 4] / PRICE_SCALE, raw[rows, 3], side, name=name)


def read_lobster_halts(message_path, *, date=None) -> pd.DataFrame:
    """Trading halts of a LOBSTER message file, one row per halt.

    LOBSTER writes a type-7 message with price -1 when trading halts, optionally one with price 0
    when quoting resumes, and one with price 1 when trading resumes (its book rows repeat the state
    before). Columns: ``halt``, ``quoting``, ``resume`` (times; NaT when absent, e.g. a halt still
    in force at the end of the file) and ``first_row``, ``last_row``: the message/book rows from the
    halt to the resume message (inclusive), so that ``book[first_row:last_row + 1]`` are the rows
    during the halt. Raises DataFormatError on a resume or quoting message with no halt before it.
    """
    raw = _messages(message_path)
    rows = np.flatnonzero(raw[:, 1] == 7)
    ts = _times_ns(raw[:, 0], message_path, date)
    halts: list[dict] = []
    open_halt: dict | None = None
    for r in rows.tolist():  # a handful of messages per day at most
        code = raw[r, 4]
        if code == -1:
            if open_halt is None:
                open_halt = {"halt": ts[r], "quoting": None, "resume": None, "first_row": r, "last_row": len(raw) - 1}
        elif code in (0, 1):
            if open_halt is None:
                raise DataFormatError(
                    f"{message_path}: row {r} resumes {'quoting' if code == 0 else 'trading'} but no halt precedes it"
                )
            if code == 0:
                open_halt["quoting"] = ts[r]
            else:
                open_halt["resume"], open_halt["last_row"] = ts[r], r
                halts.append(open_halt)
                open_halt = None
        else:
            raise DataFormatError(
                f"{message_path}: trading-halt message at row {r} has price {code!r}, expected -1, 0 or 1"
            )
    if open_halt is not None:
        halts.append(open_halt)
    frame = pd.DataFrame(halts, columns=["halt", "quoting", "resume", "first_row", "last_row"])
    for c in ("halt", "quoting", "resume"):
        frame[c] = pd.to_datetime(frame[c].astype("float64"), unit="ns")
    return frame.astype({"first_row": np.int64, "last_row": np.int64})


def read_lobster(
    message_path, orderbook_path, *, date=None, hidden: bool = True, cross: bool = False, validate: bool = True
):
    """Both at once: ``(book, trades)`` from a LOBSTER message + orderbook pair (the message file
    is parsed once)."""
    msg = _messages(message_path)
    return (
        _book_from(msg, message_path, orderbook_path, date, validate),
        _trades_from(msg, message_path, date, hidden, cross),
    )

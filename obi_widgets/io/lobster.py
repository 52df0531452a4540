"""LOBSTER files (https://lobsterdata.com): message + orderbook CSV, no header, gzip or plain.

Message columns: time (seconds after midnight), type (1 new limit order, 2 partial cancel,
3 delete, 4 visible execution, 5 hidden execution, 6 cross trade, 7 trading halt), order id,
size, price (USD x 10000), direction (1 buy limit order, -1 sell limit order).
Orderbook columns, per level k = 1..L: ask price, ask size, bid price, bid size. Row i is the
book after message i. Empty levels are written as price ±9999999999 with size 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFormatError

PRICE_SCALE = 10_000.0
DUMMY_PRICE = 9_999_999_999
MESSAGE_COLUMNS = ("time", "type", "order_id", "size", "price", "direction")
_DATE_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})_")


def _read_csv(path, what: str) -> np.ndarray:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"LOBSTER {what} file not found: {path}")
    try:
        frame = pd.read_csv(path, header=None, dtype=np.float64, engine="c", compression="infer")
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"{path}: not a LOBSTER {what} file (numeric CSV without header): {exc}") from None
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{path}: empty LOBSTER {what} file") from None
    return frame.to_numpy()


def _day_ns(path, date) -> int:
    if date is None:
        match = _DATE_IN_NAME.search(Path(path).name)
        if match is None:
            return 0
        date = match.group(1)
    return int(pd.Timestamp(date).normalize().value)


def _times_ns(seconds: np.ndarray, path, date) -> np.ndarray:
    return _day_ns(path, date) + np.round(seconds * 1e9).astype(np.int64)


def read_lobster_messages(message_path, *, date=None) -> pd.DataFrame:
    """The message file as a DataFrame: ``ts`` (datetime64[ns]), ``type, order_id, size, price, direction``.

    Prices are divided by 10000 to USD. ``date`` defaults to the date in the file name.
    """
    raw = _read_csv(message_path, "message")
    if raw.shape[1] < 6:
        raise DataFormatError(f"{message_path}: a LOBSTER message file has 6 columns, found {raw.shape[1]}")
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
    """
    from ..book import Book

    msg = _read_csv(message_path, "message")
    ob = _read_csv(orderbook_path, "orderbook")
    if msg.shape[1] < 6:
        raise DataFormatError(f"{message_path}: a LOBSTER message file has 6 columns, found {msg.shape[1]}")
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
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, validate=validate)


def read_lobster_trades(message_path, *, date=None, hidden: bool = True):
    """Executions of a LOBSTER message file as :class:`~obi_widgets.Trades`.

    Type 4 (visible execution) rows, and type 5 (hidden execution) rows when ``hidden`` is true.
    The side is the aggressor's, opposite to the executed resting order: ``side = -direction``.
    """
    from ..trades import Trades

    raw = _read_csv(message_path, "message")
    if raw.shape[1] < 6:
        raise DataFormatError(f"{message_path}: a LOBSTER message file has 6 columns, found {raw.shape[1]}")
    kinds = (4, 5) if hidden else (4,)
    rows = np.isin(raw[:, 1], kinds)
    bad = np.flatnonzero(rows & ~np.isin(raw[:, 5], (-1, 1)))
    if bad.size:
        raise DataFormatError(
            f"{message_path}: execution at row {bad[0]} has direction {raw[bad[0], 5]!r}, expected 1 or -1"
        )
    ts = _times_ns(raw[rows, 0], message_path, date)
    name = Path(message_path).name.split("_message")[0]
    return Trades(ts, raw[rows, 4] / PRICE_SCALE, raw[rows, 3], -raw[rows, 5].astype(np.int8), name=name)


def read_lobster(message_path, orderbook_path, *, date=None, hidden: bool = True, validate: bool = True):
    """Both at once: ``(book, trades)`` from a LOBSTER message + orderbook pair."""
    return (
        read_lobster_book(message_path, orderbook_path, date=date, validate=validate),
        read_lobster_trades(message_path, date=date, hidden=hidden),
    )

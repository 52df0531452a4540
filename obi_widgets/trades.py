"""`Trades`: executed trades over time, as columnar numpy arrays.

- ``ts``: int64 ns since the epoch (UTC), shape (N,), non-decreasing;
- ``price``, ``size``: float64, shape (N,), finite, size > 0;
- ``side``: int8, +1 buyer-initiated (a buy market order lifted the ask), -1 seller-initiated,
  0 unknown (sign it with :func:`obi_widgets.metrics.sign_trades` where a method is wanted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._arrays import frozen
from ._time import as_ns_array, between_slice, check_time_order, format_ns, row_index
from .errors import TradesError

_COLUMNS = ("ts", "price", "size", "side")


class Trades:
    """Executed trades (see the module docstring for the layout). Slice with ``trades[i:j]`` or
    ``trades.between(start, end)``; ``len(trades)`` is the trade count."""

    __slots__ = _COLUMNS + ("name",)

    def __init__(self, ts, price, size, side=None, *, name: str | None = None, validate: bool = True):
        ts = as_ns_array(ts)
        n = ts.shape[0]
        price = np.ascontiguousarray(price, dtype=np.float64)
        size = np.ascontiguousarray(size, dtype=np.float64)
        if side is None:
            side = np.zeros(n, dtype=np.int8)
        side_in = np.asarray(side)
        for label, arr in (("price", price), ("size", size), ("side", side_in)):
            if arr.shape != (n,):
                raise TradesError(f"{label} has shape {arr.shape}, expected ({n},) like ts")
        if validate:
            where = f" in {name}" if name else ""
            check_time_order(ts, what="trade timestamps", place=lambda r: f"row {r}{where}")
            rows = np.flatnonzero(~np.isfinite(price))
            if rows.size:
                raise TradesError(
                    f"trade price at row {rows[0]}{where} is {float(price[rows[0]])!r}; expected a finite number"
                )
            rows = np.flatnonzero(~(size > 0) | ~np.isfinite(size))
            if rows.size:
                raise TradesError(
                    f"trade size at row {rows[0]}{where} is {float(size[rows[0]])!r}; expected a finite number > 0"
                )
            ok = np.isin(side_in, (-1, 0, 1))
            if not ok.all():
                r = int(np.flatnonzero(~ok)[0])
                raise TradesError(
                    f"trade side at row {r}{where} is {side_in[r].item()!r}; expected +1 (buy), -1 (sell) or 0 (unknown)"
                )
        side = np.ascontiguousarray(side_in, dtype=np.int8)
        self.ts, self.price, self.size, self.side = (frozen(a) for a in (ts, price, size, side))
        self.name = name

    @classmethod
    def from_arrays(cls, ts, price, size, side=None, *, name: str | None = None, validate: bool = True) -> Trades:
        """Trades from arrays; ``side`` defaults to 0 (unknown). Raises TradesError naming the first bad row."""
        return cls(ts, price, size, side, name=name, validate=validate)

    @classmethod
    def from_lobster(cls, message_path, *, date=None, hidden: bool = True, cross: bool = False) -> Trades:
        """Executions of a LOBSTER message file as trades (type 4 visible, type 5 hidden if ``hidden``,
        type 6 auction crosses with side 0 if ``cross``).

        The aggressor is opposite to the resting order: an execution of a sell limit order
        (direction -1) is a buyer-initiated trade (+1). See :func:`obi_widgets.io.read_lobster_trades`.
        """
        from .io.lobster import read_lobster_trades

        return read_lobster_trades(message_path, date=date, hidden=hidden, cross=cross)

    @classmethod
    def from_binance(cls, paths, **kwargs) -> Trades:
        """The ``@trade`` messages of Binance raw capture file(s); ``m`` true (buyer is maker) is a
        seller-initiated trade. Keyword arguments (``clock``, ``symbol``, ``name``) as
        :func:`obi_widgets.io.read_binance_trades`.

        When the book is wanted too, parse the files once: ``res = obi_widgets.io.read_binance(paths)``
        gives ``res.book``, ``res.trades`` and ``res.bbo`` on one clock; ``Book.from_binance`` and
        ``Trades.from_binance`` each read the files."""
        from .io.binance import read_binance_trades

        return read_binance_trades(paths, **kwargs)

    @classmethod
    def from_tardis(cls, paths, **kwargs) -> Trades:
        """Trades of Tardis ``trades`` CSV file(s); side buy/sell/unknown is the aggressor's
        (+1/-1/0). Keyword arguments (``clock``, ``symbol``, ``name``) as
        :func:`obi_widgets.io.read_tardis_trades`."""
        from .io.tardis import read_tardis_trades

        return read_tardis_trades(paths, **kwargs)

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def _take(self, index) -> Trades:
        new = object.__new__(Trades)
        for c in _COLUMNS:
            setattr(new, c, frozen(getattr(self, c)[index]))
        new.name = self.name
        return new

    def __getitem__(self, index) -> Trades:
        """Trades by row: a slice (shares memory), an int (one trade), a bool mask, or an increasing
        int array (a decreasing one raises a TimestampError that is also an IndexError), as for a Book."""
        return self._take(row_index(index, len(self), f"{len(self)} trades"))

    def between(self, start=None, end=None) -> Trades:
        """Trades with ``start <= ts < end`` (either bound may be None)."""
        return self._take(between_slice(self.ts, start, end))

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame indexed by time with columns ``price, size, side``."""
        index = pd.DatetimeIndex(self.ts.view("datetime64[ns]"), name="ts")
        return pd.DataFrame({"price": self.price, "size": self.size, "side": self.side}, index=index)

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        if len(self) == 0:
            return f"<Trades{name}: 0 trades>"
        return f"<Trades{name}: {len(self)} trades, {format_ns(self.ts[0])} .. {format_ns(self.ts[-1])}>"

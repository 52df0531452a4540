"""Loaders: files and feeds to :class:`~obi_widgets.Book` and :class:`~obi_widgets.Trades`.

- LOBSTER message + orderbook files: :func:`read_lobster` and friends;
- Binance raw websocket captures (spot and USD-M futures sync rules): :func:`read_binance`, streamed
  chunk by chunk with :func:`iter_binance`;
- Tardis CSV files (incremental_book_L2, book_snapshot_N, trades): :func:`read_tardis`;
- ccxt order-book dicts: :func:`read_ccxt_book`;
- pandas frames, wide (a column per level and side) or long: :func:`read_wide_frame`,
  :func:`read_long_frame`;
- a partitioned Parquet store (instrument / date) for books and trades: :func:`to_parquet`,
  :func:`read_parquet` (schema in :mod:`obi_widgets.io.parquet`);
- the incremental L2 builder they share (deltas to top-N snapshots, numba): :func:`build_book`,
  :class:`BookBuilder`, returning a :class:`BuildResult` (book, per-row flags, trades, ...).
"""

from .binance import iter_binance, read_binance, read_binance_book, read_binance_trades
from .binance_messages import BinanceCapture, iter_binance_messages, read_binance_messages
from .builder import BookBuilder, BuildResult, build_book, infer_tick_size
from .ccxt import read_ccxt_book
from .frames import WIDE_PRESETS, read_long_frame, read_wide_frame, to_long_frame, wide_columns
from .lobster import read_lobster, read_lobster_book, read_lobster_halts, read_lobster_messages, read_lobster_trades
from .parquet import read_parquet, to_parquet
from .tardis import read_tardis, read_tardis_book, read_tardis_snapshots, read_tardis_trades

__all__ = [
    "read_lobster",
    "read_lobster_book",
    "read_lobster_halts",
    "read_lobster_messages",
    "read_lobster_trades",
    "read_binance",
    "read_binance_book",
    "iter_binance",
    "read_binance_messages",
    "iter_binance_messages",
    "read_binance_trades",
    "BinanceCapture",
    "read_tardis",
    "read_tardis_book",
    "read_tardis_snapshots",
    "read_tardis_trades",
    "read_ccxt_book",
    "read_wide_frame",
    "read_long_frame",
    "to_long_frame",
    "wide_columns",
    "WIDE_PRESETS",
    "to_parquet",
    "read_parquet",
    "build_book",
    "BookBuilder",
    "BuildResult",
    "infer_tick_size",
]

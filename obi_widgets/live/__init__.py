"""Live books: feed adapters that push into a :class:`~obi_widgets.views.source.BookSource` from a
background thread (its own asyncio loop), so views of the source update while the kernel stays free.

- :func:`binance`: Binance spot / USD-M depth and trade streams + REST snapshot, synced by the file
  loader's own rule (:func:`obi_widgets.io.read_binance`), reconnecting with back-off;
- :func:`replay`: a recorded capture (or a Book) played at x speed of its own clock, for demos
  without a network.

Both return a started :class:`Feed`: ``feed.source`` (the source, made from the first synced rows),
``feed.status`` (counters), ``feed.stop()``; ``with live.binance(...) as feed:`` stops it at the end.
"""

from __future__ import annotations

from ._feed import Feed, FeedError
from .binance import BinanceFeed, binance
from .replay import ReplayFeed, replay

__all__ = ["binance", "replay", "Feed", "FeedError", "BinanceFeed", "ReplayFeed"]

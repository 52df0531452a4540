"""Live Binance order book: the depth and trade websocket streams and the REST depth snapshot, synced
by the file loader's own rule, pushed into a source from a background asyncio task.

Every message received is turned into a capture line (``<local receive time ns> <message text>``,
the combined-stream envelope as sent; the REST snapshot's body as sent) and the lines go, in
batches, through :class:`~obi_widgets.io._binance_stream.LineRebuild`, the incremental entry point
of the streaming rebuild behind :func:`~obi_widgets.io.read_binance`: the same parser, the same
sync rule (buffer the diffs received before the snapshot, drop the stale ones, the first applied
diff straddles ``lastUpdateId``, later ones chain without a hole), the same builder and crossed
check. So the live book IS the book the file loader builds from the lines the feed received
(``record=`` writes them as a capture file that :func:`~obi_widgets.io.read_binance` reads back).

Recovery, all through that one rule: on a sequence gap the rule enters gap mode (rows flagged);
the feed fetches a fresh REST snapshot and injects it into the same line stream, exactly as the
file loader recovers when a capture holds a later snapshot; a snapshot older than the diffs it
should start from is a gap too, and another snapshot is fetched (with back-off). After a dropped
connection the feed reconnects with exponential back-off and fetches a snapshot again (the
exchange's procedure restarts on every connection). Rows flagged ``gap`` or ``crossed`` are not
pushed (they are counted in :attr:`~obi_widgets.live.Feed.status`).
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request

from ..errors import ParameterError
from ._feed import Feed, FeedError, check_positive, in_daemon_thread

_MARKETS = {"spot": "spot", "usdm": "futures"}
WS_BASE = {"spot": "wss://stream.binance.com:9443", "usdm": "wss://fstream.binance.com"}
REST_BASE = {"spot": "https://api.binance.com", "usdm": "https://fapi.binance.com"}
DEPTH_PATH = {"spot": "/api/v3/depth", "usdm": "/fapi/v1/depth"}
_USDM_LIMITS = (5, 10, 20, 50, 100, 500, 1000)


class BinanceFeed(Feed):
    """A live Binance book (see :func:`binance`, which makes and starts one)."""

    kind = "binance feed"

    def __init__(
        self,
        symbol: str,
        market: str = "spot",
        *,
        levels: int = 10,
        clock: str = "exchange",
        depth_interval: str = "100ms",
        snapshot_limit: int = 1000,
        ws_base: str | None = None,
        rest_base: str | None = None,
        source=None,
        max_rows: int | None = None,
        wait: float = 15.0,
        batch_ms: float = 100.0,
        timeout: float = 10.0,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
        max_reconnects: int | None = None,
        record=None,
    ):
        super().__init__(source=source, max_rows=max_rows, wait=wait)
        if not isinstance(symbol, str) or not symbol.isalnum():
            raise ParameterError(f"symbol must be a Binance symbol such as 'BTCUSDT', got {symbol!r}")
        if market not in _MARKETS:
            raise ParameterError(f"market={market!r}: expected 'spot' or 'usdm'")
        if depth_interval not in ("100ms", "250ms", "500ms", "1000ms"):
            raise ParameterError(f"depth_interval={depth_interval!r}: expected '100ms', '250ms', '500ms' or '1000ms'")
        if market == "spot" and depth_interval not in ("100ms", "1000ms"):
            raise ParameterError(f"depth_interval={depth_interval!r}: spot streams depth at '100ms' or '1000ms'")
        if not isinstance(snapshot_limit, int) or not 1 <= snapshot_limit <= 5000:
            raise ParameterError(f"snapshot_limit must be an int in 1..5000, got {snapshot_limit!r}")
        if market == "usdm" and snapshot_limit not in _USDM_LIMITS:
            raise ParameterError(f"snapshot_limit={snapshot_limit}: USD-M accepts one of {_USDM_LIMITS}")
        for name, value in (("batch_ms", batch_ms), ("timeout", timeout), ("backoff", backoff)):
            check_positive(name, value)
        check_positive("backoff_max", backoff_max)
        if max_reconnects is not None and (not isinstance(max_reconnects, int) or max_reconnects < 0):
            raise ParameterError(f"max_reconnects must be an int >= 0 or None, got {max_reconnects!r}")
        from ..io._binance_stream import LineRebuild

        self.symbol = symbol.upper()
        self.market = market
        self.levels = levels
        self.clock = clock
        self.rebuild = LineRebuild(
            levels=levels, market=_MARKETS[market], clock=clock, symbol=self.symbol, label=f"<binance {market} live>"
        )
        sym = symbol.lower()
        ws = (ws_base or WS_BASE[market]).rstrip("/")
        interval = "" if depth_interval == "1000ms" else f"@{depth_interval}"
        trade = "trade" if market == "spot" else "aggTrade"  # USD-M documents only aggregate trades
        self.ws_url = f"{ws}/stream?streams={sym}@depth{interval}/{sym}@{trade}"
        rest = (rest_base or REST_BASE[market]).rstrip("/")
        self.rest_url = f"{rest}{DEPTH_PATH[market]}?symbol={self.symbol}&limit={snapshot_limit}"
        self.batch_s = float(batch_ms) / 1000.0
        self.timeout = float(timeout)
        self.backoff = float(backoff)
        self.backoff_max = float(backoff_max)
        self.max_reconnects = max_reconnects
        self._record = record
        self._lines: list[bytes] = []
        self._last_ts = 0
        self._snap_task: asyncio.Task | None = None
        self._snap_wanted = False
        self._snap_fails = 0
        self._depth_seen = False  # a depth diff came on this connection (the snapshot is asked after it)
        self._out = None

    # -- lines -------------------------------------------------------------------------------
    def _stamp(self) -> int:
        """The local receive time (ns), never below the previous one."""
        now = max(time.time_ns(), self._last_ts)
        self._last_ts = now
        return now

    def _line(self, text: str | bytes) -> None:
        body = text.encode() if isinstance(text, str) else text
        body = body.strip().replace(b"\n", b" ").replace(b"\r", b" ")  # one message per line (JSON allows it)
        self._lines.append(b"%d %s\n" % (self._stamp(), body))

    def _process(self) -> None:
        """Feed the lines received since the last batch through the rebuild; push the clean rows."""
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        if self._out is not None:
            self._out.writelines(lines)
            self._out.flush()
        lr = self.rebuild
        was_gap = lr.in_gap
        gaps_before = lr.rb.seq.stats["snapshots_used"], len(lr.rb.seq.gaps)
        snaps_before = lr.rb.counts["snapshot"]
        res = lr.feed(lines)
        st = lr.stats
        if lr.synced and not lr.in_gap:
            self._snap_fails = 0
        elif lr.rb.counts["snapshot"] > snaps_before:  # a snapshot that did not sync: the next waits longer
            self._snap_fails += 1
        self._set(
            bad_lines=st["bad_lines"],
            stale_dropped=st["stale_dropped"],
            duplicates_dropped=st["duplicates_dropped"],
            snapshots_used=st["snapshots_used"],
            snapshots_ignored=st["snapshots_ignored"],
            gaps=st["gaps"],
        )
        if lr.last_error:
            self._set(last_error=lr.last_error)
        if was_gap and not lr.in_gap and st["snapshots_used"] > gaps_before[0]:
            self._count(resyncs=1)
        if len(lr.rb.seq.gaps) > gaps_before[1]:
            self._set(last_error=lr.rb.seq.gaps[-1])
        bad = res.unreliable
        crossed = res.flags["crossed"]
        self._count(crossed=int(crossed.sum()), gap_rows=int((bad & ~crossed).sum()))
        book = res.book[~bad] if bad.any() else res.book
        self._deliver(book, res.trades)
        self._set(state="gap" if lr.in_gap else ("live" if lr.synced else "syncing"))
        if lr.in_gap or not lr.synced:
            self._want_snapshot()

    # -- snapshots ---------------------------------------------------------------------------
    def _want_snapshot(self) -> None:
        """Fetch a REST snapshot unless one is on its way (back-off after fetches that did not sync)."""
        if not self._depth_seen or (self._snap_task is not None and not self._snap_task.done()):
            return
        if not self._snap_wanted and self.rebuild.synced and not self.rebuild.in_gap:
            return
        delay = 0.0 if self._snap_fails == 0 else min(self.backoff_max, self.backoff * 2 ** (self._snap_fails - 1))
        self._snap_wanted = False
        self._snap_task = asyncio.get_running_loop().create_task(self._fetch_snapshot(delay))

    async def _fetch_snapshot(self, delay: float) -> None:
        if delay:
            await self._sleep(delay)
        if self.stopping:
            return
        try:
            body = await in_daemon_thread(self._get, self.rest_url, self.timeout)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            self._snap_fails += 1
            self._set(last_error=f"REST snapshot {self.rest_url}: {exc}")
            self._snap_wanted = True
            return
        self._count(snapshots=1)
        self._line(body)

    @staticmethod
    def _get(url: str, timeout: float) -> bytes:
        req = urllib.request.Request(url, headers={"User-Agent": "obi_widgets"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status = getattr(resp, "status", 200)
            if status != 200:
                raise ValueError(f"HTTP {status}")
            return resp.read()

    # -- the connection ----------------------------------------------------------------------
    async def _run(self) -> None:
        import websockets

        if self._record is not None:
            self._out = open(self._record, "ab") if not hasattr(self._record, "write") else self._record
        pump = asyncio.get_running_loop().create_task(self._pump())
        attempt = 0
        try:
            while not self.stopping:
                self._set(state="connecting")
                got = False
                try:
                    async with websockets.connect(
                        self.ws_url, open_timeout=self.timeout, max_size=None, close_timeout=1.0
                    ) as ws:
                        self._set(state="syncing" if not self.rebuild.synced else "live")
                        self._snap_wanted = True  # the procedure restarts on every connection
                        self._depth_seen = False
                        async for msg in ws:
                            self._count(messages=1)
                            self._line(msg)
                            got = True
                            depth = ("depthUpdate" in msg) if isinstance(msg, str) else (b"depthUpdate" in msg)
                            if depth and not self._depth_seen:
                                self._depth_seen = True  # buffer from the first diff on, then ask for the snapshot
                                self._process()
                                self._want_snapshot()
                    self._set(last_error=f"connection closed by the server ({self.ws_url})")
                except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as exc:
                    self._set(last_error=f"{type(exc).__name__}: {exc} ({self.ws_url})")
                self._depth_seen = False
                self._process()
                if self.stopping:
                    break
                attempt = 0 if got else attempt + 1
                if self.max_reconnects is not None and self.status["reconnects"] >= self.max_reconnects:
                    raise FeedError(
                        f"the connection to {self.ws_url} dropped and max_reconnects={self.max_reconnects} "
                        f"reconnects were used; last error: {self.status['last_error']}"
                    )
                self._set(state="reconnecting")
                await self._sleep(min(self.backoff_max, self.backoff * 2**attempt))
                self._count(reconnects=1)
        finally:
            pump.cancel()
            if self._snap_task is not None:
                self._snap_task.cancel()
            self._process()
            if self._out is not None and self._out is not self._record:
                self._out.close()

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(self.batch_s)
            self._process()


def binance(
    symbol: str,
    market: str = "spot",
    *,
    levels: int = 10,
    clock: str = "exchange",
    depth_interval: str = "100ms",
    snapshot_limit: int = 1000,
    ws_base: str | None = None,
    rest_base: str | None = None,
    source=None,
    max_rows: int | None = None,
    wait: float = 15.0,
    batch_ms: float = 100.0,
    timeout: float = 10.0,
    backoff: float = 0.5,
    backoff_max: float = 30.0,
    max_reconnects: int | None = None,
    record=None,
    start: bool = True,
) -> BinanceFeed:
    """A live Binance order book pushed into a :class:`~obi_widgets.views.source.BookSource`.

    Opens the combined stream ``<ws_base>/stream?streams=<symbol>@depth@<depth_interval>/<symbol>@trade``
    (``@aggTrade`` for USD-M, whose documented trade stream is the aggregate one)
    and fetches the REST depth snapshot ``<rest_base>/api/v3/depth`` (spot) or ``/fapi/v1/depth``
    (``market="usdm"``, USD-M futures) with ``limit=snapshot_limit``, syncs them by Binance's
    documented rule ("How to manage a local order book correctly"; spot: drop diffs with
    ``u <= lastUpdateId``, the first applied has ``U <= lastUpdateId + 1 <= u``, then each
    ``U == previous u + 1``; USD-M: ``u < lastUpdateId`` dropped, ``U <= lastUpdateId <= u``, then
    ``pu == previous u``) through the file loader's own implementation (see the module docstring),
    and pushes the top ``levels`` levels per side, one row per applied diff, and the trades (side -1
    when ``m``, the buyer was the maker). ``clock``: "exchange" (rows at the diff's event time ``E``,
    trades at ``T``) or "local" (receive time), as :func:`~obi_widgets.io.read_binance`.

    ``ws_base`` / ``rest_base``: base URLs (default Binance's; tests pass a local server's).
    ``source``: push into this source; None: :attr:`BinanceFeed.source` makes one (``max_rows``
    rows kept) from the first synced rows, waiting up to ``wait`` s. ``batch_ms``: how often the
    received messages are rebuilt and pushed (default 100 ms, the depth stream's own interval; a
    batch of 10 messages took 12 ms to parse and build on a 2-core machine at load 14). ``timeout``: seconds for the connection handshake and
    the REST request. A dropped connection reconnects after ``backoff * 2**k`` s (k failed attempts
    in a row, at most ``backoff_max``); ``max_reconnects`` (None: no limit) ends the feed with a
    :class:`~obi_widgets.live.FeedError`. Snapshots that do not bring the book in sync are retried
    with the same back-off. ``record``: a path (appended) or binary file to write every received
    message to as a capture line (``<local_ts_ns> <json>``), readable by ``read_binance``.
    ``start``: start the feed thread now. Stop it with ``feed.stop()`` or use ``with binance(...) as feed:``.
    """
    feed = BinanceFeed(
        symbol,
        market,
        levels=levels,
        clock=clock,
        depth_interval=depth_interval,
        snapshot_limit=snapshot_limit,
        ws_base=ws_base,
        rest_base=rest_base,
        source=source,
        max_rows=max_rows,
        wait=wait,
        batch_ms=batch_ms,
        timeout=timeout,
        backoff=backoff,
        backoff_max=backoff_max,
        max_reconnects=max_reconnects,
        record=record,
    )
    return feed.start() if start else feed  # type: ignore[return-value]

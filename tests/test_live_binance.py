"""The live Binance adapter against a local server speaking the exchange's wire protocol from the real
BTCUSDT capture (tests/_exchange_server.py): normal, a dropped diff, a dropped connection, a stale
snapshot. In each, the live book equals the book the file loader builds from the same messages
(the adapter's recording, whose messages are checked against what the server sent), and every
clean row equals the row of the original capture's book at the same update (the book recovered)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from obi_widgets import live
from obi_widgets.errors import ObiError, ParameterError
from obi_widgets.io.binance import read_binance
from obi_widgets.live import FeedError

from ._exchange_server import ExchangeServer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "binance_spot_BTCUSDT_2024-08-08"
CAPTURE = DATA / "btcusdt_20240808.gz"
N_LINES = 4000  # about 370 depth diffs, 700 trades, the capture's snapshot at line 8
SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")

pytestmark = pytest.mark.skipif(not CAPTURE.exists(), reason=f"the shared Binance capture is absent ({CAPTURE})")


class Sink:
    """Anything with push(book=, trades=): records what the feed pushed."""

    def __init__(self):
        self.books, self.trades = [], []

    def push(self, book=None, trades=None):
        if book is not None:
            self.books.append(book)
        if trades is not None:
            self.trades.append(trades)

    def arrays(self):
        return {k: np.concatenate([getattr(b, k) for b in self.books]) for k in ("ts", *SIDES)}

    def trade_arrays(self):
        return {k: np.concatenate([getattr(t, k) for t in self.trades]) for k in ("ts", "price", "size", "side")}


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    """The first N_LINES lines of the real capture, as lines, a file, its book (10 levels) and a deep one."""
    with gzip.open(CAPTURE, "rb") as fh:
        lines = [fh.readline() for _ in range(N_LINES)]
    path = tmp_path_factory.mktemp("live") / "prefix.txt"
    path.write_bytes(b"".join(lines))
    truth = read_binance(path)
    deep = read_binance(path, levels=1000)
    return lines, truth, deep


def run(capture, tmp_path, scenario, **kw):
    lines, truth, deep = capture
    server = ExchangeServer(lines, deep, scenario, **kw).start()
    sink = Sink()
    rec = tmp_path / f"{scenario}.txt"
    feed = live.binance(
        "BTCUSDT",
        ws_base=server.ws_base,
        rest_base=server.rest_base,
        source=sink,
        record=rec,
        batch_ms=20,
        backoff=0.05,
        timeout=5,
    )
    try:
        finished = feed.wait_until(lambda f: server.done.is_set() and f.rebuild.lines >= len(server.sent), timeout=60)
    finally:
        feed.stop()
        server.stop()
    assert finished, (feed.status, server.connections, server.requests, len(server.sent), feed.rebuild.lines)
    assert server.error is None
    return feed, server, sink, rec


def check_same_messages(server, rec):
    """The recording holds exactly the messages the server sent (stream messages in the same order)."""
    body = lambda line: line.split(b" ", 1)[1].strip()  # noqa: E731
    recorded = [body(x) for x in rec.read_bytes().splitlines()]
    sent = [body(x) for x in server.sent]
    is_snap = lambda b: b.startswith(b'{"lastUpdateId"')  # noqa: E731
    assert [b for b in recorded if not is_snap(b)] == [b for b in sent if not is_snap(b)]
    assert [b for b in recorded if is_snap(b)] == [b for b in sent if is_snap(b)]


def check_equals_file_loader(sink, rec):
    """Live rows == read_binance(recording) rows that are neither gap- nor crossed-flagged; trades too."""
    ref = read_binance(rec, on_gap="flag", on_crossed="flag")
    want = ref.book[~ref.unreliable]
    got = sink.arrays()
    assert got["ts"].shape[0] == len(want) > 0
    for k in ("ts", *SIDES):
        np.testing.assert_array_equal(got[k], getattr(want, k), err_msg=k)
    t = sink.trade_arrays()
    for k in ("ts", "price", "size", "side"):
        np.testing.assert_array_equal(t[k], getattr(ref.trades, k), err_msg=k)
    return ref


def check_rows_true(sink, truth, tail: int):
    """Every live row equals the original capture's row at the same update (E is unique per diff),
    and the live book's last ``tail`` rows are the capture's last ``tail`` rows (it recovered)."""
    got = sink.arrays()
    idx = np.searchsorted(truth.book.ts, got["ts"])
    assert (idx < len(truth.book)).all()
    np.testing.assert_array_equal(truth.book.ts[idx], got["ts"])
    for k in SIDES:
        np.testing.assert_array_equal(getattr(truth.book, k)[idx], got[k], err_msg=k)
    np.testing.assert_array_equal(idx[-tail:], np.arange(len(truth.book) - tail, len(truth.book)))


def test_normal(capture, tmp_path):
    lines, truth, _ = capture
    feed, server, sink, rec = run(capture, tmp_path, "normal")
    st = feed.status
    assert st["gaps"] == 0 and st["reconnects"] == 0 and st["snapshots"] == 1 == server.snapshots_served
    assert st["stale_dropped"] == 2  # the capture's trap: its snapshot arrives after diffs it already holds
    check_same_messages(server, rec)
    check_equals_file_loader(sink, rec)
    # nothing was lost: the live book is the capture's book row for row, and its trades
    got = sink.arrays()
    for k in ("ts", *SIDES):
        np.testing.assert_array_equal(got[k], getattr(truth.book, k), err_msg=k)
    np.testing.assert_array_equal(sink.trade_arrays()["ts"], truth.trades.ts)
    assert st["rows"] == len(truth.book) and st["state"] == "stopped"


def test_dropped_diff_resyncs_from_a_fresh_snapshot(capture, tmp_path):
    _, truth, _ = capture
    feed, server, sink, rec = run(capture, tmp_path, "drop_diff", at=60)
    st = feed.status
    assert st["gaps"] == 1 and st["resyncs"] == 1 and st["reconnects"] == 0
    assert st["snapshots"] == 2 == server.snapshots_served
    assert st["gap_rows"] >= 1  # the rows built across the hole were withheld
    check_same_messages(server, rec)
    ref = check_equals_file_loader(sink, rec)
    assert ref.flags["gap"].any() and not ref.flags["gap"][-1]
    check_rows_true(sink, truth, tail=200)
    assert "does not follow" in st["last_error"] or st["last_error"] == ""


def test_dropped_connection_reconnects_and_resyncs(capture, tmp_path):
    _, truth, _ = capture
    feed, server, sink, rec = run(capture, tmp_path, "drop_connection", at=60, lost=5)
    st = feed.status
    assert server.connections == 2 and st["reconnects"] == 1
    assert st["gaps"] == 1 and st["resyncs"] == 1 and st["snapshots"] == 2
    check_same_messages(server, rec)
    check_equals_file_loader(sink, rec)
    check_rows_true(sink, truth, tail=200)
    # the 5 diffs lost in the outage give no row
    got = sink.arrays()
    assert len(got["ts"]) <= len(truth.book) - 5


def test_stale_snapshot_is_replaced(capture, tmp_path):
    _, truth, _ = capture
    feed, server, sink, rec = run(capture, tmp_path, "stale_snapshot", at=40)
    st = feed.status
    assert st["snapshots"] == 2 and st["gaps"] == 1 and st["resyncs"] == 1
    check_same_messages(server, rec)
    check_equals_file_loader(sink, rec)
    check_rows_true(sink, truth, tail=250)
    assert sink.arrays()["ts"][0] > truth.book.ts[40]  # no row before the stream started


def test_unreachable_server_is_a_typed_error():
    # a port nobody listens on (bound then closed); the feed retries, .source says why it has no book
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    feed = live.binance(
        "BTCUSDT", ws_base=f"ws://127.0.0.1:{port}", rest_base=f"http://127.0.0.1:{port}", wait=0.5, backoff=0.05
    )
    with feed:
        with pytest.raises(FeedError, match="no synced book") as info:
            _ = feed.source
        assert isinstance(info.value, ObiError)
        assert "Connect" in feed.status["last_error"] or "refused" in feed.status["last_error"]
    assert not feed.running


def test_max_reconnects_ends_the_feed():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    feed = live.binance("BTCUSDT", ws_base=f"ws://127.0.0.1:{port}", max_reconnects=2, backoff=0.01, wait=5)
    assert feed.wait_until(lambda f: not f.running, timeout=10)
    assert feed.status["state"] == "failed" and feed.status["reconnects"] == 2
    with pytest.raises(FeedError, match="max_reconnects=2"):
        _ = feed.source


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"market": "coinm"}, "market='coinm'"),
        ({"symbol": "BTC/USDT"}, "symbol must be"),
        ({"snapshot_limit": 0}, "snapshot_limit"),
        ({"market": "usdm", "snapshot_limit": 200}, "USD-M accepts"),
        ({"batch_ms": -1}, "batch_ms"),
        ({"max_reconnects": -1}, "max_reconnects"),
        ({"source": object()}, "source must be"),
        ({"depth_interval": "250ms"}, "spot streams depth"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = {"symbol": "BTCUSDT", **kwargs}
    with pytest.raises(ParameterError, match=match):
        live.binance(args.pop("symbol"), **args, start=False)


def test_urls():
    f = live.binance("btcusdt", start=False)
    assert f.ws_url == "wss://stream.binance.com:9443/stream?streams=btcusdt@depth@100ms/btcusdt@trade"
    assert f.rest_url == "https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000"
    g = live.binance("BTCUSDT", "usdm", ws_base="ws://h:1/", rest_base="http://h:2", start=False)
    assert g.ws_url == "ws://h:1/stream?streams=btcusdt@depth@100ms/btcusdt@aggTrade"  # USD-M: aggregate trades
    assert g.rest_url == "http://h:2/fapi/v1/depth?symbol=BTCUSDT&limit=1000"


def test_into_a_real_book_source(capture):
    """No source given: feed.source makes a BookSource from the first synced rows (in this thread);
    the rows after it are pushed; after stop() the source holds the capture's book and trades."""
    from obi_widgets.views.source import BookSource

    lines, truth, deep = capture
    with ExchangeServer(lines, deep, "drop_connection", at=30, lost=0) as server:
        with live.binance(
            "BTCUSDT", ws_base=server.ws_base, rest_base=server.rest_base, batch_ms=20, backoff=0.05
        ) as feed:
            src = feed.source
            assert isinstance(src, BookSource) and len(src.book) >= 1
            assert feed.wait_until(lambda f: server.done.is_set() and f.rebuild.lines >= len(server.sent), timeout=60)
    st = feed.status
    # lost=0: the reconnection loses nothing, the stream still follows, the new snapshot is not needed
    assert st["reconnects"] == 1 and st["gaps"] == 0 and st["snapshots"] == 2 and st["snapshots_ignored"] == 1
    for k in ("ts", *SIDES):
        np.testing.assert_array_equal(getattr(src.book, k), getattr(truth.book, k), err_msg=k)
    assert src.trades is not None  # the source keeps the trades from its first book row on
    want = truth.trades.between(int(truth.book.ts[0]), None)
    assert 0 < len(want) < len(truth.trades)
    np.testing.assert_array_equal(src.trades.ts, want.ts)
    np.testing.assert_array_equal(src.trades.side, want.side)


def test_ring_buffer_source(capture):
    from obi_widgets.views.source import BookSource

    lines, truth, deep = capture
    src = BookSource(truth.book[:1], max_rows=100)
    with ExchangeServer(lines, deep, "normal") as server:
        feed = live.binance("BTCUSDT", ws_base=server.ws_base, rest_base=server.rest_base, source=src, batch_ms=20)
        with feed:
            assert feed.wait_until(lambda f: server.done.is_set() and f.rebuild.lines >= len(server.sent), timeout=60)
    assert feed.source is src
    # the source began with the capture's first row and the feed pushed every row (the first one again:
    # its time equals the source's last, which push allows); the ring keeps the last 100
    for k in ("ts", *SIDES):
        np.testing.assert_array_equal(getattr(src.book, k), getattr(truth.book[-100:], k), err_msg=k)


def test_crossed_rows_are_counted_and_not_pushed():
    """Hand-made stream: the capture-style snapshot arrives after two diffs; diff u=105 crosses the
    book (bid 102 over ask 101.25), diff u=106 takes the bid away again. The bookTicker line is not
    on a subscribed stream and is never sent."""
    import json

    from .test_binance import E0, SPOT, depth, trade

    msgs = [*SPOT[:5], trade(3, "100.0", "0.5", True)]
    msgs += [depth(4, 105, 105, [["102.0", "1"]], []), depth(5, 106, 106, [["102.0", "0"]], [])]
    lines = [f"{1_723_161_254_000_000_000 + i * 1_000_000} {json.dumps(m)}\n".encode() for i, m in enumerate(msgs)]
    sink = Sink()
    with ExchangeServer(lines, None, "normal") as server:
        feed = live.binance(
            "BTCUSDT", levels=2, ws_base=server.ws_base, rest_base=server.rest_base, source=sink, batch_ms=10
        )
        with feed:
            assert feed.wait_until(lambda f: server.done.is_set() and f.rebuild.lines >= len(server.sent), timeout=30)
    assert len(server.sent) == 7  # 5 diffs + 1 trade + the snapshot; no bookTicker
    st = feed.status
    assert st["crossed"] == 1 and st["rows"] == 3 and st["gaps"] == 0 and st["stale_dropped"] == 1
    b = sink.arrays()
    assert b["ts"].tolist() == [(E0 + 100 * k) * 1_000_000 for k in (2, 3, 5)]
    nan = np.nan
    np.testing.assert_array_equal(b["bid_px"], [[100.5, 100.0], [100.0, nan], [100.0, nan]])
    np.testing.assert_array_equal(b["bid_sz"], [[2.0, 5.0], [5.0, nan], [5.0, nan]])
    np.testing.assert_array_equal(b["ask_px"], [[101.5, nan], [101.25, 101.5], [101.25, 101.5]])
    np.testing.assert_array_equal(b["ask_sz"], [[3.0, nan], [7.0, 3.0], [7.0, 3.0]])
    t = sink.trade_arrays()
    assert t["side"].tolist() == [-1] and t["price"].tolist() == [100.0]


def test_rest_snapshot_unreachable_keeps_retrying_and_says_why(capture):
    import socket

    lines, _, deep = capture
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with ExchangeServer(lines, deep, "normal", pace=0.005) as server:
        feed = live.binance(
            "BTCUSDT", ws_base=server.ws_base, rest_base=f"http://127.0.0.1:{port}", wait=1.0, backoff=0.05, timeout=1
        )
        with feed:
            with pytest.raises(FeedError, match="REST snapshot http://127.0.0.1") as info:
                _ = feed.source
            assert "no synced book" in str(info.value)
            st = feed.status
            assert st["state"] == "syncing" and st["messages"] > 0 and st["rows"] == 0 and st["snapshots"] == 0

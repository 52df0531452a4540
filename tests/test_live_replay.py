"""live.replay: a recorded capture (or a Book) played into a real BookSource equals the file loader's
book; rows are never pushed before their time at x speed; stop() ends the thread; errors are typed."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pytest

from obi_widgets import datasets, live
from obi_widgets.errors import ParameterError
from obi_widgets.io.binance import read_binance
from obi_widgets.live import FeedError
from obi_widgets.views.source import BookSource

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "binance_spot_BTCUSDT_2024-08-08"
FILES = [DATA / "btcusdt_20240808.gz", DATA / "btcusdt_20240809.gz"]
SIDES = ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")
needs_data = pytest.mark.skipif(not FILES[0].exists(), reason=f"the shared Binance capture is absent ({DATA})")


def assert_same_book(got, want):
    assert len(got) == len(want) > 0
    for k in SIDES:
        np.testing.assert_array_equal(getattr(got, k), getattr(want, k), err_msg=k)


class Sink:
    def __init__(self):
        self.books, self.trades, self.at = [], [], []

    def push(self, book=None, trades=None):
        self.at.append((time.monotonic(), book, trades))
        if book is not None:
            self.books.append(book)
        if trades is not None:
            self.trades.append(trades)


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """The capture's first 3000 lines (about 30 s of its clock)."""
    with gzip.open(FILES[0], "rb") as fh:
        lines = [fh.readline() for _ in range(3000)]
    path = tmp_path_factory.mktemp("replay") / "prefix.txt"
    path.write_bytes(b"".join(lines))
    return path


@needs_data
def test_whole_capture_as_fast_as_possible_equals_read_binance():
    ref = read_binance(FILES, on_gap="flag", on_crossed="flag")
    assert not ref.unreliable.any()  # the real capture rebuilds clean: every row must arrive
    with live.replay(FILES, speed=float("inf"), wait=60) as feed:
        src = feed.source
        assert isinstance(src, BookSource)
        assert feed.wait_until(lambda f: f.status["state"] == "finished", timeout=120), feed.status
    assert not feed.running
    assert_same_book(src.book, ref.book)
    for k in ("ts", "price", "size", "side"):
        np.testing.assert_array_equal(getattr(src.trades, k), getattr(ref.trades, k), err_msg=k)
    assert feed.status["rows"] == len(ref.book) and feed.status["trades"] == len(ref.trades)


@needs_data
def test_paced_replay_pushes_nothing_early_and_everything_in_the_end(prefix):
    ref = read_binance(prefix)
    speed = 30.0
    sink = Sink()
    feed = live.replay(prefix, speed=speed, source=sink, batch_ms=10)
    assert feed.wait_until(lambda f: f.status["state"] == "finished", timeout=60), feed.status
    feed.stop()
    assert feed.t0 == min(int(ref.book.ts[0]), int(ref.trades.ts[0]))
    assert feed.w0 is not None
    for m, book, trades in sink.at:  # a row stamped t goes out once (t - t0) / speed s have passed
        due = feed.t0 + (m - feed.w0) * speed * 1e9
        for part in (book, trades):
            if part is not None:
                assert int(part.ts[-1]) <= due
    assert len(sink.at) > 1  # 30 s of data at 30x: about 1 s of batches every 10 ms, not one push
    assert_same_book(
        type(ref.book)(*(np.concatenate([getattr(b, k) for b in sink.books]) for k in SIDES)),
        ref.book,
    )
    np.testing.assert_array_equal(np.concatenate([t.ts for t in sink.trades]), ref.trades.ts)


def test_a_book_with_trades_into_a_ring_buffer():
    sim = datasets.simulate(seed=3, n_events=3000)
    with live.replay(sim.book, sim.trades, speed=float("inf"), max_rows=500) as feed:
        src = feed.source
        assert feed.wait_until(lambda f: f.status["state"] == "finished", timeout=30)
    assert_same_book(src.book, sim.book[-500:])
    assert src.trades is not None and int(src.trades.ts[-1]) == int(sim.trades.ts[-1])


def test_stop_ends_the_thread_mid_replay():
    sim = datasets.simulate(seed=4, n_events=2000)
    sink = Sink()
    feed = live.replay(sim.book, speed=1.0, source=sink)  # about 70 s of data at 1x
    assert feed.wait_until(lambda f: f.status["rows"] > 0, timeout=30)
    feed.stop(timeout=10)
    assert not feed.running and feed.status["state"] == "stopped"
    n = feed.status["rows"]
    assert 0 < n < len(sim.book)
    time.sleep(0.1)
    assert feed.status["rows"] == n  # nothing after stop


def test_context_manager_and_repr():
    sim = datasets.simulate(seed=5, n_events=500)
    sink = Sink()
    with live.replay(sim.book, speed=float("inf"), source=sink, start=False) as feed:
        assert feed.running or feed.status["state"] in ("playing", "finished")
        feed.wait_until(lambda f: f.status["state"] == "finished", timeout=30)
    assert not feed.running
    assert "finished" in repr(feed) and "500 rows" in repr(feed)
    assert sum(len(b) for b in sink.books) == 500


@needs_data
def test_a_capture_without_snapshot_is_a_typed_error(tmp_path):
    with gzip.open(FILES[0], "rb") as fh:
        lines = [fh.readline() for _ in range(200)]
    bad = tmp_path / "nosnap.txt"
    bad.write_bytes(b"".join(x for x in lines if b"lastUpdateId" not in x))
    feed = live.replay(bad, speed=float("inf"), wait=30)
    with pytest.raises(FeedError, match="no REST depth snapshot"):
        _ = feed.source
    assert feed.status["state"] == "failed"
    feed.stop()


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"speed": 0}, ParameterError, "speed must be a positive number"),
        ({"speed": -2.0}, ParameterError, "speed"),
        ({"batch_ms": 0}, ParameterError, "batch_ms"),
        ({"max_rows": 0}, ParameterError, "max_rows"),
        ({"wait": 0}, ParameterError, "wait"),
    ],
)
def test_bad_arguments(kwargs, err, match):
    sim = datasets.simulate(seed=1, n_events=100)
    with pytest.raises(err, match=match):
        live.replay(sim.book, start=False, **kwargs)


def test_bad_inputs(tmp_path):
    sim = datasets.simulate(seed=1, n_events=100)
    with pytest.raises(FileNotFoundError):
        live.replay(tmp_path / "missing.gz", start=False)
    with pytest.raises(ParameterError, match="trades="):
        live.replay(tmp_path / "x.gz", sim.trades, start=False)
    with pytest.raises(ParameterError, match="trades must be"):
        live.replay(sim.book, "trades", start=False)
    with pytest.raises(ParameterError, match="no capture arguments"):
        live.replay(sim.book, symbol="BTCUSDT", start=False)

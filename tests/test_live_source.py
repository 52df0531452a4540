"""BookSource.push: ring buffers, coalesced flushes, and what the views send after them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets import Book, Trades, datasets
from obi_widgets.errors import ParameterError, TimestampError
from obi_widgets.views._buffers import unpack
from obi_widgets.views._live import Coalescer, RingBook, RingTrades


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate(seed=3)


def _book(ts, bid=100.0, levels=2):
    ts = np.asarray(ts, dtype=np.int64)
    n = ts.shape[0]
    bid_px = np.tile(bid - np.arange(levels) * 0.01, (n, 1))
    ask_px = np.tile(bid + 0.02 + np.arange(levels) * 0.01, (n, 1))
    return Book(ts, bid_px, np.full((n, levels), 5.0), ask_px, np.full((n, levels), 7.0))


def test_ring_keeps_the_last_rows_and_old_views_never_change():
    ring = RingBook(_book([0, 1, 2]), max_rows=5)
    first = ring.book()
    snapshot = first.ts.copy()
    pushed = [0, 1, 2]
    for k in range(3, 3000, 7):  # many wraps of the preallocated arrays
        ring.append(_book(np.arange(k, k + 7)))
        pushed += list(range(k, k + 7))
    b = ring.book()
    assert len(b) == 5
    assert b.ts.tolist() == pushed[-5:]
    assert ring.dropped == len(pushed) - 5
    assert first.ts.tolist() == snapshot.tolist()  # a Book handed out earlier is untouched
    assert not b.ts.flags.writeable


def test_ring_without_max_rows_keeps_everything():
    ring = RingBook(_book([0]), max_rows=None)
    for k in range(1, 5000, 100):
        ring.append(_book(np.arange(k, k + 100)))
    assert ring.book().ts.tolist() == list(range(0, 5001))
    assert ring.dropped == 0


def test_ring_rejects_other_levels_and_time_going_back():
    ring = RingBook(_book([10, 20]), max_rows=None)
    with pytest.raises(ParameterError, match="3 levels"):
        ring.append(_book([30], levels=3))
    with pytest.raises(TimestampError, match="before the source's last row"):
        ring.append(_book([15]))


def test_ring_trades_drop_what_is_older_than_the_book():
    ring = RingTrades(None, max_trades=None)
    tr = Trades(np.arange(10, dtype=np.int64), np.full(10, 100.0), np.ones(10), np.ones(10, dtype=np.int8))
    ring.append(tr[:6])
    ring.append(tr[6:], keep_from=4)
    assert ring.trades().ts.tolist() == [4, 5, 6, 7, 8, 9]


def test_coalescer_limits_the_rate_and_always_sends_the_last_state():
    calls, settled = [], []
    c = Coalescer(
        lambda: calls.append(time.monotonic()), lambda: settled.append(1), rate=20, loop=None, settle_after=0.2
    )
    began = time.monotonic()
    while time.monotonic() - began < 0.5:  # pushes as fast as possible for half a second
        c.poke()
    deadline = time.monotonic() + 2
    while not settled and time.monotonic() < deadline:
        time.sleep(0.01)
    assert settled == [1]
    # 20 a second over 0.5 s, plus the first and the trailing one
    assert 2 <= len(calls) <= 13
    gaps = np.diff(calls)
    assert gaps.min() >= 0.05 * 0.9
    assert calls[-1] >= began + 0.45  # the trailing flush came after the last pushes


def test_push_grows_the_source_and_the_views_follow(sim):
    b, tr = sim.book, sim.trades
    src = ow.BookSource(b[:500], tr.between(None, int(b.ts[499]) + 1), window="30s")
    lad, tl, hm, dc = (
        ow.Ladder(src),
        ow.ImbalanceTimeline(src, series=["level1_imbalance", "ofi"]),
        ow.DepthHeatmap(src),
        ow.DepthChart(src),
    )
    for i in range(500, 6000, 25):
        src.push(b[i : i + 25], tr.between(int(b.ts[i]), int(b.ts[i + 24]) + 1))
    src.flush()
    n = 6000
    assert len(src.book) == n
    np.testing.assert_array_equal(src.book.ask_px, b.ask_px[:n])
    assert src.trades is not None and src.trades.ts.tolist() == tr.between(None, int(b.ts[n - 1]) + 1).ts.tolist()
    assert src.cursor == n - 1
    assert src.time_range == (int(b.ts[n - 1]) - 30_000_000_000, int(b.ts[n - 1]))
    assert src._meta["rows"] == n and src._meta["live"] is True
    frame = unpack(lad._frame)[1]
    assert frame["row"] == n - 1 and frame["t"] == pytest.approx(b.ts[n - 1] / 1e6)
    window = unpack(tl._window)[1]
    assert window["range"] == list(src.time_range)
    # the timeline's OFI panel is the metric on the grown book
    s = tl.series("OFI (cumulative)") if "OFI (cumulative)" in tl.labels else tl.series(tl.labels[1])
    np.testing.assert_allclose(s.to_numpy(), np.cumsum(ow.metrics.ofi(b[:n])), equal_nan=True)
    track = unpack(src._track)
    assert track[0]["row"][-1] == n - 1  # the track was rebuilt by the final flush
    raster = unpack(hm._raster)[1]
    assert raster["t1"] >= b.ts[n - 1] / 1e6
    assert unpack(dc._frame)[1]["row"] == n - 1


def test_max_rows_bounds_the_source_and_the_cursor_keeps_its_snapshot(sim):
    b = sim.book
    src = ow.BookSource(b[:100], max_rows=300, follow=False, cursor=50)
    held = int(b.ts[50])
    src.push(b[100:320])  # 20 rows fall off the front
    src.flush()
    assert len(src.book) == 300 and int(src.book.ts[0]) == int(b.ts[20])
    assert int(src.book.ts[src.cursor]) == held  # not following: the cursor stays on its snapshot
    src.push(b[320:2000])
    src.flush()
    assert len(src.book) == 300 and src.cursor == 0  # its snapshot fell off: the oldest kept row


def test_full_ring_with_the_same_row_count_still_updates_cursor_views(sim):
    b = sim.book
    src = ow.BookSource(b[:200], max_rows=200)
    lad = ow.Ladder(src)
    src.push(b[200:210])
    src.flush()
    assert src.cursor == 199  # same row number as before the push ...
    assert unpack(lad._frame)[1]["t"] == pytest.approx(b.ts[209] / 1e6)  # ... but the newest snapshot


def test_push_from_another_thread(sim):
    b = sim.book
    src = ow.BookSource(b[:10])
    lad = ow.Ladder(src)

    def feed():
        for i in range(10, 3000, 10):
            src.push(b[i : i + 10])
            time.sleep(0.001)

    th = threading.Thread(target=feed)
    th.start()
    th.join(10)
    deadline = time.monotonic() + 20  # a slow first flush (kernels loading) widens the gap
    # the trailing flush: the cursor moves first, then the views' deferred handlers re-send their
    # frames, on the flushing thread, so wait for both
    while (src.cursor != 2999 or unpack(lad._frame)[1]["row"] != 2999) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(src.book) == 3000 and src.cursor == 2999
    assert unpack(lad._frame)[1]["row"] == 2999
    assert src.flushes < 100  # bounded by the rate (20 a second), not by the 299 pushes


def test_push_errors(sim):
    b = sim.book
    src = ow.BookSource(b[:10])
    with pytest.raises(ParameterError, match="needs an obi_widgets.Book"):
        src.push(book="rows")  # type: ignore[arg-type]
    with pytest.raises(TimestampError):
        src.push(b[:5])
    with pytest.raises(ParameterError, match="max_rows"):
        ow.BookSource(b[:10], max_rows=1)
    with pytest.raises(ParameterError, match="rate"):
        ow.BookSource(b[:10], rate=0)


def test_a_cursor_moved_by_hand_holds_a_live_source_and_a_zoom_keeps_its_span(sim):
    b = sim.book
    src = ow.BookSource(b[:1000], window="60s")
    src.push(b[1000:1100])
    src.flush()
    assert src.follow and src.cursor == 1099
    src.time_range = (int(b.ts[1099]) - 10_000_000_000, int(b.ts[1099]))  # a zoom to 10 s
    src.push(b[1100:1200])
    src.flush()
    assert src.time_range == (int(b.ts[1199]) - 10_000_000_000, int(b.ts[1199]))  # still 10 s, at the end
    src.cursor = 500  # a click back in time
    assert not src.follow
    src.push(b[1200:1300])
    src.flush()
    assert src.cursor == 500 and len(src.book) == 1300  # held still while rows arrive
    src.follow = True  # "LIVE" again: the next flush goes to the newest row
    deadline = time.monotonic() + 10
    while src.cursor != 1299 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert src.cursor == 1299


def test_only_a_kernel_loop_runs_the_flushes():
    """A loop running in this thread that is not an IPython kernel's (Playwright's sync API runs
    one) is not used: flushes handed to it might never run."""
    import asyncio

    from obi_widgets.views._live import kernel_loop

    async def inside():
        return kernel_loop()

    found = []  # in a thread of its own: after the browser tests this one may already run a loop
    th = threading.Thread(target=lambda: found.append(asyncio.run(inside())))
    th.start()
    th.join(10)
    assert found == [None]

"""io._binance_stream.LineRebuild, the incremental entry point the live adapter feeds: capture lines in
batches through the file loader's own rebuild. Hand-computed books on small captures, and on the
real capture every split into batches gives read_binance's result."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from obi_widgets.errors import ParameterError
from obi_widgets.io._binance_stream import LineRebuild
from obi_widgets.io.binance import read_binance

from .test_binance import E0, GAP, SPOT, SPOT_ASK_PX, SPOT_ASK_SZ, SPOT_BID_PX, SPOT_BID_SZ, depth

CAPTURE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"
)
SIDES = ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")
N = None


def lines_of(messages) -> list[bytes]:
    return [f"{1_723_161_254_000_000_000 + i * 1_000_000} {json.dumps(m)}\n".encode() for i, m in enumerate(messages)]


def feed_all(lr: LineRebuild, lines: list[bytes], size: int):
    return [lr.feed(lines[i : i + size]) for i in range(0, len(lines), size)]


def joined(results, attr="book"):
    parts = [getattr(r, attr) for r in results]
    return {k: np.concatenate([getattr(p, k) for p in parts]) for k in SIDES}


def as_lists(a):
    return [[None if np.isnan(x) else float(x) for x in row] for row in a]


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_spot_by_hand_in_any_batches(size):
    lr = LineRebuild(levels=2)
    res = feed_all(lr, lines_of(SPOT), size)
    b = joined(res)
    assert as_lists(b["bid_px"]) == SPOT_BID_PX and as_lists(b["bid_sz"]) == SPOT_BID_SZ
    assert as_lists(b["ask_px"]) == SPOT_ASK_PX and as_lists(b["ask_sz"]) == SPOT_ASK_SZ
    assert b["ts"].tolist() == [(E0 + 100 * k) * 1_000_000 for k in (2, 3, 5, 7)]
    assert np.concatenate([r.meta["update_id"] for r in res]).tolist() == [101, 104, 105, 108]
    assert lr.stats["stale_dropped"] == 1 and lr.stats["duplicates_dropped"] == 1
    assert lr.synced and not lr.in_gap
    trades = np.concatenate([r.trades.side for r in res])
    assert trades.tolist() == [-1, 1]


@pytest.mark.parametrize("size", [1, 4, 100])
def test_gap_then_a_later_snapshot_resyncs(size):
    lr = LineRebuild(levels=2)
    lines = lines_of(SPOT + GAP)
    res = feed_all(lr, lines[: len(SPOT) + 2], size)  # up to the diff during the gap
    assert lr.in_gap and lr.stats["gaps"] == 1
    res += feed_all(lr, lines[len(SPOT) + 2 :], size)  # the snapshot 114, then a clean diff
    assert not lr.in_gap
    gap = np.concatenate([r.flags["gap"] for r in res])
    assert gap.tolist() == [False] * 4 + [True, True, False, False]
    b = joined(res)
    assert as_lists(b["bid_px"])[4:] == [[99.5, N], [99.5, N], [99.5, 99.0], [99.75, 99.5]]
    assert as_lists(b["ask_px"])[4:] == [[101.25, 101.5], [101.5, N], [101.5, 102.0], [101.5, 102.0]]


def test_crossed_rows_are_flagged_not_raised():
    crossed = SPOT[:5] + [depth(4, 105, 105, [["102.0", "1"]], []), depth(5, 106, 106, [["102.0", "0"]], [])]
    lr = LineRebuild(levels=2)
    res = feed_all(lr, lines_of(crossed), 1)
    assert np.concatenate([r.flags["crossed"] for r in res]).tolist() == [False, False, True, False]


def test_bad_lines_are_skipped_and_counted():
    lines = lines_of(SPOT)
    lines.insert(3, b"123 not json\n")
    lr = LineRebuild(levels=2)
    b = joined(feed_all(lr, lines, 2))
    assert as_lists(b["bid_px"]) == SPOT_BID_PX  # the rest is untouched
    assert lr.bad_lines == 1 and "<live>:4" in lr.last_error and "expected '<local_ts_ns> <json>'" in lr.last_error
    strict = LineRebuild(levels=2, skip_bad=False, label="feed")
    with pytest.raises(ValueError, match="feed:4"):
        feed_all(strict, lines, 100)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"market": "auto"}, "market='auto'"), ({"clock": "wall"}, "clock='wall'"), ({"on_crossed": "x"}, "on_crossed")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        LineRebuild(**kwargs)


@pytest.mark.skipif(not CAPTURE.exists(), reason=f"the shared Binance capture is absent ({CAPTURE})")
@pytest.mark.parametrize("size", [1, 37, 5000])
def test_real_capture_any_split_equals_read_binance(tmp_path, size):
    with gzip.open(CAPTURE, "rb") as fh:
        lines = [fh.readline() for _ in range(3000)]
    path = tmp_path / "prefix.txt"
    path.write_bytes(b"".join(lines))
    ref = read_binance(path, on_gap="flag", on_crossed="flag")
    lr = LineRebuild()
    res = feed_all(lr, lines, size)
    res.append(lr.finish())  # the bookTicker rows still waiting for their diff
    b = joined(res)
    for k in SIDES:
        np.testing.assert_array_equal(b[k], getattr(ref.book, k), err_msg=k)
    t = np.concatenate([r.trades.ts for r in res])
    np.testing.assert_array_equal(t, ref.trades.ts)
    np.testing.assert_array_equal(np.concatenate([r.meta["update_id"] for r in res]), ref.meta["update_id"])
    bbo = [r.bbo for r in res if r.bbo is not None]
    np.testing.assert_array_equal(np.concatenate([x.ts for x in bbo]), ref.bbo.ts)
    assert lr.stats["stale_dropped"] == ref.meta["stale_dropped"] == 2

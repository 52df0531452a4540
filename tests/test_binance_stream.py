"""Streaming Binance rebuild: streamed == the whole-capture reference at every chunk size (real sample,
its first lines cut into tiny chunks, a generated capture with gaps and duplicates, hypothesis
diff streams), iter_binance == read_binance, one clock per result, file-order hints, line counts."""

from __future__ import annotations

import bisect
import gzip
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obi_widgets.errors import SequenceGapError, TimestampError
from obi_widgets.io._binance_sync import Diffs, ReferenceSequencer, plan_rows
from obi_widgets.io.binance import iter_binance, read_binance
from obi_widgets.io.binance_messages import read_binance_messages
from obi_widgets.io.builder import BookBuilder
from obi_widgets.metrics import sign_trades

from .test_binance import GAP, SPOT, depth, snapshot, write_capture

MS = 1_000_000
ROOT = Path(__file__).resolve().parents[1]


# -- the reference: today's whole-capture pipeline, per message -------------------------------------
def reference(paths, *, levels=10, market="auto", clock="exchange", on_gap="raise"):
    """The whole capture parsed at once, the per-message ReferenceSequencer, one builder feed; bookTicker
    stamps by a plain loop (bisect over the diffs whose u is a new maximum)."""
    cap = read_binance_messages(paths)
    d = cap.depth
    if market == "auto":
        market = "futures" if d["pu"].size and (d["pu"] >= 0).any() else "spot"
    seq = ReferenceSequencer(cap, market == "futures", on_gap)
    ops = seq.run()
    msg = np.array([o[0] for o in ops], dtype=np.int64)
    emit = np.array([o[1] for o in ops], dtype=bool)
    gap = np.array([o[2] for o in ops], dtype=bool)
    b = BookBuilder(levels)
    row_op = np.zeros(0, np.int64)
    if ops:
        side, price, size, ts, reset, em, row_op = plan_rows(Diffs(d, cap.levels), cap.snapshots, msg, emit, clock)
        b.feed(ts, side, price, size, emit=em, reset=reset)
    ts, bpx, bsz, apx, asz, src = b.arrays()
    op = row_op[src]
    # bookTicker on the result's clock
    U, u, E, loc = (d[k].tolist() for k in ("U", "u", "E", "local_ts"))
    hu, hU, hE, hlag, top = [], [], [], [], None
    for j in range(len(u)):
        if top is None or u[j] > top:
            top = u[j]
            hu.append(u[j])
            hU.append(U[j])
            hE.append(E[j])
            hlag.append(E[j] * MS - loc[j])
    bts = []
    for x, e, lt in zip(cap.bbo["u"].tolist(), cap.bbo["E"].tolist(), cap.bbo["local_ts"].tolist()):
        if clock == "local":
            bts.append(lt)
        elif e >= 0:
            bts.append(e * MS)
        else:
            p = bisect.bisect_left(hu, x)
            if p < len(hu) and hU[p] <= x:
                bts.append(hE[p] * MS)
            else:
                bts.append(lt + hlag[min(p, len(hu) - 1)])
        if len(bts) > 1 and bts[-1] < bts[-2]:
            bts[-1] = bts[-2]
    t = cap.trades
    return {
        "arrays": (ts, bpx, bsz, apx, asz),
        "update_id": d["u"][msg[op]] if ops else np.zeros(0, np.int64),
        "gap": gap[op] if ops else np.zeros(0, bool),
        "stats": seq.stats,
        "gaps": tuple(seq.gaps),
        "tick": b.tick_size,
        "trades": (t["T"] * MS if clock == "exchange" else t["local_ts"], t["price"], t["qty"]),
        "bbo_ts": np.array(bts, dtype=np.int64),
        "bbo_u": cap.bbo["u"],
    }


def assert_same(res, ref):
    book = res.book
    for got, want in zip((book.ts, book.bid_px, book.bid_sz, book.ask_px, book.ask_sz), ref["arrays"]):
        np.testing.assert_array_equal(np.asarray(got), want)
    np.testing.assert_array_equal(res.meta["update_id"], ref["update_id"])
    np.testing.assert_array_equal(res.flags["gap"], ref["gap"])
    assert {k: res.meta[k] for k in ref["stats"]} == ref["stats"]
    assert res.meta["gaps"] == ref["gaps"]
    assert res.tick_size == ref["tick"] or (np.isnan(res.tick_size) and np.isnan(ref["tick"]))
    for got, want in zip((res.trades.ts, res.trades.price, res.trades.size), ref["trades"]):
        np.testing.assert_array_equal(np.asarray(got), want)
    if ref["bbo_u"].size:
        np.testing.assert_array_equal(np.asarray(res.bbo.ts), ref["bbo_ts"])
        np.testing.assert_array_equal(res.meta["bbo_update_id"], ref["bbo_u"])


def joined(results):
    """One book's columns, trades, bbo and per-row meta from iter_binance's results."""
    cat = np.concatenate
    books = [r.book for r in results]
    bbos = [r.bbo for r in results if r.bbo is not None]
    return {
        "book": [
            cat([np.asarray(getattr(b, k)) for b in books]) for k in ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")
        ],
        "update_id": cat([r.meta["update_id"] for r in results]),
        "gap": cat([r.flags["gap"] for r in results]),
        "crossed": cat([r.flags["crossed"] for r in results]),
        "source_row": cat([r.source_row for r in results]),
        "trades": [cat([np.asarray(getattr(r.trades, k)) for r in results]) for k in ("ts", "price", "size", "side")],
        "trade_id": cat([r.meta["trade_id"] for r in results]),
        "bbo": [cat([np.asarray(getattr(b, k)) for b in bbos]) for k in ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")]
        if bbos
        else None,
        "bbo_update_id": cat([r.meta["bbo_update_id"] for r in results]),
    }


def assert_iter_equals_read(paths, chunk_lines, **kwargs):
    whole = read_binance(paths, **kwargs)
    results = list(iter_binance(paths, chunk_lines=chunk_lines, **kwargs))
    j = joined(results)
    for got, want in zip(
        j["book"], (whole.book.ts, whole.book.bid_px, whole.book.bid_sz, whole.book.ask_px, whole.book.ask_sz)
    ):
        np.testing.assert_array_equal(got, np.asarray(want))
    for key in ("update_id", "trade_id", "bbo_update_id"):
        np.testing.assert_array_equal(j[key], whole.meta[key])
    for key in ("gap", "crossed"):
        np.testing.assert_array_equal(j[key], whole.flags[key])
    np.testing.assert_array_equal(j["source_row"], whole.source_row)
    for got, want in zip(j["trades"], (whole.trades.ts, whole.trades.price, whole.trades.size, whole.trades.side)):
        np.testing.assert_array_equal(got, np.asarray(want))
    if whole.bbo is not None:
        assert j["bbo"] is not None
        for got, want in zip(
            j["bbo"], (whole.bbo.ts, whole.bbo.bid_px, whole.bbo.bid_sz, whole.bbo.ask_px, whole.bbo.ask_sz)
        ):
            np.testing.assert_array_equal(got, np.asarray(want))
    rows0 = [r.meta["row0"] for r in results]
    assert rows0 == list(np.cumsum([0] + [len(r.book) for r in results])[:-1])
    assert [r.meta["chunk"] for r in results] == list(range(len(results)))
    last = results[-1].meta
    for key in ("stale_dropped", "duplicates_dropped", "snapshots_used", "snapshots_ignored", "gaps", "messages"):
        assert last[key] == whole.meta[key]
    return results


# -- hand-made captures ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chunk_lines", [1, 2, 3, 4, 5, 1000])
@pytest.mark.parametrize("clock", ["exchange", "local"])
def test_small_captures_streamed_equal_reference(tmp_path, chunk_lines, clock):
    # chunk sizes that cut between the buffered diffs, the snapshot, the gap and the resync
    path = write_capture(tmp_path / "gap.txt", SPOT + GAP)
    res = read_binance(path, levels=2, on_gap="flag", clock=clock, chunk_lines=chunk_lines)
    assert_same(res, reference(path, levels=2, on_gap="flag", clock=clock))
    assert res.meta["update_id"].tolist() == [101, 104, 105, 108, 112, 115, 115, 117]  # as in test_binance
    assert_iter_equals_read(path, chunk_lines, levels=2, on_gap="flag", clock=clock)


def test_chunk_cut_inside_the_buffered_window_keeps_the_straddling_diff(tmp_path):
    # SPOT's snapshot (line 4) comes after two buffered diffs; one line per chunk puts each diff and the
    # snapshot in its own chunk: the buffered diff 96..101 must still be applied (not dropped)
    path = write_capture(tmp_path / "cap.txt", SPOT)
    res = read_binance(path, levels=2, chunk_lines=1)
    assert res.meta["update_id"].tolist() == [101, 104, 105, 108]
    assert res.meta["chunks"] == len(SPOT)
    assert res.meta["buffered_peak"] == 2


# -- hypothesis: diff streams with gaps, duplicates, resync snapshots -----------------------------------
def _levels(draw):
    prices = st.sampled_from(["98.0", "99.0", "100.0", "101.0", "102.0", "103.0"])
    return [[draw(prices), draw(st.sampled_from(["0", "1", "2.5"]))] for _ in range(draw(st.integers(0, 3)))]


@st.composite
def streams(draw):
    futures = draw(st.booleans())
    n = draw(st.integers(3, 40))
    uid = 1000
    msgs, diffs = [], []
    prev_u = None
    snap_first = draw(st.integers(0, 3))
    for k in range(n):
        kind = draw(st.sampled_from(["next"] * 6 + ["gap", "dup", "snap", "stale_snap"]))
        if kind == "dup" and diffs:
            msgs.append(draw(st.sampled_from(diffs)))
            continue
        if kind in ("snap", "stale_snap") or k == snap_first:
            L = uid - draw(st.integers(0, 6)) if kind == "stale_snap" else uid + draw(st.integers(-3, 2))
            bids = [[f"{100 - i}.0", "1"] for i in range(draw(st.integers(0, 3)))]
            asks = [[f"{101 + i}.0", "1"] for i in range(draw(st.integers(0, 3)))]
            msgs.append(snapshot(L, bids, asks))
            continue
        if kind == "gap":
            uid += draw(st.integers(2, 4))
        U = uid + 1
        u = U + draw(st.integers(0, 3))
        m = depth(
            k, U, u, _levels(draw), _levels(draw), pu=(prev_u if prev_u is not None else U - 1) if futures else None
        )
        msgs.append(m)
        diffs.append(m)
        prev_u = u
        uid = u
    return msgs, draw(st.sampled_from([1, 2, 3, 5, 100]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=streams())
def test_hypothesis_streams_equal_reference(tmp_path_factory, case):
    msgs, chunk_lines = case
    path = write_capture(tmp_path_factory.mktemp("h") / "cap.txt", msgs)
    for on_gap in ("flag", "raise"):
        try:
            ref = reference(path, levels=3, on_gap=on_gap)
        except SequenceGapError as exc:
            with pytest.raises(SequenceGapError) as got:
                read_binance(path, levels=3, on_gap=on_gap, on_crossed="flag", chunk_lines=chunk_lines)
            assert str(got.value) == str(exc)
            continue
        if not ref["stats"]["snapshots_used"]:
            continue  # no snapshot at all: an error, tested elsewhere
        res = read_binance(path, levels=3, on_gap=on_gap, on_crossed="flag", chunk_lines=chunk_lines)
        assert_same(res, ref)


# -- the real sample ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_files(data_dir):
    folder = data_dir / "binance_spot_BTCUSDT_2024-08-08"
    return [folder / "btcusdt_20240808.gz", folder / "btcusdt_20240809.gz"]


@pytest.fixture(scope="module")
def ref_exchange(sample_files):
    return reference(sample_files, levels=10)


@pytest.mark.realdata
@pytest.mark.parametrize("chunk_lines", [4_999, 40_000, 1_000_000])
def test_real_capture_streamed_equals_reference(sample_files, ref_exchange, chunk_lines):
    res = read_binance(sample_files, levels=10, chunk_lines=chunk_lines)
    assert_same(res, ref_exchange)
    assert res.meta["bbo_stamped"]["depth_diff"] == len(res.bbo)  # every ticker u lies in a diff's [U, u]


@pytest.mark.realdata
def test_real_capture_prefix_in_tiny_chunks(sample_files, tmp_path):
    # the first 2500 lines (3 buffered diffs, the snapshot at line 7, ...) copied to tmp, read 1..7 lines
    # at a time so that chunks cut through the buffered-diff window and the snapshot
    with gzip.open(sample_files[0], "rt") as f:
        lines = [next(f) for _ in range(2500)]
    path = tmp_path / "prefix.txt"
    path.write_text("".join(lines))
    for clock in ("exchange", "local"):
        ref = reference(path, levels=5, clock=clock)
        for chunk_lines in (1, 2, 3, 7):
            assert_same(read_binance(path, levels=5, clock=clock, chunk_lines=chunk_lines), ref)


@pytest.mark.realdata
def test_real_capture_iter_equals_read(sample_files):
    results = assert_iter_equals_read(sample_files, 20_000, levels=10)
    assert len(results) >= 5


@pytest.mark.realdata
@pytest.mark.parametrize("clock", ["exchange", "local"])
def test_real_capture_one_clock_and_lee_ready(sample_files, clock):
    res = read_binance(sample_files, levels=10, clock=clock)
    cap = read_binance_messages(sample_files)
    truth = np.where(cap.trades["buyer_maker"], -1, 1)
    assert res.meta["clock"] == clock == res.meta["bbo_time"]
    if clock == "exchange":
        # 32.6 % when trades (exchange T) were signed against bookTicker stamped on the capture clock
        agree = float((sign_trades(res.trades, res.bbo, method="lee_ready") == truth).mean())
        assert agree >= 0.95
        np.testing.assert_array_equal(np.asarray(res.trades.ts), cap.trades["T"] * MS)
    else:
        # on the capture clock a trade's message arrives a few ms after the bookTicker rows showing its
        # effect; a lag of a few windows (Lee & Ready's remedy for quotes recorded ahead) restores it
        agree = float((sign_trades(res.trades, res.bbo, method="lee_ready", lag="100ms") == truth).mean())
        assert agree >= 0.95
        np.testing.assert_array_equal(np.asarray(res.trades.ts), cap.trades["local_ts"])
        np.testing.assert_array_equal(np.asarray(res.bbo.ts), cap.bbo["local_ts"])
    # bookTicker rows and book rows with the same update id: the same state, the same clock
    uid, bu = res.meta["update_id"], res.meta["bbo_update_id"]
    pos = np.searchsorted(uid, bu)
    hit = pos < uid.size
    hit[hit] = uid[pos[hit]] == bu[hit]
    rows, tick = pos[hit], np.flatnonzero(hit)
    assert rows.size > 1000
    gap_ms = (np.asarray(res.bbo.ts)[tick] - np.asarray(res.book.ts)[rows]) / 1e6
    if clock == "exchange":
        assert (gap_ms == 0).all()
    else:  # the ticker is received before the 100 ms diff batch that contains its update
        assert -100 < float(np.median(gap_ms)) <= 0 and (np.abs(gap_ms) < 150).all()
    # the measured offset between the clocks, recomputed here
    lag = cap.depth["E"] * MS - cap.depth["local_ts"]
    assert res.meta["clock_offset_ns"] == int(np.percentile(lag, 50))
    assert res.meta["clock_offset_p5_ns"] <= res.meta["clock_offset_ns"] <= res.meta["clock_offset_p95_ns"]
    assert 1.1e9 < res.meta["clock_offset_ns"] < 1.45e9


# -- files out of order ----------------------------------------------------------------------------------
@pytest.mark.realdata
def test_real_files_out_of_order_hint(sample_files):
    with pytest.raises(SequenceGapError, match="look out of order") as err:
        read_binance(sample_files[::-1])
    text = str(err.value)
    assert f"by their first lines the order would be: {sample_files[0]}, {sample_files[1]}" in text


def _write_lines(path, rows):
    path.write_text("".join(f"{t} {json.dumps(m)}\n" for t, m in rows))
    return path


def test_file_older_than_the_previous_one_hints(tmp_path):
    # SPOT split after the snapshot; the second file's capture times run BEFORE the first file's
    t0 = 1_723_161_254_000_000_000
    a = _write_lines(tmp_path / "a.txt", [(t0 + i * MS, m) for i, m in enumerate(SPOT[:4])])
    b = _write_lines(tmp_path / "b.txt", [(t0 - 10 * MS + i * MS, m) for i, m in enumerate(SPOT[4:])])
    res = read_binance([a, b], levels=2)  # the exchange clock and the sequence are fine ...
    assert "look out of order" in res.meta["file_order"] and "b.txt starts at" in res.meta["file_order"]
    assert f"the order would be: {b}, {a}" in res.meta["file_order"]
    with pytest.raises(TimestampError, match="look out of order"):  # ... the capture clock is not
        read_binance([a, b], levels=2, clock="local")
    with pytest.raises(TimestampError, match="look out of order"):
        list(iter_binance([a, b], levels=2, clock="local", chunk_lines=2))


def test_gap_at_a_file_boundary_hints(tmp_path):
    a = write_capture(tmp_path / "a.txt", SPOT)
    b = _write_lines(tmp_path / "b.txt", [(1_723_161_255_000_000_000 + i * MS, m) for i, m in enumerate(GAP)])
    with pytest.raises(SequenceGapError, match=r"b.txt:1: .*first depth update of .*b.txt.*file boundary"):
        read_binance([a, b])


# -- accounting --------------------------------------------------------------------------------------------
def test_counts_say_what_was_read_and_skipped(tmp_path):
    other = depth(4, 1, 2, [["1.0", "1"]], [])
    other["data"]["s"] = "ETHUSDT"
    extra = [{"stream": "btcusdt@kline_1m", "data": {"e": "kline", "s": "BTCUSDT"}}, other]
    path = write_capture(tmp_path / "cap.txt", SPOT + extra)
    with path.open("a") as f:
        f.write("\n")
    res = read_binance(path, levels=2, symbol="BTCUSDT", chunk_lines=3)
    m = res.meta
    assert m["messages"] == {"depth": 6, "trade": 2, "bookTicker": 1, "snapshot": 1, "ignored": 1}
    assert m["stale_dropped"] == 1 and m["duplicates_dropped"] == 1
    assert m["snapshots_used"] == 1 and m["snapshots_ignored"] == 0 and m["ignored_messages"] == 1
    lines = m["lines"]
    assert lines["read"] == len(SPOT) + 3
    assert lines["blank"] == 1 and lines["other_symbol"] == 1 and lines["ignored_kind"] == 1
    # every depth diff read is a book row, or dropped and counted (no gap here, so none is replayed)
    assert m["messages"]["depth"] == len(res.book) + m["stale_dropped"] + m["duplicates_dropped"]


# -- a capture from the generator ---------------------------------------------------------------------------
def _generator():
    spec = importlib.util.spec_from_file_location("make_binance_day", ROOT / "benchmarks" / "make_binance_day.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def generator(sample_files):
    gen = _generator()
    return gen, gen.measure(sample_files[0].parent)


@pytest.mark.realdata
def test_generated_capture_clean(generator, tmp_path):
    gen, stats = generator
    path = tmp_path / "clean.gz"
    info = gen.make_capture(path, messages=40_000, hours=0.05, seed=2, stats=stats)
    assert info["snapshot"] == 1 and info["messages"] == sum(
        info[k] for k in ("depth", "bookTicker", "trade", "snapshot")
    )
    res = read_binance(path, levels=10, chunk_lines=5_000)  # raises on a gap or a crossed row
    assert res.meta["stale_dropped"] == 2 and res.meta["snapshots_used"] == 1  # the trap, as in the real sample
    assert res.meta["messages"]["depth"] == info["depth"] and len(res.trades) == info["trade"]
    uid, bu = res.meta["update_id"], res.meta["bbo_update_id"]
    pos = np.searchsorted(uid, bu)
    hit = pos < uid.size
    hit[hit] = uid[pos[hit]] == bu[hit]
    rows, tick = pos[hit], np.flatnonzero(hit)
    assert rows.size > 100
    for mine, theirs in ((res.book.bid_px, res.bbo.bid_px), (res.book.ask_sz, res.bbo.ask_sz)):
        np.testing.assert_array_equal(np.asarray(mine)[rows, 0], np.asarray(theirs)[tick, 0])


@pytest.mark.realdata
def test_generated_capture_with_gaps_and_duplicates(generator, tmp_path):
    gen, stats = generator
    path = tmp_path / "gaps.gz"
    gen.make_capture(path, messages=40_000, hours=0.05, seed=1, gaps=2, dups=3, stats=stats)
    ref = reference(path, levels=10, on_gap="flag")
    for chunk_lines in (997, 10_000):
        res = read_binance(path, levels=10, on_gap="flag", on_crossed="flag", chunk_lines=chunk_lines)
        assert_same(res, ref)
    assert len(res.meta["gaps"]) == 2 and res.meta["snapshots_used"] == 3
    assert res.meta["duplicates_dropped"] == 3
    assert res.flags["gap"].any() and not res.flags["gap"][-100:].any()  # resynchronised
    with pytest.raises(SequenceGapError):
        read_binance(path, levels=10)

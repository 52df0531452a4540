"""Tests of obi_widgets.metrics.next_move: the sign, size and time until the next mid change.
Expected values are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book, metrics
from obi_widgets.errors import CrossedBookError, ParameterError
from obi_widgets.metrics import NextMove, next_move

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
NAN = np.nan


def book_of(mids, secs=None, *, spread=0.5, validate=True, bids=None, asks=None):
    mids = np.asarray(mids, dtype=float)
    n = mids.size
    secs = np.arange(n) if secs is None else np.asarray(secs, dtype=float)
    ts = T0 + (secs * SEC).astype(np.int64)
    bid = mids - spread / 2 if bids is None else np.asarray(bids, dtype=float)
    ask = mids + spread / 2 if asks is None else np.asarray(asks, dtype=float)
    bsz = np.where(np.isnan(bid), NAN, 1.0)
    asz = np.where(np.isnan(ask), NAN, 1.0)
    return Book.from_arrays(ts, bid, bsz, ask, asz, validate=validate)


@pytest.fixture
def book():
    # rows at 0, 1, 2, 3, 5, 8 s; mids 100, 100, 100.5, 100.5, 100.5, 99.5
    return book_of([100, 100, 100.5, 100.5, 100.5, 99.5], [0, 1, 2, 3, 5, 8])


def test_next_move_by_hand(book):
    m = next_move(book)
    assert isinstance(m, NextMove) and len(m) == 6
    # row 0: first different mid at row 2 (+0.5), 2 rows, 2 s later; row 1: row 2, 1 row, 1 s
    # rows 2, 3, 4: row 5 (-1.0), 3/2/1 rows, 6/5/3 s; row 5: no later change
    np.testing.assert_array_equal(m.index, [2, 2, 5, 5, 5, -1])
    np.testing.assert_array_equal(m.sign, [1, 1, -1, -1, -1, NAN])
    np.testing.assert_allclose(m.size, [0.5, 0.5, -1, -1, -1, NAN])
    np.testing.assert_array_equal(m.event_time, [2, 1, 3, 2, 1, NAN])
    np.testing.assert_array_equal(m.clock_time_ns, np.array([2, 1, 6, 5, 3, NAN]) * SEC)
    assert m.sign.dtype == np.float64 and m.index.dtype == np.int64


def test_to_frame_and_repr(book):
    m = next_move(book)
    f = m.to_frame()
    assert list(f.columns) == ["next_move_sign", "next_move_size", "next_move_event_time", "next_move_clock_time_ns"]
    assert isinstance(f.index, pd.DatetimeIndex) and f.index.name == "ts"
    assert f.index.equals(book.to_frame().index)
    np.testing.assert_array_equal(f["next_move_event_time"], m.event_time)
    assert list(m.to_frame(prefix="").columns) == ["sign", "size", "event_time", "clock_time_ns"]
    # 5 rows followed by a change, 2 of them up; event times 2 1 3 2 1 -> median 2 rows; clock median 3 s
    assert repr(m) == (
        "NextMove(6 rows, 5 followed by a change: 40.0% up; median 2 rows / 0 days 00:00:03 until it; see .to_frame())"
    )
    assert "no row" in repr(next_move(book_of([100, 100])))


def test_same_timestamp_has_zero_clock_time():
    # rows 0, 1 share a time; the mid changes at row 1: 1 row, 0 ns
    m = next_move(book_of([100, 101, 101], [0, 0, 2]))
    np.testing.assert_array_equal(m.event_time, [1, NAN, NAN])
    np.testing.assert_array_equal(m.clock_time_ns, [0, NAN, NAN])


def test_float_rounding_is_not_a_move():
    # quotes 100.03/100.07 and 100.01/100.09 have the same mid, 100.05, but float64 sums differ
    bids, asks = [100.03, 100.01, 100.02], [100.07, 100.09, 100.10]
    b = book_of([0, 0, 0], bids=bids, asks=asks)
    mids = metrics.mid(b)
    assert mids[0] != mids[1]  # the premise: the two mids differ in their last bit
    m = next_move(b)
    # rtol=1e-9 (default): row 0's next move is at row 2 (mid 100.06), +0.01, 2 rows
    np.testing.assert_array_equal(m.index, [2, 2, -1])
    np.testing.assert_allclose(m.size[:2], [0.01, 0.01])
    exact = next_move(b, rtol=0)  # exact comparison: a "move" of 1.4e-14 at row 1
    assert exact.index[0] == 1 and abs(exact.size[0]) < 1e-12


def test_missing_quotes_skip_and_stop():
    # mids 100, 100, (no bid), 100, 100.5: row 2 has no mid
    b = book_of([100, 100, 0, 100, 100.5], bids=[99.75, 99.75, NAN, 99.75, 100.25], asks=[100.25] * 4 + [100.75])
    skip = next_move(b)  # row 2 is passed over: rows 0, 1, 3 move at row 4 (+0.5)
    np.testing.assert_array_equal(skip.index, [4, 4, -1, 4, -1])
    np.testing.assert_array_equal(skip.event_time, [4, 3, NAN, 1, NAN])
    np.testing.assert_allclose(skip.size, [0.5, 0.5, NAN, 0.5, NAN])
    stop = next_move(b, missing="stop")  # rows 0 and 1 meet row 2 (no mid) first: not observed
    np.testing.assert_array_equal(stop.index, [-1, -1, -1, 4, -1])
    np.testing.assert_array_equal(stop.sign, [NAN, NAN, NAN, 1, NAN])
    # mids 100, (none), 101: skip reports the move across the gap, stop does not
    g = book_of([100, 0, 101], bids=[99.75, NAN, 100.75], asks=[100.25, NAN, 101.25])
    np.testing.assert_array_equal(next_move(g).index, [2, -1, -1])
    np.testing.assert_array_equal(next_move(g, missing="stop").index, [-1, -1, -1])


def test_crossed_rows():
    # row 1 crossed: bid 100.5 > ask 100.25 (mid 100.375); rows 0, 2, 3 mids 100, 100, 101
    b = book_of([0] * 4, bids=[99.75, 100.5, 99.75, 100.75], asks=[100.25, 100.25, 100.25, 101.25], validate=False)
    with pytest.raises(CrossedBookError, match=r"row 1 .*best bid 100.5 >= best ask 100.25; 1 such rows"):
        next_move(b)
    keep = next_move(b, crossed="keep")  # row 1's mid is used: row 0 moves +0.375 at row 1
    np.testing.assert_array_equal(keep.index, [1, 2, 3, -1])
    np.testing.assert_allclose(keep.size, [0.375, -0.375, 1, NAN])
    gone = next_move(b, crossed="missing")  # row 1 has no mid: row 0 -> row 3 (+1, 3 rows)
    np.testing.assert_array_equal(gone.index, [3, -1, 3, -1])
    np.testing.assert_array_equal(gone.event_time, [3, NAN, 1, NAN])
    np.testing.assert_array_equal(next_move(b, crossed="missing", missing="stop").index, [-1, -1, 3, -1])


def test_other_prices():
    # weighted mid: bid 99/100 size 1/3, ask 101/... -> W = P^b + s * Qb / (Qb + Qa)
    ts = T0 + np.arange(3) * SEC
    b = Book.from_arrays(ts, [99.0, 99.0, 99.0], [1.0, 3.0, 3.0], [101.0, 101.0, 101.0], [3.0, 1.0, 1.0])
    # W = 99 + 2 * 1/4 = 99.5, then 99 + 2 * 3/4 = 100.5, 100.5; the mid never moves
    w = next_move(b, price="weighted_mid")
    np.testing.assert_array_equal(w.index, [1, -1, -1])
    np.testing.assert_allclose(w.size, [1.0, NAN, NAN])
    assert np.isnan(next_move(b).sign).all()
    arr = next_move(b, price=np.array([5.0, 4.0, 4.0]))
    np.testing.assert_array_equal(arr.sign, [-1, NAN, NAN])


def test_edges_and_errors(book):
    one = next_move(book_of([100]))
    assert one.index.tolist() == [-1] and np.isnan(one.size).all()
    empty = next_move(book[0:0])
    assert len(empty) == 0 and empty.sign.shape == (0,)
    with pytest.raises(ParameterError, match="missing"):
        next_move(book, missing="drop")
    with pytest.raises(ParameterError, match="crossed"):
        next_move(book, crossed="ignore")
    for bad in (-1e-9, NAN, "0", True):
        with pytest.raises(ParameterError, match="rtol"):
            next_move(book, rtol=bad)
    with pytest.raises(ParameterError, match="price"):
        next_move(book, price="microprice")
    with pytest.raises(ParameterError, match="shape"):
        next_move(book, price=np.ones(3))
    with pytest.raises(ParameterError, match="Book"):
        next_move(np.ones(3))


def _reference(p, missing, rtol):
    """Per-row Python scan, the definition written out (no shared code with the kit)."""
    n = len(p)
    out = np.full(n, -1)
    for t in range(n):
        if not math.isfinite(p[t]):
            continue
        for s in range(t + 1, n):
            if not math.isfinite(p[s]):
                if missing == "stop":
                    break
                continue
            if abs(p[s] - p[t]) > rtol * max(abs(p[s]), abs(p[t])):
                out[t] = s
                break
    return out


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.sampled_from([99.5, 100.0, 100.5]), st.just(NAN)), st.integers(-3, 3)),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["skip", "stop"]),
    st.sampled_from([0.0, 1e-9]),
)
def test_matches_the_definition(rows, missing, rtol):
    # each price jittered by a few 1e-13 relative: within rtol=1e-9 they are equal, with rtol=0 not
    p = np.array([v * (1 + k * 1e-13) for v, k in rows])
    ts = T0 + np.arange(p.size) * SEC
    b = Book.from_arrays(ts, np.ones(p.size), np.ones(p.size), np.full(p.size, 2.0), np.ones(p.size))
    m = next_move(b, price=p, missing=missing, rtol=rtol)
    ref = _reference(p, missing, rtol)
    np.testing.assert_array_equal(m.index, ref)
    has = ref >= 0
    np.testing.assert_array_equal(m.event_time[has], (ref - np.arange(p.size))[has])
    np.testing.assert_array_equal(m.size[has], p[ref[has]] - p[has])
    assert np.isnan(m.sign[~has]).all() and set(np.unique(m.sign[has])) <= {-1.0, 1.0}
    if rtol:
        assert np.all(np.abs(m.size[has]) > 0.4)  # only the real moves (half a unit or more)


def test_simulated_book_agrees_with_forward_return():
    from obi_widgets.datasets import simulate

    b = simulate(3, 2000).book
    m = next_move(b)
    np.testing.assert_array_equal(m.size, metrics.forward_return(b, "next"))
    mid = metrics.mid(b)
    has = m.index >= 0
    rows = np.flatnonzero(has)
    # between t and s(t) the mid is unchanged, at s(t) it differs (the simulator's mids are exact halves)
    assert np.all(mid[m.index[has]] != mid[has])
    assert np.all(mid[m.index[has] - 1] == mid[has])
    assert np.all(m.clock_time_ns[has] == b.ts[m.index[has]] - b.ts[rows])
    assert not has[-1] and has.sum() > 1900


@pytest.mark.realdata
def test_amzn_queue_imbalance_predicts_the_next_move_direction(amzn_files):
    from .conftest import skip_or_fail

    if not all(p.exists() for p in amzn_files):
        skip_or_fail(f"LOBSTER AMZN sample not found at {amzn_files[0].parent}")
    b = Book.from_lobster(*amzn_files)
    m = next_move(b)
    imb = metrics.level1_imbalance(b)
    prof = metrics.imbalance_profile(imb, m.sign, bins=5)
    # Gould & Bonart (2016): the probability that the next mid move is up rises with queue imbalance
    up = prof["p_up"].to_numpy()
    assert np.all(np.diff(up) > 0) and up[0] < 0.4 and up[-1] > 0.6
    assert prof["p_zero"].max() == 0  # the sign is never 0
    assert np.nanmedian(m.event_time) >= 1


def test_docstring_keeps_its_formula():
    doc = next_move.__doc__ or ""
    assert "\t" not in doc and r"m_s \ne m_t" in doc and r"\tau_{s(t)} - \tau_t" in doc
    assert "\t" not in (NextMove.__doc__ or "")

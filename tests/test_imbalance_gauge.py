"""ImbalanceGauge, Python side: the value, band, history and word it sends, its track, its errors."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

import obi_widgets as ow
from obi_widgets import Book, metrics
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.imbalance_gauge import pressure_grade, pressure_word

NAN = np.nan
S = 1_000_000_000
T0 = 1_700_000_000 * S  # an epoch time, so that the ms the browser gets are realistic

# Level-1 imbalance by hand, (Qb - Qa) / (Qb + Qa), rows 0..6:
#   (3-1)/4 = 0.5, (1-3)/4 = -0.5, 0, (2-8)/10 = -0.6, (9-1)/10 = 0.8, 0, NaN (no ask)
L1 = [0.5, -0.5, 0.0, -0.6, 0.8, 0.0, NAN]
# depth imbalance over 2 levels (level 2 holds 1 on each side): (Qb1 + 1 - Qa1 - 1) / (Qb1 + Qa1 + 2);
# empty levels count as 0 (metrics.depth_imbalance), so row 6 (bids 2 + 1, no ask) is +1
DEPTH2 = [2 / 6, -2 / 6, 0.0, -6 / 12, 8 / 12, 0.0, 1.0]
DEPTH1 = L1[:6] + [1.0]


def book() -> Book:
    """7 rows at 0, 1, 2, 3, 3, 10, 11 s (rows 3 and 4 share a time); row 6 has no ask."""
    bid_sz = [3, 1, 5, 2, 9, 4, 2]
    ask_sz = [1, 3, 5, 8, 1, 4, NAN]
    return Book.from_arrays(
        T0 + np.array([0, 1, 2, 3, 3, 10, 11]) * S,
        [[10.0, 9.9]] * 7,
        [[q, 1] for q in bid_sz],
        [[10.1, 10.2]] * 5 + [[10.2, 10.3], [NAN, NAN]],
        [[q, 1] for q in ask_sz[:6]] + [[NAN, NAN]],
        name="toy",
        meta={"tick": 0.1, "price_unit": "USD", "size_unit": "shares"},
    )


def sent(gauge) -> tuple[dict, dict]:
    return unpack(gauge._frame)


def test_value_at_the_cursor_is_the_metric():
    b = book()
    g = ow.ImbalanceGauge(b, window=3, history=3)
    for row in range(7):
        g.cursor = row
        f, m = sent(g)
        assert m["row"] == row and m["t"] == (T0 + [0, 1, 2, 3, 3, 10, 11][row] * S) / 1e6
        if np.isnan(L1[row]):
            assert m["value"] is None and np.isnan(g.value) and m["word"] == "no value" and m["grade"] == -1
        else:
            assert m["value"] == pytest.approx(L1[row], abs=1e-15)
            assert m["value"] == metrics.level1_imbalance(b)[row]
    assert g._spec["track"] == "imb_l1" and g.metric == "level1_imbalance" and g.label == "L1 imbalance"


def test_band_over_rows_and_history():
    g = ow.ImbalanceGauge(book(), window=3, history=3, cursor=4)
    f, m = sent(g)
    # rows 2..4: 0, -0.6, 0.8
    assert (m["lo"], m["hi"], m["band_rows"]) == (pytest.approx(-0.6), pytest.approx(0.8), 3)
    np.testing.assert_allclose(f["history"], [0.0, -0.6, 0.8])
    np.testing.assert_array_equal(f["history_t"], (T0 + np.array([2, 3, 3]) * S) / 1e6)
    assert m["first_row"] == 2
    assert (m["grade"], m["side"], m["word"]) == (3, 1, "very strong bid pressure")  # 0.8 is on the last threshold
    g.cursor = 1  # a history shorter than asked at the start of the book
    f, m = sent(g)
    np.testing.assert_allclose(f["history"], [0.5, -0.5])
    assert (m["first_row"], m["lo"], m["hi"], m["band_rows"]) == (0, -0.5, 0.5, 2)
    g.cursor = 6  # rows 4..6: 0.8, 0, NaN; NaN stays in the history, not in the band
    f, m = sent(g)
    np.testing.assert_allclose(f["history"], [0.8, 0.0, NAN])
    assert (m["lo"], m["hi"]) == (0.0, pytest.approx(0.8))


def test_band_over_a_time_window():
    g = ow.ImbalanceGauge(book(), window="2s", cursor=4)
    # t = 3 s: the window [1 s, 3 s] sees row 1 (in force at 1 s) to the cursor row 4
    m = sent(g)[1]
    assert (m["lo"], m["hi"], m["band_rows"]) == (pytest.approx(-0.6), pytest.approx(0.8), 4)
    g.cursor = 3  # row 4 shares the cursor's time but comes after it: not seen
    m = sent(g)[1]
    assert (m["lo"], m["hi"], m["band_rows"]) == (pytest.approx(-0.6), 0.0, 3)
    g.cursor = 5  # t = 10 s: [8 s, 10 s] sees row 4 (in force since 3 s) and row 5
    m = sent(g)[1]
    assert (m["lo"], m["hi"], m["band_rows"]) == (0.0, pytest.approx(0.8), 2)
    g2 = ow.ImbalanceGauge(book(), window=pd.Timedelta("500ms"), cursor=4)  # [2.5 s, 3 s]: rows 2..4
    assert sent(g2)[1]["band_rows"] == 3
    assert g2.window == pd.Timedelta("500ms") and ow.ImbalanceGauge(book(), window=7).window == 7
    assert g._spec["window"] == {"kind": "time", "ms": 2000.0}


def test_depth_imbalance_and_the_source_track():
    b = book()
    g = ow.ImbalanceGauge(b, metric="depth_imbalance", levels=2, cursor=3)
    m = sent(g)[1]
    assert m["value"] == pytest.approx(DEPTH2[3]) and m["word"] == "strong ask pressure"  # -0.5: on a threshold
    assert g.label == "depth imbalance, 2 levels"
    # the source's track holds the depth imbalance over its 2 levels: the browser reads it there
    assert g._spec["track"] == "imb_depth" and g._track == b""
    np.testing.assert_allclose(g.values().to_numpy(), DEPTH2)
    one = ow.ImbalanceGauge(b, metric="depth_imbalance", levels=1)
    assert one._spec["track"] == "own"  # not on the source's track: the gauge sends its own
    tr = unpack(one._track)[0]
    np.testing.assert_array_equal(tr["row"], np.arange(7))
    np.testing.assert_allclose(tr["value"], np.array(DEPTH1, dtype=np.float32))


def test_own_track_on_the_source_track_rows():
    sim = ow.datasets.simulate(seed=3, n_events=3000)
    src = ow.BookSource(sim.book, track_rows=50)
    g = ow.ImbalanceGauge(src, metric="depth_imbalance", levels=4)
    tr = unpack(g._track)[0]
    rows = unpack(src._track)[0]["row"]
    np.testing.assert_array_equal(tr["row"], rows)
    want = metrics.depth_imbalance(sim.book, levels=4)[rows].astype(np.float32)
    np.testing.assert_array_equal(tr["value"], want)


def test_weighted_mid_in_half_spreads():
    b = book()
    g = ow.ImbalanceGauge(b, metric="weighted_mid")
    # row 0: W = (10.0 * 1 + 10.1 * 3) / 4 = 10.075, M = 10.05, s / 2 = 0.05: +0.5 (the L1 imbalance)
    # row 5: W = (10.0 * 4 + 10.2 * 4) / 8 = 10.1 = M: 0
    got = g.values().to_numpy()
    np.testing.assert_allclose(got, L1, atol=1e-12)
    g.cursor = 0  # +0.5 up to float rounding through the prices (0.49999999999997): the word of +0.500
    assert g.word == "strong bid pressure" and sent(g)[1]["grade"] == 2
    assert g.label == "weighted mid − mid, in half-spreads" and g._spec["track"] == "own"


def test_microprice_falls_back_with_a_note_when_it_cannot_be_fitted():
    g = ow.ImbalanceGauge(book(), metric="microprice")  # 7 rows: too few mid moves to fit
    if g.metric == "microprice":
        pytest.fail("a micro-price model was fitted on 7 rows")
    assert g.metric == "weighted_mid" and "micro-price could not be fitted" in g.note
    assert g._spec["note"] == g.note
    sim = ow.datasets.simulate(seed=1, n_events=4000)
    model = metrics.fit_microprice(sim.book)
    g = ow.ImbalanceGauge(sim.book, metric="microprice", microprice_model=model, cursor=2000)
    mid, half = metrics.mid(sim.book), metrics.spread(sim.book) / 2
    want = (metrics.microprice(sim.book, model) - mid) / half
    assert sent(g)[1]["value"] == pytest.approx(want[2000], rel=1e-12)
    assert g.metric == "microprice" and g.note == ""


def test_your_own_values():
    b = book()
    vals = np.array([0.1, -0.25, 0.55, 1.0, -1.0, NAN, 0.0])
    g = ow.ImbalanceGauge(b, metric=vals, cursor=2)
    assert sent(g)[1]["value"] == 0.55 and g.word == "strong bid pressure" and g.metric == "user"
    g.cursor = 4
    assert g.word == "very strong ask pressure"
    named = ow.ImbalanceGauge(b, metric=pd.Series(vals, name="my signal"), cursor=1)
    assert named.label == "my signal" and named.value == -0.25 and named.word == "mild ask pressure"
    assert named._spec["track"] == "own"
    np.testing.assert_array_equal(unpack(named._track)[0]["value"], vals.astype(np.float32))
    # on their own times: the value in force at each row's time (NaN before the first)
    own = pd.Series([0.3, -0.9], index=pd.to_datetime(T0 + np.array([500_000_000, 2_500_000_000])))
    g = ow.ImbalanceGauge(b, metric=own, window=10, history=4, cursor=3)
    f, m = sent(g)
    np.testing.assert_array_equal(f["history"], [NAN, 0.3, 0.3, -0.9])  # rows 0..3 at 0, 1, 2, 3 s
    assert (m["value"], m["lo"], m["hi"], m["word"]) == (-0.9, -0.9, 0.3, "very strong ask pressure")


def test_the_word_and_the_thresholds():
    th, words = (0.2, 0.5, 0.8), ("neutral", "mild", "strong", "very strong")
    cases = {
        0.0: "neutral",
        0.19999: "neutral",
        -0.19999: "neutral",
        0.2: "mild bid pressure",
        -0.2: "mild ask pressure",
        0.4999: "mild bid pressure",
        0.5: "strong bid pressure",
        -0.79: "strong ask pressure",
        0.8: "very strong bid pressure",
        -1.0: "very strong ask pressure",
        0.49999999999: "strong bid pressure",  # within 1e-9 below a threshold: on it (float rounding)
        0.4999999: "mild bid pressure",
        NAN: "no value",
    }
    for v, want in cases.items():
        assert pressure_word(v, th, words) == want, v
    assert (
        pressure_grade(-0.6, th) == (2, -1) and pressure_grade(0.0, th) == (0, 0) and pressure_grade(NAN, th) == (-1, 0)
    )
    g = ow.ImbalanceGauge(book(), thresholds=(0.55,), words=("calm", "tilted"), cursor=0)
    assert (g.value, g.word) == (0.5, "calm")
    g.cursor = 3
    assert g.word == "tilted ask pressure" and sent(g)[1]["grade"] == 1
    assert g._spec["thresholds"] == [0.55] and g._spec["words"] == ["calm", "tilted"]
    assert (g.thresholds, g.words) == ((0.55,), ("calm", "tilted"))


def test_linked_gauges_follow_the_cursor():
    src = ow.BookSource(book())
    a = ow.ImbalanceGauge(src)
    b = ow.ImbalanceGauge(src, metric="depth_imbalance", levels=2)
    src.cursor = 4
    assert sent(a)[1]["row"] == sent(b)[1]["row"] == 4
    src.go_to(T0 + 10 * S + 5)
    assert sent(a)[1]["row"] == 5 and sent(a)[1]["value"] == 0.0
    a.close()
    src.cursor = 1  # a closed gauge stops listening
    assert sent(a)[1]["row"] == 5 and sent(b)[1]["row"] == 1


def test_frame_of_any_row_and_repr():
    g = ow.ImbalanceGauge(book(), history=2)
    f, m = g.frame(4)
    np.testing.assert_allclose(f["history"], [-0.6, 0.8])
    assert m["row"] == 4 and g.cursor == 0
    assert repr(g) == "ImbalanceGauge(metric='L1 imbalance', rows=7, cursor=0)"
    with pytest.raises(ParameterError, match=r"row must be an integer in \[0, 6\]"):
        g.frame(7)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"metric": "ofi"}, "'ofi' is not on a -1...\\+1 scale"),
        ({"metric": "nope"}, "unknown metric 'nope'"),
        ({"metric": np.array([0.1, 1.5, 0, 0, 0, 0, 0])}, r"must lie in \[-1, 1\].*position 1 holds 1.5"),
        ({"metric": np.zeros(5)}, "has 5 values but the book has 7 rows"),
        ({"metric": np.full(7, NAN)}, "all NaN"),
        ({"metric": {"oops": 1}}, "a series given as a dict"),
        ({"metric": "depth_imbalance", "levels": 3}, "levels=3 but the book has only 2"),
        ({"levels": 0}, "levels must be at least 1"),
        ({"window": 0}, "window must be at least 1"),
        ({"window": "soon"}, "cannot read window='soon'"),
        ({"window": True}, "window must be a duration"),
        ({"window": 1.5}, "window=1.5 is a float"),
        ({"history": 1}, "history must be at least 2"),
        ({"thresholds": (0.5, 0.2, 0.8)}, "must increase strictly"),
        ({"thresholds": (0.0, 0.5, 0.8)}, r"lie in \(0, 1\]"),
        ({"thresholds": (0.2, 0.5, 1.2)}, r"lie in \(0, 1\]"),
        ({"thresholds": "high"}, "sequence of numbers"),
        ({"thresholds": (0.3, 0.6)}, "2 thresholds need 3 words"),
        ({"words": ("a", "b")}, "words must be 4 non-empty strings"),
        ({"words": "abcd"}, "words must be a sequence of strings"),
        ({"width": 50}, "width must be 0"),
        ({"height": 10}, "height must be at least 100"),
        ({"metric": "microprice", "microprice_model": "m"}, "microprice_model must be a MicropriceModel"),
    ],
)
def test_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        ow.ImbalanceGauge(book(), **kwargs)


def test_on_the_lobster_amzn_day(amzn_files):
    """The gauge's numbers against the orderbook file read by hand (ask px, ask sz, bid px, bid sz)."""
    book, _ = ow.io.read_lobster(*amzn_files)
    with gzip.open(amzn_files[1], "rt") as fh:
        raw = pd.read_csv(fh, header=None, nrows=20_000).to_numpy(np.float64)
    msg = pd.read_csv(amzn_files[0], header=None, nrows=20_000, usecols=[0]).to_numpy(np.float64)[:, 0]
    g = ow.ImbalanceGauge(book, window="30s", history=50)
    for row in (0, 1234, 19_999):
        g.cursor = row
        f, m = sent(g)
        asz, bsz = raw[: row + 1, 1], raw[: row + 1, 3]
        hand = (bsz - asz) / (bsz + asz)
        assert m["value"] == pytest.approx(hand[row], abs=1e-15)
        secs = msg[: row + 1]
        first = max(0, int(np.searchsorted(secs, secs[row] - 30, side="right")) - 1)
        assert (m["lo"], m["hi"]) == (pytest.approx(hand[first:].min()), pytest.approx(hand[first:].max()))
        np.testing.assert_allclose(f["history"], hand[max(0, row - 49) :], atol=1e-15)


def test_live_source_the_gauge_follows_the_newest_row():
    b = ow.datasets.simulate(seed=3, n_events=3000).book
    src = ow.BookSource(b[:500], track_rows=100)
    g = ow.ImbalanceGauge(src, window=50, history=20)
    own = ow.ImbalanceGauge(src, metric="depth_imbalance", levels=4)
    for i in range(500, 3000, 25):
        src.push(b[i : i + 25])
    src.flush()
    n = 3000
    assert len(src.book) == n and src.cursor == n - 1
    f, m = sent(g)
    want = metrics.level1_imbalance(b)
    assert m["row"] == n - 1 and m["value"] == want[n - 1] and m["t"] == b.ts[n - 1] / 1e6
    assert (m["lo"], m["hi"]) == (np.nanmin(want[n - 50 :]), np.nanmax(want[n - 50 :]))
    np.testing.assert_array_equal(f["history"], want[n - 20 :])  # the last points before the cursor
    assert sent(own)[1]["row"] == n - 1
    tr, rows = unpack(own._track)[0], unpack(src._track)[0]["row"]
    assert rows[-1] == n - 1  # the source rebuilt its track at the final flush, and the gauge its own
    np.testing.assert_array_equal(tr["row"], rows)
    np.testing.assert_array_equal(tr["value"], metrics.depth_imbalance(b, levels=4)[rows].astype(np.float32))


def test_live_ring_buffer_keeps_your_values_on_their_rows():
    b = ow.datasets.simulate(seed=3, n_events=400).book
    src = ow.BookSource(b[:300], max_rows=300)
    vals = np.linspace(-1, 1, 300)
    g = ow.ImbalanceGauge(src, metric=vals, window=5)
    src.push(b[300:310])  # rows 0..9 of b fall off the front; rows 300..309 have no value of yours
    src.flush()
    assert len(src.book) == 300 and int(src.book.ts[0]) == int(b.ts[10])
    assert src.cursor == 299 and np.isnan(g.value) and sent(g)[1]["word"] == "no value"
    assert g.frame(0)[1]["value"] == vals[10] and g.frame(289)[1]["value"] == vals[299]

"""ImbalanceTimeline, Python side: the series it resolves and the pixel reductions it sends.

Expected values come from plain loops written here (rows in force during each pixel, min/max by
hand), never from the reduction code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import obi_widgets as ow
from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.imbalance_timeline import MARGIN_LEFT, MARGIN_RIGHT, OVERVIEW_BINS

S = 1_000_000_000
T0 = 1_700_000_000 * S
# irregular times: bursts and gaps, so that pixels hold 0, 1 or several rows
OFFS = np.array([0, 0.2, 0.25, 0.3, 1.7, 1.75, 3.1, 4.0, 4.05, 6.5, 6.6, 9.0])
TS = T0 + (OFFS * S).astype(np.int64)
BID_SZ1 = np.array([5, 4, 1, 3, 8, 2, 6, 7, 1, 9, 4, 5], dtype=float)
ASK_SZ1 = np.array([2, 6, 3, 4, 1, 2, 9, 3, 5, 1, 4, 7], dtype=float)
BID_PX1 = np.array([10.0, 10.0, 10.01, 10.0, 10.02, 10.02, 10.01, 10.0, 10.0, 10.03, 10.02, 10.02])


def toy() -> Book:
    n = TS.size
    bid_px = np.stack([BID_PX1, BID_PX1 - 0.01], axis=1)
    ask_px = bid_px[:, :1] + np.array([[0.01, 0.02]]) + np.where(np.arange(n) % 3 == 0, 0.01, 0.0)[:, None]
    bid_sz = np.stack([BID_SZ1, np.full(n, 10.0)], axis=1)
    ask_sz = np.stack([ASK_SZ1, np.full(n, 10.0)], axis=1)
    return Book.from_arrays(
        TS, bid_px, bid_sz, ask_px, ask_sz, name="toy", meta={"price_unit": "USD", "size_unit": "sh"}
    )


def timeline(book=None, trades=None, columns: int = 7, **kw) -> ow.ImbalanceTimeline:
    tl = ow.ImbalanceTimeline(book if book is not None else toy(), trades, **kw)
    tl._width = MARGIN_LEFT + MARGIN_RIGHT + columns
    return tl


def window(tl):
    fields, meta = unpack(tl._window)
    return fields, meta


# -- plain references ------------------------------------------------------------------------------
def edges_of(t0: int, t1: int, bins: int) -> list[int]:
    span = max(t1 - t0, 1)
    return [t0 + (i * span) // bins for i in range(bins + 1)]


def step_rows(ts, a: int, b: int, last: bool) -> list[int]:
    """Rows in force during [a, b) ([a, b] for the last bin): the one in force at a, and those starting inside."""
    rows = [i for i, t in enumerate(ts) if a <= t < b or (last and t == b)]
    before = [i for i, t in enumerate(ts) if t <= a]
    if before and before[-1] not in rows:
        rows.insert(0, before[-1])
    return rows


def loop_minmax(ts, values, edges, points=False):
    lo, hi = [], []
    for k in range(len(edges) - 1):
        last = k == len(edges) - 2
        if points:
            rows = [i for i, t in enumerate(ts) if edges[k] <= t < edges[k + 1] or (last and t == edges[k + 1])]
        else:
            rows = step_rows(ts, edges[k], edges[k + 1], last)
        vals = [float(values[i]) for i in rows if not math.isnan(values[i])]
        lo.append(min(vals) if vals else math.nan)
        hi.append(max(vals) if vals else math.nan)
    return np.array(lo), np.array(hi)


def loop_last(ts, values, edges):
    out = []
    for k in range(1, len(edges)):
        last = k == len(edges) - 1
        rows = [i for i, t in enumerate(ts) if t < edges[k] or (last and t == edges[k])]
        out.append(float(values[rows[-1]]) if rows else math.nan)
    return np.array(out)


def l1_by_hand():
    return np.array([(b - a) / (b + a) for b, a in zip(BID_SZ1, ASK_SZ1)])


# -- envelopes -------------------------------------------------------------------------------------
def test_envelopes_are_min_max_of_the_rows_in_each_pixel():
    user = np.array([3.0, -1.0, 2.0, np.nan, 5.0, 4.0, -2.0, 0.5, 0.25, 7.0, 1.0, -3.0])
    tl = timeline(series={"L1": "level1_imbalance", "mine": user, "spread": "spread"})
    assert tl.labels == ["L1", "mine", "spread"]
    f, meta = window(tl)
    edges = edges_of(int(TS[0]), int(TS[-1]), 7)
    assert meta["bins"] == 7 and meta["range"] == [int(TS[0]), int(TS[-1])]
    assert meta["t0"] == TS[0] / 1e6 and meta["t1"] == TS[-1] / 1e6
    b = toy()
    mid = (b.bid_px[:, 0] + b.ask_px[:, 0]) / 2
    spread = b.ask_px[:, 0] - b.bid_px[:, 0]
    for key, values in (("mid", mid), ("s0", l1_by_hand()), ("s1", user), ("s2", spread)):
        lo, hi = loop_minmax(TS, values, edges)
        np.testing.assert_allclose(f[f"{key}_lo"], lo, err_msg=key)
        np.testing.assert_allclose(f[f"{key}_hi"], hi, err_msg=key)
    # at least one pixel really spans several values, one holds a single row in force
    assert np.any(f["s0_hi"] > f["s0_lo"]) and np.any(f["s0_hi"] == f["s0_lo"])
    panels = meta["panels"]
    assert [p["signed"] for p in panels] == [True, True, False]
    assert panels[0]["domain"] == [-1.0, 1.0] and panels[2]["units"] == "USD"


def test_whole_book_overview_is_sent_once():
    tl = timeline()
    f, meta = unpack(tl._overview)
    assert meta["bins"] == OVERVIEW_BINS and meta["range"] == [int(TS[0]), int(TS[-1])]
    lo, hi = loop_minmax(TS, l1_by_hand(), edges_of(int(TS[0]), int(TS[-1]), OVERVIEW_BINS))
    np.testing.assert_allclose(f["s0_lo"], lo)
    np.testing.assert_allclose(f["s0_hi"], hi)
    before = tl._overview
    tl.source.zoom(int(TS[2]), int(TS[5]))
    assert tl._overview == before


def test_points_and_own_time_index():
    own_ts = T0 + np.array([0.5, 0.6, 2.0, 5.0, 8.9]) * S
    own = pd.Series([1.0, -4.0, 2.0, 3.0, 0.0], index=pd.DatetimeIndex(own_ts.astype(np.int64).view("datetime64[ns]")))
    events = {
        "values": [1.0, 2.0, -1.0, 5.0],
        "ts": (T0 + np.array([0.1, 0.2, 4.5, 4.6]) * S).astype(np.int64),
        "kind": "points",
    }
    tl = timeline(series={"own": own, "events": events, "pair": (own_ts.astype(np.int64), own.to_numpy())})
    f, _ = window(tl)
    edges = edges_of(int(TS[0]), int(TS[-1]), 7)
    lo, hi = loop_minmax(own_ts.astype(np.int64), own.to_numpy(), edges)
    np.testing.assert_allclose(f["s0_lo"], lo)
    np.testing.assert_allclose(f["s0_hi"], hi)
    np.testing.assert_allclose(f["s2_hi"], hi)
    plo, phi = loop_minmax(events["ts"], events["values"], edges, points=True)
    np.testing.assert_allclose(f["s1_lo"], plo)
    np.testing.assert_allclose(f["s1_hi"], phi)
    assert np.isnan(f["s1_lo"]).any()  # pixels without an event stay empty
    np.testing.assert_array_equal(tl.series("own").to_numpy(), own.to_numpy())


def test_last_value_series():
    vals = [0.5, 0.25, 0.75, 0.125, 1.0]
    at = (T0 + np.array([0.5, 0.6, 2.0, 5.0, 8.9]) * S).astype(np.int64)
    tl = timeline(series={"last": {"values": vals, "ts": at, "reduce": "last"}})
    f, meta = window(tl)
    expected = loop_last(at, vals, edges_of(int(TS[0]), int(TS[-1]), 7))
    np.testing.assert_allclose(f["s0_lo"], expected)
    np.testing.assert_allclose(f["s0_hi"], expected)
    assert meta["panels"][0]["reduce"] == "last"


def test_vpin_reads_the_last_value_on_its_own_times():
    tr = Trades.from_arrays(
        T0 + (np.arange(40) * 0.22 * S).astype(np.int64),
        np.full(40, 10.0),
        np.full(40, 5.0),
        np.where(np.arange(40) % 3 == 0, -1, 1),
    )
    tl = timeline(toy(), tr, series=["vpin"], vpin_bucket=10.0, vpin_window=2)
    v = ow.metrics.vpin(tr, 10.0, 2)
    f, meta = window(tl)
    expected = loop_last(v.index.asi8, v.to_numpy(), edges_of(int(TS[0]), int(TS[-1]), 7))
    np.testing.assert_allclose(f["s0_lo"], expected)
    assert meta["panels"][0]["label"].startswith("VPIN (V = 10, n = 2")


# -- zoom and width --------------------------------------------------------------------------------
def test_zoom_re_reduces_the_window():
    tl = timeline(series=["level1_imbalance"])
    a, b = int(TS[2]) + 1000, int(TS[8]) - 5
    tl.source.time_range = (a, b)
    f, meta = window(tl)
    assert meta["range"] == [a, b]
    edges = edges_of(a, b, 7)
    lo, hi = loop_minmax(TS, l1_by_hand(), edges)
    np.testing.assert_allclose(f["s0_lo"], lo)
    np.testing.assert_allclose(f["s0_hi"], hi)
    # rows after the window do not leak into its last pixel
    assert f["s0_hi"][-1] == pytest.approx(max(l1_by_hand()[7], l1_by_hand()[6]))
    tl.source.reset()
    assert window(tl)[1]["range"] == [int(TS[0]), int(TS[-1])]


def test_width_change_re_reduces():
    tl = timeline(columns=7)
    tl._width = MARGIN_LEFT + MARGIN_RIGHT + 3
    f, meta = window(tl)
    assert meta["bins"] == 3 and f["s0_lo"].shape == (3,)
    tl._width = 20  # narrower than the margins: one column, no error
    assert window(tl)[1]["bins"] == 1


def test_selection_from_python_round_trips():
    tl = timeline()
    src = tl.source
    src.selection = (int(TS[5]), int(TS[1]))
    assert src.selection == (int(TS[1]), int(TS[5]))
    assert tuple(src.get_state()["selection"]) == (int(TS[1]), int(TS[5]))
    src.set_state({"selection": [int(TS[2]), int(TS[3])]})  # what the browser sends
    assert src.selection == (int(TS[2]), int(TS[3]))
    assert len(src.selected) == 1
    src.set_state({"selection": None})
    assert src.selection is None


# -- metrics and errors ----------------------------------------------------------------------------
def test_metric_panels_and_units():
    tr = Trades.from_arrays(T0 + np.arange(30) * S // 4, np.full(30, 10.0), np.full(30, 2.0), np.ones(30))
    tl = timeline(toy(), tr, series=["depth_imbalance", "ofi", "weighted_mid", "cvd"], levels=9)
    assert tl.labels[0] == "depth imbalance, 2 levels"
    f, meta = window(tl)
    units = [p["units"] for p in meta["panels"]]
    assert units == ["", "sh", "USD", "sh"]
    b = toy()
    depth = (b.bid_sz.sum(axis=1) - b.ask_sz.sum(axis=1)) / (b.bid_sz.sum(axis=1) + b.ask_sz.sum(axis=1))
    np.testing.assert_allclose(tl.series(tl.labels[0]).to_numpy(), depth)
    np.testing.assert_allclose(tl.series("cumulative OFI").to_numpy(), np.cumsum(ow.metrics.ofi(b)))
    np.testing.assert_allclose(tl.series("cumulative volume delta").to_numpy(), np.arange(1, 31) * 2.0)


def test_microprice_falls_back_honestly_when_it_cannot_be_fitted():
    tl = timeline(series=["microprice"])
    assert tl.labels == ["weighted mid − mid"]
    assert "micro-price could not be fitted" in tl.notes["weighted mid − mid"]


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(ParameterError, match=r"series\[1\]: unknown metric 'imbalance'.*level1_imbalance.*vpin"):
        timeline(series=["spread", "imbalance"])


def test_wrong_length_names_the_series():
    with pytest.raises(ParameterError, match=r"series\['short'\] has 3 values but the book has 12 rows"):
        timeline(series={"short": np.ones(3)})
    with pytest.raises(ParameterError, match=r"series\[0\] has 5 values"):
        timeline(series=[pd.Series(np.ones(5))])


def test_bad_index_names_the_series():
    back = pd.DatetimeIndex((T0 + np.array([2, 1, 3]) * S).view("datetime64[ns]"))
    with pytest.raises(ParameterError, match=r"series\['back'\]: times must not decrease"):
        timeline(series={"back": pd.Series([1.0, 2.0, 3.0], index=back)})
    with pytest.raises(ParameterError, match=r"series\['pair'\] has 2 times but 3 values"):
        timeline(series={"pair": (np.array([T0, T0 + 1]), np.ones(3))})
    with pytest.raises(ParameterError, match=r"series\['m'\] must be one-dimensional"):
        timeline(series={"m": np.ones((12, 2))})
    with pytest.raises(ParameterError, match=r"series\[0\] must be a metric name"):
        timeline(series=[3.5])
    with pytest.raises(ParameterError, match=r"series 'vpin' needs trades"):
        timeline(series=["vpin"])


def test_all_nan_series_and_one_row_book():
    tl = timeline(series={"nan": np.full(12, np.nan)})
    f, _ = window(tl)
    assert np.isnan(f["s0_lo"]).all() and np.isnan(f["s0_hi"]).all()
    one = toy()[:1]
    tl = timeline(one, series=["level1_imbalance", "spread"])
    f, meta = window(tl)
    assert meta["bins"] == 7 and meta["range"][1] == meta["range"][0] + 1
    np.testing.assert_allclose(f["s0_lo"], l1_by_hand()[0])
    assert tl.height > 0 and "rows=1" in repr(tl)


def test_height_and_source_sharing():
    src = ow.BookSource(toy())
    a = ow.ImbalanceTimeline(src, series=["level1_imbalance", "spread"])
    b = ow.ImbalanceTimeline(src, height=300)
    assert a.source is b.source and b.height == 300 and a.height > b.height - 300
    src.zoom(int(TS[1]), int(TS[4]))
    assert window(a)[1]["range"] == window(b)[1]["range"] == [int(TS[1]), int(TS[4])]
    b.close()
    src.zoom(int(TS[2]), int(TS[4]))  # a closed view no longer listens
    assert window(b)[1]["range"] == [int(TS[1]), int(TS[4])]
    with pytest.raises(ParameterError, match="levels"):
        ow.ImbalanceTimeline(src, levels=0)

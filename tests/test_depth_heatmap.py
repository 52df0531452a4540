"""DepthHeatmap, Python side: what it sends (overview and visible-window rasters), re-binning on
zoom / price range / width, and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets import Book, Trades, datasets
from obi_widgets import raster as rs
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.depth_heatmap import CHROME_X, CHROME_Y, OVERVIEW

from .test_raster import random_book, ref_cells, ref_total

NAN = np.nan


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate(seed=3, n_events=3000)


def fields(blob):
    return unpack(blob)


def test_payloads_layout(sim):
    h = ow.DepthHeatmap(sim.book, sim.trades, height=330)
    f, m = fields(h._raster)
    n_time = (800 - CHROME_X) // 2
    assert f["cells"].dtype == np.float32 and f["cells"].shape == (m["n_time"], m["n_price"])
    assert m["n_time"] == n_time and m["n_price"] <= (330 - CHROME_Y) // 3
    assert f["row"].shape == (n_time + 1,) and f["row"][0] == 0 and f["row"][-1] == len(sim.book) - 1
    lo, hi = h.source.time_range
    assert (m["t0"], m["t1"]) == (lo / 1e6, hi / 1e6) and m["auto"] is True
    for name in ("bid_lo", "bid_hi", "ask_lo", "ask_hi"):
        assert f[name].shape == (n_time,)
    assert m["p0"] < np.nanmin(f["bid_lo"]) and m["p1"] > np.nanmax(f["ask_hi"])
    assert {"dot_s", "dot_b", "dot_px", "dot_buy", "dot_sell", "dot_other"} <= set(f)
    assert f["dot_s"].max() < m["n_dot"]
    of, om = fields(h._overview)
    assert of["cells"].shape[0] == OVERVIEW[0] and om["n_price"] <= OVERVIEW[1] and om["n_dot"] == OVERVIEW[2]
    assert len(h._raster) + len(h._overview) < 400_000


def test_payload_cells_equal_reference_and_conserve():
    b = random_book(5, rows=80)
    h = ow.DepthHeatmap(b, height=100)
    f, m = fields(h._raster)
    lo, hi = h.source.time_range
    g = rs.price_grid(m["p0"] + m["tick"] / 2, m["p1"] - m["tick"] / 2, m["n_price"], m["tick"])
    assert (g.k, g.n) == (m["k"], m["n_price"])
    want = ref_cells(b, lo, hi, m["n_time"], m["tick"], g.m0, g.k, g.n)
    np.testing.assert_allclose(f["cells"], want, rtol=1e-6)
    dt = np.diff(rs.time_edges(lo, hi, m["n_time"])).astype(float)
    total = float((f["cells"].astype(float) * dt[:, None] * m["k"]).sum())
    assert total == pytest.approx(ref_total(b, lo, hi), rel=1e-6)


def test_zoom_rebins_the_visible_window(sim):
    src = ow.BookSource(sim.book, sim.trades)
    h = ow.DepthHeatmap(src)
    before, m0 = fields(h._raster)
    ts = sim.book.ts
    a, b = int(ts[1000]), int(ts[1400])
    src.zoom(a, b)
    f, m = fields(h._raster)
    assert (m["t0"], m["t1"]) == (a / 1e6, b / 1e6)
    assert m["rows"] == 401 < m0["rows"]
    assert f["row"][0] == 1000 and f["row"][-1] == 1400
    want = rs.window_raster(sim.book, a, b, m["n_time"], (420 - CHROME_Y) // 3, pad=rs.depth_pad(sim.book))
    np.testing.assert_allclose(f["cells"], want.cells.astype(np.float32))
    np.testing.assert_array_equal(f["bid_lo"], want.bid_lo)
    assert h.last_build_ms < 1000
    # the overview does not change
    assert fields(h._overview)[1]["t0"] == ts[0] / 1e6


def test_price_range_width_and_height_rebin(sim):
    h = ow.DepthHeatmap(sim.book)
    mid = float(np.nanmedian(h.source.mid))
    h.price_range = (mid - 0.05, mid + 0.05)
    f, m = fields(h._raster)
    assert m["auto"] is False and m["k"] == 1 and m["n_price"] == 11
    assert m["p0"] == pytest.approx(mid - 0.055, abs=0.006) and m["p1"] == pytest.approx(mid + 0.055, abs=0.006)
    h._width = 476
    assert fields(h._raster)[1]["n_time"] == (476 - CHROME_X) // 2
    h.height = 58
    assert fields(h._raster)[1]["n_price"] <= 10
    h.price_range = None
    assert fields(h._raster)[1]["auto"] is True
    # colour settings are the browser's: no re-bin
    blob = h._raster
    h.cutoffs = (5, 95)
    h.scale = "log"
    assert h._raster is blob


def test_cursor_and_repr(sim):
    h = ow.DepthHeatmap(sim.book)
    h.cursor = 17
    assert h.source.cursor == 17
    assert "DepthHeatmap(BookSource(" in repr(h) and "scale='linear'" in repr(h)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cutoffs": (50, 10)}, r"0 <= low < high <= 100"),
        ({"cutoffs": (-1, 50)}, r"0 <= low < high <= 100"),
        ({"cutoffs": "high"}, "cutoffs must be"),
        ({"scale": "sqrt"}, 'scale must be "log" or "linear"'),
        ({"price_range": (2.0, 1.0)}, "low < high"),
        ({"price_range": (NAN, 1.0)}, "finite prices"),
        ({"price_range": 5}, "price_range must be"),
        ({"height": 10}, "height must be at least 40"),
    ],
)
def test_bad_arguments(kwargs, match):
    b = random_book(1)
    with pytest.raises(ParameterError, match=match):
        ow.DepthHeatmap(b, **kwargs)


def test_bad_assignment_and_book():
    h = ow.DepthHeatmap(random_book(2))
    with pytest.raises(ParameterError, match="cutoffs"):
        h.cutoffs = (10, 10)
    with pytest.raises(ParameterError, match="scale"):
        h.scale = "log2"
    with pytest.raises(ParameterError, match="obi_widgets.Book"):
        ow.DepthHeatmap([1, 2, 3])


def test_one_row_book_empty_side_and_no_trades():
    one = Book([5], [[10.0]], [[2.0]], [[10.1]], [[3.0]], meta={"tick": 0.1})
    f, m = fields(ow.DepthHeatmap(one)._raster)
    assert m["n_time"] == 1 and m["rows"] == 1
    np.testing.assert_allclose(f["cells"][0][f["cells"][0] > 0], [2.0, 3.0])
    assert "dot_s" not in f
    bids = Book([0, 4], [[10.0], [9.9]], [[1.0], [2.0]], [[NAN], [NAN]], [[NAN], [NAN]], meta={"tick": 0.1})
    tr = Trades([1, 2], [10.0, 9.9], [1.0, 2.0], [-1, -1])
    f, m = fields(ow.DepthHeatmap(bids, tr)._raster)
    assert np.isnan(f["ask_lo"]).all() and np.isfinite(f["bid_lo"]).all()
    assert float(f["dot_sell"].sum()) == 3.0 and float(f["dot_buy"].sum()) == 0.0


def test_big_book_rebins_through_the_index():
    b = random_book(7, rows=60_000, levels_=5, gaps=False)
    h = ow.DepthHeatmap(b)
    assert h.wait_index(60) and h.index is not None
    ts = b.ts
    h.source.zoom(int(ts[10_000]), int(ts[30_000]))
    f, m = fields(h._raster)
    assert m["indexed"] is True
    direct = rs.window_raster(b, int(ts[10_000]), int(ts[30_000]), m["n_time"], (420 - CHROME_Y) // 3)
    np.testing.assert_allclose(f["cells"], direct.cells.astype(np.float32), rtol=1e-6)

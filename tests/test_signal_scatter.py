"""SignalScatter, Python side: the density grid, the profile and regression it draws, the brush
selection, NaN handling, the link to a source, parameter errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import obi_widgets as ow
from obi_widgets import Book, metrics
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views._signal_scatter_data import density_grid_numpy
from obi_widgets.views.signal_scatter import density_grid, view_range

NAN = np.nan
S = 1_000_000_000

# six pairs on the box [0, 4] x [-2, 2]; with a 2 x 2 grid the cells are x [0, 2), [2, 4] and
# y [-2, 0), [0, 2]; the last pair is outside (x = 5)
X = np.array([0.0, 1.9, 2.0, 4.0, 3.0, 5.0])
Y = np.array([-2.0, 0.0, -0.5, 2.0, 1.0, 0.0])


def sent(view) -> tuple[dict, dict]:
    return unpack(view._data)


@pytest.mark.parametrize("grid", [density_grid, density_grid_numpy])
def test_density_grid_by_hand(grid):
    counts, outside = grid(X, Y, 2, 2, (0.0, 4.0), (-2.0, 2.0))
    # (0,-2) -> cell (j0, i0); (1.9, 0) -> (j1, i0); (2, -0.5) -> (j0, i1); (4, 2) on the upper
    # edges -> (j1, i1); (3, 1) -> (j1, i1); (5, 0) outside
    np.testing.assert_array_equal(counts, [[1, 1], [1, 2]])
    assert outside == 1
    counts, outside = grid(X, Y, 4, 1, (0.0, 4.0), (-2.0, 2.0))
    np.testing.assert_array_equal(counts, [[1, 1, 1, 2]])  # x cells [0,1) [1,2) [2,3) [3,4]


def test_density_grid_equals_histogram2d():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=20_000), rng.standard_t(3, size=20_000)
    xr, yr = (-2.0, 2.5), (-3.0, 3.0)
    counts, outside = density_grid(x, y, 37, 23, xr, yr)
    ref, _, _ = np.histogram2d(x, y, bins=(37, 23), range=(xr, yr))
    np.testing.assert_array_equal(counts, ref.T)  # histogram2d is (nx, ny)
    inside = (x >= xr[0]) & (x <= xr[1]) & (y >= yr[0]) & (y <= yr[1])
    assert outside == int((~inside).sum()) > 0
    # discrete moves (multiples of 0.005) fall on the edges: still histogram2d's cells, exactly
    x, y = rng.uniform(-1, 1, 50_000), 0.005 * rng.integers(-4, 5, 50_000)
    for nx, ny, yr in ((357, 150, (-0.02, 0.02)), (100, 7, (-0.015, 0.0199)), (3, 3, (-0.02, 0.01))):
        counts, outside = density_grid(x, y, nx, ny, (-1.0, 1.0), yr)
        ref, _, _ = np.histogram2d(x, y, bins=(nx, ny), range=((-1.0, 1.0), yr))
        np.testing.assert_array_equal(counts, ref.T)
        in_numpy, outside_numpy = density_grid_numpy(x, y, nx, ny, (-1.0, 1.0), yr)
        np.testing.assert_array_equal(in_numpy, counts)
        assert outside == outside_numpy == int(((y < yr[0]) | (y > yr[1])).sum())


def test_payload_density_with_a_fixed_grid():
    view = ow.SignalScatter(X, Y, bins=2, x_range=(0, 4), y_range=(-2, 2))
    f, m = sent(view)
    np.testing.assert_array_equal(f["density"], [[1, 1], [1, 2]])
    assert f["density"].dtype == np.uint16
    assert (m["nx"], m["ny"], m["max_count"], m["outside"], m["n"], m["n_input"], m["dropped"]) == (2, 2, 2, 1, 6, 6, 0)
    assert m["x_range"] == [0.0, 4.0] and m["y_range"] == [-2.0, 2.0]
    # few pairs: the points themselves travel too, with their positions
    np.testing.assert_array_equal(f["px"], X)
    np.testing.assert_array_equal(f["prow"], np.arange(6))
    assert "px" not in sent(ow.SignalScatter(X, Y, max_points=5))[0]


def test_grid_follows_the_width_at_cell_px():
    view = ow.SignalScatter(X, Y, cell_px=2, height=460)
    nx0, ny0 = view.grid_shape()
    assert (nx0, ny0) == ((800 - 86) // 2, (460 - 160) // 2)  # the plot of js layoutFor(800, 460)
    view.height = 300  # the P(up) panel shrinks to 22 %: 66 px, the plot 300 - 76 - 66 = 158
    assert view.grid_shape() == (357, 79) and sent(view)[0]["density"].shape == (79, 357)
    view.height = 460
    view._width = 486  # what the front end reports
    f, m = sent(view)
    assert (m["nx"], m["ny"]) == (200, 150) and f["density"].shape == (150, 200)
    assert int(f["density"].sum()) + m["outside"] == 6


def test_profile_and_regression_are_the_metric_calls():
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, 5000)
    y = np.round(0.4 * x + rng.normal(0, 1, 5000))  # discrete moves, many zeros
    x[::97] = NAN
    view = ow.SignalScatter(x, y, profile_bins=8, binning="uniform")
    ref = metrics.imbalance_profile(x, y, 8, binning="uniform")
    pd.testing.assert_frame_equal(view.profile, ref)
    f, m = sent(view)
    names = {"p_lo": "lo", "p_hi": "hi", "p_count": "count", "p_signal_mean": "signal_mean"}
    names.update(p_move_mean="move_mean", p_up="p_up", p_zero="p_zero")  # as the module docstring lists them
    assert set(names) <= set(f)
    for field, c in names.items():
        np.testing.assert_array_equal(f[field], ref[c].to_numpy(np.float64))
    reg = metrics.regress(x, y)
    assert view.regression == reg
    assert m["regression"] == pytest.approx(reg.to_dict())
    no_intercept = ow.SignalScatter(x, y, intercept=False)
    assert no_intercept.regression == metrics.regress(x, y, intercept=False)


def test_a_constant_signal_shows_why_there_is_no_regression():
    view = ow.SignalScatter(np.ones(10), np.arange(10.0))
    m = sent(view)[1]
    assert view.regression is None and m["regression"] is None
    assert "no variation" in m["regression_error"]
    assert m["x_range"][0] < 1 < m["x_range"][1]  # a degenerate axis is widened


def test_brush_selects_the_box_by_hand():
    view = ow.SignalScatter(X, Y)
    assert view.selection is None and view.selected_rows.size == 0
    view.brush = (2.0, 4.0, 0.0, 2.0)  # x in [2, 4], y in [0, 2], edges included: pairs 3 and 4
    np.testing.assert_array_equal(view.selected_rows, [3, 4])
    assert view._selected == {"count": 2, "move_mean": 1.5, "p_up": 1.0}
    sel = view.selection
    assert list(sel.index) == [3, 4] and list(sel.columns) == ["signal", "future move"]
    np.testing.assert_array_equal(sel["signal"], [4.0, 3.0])
    view.brush = (4.0, 1.9, 0.0, -2.0)  # corners in any order
    assert view.brush == (1.9, 4.0, -2.0, 0.0)
    np.testing.assert_array_equal(view.selected_rows, [1, 2])  # (1.9, 0) and (2, -0.5)
    # a move of 0 does not count in P(up | move): one moved pair, down
    assert view._selected == {"count": 2, "move_mean": -0.25, "p_up": 0.0}
    view.clear()
    assert view.selection is None and view._selected == {}


def test_nan_pairs_are_dropped_counted_and_never_selected():
    x = np.array([0.1, NAN, 0.3, 0.4, np.inf, 0.6])
    y = np.array([1.0, 1.0, NAN, 1.0, 1.0, 1.0])
    view = ow.SignalScatter(x, y)
    m = sent(view)[1]
    assert (view.dropped, m["dropped"], m["n"], m["n_input"]) == (3, 3, 3, 6)
    view.brush = (-10, 10, -10, 10)
    np.testing.assert_array_equal(view.selected_rows, [0, 3, 5])


def test_series_are_aligned_on_their_index():
    sig = pd.Series([0.1, 0.2, 0.3, 0.4], index=["a", "b", "c", "d"], name="imb")
    move = pd.Series([1.0, NAN, 3.0], index=["b", "c", "e"], name="move 1s")
    view = ow.SignalScatter(sig, move)
    # outer alignment: a, b, c, d, e; usable pairs only b (0.2, 1.0); c has a NaN move; a, d, e unmatched
    m = sent(view)[1]
    assert (m["n_input"], m["n"], m["dropped"], m["x_name"], m["y_name"]) == (5, 1, 4, "imb", "move 1s")
    view.brush = (0, 1, 0, 2)
    sel = view.selection
    assert list(sel.index) == ["b"] and sel.loc["b", "imb"] == 0.2 and sel.loc["b", "move 1s"] == 1.0
    # equal indexes are used as they are (a Series and an array: the Series' index)
    same = ow.SignalScatter(sig, np.array([1.0, -1.0, 0.0, 2.0]), move_name="m")
    same.brush = (0.15, 0.45, -5, 5)
    assert list(same.selection.index) == ["b", "c", "d"]


def book() -> Book:
    # tick 1: mids 100.5, 100.5, 101.5, 101.5, 100.5 at 0..4 s; sizes give imbalances by hand
    ts = np.arange(5) * S
    return Book.from_arrays(
        ts,
        [[100.0], [100.0], [101.0], [101.0], [100.0]],
        [[3.0], [1.0], [2.0], [5.0], [4.0]],
        [[101.0], [101.0], [102.0], [102.0], [101.0]],
        [[1.0], [3.0], [2.0], [5.0], [4.0]],
        name="toy",
        meta={"tick": 1.0, "price_unit": "USD"},
    )


def test_from_source_uses_the_metrics_and_links_the_cursor():
    b = book()
    src = ow.BookSource(b)
    view = ow.SignalScatter.from_source(src, "level1_imbalance", horizon=1)
    # imbalance (b - a) / (b + a): 0.5, -0.5, 0, 0, 0; mid change 1 row ahead: 0, 1, 0, -1, NaN
    np.testing.assert_allclose(view._x, [0.5, -0.5, 0, 0, 0])
    np.testing.assert_array_equal(view._y, [0, 1, 0, -1, NAN])
    np.testing.assert_array_equal(view._x, metrics.level1_imbalance(b))
    np.testing.assert_array_equal(view._y, metrics.forward_return(b, 1))
    m = sent(view)[1]
    assert m["linked"] and m["dropped"] == 1 and m["x_name"] == "level1_imbalance"
    assert m["y_name"] == "mid change over 1 rows (USD)"
    assert view.source is src and view._marker == [0.5, 0.0, 0]  # cursor row 0 is marked
    # a click near (-0.5, 1) picks row 1 and moves the source's cursor there
    view._pick = [-0.49, 0.98, 0.01, 0.01, 1]
    assert view.picked == 1 and src.cursor == 1 and view._marker == [-0.5, 1.0, 1]
    # a click far from every point does nothing
    view._pick = [0.25, 0.5, 0.001, 0.001, 2]
    assert view.picked == 1 and src.cursor == 1
    # the cursor moved elsewhere is marked there; the last row has no move, no marker
    src.cursor = 3
    assert view._marker == [0.0, -1.0, 3]
    src.cursor = 4
    assert view._marker == []
    # the selection is indexed by book row, with the row's time
    view.brush = (-0.1, 0.1, -2, 0.5)
    sel = view.selection
    assert list(sel.index) == [0 + 2, 3] and list(sel["time"]) == list(pd.to_datetime([2 * S, 3 * S]))
    assert src.selection is None  # a box in (signal, move) space is no time span: left alone
    view.close()
    src.cursor = 0
    assert view._marker == []  # closed: no longer listening


def test_from_source_duration_and_next_horizons():
    b = book()
    view = ow.SignalScatter.from_source(b, "depth_imbalance", "2s", signal_params={"levels": 1}, kind="change")
    np.testing.assert_array_equal(view._y, metrics.forward_return(b, "2s"))
    np.testing.assert_array_equal(view._x, metrics.depth_imbalance(b, levels=1))
    assert sent(view)[1]["y_name"] == "mid change over 2s (USD)"
    try:
        expected = metrics.forward_return(b, "next")
    except ParameterError:
        pytest.skip("metrics.forward_return does not take horizon='next' in this checkout")
    nxt = ow.SignalScatter.from_source(b, horizon="next")
    np.testing.assert_array_equal(nxt._y, expected)
    assert "next move" in sent(nxt)[1]["y_name"]


def test_from_source_with_a_callable_or_an_array_signal():
    b = book()
    view = ow.SignalScatter.from_source(b, lambda bk: bk.bid_sz[:, 0] - bk.ask_sz[:, 0], horizon=1)
    np.testing.assert_array_equal(view._x, [2, -2, 0, 0, 0])
    arr = ow.SignalScatter.from_source(b, np.arange(5.0), horizon=1, signal_name="row")
    assert sent(arr)[1]["x_name"] == "row"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bins": 1}, "bins must be at least 2"),
        ({"bins": (10, 20, 30)}, "bins must be None"),
        ({"cell_px": 0}, "cell_px"),
        ({"clip": 0.5}, "clip"),
        ({"clip": True}, "clip"),
        ({"x_range": (1, 0)}, "x_range"),
        ({"y_range": "wide"}, "y_range"),
        ({"binning": "log"}, "binning"),
        ({"intercept": "yes"}, "intercept"),
        ({"height": 10}, "height"),
        ({"max_points": -1}, "max_points"),
        ({"profile_bins": 0}, "bins must be >= 1"),
    ],
)
def test_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        ow.SignalScatter(X, Y, **kwargs)


def test_input_errors():
    with pytest.raises(ParameterError, match="same length"):
        ow.SignalScatter(np.zeros(3), np.zeros(4))
    with pytest.raises(ParameterError, match="no pair has both"):
        ow.SignalScatter(np.array([NAN, 1.0]), np.array([1.0, NAN]))
    with pytest.raises(ParameterError, match="numeric"):
        ow.SignalScatter(["a", "b"], [1, 2])
    dup = pd.Series([1.0, 2.0], index=[0, 0])
    with pytest.raises(ParameterError, match="duplicates"):
        ow.SignalScatter(dup, pd.Series([1.0], index=[5]))
    with pytest.raises(ParameterError, match="not a metric"):
        ow.SignalScatter.from_source(book(), "no_such_metric")
    with pytest.raises(ParameterError, match="one value per book row"):
        ow.SignalScatter.from_source(book(), np.zeros(3))
    with pytest.raises(ParameterError, match="horizon"):
        ow.SignalScatter.from_source(book(), horizon=0)
    view = ow.SignalScatter(X, Y)
    with pytest.raises(Exception, match="finite"):
        view.brush = (0, NAN, 0, 1)


def test_view_range_clips_the_tails():
    v = np.concatenate([np.arange(1000.0), [1e9]])
    lo, hi = view_range(v, 0.001, "y_range")
    assert lo == pytest.approx(np.quantile(v, 0.001)) and hi == pytest.approx(np.quantile(v, 0.999)) and hi < 1e6
    assert view_range(v, 0.0, "y_range") == (0.0, 1e9)
    assert view_range(v, 0.1, "y_range", (-1, 1)) == (-1.0, 1.0)


def test_real_data_amzn_day(amzn_files):
    from obi_widgets.io import read_lobster

    b, _ = read_lobster(*amzn_files)  # 57,515 events, level 1
    view = ow.SignalScatter.from_source(b, horizon="1s")
    x, y = metrics.level1_imbalance(b), metrics.forward_return(b, "1s")
    keep = np.isfinite(x) & np.isfinite(y)
    f, m = sent(view)
    assert m["n"] == int(keep.sum()) > 50_000 and m["dropped"] == int((~keep).sum())
    assert int(f["density"].sum()) + m["outside"] == m["n"]
    assert view.regression == metrics.regress(x, y)
    pd.testing.assert_frame_equal(view.profile, metrics.imbalance_profile(x, y))
    assert m["y_name"].startswith("mid change over 1s")
    # does the level-1 imbalance predict the 1-s move on AMZN? the slope is positive, clearly
    assert view.regression.slope > 0 and view.regression.t_stat > 5


def test_a_live_source_recomputes_over_the_ring():
    from obi_widgets import datasets

    if not hasattr(ow.BookSource, "push"):
        pytest.skip("BookSource.push (live sources) is not in this checkout")
    b = datasets.simulate(seed=0).book
    src = ow.BookSource(b[:5000], max_rows=8000)
    view = ow.SignalScatter.from_source(src, horizon=10)
    view.brush = (0.5, 1.0, 0.0, 1.0)
    assert view._x.size == 5000
    src.push(b[5000:12000])
    src.flush()
    # the ring keeps the last 8000 rows: signal, move, profile, grid and selection are of those
    assert len(src.book) == 8000 and view._x.size == 8000
    np.testing.assert_array_equal(view._x, metrics.level1_imbalance(src.book))
    np.testing.assert_array_equal(view._y, metrics.forward_return(src.book, 10))
    m = sent(view)[1]
    assert m["n"] + m["dropped"] == 8000 and m["dropped"] >= 10  # the last 10 rows have no move yet
    x, y = view._x, view._y
    inside = np.flatnonzero((x >= 0.5) & (x <= 1.0) & (y >= 0.0) & (y <= 1.0))
    np.testing.assert_array_equal(view.selected_rows, inside)
    assert view._selected["count"] == inside.size

"""FootprintChart (Python side): the payload holds metrics.footprint's numbers for the visible
window, trimmed to the width and coarsened to the height; parameter errors; LOBSTER totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import obi_widgets as ow
from obi_widgets import datasets
from obi_widgets.errors import ParameterError
from obi_widgets.io import read_lobster
from obi_widgets.metrics.footprint import footprint
from obi_widgets.views._buffers import unpack
from obi_widgets.views.footprint_chart import CHROME_X, CHROME_Y, MIN_COL_PX, MIN_ROW_PX, FootprintChart, nice_multiple

MIN = 60_000_000_000


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate(seed=0)


def payload(view):
    return unpack(view._frame)


def by_bar(fp):
    return fp.groupby("bar").agg(total=("bar_total", "first"), delta=("bar_delta", "first"), poc=("bar_poc", "first"))


def test_payload_is_the_footprint_of_the_window(sim):
    src = ow.BookSource(sim.book, sim.trades)
    view = FootprintChart(src, bar="1min")
    t0 = int(sim.book.ts[0]) + 150 * 1_000_000_000  # 09:32:30
    t1 = t0 + 4 * MIN
    src.zoom(t0, t1)
    fields, meta = payload(view)
    # independently: the whole minutes overlapping [t0, t1]
    lo, hi = (t0 // MIN) * MIN, ((t1 - 1) // MIN + 1) * MIN
    fp = footprint(sim.trades.between(lo, hi), bar="1min", tick=0.01)
    bars = by_bar(fp)
    assert meta["n_bars"] == len(bars) == 5 and meta["total_bars"] == 5
    np.testing.assert_allclose(fields["bar_total"], bars["total"])
    np.testing.assert_allclose(fields["bar_delta"], bars["delta"])
    np.testing.assert_allclose(fields["bar_poc"], bars["poc"])
    np.testing.assert_allclose(fields["sell"], fp["sell_volume"])
    np.testing.assert_allclose(fields["buy"], fp["buy_volume"])
    np.testing.assert_array_equal(fields["cell_bar"], fp["bar"])
    price = (meta["q0"] + fields["cell_row"]) * meta["row_px"]
    np.testing.assert_allclose(price, fp["price"])
    flags = fields["flags"]
    np.testing.assert_array_equal((flags & 1) > 0, fp["buy_imbalance"])
    np.testing.assert_array_equal((flags & 2) > 0, fp["sell_imbalance"])
    np.testing.assert_array_equal((flags & 16) > 0, fp["poc"])
    assert fields["bar_t0"][0] == pd.Timestamp(lo).value / 1e6
    assert meta["trades"] == len(sim.trades.between(lo, hi))
    # the frame equals what view.footprint() returns
    pd.testing.assert_frame_equal(view.footprint(), fp, check_like=False)


def test_trade_count_bars_keep_their_alignment(sim):
    src = ow.BookSource(sim.book, sim.trades)
    view = FootprintChart(src, bar="100 trades")
    ts = sim.trades.ts
    src.zoom(int(ts[250]), int(ts[730]))
    fields, _ = payload(view)
    blocks = np.add.reduceat(sim.trades.size, np.arange(0, len(ts), 100))
    np.testing.assert_allclose(fields["bar_total"], blocks[2:8])  # trades 200..799


def test_width_keeps_the_latest_bars_and_height_coarsens_rows(sim):
    src = ow.BookSource(sim.book, sim.trades)
    view = FootprintChart(src, bar="1min")
    view._width = CHROME_X + 5 * MIN_COL_PX  # room for 5 bars
    fields, meta = payload(view)
    full = by_bar(footprint(sim.trades, bar="1min", tick=0.01))
    assert meta["total_bars"] == len(full) == 12 and meta["n_bars"] == 5 and meta["first_bar"] == 7
    np.testing.assert_allclose(fields["bar_total"], full["total"].to_numpy()[-5:])
    view._width = 900
    view.height = CHROME_Y + 4 * MIN_ROW_PX  # room for 4 rows: the prices span 17 ticks
    fields, meta = payload(view)
    assert meta["row_ticks"] == 5 and meta["n_rows"] <= 4
    fp5 = footprint(sim.trades, bar="1min", tick=0.01, row_ticks=5)
    np.testing.assert_allclose(fields["buy"], fp5["buy_volume"])
    view2 = FootprintChart(src, bar="1min", min_row_height=(900 - CHROME_Y) // 8, height=900)  # 8 rows of ~104 px
    assert payload(view2)[1]["row_ticks"] == 5 and payload(view2)[1]["n_rows"] <= 8
    assert nice_multiple(1) == 1 and nice_multiple(3) == 5 and nice_multiple(6) == 10 and nice_multiple(11) == 20


def test_book_row_bars_and_signing_methods(sim):
    view = FootprintChart(sim.book, sim.trades, bar=2000, method="tick")
    fields, meta = payload(view)
    fp = footprint(sim.trades, bar=2000, book=sim.book, method="tick", tick=0.01)
    assert meta["method"] == "tick" and meta["bar_kind"] == "rows"
    np.testing.assert_allclose(fields["bar_delta"], by_bar(fp)["delta"])


def test_without_trades_and_empty_windows(sim):
    view = FootprintChart(sim.book)
    fields, meta = payload(view)
    assert fields == {} and meta["n_bars"] == 0 and "no trades" in meta["note"]
    src = ow.BookSource(sim.book, sim.trades)
    view = FootprintChart(src)
    src.zoom(int(sim.book.ts[0]) - 3 * MIN, int(sim.book.ts[0]) - 2 * MIN)  # minutes before the first trade
    assert payload(view)[1]["note"] == "no trades in the visible time"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"bar": "1 fortnight"}, "bar"),
        ({"bar": 0}, "bar"),
        ({"method": "quote"}, "method"),
        ({"zero_denominator": "none"}, "zero_denominator"),
        ({"poc_tie": "mid"}, "poc_tie"),
        ({"off_grid": "drop"}, "off_grid"),
        ({"row_ticks": 0}, "row_ticks"),
        ({"imbalance_ratio": -1}, "imbalance_ratio"),
        ({"stacked": 0}, "stacked"),
        ({"sign_options": "lag"}, "sign_options"),
        ({"height": 10}, "height"),
        ({"min_row_height": 0}, "min_row_height"),
    ],
)
def test_parameter_errors(sim, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        FootprintChart(sim.book, sim.trades, **kwargs)


def test_trades_twice_is_an_error(sim):
    src = ow.BookSource(sim.book, sim.trades)
    with pytest.raises(ParameterError, match="trades"):
        FootprintChart(src, sim.trades)


def test_lobster_amzn_minute_totals(amzn_files):
    book, trades = read_lobster(*amzn_files)
    src = ow.BookSource(book, trades)
    view = FootprintChart(src, bar="1min")
    view._width = 4000  # every minute of the day fits
    fields, meta = payload(view)
    per_minute = pd.Series(trades.size, index=pd.DatetimeIndex(trades.ts)).groupby(lambda t: t.floor("1min")).sum()
    assert meta["n_bars"] == len(per_minute) and meta["off_grid"] > 0  # hidden mid-point executions
    np.testing.assert_allclose(fields["bar_total"], per_minute.to_numpy())
    # the day's price range does not fit 480 px at one tick per row: coarser rows, same numbers
    assert meta["row_ticks"] > 1
    fp = footprint(trades, bar="1min", book=book, off_grid="floor", row_ticks=meta["row_ticks"])
    np.testing.assert_allclose(fields["sell"] + fields["buy"] + fields["unsigned"], fp["total"])


def test_live_pushes_reach_the_payload(sim):
    b, tr = sim.book, sim.trades
    src = ow.BookSource(b[:2000], tr.between(None, int(b.ts[1999]) + 1), window="3min")
    view = FootprintChart(src, bar="1min")
    before = payload(view)[1]["trades"]
    for i in range(2000, 12000, 500):
        src.push(b[i : i + 500], tr.between(int(b.ts[i]), int(b.ts[i + 499]) + 1))
    src.flush()
    fields, meta = payload(view)
    t0, t1 = src.time_range
    assert t1 == int(b.ts[11999])  # the window follows the end
    lo, hi = (t0 // MIN) * MIN, ((t1 - 1) // MIN + 1) * MIN
    expect = by_bar(footprint(src.trades.between(lo, hi), bar="1min", tick=0.01))
    assert meta["trades"] != before and meta["n_bars"] == len(expect)
    np.testing.assert_allclose(fields["bar_total"], expect["total"])

"""metrics.footprint: hand-made trades with known answers, and bar totals on the LOBSTER samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.io import read_lobster
from obi_widgets.metrics.footprint import COLUMNS, footprint, footprint_zones

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000


def make(rows, t0=T0):
    """Trades from (seconds after t0, price, size, side) tuples."""
    s, p, v, side = zip(*rows)
    return Trades(np.array([t0 + int(x * SEC) for x in s]), p, v, side)


# one bar, tick 1: per price (sell, buy); 14 does not trade
CELLS = {10: (5, 2), 11: (1, 15), 12: (9, 4), 13: (2, 3), 15: (0, 4)}


def one_bar():
    rows, t = [], 1.0
    for p, (s, b) in CELLS.items():
        if s:
            rows.append((t, float(p), float(s), -1))
            t += 1
        if b:
            rows.append((t, float(p), float(b), 1))
            t += 1
    return make(rows)


def by_price(fp, col):
    return dict(zip(fp["price"].tolist(), fp[col].tolist()))


def test_volumes_delta_total_poc():
    fp = footprint(one_bar(), bar="1min", tick=1.0)
    assert list(fp.columns) == list(COLUMNS)
    assert fp["price"].tolist() == [10, 11, 12, 13, 15]
    assert by_price(fp, "sell_volume") == {10: 5, 11: 1, 12: 9, 13: 2, 15: 0}
    assert by_price(fp, "buy_volume") == {10: 2, 11: 15, 12: 4, 13: 3, 15: 4}
    assert by_price(fp, "delta") == {10: -3, 11: 14, 12: -5, 13: 1, 15: 4}
    assert by_price(fp, "total") == {10: 7, 11: 16, 12: 13, 13: 5, 15: 4}
    assert set(fp["bar_total"]) == {45} and set(fp["bar_delta"]) == {11}
    assert set(fp["bar_poc"]) == {11} and fp["poc"].tolist() == [False, True, False, False, False]
    assert fp["trades"].tolist() == [2, 2, 2, 2, 1]
    assert (fp["bar_start"] == pd.Timestamp("2024-01-02 09:30")).all()
    assert (fp["bar_end"] == pd.Timestamp("2024-01-02 09:31")).all()
    assert fp.attrs["method"] == "side" and fp.attrs["bar_kind"] == "time"


@pytest.mark.parametrize(
    "zero, buy, sell",
    [
        # buy at p vs 3 x sell at p-1; sell at p vs 3 x buy at p+1 (hand-computed from CELLS)
        ("inside", {10: 0, 11: 1, 12: 1, 13: 0, 15: 1}, {10: 0, 11: 0, 12: 1, 13: 1, 15: 0}),
        ("imbalance", {10: 1, 11: 1, 12: 1, 13: 0, 15: 1}, {10: 0, 11: 0, 12: 1, 13: 1, 15: 0}),
        ("skip", {10: 0, 11: 1, 12: 1, 13: 0, 15: 0}, {10: 0, 11: 0, 12: 1, 13: 0, 15: 0}),
    ],
)
def test_diagonal_imbalance_and_zero_denominators(zero, buy, sell):
    fp = footprint(one_bar(), bar="1min", tick=1.0, zero_denominator=zero)
    assert by_price(fp, "buy_imbalance") == {k: bool(v) for k, v in buy.items()}
    assert by_price(fp, "sell_imbalance") == {k: bool(v) for k, v in sell.items()}


def test_ratio_and_min_volume():
    # at ratio 3, 15 >= 3 * 5 exactly is an imbalance; at 3.01 it is not
    assert by_price(footprint(one_bar(), tick=1.0, imbalance_ratio=3.01), "buy_imbalance")[11] is False
    # 4 >= 2 * 1 at 12 and 15 >= 2 * 5 at 11; min_volume=5 keeps only 11's
    fp = footprint(one_bar(), tick=1.0, imbalance_ratio=2, min_volume=5)
    assert by_price(fp, "buy_imbalance") == {10: False, 11: True, 12: False, 13: False, 15: False}


def test_stacked_zones():
    fp = footprint(one_bar(), tick=1.0, stacked=2)
    assert by_price(fp, "buy_stacked") == {10: False, 11: True, 12: True, 13: False, 15: False}
    assert by_price(fp, "sell_stacked") == {10: False, 11: False, 12: True, 13: True, 15: False}
    assert not footprint(one_bar(), tick=1.0, stacked=3)["buy_stacked"].any()
    # counting the bar's low as an imbalance (zero_denominator='imbalance') makes 10-12 a run of 3
    fp3 = footprint(one_bar(), tick=1.0, stacked=3, zero_denominator="imbalance")
    assert by_price(fp3, "buy_stacked") == {10: True, 11: True, 12: True, 13: False, 15: False}
    z = footprint_zones(fp)
    assert z[["bar", "side", "price_lo", "price_hi", "rows"]].values.tolist() == [[0, -1, 12, 13, 2], [0, 1, 11, 12, 2]]


def test_stacks_do_not_cross_a_price_gap_or_a_bar():
    # buy imbalances at 11, 12 in bar 0 and at 13 in bar 1: no run of 3
    rows = [(1, 10.0, 1.0, -1), (2, 11.0, 9.0, 1), (3, 11.0, 1.0, -1), (4, 12.0, 9.0, 1), (5, 12.0, 1.0, -1)]
    rows += [(61, 12.0, 1.0, -1), (62, 13.0, 9.0, 1)]
    fp = footprint(make(rows), tick=1.0, stacked=3)
    assert fp["buy_imbalance"].tolist() == [False, True, True, False, True]
    assert not fp["buy_stacked"].any()
    assert fp["bar"].tolist() == [0, 0, 0, 1, 1]


def test_poc_ties():
    # totals 5, 5, 1, 1 at 10..13: the middle of the range is 11.5, 11 is nearer
    t = make([(1, 10.0, 5.0, 1), (2, 11.0, 5.0, -1), (3, 12.0, 1.0, 1), (4, 13.0, 1.0, 1)])
    assert set(footprint(t, tick=1.0)["bar_poc"]) == {11}
    assert set(footprint(t, tick=1.0, poc_tie="low")["bar_poc"]) == {10}
    assert set(footprint(t, tick=1.0, poc_tie="high")["bar_poc"]) == {11}
    # 5, 1, 1, 5: 10 and 13 equally near 11.5 -> the lower
    t2 = make([(1, 10.0, 5.0, 1), (2, 11.0, 1.0, -1), (3, 12.0, 1.0, 1), (4, 13.0, 5.0, 1)])
    fp = footprint(t2, tick=1.0)
    assert set(fp["bar_poc"]) == {10} and fp["poc"].sum() == 1
    assert set(footprint(t2, tick=1.0, poc_tie="high")["bar_poc"]) == {13}


def test_time_bars_skip_empty_and_split_on_the_boundary():
    t = make([(10, 10.0, 1.0, 1), (50, 10.0, 2.0, 1), (60, 10.0, 4.0, -1), (185, 11.0, 8.0, 1)])
    fp = footprint(t, bar="1min", tick=1.0)
    assert fp["bar"].tolist() == [0, 1, 2]
    assert fp["total"].tolist() == [3, 4, 8]
    starts = [pd.Timestamp("2024-01-02 09:30"), pd.Timestamp("2024-01-02 09:31"), pd.Timestamp("2024-01-02 09:33")]
    assert fp["bar_start"].tolist() == starts
    assert fp["bar_end"].tolist()[2] == pd.Timestamp("2024-01-02 09:34")


def test_trade_count_bars():
    t = make([(1, 10.0, 1.0, 1), (2, 10.0, 2.0, -1), (3, 10.0, 4.0, 1), (4, 11.0, 8.0, 1), (9, 11.0, 16.0, -1)])
    fp = footprint(t, bar="2 trades", tick=1.0)
    assert fp["bar"].tolist() == [0, 1, 1, 2]
    assert fp.groupby("bar")["total"].sum().tolist() == [3, 12, 16]
    assert fp.groupby("bar")["bar_delta"].first().tolist() == [-1, 12, -16]
    assert fp["bar_start"].tolist()[1] == pd.Timestamp(T0 + 3 * SEC)
    assert fp["bar_end"].tolist()[1] == pd.Timestamp(T0 + 4 * SEC)
    assert fp.attrs["bar_kind"] == "trades"


def test_book_row_bars():
    ts = T0 + np.array([0, 10, 20, 30, 40]) * SEC
    px = np.full((5, 1), 9.0)
    book = Book(ts, px, np.ones((5, 1)), px + 2, np.ones((5, 1)), meta={"tick": 1.0})
    t = make([(-5, 10.0, 1.0, 1), (5, 10.0, 2.0, 1), (19, 10.0, 4.0, -1), (20, 10.0, 8.0, 1), (45, 10.0, 16.0, 1)])
    for bar in (2, "2 rows"):
        fp = footprint(t, bar=bar, book=book)
        assert fp["total"].tolist() == [6, 8, 16]
        assert fp["bar_start"].tolist() == [pd.Timestamp(int(v)) for v in ts[[0, 2, 4]]]
        assert fp["bar_end"].tolist()[:2] == [pd.Timestamp(int(v)) for v in ts[[2, 4]]]
        assert fp["bar_end"].tolist()[2] == pd.Timestamp(T0 + 45 * SEC)
        assert fp.attrs["outside"] == 1 and fp.attrs["tick"] == 1.0
    with pytest.raises(ParameterError, match="needs the book"):
        footprint(t, bar=2)


def test_signing_unsigned_and_fractional():
    t = make([(1, 10.0, 4.0, 0), (2, 10.0, 2.0, 1)])
    fp = footprint(t, tick=1.0, method="side")
    assert fp[["sell_volume", "buy_volume", "unsigned_volume", "total"]].values.tolist() == [[0, 2, 4, 6]]
    fp = footprint(t, tick=1.0, signs=np.array([0.5, -1.0]))
    assert fp[["sell_volume", "buy_volume", "unsigned_volume"]].values.tolist() == [[1 + 2, 3, 0]]
    # no sides at all: 'auto' signs with the tick rule (10 -> 11 is an uptick: a buy; the first is unknown)
    t2 = make([(1, 10.0, 1.0, 0), (2, 11.0, 2.0, 0)])
    fp2 = footprint(t2, tick=1.0)
    assert fp2.attrs["method"] == "tick"
    assert fp2[["sell_volume", "buy_volume", "unsigned_volume"]].values.tolist() == [[0, 0, 1], [0, 2, 0]]


def test_row_ticks_group_prices():
    t = make([(1, 10.0, 1.0, 1), (2, 11.0, 2.0, -1), (3, 12.0, 4.0, 1), (4, 13.0, 8.0, 1)])
    fp = footprint(t, tick=1.0, row_ticks=2)
    assert fp["price"].tolist() == [10, 12]
    assert fp["total"].tolist() == [3, 12] and fp["buy_volume"].tolist() == [1, 12]
    # buy 12 at row 12 vs 3 x sell 2 at row 10: an imbalance one row (two ticks) below
    assert fp["buy_imbalance"].tolist() == [False, True]


def test_off_grid_prices():
    t = make([(1, 10.5, 1.0, 1), (2, 11.0, 2.0, -1), (3, 12.0, 4.0, 1)])
    with pytest.raises(ParameterError, match="off_grid='floor'"):
        footprint(t, tick=1.0)
    fp = footprint(t, tick=1.0, off_grid="floor")
    assert fp["price"].tolist() == [10, 11, 12] and fp.attrs["off_grid"] == 1
    fp = footprint(t, tick=1.0, off_grid="nearest")
    assert fp["price"].tolist() == [11, 12] and fp["total"].tolist() == [3, 4]


def test_empty_and_errors():
    empty = Trades(np.zeros(0, dtype=np.int64), [], [])
    assert len(footprint(empty, tick=1.0)) == 0 and list(footprint(empty, tick=1.0).columns) == list(COLUMNS)
    t = one_bar()
    for kwargs, match in [
        ({"bar": "1 fortnight"}, "bar"),
        ({"bar": 0, "book": None}, "bar"),
        ({"bar": True}, "bar"),
        ({"imbalance_ratio": 0}, "imbalance_ratio"),
        ({"zero_denominator": "none"}, "zero_denominator"),
        ({"poc_tie": "mid"}, "poc_tie"),
        ({"stacked": 0}, "stacked"),
        ({"row_ticks": 1.5}, "row_ticks"),
        ({"min_volume": -1}, "min_volume"),
        ({"method": "quote"}, "method"),
        ({"tick": 0.3}, "not a multiple of tick"),
        ({"signs": np.ones(3)}, "shape"),
        ({"off_grid": "drop"}, "off_grid"),
    ]:
        with pytest.raises(ParameterError, match=match):
            footprint(t, **({"tick": 1.0} | kwargs))
    with pytest.raises(ParameterError, match="Trades"):
        footprint([1, 2, 3])
    with pytest.raises(ParameterError, match="lee_ready"):
        footprint(t, tick=1.0, method="lee_ready")


@pytest.mark.parametrize("which", ["amzn_files", "aapl_files"])
def test_lobster_bar_totals_equal_executed_volume(which, request):
    book, trades = read_lobster(*request.getfixturevalue(which))
    assert len(trades) > 0
    if which == "amzn_files":  # hidden executions at half a tick: refused unless told where they go
        with pytest.raises(ParameterError, match="off_grid"):
            footprint(trades, bar="1min", book=book)
    fp = footprint(trades, bar="1min", book=book, off_grid="floor")
    assert fp.attrs["method"] == "side" and fp.attrs["tick"] == pytest.approx(0.01)
    # independently: pandas' minute sums of the executed sizes, buyer- minus seller-initiated
    frame = pd.DataFrame({"size": trades.size, "signed": trades.size * trades.side}, index=pd.DatetimeIndex(trades.ts))
    per_minute = frame.groupby(frame.index.floor("1min")).sum()
    bars = fp.groupby("bar").agg(
        start=("bar_start", "first"), total=("bar_total", "first"), delta=("bar_delta", "first")
    )
    assert bars["start"].tolist() == per_minute.index.tolist()
    np.testing.assert_allclose(bars["total"], per_minute["size"])
    np.testing.assert_allclose(bars["delta"], per_minute["signed"])
    np.testing.assert_allclose(fp.groupby("bar")["total"].sum(), per_minute["size"])
    # each cell: the plain sum of sizes at that price in that minute
    floor_tick = np.floor(np.round(trades.price / 0.005) / 2)  # prices are whole half-cents
    cell = frame.assign(price=floor_tick).groupby([frame.index.floor("1min"), "price"])["size"].sum()
    np.testing.assert_allclose(fp["total"], cell.to_numpy())
    # trade-count bars: sums of consecutive blocks of 100 sizes
    fc = footprint(trades, bar="100 trades", book=book, off_grid="nearest")
    blocks = np.add.reduceat(trades.size, np.arange(0, len(trades), 100))
    np.testing.assert_allclose(fc.groupby("bar")["bar_total"].first(), blocks)
    # the point of control holds the bar's largest total
    assert (fp.loc[fp["poc"], "total"].to_numpy() == fp.groupby("bar")["total"].max().to_numpy()).all()


def test_docstrings_state_formulas_and_papers():
    import re

    for fn in (footprint, footprint_zones):
        assert ".. math::" in (fn.__doc__ or "") or ":math:" in (fn.__doc__ or "")
    assert re.search(r"Lee & Ready \(1991\)", footprint.__doc__ or "")
    assert re.search(r"Easley, López de Prado & O'Hara \(2012\)", footprint.__doc__ or "")

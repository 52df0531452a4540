"""pandas wide and long frames to Book: round trips, hand-written frames, errors naming the column/row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book
from obi_widgets.datasets import simulate
from obi_widgets.errors import BookError, CrossedBookError, DataFormatError, ParameterError, TimestampError
from obi_widgets.io.frames import read_long_frame, read_wide_frame, to_long_frame, wide_columns

nan = np.nan
SIDES = ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")


def same(a, b):
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def assert_books_equal(a: Book, b: Book):
    assert a.shape == b.shape
    assert a.ts.tolist() == b.ts.tolist()
    for side in SIDES[1:]:
        assert same(getattr(a, side), getattr(b, side)), side


@pytest.fixture(scope="module")
def sim_book():
    return simulate(seed=3, n_events=400, levels=4).book


@pytest.fixture
def thin_book():
    # empty tails on both sides and a one-sided row
    return Book(
        [1_000, 2_000, 2_000, 5_000],
        [[10.0, 9.9, 9.8], [10.0, nan, nan], [nan, nan, nan], [10.1, 10.0, nan]],
        [[1, 2, 3], [4, nan, nan], [nan, nan, nan], [5, 6, nan]],
        [[10.2, 10.3, nan], [10.1, 10.2, 10.3], [10.1, nan, nan], [10.2, nan, nan]],
        [[7, 8, nan], [9, 1, 2], [3, nan, nan], [4, nan, nan]],
    )


# -- wide -----------------------------------------------------------------------------------
def test_wide_round_trip(sim_book, thin_book):
    for book in (sim_book, thin_book):
        assert_books_equal(read_wide_frame(book.to_frame()), book)


def test_wide_ts_column_and_tz_index(thin_book):
    frame = thin_book.to_frame().reset_index()  # 'ts' becomes a column
    assert_books_equal(read_wide_frame(frame), thin_book)
    tz = thin_book.to_frame()
    tz.index = tz.index.tz_localize("UTC").tz_convert("America/New_York")
    assert_books_equal(read_wide_frame(tz), thin_book)
    ints = thin_book.to_frame().reset_index()
    ints["when"] = thin_book.ts  # int64 ns, under another name
    assert_books_equal(read_wide_frame(ints.drop(columns="ts"), ts="when"), thin_book)
    iso = thin_book.to_frame().reset_index()
    iso["ts"] = [
        "1970-01-01T00:00:00.000001",
        "1970-01-01T00:00:00.000002Z",
        "1970-01-01 00:00:00.000002",
        "1970-01-01T00:00:00.000005",
    ]
    assert_books_equal(read_wide_frame(iso), thin_book)


def test_wide_levels_argument(thin_book):
    two = read_wide_frame(thin_book.to_frame(), levels=2)
    assert same(two.bid_px, [[10.0, 9.9], [10.0, nan], [nan, nan], [10.1, 10.0]])
    with pytest.raises(DataFormatError, match=r"no column 'bid_px_3' \(level 3 of the 4 asked for\)"):
        read_wide_frame(thin_book.to_frame(), levels=4)


def test_wide_lobster_preset_any_column_order():
    frame = pd.DataFrame(
        {
            "note": ["x", "y"],
            "ask_size_1": [5.0, 6.0],
            "bid_price_2": [99.0, nan],
            "ask_price_1": [101.0, 101.5],
            "bid_size_1": [3.0, 4.0],
            "bid_price_1": [100.0, 100.5],
            "ask_price_2": [102.0, 102.5],
            "bid_size_2": [1.0, nan],
            "ask_size_2": [2.0, 8.0],
        },
        index=pd.DatetimeIndex(["2024-01-02 09:30:00", "2024-01-02 09:30:01"]),
    )
    book = read_wide_frame(frame, columns="lobster", name="X")
    assert book.name == "X" and book.shape == (2, 2)
    assert book.ts.tolist() == [pd.Timestamp("2024-01-02 09:30:00").value, pd.Timestamp("2024-01-02 09:30:01").value]
    assert same(book.bid_px, [[100.0, 99.0], [100.5, nan]])
    assert same(book.bid_sz, [[3.0, 1.0], [4.0, nan]])
    assert same(book.ask_px, [[101.0, 102.0], [101.5, 102.5]])
    assert same(book.ask_sz, [[5.0, 2.0], [6.0, 8.0]])


def test_wide_custom_names():
    cols = {"bid_px": "b{level}p", "bid_sz": "b{level}q", "ask_px": "a{level}p", "ask_sz": "a{level}q"}
    assert wide_columns(2, columns=cols, first_level=1) == ["b1p", "b1q", "a1p", "a1q", "b2p", "b2q", "a2p", "a2q"]
    assert wide_columns(1) == ["bid_px_0", "bid_sz_0", "ask_px_0", "ask_sz_0"]
    frame = pd.DataFrame({"ts": [7, 8], "b1p": [1.0, 1.1], "b1q": [2.0, 3.0], "a1p": [1.2, 1.3], "a1q": [4, 5]})
    book = read_wide_frame(frame, columns=cols, first_level=1)
    assert (
        book.ts.tolist() == [7, 8] and book.bid_px.tolist() == [[1.0], [1.1]] and book.ask_sz.tolist() == [[4.0], [5.0]]
    )
    with pytest.raises(ParameterError, match=r"columns\['ask_sz'\] must be a format string with a \{level\} field"):
        read_wide_frame(frame, columns={**cols, "ask_sz": "a1q"})
    with pytest.raises(ParameterError, match="unknown column preset 'nasdaq'"):
        read_wide_frame(frame, columns="nasdaq")


def test_wide_missing_columns_are_named(thin_book):
    frame = thin_book.to_frame()
    with pytest.raises(DataFormatError, match=r"level 1 has column 'bid_px_1' but no column 'ask_sz_1'"):
        read_wide_frame(frame.drop(columns="ask_sz_1"))
    with pytest.raises(DataFormatError, match=r"column 'bid_px_2' is present but level 1 is missing"):
        read_wide_frame(frame.drop(columns=["bid_px_1", "bid_sz_1", "ask_px_1", "ask_sz_1"]))
    with pytest.raises(DataFormatError, match=r"no column 'bid_price_1'"):
        read_wide_frame(frame, columns="lobster")
    with pytest.raises(DataFormatError, match=r"no timestamps"):
        read_wide_frame(frame.reset_index(drop=True))
    with pytest.raises(DataFormatError, match=r"no column 'time' for the timestamps"):
        read_wide_frame(frame, ts="time")


def test_wide_bad_cells_are_named(thin_book):
    frame = thin_book.to_frame().astype(object)
    frame.iloc[2, frame.columns.get_loc("ask_sz_0")] = "lots"
    with pytest.raises(
        DataFormatError, match=r"column 'ask_sz_0': row 2 \(index Timestamp\(.*\)\) is 'lots', expected a number"
    ):
        read_wide_frame(frame)
    reset = thin_book.to_frame().reset_index()
    reset["ts"] = reset["ts"].astype(object)
    reset.loc[1, "ts"] = "not a time"
    with pytest.raises(DataFormatError, match=r"timestamps in column 'ts': row 1 is 'not a time'"):
        read_wide_frame(reset)
    secs = thin_book.to_frame().reset_index()
    secs["ts"] = [1.0, 2.0, 2.0, 5.0]
    with pytest.raises(DataFormatError, match=r"dtype float64.*unit='s'"):
        read_wide_frame(secs)


def test_wide_book_errors_carry_the_time(thin_book):
    frame = thin_book.to_frame()
    frame.iloc[3, frame.columns.get_loc("bid_px_0")] = 10.25  # above the ask 10.2 at row 3
    with pytest.raises(CrossedBookError, match=r"row 3.*\[book row 3 is the frame row at 1970-01-01 00:00:00.000005\]"):
        read_wide_frame(frame)
    frame = thin_book.to_frame()
    frame.iloc[0, frame.columns.get_loc("bid_sz_1")] = -1.0
    with pytest.raises(BookError, match=r"bid size at row 0, level 1"):
        read_wide_frame(frame)


# -- long, snapshots --------------------------------------------------------------------------
LONG = pd.DataFrame(
    {
        "ts": pd.to_datetime(["2024-01-02 10:00:01"] * 3 + ["2024-01-02 10:00:00"] * 4),
        "side": ["ask", "bid", "BID", "b", "a", "Ask", "bid"],
        "level": [0, 1, 0, 2, 0, 1, 0],
        "price": [10.2, 9.9, 10.0, 9.7, 10.1, 10.3, 9.9],
        "size": [5.0, 6.0, 7.0, 1.0, 2.0, 3.0, 4.0],
    }
)


def test_long_snapshots_by_level():
    # LONG has bid levels 0 and 2 at 10:00:00 (a gap, see the next test); make bid 9.7 level 1
    frame = LONG.copy()
    frame.loc[3, "level"] = 1
    book = read_long_frame(frame, name="L")
    t0, t1 = pd.Timestamp("2024-01-02 10:00:00").value, pd.Timestamp("2024-01-02 10:00:01").value
    assert book.ts.tolist() == [t0, t1] and book.name == "L"
    assert same(book.bid_px, [[9.9, 9.7], [10.0, 9.9]])
    assert same(book.bid_sz, [[4.0, 1.0], [7.0, 6.0]])
    assert same(book.ask_px, [[10.1, 10.3], [10.2, nan]])
    assert same(book.ask_sz, [[2.0, 3.0], [5.0, nan]])


def test_long_gap_is_reported_with_its_time():
    with pytest.raises(
        BookError, match=r"bid level 1 at row 0 is empty but level 2 is not.*the snapshot at 2024-01-02 10:00:00"
    ):
        read_long_frame(LONG)


def test_long_snapshots_ranked_by_price_and_renamed():
    frame = LONG.drop(columns="level").rename(columns={"size": "qty", "side": "s"})
    book = read_long_frame(frame, columns={"size": "qty", "side": "s"})
    assert same(book.bid_px, [[9.9, 9.7], [10.0, 9.9]])
    assert same(book.bid_sz, [[4.0, 1.0], [7.0, 6.0]])
    assert same(book.ask_px, [[10.1, 10.3], [10.2, nan]])
    assert same(book.ask_sz, [[2.0, 3.0], [5.0, nan]])


def test_long_numeric_sides_first_level_and_truncation():
    frame = pd.DataFrame(
        {
            "ts": [5, 5, 5, 9],
            "side": [1, -1, 1, -1],
            "level": [1, 1, 2, 1],
            "price": [3.0, 4.0, 2.0, 5.0],
            "size": [1.0, 2.0, 3.0, 4.0],
        }
    )
    book = read_long_frame(frame, first_level=1)
    assert book.ts.tolist() == [5, 9]
    assert same(book.bid_px, [[3.0, 2.0], [nan, nan]])
    assert same(book.ask_px, [[4.0, nan], [5.0, nan]])
    top = read_long_frame(frame, first_level=1, levels=1)
    assert same(top.bid_sz, [[1.0], [nan]])
    with pytest.raises(DataFormatError, match=r"level column 'level': row 0 is 1.0; expected an integer >= 2"):
        read_long_frame(frame, first_level=2)


def test_long_times_from_the_index():
    frame = LONG.copy()
    frame.loc[3, "level"] = 1
    by_index = read_long_frame(frame.set_index("ts"))
    ints = (
        frame.assign(ts=frame["ts"].to_numpy().astype("datetime64[ns]").view("int64"))
        .rename(columns={"ts": "time"})
        .set_index("time")
    )
    by_name = read_long_frame(ints, columns={"ts": "time"})  # int64 ns in an index named 'time'
    t0, t1 = pd.Timestamp("2024-01-02 10:00:00").value, pd.Timestamp("2024-01-02 10:00:01").value
    assert by_index.ts.tolist() == by_name.ts.tolist() == [t0, t1]
    with pytest.raises(DataFormatError, match=r"no column 'ts' for the ts"):
        read_long_frame(frame.drop(columns="ts"))


def test_long_blank_rows_are_skipped():
    frame = pd.DataFrame(
        {
            "ts": [1, 1, 1],
            "side": ["bid", "bid", "ask"],
            "level": [0, 1, 0],
            "price": [1.0, nan, 2.0],
            "size": [1.0, nan, 1.0],
        }
    )
    book = read_long_frame(frame)
    assert same(book.bid_px, [[1.0]]) and same(book.ask_px, [[2.0]])


def test_long_round_trip(sim_book, thin_book):
    assert_books_equal(read_long_frame(to_long_frame(sim_book)), sim_book)
    shuffled = to_long_frame(sim_book).sample(frac=1.0, random_state=1)
    assert_books_equal(read_long_frame(shuffled), sim_book)
    assert_books_equal(read_long_frame(shuffled.drop(columns="level")), sim_book)
    # thin_book: row 2 has an empty bid side but a non-empty ask; two rows share ts 2000 -> merged
    lf = to_long_frame(thin_book, first_level=1)
    assert lf["level"].min() == 1
    assert len(lf) == int((~np.isnan(thin_book.bid_px)).sum() + (~np.isnan(thin_book.ask_px)).sum())


def test_long_errors_name_the_row():
    with pytest.raises(DataFormatError, match=r"row 2 and row 6 are both the bid level 0 at 2024-01-02 10:00"):
        read_long_frame(LONG.assign(ts=LONG["ts"].iloc[0]))
    dup_price = LONG.drop(columns="level")
    dup_price.loc[6, "price"] = 9.7
    with pytest.raises(DataFormatError, match=r"row 3 and row 6 are both the bid price 9.7"):
        read_long_frame(dup_price)
    with pytest.raises(DataFormatError, match=r"side column 'side': row 4 is 'middle'"):
        read_long_frame(LONG.assign(side=["ask", "bid", "bid", "bid", "middle", "ask", "bid"]))
    with pytest.raises(DataFormatError, match=r"side column 'side': row 1 is 0"):
        read_long_frame(LONG.assign(side=[1, 0, 1, 1, -1, -1, 1]))
    with pytest.raises(DataFormatError, match=r"no column 'price' for the price"):
        read_long_frame(LONG.drop(columns="price"))
    with pytest.raises(DataFormatError, match=r"no column 'lvl' for the level"):
        read_long_frame(LONG, columns={"level": "lvl"})
    with pytest.raises(DataFormatError, match=r"level column 'level': row 5 is 1.5"):
        read_long_frame(LONG.assign(level=[0, 1, 0, 2, 0, 1.5, 0]))
    bad_size = LONG.copy()
    bad_size.loc[5, "size"] = -3.0
    with pytest.raises(BookError, match=r"row 5 has size -3.0 at price 10.3"):
        read_long_frame(bad_size)
    no_price = LONG.copy()
    no_price.loc[1, "price"] = nan
    with pytest.raises(BookError, match=r"row 1 has price nan \(size 6.0\)"):
        read_long_frame(no_price)
    with pytest.raises(DataFormatError, match=r"price column 'price': row 0 \(index 'a'\) is 'ten'"):
        read_long_frame(LONG.assign(price=["ten"] + [1.0] * 6).set_axis(list("abcdefg")))
    with pytest.raises(ParameterError, match="mode"):
        read_long_frame(LONG, mode="deltas")


# -- long, absolute updates (through obi_widgets.io.builder) -----------------------------------
def test_long_updates():
    frame = pd.DataFrame(
        {
            "ts": [1, 1, 1, 2, 3, 3],
            "side": ["bid", "ask", "bid", "bid", "bid", "ask"],
            "price": [10.0, 10.5, 9.5, 9.0, 10.0, 10.5],
            "size": [1.0, 2.0, 3.0, 4.0, 0.0, 5.0],
        }
    )
    book = read_long_frame(frame, mode="updates", levels=2)
    # t=1: bids 10.0x1, 9.5x3; ask 10.5x2.  t=2: + bid 9.0x4 (third, not shown).  t=3: 10.0 deleted, ask 10.5 -> 5
    assert book.ts.tolist() == [1, 2, 3]
    assert same(book.bid_px, [[10.0, 9.5], [10.0, 9.5], [9.5, 9.0]])
    assert same(book.bid_sz, [[1.0, 3.0], [1.0, 3.0], [3.0, 4.0]])
    assert same(book.ask_px, [[10.5, nan], [10.5, nan], [10.5, nan]])
    assert same(book.ask_sz, [[2.0, nan], [2.0, nan], [5.0, nan]])
    with pytest.raises(TimestampError, match=r"update times go backwards at row 3: .*002 after .*005"):
        read_long_frame(frame.assign(ts=[1, 1, 5, 2, 6, 6]), mode="updates")

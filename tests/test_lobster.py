"""LOBSTER loaders on the real sample files and on small hand-written files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades
from obi_widgets.errors import DataFormatError, ParameterError
from obi_widgets.io import read_lobster, read_lobster_messages

MSG = """34200.5,1,11,100,1000100,1
34200.75,1,12,50,1000300,-1
34201.0,4,12,20,1000300,-1
34201.25,5,0,7,1000200,1
34201.5,7,-1,0,-1,-1
"""
# per level: ask px, ask sz, bid px, bid sz (two levels); prices in 1/10000 USD
OB = """1000400,10,1000100,100,9999999999,0,999900,5
1000300,50,1000100,100,1000400,10,999900,5
1000300,30,1000100,100,1000400,10,999900,5
1000300,30,1000100,100,1000400,10,999900,5
1000300,30,1000100,100,1000400,10,-9999999999,0
"""


@pytest.fixture
def small_files(tmp_path):
    msg = tmp_path / "XYZ_2020-03-04_34200000_57600000_message_2.csv"
    ob = tmp_path / "XYZ_2020-03-04_34200000_57600000_orderbook_2.csv.gz"
    msg.write_text(MSG)
    with gzip.open(ob, "wt") as f:
        f.write(OB)
    return msg, ob


def test_small_book(small_files):
    book = Book.from_lobster(*small_files)
    assert book.shape == (5, 2)
    assert book.name == "XYZ_2020-03-04_34200000_57600000"
    assert book.ts[0] == pd.Timestamp("2020-03-04 09:30:00.5").value
    assert book.ask_px[0].tolist()[0] == 100.04 and np.isnan(book.ask_px[0, 1]) and np.isnan(book.ask_sz[0, 1])
    assert book.bid_px[1].tolist() == [100.01, 99.99]
    assert book.ask_sz[2, 0] == 30
    assert np.isnan(book.bid_px[4, 1]) and np.isnan(book.bid_sz[4, 1])


def test_explicit_date(small_files):
    book = Book.from_lobster(*small_files, date="2021-01-01")
    assert pd.Timestamp(book.ts[0]) == pd.Timestamp("2021-01-01 09:30:00.5")


def test_small_trades(small_files):
    t = Trades.from_lobster(small_files[0])
    # visible execution of a sell limit order -> buyer-initiated; hidden execution of a buy order -> seller-initiated
    assert t.price.tolist() == [100.03, 100.02]
    assert t.size.tolist() == [20, 7]
    assert t.side.tolist() == [1, -1]
    visible = Trades.from_lobster(small_files[0], hidden=False)
    assert len(visible) == 1


def test_messages_frame(small_files):
    m = read_lobster_messages(small_files[0])
    assert list(m.columns) == ["ts", "type", "order_id", "size", "price", "direction"]
    assert m["type"].tolist() == [1, 1, 4, 5, 7]
    assert m["price"].iloc[0] == 100.01


def test_row_count_mismatch(tmp_path, small_files):
    short = tmp_path / "short_orderbook.csv"
    short.write_text("\n".join(OB.splitlines()[:3]) + "\n")
    with pytest.raises(DataFormatError, match="3 rows .* 5"):
        Book.from_lobster(small_files[0], short)


def test_wrong_column_count(tmp_path, small_files):
    bad = tmp_path / "bad_orderbook.csv"
    bad.write_text("1,2,3\n" * 5)
    with pytest.raises(DataFormatError, match="4 columns per level, found 3"):
        Book.from_lobster(small_files[0], bad)
    with pytest.raises(DataFormatError, match="6 columns, found 3"):
        Trades.from_lobster(bad)


def test_not_numeric(tmp_path, small_files):
    bad = tmp_path / "text_orderbook.csv"
    bad.write_text("a,b,c,d\n")
    with pytest.raises(DataFormatError, match="text_orderbook.csv"):
        Book.from_lobster(small_files[0], bad)


def test_empty_file_is_named_empty(tmp_path, small_files):
    # pandas' EmptyDataError is a ValueError: it used to be reported as "not a LOBSTER file"
    empty = tmp_path / "empty_orderbook.csv"
    empty.write_text("")
    with pytest.raises(DataFormatError, match=r"empty_orderbook.csv: empty LOBSTER orderbook file"):
        Book.from_lobster(small_files[0], empty)


def test_bad_date_names_it(small_files):
    with pytest.raises(ParameterError, match=r"date='someday' is not a date"):
        Book.from_lobster(*small_files, date="someday")
    with pytest.raises(ParameterError, match=r"date='NaT' is not a date"):
        Book.from_lobster(*small_files, date="NaT")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        Trades.from_lobster(tmp_path / "nope.csv")


@pytest.mark.realdata
def test_amzn_full_day(amzn_files):
    book, trades = read_lobster(*amzn_files)
    assert book.shape == (57515, 1)  # the data README: 57,515 events, level 1
    assert pd.Timestamp(book.ts[0]).strftime("%Y-%m-%d %H:%M") == "2012-06-21 09:30"
    assert pd.Timestamp(book.ts[-1]) < pd.Timestamp("2012-06-21 16:00")
    # first orderbook row of the file: 2239500,100,2231800,100
    assert (book.ask_px[0, 0], book.ask_sz[0, 0], book.bid_px[0, 0], book.bid_sz[0, 0]) == (223.95, 100, 223.18, 100)
    assert len(trades) == 11419  # the data README: 11,419 executions
    assert set(np.unique(trades.side)) == {-1, 1}
    spread = book.ask_px[:, 0] - book.bid_px[:, 0]
    assert np.nanmin(spread) > 0
    # buyer-initiated executions trade at the ask in force just before them
    rows = np.searchsorted(book.ts, trades.ts, side="left") - 1
    ok = rows >= 0
    buys = ok & (trades.side == 1)
    at_or_above_bid = trades.price[buys] >= book.bid_px[rows[buys], 0]
    assert at_or_above_bid.mean() > 0.95


@pytest.mark.realdata
def test_aapl_ten_levels(aapl_files):
    book = Book.from_lobster(*aapl_files)
    assert book.shape == (999, 10)
    # first row of the file: ask 585.94 x 200, bid 585.33 x 18 at level 1
    assert book.ask_px[0, 0] == 585.94 and book.ask_sz[0, 0] == 200
    assert book.bid_px[0, 0] == 585.33 and book.bid_sz[0, 0] == 18
    assert np.all(np.diff(book.bid_px, axis=1) < 0) and np.all(np.diff(book.ask_px, axis=1) > 0)


HALT_MSG = """36000.0,1,1,10,1000000,1
36023.0,7,0,0,-1,-1
36323.0,7,0,0,0,-1
36723.0,7,0,0,1,-1
36800.0,6,0,500,1000100,-1
37000.0,7,0,0,-1,-1
"""


def test_halts_and_cross_trades(tmp_path):
    msg = tmp_path / "XYZ_2020-03-04_34200000_57600000_message_1.csv"
    msg.write_text(HALT_MSG)
    from obi_widgets.io import read_lobster_halts

    halts = read_lobster_halts(msg)
    assert len(halts) == 2
    first = halts.iloc[0]
    assert first["halt"] == pd.Timestamp("2020-03-04 10:00:23")
    assert first["quoting"] == pd.Timestamp("2020-03-04 10:05:23")
    assert first["resume"] == pd.Timestamp("2020-03-04 10:12:03")
    assert (first["first_row"], first["last_row"]) == (1, 3)
    # the second halt is still in force at the end of the file
    assert pd.isna(halts.iloc[1]["resume"]) and halts.iloc[1]["last_row"] == 5
    # the auction print (type 6) is a trade without aggressor, only when asked for
    assert len(Trades.from_lobster(msg)) == 0
    cross = Trades.from_lobster(msg, cross=True)
    assert cross.price.tolist() == [100.01] and cross.size.tolist() == [500] and cross.side.tolist() == [0]


def test_resume_without_halt(tmp_path):
    msg = tmp_path / "bad_message.csv"
    msg.write_text("36000.0,7,0,0,1,-1\n")
    from obi_widgets.io import read_lobster_halts

    with pytest.raises(DataFormatError, match="row 0 resumes trading but no halt"):
        read_lobster_halts(msg)


@pytest.mark.realdata
def test_amzn_has_no_halts(amzn_files):
    from obi_widgets.io import read_lobster_halts

    assert len(read_lobster_halts(amzn_files[0])) == 0


# -- the fast path against the pandas implementation it replaced -------------------------------------
def pandas_reference(message_path, orderbook_path, date):
    """The previous loader: pandas.read_csv (C engine) of both files, then the same conversions."""
    msg = pd.read_csv(message_path, header=None, dtype=np.float64, engine="c").to_numpy()
    ob = pd.read_csv(orderbook_path, header=None, dtype=np.float64, engine="c").to_numpy()
    ts = pd.Timestamp(date).value + np.round(msg[:, 0] * 1e9).astype(np.int64)
    out = []
    for j in range(4):
        a = ob[:, j::4].copy()
        dummy = np.abs(ob[:, (j // 2) * 2 :: 4]) >= 9_999_999_999  # the price column of that side
        out.append(np.where(dummy, np.nan, a / 10_000.0 if j % 2 == 0 else a))
    ask_px, ask_sz, bid_px, bid_sz = out
    execs = np.isin(msg[:, 1], (4, 5))
    trades = (ts[execs], msg[execs, 4] / 10_000.0, msg[execs, 3], -msg[execs, 5])
    return ts, bid_px, bid_sz, ask_px, ask_sz, trades


@pytest.mark.realdata
@pytest.mark.parametrize("which", ["amzn", "aapl"])
def test_fast_path_equals_pandas_on_shared_files(which, amzn_files, aapl_files):
    files = amzn_files if which == "amzn" else aapl_files
    ts, bid_px, bid_sz, ask_px, ask_sz, (tts, tpx, tsz, tside) = pandas_reference(*files, "2012-06-21")
    book, trades = read_lobster(*files)
    assert book.ts.tolist() == ts.tolist()
    for got, want in ((book.bid_px, bid_px), (book.bid_sz, bid_sz), (book.ask_px, ask_px), (book.ask_sz, ask_sz)):
        np.testing.assert_array_equal(got, want)
    assert trades.ts.tolist() == tts.tolist() and trades.price.tolist() == tpx.tolist()
    assert trades.size.tolist() == tsz.tolist() and trades.side.tolist() == tside.tolist()


def test_general_path_and_line_numbers(tmp_path, small_files):
    # exponents are not the numba pass's: pyarrow reads that block, same numbers
    msg = tmp_path / "XYZ_2020-03-04_34200000_57600000_message_2.csv"
    msg.write_text(MSG.replace("34200.5,1,11,100,1000100,1", "3.42005e4,1,11,1e2,1000100,1"))
    assert Book.from_lobster(msg, small_files[1]).ts.tolist() == Book.from_lobster(*small_files).ts.tolist()
    bad = tmp_path / "bad_message.csv"
    bad.write_text(MSG.replace("1000300,-1\n34201.0", "1000300,-1\n34201.0x"))
    with pytest.raises(DataFormatError, match=r"bad_message.csv:3: c0 is '34201.0x', expected a number"):
        Trades.from_lobster(bad)
    ragged = tmp_path / "ragged_orderbook.csv"
    ragged.write_text(OB.replace("1000300,50,1000100,100,1000400,10,999900,5", "1000300,50,1000100"))
    with pytest.raises(DataFormatError, match=r"ragged_orderbook.csv:2: 3 fields, expected 8"):
        Book.from_lobster(small_files[0], ragged)
    hole = tmp_path / "hole_orderbook.csv"
    hole.write_text(
        OB.replace("1000300,30,1000100,100,1000400,10,999900,5", "1000300,,1000100,100,1000400,10,999900,5", 1)
    )
    with pytest.raises(DataFormatError, match=r"hole_orderbook.csv:3: column 2 is empty"):
        Book.from_lobster(small_files[0], hole)


def test_truncated_gzip_names_the_file(tmp_path):
    rows = "".join(f"{34200 + i * 0.001:.3f},1,{i},100,1000100,1\n" for i in range(20000))
    whole = gzip.compress(rows.encode())
    cut = tmp_path / "cut_message_1.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        DataFormatError, match=r"cut_message_1.csv.gz: truncated or corrupt gzip file: the data ends after line \d+"
    ):
        Trades.from_lobster(cut)


@pytest.mark.realdata
@pytest.mark.parametrize("block_size", [1 << 16, 1 << 20])
def test_block_reader_equals_the_default_reader_on_shared_files(block_size, amzn_files, aapl_files):
    # the block reader is the one that names bad lines; it must read the same numbers as pandas' reader
    from obi_widgets.io.lobster import _read_csv

    for path in (*amzn_files, *aapl_files):
        np.testing.assert_array_equal(_read_csv(path, "file", block_size=block_size), _read_csv(path, "file"))

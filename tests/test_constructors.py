"""The Book / Trades constructors delegate to the loaders in obi_widgets.io."""

from __future__ import annotations

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets import Book, Trades


def same(a, b):
    return np.array_equal(a, b, equal_nan=True)


def test_frame_round_trips():
    book = ow.datasets.simulate(seed=3, n_events=500, levels=4).book
    back = Book.from_frame(book.to_frame())
    long_back = Book.from_long_frame(book.to_long_frame())
    for other in (back, long_back):
        assert other.ts.tolist() == book.ts.tolist()
        for side in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
            assert same(getattr(other, side), getattr(book, side)), side


def test_from_ccxt():
    snap = {"bids": [[99.5, 2.0], [99.0, 1.0]], "asks": [[100.5, 3.0]], "timestamp": 1_700_000_000_000}
    book = Book.from_ccxt([snap])
    assert book.shape == (1, 2)
    assert book.ts[0] == 1_700_000_000_000 * 1_000_000
    assert book.bid_sz[0].tolist() == [2.0, 1.0] and np.isnan(book.ask_px[0, 1])


def test_consolidate_static_method():
    a = Book.from_arrays([0, 2], [10.0, 10.0], [1.0, 2.0], [10.2, 10.2], [1.0, 1.0])
    b = Book.from_arrays([1], [10.1], [5.0], [10.2], [4.0])
    c = Book.consolidate([a, b], names=["a", "b"], tick=0.01)
    assert isinstance(c, ow.ConsolidatedBook)
    assert c.ts.tolist() == [0, 1, 2]
    # at t=1: a has bid 10.0 x1, b bid 10.1 x5 -> best 10.1 x5; asks 10.2: 1 + 4
    assert c.bid_px[1, 0] == 10.1 and c.bid_sz[1, 0] == 5.0 and c.ask_sz[1, 0] == 5.0


@pytest.mark.realdata
def test_binance_constructors(data_dir):
    folder = data_dir / "binance_spot_BTCUSDT_2024-08-08"
    files = [folder / "btcusdt_20240808.gz", folder / "btcusdt_20240809.gz"]
    book = Book.from_binance(files, levels=5)
    assert book.levels == 5 and len(book) > 6000
    assert np.all(book.bid_px[:, 0] < book.ask_px[:, 0])
    trades = Trades.from_binance(files)
    assert len(trades) > 10_000 and set(np.unique(trades.side)) == {-1, 1}


def test_tardis_constructors(tmp_path):
    book_csv = tmp_path / "book.csv"
    book_csv.write_text(
        "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"
        "binance,BTCUSDT,1000,1001,true,bid,100.0,1.5\n"
        "binance,BTCUSDT,1000,1001,true,ask,101.0,2.0\n"
        "binance,BTCUSDT,2000,2001,false,bid,100.5,0.5\n"
    )
    book = Book.from_tardis(book_csv, levels=2)
    assert book.bid_px[-1].tolist() == [100.5, 100.0] and book.bid_sz[-1].tolist() == [0.5, 1.5]
    trades_csv = tmp_path / "trades.csv"
    trades_csv.write_text(
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
        "binance,BTCUSDT,1000,1001,1,buy,101.0,0.1\n"
        "binance,BTCUSDT,2000,2001,2,sell,100.0,0.2\n"
    )
    t = Trades.from_tardis(trades_csv)
    assert t.side.tolist() == [1, -1] and t.ts.tolist() == [1_000_000, 2_000_000]
    with pytest.raises(TypeError, match="Trades.from_tardis"):
        Book.from_tardis(trades_csv)

"""Parquet store: exact round trips, chunked writes (one row group per chunk, never holding the input),
midnight splits, time and level pruning, hive layout readable by pyarrow.dataset, and the errors."""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np
import pytest

from obi_widgets import Book, Trades
from obi_widgets.datasets import simulate
from obi_widgets.errors import ObiError, ParameterError, TimestampError
from obi_widgets.io.builder import BookBuilder, BuildResult
from obi_widgets.io.parquet import StoreError, instruments, part_info, read_parquet, to_parquet

pq = pytest.importorskip("pyarrow.parquet")
NAN = np.nan
DAY = 86_400 * 10**9
T0 = 1_704_153_600 * 10**9  # 2024-01-02 00:00:00 UTC
SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Bitwise equality (NaN payloads included), shapes and dtypes too."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_same_book(a: Book, b: Book) -> None:
    for side in ("ts", *SIDES):
        assert same_bits(getattr(a, side), getattr(b, side)), side
    assert dict(a.meta) == dict(b.meta)
    assert {k: type(v) for k, v in a.meta.items()} == {k: type(v) for k, v in b.meta.items()}
    assert a.name == b.name


def nan_tail_book() -> Book:
    """3 levels, thin rows (NaN tails on either side), an empty ask side, duplicate timestamps."""
    ts = [T0 + 5, T0 + 5, T0 + 9, T0 + 12]
    bid_px = [[10.0, 9.9, 9.8], [10.0, 9.9, NAN], [10.0, NAN, NAN], [10.1, 10.0, 9.9]]
    bid_sz = [[1.0, 2.0, 3.0], [1.5, 2.0, NAN], [0.25, NAN, NAN], [4.0, 5.0, 6.0]]
    ask_px = [[10.2, 10.3, 10.4], [10.2, NAN, NAN], [NAN, NAN, NAN], [10.2, 10.3, NAN]]
    ask_sz = [[7.0, 8.0, 9.0], [7.0, NAN, NAN], [NAN, NAN, NAN], [1.0, 2.0, NAN]]
    meta = {"tick": 0.1, "venue": "XNAS", "symbol": "ABC", "price_unit": "USD", "size_unit": "shares", "lot": 100}
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name="abc book", meta=meta)


def test_book_round_trip_exact_with_nan_tails_and_meta(tmp_path):
    book = nan_tail_book()
    files = to_parquet(book, tmp_path)  # instrument from meta["symbol"]
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "kind=book/instrument=ABC/date=2024-01-02/part-0.parquet"
    ]
    back = read_parquet(tmp_path)
    assert_same_book(book, back)
    assert back.meta["lot"] == 100 and isinstance(back.meta["lot"], int)


def test_metadata_keys_and_level_columns(tmp_path):
    from obi_widgets import __version__

    (path,) = to_parquet(nan_tail_book(), tmp_path, clock="exchange")
    pf = pq.ParquetFile(path)
    kv = {k.decode(): v.decode() for k, v in pf.schema_arrow.metadata.items()}
    assert kv["obi_widgets.schema"] == "1"
    assert kv["obi_widgets.version"] == __version__
    assert (kv["kind"], kv["instrument"], kv["venue"], kv["tick"], kv["clock"], kv["levels"]) == (
        "book",
        "ABC",
        "XNAS",
        "0.1",
        "exchange",
        "3",
    )
    assert (kv["price_unit"], kv["size_unit"]) == ("USD", "shares")
    assert json.loads(kv["meta"])["lot"] == 100
    names = pf.schema_arrow.names
    assert names[:4] == ["ts", "bid_px_1", "bid_px_2", "bid_px_3"]
    assert names[-1] == "ask_sz_3" and len(names) == 1 + 12
    assert str(pf.schema_arrow.field("ts").type) == "int64"


def test_trades_round_trip(tmp_path):
    trades = Trades([T0 + 1, T0 + 1, T0 + 7], [10.5, 10.25, 10.0], [0.001, 3.0, 1e6], [1, -1, 0], name="t")
    to_parquet(trades, tmp_path, instrument="X")
    back = read_parquet(tmp_path, kind="trades")
    for c in ("ts", "price", "size", "side"):
        assert same_bits(getattr(trades, c), getattr(back, c)), c
    assert back.name == "t"


def test_chunks_one_row_group_each_and_midnight_split(tmp_path):
    # 10 rows, one every 3 hours from 2024-01-02 18:00: rows 0-1 on the 2nd, 2-9 on the 3rd (00:00 .. 21:00)
    ts = T0 + 18 * 3600 * 10**9 + np.arange(10) * 3 * 3600 * 10**9
    px = 100.0 + np.arange(10)[:, None] * 0.01
    book = Book(ts, px, np.ones((10, 1)), px + 0.01, np.ones((10, 1)), meta={"tick": 0.01})
    chunks = [book[0:3], book[3:7], book[7:10]]  # chunk 0 crosses midnight (rows 0,1 | 2)
    files = to_parquet(chunks, tmp_path, instrument="M")
    by_day = {p.parent.name: pq.ParquetFile(p) for p in files}
    assert sorted(by_day) == ["date=2024-01-02", "date=2024-01-03"]
    assert by_day["date=2024-01-02"].metadata.num_rows == 2
    assert by_day["date=2024-01-02"].metadata.num_row_groups == 1
    rg = by_day["date=2024-01-03"].metadata
    assert [rg.row_group(i).num_rows for i in range(rg.num_row_groups)] == [1, 4, 3]
    assert_same_book(book, read_parquet(tmp_path))
    # and a midnight exactly on a row: it belongs to the new day
    assert int(ts[2]) % DAY == 0
    assert read_parquet(tmp_path, start="2024-01-03").ts[0] == ts[2]


def test_generator_chunks_are_not_held(tmp_path):
    """Writing from a generator never keeps an earlier chunk alive: chunk k is gone when k+1 is made."""
    full = simulate(seed=3, n_events=4_000, levels=4).book
    alive: list[weakref.ref] = []
    seen_alive = []

    def chunks():
        for i in range(0, len(full), 500):
            gc.collect()
            seen_alive.append(sum(r() is not None for r in alive))
            arrays = [getattr(full, s)[i : i + 500].copy() for s in SIDES]
            alive.append(weakref.ref(arrays[0]))  # the Book keeps a view of it while alive
            yield Book(full.ts[i : i + 500].copy(), *arrays, name=full.name, meta=full.meta)
            del arrays

    to_parquet(chunks(), tmp_path, instrument="G")
    assert max(seen_alive) == 0
    assert_same_book(full, read_parquet(tmp_path))


def test_time_range_and_levels(tmp_path):
    book = simulate(seed=4, n_events=3_000, levels=6, start_time="2024-01-02 23:59:30").book
    to_parquet([book[i : i + 400] for i in range(0, len(book), 400)], tmp_path, instrument="S")
    t1, t2 = int(book.ts[700]), int(book.ts[2100])
    got = read_parquet(tmp_path, start=t1, end=t2, levels=2)
    want = book.between(t1, t2)
    assert same_bits(got.ts, want.ts)
    for side in SIDES:
        assert same_bits(got.__getattribute__(side), np.ascontiguousarray(getattr(want, side)[:, :2]))
    with pytest.raises(ParameterError, match="levels"):
        read_parquet(tmp_path, levels=7)
    with pytest.raises(StoreError, match="no book"):
        read_parquet(tmp_path, start="2030-01-01")


def test_build_result_from_drained_chunks(tmp_path):
    rng = np.random.default_rng(0)
    n = 3_000
    ts = T0 + np.cumsum(rng.integers(0, 10**9, n))
    side = np.where(rng.random(n) < 0.5, 1, -1)
    price = np.where(side > 0, 100 - rng.integers(1, 8, n), 100 + rng.integers(0, 8, n)) * 0.5
    size = rng.integers(0, 5, n).astype(float)
    whole = BookBuilder(3, tick_size=0.5, name="built")
    whole.feed(ts, side, price, size)
    want = whole.result(on_crossed="flag")

    streaming = BookBuilder(3, tick_size=0.5, name="built")

    def drained():
        for i in range(0, n, 700):
            streaming.feed(ts[i : i + 700], side[i : i + 700], price[i : i + 700], size[i : i + 700])
            t, bp, bs, ap, asz, src = streaming.drain()
            book = Book(t, bp, bs, ap, asz, name="built", validate=False)
            from obi_widgets._checks import crossed_mask

            yield BuildResult(book, {"crossed": crossed_mask(bp[:, 0], ap[:, 0])}, src, 0.5)

    to_parquet(drained(), tmp_path, instrument="B")
    back = read_parquet(tmp_path, flags=True)
    assert isinstance(back, BuildResult)
    assert_same_book(want.book, back.book)
    assert same_bits(back.source_row, want.source_row)
    assert same_bits(back.flags["crossed"], want.flags["crossed"])
    assert back.tick_size == 0.5
    assert isinstance(read_parquet(tmp_path), Book)  # crossed rows flagged in the file are accepted


def test_build_result_writes_trades_and_bbo(tmp_path):
    book = nan_tail_book()
    trades = Trades([T0 + 6], [10.2], [1.0], [1])
    bbo = book[[0, 3]]
    res = BuildResult(book, {"gap": np.array([False, True, False, False])}, np.arange(4) * 2, 0.1, trades, bbo)
    to_parquet(res, tmp_path, instrument="R")
    assert same_bits(read_parquet(tmp_path, kind="trades").price, trades.price)
    assert_same_book(bbo, read_parquet(tmp_path, kind="bbo"))
    assert read_parquet(tmp_path, flags=True).flags["gap"].tolist() == [False, True, False, False]


def test_hive_layout_for_pyarrow_dataset_and_quoted_names(tmp_path):
    import pyarrow.dataset as ds

    book = nan_tail_book()
    to_parquet(book, tmp_path, instrument="BTC/USDT")
    to_parquet(book, tmp_path, instrument="ETH-USDT")
    assert instruments(tmp_path) == ["BTC/USDT", "ETH-USDT"]
    table = ds.dataset(tmp_path / "kind=book", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 8
    assert sorted(set(table.column("instrument").to_pylist())) == ["BTC/USDT", "ETH-USDT"]
    assert set(table.column("date").to_pylist()) == {"2024-01-02"}
    assert_same_book(book, read_parquet(tmp_path, instrument="BTC/USDT"))


def test_existing_parts_error_append_overwrite(tmp_path):
    book = nan_tail_book()
    to_parquet(book[:2], tmp_path)
    with pytest.raises(StoreError, match="already holds 1 part"):
        to_parquet(book[2:], tmp_path)
    to_parquet(book[2:], tmp_path, existing="append")
    assert_same_book(book, read_parquet(tmp_path))
    to_parquet(book[2:], tmp_path, existing="overwrite")
    assert_same_book(book[2:], read_parquet(tmp_path))
    folder = tmp_path / "kind=book" / "instrument=ABC" / "date=2024-01-02"
    assert sorted(p.name for p in folder.iterdir()) == ["part-0.parquet"]  # no temporary file left


def test_errors_absent_root_and_instrument(tmp_path):
    with pytest.raises(StoreError, match="does not exist") as err:
        read_parquet(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(err.value)
    to_parquet(nan_tail_book(), tmp_path)
    with pytest.raises(StoreError, match=r"no instrument 'XYZ'.*ABC"):
        read_parquet(tmp_path, instrument="XYZ")
    with pytest.raises(StoreError, match="holds no instrument"):
        read_parquet(tmp_path, kind="trades")
    to_parquet(nan_tail_book(), tmp_path, instrument="DEF")
    with pytest.raises(ParameterError, match="2 instruments"):
        read_parquet(tmp_path)


def test_errors_levels_and_tick_mismatch_name_both_files(tmp_path):
    book = nan_tail_book()
    to_parquet(book[:2], tmp_path)
    thin = Book(book.ts[2:], *(getattr(book, s)[2:, :2] for s in SIDES), name=book.name, meta=book.meta)
    with pytest.raises(StoreError, match="3 levels.*2"):
        to_parquet(thin, tmp_path, existing="append")
    # a part written by hand with another level count (e.g. by an older writer) is caught on read
    other = tmp_path / "kind=book" / "instrument=ABC" / "date=2024-01-03"
    to_parquet(Book(thin.ts + DAY, *(getattr(thin, s) for s in SIDES), meta=book.meta), tmp_path, instrument="tmp")
    (tmp_path / "kind=book" / "instrument=tmp" / "date=2024-01-03").rename(other)
    with pytest.raises(StoreError, match="schema mismatch") as err:
        read_parquet(tmp_path, instrument="ABC")
    assert "date=2024-01-02/part-0.parquet" in str(err.value) and "date=2024-01-03/part-0.parquet" in str(err.value)

    tick_root = tmp_path / "ticks"
    to_parquet(book[:2], tick_root)
    coarse = Book(book.ts[2:], *(getattr(book, s)[2:] for s in SIDES), name=book.name, meta={**book.meta, "tick": 0.05})
    with pytest.raises(StoreError, match="tick sizes differ"):
        to_parquet(coarse, tick_root, existing="append")
    with pytest.raises(StoreError, match="tick sizes differ"):  # within one call, too
        to_parquet([book[:2], coarse], tmp_path / "one_call")


def test_errors_bad_input(tmp_path):
    book = nan_tail_book()
    with pytest.raises(TimestampError, match="chunk 1 starts"):
        to_parquet([book[2:], book[:2]], tmp_path)
    assert not list(tmp_path.rglob("*.tmp"))  # the aborted write removed its temporary file
    with pytest.raises(ParameterError, match="chunk 1 is a list"):
        to_parquet([book, [1, 2]], tmp_path / "b")
    with pytest.raises(ParameterError, match="instrument="):
        to_parquet(Book([T0], [[1.0]], [[1.0]], [[2.0]], [[1.0]]), tmp_path / "c")
    with pytest.raises(ParameterError, match="existing"):
        to_parquet(book, tmp_path / "d", existing="replace")
    with pytest.raises(ParameterError, match="must be a Book"):
        to_parquet("a string", tmp_path / "e")
    assert issubclass(StoreError, ObiError)


def test_error_damaged_file_names_it(tmp_path):
    (path,) = to_parquet(nan_tail_book(), tmp_path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(StoreError, match="not a readable Parquet file") as err:
        read_parquet(tmp_path)
    assert str(path) in str(err.value)
    assert part_info is not None


def test_public_functions_have_docstrings():
    import inspect

    import obi_widgets.io.parquet as mod

    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert len(inspect.getdoc(obj) or "") > 30, name


@pytest.mark.realdata
def test_binance_capture_streamed_to_parquet_equals_read_binance(data_dir, tmp_path):
    """The real BTCUSDT capture (it crosses midnight), streamed chunk by chunk with iter_binance
    straight into the store, reads back as read_binance's book, trades and bookTicker."""
    from obi_widgets.io.binance import iter_binance, read_binance

    files = sorted((data_dir / "binance_spot_BTCUSDT_2024-08-08").glob("*.gz"))
    whole = read_binance(files, levels=20)
    written = to_parquet(iter_binance(files, levels=20, chunk_lines=20_000), tmp_path)  # instrument: meta symbol
    assert {p.parent.name for p in written} == {"date=2024-08-08", "date=2024-08-09"}
    back = read_parquet(tmp_path, flags=True)
    assert_same_book(whole.book, back.book)
    assert same_bits(back.flags["gap"], whole.flags["gap"])
    trades = read_parquet(tmp_path, kind="trades")
    for c in ("ts", "price", "size", "side"):
        assert same_bits(getattr(trades, c), getattr(whole.trades, c)), c
    bbo = read_parquet(tmp_path, kind="bbo")
    assert same_bits(bbo.ts, whole.bbo.ts) and same_bits(bbo.bid_px, whole.bbo.bid_px)

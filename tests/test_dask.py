"""obi_widgets.dask on a simulated 3-instrument x 4-day store written in chunks (partition boundaries
inside days, days crossing midnight): Dask results equal the single-process metrics on the whole
series, exactly, on the default scheduler and on a 2-worker distributed.LocalCluster."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades, metrics
from obi_widgets.datasets import simulate
from obi_widgets.errors import ParameterError
from obi_widgets.io.parquet import StoreError, to_parquet

dd = pytest.importorskip("dask.dataframe")
od = pytest.importorskip("obi_widgets.dask")
pq = pytest.importorskip("pyarrow.parquet")

DAY = 86_400 * 10**9
SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")
INSTRUMENTS = {"AAA": 0.01, "BBB": 0.05, "CCC": 0.01}  # name -> tick
CHUNK = 600


def concat_books(books: list[Book], name: str) -> Book:
    arrays = [np.concatenate([getattr(b, s) for b in books]) for s in ("ts", *SIDES)]
    return Book(*arrays, name=name, meta=books[0].meta)


def concat_trades(trades: list[Trades], name: str) -> Trades:
    cols = [np.concatenate([getattr(t, c) for t in trades]) for c in ("ts", "price", "size", "side")]
    return Trades(*cols, name=name)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Per instrument, 3 simulated sessions starting 23:59:00 on 2024-01-02, -03, -04 (each crosses
    midnight, so 4 dates), written in chunks of 600 rows. Returns (root, books, trades)."""
    root = tmp_path_factory.mktemp("store")
    books, trades = {}, {}
    for j, (inst, tick) in enumerate(INSTRUMENTS.items()):
        sims = [
            simulate(
                seed=7 * j + d, n_events=2_500, levels=4, tick=tick, start_time=f"2024-01-0{2 + d} 23:59:00", name=inst
            )
            for d in range(3)
        ]
        book = concat_books([s.book for s in sims], inst)
        trade = concat_trades([s.trades for s in sims], inst)
        to_parquet([book[i : i + CHUNK] for i in range(0, len(book), CHUNK)], root, instrument=inst)
        to_parquet([trade[i : i + 97] for i in range(0, len(trade), 97)], root, instrument=inst)
        books[inst], trades[inst] = book, trade
    return root, books, trades


def day_keys(ts: np.ndarray) -> np.ndarray:
    return (ts // DAY).astype("datetime64[D]").astype(str)


def by_instrument(frame: pd.DataFrame, inst: str, col: str) -> np.ndarray:
    return frame.loc[frame["instrument"] == inst, col].to_numpy()


def test_open_store_partitions_and_rows(store):
    root, books, _ = store
    files = sorted(root.glob("kind=book/*/*/part-*.parquet"))
    assert len(files) == 3 * 4
    groups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in files)
    assert groups > len(files)  # partition boundaries inside days
    assert od.open_store(root).npartitions == len(files)
    frame = od.open_store(root, split="row_group")
    assert frame.npartitions == groups
    assert list(frame.columns[:3]) == ["ts", "bid_px_1", "bid_px_2"]
    assert list(frame.columns[-2:]) == ["instrument", "date"]
    got = frame.compute()
    for inst, book in books.items():
        assert np.array_equal(by_instrument(got, inst, "ts"), book.ts)
        assert np.array_equal(by_instrument(got, inst, "ask_sz_4"), book.ask_sz[:, 3], equal_nan=True)
        assert np.array_equal(by_instrument(got, inst, "date"), day_keys(book.ts))
    some = od.open_store(root, instrument="BBB", start="2024-01-03 12:00", end="2024-01-04").compute()
    want = books["BBB"].between("2024-01-03 12:00", "2024-01-04")
    assert np.array_equal(some["ts"].to_numpy(), want.ts)


@pytest.mark.parametrize("split", ["file", "row_group"])
def test_map_book_ofi_equals_whole_series(store, split):
    root, books, _ = store
    frame = od.open_store(root, split=split)
    got = od.map_book(frame, metrics.ofi).compute()
    for inst, book in books.items():
        assert np.array_equal(by_instrument(got, inst, "ofi"), metrics.ofi(book))
        assert np.array_equal(by_instrument(got, inst, "ts"), book.ts)
    # without the carried row the first row of every partition is 0: some differ, so the test can fail
    bare = od.map_book(frame, metrics.ofi, carry=0).compute()
    assert any(not np.array_equal(by_instrument(bare, i, "ofi"), metrics.ofi(b)) for i, b in books.items())


def test_map_book_forward_and_multi_column(store):
    root, books, _ = store
    frame = od.open_store(root, split="row_group")
    fwd = od.map_book(frame, lambda b: metrics.forward_return(b, 5), carry=5, align="forward").compute()
    two = od.map_book(frame, lambda b: metrics.ofi(b, levels=2), carry=1).compute()
    for inst, book in books.items():
        assert np.array_equal(by_instrument(fwd, inst, "value"), metrics.forward_return(book, 5), equal_nan=True)
        assert np.array_equal(by_instrument(fwd, inst, "ts"), book.ts)
        ref = metrics.ofi(book, levels=2)
        assert np.array_equal(by_instrument(two, inst, "value_1"), ref[:, 1])
    # a time window: partitions trimmed at both ends, the series is the window's rows
    a, b = "2024-01-03 00:00:20", "2024-01-04 23:59:30"
    part = od.open_store(root, split="row_group", start=a, end=b)
    fwd = od.map_book(part, lambda b: metrics.forward_return(b, 5), carry=5, align="forward").compute()
    for inst, book in books.items():
        want = metrics.forward_return(book.between(a, b), 5)
        assert np.array_equal(by_instrument(fwd, inst, "value"), want, equal_nan=True)
    with pytest.raises(ParameterError, match="one value per row"):
        od.map_book(frame, lambda b: metrics.ofi(b)[:-1]).compute()
    with pytest.raises(ParameterError, match="forward"):
        od.map_book(frame, metrics.ofi, carry=0, align="forward")


def day_rows(book: Book):
    keys = day_keys(book.ts)
    for key in np.unique(keys):
        yield str(key), keys == key


def test_ofi_regressions_equal_single_process(store):
    root, books, _ = store
    got = od.ofi_regressions(od.open_store(root, split="row_group"), "10s")
    n = 0
    for inst, book in books.items():
        e, m = metrics.ofi(book), metrics.mid(book)
        for date, rows in day_rows(book):
            flow = metrics.aggregate(e[rows], book.ts[rows], "10s").to_numpy()
            price = metrics.aggregate(m[rows], book.ts[rows], "10s", "last").ffill().to_numpy()
            fit = metrics.regress(flow[1:], np.diff(price))
            row = got.loc[(inst, date)]
            assert (row["slope"], row["t_stat"], row["r2"], row["n"]) == (fit.slope, fit.t_stat, fit.r2, fit.n)
            n += 1
    assert n == len(got) == 12


def test_ofi_regression_of_day_by_hand():
    # bins of 10 s: [0,10) rows 0,1; [10,20) row 2; [20,30) empty; [30,40) rows 3,4
    s = 10**9
    ts = np.array([1, 5, 12, 31, 39]) * s
    e = np.array([0.0, 2.0, 3.0, -1.0, -2.0])
    m = np.array([10.0, 10.5, 11.0, 10.0, 9.5])
    # OFI per bin: 2, 3, 0, -3; mid at bin end: 10.5, 11, 11 (carried), 9.5 -> dP: 0.5, 0, -1.5
    out = od.ofi_regression_of_day(ts, e, m, "10s")
    slope, intercept = np.polyfit([3.0, 0.0, -3.0], [0.5, 0.0, -1.5], 1)
    assert out["n"] == 3
    assert out["slope"] == pytest.approx(slope) and out["intercept"] == pytest.approx(intercept)
    assert np.isnan(od.ofi_regression_of_day(ts[:2], e[:2], m[:2], "10s")["slope"])  # one bin: no fit


def test_imbalance_profiles_equal_single_process(store):
    root, books, _ = store
    got = od.imbalance_profiles(od.open_store(root, split="row_group"), horizon=3, bins=5)
    for inst, book in books.items():
        signal, move = metrics.level1_imbalance(book), metrics.forward_return(book, 3)
        for date, rows in day_rows(book):
            want = metrics.imbalance_profile(signal[rows], move[rows], 5)
            pd.testing.assert_frame_equal(got.loc[(inst, date)], want, check_exact=True)


def test_vpin_by_day_equals_single_process(store):
    root, _, trades = store
    got = od.vpin_by_day(root, window=10)
    for inst, trade in trades.items():
        for date, rows in day_rows(
            Book(trade.ts, trade.price, trade.size, trade.price + 1, trade.size, validate=False)
        ):
            day = trade[rows]
            v = float(day.size.sum()) / 50
            series = metrics.vpin(day, v, 10).to_numpy()
            finite = series[np.isfinite(series)]
            row = got.loc[(inst, date)]
            assert row["trades"] == len(day) and row["bucket_volume"] == v and row["buckets"] == series.size
            if finite.size:
                assert (row["vpin_mean"], row["vpin_max"], row["vpin_last"]) == (
                    finite.mean(),
                    finite.max(),
                    finite[-1],
                )
            else:
                assert np.isnan(row["vpin_mean"])


def test_daily_summary_equals_single_process(store):
    root, books, _ = store
    got = od.daily_summary(od.open_store(root, split="row_group"))
    for inst, book in books.items():
        m, s, dep, e = metrics.mid(book), metrics.spread(book), metrics.depth(book), metrics.ofi(book)
        for date, rows in day_rows(book):
            row = got.loc[(inst, date)]
            assert row["rows"] == rows.sum()
            assert (
                row["mid_open"] == m[rows][0] and row["mid_close"] == m[rows][-1] and row["mid_high"] == m[rows].max()
            )
            assert row["spread_mean"] == np.mean(s[rows]) and row["depth_mean"] == np.mean(dep[rows])
            assert row["ofi_sum"] == np.sum(e[rows])
            assert row["start"] == pd.Timestamp(int(book.ts[rows][0]))


def test_errors(store, tmp_path):
    root, books, _ = store
    with pytest.raises(StoreError, match="does not exist"):
        od.open_store(tmp_path / "absent")
    with pytest.raises(ParameterError, match="open_store returned"):
        od.map_book(dd.from_pandas(pd.DataFrame({"ts": [1, 2]}), npartitions=1), metrics.ofi)
    with pytest.raises(ParameterError, match="split"):
        od.open_store(root, split="day")
    thin = books["AAA"][:50]
    to_parquet(Book(thin.ts, *(getattr(thin, s)[:, :2] for s in SIDES), meta=thin.meta), tmp_path, instrument="X")
    to_parquet(thin, tmp_path, instrument="Y")
    with pytest.raises(StoreError, match="levels"):
        od.open_store(tmp_path)
    assert od.open_store(tmp_path, levels=2).compute().shape == (100, 1 + 8 + 2)


def test_local_cluster_two_workers_same_results(store):
    """The same calls on a 2-worker distributed.LocalCluster reached by its address (as any cluster).

    Threads in this process (``processes=False``: the in-process transport, no port opened), so the
    test costs no worker start-up; benchmarks/bench_parquet.py runs the same code on worker processes."""
    distributed = pytest.importorskip("distributed")
    root, books, _ = store
    frame = od.open_store(root, split="row_group")
    local = od.ofi_regressions(frame)
    t0 = time.monotonic()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        distributed.Client(cluster.scheduler_address, timeout="30s") as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        remote = od.ofi_regressions(frame)
        ofi = od.map_book(frame, metrics.ofi).compute()
        who = client.run(lambda: 1)
    assert len(who) == 2
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    for inst, book in books.items():
        assert np.array_equal(by_instrument(ofi, inst, "ofi"), metrics.ofi(book))
    assert time.monotonic() - t0 < 60

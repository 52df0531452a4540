"""Book.meta (units, tick, venue, symbol) and Book.tick: construction, slicing, estimate, loaders."""

from __future__ import annotations

import math

import numpy as np
import pytest

import obi_widgets.book as book_module
from obi_widgets import Book, consolidate
from obi_widgets.datasets import simulate
from obi_widgets.errors import ParameterError
from obi_widgets.io.builder import build_book
from obi_widgets.io.lobster import read_lobster_book

NAN = np.nan
T0 = 1_700_000_000_000_000_000
META = {"price_unit": "USD", "size_unit": "shares", "tick": 0.01, "venue": "TEST", "symbol": "XYZ"}


def toy(meta=None, name="toy") -> Book:
    ts = T0 + np.arange(4) * 1_000_000_000
    bid_px = [[10.0, 9.99], [10.0, 9.99], [10.01, 10.0], [10.0, NAN]]
    bid_sz = [[5, 7], [4, 7], [1, 9], [3, NAN]]
    ask_px = [[10.02, 10.03], [10.01, 10.02], [10.02, 10.03], [10.01, 10.02]]
    ask_sz = [[2, 8], [6, 2], [3, 3], [4, 4]]
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta)


def one_level(bid, ask) -> Book:
    n = len(bid)
    return Book.from_arrays(T0 + np.arange(n), bid, np.ones(n), ask, np.ones(n))


# -- meta ------------------------------------------------------------------------------------------
def test_meta_defaults_to_an_empty_read_only_mapping():
    b = toy()
    assert dict(b.meta) == {}
    with pytest.raises(TypeError):
        b.meta["venue"] = "X"  # type: ignore[index]


def test_meta_is_read_only_and_a_copy_of_the_callers_dict():
    given = dict(META)
    b = toy(given)
    assert dict(b.meta) == META
    given["venue"] = "changed"
    assert b.meta["venue"] == "TEST"
    with pytest.raises(TypeError):
        b.meta["venue"] = "X"  # type: ignore[index]
    with pytest.raises(TypeError):
        del b.meta["tick"]  # type: ignore[attr-defined]


def test_constructor_takes_meta_too():
    b = Book(T0 + np.arange(2), [9.0, 9.5], [1, 1], [10.0, 10.5], [1, 1], name="n", meta={"venue": "V"})
    assert b.meta == {"venue": "V"} and b.name == "n"


def test_slicing_keeps_name_and_meta():
    b = toy(META)
    parts = [
        b[1:3],
        b[-1],
        b[np.array([0, 2])],
        b[b.bid_sz[:, 0] > 3],
        b.between(T0 + 1_000_000_000, T0 + 3_000_000_000),
        b[2:2],
    ]
    for part in parts:
        assert part.name == "toy"
        assert dict(part.meta) == META
        assert part.tick == 0.01


def test_unknown_keys_allowed_and_numpy_scalars_become_python_values():
    b = toy({"exchange_id": np.int64(7), "lot": 100.0, "tick": np.float64(0.5), "note": "x"})
    assert b.meta == {"exchange_id": 7, "lot": 100.0, "tick": 0.5, "note": "x"}
    assert type(b.meta["exchange_id"]) is int and type(b.meta["tick"]) is float


@pytest.mark.parametrize(
    ("meta", "match"),
    [
        ({"venue": None}, "'venue'"),
        ({"custom": [1, 2]}, "'custom'"),
        ({"custom": {"a": 1}}, "'custom'"),
        ({"flag": True}, "'flag'"),
        ({"price_unit": 5}, "'price_unit'"),
        ({"symbol": 1.0}, "'symbol'"),
        ({"tick": -0.01}, "'tick'"),
        ({"tick": 0}, "'tick'"),
        ({"tick": math.inf}, "'tick'"),
        ({"tick": "0.01"}, "'tick'"),
        ({1: "x"}, "keys must be str"),
        (["venue", "X"], "mapping"),
    ],
)
def test_bad_meta_raises_naming_the_key(meta, match):
    with pytest.raises(ParameterError, match=match):
        toy(meta)


# -- tick ------------------------------------------------------------------------------------------
def test_tick_from_meta_wins_over_the_estimate():
    assert toy({"tick": 0.005}).tick == 0.005


def test_tick_estimated_in_cents_without_float_noise():
    # 10.01 - 10.00 is 0.009999999999999787 in float64; the estimate is exactly 0.01
    assert toy().tick == 0.01


def test_tick_estimate_at_a_large_price_level():
    # 60000.01 - 60000.00 is 0.010000000002037268 in float64
    b = one_level([60000.00, 60000.00, 59999.98], [60000.01, 60000.03, 60000.02])
    assert b.tick == 0.01


def test_tick_estimate_half_and_quarter_grids():
    assert one_level([10.0, 10.5, 9.0], [11.5, 11.0, 12.0]).tick == 0.5
    assert one_level([99.25, 99.5], [100.0, 99.75]).tick == 0.25
    assert one_level([9.0], [10.0]).tick == 1.0  # one bid and one ask price: their gap


def test_tick_estimate_for_tiny_prices():
    # a coin quoted in 1e-8 steps
    assert one_level([0.00001234, 0.00001233], [0.00001236, 0.00001235]).tick == 1e-8


def test_tick_estimate_ignores_empty_levels_and_takes_the_smallest_gap():
    ts = T0 + np.arange(2)
    b = Book.from_arrays(
        ts,
        [[100.0, 99.0], [100.5, NAN]],
        [[1, 1], [1, NAN]],
        [[101.0, 102.0], [101.0, NAN]],
        [[1, 1], [1, NAN]],
    )
    assert b.tick == 0.5  # distinct prices 99, 100, 100.5, 101, 102: smallest gap 0.5


def test_tick_of_a_book_without_two_distinct_prices_is_nan():
    ts = T0 + np.arange(3)
    nan_only = Book.from_arrays(ts, [NAN] * 3, [NAN] * 3, [NAN] * 3, [NAN] * 3)
    assert math.isnan(nan_only.tick)
    one_price = Book.from_arrays(ts, [9.0] * 3, [1] * 3, [NAN] * 3, [NAN] * 3)
    assert math.isnan(one_price.tick)
    empty = toy()[0:0]
    assert math.isnan(Book.from_arrays(empty.ts, empty.bid_px, empty.bid_sz, empty.ask_px, empty.ask_sz).tick)


def test_tick_estimate_is_cached_and_kept_by_slices(monkeypatch):
    b = toy()
    calls = []
    real = book_module.estimate_tick

    def counting(*arrays):
        calls.append(1)
        return real(*arrays)

    monkeypatch.setattr(book_module, "estimate_tick", counting)
    assert b.tick == 0.01 and b.tick == 0.01
    assert len(calls) == 1
    assert b[2:].tick == 0.01  # the parent's estimate, not a new one from two rows
    assert len(calls) == 1


def test_tick_estimate_reads_a_sample_of_rows(monkeypatch):
    # 8 rows x 1 level x 2 sides = 16 cells; a budget of 4 cells reads every 4th row (rows 0 and 4)
    monkeypatch.setattr(book_module, "_TICK_SAMPLE", 4)
    bid = [10.00, 10.01, 10.00, 10.01, 10.02, 10.01, 10.00, 10.01]
    ask = [10.04, 10.03, 10.04, 10.03, 10.06, 10.03, 10.04, 10.03]
    # rows 0 and 4 hold 10.00, 10.04 and 10.02, 10.06: smallest gap 0.02 (all rows: 0.01)
    assert one_level(bid, ask).tick == 0.02


# -- where meta comes from -------------------------------------------------------------------------
@pytest.mark.realdata
def test_lobster_amzn_meta(amzn_files):
    book = read_lobster_book(*amzn_files)
    assert dict(book.meta) == {
        "venue": "NASDAQ",
        "symbol": "AMZN",
        "price_unit": "USD",
        "size_unit": "shares",
        "tick": 0.01,
    }
    assert book.tick == 0.01


@pytest.mark.realdata
def test_lobster_aapl_meta_and_the_estimate_agree(aapl_files):
    book = Book.from_lobster(*aapl_files)
    assert book.meta["symbol"] == "AAPL" and book.meta["venue"] == "NASDAQ"
    assert book.meta["price_unit"] == "USD" and book.meta["size_unit"] == "shares"
    # without the given tick, the estimate from the prices is the cent too
    bare = Book.from_arrays(book.ts, book.bid_px, book.bid_sz, book.ask_px, book.ask_sz)
    assert bare.tick == 0.01


def test_simulator_meta():
    sim = simulate(seed=1, n_events=200, tick=0.05, start_price=50.0)
    assert dict(sim.book.meta) == {"venue": "simulated", "price_unit": "USD", "size_unit": "shares", "tick": 0.05}
    assert sim.book.tick == 0.05


def test_builder_passes_book_meta():
    res = build_book([0, 0, 1], ["bid", "ask", "bid"], [10.0, 10.5, 10.0], [1, 2, 0], levels=1)
    assert dict(res.book.meta) == {}
    from obi_widgets.io.builder import BookBuilder

    b = BookBuilder(1)
    b.feed([0, 0], ["bid", "ask"], [10.0, 10.5], [1, 2])
    assert b.result(book_meta={"venue": "V", "tick": 0.5}).book.meta == {"venue": "V", "tick": 0.5}


def test_consolidated_meta():
    a = toy({**META, "venue": "A"}, name="a")
    b = toy({**META, "venue": "B", "size_unit": "lots"}, name="b")
    cb = consolidate([a, b], tick=0.01)
    # venue and tick are the consolidation's; symbol and price unit are shared; the size units differ
    assert dict(cb.book.meta) == {"venue": "consolidated", "tick": 0.01, "symbol": "XYZ", "price_unit": "USD"}
    assert cb.book.meta == cb.meta
    with pytest.raises(TypeError):
        cb.meta["venue"] = "x"  # type: ignore[index]
    inferred = consolidate([toy(name="a"), toy(name="b")])
    assert dict(inferred.book.meta) == {"venue": "consolidated", "tick": 0.01}

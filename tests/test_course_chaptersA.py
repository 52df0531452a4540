"""Course chapters 1 to 5: each exercise's answer recomputed independently (plain numpy/pandas from
the raw files or by hand), accepted by ``check`` and a wrong one refused; the notebooks match their
sources in ``tools/course/``."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest

import obi_widgets as ow

from ._course import DATA, _data_from_project, accepts, chapter_source, needs  # noqa: F401 (fixture)
from .conftest import ROOT

AAPL = DATA / "lobster_AAPL_2012-06-21_level10_excerpt"
AMZN = DATA / "lobster_AMZN_2012-06-21_level1"
DUMMY = 9_999_999_999
need_aapl = needs(AAPL, "LOBSTER AAPL excerpt")
need_amzn = needs(AMZN, "LOBSTER AMZN sample")


def lobster_book(folder, stem):
    """(ask_px, ask_sz, bid_px, bid_sz) as float arrays (T, L), USD, NaN price and 0 size where empty."""
    path = next(folder.glob(f"{stem}*orderbook*"))
    raw = pd.read_csv(path, header=None).to_numpy(dtype=np.float64)
    out = []
    for j in range(4):
        col = raw[:, j::4].copy()
        if j % 2 == 0:
            col[np.abs(col) >= DUMMY] = np.nan
            col /= 10_000
        out.append(col)
    ask_px, ask_sz, bid_px, bid_sz = out
    ask_sz[np.isnan(ask_px)] = 0
    bid_sz[np.isnan(bid_px)] = 0
    return ask_px, ask_sz, bid_px, bid_sz


def lobster_times(folder):
    msg = pd.read_csv(next(folder.glob("*message*")), header=None).to_numpy(dtype=np.float64)
    day = pd.Timestamp("2012-06-21").value
    return msg, day + np.round(msg[:, 0] * 1e9).astype(np.int64)


# -- chapter 1 -------------------------------------------------------------------------------------
def test_1_1_spread_and_depth_at_row_2000():
    book = ow.datasets.simulate(seed=1, n_events=5_000).book
    spread_ticks = (book.ask_px[2000, 0] - book.bid_px[2000, 0]) / 0.01
    depth = float(np.nansum(book.bid_sz[2000, :3]))
    accepts("1.1", [spread_ticks, depth], [spread_ticks + 1, depth])


def test_1_2_price_time_priority_by_hand():
    pytest.importorskip("obi_widgets.sandbox")
    # the 99.99 queue (alice 300, bob 200) first, then 100 of your 500 at 99.98
    avg = (300 * 99.99 + 200 * 99.99 + 100 * 99.98) / 600
    accepts("1.2", [100, avg], [0, 99.99])
    assert not ow.course.check("1.2", [500, avg]).correct


# -- chapter 2 -------------------------------------------------------------------------------------
@need_aapl
def test_2_1_depth_imbalance_weights_at_row_500():
    _, ask_sz, _, bid_sz = lobster_book(AAPL, "AAPL")
    b, a = bid_sz[500, :5], ask_sz[500, :5]
    equal = (b.sum() - a.sum()) / (b.sum() + a.sum())
    w = np.exp(-0.5 * np.arange(5))
    expw = ((w * b).sum() - (w * a).sum()) / ((w * b).sum() + (w * a).sum())
    assert not math.isclose(equal, expw, rel_tol=1e-2)
    accepts("2.1", [equal, expw], [expw, equal])


@need_aapl
def test_2_2_opposite_signs_level1_and_depth10():
    _, ask_sz, _, bid_sz = lobster_book(AAPL, "AAPL")
    with np.errstate(invalid="ignore", divide="ignore"):
        l1 = (bid_sz[:, 0] - ask_sz[:, 0]) / (bid_sz[:, 0] + ask_sz[:, 0])
        d10 = (bid_sz.sum(1) - ask_sz.sum(1)) / (bid_sz.sum(1) + ask_sz.sum(1))
    ok = np.isfinite(l1) & np.isfinite(d10)
    frac = float(np.mean(l1[ok] * d10[ok] < 0))
    assert 0 < frac < 1
    accepts("2.2", frac, 1 - frac)


# -- chapter 3 -------------------------------------------------------------------------------------
def amzn_next_move():
    ask_px, ask_sz, bid_px, bid_sz = lobster_book(AMZN, "AMZN")
    total = bid_sz[:, 0] + ask_sz[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        imb = np.where(np.isnan(bid_px[:, 0]) | np.isnan(ask_px[:, 0]), np.nan, (bid_sz[:, 0] - ask_sz[:, 0]) / total)
    mid2 = np.round((bid_px[:, 0] + ask_px[:, 0]) * 10_000)  # twice the mid, in 1/10000 USD: exact integers
    sign = np.full(len(mid2), np.nan)
    nxt = np.nan  # the price of the next valid row with a different price, scanning backwards
    later = np.nan  # price of the next valid row after t
    for t in range(len(mid2) - 1, -1, -1):
        p = mid2[t]
        if np.isnan(p):
            continue
        if not np.isnan(later) and later != p:
            nxt = later
        elif np.isnan(later):
            nxt = np.nan
        # nxt now: the first later valid price different from p (carried while prices repeat)
        if not np.isnan(nxt):
            sign[t] = np.sign(nxt - p)
        later = p
    return imb, sign


@need_amzn
def test_3_1_and_3_2_next_move_after_imbalance():
    imb, sign = amzn_next_move()
    keep = np.isfinite(imb) & np.isfinite(sign) & (imb > 0.5)
    p_up = float(np.mean(sign[keep] > 0))
    accepts("3.1", p_up, 1 - p_up)
    keep = np.isfinite(imb) & np.isfinite(sign) & (imb != 0)
    hit = float(np.mean(np.sign(imb[keep]) == sign[keep]))
    assert hit > 0.5
    accepts("3.2", hit, 1 - hit)


# -- chapter 4 -------------------------------------------------------------------------------------
def test_4_1_ofi_of_one_event_by_hand():
    # bid 99.99 x 300 -> 100.00 x 100 (improved: + the new queue); ask 100.01 x 200 -> x 500 (same price:
    # minus the change of the queue)
    accepts("4.1", 100 - (500 - 200), 100 + (500 - 200))


@need_amzn
def test_4_2_r2_of_one_minute_ofi_regression():
    ask_px, ask_sz, bid_px, bid_sz = lobster_book(AMZN, "AMZN")
    _, ts = lobster_times(AMZN)
    pb, qb, pa, qa = bid_px[:, 0], bid_sz[:, 0], ask_px[:, 0], ask_sz[:, 0]
    pb = np.where(np.isnan(pb), -np.inf, pb)
    pa = np.where(np.isnan(pa), np.inf, pa)
    e = np.zeros(len(pb))
    e[1:] = (
        (pb[1:] >= pb[:-1]) * qb[1:]
        - (pb[1:] <= pb[:-1]) * qb[:-1]
        - (pa[1:] <= pa[:-1]) * qa[1:]
        + (pa[1:] >= pa[:-1]) * qa[:-1]
    )
    index = pd.to_datetime(ts)
    ofi = pd.Series(e, index=index).resample("1min").sum()
    mid = pd.Series((bid_px[:, 0] + ask_px[:, 0]) / 2, index=index).resample("1min").last().ffill()
    frame = pd.DataFrame({"ofi": ofi, "dmid": mid.diff() / 0.01}).dropna()
    r2 = float(np.corrcoef(frame["ofi"], frame["dmid"])[0, 1] ** 2)
    assert 0 < r2 < 1
    accepts("4.2", r2, r2 / 2)


# -- chapter 5 -------------------------------------------------------------------------------------
@need_aapl
def test_5_1_sweep_cost_of_1000_shares_at_the_last_row():
    ask_px, ask_sz, bid_px, bid_sz = lobster_book(AAPL, "AAPL")
    mid = (ask_px[-1, 0] + bid_px[-1, 0]) / 2

    def walk(px, sz, q):
        paid, left = 0.0, q
        for p, s in zip(px, sz, strict=True):
            take = min(s, left)
            paid, left = paid + p * take, left - take
            if left == 0:
                return paid / q
        return math.nan

    buy = 1e4 * (walk(ask_px[-1], ask_sz[-1], 1000) - mid) / mid
    sell = 1e4 * (mid - walk(bid_px[-1], bid_sz[-1], 1000)) / mid
    assert buy > 0 and sell > 0
    accepts("5.1", [buy, sell], [sell, buy])


@need_amzn
def test_5_2_kyle_lambda_five_minutes():
    ask_px, _, bid_px, _ = lobster_book(AMZN, "AMZN")
    msg, ts = lobster_times(AMZN)
    trade = np.isin(msg[:, 1], (4, 5))
    f = 5 * 60 * 10**9
    bins = ts[trade] // f
    first = bins.min()
    n = int(bins.max() - first + 1)
    flow = np.bincount(bins - first, -msg[trade, 5] * msg[trade, 3], n)
    edges = (first + np.arange(n + 1)) * f
    rows = np.searchsorted(ts, edges, side="left") - 1
    mid = np.where(rows >= 0, (ask_px[rows, 0] + bid_px[rows, 0]) / 2, np.nan)  # no book before the first row
    y = np.diff(mid)
    ok = np.isfinite(y)
    slope = np.polyfit(flow[ok], y[ok], 1)[0]
    accepts("5.2", slope, 2 * slope)


# -- the notebooks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_notebook_matches_its_source_and_has_two_checked_exercises(number):
    src = chapter_source(number)
    nb = nbformat.read(ROOT / "notebooks" / "course" / src.FILENAME, as_version=4)
    assert [c.source for c in nb.cells] == [s for _, s in src.CELLS], "regenerate with tools/make_course.py"
    kinds = [k for k, _ in src.CELLS]
    assert kinds.count("exercise") == 2 and kinds.count("solution") == 2
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    for k, cell in enumerate(solutions, 1):
        assert f'assert ow.course.check("{number}.{k}", answer).correct' in cell.source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")

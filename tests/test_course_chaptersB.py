"""Course chapters 6 to 9: each exercise's answer recomputed independently (plain numpy/pandas from the
raw arrays or by hand), accepted by ``check`` and a wrong one refused; the notebooks match their sources
in ``tools/course/``."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd
import pytest

from ._course import DATA, _data_from_project, accepts, chapter_source, needs  # noqa: F401 (fixture)
from .conftest import ROOT

ES = DATA / "es_futures_trades_2013-09" / "tick_data.csv.gz"
BINANCE = DATA / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"
need_es = needs(ES, "ES futures trades")
need_binance = needs(BINANCE, "Binance capture")


def es_raw():
    frame = pd.read_csv(ES)
    return frame["Price"].to_numpy(dtype=float), frame["Volume"].to_numpy(dtype=float)


def tick_rule(price):
    """Plain loop: the sign of the last non-zero price change, 0 before the first one."""
    out = np.zeros(price.size)
    last = 0.0
    for i in range(1, price.size):
        if price[i] > price[i - 1]:
            last = 1.0
        elif price[i] < price[i - 1]:
            last = -1.0
        out[i] = last
    return out


# -- chapter 6 ------------------------------------------------------------------------------------
@need_es
def test_6_1_cvd_at_the_last_trade():
    price, volume = es_raw()
    cvd = float(np.sum(tick_rule(price) * volume))
    accepts("6.1", cvd, cvd + 1_000)


@need_es
def test_6_2_mean_vpin_with_the_tick_rule():
    from obi_widgets.course import chapter6

    price, volume = es_raw()
    s = tick_rule(price)
    buy = volume * (1 + s) / 2  # unknown (0) counts half buy, half sell
    cum_v = np.concatenate(([0.0], np.cumsum(volume)))
    cum_b = np.concatenate(([0.0], np.cumsum(buy)))
    v, n = chapter6.BUCKET_VOLUME, chapter6.WINDOW
    edges = np.arange(0, cum_v[-1] + 1e-9, v)  # complete buckets only
    b_at = np.interp(edges, cum_v, cum_b)  # a trade crossing a boundary is split pro rata
    bucket_buy = np.diff(b_at)
    oi = np.abs(2 * bucket_buy - v)
    vpin = pd.Series(oi).rolling(n).sum() / (n * v)
    mean = float(vpin.mean())
    assert 0 < mean < 1
    accepts("6.2", mean, mean + 0.05)


# -- chapter 7 ------------------------------------------------------------------------------------
def test_7_2_rmse_ratio_against_the_next_mid():
    from obi_widgets import metrics
    from obi_widgets.course import chapter7

    train, test = chapter7.data()
    bid, ask = test.bid_px[:, 0], test.ask_px[:, 0]
    qb, qa = test.bid_sz[:, 0], test.ask_sz[:, 0]
    mid = (bid + ask) / 2
    target = np.full(mid.size, np.nan)  # the mid at the next change of the mid, by a backward scan
    for i in range(mid.size - 2, -1, -1):
        target[i] = mid[i + 1] if mid[i + 1] != mid[i] else target[i + 1]
    wmid = (bid * qa + ask * qb) / (qa + qb)
    micro = metrics.microprice(test, metrics.fit_microprice(train, n_imb=10, n_spread=2))  # the model is the kit's
    keep = np.isfinite(target) & np.isfinite(micro) & np.isfinite(wmid) & np.isfinite(mid)
    rmse = {k: np.sqrt(np.mean((p[keep] - target[keep]) ** 2)) for k, p in [("mid", mid), ("micro", micro)]}
    ratio = float(rmse["micro"] / rmse["mid"])
    assert ratio < 1
    accepts("7.2", ratio, 1.0)


def stoikov_reference(book, n_imb=10, n_spread=2, tick=0.01):
    """Stoikov (2018) sec. 3 written out plainly: states (spread 1..n_spread ticks, imbalance bucket),
    transitions between consecutive in-model rows counted and mirrored, g* = sum_i B^i g1."""
    n = n_imb * n_spread
    cq, ct, cr = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, 4))
    moves = {-2: 0, -1: 1, 1: 2, 2: 3}  # mid moves in half ticks -> column of K

    def state(t):
        bid, ask = round(book.bid_px[t, 0] / tick), round(book.ask_px[t, 0] / tick)
        qb, qa = book.bid_sz[t, 0], book.ask_sz[t, 0]
        if not (1 <= ask - bid <= n_spread) or qb + qa <= 0:
            return None
        d = (qb - qa) / (qb + qa)
        base = (ask - bid - 1) * n_imb
        if d == 0:  # I = 1/2: shared by the two central buckets
            return [(base + n_imb // 2 - 1, 0.5), (base + n_imb // 2, 0.5)], ask + bid
        u = abs(d) * n_imb / 2  # distance from the centre in bucket widths; an edge goes to the inner bucket
        j = min(int(np.ceil(u)) - 1, n_imb // 2 - 1)
        b = n_imb // 2 + j if d > 0 else n_imb // 2 - 1 - j
        return [(base + b, 1.0)], ask + bid

    obs = [o for o in (state(t) for t in range(len(book))) if o is not None]
    for (xs, m0), (ys, m1) in zip(obs[:-1], obs[1:]):
        dm = m1 - m0
        if abs(dm) > 2:
            continue
        for x, wx in xs:
            for y, wy in ys:
                w = wx * wy
                mx, my = (x // n_imb) * n_imb + n_imb - 1 - x % n_imb, (y // n_imb) * n_imb + n_imb - 1 - y % n_imb
                for a, c, move in ((x, y, dm), (mx, my, -dm)):
                    if move == 0:
                        cq[a, c] += w
                    else:
                        ct[a, c] += w
                        cr[a, moves[move]] += w
    tot = cq.sum(axis=1) + cr.sum(axis=1)
    assert np.all(tot > 0) and np.all(cr.sum(axis=1) > 0)  # every state observed and followed by a move
    Q, R, T = cq / tot[:, None], cr / tot[:, None], ct / tot[:, None]
    inv = np.linalg.inv(np.eye(n) - Q)
    g1 = inv @ R @ (np.array([-1.0, -0.5, 0.5, 1.0]) * tick)
    B = inv @ T
    g, term = g1.copy(), g1
    for _ in range(10_000):
        term = B @ term
        g += term
        if np.max(np.abs(term)) < 1e-12:
            break
    return g.reshape(n_spread, n_imb)


def test_7_1_adjustment_from_a_plain_reference():
    from obi_widgets.course import chapter7

    train, _ = chapter7.data()
    g = stoikov_reference(train)
    value = float(g[0, -1] / 0.01)
    assert np.allclose(g[:, ::-1], -g)  # symmetric by construction
    assert 0 < value < 0.5
    accepts("7.1", value, 0.45)  # 0.45: the weighted mid's adjustment at the top bucket's centre


# -- chapter 8 ------------------------------------------------------------------------------------
def test_8_1_mean_fragmentation_by_hand():
    from obi_widgets.course import chapter8

    history = chapter8.data()
    a, b = history.venues["A"], history.venues["B"]
    frag = []
    for t in range(len(a)):  # consolidated top-5 levels per side: the 5 best prices across venues
        depth = np.zeros(2)
        for px_name, sz_name, best in (("bid_px", "bid_sz", max), ("ask_px", "ask_sz", min)):
            levels = {}
            for v, book in enumerate((a, b)):
                px, sz = getattr(book, px_name)[t], getattr(book, sz_name)[t]
                for p, q in zip(px, sz):
                    if np.isfinite(p) and q > 0:
                        levels.setdefault(round(p, 6), np.zeros(2))[v] += q
            prices = sorted(levels, reverse=(best is max))[: chapter8.LEVELS]
            for p in prices:
                depth += levels[p]
        share = depth / depth.sum()
        frag.append(1 - np.sum(share**2))
    mean = float(np.mean(frag))
    assert 0 < mean <= 0.5
    accepts("8.1", mean, mean + 0.05)


def test_8_2_fills_on_venue_b_by_hand():
    from obi_widgets.course import chapter8
    from obi_widgets.sandbox import Sandbox

    lad = Sandbox(scenario="two_venues", seed=chapter8.ROUTE_SEED).ladder()
    order = np.argsort(lad["price"])  # lowest ask first
    left, on_b = float(chapter8.ROUTE_SIZE), 0.0
    for row in order:
        for v in (0, 1):  # venue A first at a tied price
            take = min(left, lad["venue_ask_sz"][row, v])
            left -= take
            on_b += take if v == 1 else 0.0
    assert left == 0
    accepts("8.2", on_b, chapter8.ROUTE_SIZE - on_b)


# -- chapter 9 ------------------------------------------------------------------------------------
@need_binance
def test_9_1_imbalance_before_up_and_down_moves():
    from obi_widgets.course import chapter9

    book, _ = chapter9.data()
    qb, qa = book.bid_sz[:, 0], book.ask_sz[:, 0]
    imb = (qb - qa) / (qb + qa)
    mid = (book.bid_px[:, 0] + book.ask_px[:, 0]) / 2
    sign = np.full(mid.size, np.nan)
    for i in range(mid.size):
        later = np.nonzero(mid[i + 1 :] != mid[i])[0]
        if later.size:
            sign[i] = np.sign(mid[i + 1 + later[0]] - mid[i])
    gap = float(np.mean(imb[sign > 0]) - np.mean(imb[sign < 0]))
    assert gap > 0
    accepts("9.1", gap, -gap)


@need_binance
def test_9_2_trade_imbalance_from_the_raw_capture():
    import gzip
    import json

    buy = sell = 0.0
    with gzip.open(BINANCE, "rt") as fh:  # the raw trade messages: m true = the buyer was the maker
        for line in fh:
            if "@trade" not in line:
                continue
            data = json.loads(line.split(" ", 1)[1])["data"]
            if data["m"]:
                sell += float(data["q"])
            else:
                buy += float(data["q"])
    value = (buy - sell) / (buy + sell)
    accepts("9.2", value, -value)


# -- the notebooks --------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [6, 7, 8, 9])
def test_notebook_matches_its_source(number):
    module = chapter_source(number)
    nb = nbformat.read(ROOT / "notebooks" / "course" / module.FILENAME, as_version=4)
    assert [c.source for c in nb.cells] == [src for _, src in module.CELLS]
    kinds = [k for k, _ in module.CELLS]
    assert kinds.count("exercise") == 2 and kinds.count("solution") == 2
    for exercise_id in (f"{number}.1", f"{number}.2"):
        assert any(f'ow.course.check("{exercise_id}"' in src for _, src in module.CELLS)

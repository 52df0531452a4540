"""Write a synthetic Binance spot capture (BTCUSDT-like raw websocket lines) for load and memory tests.

    python benchmarks/make_binance_day.py OUT.gz [--messages 20000000] [--hours 24] [--seed 0]
        [--gaps 0] [--dups 0] [--stats-from DIR]

Write it under /tmp (never into the repository). The capture follows the shared sample's format
(`<local ns> <json>` lines: depth@100ms diffs, bookTicker, trade, ONE REST snapshot) and its
statistics, measured at start-up from `../shared/data/binance_spot_BTCUSDT_2024-08-08` (or
`--stats-from`): levels per diff (bid/ask pairs resampled), distance of each changed level from the
best price of its side, the share of deletes, level and trade sizes, update ids per changed level,
bookTicker and trade messages per 100 ms window (scaled so that `--messages` fit in `--hours`),
and the capture clock about 1.27 s behind the exchange with ms jitter.

A true book is simulated tick by tick (dense ladders over +-25 000 USD around the start price; a new
order goes inside the spread when it is wider than a tick, with a probability growing with it, so
the spread stays near the real one tick):
every level change and trade takes update ids; each 100 ms window ends with ONE diff holding the
final size of every level it touched (`U` = first id of the window, `u` = last), bookTicker rows
show the true top at their id `u`, trades hit the best quote (buyer-initiated at the ask, `m` false)
and deplete it. The book is never crossed. The REST snapshot (top 1000 levels per side) is taken in
the middle of the third diff and written after it, as in the real trap (two stale diffs, one
straddling). `--gaps N`: N diffs are lost (their changes happen, the line is not written) and a
resync snapshot follows a few diffs later; `--dups N`: N diff lines are written twice.

Generation is one numba kernel writing bytes; gzip (ISA-L level 1 when available) runs in a thread.
"""

from __future__ import annotations

import argparse
import gzip
import queue
import threading
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "binance_spot_BTCUSDT_2024-08-08"
W = 5_000_000  # ladder ticks (0.01 USD): +-25 000 USD around the start price
P0 = 6_183_763  # start best bid in ticks (61 837.63)
OFFSET_NS = 1_272_600_000  # capture clock behind the exchange (measured median 1.2726 s)
SNAP_LEVELS = 1000
_T = [
    ' {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":',
    ',"s":"BTCUSDT","U":',
    ',"u":',
    ',"b":[',
    '],"a":[',
    "]}}\n",
    '["',
    '","',
    '"]',
    ",",
    ' {"stream":"btcusdt@bookTicker","data":{"u":',
    ',"s":"BTCUSDT","b":"',
    '","B":"',
    '","a":"',
    '","A":"',
    '"}}\n',
    ' {"stream":"btcusdt@trade","data":{"e":"trade","E":',
    ',"s":"BTCUSDT","t":',
    ',"p":"',
    '","q":"',
    '","T":',
    ',"m":true,"M":true}}\n',
    ',"m":false,"M":true}}\n',
    ' {"lastUpdateId":',
    ',"bids":[',
    '],"asks":[',
    "]}\n",
]


def _templates():
    raw = [t.encode() for t in _T]
    off = np.zeros(len(raw) + 1, dtype=np.int64)
    off[1:] = np.cumsum([len(r) for r in raw])
    return np.frombuffer(b"".join(raw), dtype=np.uint8).copy(), off


# -- statistics of the real capture ----------------------------------------------------------------
def measure(folder: Path) -> dict:
    """Empirical samples from the shared capture (see the module docstring)."""
    from obi_widgets.io.binance import read_binance
    from obi_widgets.io.binance_messages import read_binance_messages

    files = sorted(folder.glob("*.gz"))
    cap = read_binance_messages(files)
    d, lv = cap.depth, cap.levels
    res = read_binance(files, levels=1)
    msg = np.searchsorted(d["u"], res.meta["update_id"])
    bb, ba = np.asarray(res.book.bid_px[:, 0]), np.asarray(res.book.ask_px[:, 0])
    dist = []
    for row in range(1, msg.shape[0]):
        i = msg[row]
        o, nb, na = d["offset"][i], d["n_bid"][i], d["n_ask"][i]
        dist.append(np.round((bb[row - 1] - lv["price"][o : o + nb]) * 100))
        dist.append(np.round((lv["price"][o + nb : o + nb + na] - ba[row - 1]) * 100))
    q = lv["qty"]
    windows = np.searchsorted(d["local_ts"], cap.bbo["local_ts"])
    twin = np.searchsorted(d["local_ts"], cap.trades["local_ts"])
    ids = (d["u"] - d["U"] + 1).sum() / (d["n_bid"] + d["n_ask"]).sum()
    return {
        "pairs": np.column_stack([d["n_bid"], d["n_ask"]]).astype(np.int64),
        "dist": np.concatenate(dist).astype(np.int64),
        "qty": np.round(q[q > 0] * 1e8).astype(np.int64),
        "p_delete": float((q == 0).mean()),
        "trade_qty": np.maximum(np.round(cap.trades["qty"] * 1e8), 1).astype(np.int64),
        "ids_per_level": float(ids),
        "bbo_per_window": float(np.bincount(windows).mean()),
        "trades_per_window": float(np.bincount(twin).mean()),
        "lag_sd_ns": float(np.std(d["E"] * 1_000_000 - d["local_ts"])),
    }


# -- the kernel ----------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _seed(seed):
    np.random.seed(seed)


@numba.njit(cache=True, nogil=True, inline="always")
def _tpl(buf, pos, tpl, off, k):
    a, b = off[k], off[k + 1]
    buf[pos : pos + b - a] = tpl[a:b]
    return pos + b - a


@numba.njit(cache=True, nogil=True)
def _uint(buf, pos, v):
    if v == 0:
        buf[pos] = 48
        return pos + 1
    n = 0
    x = v
    while x > 0:
        n += 1
        x //= 10
    for j in range(n - 1, -1, -1):
        buf[pos + j] = 48 + v % 10
        v //= 10
    return pos + n


@numba.njit(cache=True, nogil=True)
def _fix8(buf, pos, v):
    pos = _uint(buf, pos, v // 100_000_000)
    buf[pos] = 46
    f = v % 100_000_000
    for j in range(8, 0, -1):
        buf[pos + j] = 48 + f % 10
        f //= 10
    return pos + 9


@numba.njit(cache=True, nogil=True)
def _level(buf, pos, tpl, off, ticks, qty):
    pos = _tpl(buf, pos, tpl, off, 6)
    pos = _fix8(buf, pos, ticks * 1_000_000)
    pos = _tpl(buf, pos, tpl, off, 7)
    pos = _fix8(buf, pos, qty)
    return _tpl(buf, pos, tpl, off, 8)


@numba.njit(cache=True, nogil=True)
def _next_bid(bid, p):
    while p > 0 and bid[p] == 0:
        p -= 1
    return p


@numba.njit(cache=True, nogil=True)
def _next_ask(ask, p):
    n = ask.shape[0]
    while p < n - 1 and ask[p] == 0:
        p += 1
    return p


@numba.njit(cache=True, nogil=True)
def _init_book(bid, ask, st, dist, qty):
    b0 = st[0]
    for k in range(1, 400):  # dense near the touch
        if np.random.random() < 0.6:
            bid[b0 - k] = qty[np.random.randint(qty.shape[0])]
        if np.random.random() < 0.6:
            ask[b0 + 1 + k] = qty[np.random.randint(qty.shape[0])]
    bid[b0] = qty[np.random.randint(qty.shape[0])]
    ask[b0 + 1] = qty[np.random.randint(qty.shape[0])]
    for _ in range(3000):  # deeper levels at the measured distances
        d = dist[np.random.randint(dist.shape[0])]
        if 0 < d < 2_000_000:
            bid[b0 - d] = qty[np.random.randint(qty.shape[0])]
        d = dist[np.random.randint(dist.shape[0])]
        if 0 < d < 2_000_000:
            ask[b0 + 1 + d] = qty[np.random.randint(qty.shape[0])]
    st[1] = b0 + 1


@numba.njit(cache=True, nogil=True)
def _take_snapshot(bid, ask, st, sb, sa):
    n = 0
    p = st[0]
    while n < sb.shape[0] and p > 0:
        if bid[p] > 0:
            sb[n, 0] = p
            sb[n, 1] = bid[p]
            n += 1
        p -= 1
    st[10] = n
    n = 0
    p = st[1]
    while n < sa.shape[0] and p < ask.shape[0]:
        if ask[p] > 0:
            sa[n, 0] = p
            sa[n, 1] = ask[p]
            n += 1
        p += 1
    st[11] = n
    st[9] = st[2]  # lastUpdateId


@numba.njit(cache=True, nogil=True)
def _write_snapshot(buf, pos, tpl, off, st, sb, sa, local, base):
    pos = _uint(buf, pos, local)
    pos = _tpl(buf, pos, tpl, off, 23)
    pos = _uint(buf, pos, st[9])
    pos = _tpl(buf, pos, tpl, off, 24)
    for j in range(st[10]):
        if j:
            pos = _tpl(buf, pos, tpl, off, 9)
        pos = _level(buf, pos, tpl, off, sb[j, 0] + base, sb[j, 1])
    pos = _tpl(buf, pos, tpl, off, 25)
    for j in range(st[11]):
        if j:
            pos = _tpl(buf, pos, tpl, off, 9)
        pos = _level(buf, pos, tpl, off, sa[j, 0] + base, sa[j, 1])
    return _tpl(buf, pos, tpl, off, 26)


@numba.njit(cache=True, nogil=True)
def generate(
    buf, st, bid, ask, stamp_b, stamp_a, tb, ta, sb, sa, w_end, t0_ms, base, pairs, dist, qty, p_delete,
    trade_qty, p_extra, lam_bbo, lam_tr, lag_sd, snap_at, drop, dup, tpl, off, counts,
):  # fmt: skip
    """Simulate windows st[4] .. w_end (or until the buffer is nearly full); returns the bytes written.

    st: 0 best bid, 1 best ask, 2 last update id, 3 trade id, 4 next window, 5 last local ns,
    6 u of the last written diff, 9..11 snapshot id and sizes. snap_at[w]: 1 takes a snapshot in the
    middle of window w and writes it after the window's diff. drop[w]: the diff line is not written.
    dup[w]: written twice. counts: messages per kind (depth, bbo, trade, snapshot).
    """
    pos = 0
    limit = buf.shape[0] - 4_000_000
    types = np.zeros(4096, dtype=np.int64)
    times = np.zeros(4096, dtype=np.int64)
    w = st[4]
    while w < w_end and pos < limit:
        pair = pairs[np.random.randint(pairs.shape[0])]
        nb, na = min(pair[0], 1500), min(pair[1], 1500)
        n_bbo = min(np.random.poisson(lam_bbo), 500)
        n_tr = min(np.random.poisson(lam_tr), 500)
        n = nb + na + n_bbo + n_tr
        for j in range(n):
            types[j] = 0 if j < nb else (1 if j < nb + na else (2 if j < nb + na + n_bbo else 3))
        np.random.shuffle(types[:n])
        w0_ns = (t0_ms + w * 100) * 1_000_000
        for j in range(n):
            times[j] = w0_ns + np.random.randint(1, 100_000_000)
        times[:n].sort()
        first_id = st[2] + 1
        nt_b = 0
        nt_a = 0
        changes = 0
        half = (nb + na) // 2
        for j in range(n):
            kind = types[j]
            if kind <= 1:  # a level change
                d = dist[np.random.randint(dist.shape[0])]
                if d > 2_000_000:
                    d = 2_000_000
                if kind == 0:
                    p = st[0] - d
                    if p >= st[1]:
                        p = st[1] - 1
                else:
                    p = st[1] + d
                    if p <= st[0]:
                        p = st[0] + 1
                q = 0 if np.random.random() < p_delete else qty[np.random.randint(qty.shape[0])]
                spread = st[1] - st[0]
                if q > 0 and spread > 1 and np.random.random() < 0.4 * (spread - 1):
                    # the touch refills: a new order inside the spread (the real spread is 1 tick)
                    p = st[0] + np.random.randint(1, spread) if kind == 0 else st[1] - np.random.randint(1, spread)
                if p <= 0 or p >= W - 1:
                    continue
                if kind == 0:
                    if q == 0 and p == st[0]:
                        nxt = _next_bid(bid, p - 1)
                        if bid[nxt] == 0:
                            q = qty[np.random.randint(qty.shape[0])]
                        else:
                            st[0] = nxt
                    bid[p] = q
                    if q > 0 and p > st[0]:
                        st[0] = p
                    if stamp_b[p] != w + 1:
                        stamp_b[p] = w + 1
                        tb[nt_b] = p
                        nt_b += 1
                else:
                    if q == 0 and p == st[1]:
                        nxt = _next_ask(ask, p + 1)
                        if ask[nxt] == 0:
                            q = qty[np.random.randint(qty.shape[0])]
                        else:
                            st[1] = nxt
                    ask[p] = q
                    if q > 0 and p < st[1]:
                        st[1] = p
                    if stamp_a[p] != w + 1:
                        stamp_a[p] = w + 1
                        ta[nt_a] = p
                        nt_a += 1
                st[2] += 1 + (np.random.geometric(p_extra) - 1)
                changes += 1
                if snap_at[w] and changes == half:
                    _take_snapshot(bid, ask, st, sb, sa)
                continue
            local = times[j] - OFFSET_NS + int(abs(np.random.normal()) * lag_sd)
            if local <= st[5]:
                local = st[5] + 1000
            st[5] = local
            if kind == 2:  # bookTicker: the true top at the last update id
                pos = _uint(buf, pos, local)
                pos = _tpl(buf, pos, tpl, off, 10)
                pos = _uint(buf, pos, st[2])
                pos = _tpl(buf, pos, tpl, off, 11)
                pos = _fix8(buf, pos, (st[0] + base) * 1_000_000)
                pos = _tpl(buf, pos, tpl, off, 12)
                pos = _fix8(buf, pos, bid[st[0]])
                pos = _tpl(buf, pos, tpl, off, 13)
                pos = _fix8(buf, pos, (st[1] + base) * 1_000_000)
                pos = _tpl(buf, pos, tpl, off, 14)
                pos = _fix8(buf, pos, ask[st[1]])
                pos = _tpl(buf, pos, tpl, off, 15)
                counts[1] += 1
                continue
            buy = np.random.random() < 0.5  # a trade hits the best quote and depletes it
            p = st[1] if buy else st[0]
            level = ask if buy else bid
            tq = min(trade_qty[np.random.randint(trade_qty.shape[0])], level[p])
            if tq <= 0:
                continue
            nxt = _next_ask(ask, p + 1) if buy else _next_bid(bid, p - 1)
            if level[p] == tq and level[nxt] == 0:
                continue  # never empty a side
            level[p] -= tq
            if buy:
                if ask[p] == 0:
                    st[1] = nxt
                if stamp_a[p] != w + 1:
                    stamp_a[p] = w + 1
                    ta[nt_a] = p
                    nt_a += 1
            else:
                if bid[p] == 0:
                    st[0] = nxt
                if stamp_b[p] != w + 1:
                    stamp_b[p] = w + 1
                    tb[nt_b] = p
                    nt_b += 1
            st[2] += 1
            st[3] += 1
            t_ms = times[j] // 1_000_000
            pos = _uint(buf, pos, local)
            pos = _tpl(buf, pos, tpl, off, 16)
            pos = _uint(buf, pos, t_ms + (1 if np.random.random() < 0.3 else 0))
            pos = _tpl(buf, pos, tpl, off, 17)
            pos = _uint(buf, pos, st[3])
            pos = _tpl(buf, pos, tpl, off, 18)
            pos = _fix8(buf, pos, (p + base) * 1_000_000)
            pos = _tpl(buf, pos, tpl, off, 19)
            pos = _fix8(buf, pos, tq)
            pos = _tpl(buf, pos, tpl, off, 20)
            pos = _uint(buf, pos, t_ms)
            pos = _tpl(buf, pos, tpl, off, 22 if buy else 21)
            counts[2] += 1
        e_ms = t0_ms + (w + 1) * 100
        if nt_b + nt_a and st[2] >= first_id:
            tb[:nt_b].sort()
            ta[:nt_a].sort()
            local = e_ms * 1_000_000 - OFFSET_NS + int(abs(np.random.normal()) * lag_sd)
            if local <= st[5]:
                local = st[5] + 1000
            st[5] = local
            for rep in range(2 if dup[w] else 1):
                if drop[w]:
                    break
                pos = _uint(buf, pos, local + rep * 1000)
                pos = _tpl(buf, pos, tpl, off, 0)
                pos = _uint(buf, pos, e_ms)
                pos = _tpl(buf, pos, tpl, off, 1)
                pos = _uint(buf, pos, first_id)
                pos = _tpl(buf, pos, tpl, off, 2)
                pos = _uint(buf, pos, st[2])
                pos = _tpl(buf, pos, tpl, off, 3)
                for j in range(nt_b - 1, -1, -1):  # bids best first
                    if j != nt_b - 1:
                        pos = _tpl(buf, pos, tpl, off, 9)
                    pos = _level(buf, pos, tpl, off, tb[j] + base, bid[tb[j]])
                pos = _tpl(buf, pos, tpl, off, 4)
                for j in range(nt_a):
                    if j:
                        pos = _tpl(buf, pos, tpl, off, 9)
                    pos = _level(buf, pos, tpl, off, ta[j] + base, ask[ta[j]])
                pos = _tpl(buf, pos, tpl, off, 5)
                counts[0] += 1
            st[5] += 2000
            st[6] = st[2]
        if snap_at[w] and st[9] > 0:
            st[5] += 1000
            pos = _write_snapshot(buf, pos, tpl, off, st, sb, sa, st[5], base)
            st[9] = 0
            counts[3] += 1
        w += 1
    st[4] = w
    return pos


# -- driver --------------------------------------------------------------------------------------------
def _open_gz(path: Path):
    try:
        from isal import igzip

        return igzip.open(path, "wb", compresslevel=1)
    except ImportError:  # pragma: no cover
        return gzip.open(path, "wb", compresslevel=1)


def make_capture(
    out, *, messages=20_000_000, hours=24.0, seed=0, gaps=0, dups=0, stats=None, stats_from=SHARED, verbose=False
) -> dict:
    """Write the synthetic capture to ``out`` (gzip when the name ends in .gz); returns counts and timings."""
    out = Path(out)
    t_start = time.perf_counter()
    s = stats if stats is not None else measure(Path(stats_from))
    windows = int(hours * 36_000)
    per_window = messages / windows
    real_other = s["bbo_per_window"] + s["trades_per_window"]
    scale = max(per_window - 1.0, 0.0) / real_other
    lam_bbo, lam_tr = s["bbo_per_window"] * scale, s["trades_per_window"] * scale
    rng = np.random.default_rng(seed)
    snap_at = np.zeros(windows + 1, dtype=np.int64)
    drop = np.zeros(windows + 1, dtype=np.int64)
    dup = np.zeros(windows + 1, dtype=np.int64)
    snap_at[2] = 1
    if gaps:
        at = np.sort(rng.choice(np.arange(20, max(windows - 20, 21)), size=gaps, replace=False))
        drop[at] = 1
        snap_at[np.minimum(at + 5, windows - 1)] = 1
    if dups:
        dup[rng.choice(np.arange(10, max(windows - 10, 11)), size=dups, replace=False)] = 1
    tpl, off = _templates()
    st = np.zeros(16, dtype=np.int64)
    base = P0 - W // 2
    st[0] = W // 2
    st[2] = 50_093_239_000
    st[3] = 3_735_683_000
    bid, ask = np.zeros(W, np.int64), np.zeros(W, np.int64)
    stamp_b, stamp_a = np.zeros(W, np.int64), np.zeros(W, np.int64)
    tb, ta = np.zeros(8192, np.int64), np.zeros(8192, np.int64)
    sb, sa = np.zeros((SNAP_LEVELS, 2), np.int64), np.zeros((SNAP_LEVELS, 2), np.int64)
    counts = np.zeros(4, dtype=np.int64)
    _seed(seed)
    _init_book(bid, ask, st, s["dist"], s["qty"])
    t0_ms = 1_723_161_255_000 - 2_000  # the sample's start, 2024-08-08 23:54
    st[5] = t0_ms * 1_000_000 - OFFSET_NS
    p_extra = 1.0 / max(s["ids_per_level"], 1.0)
    bufs = [np.empty(64 << 20, dtype=np.uint8) for _ in range(2)]
    free = [threading.Semaphore(1), threading.Semaphore(1)]
    todo: queue.Queue = queue.Queue()
    err: list = []
    written = 0
    with _open_gz(out) if out.suffix == ".gz" else open(out, "wb") as fh:

        def writer():  # ONE thread writes the buffers, in order, while the kernel fills the other one
            while True:
                item = todo.get()
                if item is None:
                    return
                k, n = item
                try:
                    if not err:
                        fh.write(memoryview(bufs[k])[:n])
                except BaseException as exc:
                    err.append(exc)
                finally:
                    free[k].release()

        th = threading.Thread(target=writer)
        th.start()
        try:
            k = 0
            while st[4] < windows and not err:
                free[k].acquire()
                n = generate(
                    bufs[k], st, bid, ask, stamp_b, stamp_a, tb, ta, sb, sa, windows, t0_ms, base, s["pairs"],
                    s["dist"], s["qty"], s["p_delete"], s["trade_qty"], p_extra, lam_bbo, lam_tr, s["lag_sd_ns"],
                    snap_at, drop, dup, tpl, off, counts,
                )  # fmt: skip
                written += n
                todo.put((k, n))
                if verbose:
                    print(f"  {st[4] / windows:6.1%}  {counts.sum():,} messages", flush=True)
                k = 1 - k
        finally:
            todo.put(None)
            th.join()
    if err:
        raise err[0]
    return {
        "messages": int(counts.sum()),
        "depth": int(counts[0]),
        "bookTicker": int(counts[1]),
        "trade": int(counts[2]),
        "snapshot": int(counts[3]),
        "text_bytes": written,
        "file_bytes": out.stat().st_size,
        "seconds": time.perf_counter() - t_start,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--messages", type=int, default=20_000_000)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gaps", type=int, default=0)
    ap.add_argument("--dups", type=int, default=0)
    ap.add_argument("--stats-from", default=str(SHARED))
    a = ap.parse_args(argv)
    out = Path(a.out).resolve()
    if ROOT in out.parents:
        raise SystemExit(f"{out}: write the capture outside the repository (e.g. under /tmp)")
    info = make_capture(
        out, messages=a.messages, hours=a.hours, seed=a.seed, gaps=a.gaps, dups=a.dups, stats_from=a.stats_from,
        verbose=True,
    )  # fmt: skip
    print(
        f"{out}: {info['messages']:,} messages (depth {info['depth']:,}, bookTicker {info['bookTicker']:,}, "
        f"trade {info['trade']:,}, snapshot {info['snapshot']}), {info['text_bytes'] / 1e9:.2f} GB text, "
        f"{info['file_bytes'] / 1e9:.2f} GB gzip, {info['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()

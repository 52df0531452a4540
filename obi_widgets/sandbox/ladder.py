"""The data of the sandbox's ladder view (see :meth:`obi_widgets.sandbox.Sandbox.ladder`)."""

from __future__ import annotations

import numpy as np

from ._checks import check_int
from .engine import ASK, BID

__all__ = ["ladder_data"]


def ladder_data(sb, rows=None) -> dict:
    """:meth:`Sandbox.ladder <obi_widgets.sandbox.Sandbox.ladder>` of ``sb``."""
    G = 2 * sb._levels + 4 if rows is None else check_int(rows, "rows", 1)
    b, a = sb.best()
    if b is not None and a is not None:
        centre2 = b + a  # twice the mid, in ticks
    elif sb._last_trade is not None:
        centre2 = 2 * sb._last_trade
    elif b is not None:
        centre2 = 2 * b
    elif a is not None:
        centre2 = 2 * a
    else:
        centre2 = 2 * (sb._centre if sb._centre is not None else round(100.0 / sb._tick))
    top = (centre2 + G) // 2  # highest tick of the window
    ticks = top - np.arange(G, dtype=np.int64)
    names = sb._venue_names()
    V = len(names)
    vb = np.zeros((G, V))
    va = np.zeros((G, V))
    own_b = np.zeros(G)
    own_a = np.zeros(G)
    nb = np.zeros(G, dtype=np.int32)
    na = np.zeros(G, dtype=np.int32)
    queues = []
    lo = int(ticks[-1])
    for j, v in enumerate(names):
        e = sb._engines[v]
        for side, s, sz, own, cnt in ((BID, e.bid, vb, own_b, nb), (ASK, e.ask, va, own_a, na)):
            for t in s.ticks:
                if t < lo or t > top:
                    continue
                r = top - t
                recs = e.queue(side, t)
                sz[r, j] = s.total[t]
                cnt[r] += len(recs)
                own[r] += sum(x.size for x in recs if x.owner == "you")
                queues.append((int(r), side, [(x.order_id, x.owner, x.size) for x in recs]))
    queues.sort(key=lambda q: (q[0], q[1]))
    out = {
        "price": np.round(ticks.astype(np.float64) * sb._tick, 12),
        "bid_sz": vb.sum(axis=1),
        "ask_sz": va.sum(axis=1),
        "own_bid_sz": own_b,
        "own_ask_sz": own_a,
        "bid_orders": nb,
        "ask_orders": na,
        "queues": queues,
        "best_bid": sb._px(b),
        "best_ask": sb._px(a),
        "mid": sb._mid(),
        "tick": sb._tick,
    }
    if sb._venues:
        out["venue_bid_sz"] = vb
        out["venue_ask_sz"] = va
        out["venues"] = list(sb._venues)
    return out

"""The simulated order flow of the sandbox: the queue-reactive model, acting on a live book.

The model and its default parameters are those of :func:`obi_widgets.datasets.simulate` (Huang,
Lehalle & Rosenbaum 2015; see :mod:`obi_widgets.datasets.simulate` for the full description). Here
the intensities are computed from the sandbox's *current* book (sizes in lots of ``lot_size``
shares, summed over the venues at a price), so the flow reacts to what the user does:

- limit order at active queue ``j`` (``0 <= j < K``, ``K = levels``; ticks from the side's best
  quote), intensity ``limit_rate / (1 + depth_decay * j) / (1 + q_j / queue_scale)``; size
  log-normal with mean ``limit_size`` lots (sigma 0.8), 1 to ``20 * limit_size`` lots;
- cancellation at queue ``j``, intensity ``cancel_rate * m_j`` where ``m_j`` are the lots there
  owned by "market" (the flow never cancels the user's or a script's orders); it removes
  ``min(size, m_j)`` lots, newest "market" orders first;
- limit order inside the spread, ``inside_rate * (spread - 1)`` per side when the spread is wider
  than one tick: a new best quote ``1 + floor(U * (spread - 1))`` ticks inside;
- market order, intensity ``market_rate``; ``P(buy) = clip(0.5 + 0.5 * imbalance_feedback * I +
  buy_bias, 0, 1)`` with ``I = (Qb - Qa) / (Qb + Qa)`` at the best quotes (``buy_bias`` is a
  sandbox addition, 0 by default, used by the "buy_pressure" scenario; so is ``limit_tilt``, which
  multiplies the bid-side limit intensities by ``1 + limit_tilt`` and the ask side's by
  ``1 - limit_tilt``); size log-normal with mean
  ``market_size`` lots (sigma 1.0), 1 to ``10 * market_size`` lots. It sweeps the book by
  price-time priority, so it fills the user's orders when their turn in the queue comes.

Competing exponential clocks (Gillespie 1977): the waiting time is Exp(1) / R, R the total
intensity, and the event is drawn with probability proportional to its intensity.

Differences from :func:`~obi_widgets.datasets.simulate`: there is no static reserve behind the
``K`` active queues (the book is explicit: what rests deeper stays until the price comes to it;
the initial books of the scenarios are ``K + max(K, 10)`` ticks deep); when a side is empty its
queues are measured from one tick beyond the other side's best quote (or from the sandbox's
centre price if both are empty), so an exhausted side refills; a flow order goes to a venue drawn
with the probabilities ``venue_weights`` (default, or when their count is not the venues': equal). Random numbers come from the sandbox's
seeded :class:`numpy.random.Generator`, a fixed number of draws per event kind, so the same seed
and the same user actions give the same history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datasets.simulate import _lognormal_lots
from .engine import ASK, BID

__all__ = ["FlowParams", "flow_event"]

_SIZE_SIGMA = 0.8
_MARKET_SIGMA = 1.0


@dataclass(frozen=True)
class FlowParams:
    """Parameters of the sandbox's order flow (defaults: those of :func:`obi_widgets.datasets.simulate`).

    ``buy_bias`` and ``limit_tilt`` (sandbox additions, 0 = the simulator's model) tilt market
    orders to buying and limit orders to the bid side. ``venue_weights``: probability of each venue receiving a flow limit order (None: equal).
    """

    levels: int = 10
    lot_size: int = 100
    limit_rate: float = 2.0
    depth_decay: float = 0.1
    queue_scale: float = 5.0
    cancel_rate: float = 0.08
    market_rate: float = 2.0
    inside_rate: float = 10.0
    limit_size: float = 2.0
    market_size: float = 3.0
    imbalance_feedback: float = 0.5
    buy_bias: float = 0.0
    limit_tilt: float = 0.0
    venue_weights: tuple | None = None


def _lots(rng: np.random.Generator, mean: float, sigma: float, cap: float) -> int:
    """One size in lots, drawn as the simulator draws its order sizes (log-normal, >= 1, capped)."""
    return _lognormal_lots(rng, mean, sigma, 1, max(1, int(cap)))[0]


def _venue(sb, p: FlowParams, u: float) -> str:
    names = sb._venue_names()
    if len(names) == 1:
        return names[0]
    w = p.venue_weights if p.venue_weights and len(p.venue_weights) == len(names) else tuple(1.0 for _ in names)
    total = sum(w)
    acc = 0.0
    for v, wi in zip(names, w):
        acc += wi / total
        if u < acc:
            return v
    return names[-1]


def flow_event(sb, p: FlowParams, rng: np.random.Generator) -> dict:
    """Apply one event of the order flow to the sandbox ``sb``; returns the event (a dict)."""
    K = p.levels
    lot = float(p.lot_size)
    engines = list(sb._engines.values())
    b, a = sb.best()
    if b is None and a is None:
        c = sb._centre if sb._centre is not None else int(round(100.0 / sb._tick))
        b_ref, a_ref = c, c + 1
    else:
        b_ref = b if b is not None else a - 1  # type: ignore[operator]
        a_ref = a if a is not None else b + 1  # type: ignore[operator]
    A = [sum(e.ask.total.get(a_ref + j, 0.0) for e in engines) / lot for j in range(K)]
    B = [sum(e.bid.total.get(b_ref - j, 0.0) for e in engines) / lot for j in range(K)]
    MA = [sum(e.ask.market.get(a_ref + j, 0.0) for e in engines) / lot for j in range(K)]
    MB = [sum(e.bid.market.get(b_ref - j, 0.0) for e in engines) / lot for j in range(K)]
    MA = [m if m > 1e-9 else 0.0 for m in MA]
    MB = [m if m > 1e-9 else 0.0 for m in MB]
    inv = 1.0 / p.queue_scale
    w = [p.limit_rate / (1.0 + p.depth_decay * j) for j in range(K)]
    ta, tb = 1.0 - p.limit_tilt, 1.0 + p.limit_tilt
    la = [ta * wj / (1.0 + q * inv) for wj, q in zip(w, A)]
    lb = [tb * wj / (1.0 + q * inv) for wj, q in zip(w, B)]
    LA, LB = sum(la), sum(lb)
    CA, CB = p.cancel_rate * sum(MA), p.cancel_rate * sum(MB)
    spread = a_ref - b_ref
    IN = p.inside_rate * (spread - 1) if (b is not None and a is not None and spread > 1) else 0.0
    MR = p.market_rate if (b is not None or a is not None) else 0.0
    R = MR + LA + LB + CA + CB + 2 * IN
    u1, u2, u3 = rng.random(3)
    dt = int(round(rng.standard_exponential() / R * 1e9))
    x = u1 * R
    if x < MR:
        if b is not None and a is not None:
            qb0, qa0 = B[0], A[0]
            imb = (qb0 - qa0) / (qb0 + qa0) if qb0 + qa0 > 0 else 0.0
            p_buy = min(1.0, max(0.0, 0.5 + 0.5 * p.imbalance_feedback * imb + p.buy_bias))
            side = "buy" if u2 < p_buy else "sell"
        else:
            side = "buy" if a is not None else "sell"
        size = _lots(rng, p.market_size, _MARKET_SIGMA, 10 * p.market_size) * lot
        sb._market(side, size, None, "market", "flow_market", dt=dt)
        return sb._last_event
    x -= MR
    sb._clock += dt
    if x < LA + LB:
        if x < LA:
            side, rates, ref, sign = ASK, la, a_ref, 1
        else:
            side, rates, ref, sign = BID, lb, b_ref, -1
            x -= LA
        j = 0
        for r in rates:
            x -= r
            if x < 0:
                break
            j += 1
        j = min(j, K - 1)
        size = _lots(rng, p.limit_size, _SIZE_SIGMA, 20 * p.limit_size) * lot
        tick = ref + sign * j
        if tick <= 0:  # no bid at or below zero
            tick = 1
        v = _venue(sb, p, u3)
        rec = sb._rest(side, tick, size, v, "market")
        return _flow_event(sb, "flow_limit", side, tick, size, rec.order_id, v, f"level {j}")
    x -= LA + LB
    if x < CA + CB:
        if x < CA:
            side, M, ref, sign, y = ASK, MA, a_ref, 1, x / p.cancel_rate
        else:
            side, M, ref, sign, y = BID, MB, b_ref, -1, (x - CA) / p.cancel_rate
        j = 0
        for m in M:
            y -= m
            if y < 0:
                break
            j += 1
        if j >= K:
            j = K - 1
            while not M[j]:
                j -= 1
        tick = ref + sign * j
        want = _lots(rng, p.limit_size, _SIZE_SIGMA, 20 * p.limit_size) * lot
        # the venue: in proportion to the "market" size there
        sizes = [e.side(side).market.get(tick, 0.0) for e in engines]
        tot = sum(sizes)
        acc, pick = 0.0, engines[-1]
        for e, s in zip(engines, sizes):
            acc += s / tot
            if u3 < acc and s > 0:
                pick = e
                break
        if pick.side(side).market.get(tick, 0.0) <= 0:
            pick = next(e for e, s in zip(engines, sizes) if s > 0)
        left = want
        removed = 0.0
        for rec in reversed(pick.queue(side, tick)):  # newest first
            if left <= 0:
                break
            if rec.owner != "market":
                continue
            c = min(rec.size, left)
            whole = c >= rec.size
            pick.remove(rec, None if whole else c)
            if whole:
                rec.status = "cancelled"
            left -= c
            removed += c
        return _flow_event(sb, "flow_cancel", side, tick, removed, None, pick.venue, f"level {j}")
    x -= CA + CB
    d = min(1 + int(u2 * (spread - 1)), spread - 1)
    size = _lots(rng, p.limit_size, _SIZE_SIGMA, 20 * p.limit_size) * lot
    if x < IN:
        side, tick = ASK, a_ref - d
    else:
        side, tick = BID, b_ref + d
    v = _venue(sb, p, u3)
    rec = sb._rest(side, tick, size, v, "market")
    return _flow_event(sb, "flow_inside", side, tick, size, rec.order_id, v, f"{d} tick(s) inside")


def _flow_event(sb, kind: str, side: str, tick: int, size: float, order_id, venue, text: str) -> dict:
    """Record one flow event (owner "market") in the sandbox's history; the recorded event."""
    return sb._record(
        {
            "kind": kind,
            "side": side,
            "price": sb._px(tick),
            "size": size,
            "owner": "market",
            "order_id": order_id,
            "venue": venue if sb._venues else None,
            "text": text,
        }
    )

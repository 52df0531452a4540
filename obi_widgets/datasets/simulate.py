"""A synthetic limit-order-book market, so that demos and the quickstart need no data file.

:func:`simulate` runs a *queue-reactive* order-book model in the spirit of Huang, Lehalle &
Rosenbaum (2015) and returns a :class:`Simulation` holding a :class:`~obi_widgets.Book` (one row
per event, the state after the event) and the :class:`~obi_widgets.Trades` the market orders made.
The output is reproducible: the same arguments (seed included) give bit-identical arrays, and a
shorter run is a prefix of a longer one with the same seed.

The model
---------
Prices live on an integer tick grid; they are converted to currency (``ticks * tick``) only at
the end, so every price is an exact multiple of ``tick``. Sizes are integers in lots (one lot is
``lot_size`` shares) and are converted to shares at the end.

State. A best bid ``b`` and a best ask ``a`` (in ticks, ``a - b >= 1``) and, on each side, an array
of queues on consecutive ticks measured from that side's own best quote: ``A[j]`` lots rest at
``a + j`` and ``B[j]`` lots at ``b - j``. The best queues ``A[0]`` and ``B[0]`` are never empty (the
best quote is by definition the first non-empty price); deeper queues may be empty (a gap in the
book). The first ``K = levels`` queues of each side are *active*: orders arrive and are cancelled
there. Behind them sits a reserve of ``max(K, 10)`` more queues, static until a price move
brings them into the active window; the reserve fills the visible book when active queues are empty,
so that each row shows ``K`` non-empty levels per side (fewer, padded with NaN at the end, only if
more than the reserve's worth of active queues were empty at once, which practically never happens).

Events. In continuous time, with competing exponential clocks (Gillespie's algorithm, 1977): from
the state, compute the intensity of every possible event; the time to the next event is exponential
with the total intensity ``R`` and the event is chosen with probability proportional to its
intensity. The events, per side:

- *limit order* at active queue ``j`` (``0 <= j < K``), intensity
  ``limit_rate / (1 + depth_decay * j) / (1 + q_j / queue_scale)``: decreasing with the distance to
  the best and with the queue's own size ``q_j`` -- the queue-reactive feature (orders join short
  queues more readily than long ones). The decay with depth is hyperbolic rather than exponential so
  that deep queues stay populated in wide books (``levels=50``). Size: a log-normal draw rounded to whole lots, mean
  ``limit_size`` lots, at least 1.
- *cancellation* at active queue ``j``, intensity ``cancel_rate * q_j`` (each resting lot is
  cancelled at a constant rate). It removes ``min(size, q_j)`` lots, ``size`` drawn as for a limit
  order.
- *limit order inside the spread*, only when the spread is wider than one tick, intensity
  ``inside_rate * (spread - 1)`` per side: a new best quote at a tick drawn uniformly strictly
  inside the spread (it improves the quote and can never lock or cross the book).
- *market order*, intensity ``market_rate`` in total for both sides. Its direction is tilted by the
  level-1 imbalance ``I = (B[0] - A[0]) / (B[0] + A[0])``:
  ``P(buy) = clip(0.5 + 0.5 * imbalance_feedback * I, 0, 1)``. Its size is log-normal with mean
  ``market_size`` lots (heavier-tailed than limit orders). A buy consumes the best ask queue; if it
  is larger than that queue it walks up the book, one trade per price level consumed, all at the
  event's timestamp (sells alike on the bid side).

Price dynamics emerge from queue depletion, not from an exogenous price process: when a market
order or a cancellation empties the best ask queue, the best ask moves up to the next non-empty
tick (or just beyond the window if the whole window is empty, which takes extreme parameters) and
the ask array shifts by as many positions; the positions freed at its far end receive
fresh reserve queues drawn from a stationary-ish distribution (a rounded gamma with the mean that
balances arrivals and cancellations at depth ``K``, at least 1 lot). Likewise on the bid side.
A depletion widens the spread; inside-spread limit orders then narrow it again, from either side.
So spreads are mostly one tick, sometimes two or three.

Two mechanisms make prices respond to the level-1 imbalance, as in real books (Cont, Kukanov &
Stoikov 2014; Gould & Bonart 2016): a short queue facing a long one is depleted first, so the
mid price tends to move towards the short side; and ``imbalance_feedback > 0`` sends market orders
preferentially at the short queue. The sign of the next mid-price move is therefore positively
correlated with the current imbalance: about +0.35 to +0.4 with the defaults, and still about +0.25
to +0.35 with ``imbalance_feedback=0`` (the depletion mechanism alone).

The timestamps are ``start_time`` plus the cumulated exponential waiting times, rounded to the
nanosecond (non-decreasing, possibly equal). With the defaults the model produces about 28 events
per second, so 20,000 events span about twelve minutes of trading; about 7% of the events are
market orders, the spread is one tick about 92% of the time, and the mid price moves every 15
events or so.

What the model does not have: hidden orders, order identities (queues are aggregated sizes, and
cancellations are not tied to particular orders), a trading-day seasonality, or long memory in order
flow. Prices are not bounded below: keep ``start_price`` large compared to ``tick`` (bid levels that
would reach zero or below are shown as empty).

References
----------
- W. Huang, C.-A. Lehalle, M. Rosenbaum (2015). Simulating and analyzing order book data: the
  queue-reactive model. *Journal of the American Statistical Association* 110(509), 107-122.
- R. Cont, S. Stoikov, R. Talreja (2010). A stochastic model for order book dynamics.
  *Operations Research* 58(3), 549-563.
- R. Cont, A. Kukanov, S. Stoikov (2014). The price impact of order book events.
  *Journal of Financial Econometrics* 12(1), 47-88.
- M. D. Gould, J. Bonart (2016). Queue imbalance as a one-tick-ahead price predictor in a limit
  order book. *Market Microstructure and Liquidity* 2(2).
- D. T. Gillespie (1977). Exact stochastic simulation of coupled chemical reactions.
  *Journal of Physical Chemistry* 81(25), 2340-2361.
"""

from __future__ import annotations

import math
import numbers
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._time import to_ns
from ..book import Book
from ..errors import ObiError, ParameterError
from ..trades import Trades

__all__ = ["simulate", "Simulation"]

# Random numbers are drawn in fixed-size chunks (never sized by n_events), so that a run of n events
# is exactly a prefix of a longer run with the same seed.
_CHUNK = 4096
_FRESH_CHUNK = 1024
_SIZE_SIGMA = 0.8  # log-normal sigma of limit-order (and cancellation) sizes
_MARKET_SIGMA = 1.0  # log-normal sigma of market-order sizes

# event kinds, as stored in Simulation.events["kind"]
_KINDS = ("limit", "cancel", "market", "inside")
_LIMIT, _CANCEL, _MARKET, _INSIDE = range(4)


@dataclass(frozen=True, eq=False)
class Simulation:
    """The output of :func:`simulate`.

    Attributes
    ----------
    book : Book
        One row per event, the state of the book after the event; ``levels`` levels per side.
    trades : Trades
        One row per price level consumed by a market order, stamped with the event's time (so
        ``trades.ts`` values all appear in ``book.ts``); side +1 for buys (lifting the ask), -1 for
        sells.
    events : pandas.DataFrame
        One row per event (aligned with ``book`` rows): ``ts`` (int64 ns), ``kind`` (categorical:
        ``limit``, ``cancel``, ``market``, ``inside``), ``side`` (+1 bid side / buy market order,
        -1 ask side / sell market order), ``level`` (distance in ticks from that side's best quote
        before the event: 0 for the best; for ``inside`` events, how many ticks the quote improved;
        for market orders 0), ``size`` (shares added, cancelled or bought/sold).
    params : Mapping
        Every argument of the call that produced it (read-only), for the record.
    """

    book: Book
    trades: Trades
    events: pd.DataFrame
    params: Mapping

    def __repr__(self) -> str:
        return f"<Simulation seed={self.params.get('seed')!r}: {self.book!r}, {self.trades!r}>"


# -- validation ----------------------------------------------------------------------------------
def _int_param(name: str, value, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _float_param(name: str, value, *, positive: bool = False, nonnegative: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    if positive and not x > 0:
        raise ParameterError(f"{name} must be > 0, got {value!r}")
    if nonnegative and not x >= 0:
        raise ParameterError(f"{name} must be >= 0, got {value!r}")
    return x


def _lognormal_lots(rng: np.random.Generator, mean: float, sigma: float, n: int, cap: int) -> list:
    """n integer sizes >= 1 (lots), log-normal with the given mean before rounding, capped."""
    draws = rng.lognormal(math.log(mean) - 0.5 * sigma * sigma, sigma, n)
    return np.clip(np.rint(draws), 1, cap).astype(np.int64).tolist()


# -- the model -----------------------------------------------------------------------------------
def simulate(
    seed=0,
    n_events: int = 20_000,
    levels: int = 10,
    tick: float = 0.01,
    start_price: float = 100.0,
    start_time="2024-01-02 09:30:00",
    *,
    lot_size: int = 100,
    limit_rate: float = 2.0,
    depth_decay: float = 0.1,
    queue_scale: float = 5.0,
    cancel_rate: float = 0.08,
    market_rate: float = 2.0,
    inside_rate: float = 10.0,
    limit_size: float = 2.0,
    market_size: float = 3.0,
    imbalance_feedback: float = 0.5,
    name: str | None = None,
) -> Simulation:
    """Simulate a limit-order-book market with a queue-reactive model.

    A realistic, reproducible synthetic market (book and trades) for demos, tests and tutorials.
    The model is described in full in the docstring of :mod:`obi_widgets.datasets.simulate`; in
    short: integer queues (in lots) on a tick grid, ``levels`` active queues per side; limit orders
    arrive at each queue at a rate decreasing with depth and with the queue's size, cancellations
    at a rate proportional to the queue's size, market orders at the best quotes (walking the book
    when larger than the best queue) with a direction tilted by the level-1 imbalance; when the
    spread is wider than one tick, limit orders arrive inside it. Prices move only when a best
    queue is depleted. Events are drawn with competing exponential clocks (Gillespie).

    Parameters
    ----------
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`. The same seed (and arguments) gives bit-identical
        output, and ``simulate(seed, n)`` is a prefix of ``simulate(seed, m)`` for ``m > n``.
        ``None`` draws fresh entropy (not reproducible).
    n_events : int, default 20_000
        Number of events, hence of book rows. At least 1.
    levels : int, default 10
        Levels per side, ``K``: the active queues of the model and the levels of the output book.
    tick : float, default 0.01
        Price increment. Every price is ``round(ticks) * tick`` for an integer ``ticks``.
    start_price : float, default 100.0
        Initial best bid, rounded to the tick grid; the best ask starts one tick above. Must be at
        least ``4 * levels + 20`` ticks, so that the bid side stays at positive prices.
    start_time : str, int, datetime or Timestamp, default "2024-01-02 09:30:00"
        Time origin (naive times are UTC; an int is ns since the epoch). The first event happens an
        exponential waiting time after it.
    lot_size : int, default 100
        Shares per lot; output sizes are ``lots * lot_size``.
    limit_rate : float, default 2.0
        Intensity (per second) of limit-order arrivals at an empty best queue. It decays with depth
        by ``1 / (1 + depth_decay * j)`` and with the queue size by ``1 / (1 + q / queue_scale)``.
    depth_decay : float, default 0.1
        Decay rate, per tick of depth, of the limit-order intensity (>= 0).
    queue_scale : float, default 5.0
        Queue size (lots) at which the limit-order intensity is halved.
    cancel_rate : float, default 0.08
        Cancellation intensity per resting lot, per second, in the active queues.
    market_rate : float, default 2.0
        Intensity (per second) of market orders, buys and sells together.
    inside_rate : float, default 10.0
        Intensity (per second, per side and per empty tick inside the spread) of limit orders that
        improve the best quote when the spread is wider than one tick.
    limit_size : float, default 2.0
        Mean size (lots) of limit orders and cancellations; log-normal, at least 1 lot.
    market_size : float, default 3.0
        Mean size (lots) of market orders; log-normal with a heavier tail, at least 1 lot, capped
        at 10 times the mean.
    imbalance_feedback : float, default 0.5
        Tilt of the market-order direction by the level-1 imbalance
        ``I = (Qb - Qa) / (Qb + Qa)``: ``P(buy) = clip(0.5 + 0.5 * imbalance_feedback * I, 0, 1)``.
        0 makes buys and sells equally likely whatever the book; 1 makes ``P(buy) = Qb / (Qb + Qa)``.
    name : str, optional
        Name given to the book and the trades (default ``"simulated (seed=...)"``).

    Returns
    -------
    Simulation
        ``book`` (``n_events`` rows, ``levels`` levels; sizes in shares; ``book.meta``: venue
        "simulated", price_unit "USD", size_unit "shares", the ``tick``), ``trades`` (one row per
        price level consumed by a market order, at the time of that order's book row), ``events``
        (what happened at each row) and ``params`` (the arguments).

    Raises
    ------
    ParameterError
        When an argument is out of range; the message names it.

    Notes
    -----
    The event loop is sequential pure Python: about 10 microseconds per event, so 20,000 events
    take about 0.2 s and 200,000 about 2 s.

    References
    ----------
    .. [1] W. Huang, C.-A. Lehalle, M. Rosenbaum (2015). Simulating and analyzing order book data:
       the queue-reactive model. Journal of the American Statistical Association 110(509), 107-122.
    .. [2] R. Cont, S. Stoikov, R. Talreja (2010). A stochastic model for order book dynamics.
       Operations Research 58(3), 549-563.
    .. [3] D. T. Gillespie (1977). Exact stochastic simulation of coupled chemical reactions.
       Journal of Physical Chemistry 81(25), 2340-2361.

    Examples
    --------
    >>> from obi_widgets.datasets import simulate
    >>> sim = simulate(seed=1, n_events=5_000)
    >>> sim.book.shape
    (5000, 10)
    >>> bool((sim.book.ask_px[:, 0] > sim.book.bid_px[:, 0]).all())
    True
    """
    # ---- validate ----
    if seed is not None and (isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ParameterError(f"seed must be a non-negative integer or None, got {seed!r}")
    n_events = _int_param("n_events", n_events, 1)
    levels = _int_param("levels", levels, 1)
    lot_size = _int_param("lot_size", lot_size, 1)
    tick = _float_param("tick", tick, positive=True)
    start_price = _float_param("start_price", start_price, positive=True)
    limit_rate = _float_param("limit_rate", limit_rate, positive=True)
    depth_decay = _float_param("depth_decay", depth_decay, nonnegative=True)
    queue_scale = _float_param("queue_scale", queue_scale, positive=True)
    cancel_rate = _float_param("cancel_rate", cancel_rate, positive=True)
    market_rate = _float_param("market_rate", market_rate, nonnegative=True)
    inside_rate = _float_param("inside_rate", inside_rate, positive=True)
    limit_size = _float_param("limit_size", limit_size, positive=True)
    market_size = _float_param("market_size", market_size, positive=True)
    imbalance_feedback = _float_param("imbalance_feedback", imbalance_feedback, nonnegative=True)
    if limit_size < 1:
        raise ParameterError(f"limit_size must be >= 1 lot, got {limit_size!r}")
    if market_size < 1:
        raise ParameterError(f"market_size must be >= 1 lot, got {market_size!r}")
    min_ticks = 4 * levels + 20
    start_bid = int(round(start_price / tick))
    if start_bid < min_ticks:
        raise ParameterError(
            f"start_price must be at least {min_ticks} ticks ({min_ticks * tick:g} with tick={tick:g}) "
            f"so that the bid side stays at positive prices, got {start_price!r}"
        )
    try:
        t0 = to_ns(start_time)
    except ObiError as exc:
        raise ParameterError(f"start_time: {exc}") from None
    if name is not None and not isinstance(name, str):
        raise ParameterError(f"name must be a string or None, got {name!r}")
    params = MappingProxyType(
        dict(
            seed=seed,
            n_events=n_events,
            levels=levels,
            tick=tick,
            start_price=start_price,
            start_time=start_time,
            lot_size=lot_size,
            limit_rate=limit_rate,
            depth_decay=depth_decay,
            queue_scale=queue_scale,
            cancel_rate=cancel_rate,
            market_rate=market_rate,
            inside_rate=inside_rate,
            limit_size=limit_size,
            market_size=market_size,
            imbalance_feedback=imbalance_feedback,
        )
    )
    if name is None:
        name = f"simulated (seed={seed})"

    rng = np.random.default_rng(seed)
    K = levels
    G = K + max(K, 10)  # active queues + reserve, per side
    weights = [limit_rate / (1.0 + depth_decay * j) for j in range(K)]
    inv_scale = 1.0 / queue_scale
    half_fb = 0.5 * imbalance_feedback
    market_cap = max(1, int(10 * market_size))
    size_cap = max(1, int(20 * limit_size))

    # Stationary-ish size of a fresh deep queue: where limit arrivals at depth K-1 balance
    # cancellations, lam / (1 + q / s) = c * q  =>  q = s/2 * (sqrt(1 + 4 lam / (c s)) - 1).
    lam_deep = weights[-1]
    q_deep = 0.5 * queue_scale * (math.sqrt(1.0 + 4.0 * lam_deep / (cancel_rate * queue_scale)) - 1.0)
    q_deep = max(q_deep, 1.0)

    fresh_size = max(_FRESH_CHUNK, 2 * G)  # depends on levels only, never on n_events
    fresh = []
    fp = 0

    def deplete(Q: list) -> tuple[list, int]:
        """The side's queues once its best queue Q[0] is empty, and how many ticks the quote moves.

        The quote moves to the next non-empty tick (or just beyond the window if the whole window is
        empty, which only happens with extreme parameters); fresh reserve queues fill the far end.
        """
        nonlocal fresh, fp
        k = 1
        while k < G and not Q[k]:
            k += 1
        if fp + k > len(fresh):
            fresh = np.maximum(1, np.rint(rng.gamma(2.0, q_deep / 2.0, fresh_size))).astype(np.int64).tolist()
            fp = 0
        out = Q[k:] + fresh[fp : fp + k]
        fp += k
        return out, k

    # ---- initial state: stationary-ish queues, a one-tick spread ----
    init = np.maximum(1, np.rint(rng.gamma(2.0, q_deep / 2.0, 2 * G))).astype(np.int64).tolist()
    A = init[:G]
    B = init[G:]
    a = start_bid + 1
    b = start_bid

    # ---- outputs, filled by the loop ----
    rec_a = array("i")  # queue arrays after each event, G per row
    rec_b = array("i")
    rec_pa = array("q")  # best ask / best bid ticks after each event
    rec_pb = array("q")
    rec_rate = array("d")  # total intensity before each event
    ev_kind = array("b")
    ev_side = array("b")
    ev_level = array("i")
    ev_size = array("q")
    tr_row = array("q")  # trades: event row, price tick, lots, side
    tr_px = array("q")
    tr_sz = array("q")
    tr_side = array("b")

    expo = []

    done = 0
    while done < n_events:
        m = min(_CHUNK, n_events - done)
        # Always draw full chunks (prefix property); only the first m are used.
        U1 = rng.random(_CHUNK).tolist()
        U2 = rng.random(_CHUNK).tolist()
        LS = _lognormal_lots(rng, limit_size, _SIZE_SIGMA, _CHUNK, size_cap)
        MS = _lognormal_lots(rng, market_size, _MARKET_SIGMA, _CHUNK, market_cap)
        expo.append(rng.standard_exponential(_CHUNK)[:m])  # one exponential clock per event
        for i in range(m):
            # -- intensities --
            la = [w / (1.0 + q * inv_scale) for w, q in zip(weights, A)]
            lb = [w / (1.0 + q * inv_scale) for w, q in zip(weights, B)]
            LA = sum(la)
            LB = sum(lb)
            CA = cancel_rate * sum(A[:K])
            CB = cancel_rate * sum(B[:K])
            spread = a - b
            IN = inside_rate * (spread - 1)
            R = market_rate + LA + LB + CA + CB + IN + IN
            rec_rate.append(R)
            x = U1[i] * R
            if x < market_rate:
                # -- market order --
                qa0 = A[0]
                qb0 = B[0]
                p_buy = 0.5 + half_fb * (qb0 - qa0) / (qb0 + qa0)
                rem = MS[i]
                row = done + i
                if U2[i] < p_buy:
                    ev_side.append(1)
                    while rem > 0:
                        q = A[0]
                        take = q if q < rem else rem
                        tr_row.append(row)
                        tr_px.append(a)
                        tr_sz.append(take)
                        tr_side.append(1)
                        rem -= take
                        q -= take
                        if q:
                            A[0] = q
                        else:  # best ask depleted: move up to the next non-empty tick
                            A, k = deplete(A)
                            a += k
                else:
                    ev_side.append(-1)
                    while rem > 0:
                        q = B[0]
                        take = q if q < rem else rem
                        tr_row.append(row)
                        tr_px.append(b)
                        tr_sz.append(take)
                        tr_side.append(-1)
                        rem -= take
                        q -= take
                        if q:
                            B[0] = q
                        else:
                            B, k = deplete(B)
                            b -= k
                ev_kind.append(_MARKET)
                ev_level.append(0)
                ev_size.append(MS[i])
            else:
                x -= market_rate
                if x < LA + LB:
                    # -- limit order at an active queue --
                    if x < LA:
                        Q, rates, side = A, la, -1
                    else:
                        Q, rates, side = B, lb, 1
                        x -= LA
                    j = 0
                    for r in rates:
                        x -= r
                        if x < 0:
                            break
                        j += 1
                    if j >= K:  # float round-off at the top end
                        j = K - 1
                    Q[j] += LS[i]
                    ev_kind.append(_LIMIT)
                    ev_side.append(side)
                    ev_level.append(j)
                    ev_size.append(LS[i])
                else:
                    x -= LA + LB
                    if x < CA + CB:
                        # -- cancellation at an active queue, chosen in proportion to its size --
                        if x < CA:
                            Q, side = A, -1
                            y = x / cancel_rate
                        else:
                            Q, side = B, 1
                            y = (x - CA) / cancel_rate
                        j = 0
                        for q in Q:
                            y -= q
                            if y < 0:
                                break
                            j += 1
                        if j >= K:
                            j = K - 1
                            while not Q[j]:
                                j -= 1
                        q = Q[j]
                        c = LS[i] if LS[i] < q else q
                        Q[j] = q - c
                        if j == 0 and c == q:  # best queue cancelled away: the quote recedes
                            if side < 0:
                                A, k = deplete(A)
                                a += k
                            else:
                                B, k = deplete(B)
                                b -= k
                        ev_kind.append(_CANCEL)
                        ev_side.append(side)
                        ev_level.append(j)
                        ev_size.append(c)
                    else:
                        # -- limit order inside the spread (only reachable when spread > 1) --
                        x -= CA + CB
                        d = 1 + int(U2[i] * (spread - 1))  # ticks of improvement, 1..spread-1
                        if d >= spread:
                            d = spread - 1
                        if spread == 1:  # only by float round-off (IN == 0): join the best bid
                            B[0] += LS[i]
                            ev_kind.append(_LIMIT)
                            ev_side.append(1)
                            ev_level.append(0)
                            ev_size.append(LS[i])
                        elif x < IN:
                            A = ([LS[i]] + [0] * (d - 1) + A)[:G]
                            a -= d
                            ev_side.append(-1)
                        else:
                            B = ([LS[i]] + [0] * (d - 1) + B)[:G]
                            b += d
                            ev_side.append(1)
                        if spread > 1:
                            ev_kind.append(_INSIDE)
                            ev_level.append(d)
                            ev_size.append(LS[i])
            rec_a.extend(A)
            rec_b.extend(B)
            rec_pa.append(a)
            rec_pb.append(b)
        done += m

    # ---- timestamps: the waiting time before each event is Exp(1) / (total intensity) ----
    wait = np.concatenate(expo) / np.frombuffer(rec_rate, dtype=np.float64)
    ts = t0 + np.rint(np.cumsum(wait) * 1e9).astype(np.int64)

    # ---- the book: compact each side's grid to its first K non-empty ticks (in row blocks) ----
    qa = np.frombuffer(rec_a, dtype=np.int32).reshape(n_events, G)
    qb = np.frombuffer(rec_b, dtype=np.int32).reshape(n_events, G)
    pa = np.frombuffer(rec_pa, dtype=np.int64)
    pb = np.frombuffer(rec_pb, dtype=np.int64)
    offsets = np.arange(G, dtype=np.int64)

    def compact(q, best, sign):
        px = np.empty((n_events, K), dtype=np.float64)
        sz = np.empty((n_events, K), dtype=np.float64)
        for r0 in range(0, n_events, 65_536):
            r1 = min(n_events, r0 + 65_536)
            block = q[r0:r1]
            if sign < 0:  # a bid at or below zero is no bid
                block = np.where(best[r0:r1, None] - offsets > 0, block, 0)
            order = np.argsort(block == 0, axis=1, kind="stable")[:, :K]  # non-empty first, in order
            lots = np.take_along_axis(block, order, axis=1)
            ticks = best[r0:r1, None] + sign * order
            empty = lots == 0
            px[r0:r1] = np.where(empty, np.nan, np.round(ticks.astype(np.float64)) * tick)
            sz[r0:r1] = np.where(empty, np.nan, lots.astype(np.float64) * lot_size)
        return px, sz

    ask_px, ask_sz = compact(qa, pa, 1)
    bid_px, bid_sz = compact(qb, pb, -1)
    meta = {"venue": "simulated", "price_unit": "USD", "size_unit": "shares", "tick": float(tick)}
    book = Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta)

    rows = np.frombuffer(tr_row, dtype=np.int64)
    trades = Trades.from_arrays(
        ts[rows],
        np.round(np.frombuffer(tr_px, dtype=np.int64).astype(np.float64)) * tick,
        np.frombuffer(tr_sz, dtype=np.int64).astype(np.float64) * lot_size,
        np.frombuffer(tr_side, dtype=np.int8).copy(),
        name=name,
    )

    events = pd.DataFrame(
        {
            "ts": ts,
            "kind": pd.Categorical.from_codes(np.frombuffer(ev_kind, dtype=np.int8), categories=list(_KINDS)),
            "side": np.frombuffer(ev_side, dtype=np.int8).copy(),
            "level": np.frombuffer(ev_level, dtype=np.int32).copy(),
            "size": np.frombuffer(ev_size, dtype=np.int64).astype(np.float64) * lot_size,
        }
    )
    return Simulation(book=book, trades=trades, events=events, params=params)

"""Reference prices derived from the best quotes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from ..errors import ParameterError
from ._common import positive_number, ratio, require_book
from ._ticks import GRID_TOLERANCE, check_tick, infer_tick, to_ticks

_k = lazy_module("._level_kernels", __package__)  # numba loads on the first kernel call


def mid(book) -> np.ndarray:
    r"""Mid price :math:`m_t = (P^b_t + P^a_t) / 2`, one value per row; NaN where a side is empty."""
    book = require_book(book, "mid")
    out = np.add(book.bid_px[:, 0], book.ask_px[:, 0])
    return np.multiply(out, 0.5, out=out)  # in place: no second temporary


def spread(book) -> np.ndarray:
    r"""Quoted spread :math:`s_t = P^a_t - P^b_t` in price units, one value per row; NaN where a side is empty."""
    book = require_book(book, "spread")
    return book.ask_px[:, 0] - book.bid_px[:, 0]


def weighted_mid(book) -> np.ndarray:
    r"""Size-weighted mid price, one value per row.

    .. math:: W_t = \frac{P^b_t Q^a_t + P^a_t Q^b_t}{Q^a_t + Q^b_t} = P^b_t + s_t\, I_t,
              \qquad I_t = \frac{Q^b_t}{Q^b_t + Q^a_t}

    the "weighted mid-price" of Stoikov (2018), "The micro-price: a high-frequency estimator of
    future prices", *Quantitative Finance* 18(12) (called the micro-price in parts of the
    practitioner literature): it leans towards the ask when the bid queue is the larger one.
    Computed as :math:`P^b + (P^a - P^b) I`, then clipped to :math:`[P^b, P^a]` so that float
    rounding cannot push it out of the quotes (the exact value lies inside). Returns float64 (T,); NaN where a best level is empty or both best
    sizes are 0.
    """
    book = require_book(book, "weighted_mid")
    out = np.empty(len(book))
    _k.weighted_mid(book.bid_px[:, 0], book.ask_px[:, 0], book.bid_sz[:, 0], book.ask_sz[:, 0], out)  # one pass
    return out


# -- Stoikov's micro-price ---------------------------------------------------------------------------
# State x = (spread s in ticks, imbalance bucket b), index (s - 1) * n_imb + b. Mid-price moves are
# counted in half ticks; the absorbing moves K are -1, -1/2, +1/2, +1 tick (half ticks -2, -1, 1, 2).
_MOVES_HALF_TICKS = np.array([-2, -1, 1, 2])


def _imbalance_buckets(qb: np.ndarray, qa: np.ndarray, n: int):
    """Buckets of I = Qb / (Qb + Qa) in n equal widths: (valid, lo, hi, w_lo).

    A row belongs to bucket ``lo`` with weight ``w_lo`` and to ``hi`` with weight ``1 - w_lo``;
    ``lo == hi``, ``w_lo == 1`` except for I exactly 1/2 with n even, which sits on the edge of the
    two central buckets and is shared half and half between them. Edges go to the bucket nearer the
    centre. Computed from D = (Qb - Qa) / (Qb + Qa), which is exactly antisymmetric under swapping
    the sides, so the mirrored book lands in the mirrored bucket, bit for bit.
    """
    total = qb + qa
    valid = np.isfinite(total) & (total > 0)
    d = ratio(qb - qa, total)
    d = np.where(valid, d, 0.0)
    u = np.abs(d) * (n / 2.0)  # distance from the centre, in bucket widths
    sign = np.sign(d).astype(np.int64)
    if n % 2:
        c = (n - 1) // 2
        j = np.clip(np.ceil(u - 0.5), 0, c).astype(np.int64)
        lo = c + sign * j
        return valid, lo, lo, np.ones(lo.shape)
    half = n // 2
    j = np.clip(np.ceil(u) - 1, 0, half - 1).astype(np.int64)
    lo = np.where(sign > 0, half + j, half - 1 - j)
    hi = np.where(sign == 0, half, lo)
    lo = np.where(sign == 0, half - 1, lo)
    w_lo = np.where(sign == 0, 0.5, 1.0)
    return valid, lo, hi, w_lo


def _states(book, tick: float, n_imb: int, n_spread: int, rows=None):
    """Per observation: in-model mask, state indices lo/hi with weight, 2*mid in ticks."""
    bid = book.bid_px[:, 0] if rows is None else book.bid_px[rows, 0]
    ask = book.ask_px[:, 0] if rows is None else book.ask_px[rows, 0]
    qb = book.bid_sz[:, 0] if rows is None else book.bid_sz[rows, 0]
    qa = book.ask_sz[:, 0] if rows is None else book.ask_sz[rows, 0]
    bt = to_ticks(bid, tick, "best bid")
    at = to_ticks(ask, tick, "best ask")
    spread = at - bt
    ok_spread = (spread >= 1) & (spread <= n_spread)  # NaN compares False
    valid, lo, hi, w_lo = _imbalance_buckets(qb, qa, n_imb)
    ok = ok_spread & valid
    s = np.where(ok, spread, 1).astype(np.int64)
    base = (s - 1) * n_imb
    mid2 = np.where(ok, at + bt, 0.0)
    return ok, base + lo, base + hi, w_lo, mid2


@dataclass(frozen=True, eq=False)
class MicropriceModel:
    """Stoikov's micro-price fitted on a book (see :func:`fit_microprice`).

    States are (spread s = 1..n_spread ticks, imbalance bucket b = 0..n_imb-1), index
    ``(s - 1) * n_imb + b``; bucket b holds the imbalance :math:`I = Q^b / (Q^b + Q^a)` between
    b/n and (b+1)/n (an I exactly on an edge goes to the bucket nearer 1/2; I = 1/2 with n even is
    shared by the two central buckets). Absorbing mid moves K = (-1, -1/2, +1/2, +1) ticks.

    Attributes
    ----------
    tick, n_imb, n_spread, step, symmetrize : the fit's settings.
    adjustment : ndarray (n_spread, n_imb)
        :math:`g^*(I, S)` in price units (row s-1 for spread s); NaN for a state the fit could not
        estimate (never observed, or never followed by a mid move).
    g1 : ndarray (n_spread, n_imb)
        :math:`g^1`, the expected next mid move (price units), NaN likewise.
    Q, R, T, B : ndarray
        The estimated matrices: Q (N, N) transitions without a mid move, R (N, 4) absorption into
        each move of K, T (N, N) transitions into the state after a move, and
        B = (1 - Q)^{-1} T; N = n_spread * n_imb. Rows of states without estimate are 0.
    counts : ndarray (n_spread, n_imb)
        Weight of the transitions counted out of each state (the mirrored data included).
    dropped : float
        Weight of the transitions left out because they touch a state without estimate.
    iterations : int
        Terms of :math:`\\sum_i B^i g^1` summed before the last one fell below the tolerance.
    """

    tick: float
    n_imb: int
    n_spread: int
    step: int
    symmetrize: bool
    adjustment: np.ndarray
    g1: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    T: np.ndarray
    B: np.ndarray
    counts: np.ndarray
    dropped: float
    iterations: int

    def __repr__(self) -> str:
        adj = self.adjustment[np.isfinite(self.adjustment)]
        span = f"{adj.min():+.4g} .. {adj.max():+.4g}" if adj.size else "undefined"
        return (
            f"MicropriceModel(tick={self.tick!r}, n_imb={self.n_imb}, n_spread={self.n_spread}, "
            f"symmetrize={self.symmetrize}, {int(self.counts.sum())} observations, adjustment {span}; "
            "see .adjustment_frame())"
        )

    def adjustment_frame(self) -> pd.DataFrame:
        """``adjustment`` as a DataFrame: index spread in ticks, columns the buckets' central imbalance."""
        centres = (np.arange(self.n_imb) + 0.5) / self.n_imb
        return pd.DataFrame(
            self.adjustment,
            index=pd.Index(np.arange(1, self.n_spread + 1), name="spread_ticks"),
            columns=pd.Index(centres, name="imbalance"),
        )

    def apply(self, book) -> np.ndarray:
        """:func:`microprice` of ``book`` with this model."""
        return microprice(book, self)


def _check_int(value, name: str, fn: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{fn}(): {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _reachable_move(cq: np.ndarray, has_move: np.ndarray) -> np.ndarray:
    """States from which a mid move can be reached through no-move transitions."""
    can = has_move.copy()
    edges = cq > 0
    while True:
        more = can | edges[:, can].any(axis=1)
        if np.array_equal(more, can):
            return can
        can = more


def fit_microprice(
    book,
    *,
    n_imb: int = 10,
    n_spread: int = 2,
    tick=None,
    step: int = 1,
    sample=None,
    symmetrize: bool = True,
    tol: float = 1e-9,
    max_iter: int = 10_000,
) -> MicropriceModel:
    r"""Fit Stoikov's micro-price model on a book's best quotes.

    Stoikov (2018), "The micro-price: a high-frequency estimator of future prices", *Quantitative
    Finance* 18(12), section 3. The micro-price is :math:`P^{micro}_t = M_t + g^*(I_t, S_t)`, the
    limit of :math:`E[M_{\tau_i} | I_t, S_t]` over the times :math:`\tau_i` of the successive mid
    moves, with :math:`g^*` a function of the imbalance :math:`I = Q^b/(Q^b+Q^a)` and the spread S
    (in ticks). With states :math:`x = (I, S)` (I in ``n_imb`` equal buckets, S in 1..``n_spread``
    ticks) and the absorbing mid moves :math:`K = (-1, -\tfrac12, \tfrac12, 1)` ticks, estimated
    from the observed transitions :math:`x_t \to x_{t+1}` with mid change :math:`\Delta M`:

    - :math:`Q_{xy} = P(x_{t+1} = y, \Delta M = 0 | x_t = x)` (transient transitions),
    - :math:`R_{xk} = P(\Delta M = k | x_t = x)` for :math:`k \in K` (absorption),
    - :math:`T_{xy} = P(x_{t+1} = y, \Delta M \ne 0 | x_t = x)` (the state after a move),

    .. math::
        g^1 = (1 - Q)^{-1} R K, \qquad B = (1 - Q)^{-1} T, \qquad
        g^* = \sum_{i \ge 0} B^i g^1

    summed until a term is below ``tol`` ticks (ParameterError after ``max_iter`` terms: the sum
    does not converge). The sum converges when :math:`B^\infty g^1 = 0` (Stoikov, section 3), which
    the symmetrisation guarantees: with ``symmetrize=True`` (default, as in the paper) every
    transition is also counted mirrored (imbalance :math:`1 - I`, same spread, move :math:`-\Delta
    M`), so that :math:`g^*(1 - I, S) = -g^*(I, S)` exactly.

    Observations: every row (``sample=None``), or the book in force on a regular time grid
    (``sample="1s"``...). Observations outside the model (empty best level, both best sizes 0, a
    spread of 0 or more than ``n_spread`` ticks) are skipped: a transition goes from one in-model
    observation to the ``step``-th next one. Transitions whose mid moves by more than one tick are
    left out (K covers one tick). A state never observed, or never followed by a mid move, gets NaN
    (and the transitions into it are left out, see ``model.dropped``).

    ``tick``: the tick size; None infers it as the smallest gap between distinct best prices (it
    must then be the true tick: a multiple is detected as off-grid prices). Works for any tick,
    e.g. 0.01 on 60000-priced BTCUSDT: prices are converted to whole ticks with a 1/1000-tick
    tolerance.

    Returns a :class:`MicropriceModel`; apply it with :func:`microprice`. Raises ParameterError for
    bad arguments, off-grid prices, no usable transition, or a non-converging sum.
    """
    fn = "fit_microprice"
    book = require_book(book, fn)
    n_imb = _check_int(n_imb, "n_imb", fn)
    n_spread = _check_int(n_spread, "n_spread", fn)
    step = _check_int(step, "step", fn)
    max_iter = _check_int(max_iter, "max_iter", fn)
    tol = positive_number(tol, "tol", fn)
    if tick is None:
        tick = infer_tick(np.concatenate((book.bid_px[:, 0], book.ask_px[:, 0])), fn)
    tick = check_tick(tick, fn)
    rows = None
    if sample is not None:
        if len(book) == 0:
            raise ParameterError(f"{fn}(): the book has no rows")
        from .._time import to_duration_ns

        f = to_duration_ns(sample, f"{fn}(): sample")
        grid = np.arange(int(book.ts[0]), int(book.ts[-1]) + 1, f, dtype=np.int64)
        rows = np.searchsorted(book.ts, grid, side="right") - 1

    ok, lo, hi, w_lo, mid2 = _states(book, tick, n_imb, n_spread, rows)
    keep = np.flatnonzero(ok)
    n_states = n_imb * n_spread
    if keep.size <= step:
        raise ParameterError(
            f"{fn}(): only {keep.size} observation(s) inside the model (spread 1..{n_spread} ticks of {tick!r}, "
            f"defined imbalance); need more than step={step}"
        )
    cur, nxt = keep[:-step], keep[step:]
    dm = mid2[nxt] - mid2[cur]  # half ticks
    move = np.abs(dm) <= 2
    cur, nxt, dm = cur[move], nxt[move], dm[move]
    k = np.searchsorted(_MOVES_HALF_TICKS, dm)  # index into K for moves
    k = np.where(dm == 0, -1, k)
    # expand each transition into its (up to 4) weighted state pairs
    xs, ys, ks, ws = [], [], [], []
    for xc, wc in ((lo[cur], w_lo[cur]), (hi[cur], 1.0 - w_lo[cur])):
        for yn, wn in ((lo[nxt], w_lo[nxt]), (hi[nxt], 1.0 - w_lo[nxt])):
            w = wc * wn
            sel = w > 0
            xs.append(xc[sel])
            ys.append(yn[sel])
            ks.append(k[sel])
            ws.append(w[sel])
    x, y, kk, w = (np.concatenate(a) for a in (xs, ys, ks, ws))
    if symmetrize:
        s_x, b_x = np.divmod(x, n_imb)
        s_y, b_y = np.divmod(y, n_imb)
        mx = s_x * n_imb + (n_imb - 1 - b_x)
        my = s_y * n_imb + (n_imb - 1 - b_y)
        mk = np.where(kk < 0, -1, 3 - kk)  # K reversed is -K
        x, y, kk, w = np.concatenate((x, mx)), np.concatenate((y, my)), np.concatenate((kk, mk)), np.concatenate((w, w))

    total_weight = float(w.sum())
    good = np.ones(n_states, dtype=bool)
    while True:
        sel = good[x] & good[y]
        xi, yi, ki, wi = x[sel], y[sel], kk[sel], w[sel]
        still = ki < 0
        cq = np.bincount(xi[still] * n_states + yi[still], wi[still], n_states * n_states).reshape(n_states, n_states)
        moved = ~still
        cr = np.bincount(xi[moved] * 4 + ki[moved], wi[moved], n_states * 4).reshape(n_states, 4)
        ct = np.bincount(xi[moved] * n_states + yi[moved], wi[moved], n_states * n_states).reshape(n_states, n_states)
        tot = cq.sum(axis=1) + cr.sum(axis=1)
        new_good = good & (tot > 0) & _reachable_move(cq, cr.sum(axis=1) > 0)
        if np.array_equal(new_good, good):
            break
        good = new_good
    if not good.any():
        raise ParameterError(
            f"{fn}(): no state of the model is ever followed by a mid-price move of at most one tick "
            f"({keep.size} in-model observations); need more data or more spread states"
        )
    dropped = total_weight - float(wi.sum())

    safe = np.where(tot > 0, tot, 1.0)[:, None]
    Q, R, T = cq / safe, cr / safe, ct / safe
    moves = _MOVES_HALF_TICKS * (tick / 2.0)
    eye = np.eye(n_states)
    g1 = np.linalg.solve(eye - Q, R @ moves)
    B = np.linalg.solve(eye - Q, T)
    g = g1.copy()
    term = g1
    threshold = tol * tick
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        term = B @ term
        g += term
        if np.max(np.abs(term)) <= threshold:
            break
    else:
        hint = (
            "symmetrize=True makes it converge"
            if not symmetrize
            else "the estimated chain drifts or cycles (too few transitions for "
            f"{n_imb} x {n_spread} states: use fewer buckets or spread states, or more data)"
        )
        raise ParameterError(
            f"{fn}(): the sum of B^i g1 did not converge in {max_iter} terms (last term "
            f"{np.max(np.abs(term)):.3g} in price units); {hint}"
        )
    g[~good] = np.nan
    g1 = np.where(good, g1, np.nan)
    return MicropriceModel(
        tick=tick,
        n_imb=n_imb,
        n_spread=n_spread,
        step=step,
        symmetrize=bool(symmetrize),
        adjustment=g.reshape(n_spread, n_imb),
        g1=g1.reshape(n_spread, n_imb),
        Q=Q,
        R=R,
        T=T,
        B=B,
        counts=tot.reshape(n_spread, n_imb),
        dropped=dropped,
        iterations=iterations,
    )


_FIT_KEYS = ("n_imb", "n_spread", "tick", "step", "sample", "symmetrize", "tol", "max_iter")


def microprice(book, model: MicropriceModel | None = None, **fit_kwargs) -> np.ndarray:
    r"""Stoikov's micro-price of each row: :math:`P^{micro}_t = M_t + g^*(I_t, S_t)`.

    Stoikov (2018), "The micro-price: a high-frequency estimator of future prices", *Quantitative
    Finance* 18(12): :math:`M_t` the mid, :math:`g^*` the adjustment of a
    :class:`MicropriceModel` (see :func:`fit_microprice`) at the row's imbalance bucket and spread
    in ticks. With ``model=None`` the model is fitted on ``book`` itself (in-sample) with
    ``fit_kwargs`` (``n_imb``, ``n_spread``, ``tick``, ``step``, ``sample``, ``symmetrize``,
    ``tol``, ``max_iter``); for an honest out-of-sample estimate fit on earlier data and pass
    ``model=``. A row with imbalance exactly 1/2 and an even ``n_imb`` takes the mean of the two
    central buckets (0 by symmetry).

    Returns float64 (T,); NaN where the row is outside the model (empty best level, both best sizes
    0, spread not in 1..n_spread ticks) or its state has no estimate. Raises ParameterError for bad
    arguments, prices off the model's tick grid, or ``fit_kwargs`` given together with ``model``.
    """
    book = require_book(book, "microprice")
    unknown = set(fit_kwargs) - set(_FIT_KEYS)
    if unknown:
        raise ParameterError(f"microprice(): unexpected argument(s) {sorted(unknown)}; fit options are {_FIT_KEYS}")
    if model is None:
        model = fit_microprice(book, **fit_kwargs)
    elif not isinstance(model, MicropriceModel):
        raise ParameterError(f"microprice(): model must be a MicropriceModel, got {type(model).__name__}")
    elif fit_kwargs:
        raise ParameterError(f"microprice(): fit options {sorted(fit_kwargs)} cannot be used with model=")
    # one compiled pass: ticks, grid check, state and look-up per row (same arithmetic as _states)
    bid, ask = book.bid_px[:, 0], book.ask_px[:, 0]
    g = np.ascontiguousarray(model.adjustment, dtype=np.float64).ravel()
    out = np.empty(len(book))
    bad = np.empty(2, dtype=np.int64)
    tick = float(model.tick)
    _k.microprice(
        bid, ask, book.bid_sz[:, 0], book.ask_sz[:, 0], tick, GRID_TOLERANCE, model.n_imb, model.n_spread, g, out, bad
    )
    if bad[0] >= 0:
        to_ticks(bid, tick, "best bid")  # raises the ParameterError naming the row
    if bad[1] >= 0:
        to_ticks(ask, tick, "best ask")
    return out

"""Many days with Dask: a Parquet store (:mod:`obi_widgets.io.parquet`) as a Dask DataFrame, metrics per
partition with the previous rows carried over, and per instrument-day aggregations as small pandas frames.

Needs the ``[dask]`` extra (``dask[dataframe]``, ``distributed``); Dask is imported inside the
functions, so ``import obi_widgets`` never loads it. Every function computes with Dask's current
scheduler: the default threads, or whatever ``distributed.Client`` is active (a ``LocalCluster`` in
a notebook, or ``Client("tcp://scheduler:8786")`` for any cluster): the same code runs on all of
them. Workers read the Parquet files themselves, so on a cluster the store's ``root`` must be a
path every worker sees (a shared filesystem).

- :func:`open_store`: one partition per instrument-day file (``split="file"``) or per row group
  (``split="row_group"``, i.e. per chunk written), in (instrument, time) order; columns ``ts``,
  ``bid_px_1 ..`` (books) or ``price, size, side`` (trades), ``instrument``, ``date``.
- :func:`map_book`: any per-row metric of a :class:`~obi_widgets.Book`, per partition, each
  partition's book starting with the previous partition's last ``carry`` rows of the same
  instrument, so that OFI (needs the previous row) and forward returns over ``h`` rows
  (``align="forward"``, ``carry=h``) equal the single-process result on the whole series, bit for bit.
- :func:`per_day`: the same row metric gathered per instrument-day, then reduced by a function of
  the day (exact: the day's values in time order, whatever the partitioning).
- Ready-made days: :func:`ofi_regressions` (Cont, Kukanov & Stoikov 2014), :func:`imbalance_profiles`
  (Gould & Bonart 2016), :func:`vpin_by_day` (Easley, López de Prado & O'Hara 2012) and
  :func:`daily_summary` (spread, depth, imbalance, OFI, prices).

Carried rows cross day boundaries within an instrument (the first row of a day's OFI uses the
previous day's last book, as on the whole series), never between instruments.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError
from .io.parquet import _SIDES, StoreError, book_columns, instruments, select_parts

_ALIGNS = ("backward", "forward")
_SPLITS = ("file", "row_group")


@dataclass(frozen=True)
class Piece:
    """One partition of a store: a part file (or one row group of it), its instrument and day."""

    path: str
    row_group: int | None
    instrument: str
    date: str
    kind: str
    columns: tuple[str, ...]
    start: int | None
    end: int | None
    name: str | None
    meta: tuple
    rows: int  # from the file's metadata; 0 when start/end may trim it (a lower bound)


def _empty_frame(piece_columns, kind: str) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for c in piece_columns:
        if c in ("ts", "source_row"):
            cols[c] = np.zeros(0, np.int64)
        elif c == "side":
            cols[c] = np.zeros(0, np.int8)
        elif c.startswith("flag_"):
            cols[c] = np.zeros(0, bool)
        else:
            cols[c] = np.zeros(0, np.float64)
    frame = pd.DataFrame(cols)
    frame["instrument"] = pd.Series([], dtype="string")
    frame["date"] = pd.Series([], dtype="string")
    return frame


def load_piece(piece: Piece) -> pd.DataFrame:
    """Read one partition of a store as a pandas frame (what each Dask task of :func:`open_store` runs)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(piece.path)
    cols = list(piece.columns)
    table = pf.read(columns=cols) if piece.row_group is None else pf.read_row_group(piece.row_group, columns=cols)
    data = {c: table.column(c).to_numpy() for c in cols}
    if piece.start is not None or piece.end is not None:
        ts = data["ts"]
        a = 0 if piece.start is None else int(np.searchsorted(ts, piece.start, "left"))
        b = len(ts) if piece.end is None else int(np.searchsorted(ts, piece.end, "left"))
        data = {c: v[a:b] for c, v in data.items()}
    frame = pd.DataFrame(data, copy=False)
    n = len(frame)
    frame["instrument"] = pd.Series([piece.instrument] * n, dtype="string")
    frame["date"] = pd.Series([piece.date] * n, dtype="string")
    frame.attrs["obi_widgets"] = {"name": piece.name, "meta": dict(piece.meta), "kind": piece.kind}
    return frame


def _store_pieces(root, kind, instrument, start, end, split, levels) -> list[Piece]:
    from ._time import to_ns

    if split not in _SPLITS:
        raise ParameterError(f"open_store: split must be one of {_SPLITS}, got {split!r}")
    names = (
        instruments(root, kind)
        if instrument is None
        else ([instrument] if isinstance(instrument, str) else list(instrument))
    )
    lo = None if start is None else to_ns(start)
    hi = None if end is None else to_ns(end)
    pieces: list[Piece] = []
    width = None
    for name in names:
        infos = select_parts(root, kind, name, start, end)
        if not infos:
            continue
        first = infos[0]
        if kind == "trades":
            cols = ("ts", "price", "size", "side")
        else:
            w = first.levels if levels is None else int(levels)
            if levels is not None and not 1 <= w <= first.levels:
                raise ParameterError(f"open_store: levels={levels!r} but {first.path} has {first.levels} levels")
            if width is not None and w != width:
                raise StoreError(
                    f"schema mismatch: {first.path} has {first.levels} levels, other instruments {width}; "
                    "pass levels= to read the same number from each"
                )
            width = w
            cols = ("ts", *book_columns(w))
        meta = tuple(sorted(first.meta.items()))
        for info in infos:
            groups = [None] if split == "file" else list(range(len(info.row_groups)))
            for g in groups:
                spans = info.row_groups if g is None else [info.row_groups[g]]
                if lo is not None and max(b for _, _, b in spans) < lo:
                    continue
                if hi is not None and min(a for _, a, _ in spans) >= hi:
                    continue
                rows = sum(r for r, _, _ in spans) if lo is None and hi is None else 0
                pieces.append(Piece(str(info.path), g, name, info.date, kind, cols, lo, hi, first.name, meta, rows))
    if not pieces:
        raise StoreError(f"no {kind} data in {root} for {names} between {start} and {end}")
    return pieces


def open_store(root, kind: str = "book", *, instrument=None, start=None, end=None, split: str = "file", levels=None):
    """The store at ``root`` as a Dask DataFrame, one partition per instrument-day file or row group.

    ``kind``: "book", "trades" or "bbo". ``instrument``: a name or a list (default all).
    ``start``/``end``: keep rows with ``start <= ts < end``. ``split``: ``"file"`` (default, one
    partition per part file: a day written in one call) or ``"row_group"`` (one per chunk written).
    ``levels``: read the best ``levels`` levels only. Partitions come in (instrument, time) order;
    the divisions are unknown (the index is a plain range per partition). Columns: ``ts`` (int64
    ns), the level or trade columns of :mod:`obi_widgets.io.parquet`, ``instrument`` and ``date``
    (strings). Raises StoreError (no store, no data, parts that disagree).
    """
    import dask.dataframe as dd

    from .io.parquet import _check_kind

    _check_kind(kind)
    pieces = _store_pieces(root, kind, instrument, start, end, split, levels)
    frame = dd.from_map(load_piece, pieces, meta=_empty_frame(pieces[0].columns, kind), enforce_metadata=False)
    frame._obi_pieces = pieces  # map_book and per_day need the partitions' instrument and day
    return frame


def _pieces_of(store, kind: str = "book"):
    if isinstance(store, (str, Path)):
        store = open_store(store, kind)
    pieces = getattr(store, "_obi_pieces", None)
    if pieces is None or len(pieces) != store.npartitions:
        raise ParameterError(
            "pass the Dask DataFrame that obi_widgets.dask.open_store returned (or the store's root): "
            "the partition of each instrument-day must be known"
        )
    return store, pieces


# -- per-partition evaluation ---------------------------------------------------------------------------
def _book_of(frame: pd.DataFrame, info: dict):
    from .book import Book

    levels = sum(1 for c in frame.columns if c.startswith("bid_px_"))
    blocks = [np.column_stack([frame[f"{s}_{k}"].to_numpy() for k in range(1, levels + 1)]) for s in _SIDES]
    return Book(frame["ts"].to_numpy(), *blocks, name=info.get("name"), meta=info.get("meta"), validate=False)


def _trades_of(frame: pd.DataFrame, info: dict):
    from .trades import Trades

    cols = (frame[c].to_numpy() for c in ("ts", "price", "size", "side"))
    return Trades(*cols, name=info.get("name"), validate=False)


def _tail(prev_tail: pd.DataFrame | None, part: pd.DataFrame, instrument: str, carry: int) -> pd.DataFrame:
    """The last ``carry`` rows of the instrument's series so far (previous carried rows + this partition)."""
    both = part
    if prev_tail is not None and len(part) < carry:
        same = prev_tail[prev_tail["instrument"] == instrument]
        if len(same):
            both = pd.concat([same, part], ignore_index=True) if len(part) else same
    return both.iloc[max(0, len(both) - carry) :].copy()


def _as_columns(result, n: int, name: str) -> dict[str, np.ndarray]:
    if isinstance(result, pd.DataFrame):
        out = {str(c): result[c].to_numpy() for c in result.columns}
    elif isinstance(result, pd.Series):
        out = {str(result.name) if result.name is not None else name: result.to_numpy()}
    else:
        arr = np.asarray(result)
        if arr.ndim == 1:
            out = {name: arr}
        elif arr.ndim == 2:
            out = {f"{name}_{j}": arr[:, j] for j in range(arr.shape[1])}
        else:
            raise ParameterError(f"map_book: {name} returned an array of shape {arr.shape}; expected (T,) or (T, K)")
    for col, values in out.items():
        if values.shape[0] != n:
            raise ParameterError(
                f"map_book: {name} returned {values.shape[0]} values ({col}) for a book of {n} rows; it must "
                "return one value per row (bin afterwards with per_day)"
            )
    return out


def apply_rows(
    fn, part, prev_tail, instrument: str, next_instrument, carry: int, align: str, kind: str = "book"
) -> pd.DataFrame:
    """Evaluate ``fn`` on one partition's book (previous rows prepended) and keep its exact rows.

    ``align="backward"``: values of the partition's own rows (the carried rows only fed them).
    ``align="forward"``: values of the carried rows (now exact: their next rows are here) and of the
    own rows except the last ``carry``, unless the series ends with this partition.
    """
    info = part.attrs.get("obi_widgets", {})
    frame, c = part, 0
    if prev_tail is not None:
        ahead = prev_tail[prev_tail["instrument"] == instrument]
        c = len(ahead)
        if c:
            frame = pd.concat([ahead, part], ignore_index=True)
    if len(frame) == 0:  # a partition emptied by start/end, nothing carried: no rows, no call
        return pd.DataFrame(frame, columns=["ts", "instrument", "date"]).reset_index(drop=True)
    if align == "backward":
        keep = slice(c, len(frame))
    else:
        last = next_instrument != instrument
        keep = slice(0, len(frame) if last else max(0, len(frame) - carry))
    data = _book_of(frame, info) if kind != "trades" else _trades_of(frame, info)
    name = getattr(fn, "__name__", "value")
    values = _as_columns(fn(data), len(frame), name if name != "<lambda>" else "value")
    out = pd.DataFrame({"ts": frame["ts"].to_numpy()[keep]})
    out["instrument"] = frame["instrument"].iloc[keep].reset_index(drop=True)
    out["date"] = frame["date"].iloc[keep].reset_index(drop=True)
    for col, v in values.items():
        out[col] = v[keep]
    out.attrs["obi_widgets"] = info
    return out


def _check(carry, align) -> int:
    if isinstance(carry, bool) or not isinstance(carry, (int, np.integer)) or carry < 0:
        raise ParameterError(f"carry must be an int >= 0 (rows), got {carry!r}")
    if align not in _ALIGNS:
        raise ParameterError(f"align must be one of {_ALIGNS}, got {align!r}")
    if align == "forward" and carry < 1:
        raise ParameterError("align='forward' needs carry >= 1 (the horizon, in rows)")
    return int(carry)


def _row_tasks(store, fn, carry: int, align: str, kind: str):
    from dask.delayed import delayed

    store, pieces = _pieces_of(store, kind)
    parts = store.to_delayed()
    tails: list[Any] = [None]
    if carry:
        for i in range(len(parts) - 1):
            tails.append(delayed(_tail)(tails[-1], parts[i], pieces[i].instrument, carry))
    tasks = []
    for i, part in enumerate(parts):
        prev = tails[i] if carry else None
        nxt = pieces[i + 1].instrument if i + 1 < len(pieces) else None
        tasks.append(delayed(apply_rows)(fn, part, prev, pieces[i].instrument, nxt, carry, align, kind))
    return tasks, pieces


def map_book(store, fn: Callable, *, carry: int = 1, align: str = "backward", meta=None):
    """Run a per-row metric ``fn(book) -> array (T,) | (T, K) | Series | DataFrame`` on every partition, lazily.

    Each partition's book starts with the previous partition's last ``carry`` rows of the same
    instrument (across day boundaries), so a metric needing the previous row (:func:`~obi_widgets.metrics.ofi`,
    ``carry=1``) gives, on every row, the value it has on the whole series. For a metric looking
    ``h`` rows ahead (:func:`~obi_widgets.metrics.forward_return` with ``horizon=h``), pass
    ``align="forward", carry=h``: each row's value then comes from the partition holding row + h.
    Metrics looking a duration ahead need all the rows of that duration: carry enough rows, or
    compute them per day with :func:`per_day`.

    ``store``: the frame :func:`open_store` returned, or a root path. ``meta``: the output's Dask
    meta (default: computed from the first partition). Returns a Dask DataFrame with columns
    ``ts``, ``instrument``, ``date`` and the metric's columns (its Series name, DataFrame columns,
    or ``fn.__name__`` / ``fn.__name__ + "_j"`` for arrays), one row per book row, in order.
    """
    import dask.dataframe as dd

    carry = _check(carry, align)
    tasks, _ = _row_tasks(store, fn, carry, align, "book")
    if meta is None:
        meta = tasks[0].compute().iloc[:0]
    return dd.from_delayed(tasks, meta=meta, verify_meta=False)


def _gather_day(day_fn, key, outputs):
    frames = [o[(o["instrument"] == key[0]) & (o["date"] == key[1])] for o in outputs]
    day = pd.concat(frames, ignore_index=True)
    return key, day_fn(day)


def per_day(
    store,
    row_fn: Callable,
    day_fn: Callable,
    *,
    carry: int = 1,
    align: str = "backward",
    kind: str = "book",
    scheduler=None,
) -> dict:
    """``day_fn(frame)`` for every instrument-day of the store, computed in parallel; returns ``{(instrument, date): result}``.

    ``row_fn(book)`` (or ``row_fn(trades)`` for ``kind="trades"``) runs per partition as in
    :func:`map_book` (``carry``, ``align``); ``day_fn`` then gets the day's rows in time order as
    one pandas frame (``ts``, ``instrument``, ``date``, the metric's columns), exactly what the
    single-process metric gives for that day's rows of the whole series. ``scheduler``: passed to
    :func:`dask.compute` (None: the active Client or the default threads).
    """
    from dask.base import compute
    from dask.delayed import delayed

    carry = _check(carry, align)
    tasks, pieces = _row_tasks(store, row_fn, carry, align, kind)
    owners: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pieces):
        idx = owners.setdefault((p.instrument, p.date), [])
        idx.append(i)
        if align != "forward":
            continue
        between = 0  # later partitions finish this day's last rows while fewer than carry rows lie between
        for j in range(i + 1, len(pieces)):
            if pieces[j].instrument != p.instrument or between >= carry:
                break
            idx.append(j)
            between += pieces[j].rows
    jobs = [delayed(_gather_day)(day_fn, key, [tasks[i] for i in sorted(set(idx))]) for key, idx in owners.items()]
    done = compute(*jobs, scheduler=scheduler)
    return dict(done)


# -- ready-made days ------------------------------------------------------------------------------------
def _ofi_mid(book) -> pd.DataFrame:
    from .metrics import mid, ofi

    return pd.DataFrame({"ofi": ofi(book), "mid": mid(book)})


@dataclass(frozen=True)
class _OfiDay:
    freq: Any

    def __call__(self, day: pd.DataFrame) -> dict:
        return ofi_regression_of_day(day["ts"].to_numpy(), day["ofi"].to_numpy(), day["mid"].to_numpy(), self.freq)


def ofi_regression_of_day(ts: np.ndarray, ofi_rows: np.ndarray, mid_rows: np.ndarray, freq="10s") -> dict:
    r"""The Cont, Kukanov & Stoikov (2014) regression of one day, from its per-row OFI and mid.

    Bins of ``freq`` (aligned on the epoch, :func:`~obi_widgets.metrics.aggregate`):
    :math:`\mathrm{OFI}_k = \sum_{n \in k} e_n` and :math:`\Delta P_k = P_k - P_{k-1}` with
    :math:`P_k` the mid in force at the end of bin k (last row's mid, carried through empty bins);
    then OLS :math:`\Delta P_k = \alpha + \beta\, \mathrm{OFI}_k + \varepsilon_k` over the bins
    after the first (:func:`~obi_widgets.metrics.regress`). Cont, Kukanov & Stoikov, "The price
    impact of order book events", *J. Financial Econometrics* 12(1), 47-88. Returns slope,
    intercept, stderr, t_stat, r2, n (NaN statistics when fewer than 3 bins or no OFI variation).
    """
    from .metrics import aggregate, regress

    nan = {"slope": math.nan, "intercept": math.nan, "stderr": math.nan, "t_stat": math.nan, "r2": math.nan, "n": 0}
    if len(ts) == 0:
        return nan
    flow = aggregate(ofi_rows, ts, freq, "sum").to_numpy()
    price = aggregate(mid_rows, ts, freq, "last").ffill().to_numpy()
    try:
        fit = regress(flow[1:], np.diff(price))
    except ParameterError:
        return nan
    return fit.to_dict()


def _frame(results: dict, index_names=("instrument", "date")) -> pd.DataFrame:
    keys = sorted(results)
    frame = pd.DataFrame([results[k] for k in keys], index=pd.MultiIndex.from_tuples(keys, names=list(index_names)))
    return frame


def ofi_regressions(store, freq="10s", *, scheduler=None) -> pd.DataFrame:
    r"""Per instrument-day OLS of mid changes on order-flow imbalance (Cont, Kukanov & Stoikov 2014).

    :math:`\Delta P_k = \alpha + \beta\, \mathrm{OFI}_k + \varepsilon_k` over the ``freq`` bins of
    each day (see :func:`ofi_regression_of_day`), with level-1 OFI
    :math:`e_n = \mathbb 1\{P^b_n \ge P^b_{n-1}\} q^b_n - \mathbb 1\{P^b_n \le P^b_{n-1}\} q^b_{n-1}
    - \mathbb 1\{P^a_n \le P^a_{n-1}\} q^a_n + \mathbb 1\{P^a_n \ge P^a_{n-1}\} q^a_{n-1}` computed
    over the whole series (the previous row carried across partitions and days). Cont, Kukanov &
    Stoikov, "The price impact of order book events", *J. Financial Econometrics* 12(1), 2014.
    Returns a frame indexed by (instrument, date): slope, intercept, stderr, t_stat, r2, n.
    """
    return _frame(per_day(store, _ofi_mid, _OfiDay(freq), carry=1, scheduler=scheduler))


@dataclass(frozen=True)
class _ImbalanceMove:
    horizon: int

    def __call__(self, book) -> pd.DataFrame:
        from .metrics import forward_return, level1_imbalance

        return pd.DataFrame({"signal": level1_imbalance(book), "move": forward_return(book, self.horizon)})


@dataclass(frozen=True)
class _ProfileDay:
    bins: Any
    binning: str

    def __call__(self, day: pd.DataFrame):
        from .metrics import imbalance_profile

        try:
            return imbalance_profile(day["signal"].to_numpy(), day["move"].to_numpy(), self.bins, binning=self.binning)
        except ParameterError:
            return None


def imbalance_profiles(store, horizon: int = 1, bins=10, *, binning: str = "quantile", scheduler=None) -> pd.DataFrame:
    r"""Per instrument-day profile of the mid move ``horizon`` rows ahead by level-1 imbalance bucket.

    Signal :math:`I_t = (Q^b_t - Q^a_t)/(Q^b_t + Q^a_t)`, move :math:`\Delta_t = m_{t+h} - m_t`
    (:func:`~obi_widgets.metrics.forward_return`, rows carried across partitions so the last rows
    of a partition are exact; the move of a day's last rows reaches into the next day, as on the
    whole series), bucketed per day by :func:`~obi_widgets.metrics.imbalance_profile` (``bins``,
    ``binning``): count, signal_mean, move_mean, p_up :math:`= P(\Delta > 0 \mid \Delta \ne 0)`,
    p_zero. Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price predictor in a limit
    order book", *Market Microstructure and Liquidity* 2(2). Returns a frame indexed by
    (instrument, date, bucket).
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"imbalance_profiles: horizon must be an int >= 1 (rows), got {horizon!r}")
    res = per_day(
        store,
        _ImbalanceMove(int(horizon)),
        _ProfileDay(bins, binning),
        carry=int(horizon),
        align="forward",
        scheduler=scheduler,
    )
    frames = {k: v for k, v in sorted(res.items()) if v is not None}
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, names=["instrument", "date"])


def _trade_rows(trades) -> pd.DataFrame:
    return pd.DataFrame({"price": trades.price, "size": trades.size, "side": trades.side})


@dataclass(frozen=True)
class _VpinDay:
    bucket_volume: Any
    window: int
    classification: str

    def __call__(self, day: pd.DataFrame) -> dict:
        from .metrics import vpin
        from .trades import Trades

        trades = Trades(
            day["ts"].to_numpy(),
            day["price"].to_numpy(),
            day["size"].to_numpy(),
            day["side"].to_numpy(),
            validate=False,
        )
        volume = float(np.sum(trades.size))
        v = volume / 50.0 if self.bucket_volume is None else float(self.bucket_volume)
        row = {"trades": len(trades), "volume": volume, "bucket_volume": v}
        series = vpin(trades, v, self.window, self.classification) if v > 0 else pd.Series([], dtype=np.float64)
        values = series.to_numpy()
        finite = values[np.isfinite(values)]
        row["buckets"] = int(values.size)
        row["vpin_mean"] = float(finite.mean()) if finite.size else math.nan
        row["vpin_max"] = float(finite.max()) if finite.size else math.nan
        row["vpin_last"] = float(finite[-1]) if finite.size else math.nan
        return row


def vpin_by_day(
    store, bucket_volume=None, window: int = 50, classification: str = "side", *, scheduler=None
) -> pd.DataFrame:
    r"""VPIN per instrument-day from a trades store (``open_store(root, "trades")`` or its root).

    :math:`\mathrm{VPIN}_k = \sum_{\tau=k-n+1}^{k} |V^B_\tau - V^S_\tau| / (nV)` over the last
    ``window`` = n equal-volume buckets of volume V (:func:`~obi_widgets.metrics.vpin`); Easley,
    López de Prado & O'Hara (2012), "Flow toxicity and liquidity in a high-frequency world", *Review
    of Financial Studies* 25(5). Buckets restart each day. ``bucket_volume``: V (size units), or
    None for each day's volume / 50 (the paper's choice with the day's own volume). Returns a frame
    indexed by (instrument, date): trades, volume, bucket_volume, buckets, vpin_mean, vpin_max,
    vpin_last (NaN when fewer than ``window`` buckets).
    """
    day = _VpinDay(bucket_volume, int(window), classification)
    if isinstance(store, (str, Path)):
        store = open_store(store, "trades")
    return _frame(per_day(store, _trade_rows, day, carry=0, kind="trades", scheduler=scheduler))


def _liquidity_rows(book) -> pd.DataFrame:
    from .metrics import depth, level1_imbalance, mid, ofi, spread

    m = mid(book)
    return pd.DataFrame(
        {
            "mid": m,
            "spread": spread(book),
            "depth": depth(book),
            "imbalance": level1_imbalance(book),
            "ofi": ofi(book),
        }
    )


def _liquidity_day(day: pd.DataFrame) -> dict:
    m = day["mid"].to_numpy()
    s = day["spread"].to_numpy()
    ok = np.isfinite(m)
    rel = np.full(len(m), np.nan)
    np.divide(s * 1e4, m, out=rel, where=ok & (m != 0))

    def mean(x):
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else math.nan

    mids = m[ok]
    ts = day["ts"].to_numpy()
    spreads = s[np.isfinite(s)]
    return {
        "rows": len(day),
        "start": pd.Timestamp(int(ts[0])) if len(ts) else pd.NaT,
        "end": pd.Timestamp(int(ts[-1])) if len(ts) else pd.NaT,
        "mid_open": float(mids[0]) if mids.size else math.nan,
        "mid_high": float(mids.max()) if mids.size else math.nan,
        "mid_low": float(mids.min()) if mids.size else math.nan,
        "mid_close": float(mids[-1]) if mids.size else math.nan,
        "spread_mean": mean(s),
        "spread_median": float(np.median(spreads)) if spreads.size else math.nan,
        "spread_bps_mean": mean(rel),
        "depth_mean": mean(day["depth"].to_numpy()),
        "imbalance_mean": mean(day["imbalance"].to_numpy()),
        "ofi_sum": float(np.sum(day["ofi"].to_numpy())),
    }


def daily_summary(store, *, scheduler=None) -> pd.DataFrame:
    r"""Daily liquidity per instrument-day: one row each, means over the day's book rows (event-weighted).

    Columns: rows, start, end; mid_open/high/low/close (mid :math:`m = (P^b + P^a)/2`);
    spread_mean, spread_median (:math:`P^a - P^b`), spread_bps_mean (:math:`10^4 (P^a - P^b)/m`);
    depth_mean (all stored levels, both sides, :func:`~obi_widgets.metrics.depth`; Harris 2003,
    *Trading and Exchanges*); imbalance_mean (level-1 :math:`(Q^b - Q^a)/(Q^b + Q^a)`, Gould & Bonart
    2016); ofi_sum (level-1 OFI of Cont, Kukanov & Stoikov 2014, summed over the day). Rows with a
    side empty are left out of the means.
    """
    return _frame(per_day(store, _liquidity_rows, _liquidity_day, carry=1, scheduler=scheduler))


__all__ = [
    "open_store",
    "load_piece",
    "map_book",
    "apply_rows",
    "per_day",
    "ofi_regressions",
    "ofi_regression_of_day",
    "imbalance_profiles",
    "vpin_by_day",
    "daily_summary",
    "Piece",
]

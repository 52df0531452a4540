"""Imbalance metrics: pure functions, numpy arrays in and out.

Each function's docstring gives its formula and the paper it follows; every convention on which
sources disagree (normalisation, levels, weights, trade signing) is a named parameter.

- imbalance at the best quotes and across depth: :func:`level1_imbalance`, :func:`depth_imbalance`,
  :func:`imbalance_atr` (the kit's own swing measure)
- depth profiles: :func:`cumulative_depth`, :func:`cumulative_depth_imbalance`
- imbalance within a price band: :func:`band_imbalance`
- order flow: :func:`ofi` (Cont-Kukanov-Stoikov; multi-level), :func:`integrated_ofi`, :func:`aggregate`
- prices: :func:`mid`, :func:`spread`, :func:`weighted_mid`, :func:`microprice` (Stoikov 2018),
  :func:`fit_microprice`
- trades: :func:`sign_trades`, :func:`bvc_buy_fraction`, :func:`trade_imbalance`,
  :func:`cumulative_volume_delta`, :func:`vpin`, :func:`volume_buckets`, :func:`footprint` (volume
  per bar and price, diagonal imbalances, stacked zones)
- liquidity: :func:`depth`, :func:`book_slope`, :func:`sweep_cost`, :func:`slippage_curve`,
  :func:`kyle_lambda`, :func:`amihud`
- prediction: :func:`next_move`, :func:`forward_return`, :func:`imbalance_profile`, :func:`regress`
- many metrics at once as a DataFrame indexed by the book's times: :func:`frame`
"""

from ._stats import Regression
from .band import band_imbalance
from .footprint import footprint
from .frame import frame
from .imbalance import depth_imbalance, imbalance_atr, level1_imbalance, level_weights
from .liquidity import amihud, book_slope, depth, kyle_lambda, slippage_curve, sweep_cost
from .ofi import IntegratedOFI, aggregate, integrated_ofi, ofi
from .predict import NextMove, forward_return, imbalance_profile, next_move, regress
from .prices import MicropriceModel, fit_microprice, microprice, mid, spread, weighted_mid
from .profile import cumulative_depth, cumulative_depth_imbalance
from .trades import bvc_buy_fraction, cumulative_volume_delta, sign_trades, trade_imbalance
from .vpin import volume_buckets, vpin

__all__ = [
    "level1_imbalance",
    "depth_imbalance",
    "cumulative_depth",
    "cumulative_depth_imbalance",
    "level_weights",
    "imbalance_atr",
    "band_imbalance",
    "ofi",
    "integrated_ofi",
    "IntegratedOFI",
    "aggregate",
    "mid",
    "spread",
    "weighted_mid",
    "microprice",
    "fit_microprice",
    "MicropriceModel",
    "sign_trades",
    "bvc_buy_fraction",
    "trade_imbalance",
    "cumulative_volume_delta",
    "vpin",
    "volume_buckets",
    "depth",
    "book_slope",
    "sweep_cost",
    "slippage_curve",
    "kyle_lambda",
    "amihud",
    "next_move",
    "NextMove",
    "forward_return",
    "imbalance_profile",
    "regress",
    "Regression",
    "frame",
    "footprint",
]

"""Small statistics shared by the trade, liquidity and prediction metrics: the normal CDF and OLS.

No scipy: the normal CDF uses the C library's ``erfc`` through :mod:`math` (exact to double
precision, and ``erfc`` keeps the far tails accurate where ``1 + erf`` would cancel).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ParameterError

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf(x) -> np.ndarray:
    r"""Standard normal CDF :math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)`, float64, NaN kept."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return np.zeros(x.shape)
    return 0.5 * np.asarray(_ERFC(-x / math.sqrt(2.0)), dtype=np.float64)


@dataclass(frozen=True)
class Regression:
    """Result of a one-regressor OLS fit :math:`y = a + b x + e` (see :func:`ols`).

    ``slope`` b, ``intercept`` a (0 when fitted without one), ``stderr`` the classical (homoskedastic)
    standard error of b, ``t_stat`` = b / stderr, ``r2`` the coefficient of determination (centred
    when fitted with an intercept, uncentred otherwise), ``n`` the number of observations used.
    """

    slope: float
    intercept: float
    stderr: float
    t_stat: float
    r2: float
    n: int

    def to_dict(self) -> dict:
        return asdict(self)

    def __getitem__(self, key: str):  # dict-style access: result["slope"]
        return getattr(self, key)


def ols(x, y, *, intercept: bool = True, what: str = "regression") -> Regression:
    r"""OLS of ``y`` on ``x`` (1-D, same length) after dropping rows where either is NaN or infinite.

    With an intercept: :math:`b = \sum (x-\bar x)(y-\bar y) / \sum (x-\bar x)^2`,
    :math:`a = \bar y - b\bar x`, :math:`s^2 = \sum e^2/(n-2)`, :math:`\mathrm{se}(b) = s/\sqrt{\sum (x-\bar x)^2}`,
    :math:`R^2 = 1 - \sum e^2 / \sum (y-\bar y)^2`. Without: :math:`b = \sum xy / \sum x^2`,
    :math:`s^2 = \sum e^2/(n-1)`, :math:`\mathrm{se}(b) = s/\sqrt{\sum x^2}`, :math:`R^2 = 1 - \sum e^2/\sum y^2`.

    Raises ParameterError when fewer than (parameters + 1) rows remain, or when ``x`` is constant
    (zero with ``intercept=False``): the slope is then not identified. A perfect fit has
    stderr 0 and t-stat ±inf (NaN when the slope is 0 too); R² is NaN when ``y`` has no variation.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ParameterError(
            f"{what}: x and y must be 1-D arrays of the same length, got shapes {x.shape} and {y.shape}"
        )
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(x.size)
    k = 2 if intercept else 1
    if n < k + 1:
        raise ParameterError(
            f"{what}: {n} usable (finite) observation(s) after dropping NaN rows; at least {k + 1} are needed"
        )
    if intercept:
        xc, yc = x - x.mean(), y - y.mean()
    else:
        xc, yc = x, y
    sxx = float(xc @ xc)
    if sxx == 0.0 or not np.isfinite(sxx):
        raise ParameterError(
            f"{what}: the regressor has no variation over the {n} usable rows; the slope is not identified"
        )
    b = float(xc @ yc) / sxx
    a = float(y.mean() - b * x.mean()) if intercept else 0.0
    resid = yc - b * xc
    sse = float(resid @ resid)
    syy = float(yc @ yc)
    s2 = sse / (n - k)
    se = math.sqrt(s2 / sxx)
    if se > 0:
        t = b / se
    else:
        t = math.copysign(math.inf, b) if b != 0 else math.nan
    r2 = 1.0 - sse / syy if syy > 0 else math.nan
    return Regression(slope=b, intercept=a, stderr=se, t_stat=t, r2=r2, n=n)

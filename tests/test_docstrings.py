"""Each public metric states its formula, and each literature measure names its paper."""

from __future__ import annotations

import inspect
import re

import pytest

from obi_widgets import metrics

FUNCTIONS = [n for n in metrics.__all__ if inspect.isfunction(getattr(metrics, n))]
# measures from the literature: the docstring must cite the paper (an author and a year)
CITED = [
    "next_move",
    "footprint",
    "level1_imbalance",
    "depth_imbalance",
    "band_imbalance",
    "ofi",
    "integrated_ofi",
    "microprice",
    "fit_microprice",
    "weighted_mid",
    "sign_trades",
    "bvc_buy_fraction",
    "vpin",
    "volume_buckets",
    "book_slope",
    "kyle_lambda",
    "amihud",
    "imbalance_atr",
]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_formula_in_docstring(name):
    doc = inspect.getdoc(getattr(metrics, name)) or ""
    assert len(doc) > 80, f"{name}: docstring too short"
    assert ":math:" in doc or ".. math::" in doc or "=" in doc, f"{name}: no formula in the docstring"


@pytest.mark.parametrize("name", CITED)
def test_paper_is_cited(name):
    doc = inspect.getdoc(getattr(metrics, name)) or ""
    assert re.search(r"\b(19|20)\d\d\b", doc), f"{name}: no paper (year) cited"


def test_kit_own_measure_says_so():
    assert "kit's own" in inspect.getdoc(metrics.imbalance_atr)

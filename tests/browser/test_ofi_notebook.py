"""The OFI price-impact notebook in real JupyterLab: it runs, and its bqplot figures draw."""

from __future__ import annotations

import pytest

from ..conftest import ROOT
from .notebook import error_outputs, open_fresh_copy, run_all

pytestmark = pytest.mark.browser


def test_ofi_price_impact_notebook(lab, page, artifacts, data_dir):
    open_fresh_copy(page, lab, ROOT / "notebooks" / "ofi_price_impact.ipynb")
    run_all(page)
    assert error_outputs(page) == []
    text = page.locator(".jp-OutputArea-output").all_inner_texts()
    joined = "\n".join(text)
    assert "LOBSTER sample not found" not in joined  # the real data was used
    assert "half-hour windows: median R²" in joined
    # the day at a glance: the kit's timeline with the mid and three series
    page.wait_for_selector('.obi-imbalance-timeline[data-obi-ready="true"]', timeout=60_000)
    timeline = page.locator(".obi-imbalance-timeline").first
    timeline.scroll_into_view_if_needed()
    timeline.screenshot(path=str(artifacts / "ofi_price_impact_timeline.png"))
    figures = page.locator(".bqplot.figure")
    figures.first.wait_for(timeout=60_000)
    assert figures.count() == 2
    # the scatter has one dot per 10-second interval
    page.wait_for_function("() => document.querySelectorAll('.bqplot.figure .dot').length > 1000")
    figures.first.scroll_into_view_if_needed()
    page.locator(".widget-hbox").last.screenshot(path=str(artifacts / "ofi_price_impact.png"))
    assert page.obi_errors == [], "\n".join(page.obi_errors)

"""The OrderBookSandbox in real JupyterLab and Chromium: orders placed, cancelled and sent by clicking.

Each click is checked twice: in the page (ladder, read-outs, sentence, fills) and in the kernel
(``sbx.orders()``, ``sbx.history``), since the book lives in Python.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

SBX = ".obi-order-book-sandbox"

CELLS = [
    """import obi_widgets as ow

sbx = ow.OrderBookSandbox(scenario="balanced", seed=1)
sbx""",
    """two = ow.OrderBookSandbox(scenario="two_venues", seed=2)
two""",
]


def kernel_json(page, expr: str):
    out = run_code(page, f'import json as _j; print("OBI_VALUE", _j.dumps({expr}))')
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return json.loads(match.group(1))


def events(view) -> int:
    return int(view.get_attribute("data-obi-row"))


def wait_events(page, index: int, more_than: int) -> None:
    page.wait_for_function(
        "([i, n]) => Number(document.querySelectorAll('.obi-order-book-sandbox')[i].dataset.obiRow) > n",
        arg=[index, more_than],
        timeout=30_000,
    )


def set_size(view, size: int) -> None:
    box = view.locator(".obi-size input")
    box.fill(str(size))
    box.dispatch_event("change")


def test_sandbox_by_clicking(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "sandbox.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        "() => document.querySelectorAll('.obi-order-book-sandbox[data-obi-ready=\"true\"]').length === 2",
        timeout=60_000,
    )
    view = page.locator(SBX).nth(0)
    view.scroll_into_view_if_needed()
    assert events(view) == 1
    rows = view.locator("tr.obi-row")
    assert rows.count() == 24  # 2 * levels + 4 ticks
    assert view.locator(".obi-scenario").input_value() == "balanced"
    described = kernel_json(page, "ow.sandbox.SCENARIOS['balanced'].description")
    assert view.locator(".obi-description").inner_text().startswith(described)
    l1_before = view.locator(".obi-ro-l1 .obi-ro-value").inner_text()
    view.screenshot(path=str(artifacts / "sandbox_start.png"))

    # place a 500 bid by clicking the bid side of the best bid's row
    set_size(view, 500)
    best_bid = float(view.locator("tr.obi-best-bid").get_attribute("data-price"))
    view.locator("tr.obi-best-bid td.obi-bid").click()
    view.locator(".obi-chip").wait_for(state="visible")
    assert view.locator(".obi-chip").count() == 1
    sentence = view.locator(".obi-change").inner_text()
    assert sentence.startswith(f"your 500-lot bid at {best_bid:.2f} raised level-1 imbalance"), sentence
    assert view.locator(".obi-ro-l1 .obi-ro-value").inner_text() != l1_before
    mine = kernel_json(page, "sbx.orders()[['side', 'price', 'size']].values.tolist()")
    assert mine == [["bid", best_bid, 500.0]]
    assert kernel_json(page, "sbx.order_size") == 500.0
    ro = kernel_json(page, "sbx.readouts")
    assert view.locator(".obi-ro-l1 .obi-ro-value").inner_text().startswith(f"{ro['level1_imbalance']:+.3f}")
    # the user's order is the last segment of its queue (time priority), highlighted
    seg = view.locator("tr.obi-best-bid .obi-bar-bid .obi-seg")
    assert "obi-seg-own" in (seg.nth(seg.count() - 1).get_attribute("class") or "")
    view.screenshot(path=str(artifacts / "sandbox_placed.png"))

    # cancel it by clicking it
    view.locator(".obi-chip").click()
    page.wait_for_function("() => document.querySelector('.obi-order-book-sandbox .obi-chip') === null")
    assert view.locator(".obi-change").inner_text().startswith("cancelling your 500-lot bid")
    assert kernel_json(page, "len(sbx.orders())") == 0
    assert view.locator(".obi-ro-l1 .obi-ro-value").inner_text() == l1_before

    # a market buy of 2,000 sweeps several ask levels: fills, average, slippage
    set_size(view, 2000)
    n_before = events(view)
    view.locator(".obi-market-buy").click()
    view.locator(".obi-fills").wait_for(state="visible")
    fills_text = view.locator(".obi-fills").inner_text()
    assert "Last market buy: 2,000 of 2,000 filled" in fills_text, fills_text
    assert "slippage +" in fills_text and "impact on the mid +" in fills_text, fills_text
    fill_rows = view.locator(".obi-fill").count()
    trades = kernel_json(page, "[len(sbx.history.trades), float(sbx.history.trades.size.sum())]")
    assert trades == [fill_rows, 2000.0] and fill_rows >= 2
    assert events(view) == n_before + 1
    view.screenshot(path=str(artifacts / "sandbox_market_buy.png"))

    # Step: 10 simulated events; Run steps until paused
    n_before = events(view)
    view.locator(".obi-step").click()
    page.wait_for_function(
        "(n) => Number(document.querySelector('.obi-order-book-sandbox').dataset.obiRow) === n", arg=n_before + 10
    )
    assert kernel_json(page, "len(sbx.history.book)") == n_before + 10
    view.locator(".obi-run").click()
    wait_events(page, 0, n_before + 40)
    view.locator(".obi-run").click()
    assert view.locator(".obi-run").inner_text() == "Run"
    page.wait_for_timeout(800)  # the step in flight lands
    settled = events(view)
    page.wait_for_timeout(800)
    assert events(view) == settled
    assert kernel_json(page, "len(sbx.history.book)") == settled
    spark = view.locator(".obi-spark-canvas").evaluate(
        "(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (c.width * c.height); }"
    )
    assert spark > 0.02, spark
    view.screenshot(path=str(artifacts / "sandbox_after_run.png"))

    # the scenario picker loads a preset in the kernel
    view.locator(".obi-scenario").select_option("spoof_layering")
    page.wait_for_function(
        "() => document.querySelector('.obi-order-book-sandbox').dataset.obiRow === '1'", timeout=30_000
    )
    assert kernel_json(page, "sbx.scenario") == "spoof_layering"

    # a refused action is said in the view, not as a traceback
    run_code(page, "sbx._on_message(sbx, {'action': 'cancel', 'order_id': 99999, 'seq': 0}, [])")
    view.locator(".obi-error").wait_for(state="visible")
    assert "99999" in view.locator(".obi-error").inner_text()

    # two venues: the ladder shows each venue's size and orders can be sent to one venue
    two = page.locator(SBX).nth(1)
    two.scroll_into_view_if_needed()
    assert two.locator(".obi-venue").is_visible()
    assert two.locator(".obi-venue option").all_inner_texts() == ["venue A", "venue B"]
    label = two.locator("tr.obi-best-bid td.obi-bid .obi-size-label").inner_text()
    assert re.fullmatch(r"[\d,]+ \([\d,]+ \+ [\d,]+\)", label), label
    two.locator(".obi-venue").select_option("B")
    set_size(two, 300)
    two.locator("tr.obi-best-ask td.obi-ask").click()
    two.locator(".obi-chip").wait_for(state="visible")
    assert kernel_json(page, "two.orders()[['side', 'venue', 'size']].values.tolist()") == [["ask", "B", 300.0]]
    two.screenshot(path=str(artifacts / "sandbox_two_venues.png"))

    assert page.obi_errors == []

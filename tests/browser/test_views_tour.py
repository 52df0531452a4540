"""The views tour in real JupyterLab and Chromium: five views over one source, linked in the browser.

Checks each view paints and answers the pointer, then the linking: from the kernel (``src.cursor``),
from the heat map (click, wheel zoom), from the timeline (brush), from the Replay (play), and,
after the kernel is shut down, browser-side only (arrow keys in the depth chart, Replay play).
"""

from __future__ import annotations

import re

import pytest

from ..conftest import ROOT
from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

VIEWS = {
    "heatmap": ".obi-depth-heatmap",
    "ladder": ".obi-ladder",
    "timeline": ".obi-imbalance-timeline",
    "depth": ".obi-depth-chart",
    "replay": ".obi-replay",
}
# views whose data-obi-row follows the cursor (all of them: frame views show the row, time views mark it)
LINKED = list(VIEWS)
POINTER_VIEW = "heatmap"  # the view clicked and wheel-zoomed

# The most painted canvas of a view: painted fraction, distinct colours, size, and its box.
CANVAS_STATS = """(sel) => {
  const root = document.querySelector(sel);
  let best = null;
  for (const c of root.querySelectorAll('canvas')) {
    if (!c.width || !c.height) continue;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) { painted++; colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
    }
    const r = c.getBoundingClientRect();
    const s = { cls: c.className, painted: painted / (c.width * c.height), colours: colours.size,
      area: r.width * r.height, width: c.width, height: c.height };
    if (!best || s.area > best.area) best = s;
  }
  return { canvas: best, text: root.textContent.trim().length };
}"""

ROWS = """(views) => Object.fromEntries(Object.entries(views).map(([k, sel]) => {
  const el = document.querySelector(sel);
  return [k, el && el.dataset.obiRow !== undefined ? Number(el.dataset.obiRow) : null];
}))"""


def rows(page) -> dict[str, int | None]:
    return page.evaluate(ROWS, VIEWS)


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.*)", out)
    assert match, f"unexpected output of {expr!r}: {out!r}"
    return match.group(1).strip()


def main_canvas(page, key: str):
    """The largest canvas of a view, scrolled into view, as a Playwright locator."""
    sel = VIEWS[key]
    cls = page.evaluate(CANVAS_STATS, sel)["canvas"]["cls"].split()[0]
    loc = page.locator(f"{sel} canvas.{cls}").first
    loc.scroll_into_view_if_needed()
    return loc


def wait_rows(page, keys, predicate_js: str, timeout=15_000):
    """Wait until every view in ``keys`` satisfies ``predicate_js`` (a JS expression of ``row``)."""
    page.wait_for_function(
        "([views, keys]) => keys.every((k) => { const el = document.querySelector(views[k]);"
        f" const row = el ? Number(el.dataset.obiRow) : NaN; return {predicate_js}; }})",
        arg=[VIEWS, keys],
        timeout=timeout,
    )


def shot_all(page, artifacts, theme: str) -> None:
    for key, sel in VIEWS.items():
        view = page.locator(sel).first
        view.scroll_into_view_if_needed()
        view.screenshot(path=str(artifacts / f"views_tour_{key}_{theme}.png"))


def test_views_tour(lab, page, artifacts):
    page.set_viewport_size({"width": 1280, "height": 1400})
    open_fresh_copy(page, lab, ROOT / "notebooks" / "views_tour.ipynb")
    run_all(page, timeout_ms=300_000)
    assert error_outputs(page) == []
    n_rows = int(kernel_value(page, "len(book)"))
    assert n_rows > 1000

    # -- each view: ready, painted, hover read-out (Replay: its controls) --------------------------
    for key, sel in VIEWS.items():
        page.wait_for_selector(f'{sel}[data-obi-ready="true"]', timeout=60_000)
        stats = page.evaluate(CANVAS_STATS, sel)
        canvas = stats["canvas"]
        assert canvas is not None, f"{key}: no canvas ({stats})"
        assert canvas["painted"] > 0.03 and canvas["colours"] > 8, f"{key}: canvas looks blank: {stats}"
        if key == "replay":
            for part in (
                "button.obi-replay-play",
                "button.obi-replay-back",
                "button.obi-replay-forward",
                "select.obi-replay-speed",
                "input.obi-replay-slider[type=range]",
                ".obi-replay-time",
            ):
                assert page.locator(f"{sel} {part}").count() == 1, f"replay: missing {part}"
            assert re.search(r"row \d+ / \d+", page.locator(f"{sel} .obi-replay-row").inner_text())
            continue
        box = main_canvas(page, key).bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
        tooltip = page.locator(f"{sel} .obi-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert tooltip.inner_text().strip(), f"{key}: empty hover read-out"
        page.mouse.move(0, 0)
    shot_all(page, artifacts, "light")
    page.screenshot(path=str(artifacts / "views_tour_page_light.png"), full_page=True)

    # -- the kernel moves the cursor: every view follows -------------------------------------------
    target = n_rows // 3
    run_code(page, f"src.cursor = {target}")
    wait_rows(page, LINKED, f"row === {target}")

    # -- a click on the heat map moves the cursor of the others, and of the kernel -----------------
    before = rows(page)
    box = main_canvas(page, POINTER_VIEW).bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    wait_rows(page, ["timeline", "replay"], f"row !== {before['timeline']}")
    clicked = rows(page)["timeline"]
    assert kernel_value(page, "src.cursor") == str(clicked)
    wait_rows(page, LINKED, f"Math.abs(row - {clicked}) <= {n_rows // 500 + 5}")

    # -- a brush on the timeline reaches src.selection ---------------------------------------------
    run_code(page, "src.selection = None")
    box = main_canvas(page, "timeline").bounding_box()
    y = box["y"] + box["height"] * 0.3
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    for f in (0.35, 0.45, 0.55):
        page.mouse.move(box["x"] + box["width"] * f, y)
    page.mouse.up()
    page.wait_for_timeout(300)
    selection = kernel_value(page, "src.selection")
    assert selection != "None", "the brush did not reach src.selection"
    lo, hi = (int(v) for v in re.findall(r"-?\d+", selection))
    assert hi > lo

    # -- a wheel zoom on the heat map changes src.time_range ---------------------------------------
    run_code(page, "src.reset()")
    full = kernel_value(page, "src.time_range[1] - src.time_range[0]")
    box = main_canvas(page, POINTER_VIEW).bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    for _ in range(3):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(100)
    page.wait_for_timeout(400)
    zoomed = kernel_value(page, "src.time_range[1] - src.time_range[0]")
    assert int(zoomed) < int(full), (full, zoomed)
    run_code(page, "src.reset(); src.cursor = 100")
    wait_rows(page, LINKED, "row <= 100")

    # -- Replay: 2 s of play advances every view -------------------------------------------------------
    play = page.locator(f"{VIEWS['replay']} button.obi-replay-play")
    play.scroll_into_view_if_needed()
    start = rows(page)
    play.click()
    page.wait_for_timeout(2000)
    play.click()
    page.wait_for_timeout(300)
    after = rows(page)
    assert all(after[k] > start[k] for k in LINKED), (start, after)
    assert kernel_value(page, "replay.playing") == "False"
    assert abs(int(kernel_value(page, "src.cursor")) - after["replay"]) <= 0

    # -- dark theme ---------------------------------------------------------------------------------
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(800)
    shot_all(page, artifacts, "dark")
    page.screenshot(path=str(artifacts / "views_tour_page_dark.png"), full_page=True)
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    page.wait_for_timeout(800)

    # -- without the kernel: the views stay linked in the browser --------------------------------------
    page.evaluate(
        "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.shutdown(); }"
    )
    page.wait_for_function(
        "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;"
        " return !k || k.status === 'dead' || k.isDisposed; }",
        timeout=30_000,
    )
    start = rows(page)
    depth = page.locator(VIEWS["depth"]).first
    depth.scroll_into_view_if_needed()
    depth.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    moved = rows(page)
    assert all(moved[k] > start[k] for k in LINKED), ("arrow keys without a kernel", start, moved)
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(1500)
    play.click()
    page.wait_for_timeout(300)
    played = rows(page)
    assert all(played[k] > moved[k] for k in LINKED), ("replay without a kernel", moved, played)

    assert page.obi_errors == [], "\n".join(page.obi_errors)

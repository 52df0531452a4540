"""PNG export in real JupyterLab and Chromium: ``to_png``, the download button, the static fallback.

``view.to_png(path, scale=2)`` writes a PNG of the root's CSS size x 2 that is the picture on the
screen: compared with Playwright's screenshot of the root (scale 1), the PNG downsampled to scale
1 differs by a small mean absolute pixel difference (MATCH), while another view or the same view at
another cursor differs by much more. The "Download PNG" button saves the same picture. After the
views paint, their notebook outputs get a static image/png: nbconvert's HTML of the saved notebook
without widget state shows one <img> per display; the live outputs still show one interactive view.
"""

from __future__ import annotations

import base64
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

#: mean |difference| per RGB channel (0-255) between the PNG downsampled to scale 1 and the
#: screenshot (aligned on the pixel grid), at most. Measured: 0.13-0.33 for the five pictures
#: (text antialiasing in the SVG picture); the heatmap's screenshot against the ladder's PNG
#: 41.6; the ladder after a cursor move against its PNG 9.0.
MATCH = 1.5

SETUP = """import obi_widgets as ow
from obi_widgets import datasets
sim = datasets.simulate(seed=3, n_events=3000)
src = ow.BookSource(sim.book, sim.trades, cursor=1500)"""

VIEW_CELLS = {
    "heat": "heat = ow.DepthHeatmap(src, height=260)\nheat",
    "ladder": "ladder = ow.Ladder(src, height=300)\nladder",
    "depth": "depth = ow.DepthChart(src, height=220)\ndepth",
    "dash": "dash = ow.Dashboard(sim.book, sim.trades, height=420, cursor=900)\ndash",
}

PNG_INFO = """async ([b64]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + b64;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return { width: img.naturalWidth, height: img.naturalHeight, colours: colours.size };
}"""

#: mean |a - b| per RGB channel, a: a screenshot of the page region around a root (whole CSS px),
#: b: the root's PNG drawn at [x, y, w, h] in it; a 2 px rim is left out
DIFF_AT = """async ([a64, b64, box]) => {
  const load = async (b) => { const i = new Image(); i.src = 'data:image/png;base64,' + b; await i.decode(); return i; };
  const [a, b] = [await load(a64), await load(b64)];
  const w = a.naturalWidth, h = a.naturalHeight;
  const px = (img, at) => {
    const c = document.createElement('canvas'); c.width = w; c.height = h;
    const ctx = c.getContext('2d'); ctx.imageSmoothingQuality = 'high';
    if (at) ctx.drawImage(img, ...at); else ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, w, h).data;
  };
  const [p, q] = [px(a, null), px(b, box)];
  let sum = 0, n = 0;
  for (let y = 2; y < h - 2; y++) for (let x = 2; x < w - 2; x++) {
    const i = 4 * (y * w + x);
    sum += Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]);
    n += 3;
  }
  return sum / n;
}"""

ROOT_SIZE = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  return [r.width, r.height];
}"""

ROOT_BOX = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  return [r.x, r.y, r.width, r.height];
}"""


def diff(page, shot: bytes, png: bytes, box: list[float]) -> float:
    """Mean |screenshot - PNG| per channel with the PNG downsampled onto the root's box, placed at the
    whole pixels where Chrome paints a root at a fractional offset (it snaps boxes to the pixel
    grid): of the two nearest, the better."""
    x, y, w, h = box
    return min(
        page.evaluate(DIFF_AT, [b64(shot), b64(png), [px, py, w, h]])
        for px in {math.floor(x), math.ceil(x)}
        for py in {math.floor(y), math.ceil(y)}
    )


def screen_of(page, sel: str) -> tuple[bytes, list[float]]:
    """A screenshot of the whole-pixel region around the root ``sel``, and where the root is in it."""
    page.locator(sel).first.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    x, y, w, h = page.evaluate(ROOT_BOX, sel)
    x0, y0 = math.floor(x), math.floor(y)
    clip = {"x": x0, "y": y0, "width": math.ceil(x + w) - x0, "height": math.ceil(y + h) - y0}
    return page.screenshot(clip=clip), [x - x0, y - y0, w, h]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def make_notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def wait_file(path: Path, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 24:
            time.sleep(0.2)  # written in one call; let it land
            return path.read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"{path} was not written within {timeout} s")


PANEL = ".obi-dashboard .obi-dashboard-heatmap > .obi-depth-heatmap"


def top_root(kind: str) -> str:
    """Selector of a top-level view root (not a Dashboard's panel)."""
    cls = {"heat": "obi-depth-heatmap", "ladder": "obi-ladder", "depth": "obi-depth-chart", "dash": "obi-dashboard"}[
        kind
    ]
    return f".jp-OutputArea-output .obi-view.{cls}:not(.obi-dashboard .obi-view)"


def test_to_png_matches_screen_and_download(lab, page, artifacts, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 2600})  # the dashboard's screenshot fits
    nb = make_notebook(tmp_path / "png_export.ipynb", [SETUP, *VIEW_CELLS.values()])
    open_fresh_copy(page, lab, nb)
    run_all(page)
    assert error_outputs(page) == []
    for kind in VIEW_CELLS:
        page.wait_for_selector(f'{top_root(kind)}[data-obi-ready="true"]', timeout=60_000)
    page.wait_for_timeout(1500)  # fine rasters in
    out = tmp_path / "out"

    # a pending export per view, written when the cell has ended
    code = ";".join(f"e_{k} = {k}.to_png({str(out / (k + '.png'))!r}, scale=2)" for k in VIEW_CELLS)
    code += f"; e_panel = dash.heatmap.to_png({str(out / 'panel.png')!r}); print(repr(e_heat))"
    text = run_code(page, code)
    assert "pending" in text, text
    page.mouse.move(0, 0)
    pngs = {k: wait_file(out / f"{k}.png") for k in [*VIEW_CELLS, "panel"]}
    text = run_code(page, "print(repr(e_heat)); print(e_dash.width, e_dash.height)")
    assert "written" in text, text

    for kind, data in pngs.items():
        sel = top_root(kind) if kind != "panel" else PANEL
        w, h = page.evaluate(ROOT_SIZE, sel)
        assert png_size(data) == (round(w * 2), round(h * 2)), (kind, png_size(data), w, h)
        info = page.evaluate(PNG_INFO, [b64(data)])
        assert info["colours"] > 200, (kind, info)
        (artifacts / f"png_export_{kind}.png").write_bytes(data)

    # the same picture as on screen: the root's screenshot vs the PNG downsampled to scale 1
    shots, boxes = {}, {}
    for kind in [*VIEW_CELLS, "panel"]:
        sel = top_root(kind) if kind != "panel" else PANEL
        shots[kind], boxes[kind] = screen_of(page, sel)
        (artifacts / f"png_export_{kind}_screen.png").write_bytes(shots[kind])
    diffs = {k: diff(page, shots[k], pngs[k], boxes[k]) for k in shots}
    print("mean |PNG - screenshot| per channel:", {k: round(v, 2) for k, v in diffs.items()})
    for kind, d in diffs.items():
        assert d < MATCH, (kind, d, diffs)
    # ... and the comparison tells views apart
    other = diff(page, shots["heat"], pngs["ladder"], boxes["heat"])
    print("heatmap screenshot vs ladder PNG:", round(other, 2))
    assert other > 2 * MATCH, other

    # another cursor: the ladder's picture changes beyond MATCH
    run_code(page, "src.cursor = 2400")
    page.wait_for_function(f"() => document.querySelector('{top_root('ladder')}').dataset.obiRow === '2400'")
    moved, box = screen_of(page, top_root("ladder"))
    after = diff(page, moved, pngs["ladder"], box)
    print("ladder at another cursor vs PNG:", round(after, 2))
    assert after > MATCH, after

    # await in the cell: the answer arrives while the cell waits (ipykernel 7 dispatches comms)
    text = run_code(
        page, f"p = await ladder.to_png({str(out / 'awaited.png')!r}, timeout=20)\nprint('AWAITED', p, p.exists())"
    )
    assert re.search(r"AWAITED .*awaited\.png True", text), text
    data = (out / "awaited.png").read_bytes()
    w, h = page.evaluate(ROOT_SIZE, top_root("ladder"))
    assert png_size(data) == (round(w * 2), round(h * 2))

    # to_png in the cell that displays the view (asked before the view exists in the browser)
    early = out / "early.png"
    run_code(
        page,
        f"from IPython.display import display\nv2 = ow.DepthChart(src, height=150)\ndisplay(v2)\ne2 = v2.to_png({str(early)!r})",
    )
    data = wait_file(early)
    w, h = page.evaluate(
        f"""() => {{
          const r = [...document.querySelectorAll('{top_root("depth")}')].pop().getBoundingClientRect();
          return [r.width, r.height];
        }}"""
    )
    assert png_size(data) == (round(w * 2), round(h * 2)), (png_size(data), w, h)

    # the download button: one per displayed widget (the dashboard's panels have none)
    assert page.locator(".obi-dashboard .obi-snapshot").count() == 1
    assert page.locator(f"{top_root('heat')} > .obi-snapshot").count() == 1
    root = page.locator(top_root("heat")).first
    root.scroll_into_view_if_needed()
    button = root.locator(":scope > .obi-snapshot")
    button.hover()  # where a user's pointer is when clicking it (not over the plot: no read-out)
    assert button.get_attribute("aria-label") == "Download PNG"
    page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{top_root('heat')} > .obi-snapshot')).opacity > 0.5"
    )
    root.screenshot(path=str(artifacts / "png_export_button_hover.png"))
    with page.expect_download() as info:
        button.click()
    download = info.value
    saved = artifacts / "png_export_download_heatmap.png"
    download.save_as(str(saved))
    assert download.suggested_filename == "obi-depth-heatmap.png"
    w, h = page.evaluate(ROOT_SIZE, top_root("heat"))
    assert png_size(saved.read_bytes()) == (round(w * 2), round(h * 2))
    assert page.evaluate(PNG_INFO, [b64(saved.read_bytes())])["colours"] > 200

    # the dashboard's button gives the whole dashboard
    dash = page.locator(top_root("dash")).first
    dash.scroll_into_view_if_needed()
    dash.locator(":scope > .obi-snapshot").hover()
    with page.expect_download() as info:
        dash.locator(":scope > .obi-snapshot").click()
    saved = artifacts / "png_export_download_dashboard.png"
    info.value.save_as(str(saved))
    w, h = page.evaluate(ROOT_SIZE, top_root("dash"))
    assert png_size(saved.read_bytes()) == (round(w * 2), round(h * 2))
    assert page.obi_errors == [], page.obi_errors


def test_never_displayed_view_raises(lab, page, tmp_path):
    nb = make_notebook(tmp_path / "png_undisplayed.ipynb", [SETUP, "hidden = ow.Ladder(src)"])
    open_fresh_copy(page, lab, nb)
    run_all(page)
    text = run_code(page, f"hidden.to_png({str(tmp_path / 'x.png')!r})")
    assert "SnapshotError" in text and "has not been displayed" in text, text
    assert not (tmp_path / "x.png").exists()


STATIC_CELLS = [
    SETUP,
    "heat = ow.DepthHeatmap(src, height=240)\nheat",
    "ladder = ow.Ladder(src, height=260)\nladder",
    "heat",  # a second display of the same widget
]

OUTPUT_KINDS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets.filter((c) => c.model.type === 'code').map((c) => {
    const kinds = [];
    for (let i = 0; i < c.model.outputs.length; i++) kinds.push(Object.keys(c.model.outputs.get(i).data).sort());
    return kinds;
  });
}"""


def test_static_fallback(lab, page, artifacts, tmp_path):
    nb = make_notebook(tmp_path / "png_static.ipynb", STATIC_CELLS)
    name = open_fresh_copy(page, lab, nb)
    page.evaluate("() => { globalThis.obiDiscardLog = []; }")
    run_all(page)
    assert error_outputs(page) == []
    # each display gets image/png once the views have painted and settled
    page.wait_for_function(
        """() => {
          const nb = window.jupyterapp.shell.currentWidget;
          const cells = nb.content.widgets.filter((c) => c.model.type === 'code').slice(1);
          return cells.every((c) => c.model.outputs.length === 1 && 'image/png' in c.model.outputs.get(0).data);
        }""",
        timeout=30_000,
    )
    kinds = page.evaluate(OUTPUT_KINDS)
    for cell in kinds[1:]:
        assert cell == [["application/vnd.jupyter.widget-view+json", "image/png", "text/plain"]], kinds
    page.wait_for_timeout(2000)  # a re-render after the update must not start a loop of updates

    # the live outputs still show one view per display, painted and interactive
    heat_roots = page.locator(".jp-OutputArea-output .obi-depth-heatmap")
    assert heat_roots.count() == 2
    assert page.locator(".jp-OutputArea-output .obi-ladder").count() == 1
    assert page.locator(".jp-OutputArea-output img").count() == 0
    for i in range(2):
        page.wait_for_selector(f':nth-match(.jp-OutputArea-output .obi-depth-heatmap, {i + 1})[data-obi-ready="true"]')
    heat = heat_roots.first
    heat.scroll_into_view_if_needed()
    box = heat.locator("canvas.obi-heatmap").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = heat.locator(".obi-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text().strip(), "empty hover read-out"
    page.screenshot(path=str(artifacts / "png_static_live_page.png"))
    # the views thrown away by the update (JupyterLab renders a new one) no longer draw: one cursor
    # move draws as many heatmaps as are displayed
    page.mouse.move(0, 0)
    page.evaluate("() => { globalThis.obiDrawLog = []; }")
    run_code(page, "src.cursor = 700")
    page.wait_for_timeout(1500)
    draws = page.evaluate("() => globalThis.obiDrawLog.map((e) => e[2])")
    print("draws after one cursor move:", {k: draws.count(k) for k in set(draws)})
    discarded = page.evaluate("() => globalThis.obiDiscardLog")
    print("views cleaned up after the update:", discarded)
    assert sorted(discarded) == ["obi-view obi-depth-heatmap"] * 2 + ["obi-view obi-ladder"], discarded
    # the kernel updated each display exactly once
    assert "True" in run_code(page, "print(all(heat._displays.values()) and len(heat._displays) == 2)")

    # save, strip the widget state, convert: one <img> per view display
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    saved_path = lab.root / name
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        saved = nbformat.read(saved_path, as_version=4)
        if all(c.get("outputs") and "image/png" in c.outputs[0].get("data", {}) for c in saved.cells[1:4]):
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the saved notebook has no image/png outputs")
    saved.metadata.pop("widgets", None)
    stripped = tmp_path / "stripped.ipynb"
    nbformat.write(saved, stripped)
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(tmp_path), str(stripped)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = (tmp_path / "stripped.html").read_text()
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 3, len(images)
    for i, data in enumerate(images):
        raw = base64.b64decode(data)
        w, h = png_size(raw)
        assert 300 < w < 2000 and 100 < h < 800, (w, h)
        (artifacts / f"png_static_{i}.png").write_bytes(raw)
    (artifacts / "png_static.html").write_text(html)
    hp = page.context.new_page()
    hp.goto((tmp_path / "stripped.html").as_uri())
    hp.screenshot(path=str(artifacts / "png_static_nbconvert.png"), full_page=True)
    hp.close()
    assert page.obi_errors == [], page.obi_errors


def test_download_in_exported_page(browser, artifacts, tmp_path):
    """In an offline exported page (obi_widgets.report, no kernel) the button still saves the PNG."""
    from obi_widgets.report import export_html

    nb = make_notebook(tmp_path / "png_report.ipynb", [SETUP, VIEW_CELLS["heat"]])
    report = export_html(nb, tmp_path / "png_report.html", timeout=120)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http*://**", lambda route: route.abort())  # offline: nothing may be fetched
    try:
        page.goto(Path(report.path).as_uri())
        root = page.locator('.obi-depth-heatmap[data-obi-ready="true"]').first
        root.wait_for(timeout=60_000)
        button = root.locator(":scope > .obi-snapshot")
        button.hover()
        with page.expect_download() as info:
            button.click()
        saved = artifacts / "png_export_download_report.png"
        info.value.save_as(str(saved))
        w, h = page.evaluate(ROOT_SIZE, ".obi-depth-heatmap")
        assert png_size(saved.read_bytes()) == (round(w * 2), round(h * 2))
        assert page.evaluate(PNG_INFO, [b64(saved.read_bytes())])["colours"] > 200
        assert errors == [], errors
    finally:
        context.close()

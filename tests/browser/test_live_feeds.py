"""Live feeds into displayed views in real JupyterLab and Chromium, about 50 pushes a second for
about 20 s each: ``live.replay`` of the shared Binance capture, and ``live.binance`` against a
local server on 127.0.0.1 speaking the exchange's protocol from the same capture. Afterwards the
views show the last pushed state, and the adapter's book equals the file loader's."""

from __future__ import annotations

import re

import nbformat
import pytest

from ..conftest import DATA, ROOT
from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

CAPTURE = DATA / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"

SETUP = f"""import gzip, sys, time
sys.path.insert(0, {str(ROOT)!r})  # the test server lives in the project's tests/
import numpy as np
import obi_widgets as ow
from obi_widgets import live
from obi_widgets.io import read_binance
from tests._exchange_server import ExchangeServer

CAPTURE = {str(CAPTURE)!r}
whole = read_binance(CAPTURE, levels=10, on_gap="flag", on_crossed="flag")
span_s = (int(whole.book.ts[-1]) - int(whole.book.ts[0])) / 1e9
"""

REPLAY = """rp = live.replay(CAPTURE, speed=span_s / 20, levels=10, batch_ms=20, max_rows=20_000)
dash = ow.Dashboard(rp.source)
dash"""

ADAPTER = """with gzip.open(CAPTURE, "rb") as fh:
    lines = [fh.readline() for _ in range(16_000)]
with open("prefix.txt", "wb") as fh:
    fh.write(b"".join(lines))
deep = read_binance("prefix.txt", levels=1000)
server = ExchangeServer(lines, deep, "drop_diff", at=400, pace=0.0012).start()
feed = live.binance("BTCUSDT", levels=10, ws_base=server.ws_base, rest_base=server.rest_base,
                    batch_ms=20, backoff=0.05, timeout=5, record="recorded.txt")
dash2 = ow.Dashboard(feed.source)
dash2"""


def values(page, statement: str, expr: str, timeout_s: float = 120) -> list[str]:
    out = run_code(page, f'{statement}\nprint("OBI_VALUE", {expr})', timeout_s=timeout_s)
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).split()


def wait_shown(page, nth: int, row: str, t_ms: str) -> None:
    """The nth dashboard's ladder, heatmap and gauge show row ``row`` (the ladder at time t_ms)."""
    page.wait_for_function(
        """([k, row, t]) => {
          const d = document.querySelectorAll('.obi-dashboard')[k];
          if (!d) return false;
          const lad = d.querySelector('.obi-ladder'), hm = d.querySelector('.obi-depth-heatmap');
          const g = d.querySelector('.obi-imbalance-gauge');
          return lad.dataset.obiRow === row && Math.abs(Number(lad.dataset.obiTime) - Number(t)) < 1e-3
            && hm.dataset.obiRow === row && g.dataset.obiRow === row;
        }""",
        arg=[nth, row, t_ms],
        timeout=60_000,
    )


@pytest.mark.skipif(not CAPTURE.exists(), reason=f"the shared Binance capture is absent ({CAPTURE})")
def test_live_feeds_into_a_dashboard(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(REPLAY)]
    path = tmp_path / "live_feeds.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_selector('.obi-dashboard[data-obi-ready="true"]', timeout=120_000)

    # replay: about 20 s at 50 pushes a second, then the last row of the capture is on screen
    page.wait_for_timeout(5_000)
    page.locator(".obi-dashboard").first.screenshot(path=str(artifacts / "live_replay_dashboard.png"))
    rows, cursor, last_ms, pushes, same = values(
        page,
        "rp.wait_until(lambda f: f.status['state'] == 'finished', timeout=90); rp.source.flush()",
        "len(rp.source.book), rp.source.cursor, repr(float(rp.source.book.ts[-1]) / 1e6), rp.status['pushes'],"
        " bool(np.array_equal(rp.source.book.ask_px, whole.book.ask_px[~whole.unreliable], equal_nan=True))",
    )
    assert same == "True"  # every reliable row of the file, in order
    assert int(pushes) >= 400, pushes  # about 50 a second for about 20 s
    wait_shown(page, 0, cursor, last_ms)

    # the adapter against the local exchange: a dropped diff on the way (resync from a fresh snapshot)
    run_code(page, ADAPTER, timeout_s=120)
    page.wait_for_selector(".obi-dashboard >> nth=1", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.obi-dashboard[data-obi-ready=\"true\"]').length === 2", timeout=120_000
    )
    rows, cursor, last_ms, resyncs, pushes, same = values(
        page,
        "feed.wait_until(lambda f: server.done.is_set() and f.rebuild.lines >= len(server.sent), timeout=120)\n"
        "feed.stop(); server.stop(); feed.source.flush()\n"
        "rec = read_binance('recorded.txt', levels=10, on_gap='flag', on_crossed='flag')",
        "len(feed.source.book), feed.source.cursor, repr(float(feed.source.book.ts[-1]) / 1e6),"
        " feed.status['resyncs'], feed.status['pushes'],"
        " bool(np.array_equal(feed.source.book.bid_px, rec.book.bid_px[~rec.unreliable], equal_nan=True))",
        timeout_s=180,
    )
    assert same == "True"  # the live book is the file loader's book of the messages received
    assert int(resyncs) >= 1, resyncs
    assert int(pushes) >= 400, pushes  # about 50 a second for about 20 s (the server's own pace)
    wait_shown(page, 1, cursor, last_ms)
    page.locator(".obi-dashboard").nth(1).screenshot(path=str(artifacts / "live_adapter_dashboard.png"))
    assert page.obi_errors == []

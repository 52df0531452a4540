"""The cells of notebooks/live.ipynb (see tools/make_notebooks.py)."""

from __future__ import annotations

LIVE = [
    (
        "md",
        """# A live order book

A source can grow while it is displayed: `BookSource.push(book_rows, trades)` appends rows to ring
buffers (`max_rows`), and the views follow the newest row. The browser receives at most `rate`
updates a second however fast rows arrive (the last pushed state always arrives), the heat map
scrolls and paints only its new columns, and the other views redraw their current frame.

This notebook needs no network: `live.replay` plays the recorded Binance BTCUSDT capture of
`../shared/data` into a source at ×speed of its own clock (the simulated market when the capture
is absent). Against the exchange itself it is one line (not run here):

```python
feed = ow.live.binance("BTCUSDT", market="spot", levels=20, max_rows=50_000)
ow.Dashboard(feed.source)
```

The adapter opens the depth and trade websocket streams and the REST snapshot and syncs them with
the file loader's own rule (buffer before the snapshot, drop stale diffs, resync on a gap, flag
crossed rows); it reconnects with back-off after a dropped connection. `feed.stop()` ends it, or
use `with ow.live.binance(...) as feed:`.""",
    ),
    (
        "code",
        """import os
from pathlib import Path

import obi_widgets as ow
from obi_widgets import live, metrics


def shared_data() -> Path | None:
    for candidate in (os.environ.get("OBI_DATA"), "../../shared/data", "../shared/data"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


data = shared_data()
capture = sorted((data / "binance_spot_BTCUSDT_2024-08-08").glob("btcusdt_20240808.gz")) if data else []
REPLAY_SECONDS = 15  # how long the replay takes, whatever the capture's own length""",
    ),
    (
        "md",
        """## Replay into a Dashboard

`live.replay` returns a started feed; `feed.source` is the live `BookSource` (made from the first
rows). The `Dashboard` lays out the heat map, the ladder, the imbalance timeline (level-1 and depth
imbalance, cumulative OFI), the depth chart, the imbalance gauge and the replay bar, all linked,
in one widget. While rows arrive the views follow the newest row; untick **follow** on the source
(`feed.source.follow = False`) to hold them still.""",
    ),
    (
        "code",
        """if capture:
    whole = ow.io.read_binance(capture, levels=20, on_gap="flag", on_crossed="flag")
    span = (int(whole.book.ts[-1]) - int(whole.book.ts[0])) / 1e9
    feed = live.replay(capture, levels=20, speed=span / REPLAY_SECONDS, max_rows=50_000)
else:
    print("Binance capture not found: replaying the simulated market, datasets.simulate(seed=0)")
    sim = ow.datasets.simulate(seed=0)
    span = (int(sim.book.ts[-1]) - int(sim.book.ts[0])) / 1e9
    feed = live.replay(sim.book, sim.trades, speed=span / REPLAY_SECONDS, max_rows=50_000)
src = feed.source
dash = ow.Dashboard(src)
dash""",
    ),
    (
        "md",
        """The panels are models of the dashboard (one front-end bundle for all of them):
`dash.heatmap`, `dash.ladder`, `dash.timeline`, `dash.depth`, `dash.gauge`, `dash.replay`.
The feed's counters:""",
    ),
    ("code", """feed.status"""),
    (
        "md",
        """## Footprint: volume per bar and price

Per bar, seller-initiated × buyer-initiated volume at each price, coloured by delta; the point of
control is outlined; a **diagonal imbalance** (buy volume at p against sell volume at p − 1 tick,
ratio ≥ 3) is bold, and three or more in a row form a stacked-imbalance zone. The numbers are
`metrics.footprint`'s (a tidy frame). It follows the same live source.""",
    ),
    (
        "code",
        """fp = ow.FootprintChart(src, bar="10s")
fp""",
    ),
    (
        "md",
        """## Does imbalance predict the next move?

`metrics.next_move` gives, for each row, the sign and size of the next change of the mid and how
many rows (events) until it. The scatter shows the level-1 imbalance against it, with the binned
mean move and the probability of an up-move (`metrics.imbalance_profile`) and the regression
(`metrics.regress`). Drag a box to select points: `scatter.selection` holds those rows.""",
    ),
    (
        "code",
        """feed.wait_until(lambda f: f.status["state"] in ("finished", "failed"), timeout=120)
src.flush()
print(feed.status["state"], len(src.book), "rows,", feed.status["pushes"], "pushes,", src.flushes, "flushes")""",
    ),
    (
        "code",
        """scatter = ow.SignalScatter.from_source(src, signal="level1_imbalance", horizon="next")
scatter""",
    ),
    (
        "md",
        """Any set of metrics as a DataFrame indexed by the book's times, in one line:""",
    ),
    (
        "code",
        """table = metrics.frame(src.book, ["mid", "spread", "level1_imbalance", "ofi", "next_move"])
table.tail()""",
    ),
    ("code", """feed.stop()"""),
]

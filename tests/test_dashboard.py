"""Dashboard, Python side: the panels, their one shared source, one bundle per dashboard, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ipywidgets import embed
from ipywidgets.widgets.widget import _instances, _remove_buffers

import obi_widgets as ow
from obi_widgets import Book, datasets
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views._panel import PANEL_ESM, is_panel, panel_class
from obi_widgets.views.dashboard import DEFAULT_SERIES, PANELS, split_heights

S = 1_000_000_000
VIEWS = {
    "replay": ow.Replay,
    "heatmap": ow.DepthHeatmap,
    "ladder": ow.Ladder,
    "timeline": ow.ImbalanceTimeline,
    "depth": ow.DepthChart,
    "gauge": ow.ImbalanceGauge,
}


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate(seed=3, n_events=3000)


@pytest.fixture(scope="module")
def dash(sim):
    return ow.Dashboard(sim.book, sim.trades, cursor=1200)


def models_of(*widgets) -> dict:
    """model id -> (state JSON bytes + binary buffer bytes, _esm + _css chars) of the widgets and
    every model they reference (what the browser receives when they are displayed)."""
    ids: set[str] = set()
    for w in widgets:
        ids |= set(embed.dependency_state(w))
    out = {}
    for i in ids:
        state, _, buffers = _remove_buffers(_instances[i].get_state())
        size = len(json.dumps(state)) + sum(memoryview(b).nbytes for b in buffers)
        out[i] = (size, len(state.get("_esm") or "") + len(state.get("_css") or ""))
    return out


def test_panels_are_the_views_classes_sharing_one_source(dash, sim):
    assert list(dash.panels) == list(PANELS)
    src = dash.source
    assert isinstance(src, ow.BookSource) and src.book is sim.book and src.trades is sim.trades
    for name, cls in VIEWS.items():
        panel = getattr(dash, name)
        assert isinstance(panel, cls) and is_panel(panel), name
        assert panel.source is src, name
    assert not is_panel(ow.Ladder(src))
    # the panels are referenced by id, through widget_serialization
    refs = dash.get_state()["_panels"]
    assert refs == {name: f"IPY_MODEL_{getattr(dash, name).model_id}" for name in PANELS}
    assert dash.get_state()["source"] == f"IPY_MODEL_{src.model_id}"
    assert dash._missing == []


def test_cursor_is_shared_and_python_observers_run_on_the_panels(dash):
    dash.cursor = 1500
    assert dash.source.cursor == 1500
    # the panels' own observers re-send their frames for the new row
    assert unpack(dash.ladder._frame)[1]["row"] == 1500
    assert unpack(dash.depth._frame)[1]["row"] == 1500
    assert unpack(dash.gauge._frame)[1]["row"] == 1500
    dash.ladder.cursor = 1600
    assert dash.cursor == 1600 and dash.depth.cursor == 1600
    # and the time range: the timeline re-bins the window set on the source
    ts = dash.source.book.ts
    dash.source.time_range = (int(ts[100]), int(ts[900]))
    assert unpack(dash.timeline._window)[1]["range"] == [int(ts[100]), int(ts[900])]
    dash.source.reset()


def test_timeline_defaults_and_levels(dash, sim):
    assert DEFAULT_SERIES == ("level1_imbalance", "depth_imbalance", "ofi")
    assert dash.timeline.labels == ["L1 imbalance", "depth imbalance, 5 levels", "cumulative OFI"]
    d3 = ow.Dashboard(sim.book, sim.trades, levels=3, panels=["timeline", "gauge"], gauge={"metric": "depth_imbalance"})
    assert d3.timeline.labels[1] == "depth imbalance, 3 levels"
    assert d3.gauge._levels == 3
    # a book with fewer levels than 5: the default follows it
    b = sim.book
    two = Book(b.ts, b.bid_px[:, :2], b.bid_sz[:, :2], b.ask_px[:, :2], b.ask_sz[:, :2], name="two", meta=b.meta)
    assert ow.Dashboard(two, panels=["timeline"]).timeline.labels[1] == "depth imbalance, 2 levels"


def test_only_the_dashboard_carries_the_bundle(sim):
    """Measured: the code the browser receives for a Dashboard vs the same six views shown apart."""
    dash = ow.Dashboard(sim.book, sim.trades)
    models = models_of(dash)
    code = {i: c for i, (_, c) in models.items()}
    big = [i for i, c in code.items() if c > 2000]
    assert big == [dash.model_id]  # one model carries the code of every view
    for name in PANELS:
        assert code[getattr(dash, name).model_id] == len(PANEL_ESM) < 1000, name

    src = ow.BookSource(sim.book, sim.trades)
    # the same views with the dashboard's choices (heights, the timeline's three series)
    opts = {name: {"height": getattr(dash, name).height} for name in PANELS}
    opts["timeline"]["series"] = DEFAULT_SERIES
    apart = [VIEWS[name](src, **opts[name]) for name in PANELS]
    models_apart = models_of(*apart)
    code_apart = sum(c for _, c in models_apart.values())
    code_dash = sum(code.values())
    # each view apart carries its bundle, with its own copy of the shared libraries
    assert sum(1 for _, c in models_apart.values() if c > 2000) == len(PANELS)
    assert code_dash < 0.85 * code_apart, (code_dash, code_apart)
    total_dash = sum(s for s, _ in models.values())
    total_apart = sum(s for s, _ in models_apart.values())
    assert total_dash < total_apart, (total_dash, total_apart)
    print(
        f"\ncode: dashboard {code_dash / 1e3:.1f} kB vs six views {code_apart / 1e3:.1f} kB; "
        f"all state: {total_dash / 1e3:.0f} kB vs {total_apart / 1e3:.0f} kB (one shared source each)"
    )


def test_panel_alone_has_the_stub_front_end(sim):
    LadderPanel = panel_class(ow.Ladder)
    assert panel_class(ow.Ladder) is LadderPanel  # one class per view
    p = LadderPanel(sim.book)
    state = p.get_state()
    assert state["_esm"] == PANEL_ESM and "part of a Dashboard" in PANEL_ESM
    assert state["_css"] == "" and state["_panel_of"] == "Ladder"
    with pytest.raises(ParameterError, match="view classes"):
        panel_class(int)


def test_panel_subset_and_options(sim):
    d = ow.Dashboard(sim.book, sim.trades, panels=["ladder", "heatmap"], ladder={"cumulative": True, "rows": 11})
    assert list(d.panels) == ["heatmap", "ladder"]  # layout order
    assert d.timeline is None and d.gauge is None and d.replay is None and d.depth is None
    assert d.ladder.cumulative is True and d.ladder.rows == 11
    # the heatmap alone on the left, the ladder alone on the right: both the whole height
    assert d.heatmap.height == d.ladder.height == 700
    d = ow.Dashboard(sim.book, panels="heatmap", heatmap={"scale": "log", "height": 250}, height=500)
    assert d.heatmap.scale == "log" and d.heatmap.height == 250 and d.height == 500


def test_split_heights():
    h = split_heights(700, list(PANELS))
    assert h == {"heatmap": 315, "timeline": 385, "ladder": 252, "gauge": 150, "depth": 208, "replay": 44}
    h = split_heights(1000, list(PANELS))
    assert h["heatmap"] == 450 and h["timeline"] == 550 and h["ladder"] == 360
    assert h["depth"] == 1000 - 360 - 150 - 90
    assert split_heights(640, ["timeline", "depth"]) == {"timeline": 640, "depth": 550}


def test_dashboard_on_a_shared_source_links_with_other_views(sim):
    src = ow.BookSource(sim.book, sim.trades)
    d = ow.Dashboard(src, panels=["ladder", "depth"])
    other = ow.Ladder(src)
    other.cursor = 77
    assert d.ladder.cursor == 77 and unpack(d.ladder._frame)[1]["row"] == 77


def test_close_closes_the_panels(sim):
    d = ow.Dashboard(sim.book, panels=["ladder", "depth"])
    ladder = d.ladder
    d.close()
    assert ladder.comm is None and d.comm is None
    d.source.cursor = 10  # closed panels no longer listen
    assert unpack(ladder._frame)[1]["row"] == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"height": 100}, "height must be at least 320"),
        ({"height": 700.5}, "height must be an integer"),
        ({"levels": 0}, "levels must be at least 1"),
        ({"panels": ["ladder", "chart"]}, r"unknown panel\(s\) \['chart'\]"),
        ({"panels": []}, "at least one panel"),
        ({"panels": 3}, "sequence of panel names"),
        ({"ladder": {"rowz": 3}}, r"ladder= option\(s\) \['rowz'\] are not Ladder parameters"),
        ({"ladder": [("rows", 3)]}, "ladder= must be a dict"),
        ({"heatmap": {"trades": None}}, "cannot set the source"),
        ({"panels": ["ladder"], "heatmap": {"scale": "log"}}, "'heatmap' panel is not in panels"),
        ({"ladder": {"rows": 1}}, r"ladder panel \(Ladder\): rows must be at least 3"),
        ({"heatmap": {"scale": "cubic"}}, r"heatmap panel \(DepthHeatmap\): .*scale"),
        ({"timeline": {"series": ["nope"]}}, r"timeline panel \(ImbalanceTimeline\)"),
        ({"cursor": 10**9}, "cursor"),
    ],
)
def test_parameter_errors(sim, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        ow.Dashboard(sim.book, sim.trades, **kwargs)


def test_source_and_max_rows_errors(sim):
    src = ow.BookSource(sim.book)
    with pytest.raises(ParameterError, match="pass trades to the BookSource"):
        ow.Dashboard(src, sim.trades)
    with pytest.raises(ParameterError, match="max_rows is the source's"):
        ow.Dashboard(src, max_rows=100)
    with pytest.raises(ParameterError, match="max_rows must be at least 1"):
        ow.Dashboard(sim.book, max_rows=0)
    with pytest.raises(ParameterError, match="needs an obi_widgets.Book"):
        ow.Dashboard(np.zeros((3, 3)))


def test_max_rows_reaches_the_source(sim):
    import inspect

    if "max_rows" not in inspect.signature(ow.BookSource.__init__).parameters:
        pytest.skip("this BookSource is not live yet (no max_rows)")
    d = ow.Dashboard(sim.book, sim.trades, max_rows=5000, panels=["ladder"])
    assert d.source.max_rows == 5000


def test_repr(dash):
    assert repr(dash).startswith("Dashboard(panels=[replay, heatmap, ladder, timeline, depth, gauge], rows=")


def test_live_pushes_reach_every_panel(sim):
    """Rows pushed into the dashboard's source: after the flush every panel shows the newest row."""
    b = sim.book
    first, rest = b[:1000], b[1000:2000]
    d = ow.Dashboard(first, max_rows=1500)
    d.source.push(rest)
    d.source.flush()
    src = d.source
    assert len(src.book) == 1500  # the ring keeps the last max_rows rows
    last = len(src.book) - 1
    assert src.cursor == last and int(src.book.ts[-1]) == int(b.ts[1999])
    assert unpack(d.ladder._frame)[1]["row"] == last
    assert unpack(d.depth._frame)[1]["row"] == last
    assert unpack(d.gauge._frame)[1]["row"] == last
    # the ladder's best bid is that of the last pushed row
    fields, meta = d.ladder.frame()
    assert fields["price"][meta["hi"] - meta["best_bid"]] == pytest.approx(float(b.bid_px[1999, 0]))
    assert unpack(d.timeline._window)[1]["range"][1] == int(b.ts[1999])
    assert src._meta["rows"] == 1500

"""`Dashboard`: the kit's views of one book laid out and linked, in one call, with one bundle.

Front-end: ``js/views/dashboard.js`` (the arrangement in ``js/views/dashboard_layout.js``). The
dashboard is one anywidget carrying the code of every view; its panels are models of the views'
own Python classes without a bundle of their own (``_panel.py``), referenced through
``widget_serialization`` in ``_panels`` (``{name: "IPY_MODEL_<id>"}``). The browser resolves each
panel's model and calls that view's ``render`` on it, in a CSS grid: the replay bar on top, the
heatmap and the timeline in the wide left column (one time axis, one width), the ladder, the depth
chart and the gauge in the right column; one column below 900 px.

Every panel references the dashboard's one :class:`BookSource`, so the cursor, the time range and
the selection are shared as between separate linked views, in the browser and in Python.
"""

from __future__ import annotations

import inspect
from importlib import import_module

import traitlets as t
from ipywidgets import widget_serialization

from ..errors import ParameterError
from ._base import SourceView, positive_int
from ._panel import panel_class
from .source import BookSource, as_source

#: panel name -> (module stem, view class), in the order of the layout
PANELS: dict[str, tuple[str, str]] = {
    "replay": ("replay", "Replay"),
    "heatmap": ("depth_heatmap", "DepthHeatmap"),
    "ladder": ("ladder", "Ladder"),
    "timeline": ("imbalance_timeline", "ImbalanceTimeline"),
    "depth": ("depth_chart", "DepthChart"),
    "gauge": ("imbalance_gauge", "ImbalanceGauge"),
}
#: the timeline's series by default: level-1 and depth imbalance, cumulative OFI
DEFAULT_SERIES = ("level1_imbalance", "depth_imbalance", "ofi")
#: plot heights (CSS px) inside ``height``: the heatmap's share of the left column, the gauge
HEATMAP_SHARE = 0.45
#: the ladder's plot height as a share of the heatmap's when the right column has more panels
#: (its header wraps to more lines in the narrow column)
LADDER_SHARE = 0.8
GAUGE_HEIGHT = 150
REPLAY_HEIGHT = 44
MIN_HEIGHT, MAX_HEIGHT = 320, 4000


def view_class(name: str) -> type | None:
    """The view class of panel ``name``, or None when this installation does not have that view."""
    stem, cls = PANELS[name]
    try:
        module = import_module(f".{stem}", __package__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f".{stem}"):
            return None
        raise
    return getattr(module, cls, None)


def options_of(view_cls: type) -> set[str]:
    """The keyword options a panel of ``view_cls`` accepts: its constructor's and its public traits."""
    names = {
        p.name
        for p in inspect.signature(view_cls.__init__).parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in ("self", "source_or_book", "trades")
    }
    traits = {n for n in view_cls.class_trait_names(sync=True) if not n.startswith("_")}
    return (names | traits) - {"source", "layout", "tabbable", "tooltip", "keys"}


def split_heights(height: int, names: list[str]) -> dict[str, int]:
    """Plot heights of the panels in ``names`` for a dashboard of ``height`` CSS px of plots.

    Left column: the heatmap takes ``HEATMAP_SHARE`` of ``height`` and the timeline the rest (the
    whole of it when the other is absent). Right column: the ladder ``LADDER_SHARE`` of the
    heatmap's (all of ``height`` when alone there), the gauge ``GAUGE_HEIGHT``, the depth chart
    the rest, at least 120 px -- a first guess: in two columns the browser then sets the depth
    chart's (else the ladder's) ``height`` so that the right column ends with the left one. The
    replay bar has its own fixed height.
    """
    left = [n for n in ("heatmap", "timeline") if n in names]
    out: dict[str, int] = {}
    top = round(height * HEATMAP_SHARE) if len(left) == 2 else height
    if "heatmap" in names:
        out["heatmap"] = top
    if "timeline" in names:
        out["timeline"] = height - top if "heatmap" in names else height
    right = [n for n in ("ladder", "depth", "gauge") if n in names]
    below = height  # what the right column has below the ladder
    if "ladder" in names:
        out["ladder"] = round(top * LADDER_SHARE) if len(right) > 1 else height
        below = height - out["ladder"] if len(right) > 1 else 0
    if "gauge" in names:
        out["gauge"] = GAUGE_HEIGHT if "depth" in names or "ladder" in names else max(GAUGE_HEIGHT, below)
        below -= out["gauge"]
    if "depth" in names:
        out["depth"] = max(120, below - 90)  # the depth chart's overview strip and headers take ~90 px
    if "replay" in names:
        out["replay"] = REPLAY_HEIGHT
    return out


class Dashboard(SourceView):
    """Heatmap, ladder, depth chart, imbalance timeline, gauge and replay of one book, linked.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; with a ``BookSource`` the dashboard's panels are linked with every other
        view of that source.
    trades : Trades, optional
        With a Book: the trades (heatmap volume dots, traded volume on the ladder, ...).
    height : int
        CSS pixels of plots in the left column (heatmap + timeline; default 700, 320 to 4000);
        the panels' headers and the replay bar add about 120 px. The width follows the cell.
    series : str, sequence or dict
        The timeline's panels (see :class:`ImbalanceTimeline`); default level-1 imbalance
        (:func:`~obi_widgets.metrics.level1_imbalance`, Cao, Hansch & Wang 2009), depth imbalance
        over ``levels`` (:func:`~obi_widgets.metrics.depth_imbalance`) and cumulative OFI
        (:func:`~obi_widgets.metrics.ofi`, Cont, Kukanov & Stoikov 2014).
    levels : int
        Levels of the depth imbalance (timeline and gauge; default 5, or the book's levels when fewer).
    panels : sequence of str, optional
        The panels to show, of ``"replay", "heatmap", "ladder", "timeline", "depth", "gauge"``
        (default all of them that this installation has). The others' attributes are None.
    heatmap, ladder, depth, timeline, gauge, replay : dict, optional
        Options passed to that panel's view (:class:`DepthHeatmap`, :class:`Ladder`,
        :class:`DepthChart`, :class:`ImbalanceTimeline`, :class:`ImbalanceGauge`,
        :class:`Replay`), e.g. ``ladder={"cumulative": True}``, ``heatmap={"scale": "log"}``;
        they override the dashboard's own choices (``height``, ``series``, ``levels``).
    max_rows : int, optional
        With a Book: keep only the last ``max_rows`` rows when rows are pushed live (the source's
        ring buffer; needs a live-capable :class:`BookSource`).
    cursor : int, optional
        Move the shared cursor to this row.
    title : str, optional
        Title above the dashboard (default: the source's name).

    ``dashboard.heatmap``, ``.ladder``, ``.depth``, ``.timeline``, ``.gauge``, ``.replay`` are the
    panels (instances of those views' classes: their Python API works as on a separate view, e.g.
    ``dashboard.timeline.series("ofi")``); ``.source`` is the shared source. Only the dashboard
    carries the front-end bundle: a panel displayed on its own shows a one-line note instead.
    """

    _view_name_ = "dashboard"

    title = t.Unicode("", help="Title above the dashboard (default: the source's name).").tag(sync=True)
    height = t.Int(700, help="CSS pixels of plots in the left column (heatmap + timeline).").tag(sync=True)
    _panels = t.Dict({}, help="Panel name -> panel model (widget_serialization).").tag(
        sync=True, **widget_serialization
    )
    _missing = t.List([], help="Panels asked for that this installation does not have.").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        height: int = 700,
        series=DEFAULT_SERIES,
        levels: int | None = None,
        panels=None,
        heatmap: dict | None = None,
        ladder: dict | None = None,
        depth: dict | None = None,
        timeline: dict | None = None,
        gauge: dict | None = None,
        replay: dict | None = None,
        max_rows: int | None = None,
        cursor: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        height = positive_int("height", height, MIN_HEIGHT, MAX_HEIGHT)
        if levels is not None:
            levels = positive_int("levels", levels, 1)
        names, missing = _panel_names(panels)
        given = {"heatmap": heatmap, "ladder": ladder, "depth": depth, "timeline": timeline}
        given.update(gauge=gauge, replay=replay)
        options = {name: _options(name, value) for name, value in given.items()}
        for name, opts in options.items():
            if opts and name not in names:
                raise ParameterError(f"{name}= options were given but the {name!r} panel is not in panels={names}")
        source = _make_source(source_or_book, trades, max_rows)
        super().__init__(source, height=height, **kwargs)
        self.title = source.name if title is None else title
        if cursor is not None:
            source.cursor = positive_int("cursor", cursor, 0, len(source.book) - 1)
        heights = split_heights(height, names)
        if levels is None:
            levels = min(5, source.book.levels)
        defaults = {
            "heatmap": {"title": "Depth heatmap"},
            "ladder": {"title": "Ladder"},
            "timeline": {"series": series, "levels": levels, "title": "Imbalance"},
            "depth": {"title": "Depth"},
            "gauge": {"levels": levels, "width": 0, "title": "Imbalance now"},
        }
        made: dict = {}
        try:
            for name in names:
                cls = view_class(name)
                assert cls is not None  # _panel_names keeps only the available ones
                allowed = options_of(cls)
                opts = {k: v for k, v in defaults.get(name, {}).items() if k in allowed}
                if name in heights and "height" in allowed:
                    opts["height"] = heights[name]
                opts.update(options[name])
                unknown = sorted(set(opts) - allowed)
                if unknown:
                    raise ParameterError(
                        f"{name}= option(s) {unknown} are not {cls.__name__} parameters; expected some of {sorted(allowed)}"
                    )
                try:
                    made[name] = panel_class(cls)(source, **opts)
                except ParameterError as exc:
                    raise ParameterError(f"{name} panel ({cls.__name__}): {exc}") from None
        except BaseException:
            for w in made.values():
                w.close()
            super().close()
            raise
        self._panel_widgets = made
        self._missing = missing
        self._panels = dict(made)

    # -- the panels ------------------------------------------------------------------------------
    def _panel(self, name: str):
        return self._panel_widgets.get(name)

    @property
    def heatmap(self):
        """The :class:`DepthHeatmap` panel (None when not shown)."""
        return self._panel("heatmap")

    @property
    def ladder(self):
        """The :class:`Ladder` panel (None when not shown)."""
        return self._panel("ladder")

    @property
    def depth(self):
        """The :class:`DepthChart` panel (None when not shown)."""
        return self._panel("depth")

    @property
    def timeline(self):
        """The :class:`ImbalanceTimeline` panel (None when not shown)."""
        return self._panel("timeline")

    @property
    def gauge(self):
        """The :class:`ImbalanceGauge` panel (None when not shown or not installed)."""
        return self._panel("gauge")

    @property
    def replay(self):
        """The :class:`Replay` panel (None when not shown)."""
        return self._panel("replay")

    @property
    def panels(self) -> dict:
        """Panel name -> panel, in layout order."""
        return dict(self._panel_widgets)

    def close(self):
        for w in getattr(self, "_panel_widgets", {}).values():
            w.close()
        super().close()

    def __repr__(self) -> str:
        names = ", ".join(getattr(self, "_panel_widgets", {}))
        return f"Dashboard(panels=[{names}], rows={len(self.source.book)}, cursor={self.cursor})"


def _panel_names(panels) -> tuple[list[str], list[str]]:
    """(panels to make, panels asked for that this installation lacks), in layout order."""
    if panels is None:
        wanted = list(PANELS)
        explicit = False
    else:
        if isinstance(panels, str):
            panels = [panels]
        try:
            wanted = list(panels)
        except TypeError:
            raise ParameterError(f"panels must be a sequence of panel names, got {panels!r}") from None
        bad = [p for p in wanted if not isinstance(p, str) or p not in PANELS]
        if bad:
            raise ParameterError(f"panels: unknown panel(s) {bad}; expected some of {list(PANELS)}")
        if not wanted:
            raise ParameterError(f"panels must name at least one panel of {list(PANELS)}")
        explicit = True
    missing = [p for p in PANELS if p in wanted and view_class(p) is None]
    if explicit and missing:
        raise ParameterError(f"panels: {missing} not available in this installation of obi_widgets")
    return [p for p in PANELS if p in wanted and p not in missing], missing


def _options(name: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParameterError(f"{name}= must be a dict of {name} panel options, got {type(value).__name__}")
    if "source_or_book" in value or "trades" in value or "source" in value:
        raise ParameterError(f"{name}= options cannot set the source or trades: the dashboard's source is shared")
    return dict(value)


def _make_source(source_or_book, trades, max_rows) -> BookSource:
    if max_rows is None:
        return as_source(source_or_book, trades)
    max_rows = positive_int("max_rows", max_rows, 1)
    if isinstance(source_or_book, BookSource):
        raise ParameterError("max_rows is the source's: pass it to the BookSource, not to a dashboard made from one")
    if "max_rows" not in inspect.signature(BookSource.__init__).parameters:
        raise ParameterError("max_rows needs a live BookSource (source.push), which this version does not have")
    return as_source(source_or_book, trades, max_rows=max_rows)


__all__ = ["Dashboard", "PANELS", "DEFAULT_SERIES", "split_heights"]

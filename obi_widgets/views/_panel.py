"""Panels: the kit's views as models that do not carry the front-end bundle (for :class:`Dashboard`).

anywidget loads a model's ``_esm`` when the model is created in the browser, so every view shown
on its own carries its whole bundle (50-100 kB). Inside a :class:`~obi_widgets.Dashboard` the
dashboard's one bundle holds the code of every view and draws each panel from the panel's model
(the lonboard pattern: one widget carries the code, its children are models referenced through
``widget_serialization``). A panel is therefore the same Python class as the view -- its traits,
observers, payloads and Python API are the view's -- with a stub ``_esm`` of a few hundred bytes
and no CSS of its own:

>>> from obi_widgets.views._panel import panel_class
>>> from obi_widgets.views.ladder import Ladder
>>> LadderPanel = panel_class(Ladder)
>>> issubclass(LadderPanel, Ladder), len(LadderPanel._esm) < 1000
(True, True)

A panel displayed on its own shows a one-line message naming its dashboard instead of breaking.
"""

from __future__ import annotations

import traitlets as t

from ..errors import ParameterError
from ._base import ObiWidget

#: The front-end of a panel shown on its own: a short message (the dashboard's bundle draws panels).
PANEL_ESM = """\
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "obi-panel-alone";
  box.style.cssText = "padding:6px 10px;font:12px system-ui,sans-serif;opacity:0.75;font-style:italic";
  box.textContent = `${model.get("_panel_of") || "panel"}: part of a Dashboard: display the dashboard`;
  el.appendChild(box);
  return () => box.remove();
}
export default { render };
"""

_CACHE: dict[type, type] = {}


def panel_class(view_cls: type) -> type:
    """The panel class of a view class: a subclass with the stub front-end (cached, one per view).

    ``panel_class(Ladder)`` is ``LadderPanel``: ``isinstance(panel, Ladder)`` holds, and every
    trait, observer and method of ``Ladder`` works on it unchanged; only ``_esm`` (the stub
    :data:`PANEL_ESM`) and ``_css`` (empty: the dashboard's CSS styles its panels) differ.
    """
    if not (isinstance(view_cls, type) and issubclass(view_cls, ObiWidget) and view_cls.__dict__.get("_view_name_")):
        raise ParameterError(f"panel_class needs one of the kit's view classes, got {view_cls!r}")
    cls = _CACHE.get(view_cls)
    if cls is None:
        name = f"{view_cls.__name__}Panel"
        cls = type(
            name,
            (view_cls,),
            {
                "__module__": __name__,
                "__qualname__": name,
                "__doc__": f"A {view_cls.__name__} drawn by a Dashboard (same traits and API, no bundle of its own).",
                "_esm": PANEL_ESM,
                "_css": "",
                "_panel_of": t.Unicode(view_cls.__name__).tag(sync=True),
            },
        )
        _CACHE[view_cls] = cls
    return cls


def is_panel(widget) -> bool:
    """Whether ``widget`` is a panel (made by :func:`panel_class`), not a view carrying its bundle."""
    # add_traits() gives each instance its own subclass, so compare by isinstance, not type()
    return isinstance(widget, tuple(_CACHE.values()))


__all__ = ["PANEL_ESM", "panel_class", "is_panel"]

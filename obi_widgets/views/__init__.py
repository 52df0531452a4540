"""Jupyter views: thin anywidgets over the core, linked through a shared :class:`BookSource`.

Python decides what to draw and sends it as self-describing binary buffers reduced to screen
resolution; the JS side of each view (``js/views/<same name>.js``) only draws. The classes are
imported on first use (the list is ``registry.json``), so importing the package stays cheap.
"""

from __future__ import annotations

from importlib import import_module

from ._registry import EXPORTS


def __getattr__(name: str):
    if name in EXPORTS:
        return getattr(import_module(f".{EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'obi_widgets.views' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(EXPORTS))


__all__ = list(EXPORTS)  # pyright: ignore[reportUnsupportedDunderAll]
